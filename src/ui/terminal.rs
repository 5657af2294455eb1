//! The terminal panel: a prompt whose input (accessible name "Terminal") takes a line or a multi-line
//! paste, runs it through the shared shell, and shows what it printed; Up and Down walk the history.

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::app::ShellHandle;
use crate::kubectl::Stream;
use crate::terminal::split_script;

/// What the screen shows before the first command.
const WELCOME: &str = "Welcome to Kubarium: a simulated Kubernetes v1.36 cluster in this tab.\nType `help` for what this shell understands, or try `kubectl version`.";

/// One line on the screen.
#[derive(Clone, PartialEq)]
enum LineKind {
    Command,
    Stdout,
    Stderr,
}

#[derive(Clone, PartialEq)]
struct ScreenLine {
    kind: LineKind,
    text: String,
}

/// The screen's state: what is shown, and where the history cursor is.
#[derive(Clone, PartialEq, Default)]
struct Screen {
    lines: Vec<ScreenLine>,
    history_cursor: Option<usize>,
}

enum ScreenAction {
    Append(Vec<ScreenLine>),
    Clear,
    SetCursor(Option<usize>),
}

impl Reducible for Screen {
    type Action = ScreenAction;

    fn reduce(self: std::rc::Rc<Self>, action: ScreenAction) -> std::rc::Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ScreenAction::Append(lines) => {
                next.lines.extend(lines);
                next.history_cursor = None;
            }
            ScreenAction::Clear => {
                next.lines.clear();
                next.history_cursor = None;
            }
            ScreenAction::SetCursor(c) => next.history_cursor = c,
        }
        next.into()
    }
}

fn text_lines(kind: LineKind, text: &str, into: &mut Vec<ScreenLine>) {
    let text = text.strip_suffix('\n').unwrap_or(text);
    for line in text.split('\n') {
        into.push(ScreenLine { kind: kind.clone(), text: line.to_string() });
    }
}

#[function_component(Terminal)]
pub fn terminal() -> Html {
    let shell = use_context::<ShellHandle>();
    let screen = use_reducer(|| Screen {
        lines: WELCOME.lines().map(|text| ScreenLine { kind: LineKind::Stdout, text: text.to_string() }).collect(),
        history_cursor: None,
    });
    let input = use_node_ref();
    let scroll = use_node_ref();

    {
        let scroll = scroll.clone();
        use_effect_with(screen.lines.len(), move |_| {
            if let Some(el) = scroll.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    let onkeydown = {
        let screen = screen.clone();
        let input = input.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(shell) = shell.as_ref() else { return };
            let Some(area) = input.cast::<HtmlTextAreaElement>() else { return };
            match e.key().as_str() {
                "Enter" if !e.shift_key() => {
                    e.prevent_default();
                    let text = area.value();
                    area.set_value("");
                    let mut shown = Vec::new();
                    let mut cleared = false;
                    let commands = split_script(&text);
                    if commands.is_empty() {
                        shown.push(ScreenLine { kind: LineKind::Command, text: text.clone() });
                    }
                    for command in commands {
                        for (i, line) in command.lines.iter().enumerate() {
                            let prompt = if i == 0 { "$ " } else { "> " };
                            shown.push(ScreenLine { kind: LineKind::Command, text: format!("{prompt}{line}") });
                        }
                        let result = shell.0.borrow_mut().run(&command);
                        if result.clear {
                            cleared = true;
                            shown.clear();
                        }
                        for (stream, chunk) in &result.output.chunks {
                            let kind = match stream {
                                Stream::Stdout => LineKind::Stdout,
                                Stream::Stderr => LineKind::Stderr,
                            };
                            text_lines(kind, chunk, &mut shown);
                        }
                    }
                    if cleared {
                        screen.dispatch(ScreenAction::Clear);
                    }
                    screen.dispatch(ScreenAction::Append(shown));
                }
                "ArrowUp" | "ArrowDown" if !area.value().contains('\n') => {
                    e.prevent_default();
                    let history = shell.0.borrow().history().to_vec();
                    if history.is_empty() {
                        return;
                    }
                    let cursor = match (e.key().as_str(), screen.history_cursor) {
                        ("ArrowUp", None) => Some(history.len() - 1),
                        ("ArrowUp", Some(c)) => Some(c.saturating_sub(1)),
                        ("ArrowDown", Some(c)) if c + 1 < history.len() => Some(c + 1),
                        _ => None,
                    };
                    area.set_value(cursor.map(|c| history[c].as_str()).unwrap_or(""));
                    screen.dispatch(ScreenAction::SetCursor(cursor));
                }
                _ => {}
            }
        })
    };

    let focus = {
        let input = input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(area) = input.cast::<web_sys::HtmlElement>() {
                let _ = area.focus();
            }
        })
    };

    html! {
        <section class="terminal" onclick={focus}>
            <div class="terminal-screen" ref={scroll} role="log" aria-live="polite">
                { for screen.lines.iter().map(|l| {
                    let class = match l.kind {
                        LineKind::Command => "line command",
                        LineKind::Stdout => "line stdout",
                        LineKind::Stderr => "line stderr",
                    };
                    html! { <pre class={class}>{ &l.text }</pre> }
                }) }
            </div>
            <div class="terminal-input">
                <span class="prompt" aria-hidden="true">{ "$" }</span>
                <textarea ref={input} rows="1" aria-label="Terminal" spellcheck="false"
                    autocomplete="off" autofocus=true {onkeydown}
                    placeholder="kubectl version" />
            </div>
        </section>
    }
}
