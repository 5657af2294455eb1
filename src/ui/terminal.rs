//! The terminal panel: a prompt whose input (accessible name "Terminal") takes a line or a multi-line
//! paste (here-documents included), runs it through the shared shell and opens the command's journey;
//! Up and Down walk the history, Tab completes (src/terminal/complete.rs), stderr has its own colour,
//! and the screen keeps a scroll-back. The screen is redrawn only when it changed.

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::state::{LineKind, SimHandle, UiAction, use_world};
use crate::terminal::complete::complete;

#[derive(Properties, PartialEq)]
struct ScreenProps {
    generation: u64,
}

/// The lines on the screen; `generation` moves when they changed.
#[function_component(Screen)]
fn screen(props: &ScreenProps) -> Html {
    let Some(sim) = use_context::<SimHandle>() else { return Html::default() };
    let scroll = use_node_ref();
    {
        let scroll = scroll.clone();
        use_effect_with(props.generation, move |_| {
            if let Some(el) = scroll.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let s = sim.0.borrow();
    html! {
        <div class="terminal-screen" ref={scroll} role="log" aria-live="polite">
            { for s.screen.iter().map(|l| {
                let class = match l.kind {
                    LineKind::Command => "line command",
                    LineKind::Stdout => "line stdout",
                    LineKind::Stderr => "line stderr",
                    LineKind::Hint => "line hint",
                };
                html! { <pre class={class}>{ &l.text }</pre> }
            }) }
        </div>
    }
}

#[function_component(Terminal)]
pub fn terminal() -> Html {
    let Some((sim, ui)) = use_world() else { return Html::default() };
    let input = use_node_ref();
    let cursor = use_mut_ref(|| None::<usize>);

    let onkeydown = {
        let (sim, input) = (sim.clone(), input.clone());
        let dispatcher = ui.dispatcher();
        Callback::from(move |e: KeyboardEvent| {
            let Some(area) = input.cast::<HtmlTextAreaElement>() else { return };
            let Ok(mut s) = sim.0.try_borrow_mut() else { return };
            match e.key().as_str() {
                "Enter" if !e.shift_key() => {
                    e.prevent_default();
                    let text = area.value();
                    area.set_value("");
                    *cursor.borrow_mut() = None;
                    let root = s.run(&text);
                    drop(s);
                    if root.is_some() {
                        dispatcher.dispatch(UiAction::OpenJourney(root));
                    }
                    dispatcher.dispatch(UiAction::Refresh);
                }
                "Tab" => {
                    e.prevent_default();
                    let value = area.value();
                    let at = area.selection_start().ok().flatten().map_or(value.len(), |c| c as usize);
                    // The selection is in UTF-16 units; past any non-ASCII text, complete at the end.
                    let at = if value.is_ascii() { at.min(value.len()) } else { value.len() };
                    let (head, tail) = value.split_at(at);
                    let line_start = head.rfind('\n').map_or(0, |i| i + 1);
                    let completion = complete(&head[line_start..], s.cluster());
                    match completion.apply(&head[line_start..]) {
                        Some(line) => {
                            area.set_value(&format!("{}{line}{tail}", &head[..line_start]));
                            let end = (line_start + line.len()) as u32;
                            let _ = area.set_selection_range(end, end);
                        }
                        None if completion.candidates.len() > 1 => {
                            s.hint(&completion.candidates);
                            drop(s);
                            dispatcher.dispatch(UiAction::Refresh);
                        }
                        None => {}
                    }
                }
                "ArrowUp" | "ArrowDown" if !area.value().contains('\n') => {
                    e.prevent_default();
                    let history = s.shell.history();
                    let Some(last) = history.len().checked_sub(1) else { return };
                    let mut c = cursor.borrow_mut();
                    *c = match (e.key().as_str(), *c) {
                        ("ArrowUp", None) => Some(last),
                        ("ArrowUp", Some(i)) => Some(i.saturating_sub(1)),
                        ("ArrowDown", Some(i)) if i < last => Some(i + 1),
                        _ => None,
                    };
                    area.set_value(c.and_then(|i| history.get(i)).map_or("", String::as_str));
                }
                _ => {}
            }
        })
    };

    let focus = {
        let input = input.clone();
        Callback::from(move |_: MouseEvent| {
            // A click that selects text (to copy it) must not steal the selection.
            let selecting = gloo::utils::window().get_selection().ok().flatten().is_some_and(|s| !s.is_collapsed());
            if let Some(area) = input.cast::<web_sys::HtmlElement>()
                && !selecting
            {
                let _ = area.focus();
            }
        })
    };

    let generation = sim.0.borrow().screen_generation;
    html! {
        <section class="terminal" onclick={focus}>
            <Screen {generation} />
            <div class="terminal-input">
                <span class="prompt" aria-hidden="true">{ "$" }</span>
                <textarea ref={input} rows="1" aria-label="Terminal" spellcheck="false"
                    autocomplete="off" autofocus=true {onkeydown}
                    placeholder="kubectl create deployment web --image=nginx --replicas=2" />
            </div>
        </section>
    }
}
