//! Sharing: the Share button and its dialog (the session's link, an iframe snippet for embedding, the
//! scenario as a YAML file to download, for sessions too long for a link, and a scenario file to open), and the bar an embedded playground
//! shows instead of the header, with its way out to the full playground.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::i18n::{T, t};
use super::state::{SimHandle, UiAction, UiHandle, use_world};
use crate::scenario::{file, link};

/// What the dialog offers for the session as it is now.
#[derive(Debug, Clone, PartialEq)]
struct Offer {
    /// The link, or why there is none (too long).
    link: Result<String, String>,
    yaml: String,
}

fn offer(sim: &SimHandle) -> Offer {
    let s = sim.0.borrow();
    let scenario = s.shell.scenario();
    Offer {
        link: link::url(&super::session::link_base(), &scenario).map_err(|e| e.to_string()),
        yaml: file::to_yaml(&scenario).unwrap_or_default(),
    }
}

/// `?embed=1` inserted before the fragment of a link.
fn embed_url(link: &str) -> String {
    match link.split_once('#') {
        Some((base, fragment)) => format!("{base}?embed=1#{fragment}"),
        None => format!("{link}?embed=1"),
    }
}

fn snippet(link: &str) -> String {
    format!(
        "<iframe src=\"{}\" width=\"960\" height=\"540\" style=\"border:0\" title=\"Kubarium\" loading=\"lazy\"></iframe>",
        embed_url(link)
    )
}

/// Copies `text` to the clipboard (a page without clipboard access leaves the text selectable).
fn copy(text: &str) {
    let _ = gloo::utils::window().navigator().clipboard().write_text(text);
}

/// Offers `text` as a file named `name`.
fn download(name: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/yaml");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Ok(a) = gloo::utils::document().create_element("a")
        && let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>()
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Replaces the session with the scenario in `text` (an imported file); Err says why not.
fn import(sim: &SimHandle, ui: &UiHandle, text: &str) -> Result<(), String> {
    let scenario = file::from_yaml(text).map_err(|e| e.to_string())?;
    let booted = super::session::open(&scenario).map_err(|e| e.to_string())?;
    *sim.0.try_borrow_mut().map_err(|e| e.to_string())? = booted.sim;
    ui.dispatch(UiAction::OpenJourney(booted.root));
    ui.dispatch(UiAction::Refresh);
    Ok(())
}

#[function_component(ShareButton)]
pub fn share_button() -> Html {
    let Some((sim, ui)) = use_world() else { return Html::default() };
    let open = use_state(|| None::<Offer>);
    let import_error = use_state(|| None::<String>);
    // The file being read: dropping the reader would cancel it.
    let reading = use_mut_ref(|| None::<gloo::file::callbacks::FileReader>);
    let lang = ui.lang;
    let on_import = {
        let (sim, ui, open, import_error, reading) =
            (sim.clone(), ui.clone(), open.clone(), import_error.clone(), reading.clone());
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let Some(chosen) = input.files().and_then(|f| f.get(0)) else { return };
            let (sim, ui, open, import_error) = (sim.clone(), ui.clone(), open.clone(), import_error.clone());
            let task = gloo::file::callbacks::read_as_text(&gloo::file::File::from(chosen), move |text| {
                match text.map_err(|e| e.to_string()).and_then(|t| import(&sim, &ui, &t)) {
                    Ok(()) => {
                        import_error.set(None);
                        open.set(None);
                    }
                    Err(why) => import_error.set(Some(why)),
                }
            });
            *reading.borrow_mut() = Some(task);
        })
    };
    let toggle = {
        let (open, sim) = (open.clone(), sim.clone());
        Callback::from(move |_| open.set(if open.is_some() { None } else { Some(offer(&sim)) }))
    };
    let close = {
        let open = open.clone();
        Callback::from(move |_| open.set(None))
    };
    let onkeydown = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                open.set(None);
            }
        })
    };
    let dialog = open.as_ref().map(|o| {
        let yaml = o.yaml.clone();
        let save = Callback::from(move |_| download("kubarium-scenario.yaml", &yaml));
        let body = match &o.link {
            Ok(url) => {
                let (u, s) = (url.clone(), snippet(url));
                let (copy_link, copy_snippet) = {
                    let s2 = s.clone();
                    (Callback::from(move |_| copy(&u)), Callback::from(move |_| copy(&s2)))
                };
                html! {
                    <>
                        <label>{ t(lang, T::ShareLink) }
                            <input class="share-link" readonly=true value={url.clone()} aria-label={t(lang, T::ShareLink)} />
                        </label>
                        <button onclick={copy_link}>{ t(lang, T::Copy) }</button>
                        <label>{ t(lang, T::EmbedSnippet) }
                            <textarea class="share-embed" readonly=true rows="3" value={s} aria-label={t(lang, T::EmbedSnippet)} />
                        </label>
                        <button onclick={copy_snippet}>{ t(lang, T::Copy) }</button>
                    </>
                }
            }
            Err(why) => html! { <p class="share-too-long">{ format!("{} {why}", t(lang, T::TooLongForLink)) }</p> },
        };
        html! {
            <div class="share-dialog" role="dialog" aria-label={t(lang, T::Share)} {onkeydown}>
                { body }
                <label class="share-import">{ t(lang, T::ImportScenario) }
                    <input type="file" accept=".yaml,.yml,application/yaml" onchange={on_import.clone()}
                        aria-label={t(lang, T::ImportScenario)} />
                </label>
                if let Some(why) = import_error.as_ref() { <p class="share-too-long" role="alert">{ why }</p> }
                <div class="share-actions">
                    <button onclick={save}>{ t(lang, T::DownloadScenario) }</button>
                    <button class="primary" onclick={close.clone()}>{ t(lang, T::Close) }</button>
                </div>
            </div>
        }
    });
    html! {
        <div class="share">
            <button class="share-button" aria-expanded={open.is_some().to_string()} onclick={toggle}>{ t(lang, T::Share) }</button>
            { for dialog }
        </div>
    }
}

/// The embedded playground's bar: the name, and the full playground at the same session.
#[function_component(EmbedBar)]
pub fn embed_bar() -> Html {
    let Some((sim, ui)) = use_world() else { return Html::default() };
    let lang = ui.lang;
    let open_full = Callback::from(move |_| {
        if let Ok(url) = offer(&sim).link {
            let _ = gloo::utils::window().open_with_url_and_target(&url, "_blank");
        }
    });
    html! {
        <header class="topbar embed-bar">
            <div class="brand">
                <span class="logo" aria-hidden="true">{ "⎈" }</span>
                <span class="name">{ "Kubarium" }</span>
            </div>
            <button class="open-full" onclick={open_full}>{ t(lang, T::OpenInKubarium) }</button>
        </header>
    }
}
