//! The resources panel: per namespace, workloads → ReplicaSets → Pods by owner references, with
//! counts; pods without a controller; Services → their endpoints. Every name selects its object.

use std::collections::BTreeMap;
use yew::prelude::*;

use super::i18n::{Lang, T, t};
use super::model::tone;
use super::state::{Selected, UiAction, UiHandle, use_world};
use crate::api::{Kind, Object};
use crate::apiserver::ApiServer;
use crate::kubectl::columns::pod_status;

/// The workload kinds whose objects head a tree.
const WORKLOADS: &[Kind] = &[Kind::Deployment, Kind::DaemonSet, Kind::StatefulSet, Kind::Job, Kind::CronJob];

/// A namespace's objects, grouped by the uid of their controlling owner.
struct Namespace<'a> {
    by_owner: BTreeMap<&'a str, Vec<&'a Object>>,
    roots: Vec<&'a Object>,
    loose_pods: Vec<&'a Object>,
}

fn controller_uid(o: &Object) -> Option<&str> {
    o.meta().owner_references.iter().flatten().find(|r| r.controller == Some(true)).map(|r| r.uid.as_str())
}

fn gather<'a>(api: &'a ApiServer, ns: &str) -> Namespace<'a> {
    let mut n = Namespace { by_owner: BTreeMap::new(), roots: Vec::new(), loose_pods: Vec::new() };
    for &kind in WORKLOADS.iter().chain([Kind::ReplicaSet, Kind::Pod].iter()) {
        for o in api.peek_list(kind, Some(ns)) {
            match controller_uid(o) {
                Some(uid) => n.by_owner.entry(uid).or_default().push(o),
                None if kind == Kind::Pod => n.loose_pods.push(o),
                None => n.roots.push(o),
            }
        }
    }
    n
}

fn item(ui: &UiHandle, o: &Object, extra: Html) -> Html {
    let target = Selected::new(o.kind(), o.namespace(), o.name());
    let is_selected = ui.selected.as_ref() == Some(&target);
    let ui = ui.clone();
    let onclick = Callback::from(move |_| ui.dispatch(UiAction::Select(Some(target.clone()))));
    html! {
        <button class={classes!("link", is_selected.then_some("selected"))} {onclick}>
            <span class="kind">{ o.kind().as_str() }</span>{ " " }{ o.name().to_string() }{ extra }
        </button>
    }
}

/// An object and, below it, what it controls.
fn tree(ui: &UiHandle, n: &Namespace, o: &Object, depth: usize) -> Html {
    let children = n.by_owner.get(o.uid()).map(Vec::as_slice).unwrap_or_default();
    let extra = match o {
        Object::Pod(p) => {
            let status = pod_status(p);
            html! { <span class={classes!("status", tone(&status))}>{ status }</span> }
        }
        _ if !children.is_empty() => html! { <span class="count">{ children.len() }</span> },
        _ => Html::default(),
    };
    html! {
        <li>
            { item(ui, o, extra) }
            if !children.is_empty() && depth < 4 {
                <ul>{ for children.iter().map(|c| tree(ui, n, c, depth + 1)) }</ul>
            }
        </li>
    }
}

fn services(lang: Lang, ui: &UiHandle, api: &ApiServer, ns: &str) -> Html {
    let services = api.peek_list(Kind::Service, Some(ns));
    if services.is_empty() {
        return Html::default();
    }
    html! {
        <>
            <h4>{ t(lang, T::Services) }</h4>
            <ul>
                { for services.iter().map(|svc| {
                    let endpoints = match api.peek(Kind::Endpoints, Some(ns), svc.name()) {
                        Some(Object::Endpoints(e)) => e.subsets.iter().flatten().map(|s| s.addresses.as_ref().map_or(0, Vec::len)).sum(),
                        _ => 0,
                    };
                    item(ui, svc, html! { <span class="count">{ format!("{endpoints} {}", t(lang, T::Endpoints)) }</span> })
                }).map(|b| html! { <li>{ b }</li> }) }
            </ul>
        </>
    }
}

#[function_component(Resources)]
pub fn resources() -> Html {
    let Some((sim, ui)) = use_world() else { return Html::default() };
    let lang = ui.lang;
    let s = sim.0.borrow();
    let api = s.cluster().api();
    let namespaces = api.peek_list(Kind::Namespace, None);
    html! {
        <div class="resources">
            <h3>{ t(lang, T::Namespaces) }</h3>
            { for namespaces.iter().map(|ns| {
                let name = ns.name();
                let n = gather(api, name);
                let pods = api.peek_list(Kind::Pod, Some(name)).len();
                html! {
                    <details class="namespace" open={name == "default"}>
                        <summary>{ name.to_string() }<span class="count">{ format!("{pods} {}", t(lang, T::Pods)) }</span></summary>
                        if !n.roots.is_empty() {
                            <h4>{ t(lang, T::Workloads) }</h4>
                            <ul class="tree">{ for n.roots.iter().map(|o| tree(&ui, &n, o, 0)) }</ul>
                        }
                        if !n.loose_pods.is_empty() {
                            <h4>{ t(lang, T::StandalonePods) }</h4>
                            <ul class="tree">{ for n.loose_pods.iter().map(|o| tree(&ui, &n, o, 0)) }</ul>
                        }
                        { services(lang, &ui, api, name) }
                    </details>
                }
            }) }
        </div>
    }
}
