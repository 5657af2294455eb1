//! The actions on a node (cordon or uncordon, stop or start its kubelet, remove it) and "add node".
//! Each button issues the command a person would type (`kubectl cordon node-01`, `kubarium node stop
//! node-02`, `kubarium node add node-04`), so it shows in the terminal and in the history that share
//! links replay.

use yew::prelude::*;

use super::i18n::{Lang, T, t};
use super::state::{SimHandle, UiHandle, issue_on_click, use_world};
use crate::api::Kind;
use crate::apiserver::ApiServer;

#[derive(Properties, PartialEq)]
pub struct NodeActionsProps {
    pub node: String,
    pub cordoned: bool,
    /// Whether its kubelet runs.
    pub running: bool,
}

/// A small button issuing `line`; its accessible name says which node it acts on.
fn action(sim: &SimHandle, ui: &UiHandle, lang: Lang, label: T, node: &str, line: String) -> Html {
    let name = format!("{} {node}", t(lang, label));
    html! {
        <button class="small" aria-label={name.clone()} title={line.clone()} onclick={issue_on_click(sim, ui, line)}>
            { t(lang, label) }
        </button>
    }
}

#[function_component(NodeActions)]
pub fn node_actions(props: &NodeActionsProps) -> Html {
    let Some((sim, ui)) = use_world() else { return Html::default() };
    let (lang, node) = (ui.lang, props.node.as_str());
    let (cordon, cordon_line) =
        if props.cordoned { (T::Uncordon, "kubectl uncordon") } else { (T::Cordon, "kubectl cordon") };
    let (kubelet, kubelet_line) =
        if props.running { (T::StopKubelet, "kubarium node stop") } else { (T::StartKubelet, "kubarium node start") };
    html! {
        <div class="node-actions" role="group" aria-label={format!("{} {node}", t(lang, T::NodeActions))}>
            { action(&sim, &ui, lang, cordon, node, format!("{cordon_line} {node}")) }
            { action(&sim, &ui, lang, kubelet, node, format!("{kubelet_line} {node}")) }
            { action(&sim, &ui, lang, T::RemoveNode, node, format!("kubarium node remove {node}")) }
        </div>
    }
}

/// The first `node-NN` name no node has.
fn free_node_name(api: &ApiServer) -> String {
    (1..=9_999u32)
        .map(|n| format!("node-{n:02}"))
        .find(|name| api.peek(Kind::Node, None, name).is_none())
        .unwrap_or_else(|| "node-new".to_string())
}

/// "Add node": `kubarium node add` with the next free `node-NN` name.
#[function_component(AddNode)]
pub fn add_node() -> Html {
    let Some((sim, ui)) = use_world() else { return Html::default() };
    let line = format!("kubarium node add {}", free_node_name(sim.0.borrow().cluster().api()));
    let label = t(ui.lang, T::AddNode);
    html! {
        <button class="add-node" aria-label={label} title={line.clone()} onclick={issue_on_click(&sim, &ui, line)}>
            { format!("+ {label}") }
        </button>
    }
}
