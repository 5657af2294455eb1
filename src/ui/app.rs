//! The page: header with the time controls, the terminal on the left, the views on the right and the
//! inspector beside them when something is selected. The shared world and the reducer state reach
//! every panel through contexts; the clock ticks here.

use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

use super::architecture::Architecture;
use super::cluster_view::ClusterView;
use super::header::Header;
use super::i18n::{Lang, T, t};
use super::inspector::Inspector;
use super::lesson_panel::{self, LessonPanel};
use super::resources::Resources;
use super::session;
use super::share::EmbedBar;
use super::state::{Journey, Selected, SimHandle, Tab, Ui, UiAction, wall_ms};
use super::terminal::Terminal;
use super::theme::Theme;
use super::timeline::Timeline;

/// How often the clock ticks, in real milliseconds.
const TICK_MS: u32 = 100;

/// A parameter of the page's address fragment (`#view=cluster&run=...`), URL-decoded: links that open
/// the playground in a prepared state. `run` is a script (newline-separated commands) run before the
/// page first draws; `view` is the tab shown first; `lang` (`en`, `zh-CN`) the language; `theme`
/// (`light`, `dark`) the theme; `select` (`kind/namespace/name` or `kind/name`) opens the inspector on
/// an object.
fn fragment(key: &str) -> Option<String> {
    let hash = gloo::utils::window().location().hash().ok()?;
    let value = hash.trim_start_matches('#').split('&').find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))?;
    js_sys::decode_uri_component(value).ok().map(String::from)
}

fn first_selection() -> Option<Selected> {
    let value = fragment("select")?;
    let parts: Vec<&str> = value.split('/').collect();
    let (kind, ns, name) = match parts.as_slice() {
        [kind, ns, name] => (*kind, Some(*ns), *name),
        [kind, name] => (*kind, None, *name),
        _ => return None,
    };
    Some(Selected::new(crate::api::resource::resolve(kind)?, ns, name))
}

fn first_tab() -> Tab {
    match fragment("view").as_deref() {
        Some("cluster") => Tab::Cluster,
        Some("resources") => Tab::Resources,
        Some("timeline") => Tab::Timeline,
        _ => Tab::Architecture,
    }
}

/// The app's settings a host page (or a test) may fix instead of the address.
#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    /// The compact layout for an iframe; None: `?embed=1` in the address decides.
    #[prop_or_default]
    pub embed: Option<bool>,
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let booted = use_memo((), |_| {
        super::warm_up::run();
        let session::Booted { mut sim, root, notice } = session::boot(fragment("s").as_deref());
        let root = fragment("run").and_then(|script| sim.run(&script)).or(root);
        (SimHandle(Rc::new(RefCell::new(sim))), root, notice)
    });
    let sim = &booted.0;
    let notice = use_state(|| booted.2.clone());
    let embed = props.embed.unwrap_or_else(session::embedded);
    let ui = use_reducer(|| {
        let lang = fragment("lang").as_deref().and_then(Lang::from_code).unwrap_or_else(Lang::load);
        let theme = fragment("theme").as_deref().and_then(Theme::from_code).unwrap_or_else(Theme::load);
        let mut ui = Ui::new(lang, theme);
        ui.journey = Journey { root: booted.1, step: 0, playing: booted.1.is_some() };
        ui.tab = first_tab();
        ui.selected = first_selection();
        ui
    });

    {
        let sim = sim.clone();
        let dispatcher = ui.dispatcher();
        use_effect_with((), move |_| {
            let interval = gloo::timers::callback::Interval::new(TICK_MS, move || {
                let moved = sim.0.try_borrow_mut().map(|mut s| s.tick(wall_ms())).unwrap_or(false);
                if moved {
                    dispatcher.dispatch(UiAction::Refresh);
                }
            });
            move || drop(interval)
        });
    }
    {
        // `#lesson=ID&step=N`: the lesson opens at that step, on the state its earlier steps leave.
        let (sim, ui) = (sim.clone(), ui.clone());
        use_effect_with((), move |_| {
            if let Some(at) = lesson_panel::from_fragment(fragment("lesson").as_deref(), fragment("step").as_deref()) {
                lesson_panel::open_at(&sim, &ui, &at);
            }
        });
    }
    {
        let lang = ui.lang;
        use_effect_with(lang, move |lang| {
            if let Some(root) = gloo::utils::document().document_element() {
                let _ = root.set_attribute("lang", lang.code());
            }
        });
    }

    {
        let theme = ui.theme;
        use_effect_with(theme, move |theme| theme.apply());
    }

    let lang = ui.lang;
    let tab_button = |tab: Tab, label: T| {
        let ui = ui.clone();
        let selected = ui.tab == tab;
        let onclick = Callback::from(move |_| ui.dispatch(UiAction::SetTab(tab)));
        html! {
            <button role="tab" class={classes!("tab", selected.then_some("selected"))}
                aria-selected={selected.to_string()} {onclick}>{ t(lang, label) }</button>
        }
    };
    let banner = notice.as_ref().map(|n| {
        let text = match n {
            session::Notice::BadLink(why) => format!("{} {why}. {}", t(lang, T::BadLink), t(lang, T::DefaultCluster)),
            session::Notice::BadSave(why) => format!("{} {why}. {}", t(lang, T::BadSave), t(lang, T::DefaultCluster)),
        };
        let dismiss = {
            let notice = notice.clone();
            Callback::from(move |_| notice.set(None))
        };
        html! {
            <div class="banner" role="alert">
                <span>{ text }</span>
                <button aria-label={t(lang, T::Dismiss)} onclick={dismiss}>{ "×" }</button>
            </div>
        }
    });
    let page = if embed {
        // The compact layout for an iframe: the terminal and the cluster, and a way to the full page.
        html! {
            <div class="app embed">
                <EmbedBar />
                { for banner }
                <main class="main">
                    <div class="left"><Terminal /></div>
                    <section class="views" aria-label={t(lang, T::Views)}>
                        <div class="view" role="tabpanel"><ClusterView /></div>
                    </section>
                </main>
            </div>
        }
    } else {
        let view = match ui.tab {
            Tab::Architecture => html! { <Architecture /> },
            Tab::Cluster => html! { <ClusterView /> },
            Tab::Resources => html! { <Resources /> },
            Tab::Timeline => html! { <Timeline /> },
        };
        html! {
            <div class="app">
                <Header />
                { for banner }
                <main class="main">
                    <div class="left">
                        <LessonPanel />
                        <Terminal />
                    </div>
                    <section class="views" aria-label={t(lang, T::Views)}>
                        <div class="tabs" role="tablist">
                            { tab_button(Tab::Architecture, T::Architecture) }
                            { tab_button(Tab::Cluster, T::ClusterView) }
                            { tab_button(Tab::Resources, T::Resources) }
                            { tab_button(Tab::Timeline, T::Timeline) }
                        </div>
                        <div class="view-body">
                            <div class="view" role="tabpanel">{ view }</div>
                            if ui.selected.is_some() { <Inspector /> }
                        </div>
                    </section>
                </main>
            </div>
        }
    };
    html! {
        <ContextProvider<SimHandle> context={sim.clone()}>
            <ContextProvider<super::state::UiHandle> context={ui.clone()}>
                { page }
            </ContextProvider<super::state::UiHandle>>
        </ContextProvider<SimHandle>>
    }
}
