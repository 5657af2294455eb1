//! The architecture drawing (SVG): the control plane and the worker nodes, labelled with the names of
//! their components, with each current trace entry travelling as a message from sender to receiver
//! (requests, responses, watch notifications, etcd writes and runtime calls each drawn their own way)
//! and the components taking part lit up.

use yew::prelude::*;

use super::layout::{self, NodeBox, Positions, Rect};
use crate::sim::trace::{Component, Entry, EntryKind};
use crate::ui::i18n::{Lang, T, t};
use crate::ui::model::PodChip;

/// A drawn node: its name, whether it is Ready, whether its kubelet runs, and its pods.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawnNode {
    pub name: String,
    pub ready: bool,
    pub running: bool,
    pub pods: Vec<PodChip>,
}

/// Which control-plane binaries run (a stopped one is drawn greyed out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Running {
    pub scheduler: bool,
    pub controller_manager: bool,
    pub cloud_controller_manager: bool,
}

#[derive(Properties, PartialEq)]
pub struct DiagramProps {
    pub lang: Lang,
    pub nodes: Vec<DrawnNode>,
    pub running: Running,
    /// The entries in flight now.
    pub current: Vec<Entry>,
}

fn kind_class(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Request => "request",
        EntryKind::Response => "response",
        EntryKind::Stage => "stage",
        EntryKind::Storage => "storage",
        EntryKind::Watch => "watch",
        EntryKind::Decision => "decision",
    }
}

/// A component's box with its label; `active` lights it up.
fn component(r: &Rect, label: &str, sub: Option<&str>, class: &'static str, active: bool) -> Html {
    let (cx, cy) = r.center();
    let label_y = if sub.is_some() { cy - 3.0 } else { cy + 5.0 };
    // Only a stopped binary's sub-label starts with the stop sign (see `stopped`).
    let stopped = sub.is_some_and(|s| s.starts_with(STOP_SIGN));
    html! {
        <g class={classes!("component", class, active.then_some("active"), stopped.then_some("stopped"))}>
            <rect x={r.x.to_string()} y={r.y.to_string()} width={r.w.to_string()} height={r.h.to_string()} rx="8" />
            <text x={cx.to_string()} y={label_y.to_string()} text-anchor="middle">{ label }</text>
            if let Some(sub) = sub {
                <text class="sub" x={cx.to_string()} y={(cy + 13.0).to_string()} text-anchor="middle">{ sub }</text>
            }
        </g>
    }
}

const STOP_SIGN: char = '⏹';

/// The sub-label of a stopped binary, None while it runs.
fn stopped(lang: Lang, running: bool) -> Option<String> {
    (!running).then(|| format!("{STOP_SIGN} {}", t(lang, T::Stopped)))
}

/// The components an entry lights up, as the trace names them, for the drawing's `data-active`
/// (which the browser tests follow).
fn active_names(current: &[Entry]) -> String {
    let mut names: Vec<String> = Vec::new();
    for c in current.iter().flat_map(|e| [&e.from, &e.to]) {
        let name = c.to_string();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.join(" ")
}

/// A grey spoke between two components.
fn edge(a: (f64, f64), b: (f64, f64)) -> Html {
    html! { <line class="edge" x1={a.0.to_string()} y1={a.1.to_string()} x2={b.0.to_string()} y2={b.1.to_string()} /> }
}

fn node_drawing(lang: Lang, n: &DrawnNode, b: &NodeBox, active: &dyn Fn(&Component) -> bool, more: usize) -> Html {
    let f = &b.frame;
    if more > 0 {
        let (cx, cy) = f.center();
        return html! {
            <g class="node more">
                <rect class="frame" x={f.x.to_string()} y={f.y.to_string()} width={f.w.to_string()} height={f.h.to_string()} rx="12" />
                <text x={cx.to_string()} y={cy.to_string()} text-anchor="middle">{ format!("+{more} {}", t(lang, T::MoreNodes)) }</text>
            </g>
        };
    }
    let name: std::sync::Arc<str> = n.name.as_str().into();
    let per_row = ((b.pods.w / 18.0).floor() as usize).max(1);
    let max_dots = per_row * 3;
    html! {
        <g class={classes!("node", (!n.ready).then_some("not-ready"))}>
            <rect class="frame" x={f.x.to_string()} y={f.y.to_string()} width={f.w.to_string()} height={f.h.to_string()} rx="12" />
            <text class="node-title" x={(f.x + 10.0).to_string()} y={(f.y + 20.0).to_string()}>
                { format!("{} {} · {}", t(lang, T::WorkerNode), n.name, if n.ready { t(lang, T::Ready) } else { t(lang, T::NotReady) }) }
            </text>
            { edge(b.kubelet.center(), b.runtime.center()) }
            { component(&b.kubelet, "kubelet", stopped(lang, n.running).as_deref(), "kubelet", active(&Component::Kubelet(name.clone()))) }
            { component(&b.runtime, "containerd", Some(t(lang, T::ContainerRuntime)), "runtime", active(&Component::Runtime(name.clone()))) }
            { component(&b.proxy, "kube-proxy", None, "proxy", active(&Component::KubeProxy(name))) }
            { for n.pods.iter().take(max_dots).enumerate().map(|(i, p)| {
                let x = b.pods.x + 8.0 + (i % per_row) as f64 * 18.0;
                let y = b.pods.y + 8.0 + (i / per_row) as f64 * 18.0;
                html! {
                    <circle class={classes!("pod-dot", p.tone())} cx={x.to_string()} cy={y.to_string()} r="6">
                        <title>{ format!("{}/{}: {}", p.namespace, p.name, p.status) }</title>
                    </circle>
                }
            }) }
            if n.pods.len() > max_dots {
                <text class="sub" x={(b.pods.x + b.pods.w).to_string()} y={(b.pods.y + b.pods.h).to_string()} text-anchor="end">
                    { format!("+{}", n.pods.len() - max_dots) }
                </text>
            }
        </g>
    }
}

/// A message in flight, keyed by its `seq` so that each entry animates once.
fn message(e: &Entry, pos: &Positions) -> Html {
    let class = kind_class(e.kind);
    if e.from == e.to {
        let r = pos.rect(&e.from);
        return html! {
            <rect key={e.seq.to_string()} class={classes!("pulse", class)} x={(r.x - 4.0).to_string()} y={(r.y - 4.0).to_string()}
                width={(r.w + 8.0).to_string()} height={(r.h + 8.0).to_string()} rx="11" />
        };
    }
    let (a, b) = (pos.center(&e.from), pos.center(&e.to));
    let style = format!("--x1:{}px;--y1:{}px;--x2:{}px;--y2:{}px", a.0, a.1, b.0, b.1);
    let shape = match e.kind {
        EntryKind::Watch => html! { <rect x="-7" y="-7" width="14" height="14" transform="rotate(45)" /> },
        EntryKind::Storage => html! { <rect x="-6" y="-6" width="12" height="12" rx="2" /> },
        EntryKind::Response => html! { <circle r="7" class="hollow" /> },
        _ => html! { <circle r="7" /> },
    };
    html! {
        <g key={e.seq.to_string()} class={classes!("flight", class)}>
            <line class="trail" x1={a.0.to_string()} y1={a.1.to_string()} x2={b.0.to_string()} y2={b.1.to_string()} />
            <g class="msg" {style}>{ shape }</g>
        </g>
    }
}

/// The legend of message kinds.
fn legend(lang: Lang) -> Html {
    let items = [
        ("request", T::Request),
        ("response", T::Response),
        ("watch", T::WatchNote),
        ("storage", T::Storage),
        ("decision", T::Decision),
    ];
    html! {
        <g class="legend" transform={format!("translate(24, {})", layout::HEIGHT - 8.0)}>
            { for items.iter().enumerate().map(|(i, (class, label))| html! {
                <g class={classes!("legend-item", *class)} transform={format!("translate({}, 0)", i as f64 * 150.0)}>
                    <circle r="5" cx="0" cy="-4" />
                    <text x="10" y="0">{ t(lang, *label) }</text>
                </g>
            }) }
        </g>
    }
}

#[function_component(Diagram)]
pub fn diagram(props: &DiagramProps) -> Html {
    let lang = props.lang;
    let names: Vec<String> = props.nodes.iter().map(|n| n.name.clone()).collect();
    let boxes = layout::node_boxes(props.nodes.len());
    let pills = layout::controllers();
    let pos = Positions::new(&names, &boxes, &pills);
    let active = |c: &Component| props.current.iter().any(|e| &e.from == c || &e.to == c);
    let kcm_active = props
        .current
        .iter()
        .any(|e| matches!(e.from, Component::ControllerManager(_)) || matches!(e.to, Component::ControllerManager(_)));
    let hub = layout::API_SERVER.center();
    let cp = &layout::CONTROL_PLANE;
    let kcm = &layout::CONTROLLER_MANAGER;
    let spokes = [
        layout::KUBECTL.center(),
        layout::ETCD.center(),
        layout::SCHEDULER.center(),
        (kcm.x, kcm.y + kcm.h / 2.0),
        layout::CLOUD_CONTROLLER_MANAGER.center(),
        layout::COREDNS.center(),
    ];
    let running = props.running;
    let kcm_title = match stopped(lang, running.controller_manager) {
        Some(s) => format!("kube-controller-manager · {s}"),
        None => "kube-controller-manager".to_string(),
    };
    html! {
        <svg class="architecture" viewBox={format!("0 0 {} {}", layout::WIDTH, layout::HEIGHT)} role="img"
            aria-label={t(lang, T::Architecture)} preserveAspectRatio="xMidYMid meet" data-active={active_names(&props.current)}>
            <rect class="plane" x={cp.x.to_string()} y={cp.y.to_string()} width={cp.w.to_string()} height={cp.h.to_string()} rx="14" />
            <text class="plane-title" x={(cp.x + 14.0).to_string()} y={(cp.y + 22.0).to_string()}>{ t(lang, T::ControlPlane) }</text>
            { for spokes.iter().map(|s| edge(*s, hub)) }
            { for boxes.iter().map(|b| html! { <>{ edge(b.kubelet.center(), hub) }{ edge(b.proxy.center(), hub) }</> }) }
            { component(&layout::KUBECTL, "kubectl", None, "kubectl", active(&Component::Kubectl)) }
            { component(&layout::API_SERVER, "kube-apiserver", None, "apiserver", active(&Component::ApiServer)) }
            { component(&layout::ETCD, "etcd", None, "etcd", active(&Component::Etcd)) }
            { component(&layout::SCHEDULER, "kube-scheduler", stopped(lang, running.scheduler).as_deref(), "scheduler", active(&Component::Scheduler)) }
            { component(&layout::CLOUD_CONTROLLER_MANAGER, "cloud-controller-manager", stopped(lang, running.cloud_controller_manager).as_deref(), "ccm", active(&Component::CloudControllerManager)) }
            { component(&layout::COREDNS, "coredns", None, "coredns", active(&Component::CoreDns)) }
            <g class={classes!("component", "kcm", kcm_active.then_some("active"), (!running.controller_manager).then_some("stopped"))}>
                <rect x={kcm.x.to_string()} y={kcm.y.to_string()} width={kcm.w.to_string()} height={kcm.h.to_string()} rx="8" />
                <text x={(kcm.x + 14.0).to_string()} y={(kcm.y + 21.0).to_string()}>{ kcm_title }</text>
            </g>
            <g class={classes!("controllers", (!running.controller_manager).then_some("stopped"))}>
                { for layout::CONTROLLERS.iter().zip(pills.iter()).map(|(c, r)| {
                    component(r, c, None, "controller", active(&Component::ControllerManager(c)))
                }) }
            </g>
            { for props.nodes.iter().zip(boxes.iter()).enumerate().map(|(i, (n, b))| {
                let more = if i == layout::MAX_NODES && props.nodes.len() > layout::MAX_NODES + 1 { props.nodes.len() - layout::MAX_NODES } else { 0 };
                node_drawing(lang, n, b, &active, more)
            }) }
            { for props.current.iter().map(|e| message(e, &pos)) }
            { legend(lang) }
        </svg>
    }
}
