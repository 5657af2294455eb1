//! The caption panel: numbered steps narrated in the chosen language, with journey mode's controls
//! (which command, previous / play / next) above them. The current step is highlighted and kept in view.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::sim::trace::Entry;
use crate::ui::captions::{caption, clock};
use crate::ui::i18n::{Lang, T, t};
use crate::ui::state::{Journey, UiAction, UiHandle};

#[derive(Properties, PartialEq)]
pub struct NarrationProps {
    pub lang: Lang,
    pub journey: Journey,
    /// Commands that have a journey: (root, command line), oldest first.
    pub commands: Vec<(u64, String)>,
    /// The steps listed: the journey's, or the live entries.
    pub steps: Vec<Entry>,
}

const LIVE: &str = "live";
/// Upcoming steps listed after the current one. A large command's chain reaches its 400 steps
/// within a few ticks; listing them all at once held the page for a long frame, while a journey
/// only ever moves one step at a time.
const AHEAD: usize = 20;

#[function_component(Narration)]
pub fn narration(props: &NarrationProps) -> Html {
    let Some(ui) = use_context::<UiHandle>() else { return Html::default() };
    let lang = props.lang;
    let list = use_node_ref();
    let journey = props.journey;
    let len = props.steps.len();
    {
        let list = list.clone();
        use_effect_with((journey.step, journey.root), move |_| {
            let Some(list) = list.cast::<web_sys::HtmlElement>() else { return };
            if let Ok(Some(current)) = list.query_selector(".current")
                && let Ok(current) = current.dyn_into::<web_sys::HtmlElement>()
            {
                list.set_scroll_top(current.offset_top() - list.client_height() / 2);
            }
        });
    }
    let choose = {
        let ui = ui.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            ui.dispatch(UiAction::OpenJourney(select.value().parse().ok()));
        })
    };
    let mover = |delta: isize| {
        let ui = ui.clone();
        Callback::from(move |_| {
            ui.dispatch(UiAction::PlayJourney(false));
            ui.dispatch(UiAction::MoveJourney { delta, len });
        })
    };
    let toggle = {
        let ui = ui.clone();
        let restart = journey.step + 1 >= len;
        Callback::from(move |_| {
            if !journey.playing && restart {
                ui.dispatch(UiAction::OpenJourney(journey.root));
            } else {
                ui.dispatch(UiAction::PlayJourney(!journey.playing));
            }
        })
    };
    let in_journey = journey.root.is_some();
    let play_label = if journey.playing { t(lang, T::Pause) } else { t(lang, T::PlayJourney) };
    html! {
        <section class="narration" aria-label={t(lang, T::Captions)}>
            <div class="narration-bar">
                <label class="journey-pick">
                    <span>{ t(lang, T::Journey) }</span>
                    <select onchange={choose} aria-label={t(lang, T::JourneyOf)}>
                        <option value={LIVE} selected={!in_journey}>{ t(lang, T::Live) }</option>
                        { for props.commands.iter().rev().map(|(root, line)| html! {
                            <option value={root.to_string()} selected={journey.root == Some(*root)}>{ format!("$ {line}") }</option>
                        }) }
                    </select>
                </label>
                if in_journey {
                    <div class="journey-controls" role="group" aria-label={t(lang, T::Journey)}>
                        <button class="icon" aria-label={t(lang, T::Previous)} title={t(lang, T::Previous)}
                            disabled={journey.step == 0} onclick={mover(-1)}>{ "◀" }</button>
                        <button class="icon" aria-label={play_label} title={play_label} onclick={toggle}>
                            { if journey.playing { "❚❚" } else { "▶" } }
                        </button>
                        <button class="icon" aria-label={t(lang, T::Next)} title={t(lang, T::Next)}
                            disabled={journey.step + 1 >= len} onclick={mover(1)}>{ "▶▏" }</button>
                        <span class="step-count">{ format!("{} {} / {}", t(lang, T::Step), (journey.step + 1).min(len), len) }</span>
                    </div>
                }
            </div>
            <ol class="captions" ref={list}>
                if props.steps.is_empty() {
                    <li class="empty">{ t(lang, T::NoJourney) }</li>
                }
                { for props.steps.iter().take(if in_journey { journey.step + 1 + AHEAD } else { len }).enumerate().map(|(i, e)| {
                    let current = in_journey && i == journey.step;
                    let past = in_journey && i > journey.step;
                    html! {
                        <li key={e.seq.to_string()} class={classes!(current.then_some("current"), past.then_some("later"))}
                            aria-current={current.then_some("step")}>
                            <span class="num">{ i + 1 }</span>
                            <span class="t">{ clock(e.t.as_millis()) }</span>
                            <span class="text">{ caption(lang, e) }</span>
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}
