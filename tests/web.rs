//! Browser tests: mount the real app in Chromium, type into the terminal as a person would, and read
//! the page. Run with `wasm-pack test --headless --chrome` (see the Makefile).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlTextAreaElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the app into a fresh element of its own and returns that element.
async fn mount() -> Element {
    let document = gloo::utils::document();
    let root = document.create_element("div").expect("a div");
    gloo::utils::body().append_child(&root).expect("appended");
    yew::Renderer::<kubarium::ui::App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

/// Types `line` into the terminal of `root` and presses Enter.
async fn type_line(root: &Element, line: &str) {
    let input: HtmlTextAreaElement = root
        .query_selector("[aria-label=Terminal]")
        .expect("a valid selector")
        .expect("the terminal input")
        .dyn_into()
        .expect("a textarea");
    input.set_value(line);
    let init = KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    let enter = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("an event");
    input.dispatch_event(&enter).expect("dispatched");
    yew::scheduler::flush().await;
}

#[wasm_bindgen_test]
async fn terminal_answers_kubectl_version() {
    let root = mount().await;
    type_line(&root, "kubectl version").await;
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("$ kubectl version"), "{text}");
    assert!(text.contains("Client Version: v1.36.3"), "{text}");
    assert!(text.contains("Kustomize Version: v5.8.1"), "{text}");
    assert!(text.contains("Server Version: v1.36.3"), "{text}");
}

#[wasm_bindgen_test]
async fn unknown_commands_show_on_stderr() {
    let root = mount().await;
    type_line(&root, "kubeclt get pods").await;
    let err = root.query_selector(".stderr").expect("a valid selector").expect("an stderr line");
    assert_eq!(err.text_content().unwrap_or_default(), "kubeclt: command not found");
}
