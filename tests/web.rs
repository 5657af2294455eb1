//! Browser tests: mount the real app in Chromium, type into the terminal as a person would, and read
//! the page. Run with `wasm-pack test --headless --chrome` (see the Makefile).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlTextAreaElement, KeyboardEvent, KeyboardEventInit};

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

/// The first element under `root` matching `selector`.
fn find(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).expect("a valid selector")
}

/// Every element under `root` matching `selector`.
fn find_all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).expect("a valid selector");
    (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.dyn_into::<Element>().ok()).collect()
}

/// Clicks the element under `root` matching `selector`.
async fn click(root: &Element, selector: &str) {
    let el: HtmlElement =
        find(root, selector).unwrap_or_else(|| panic!("no {selector}")).dyn_into().expect("an html element");
    el.click();
    yew::scheduler::flush().await;
}

/// Clicks the button whose accessible name is `name`.
async fn press(root: &Element, name: &str) {
    click(root, &format!("button[aria-label=\"{name}\"]")).await;
}

/// Clicks the tab labelled `label`.
async fn open_tab(root: &Element, label: &str) {
    let tab = find_all(root, "[role=tab]")
        .into_iter()
        .find(|t| t.text_content().as_deref() == Some(label))
        .unwrap_or_else(|| panic!("no tab {label}"));
    tab.dyn_into::<HtmlElement>().expect("a button").click();
    yew::scheduler::flush().await;
}

#[wasm_bindgen_test]
async fn a_deployment_reaches_running_pods_in_the_cluster_view_and_the_inspector_shows_yaml() {
    let root = mount().await;
    // English, whatever the browser's language or an earlier test chose.
    click(&root, "button[lang=en]").await;
    type_line(&root, "kubectl create deployment web --image=nginx --replicas=2").await;
    // The command's journey opens in the architecture view, narrated step by step.
    let captions = find(&root, ".captions").expect("the caption panel").text_content().unwrap_or_default();
    assert!(captions.contains("kubectl sends a create request for Deployment default/web"), "{captions}");
    open_tab(&root, "Cluster").await;
    for _ in 0..6 {
        press(&root, "+10 s").await;
    }
    let running: Vec<String> =
        find_all(&root, "[aria-label^=\"pod web-\"]").iter().filter_map(|e| e.get_attribute("aria-label")).collect();
    assert_eq!(running.len(), 2, "{running:?}");
    assert!(running.iter().all(|l| l.ends_with(": Running")), "{running:?}");
    // Clicking a pod opens the inspector with its YAML.
    click(&root, "[aria-label^=\"pod web-\"]").await;
    let yaml = find(&root, ".inspector pre.yaml").expect("the pod's YAML").text_content().unwrap_or_default();
    assert!(yaml.contains("kind: Pod"), "{yaml}");
    assert!(yaml.contains("image: nginx"), "{yaml}");
    let explanation =
        find(&root, ".inspector pre.explain").expect("the scheduler's explanation").text_content().unwrap_or_default();
    assert!(explanation.contains("Chosen: node-0"), "{explanation}");
}

#[wasm_bindgen_test]
async fn the_language_switch_translates_labels_and_captions() {
    let root = mount().await;
    type_line(&root, "kubectl create deployment web --image=nginx").await;
    click(&root, "button[lang=zh-CN]").await;
    let tabs: Vec<String> = find_all(&root, "[role=tab]").iter().filter_map(|t| t.text_content()).collect();
    assert_eq!(tabs, ["架构", "集群", "资源"]);
    let captions = find(&root, ".captions").expect("the caption panel").text_content().unwrap_or_default();
    assert!(captions.contains("kubectl 向 api-server 发送 create 请求"), "{captions}");
    assert_eq!(
        gloo::utils::document().document_element().and_then(|e| e.get_attribute("lang")).as_deref(),
        Some("zh-CN")
    );
    click(&root, "button[lang=en]").await;
    let tabs: Vec<String> = find_all(&root, "[role=tab]").iter().filter_map(|t| t.text_content()).collect();
    assert_eq!(tabs, ["Architecture", "Cluster", "Resources"]);
}

#[wasm_bindgen_test]
async fn pause_stops_the_clock_and_tab_completes() {
    let root = mount().await;
    press(&root, "Pause").await;
    let clock = || find(&root, ".clock").and_then(|c| c.text_content()).unwrap_or_default();
    let before = clock();
    yew::platform::time::sleep(std::time::Duration::from_millis(400)).await;
    yew::scheduler::flush().await;
    assert_eq!(clock(), before);
    press(&root, "+1 s").await;
    assert_ne!(clock(), before);
    let input: HtmlTextAreaElement =
        find(&root, "[aria-label=Terminal]").expect("the input").dyn_into().expect("a textarea");
    input.set_value("kubectl get deploym");
    let init = KeyboardEventInit::new();
    init.set_key("Tab");
    init.set_bubbles(true);
    let tab = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("an event");
    input.dispatch_event(&tab).expect("dispatched");
    assert_eq!(input.value(), "kubectl get deployments ");
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

#[wasm_bindgen_test]
fn every_lesson_passes_its_checks_step_by_step_in_the_browser() {
    let lessons = kubarium::scenario::lesson::all();
    assert_eq!(lessons.len(), 10);
    for lesson in lessons {
        kubarium::scenario::lesson::verify(lesson).unwrap_or_else(|e| panic!("lesson {}: {e}", lesson.id));
    }
}

#[wasm_bindgen_test]
async fn a_lesson_step_turns_done_after_its_solution_runs_in_the_terminal() {
    if let Some(storage) = gloo::utils::window().local_storage().ok().flatten() {
        let _ = storage.clear();
    }
    let root = mount().await;
    click(&root, "button[lang=en]").await;
    click(&root, ".lessons-toggle").await;
    let first = find_all(&root, ".lesson-list button");
    assert_eq!(first.len(), 10);
    first[0].clone().dyn_into::<HtmlElement>().expect("a button").click();
    yew::scheduler::flush().await;
    let status = || find(&root, ".lesson-check").and_then(|e| e.text_content()).unwrap_or_default();
    assert!(status().starts_with("Not yet"), "{}", status());
    let solution = find_all(&root, ".lesson-actions button")
        .into_iter()
        .find(|b| b.text_content().as_deref() == Some("Solution"))
        .expect("a Solution button");
    solution.dyn_into::<HtmlElement>().expect("a button").click();
    yew::scheduler::flush().await;
    click(&root, ".lesson-solution button").await;
    assert!(status().starts_with("✓ Done"), "{}", status());
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("$ kubarium component stop kube-scheduler"), "the solution ran in the terminal");
}
