//! The cluster view: each node as a card (status, taints, cordon, CPU and memory requested against
//! allocatable) holding its pods as chips coloured by kubectl's STATUS, whose accessible name is
//! `pod <name>: <STATUS>`; pods not yet scheduled wait in their own row. Past `CARD_LIMIT` nodes the
//! view becomes a compact heat map of pods per node.

use yew::prelude::*;

use super::i18n::{Lang, T, t};
use super::model::{self, HeatCell, NodeCard, PodChip, bytes, cores, percent};
use super::node_actions::{AddNode, NodeActions};
use super::state::{Selected, UiAction, UiHandle, use_world};
use crate::api::Kind;

/// Up to this many nodes are drawn as cards.
const CARD_LIMIT: usize = 50;

fn select(ui: &UiHandle, kind: Kind, namespace: Option<&str>, name: &str) -> Callback<MouseEvent> {
    let (ui, s) = (ui.clone(), Selected::new(kind, namespace, name));
    Callback::from(move |_| ui.dispatch(UiAction::Select(Some(s.clone()))))
}

pub fn pod_chip(ui: &UiHandle, p: &PodChip) -> Html {
    let selected = ui
        .selected
        .as_ref()
        .is_some_and(|s| s.kind == Kind::Pod && s.name == p.name && s.namespace.as_deref() == Some(&p.namespace));
    html! {
        <button key={format!("{}/{}", p.namespace, p.name)}
            class={classes!("pod-chip", p.tone(), (p.namespace == "kube-system").then_some("system"), selected.then_some("selected"))}
            aria-label={format!("pod {}: {}", p.name, p.status)} title={format!("{}/{}", p.namespace, p.name)}
            onclick={select(ui, Kind::Pod, Some(&p.namespace), &p.name)}>
            <span class="pod-name">{ &p.name }</span>
            <span class="pod-status">{ &p.status }</span>
        </button>
    }
}

fn bar(label: &str, used: String, total: String, pct: f64) -> Html {
    html! {
        <div class="bar">
            <span class="bar-label">{ label }</span>
            <span class="bar-track" role="meter" aria-label={label.to_string()} aria-valuemin="0" aria-valuemax="100"
                aria-valuenow={format!("{pct:.0}")}>
                <span class={classes!("bar-fill", (pct > 85.0).then_some("high"))} style={format!("width:{pct:.1}%")}></span>
            </span>
            <span class="bar-value">{ format!("{used} / {total}") }</span>
        </div>
    }
}

/// A node's card; `running` tells whether its kubelet runs.
fn node_card(lang: Lang, ui: &UiHandle, n: &NodeCard, running: bool) -> Html {
    html! {
        <article key={n.name.clone()} class={classes!("node-card", (!n.ready).then_some("not-ready"), n.cordoned.then_some("cordoned"))}>
            <header>
                <button class="node-name" onclick={select(ui, Kind::Node, None, &n.name)} aria-label={format!("node {}: {}", n.name, n.status)}>
                    { &n.name }
                </button>
                <span class={classes!("node-status", if n.ready { "ok" } else { "bad" })}>
                    { if n.ready { t(lang, T::Ready) } else { t(lang, T::NotReady) } }
                </span>
                if n.cordoned { <span class="badge warn">{ t(lang, T::Cordoned) }</span> }
                if !running { <span class="badge bad">{ t(lang, T::KubeletStopped) }</span> }
                <span class="pod-count">{ format!("{} {}", n.pods.len(), t(lang, T::Pods)) }</span>
            </header>
            { bar(t(lang, T::Cpu), cores(n.cpu_requested_m), cores(n.cpu_allocatable_m), percent(n.cpu_requested_m, n.cpu_allocatable_m)) }
            { bar(t(lang, T::Memory), bytes(n.memory_requested), bytes(n.memory_allocatable), percent(n.memory_requested, n.memory_allocatable)) }
            if !n.taints.is_empty() {
                <div class="taints">
                    <span class="bar-label">{ t(lang, T::Taints) }</span>
                    { for n.taints.iter().map(|taint| html! { <code class="taint">{ taint }</code> }) }
                </div>
            }
            <div class="pods">{ for n.pods.iter().map(|p| pod_chip(ui, p)) }</div>
            <NodeActions node={n.name.clone()} cordoned={n.cordoned} {running} />
        </article>
    }
}

fn heat_map(lang: Lang, ui: &UiHandle, cells: &[HeatCell]) -> Html {
    html! {
        <section class="heat-map" aria-label={t(lang, T::HeatMap)}>
            <h3>{ format!("{} · {} {}", t(lang, T::HeatMap), cells.len(), t(lang, T::Nodes)) }</h3>
            <div class="heat-grid">
                { for cells.iter().map(|c| {
                    let level = (c.pods * 5).div_ceil(c.capacity).min(5);
                    html! {
                        <button class={classes!("heat", format!("l{level}"), (!c.ready).then_some("not-ready"))}
                            title={format!("{}: {} / {}", c.name, c.pods, c.capacity)}
                            aria-label={format!("node {}: {} {}", c.name, c.pods, t(lang, T::Pods))}
                            onclick={select(ui, Kind::Node, None, &c.name)}></button>
                    }
                }) }
            </div>
        </section>
    }
}

#[function_component(ClusterView)]
pub fn cluster_view() -> Html {
    let Some((sim, ui)) = use_world() else { return Html::default() };
    let lang = ui.lang;
    let s = sim.0.borrow();
    let api = s.cluster().api();
    let count = api.peek_list(Kind::Node, None).len();
    if count > CARD_LIMIT {
        return heat_map(lang, &ui, &model::heat_cells(api));
    }
    let cards: Vec<(NodeCard, bool)> = model::node_cards(api, CARD_LIMIT)
        .into_iter()
        .map(|c| {
            let running = s.cluster().node_running(&c.name);
            (c, running)
        })
        .collect();
    let pending = model::unscheduled(api);
    html! {
        <div class="cluster-view">
            <div class="view-actions"><AddNode /></div>
            if !pending.is_empty() {
                <section class="unscheduled">
                    <h3>{ t(lang, T::Unscheduled) }</h3>
                    <div class="pods">{ for pending.iter().map(|p| pod_chip(&ui, p)) }</div>
                </section>
            }
            <div class="node-grid">{ for cards.iter().map(|(n, running)| node_card(lang, &ui, n, *running)) }</div>
        </div>
    }
}
