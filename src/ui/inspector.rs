//! The inspector: the selected object's YAML (to read, or to edit and apply: kubectl has no `apply` in
//! this build yet, so the edit goes to the api-server as kubectl's update would, under the admin's
//! identity), its events, its owner and dependents, and for a pod the scheduler's explanation.

use yew::prelude::*;

use super::i18n::{Lang, T, t};
use super::state::{Selected, SimHandle, UiAction, UiHandle, use_world};
use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, Identity, WriteOptions};
use crate::kubectl::printers::yaml::to_yaml;

/// Kinds whose objects can be another object's dependents, searched in the object's namespace.
const DEPENDENT_KINDS: &[Kind] = &[
    Kind::Deployment,
    Kind::ReplicaSet,
    Kind::DaemonSet,
    Kind::StatefulSet,
    Kind::Job,
    Kind::Pod,
    Kind::EndpointSlice,
];

fn peek(api: &ApiServer, s: &Selected) -> Option<Object> {
    api.peek(s.kind, s.namespace.as_deref(), &s.name)
}

/// Parses `text` as the new version of `s` and writes it; the error says which line is wrong.
fn apply(sim: &SimHandle, s: &Selected, text: &str) -> Result<(), String> {
    let value: serde_json::Value = serde_norway::from_str(text).map_err(|e| match e.location() {
        Some(at) => format!("line {}: {e}", at.line()),
        None => e.to_string(),
    })?;
    let obj = Object::from_value(s.kind, value).map_err(|e| format!("line {}: {e}", e.line()))?;
    let mut sim = sim.0.try_borrow_mut().map_err(|e| e.to_string())?;
    let cluster = sim.shell.cluster_mut();
    cluster.api_mut().set_root(0);
    let result = cluster.api_mut().update(&Identity::admin(), obj, &WriteOptions::default());
    cluster.settle();
    result.map(|_| ()).map_err(|e| e.message)
}

/// A link that selects another object.
fn link(ui: &UiHandle, kind: Kind, namespace: Option<&str>, name: &str) -> Html {
    let target = Selected::new(kind, namespace, name);
    let ui = ui.clone();
    let label = format!("{}/{}", kind.as_str(), name);
    let onclick = Callback::from(move |_| ui.dispatch(UiAction::Select(Some(target.clone()))));
    html! { <li><button class="link" {onclick}>{ label }</button></li> }
}

fn events(lang: Lang, api: &ApiServer, s: &Selected) -> Html {
    let mut rows: Vec<_> = api
        .peek_list(Kind::Event, s.namespace.as_deref().or(Some("default")))
        .into_iter()
        .filter_map(|o| match o {
            Object::Event(e) => Some(e),
            _ => None,
        })
        .filter(|e| {
            e.involved_object.name.as_deref() == Some(&s.name)
                && e.involved_object.kind.as_deref() == Some(s.kind.as_str())
        })
        .collect();
    rows.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0.as_millisecond()));
    if rows.is_empty() {
        return html! { <p class="muted">{ t(lang, T::NoEvents) }</p> };
    }
    html! {
        <table class="events">
            <thead><tr><th>{ "TYPE" }</th><th>{ "REASON" }</th><th>{ "FROM" }</th><th>{ "MESSAGE" }</th></tr></thead>
            <tbody>
                { for rows.iter().map(|e| html! {
                    <tr class={classes!((e.type_.as_deref() == Some("Warning")).then_some("warning"))}>
                        <td>{ e.type_.clone().unwrap_or_default() }</td>
                        <td>{ e.reason.clone().unwrap_or_default() }</td>
                        <td>{ e.source.as_ref().and_then(|s| s.component.clone()).unwrap_or_default() }</td>
                        <td>{ e.message.clone().unwrap_or_default() }{ match e.count { Some(n) if n > 1 => format!(" (x{n})"), _ => String::new() } }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

fn family(lang: Lang, ui: &UiHandle, api: &ApiServer, obj: &Object) -> Html {
    let ns = obj.namespace();
    let owners = obj.meta().owner_references.clone().unwrap_or_default();
    let uid = obj.uid();
    let mut dependents: Vec<(Kind, String)> = match obj.kind() {
        Kind::Node => api.pods_on_node(obj.name()).map(|p| (Kind::Pod, p.name().to_string())).collect(),
        _ if ns.is_some() => DEPENDENT_KINDS
            .iter()
            .flat_map(|&k| api.peek_list(k, ns))
            .filter(|o| o.meta().owner_references.iter().flatten().any(|r| r.uid == uid))
            .map(|o| (o.kind(), o.name().to_string()))
            .collect(),
        _ => Vec::new(),
    };
    if obj.kind() == Kind::Service && api.peek(Kind::Endpoints, ns, obj.name()).is_some() {
        dependents.push((Kind::Endpoints, obj.name().to_string()));
    }
    let pod_ns = |k: Kind| if k == Kind::Pod && obj.kind() == Kind::Node { None } else { ns };
    html! {
        <div class="family">
            <div>
                <h4>{ t(lang, T::Owners) }</h4>
                <ul>
                    if owners.is_empty() { <li class="muted">{ t(lang, T::None) }</li> }
                    { for owners.iter().filter_map(|r| crate::api::resource::resolve(&r.kind).map(|k| link(ui, k, ns, &r.name))) }
                </ul>
            </div>
            <div>
                <h4>{ t(lang, T::Dependents) }</h4>
                <ul>
                    if dependents.is_empty() { <li class="muted">{ t(lang, T::None) }</li> }
                    { for dependents.iter().map(|(k, n)| match pod_ns(*k) {
                        Some(ns) => link(ui, *k, Some(ns), n),
                        None => {
                            let pod_ns = api.pods_on_node(obj.name()).find(|p| p.name() == n).and_then(|p| p.namespace().map(str::to_string));
                            link(ui, *k, pod_ns.as_deref(), n)
                        }
                    }) }
                </ul>
            </div>
        </div>
    }
}

#[function_component(Inspector)]
pub fn inspector() -> Html {
    let Some((sim, ui)) = use_world() else { return Html::default() };
    let draft = use_state(|| None::<String>);
    let message = use_state(|| None::<Result<String, String>>);
    {
        let (draft, message) = (draft.clone(), message.clone());
        use_effect_with(ui.selected.clone(), move |_| {
            draft.set(None);
            message.set(None);
        });
    }
    let Some(selected) = ui.selected.clone() else { return Html::default() };
    let lang = ui.lang;
    let close = {
        let ui = ui.clone();
        Callback::from(move |_| ui.dispatch(UiAction::Select(None)))
    };
    let s = sim.0.borrow();
    let api = s.cluster().api();
    let title = format!("{} {}", selected.kind.as_str(), selected.name);
    let Some(obj) = peek(api, &selected) else {
        return html! {
            <aside class="inspector" aria-label={t(lang, T::Inspector)}>
                <header><h2>{ title }</h2><button class="icon" aria-label={t(lang, T::Close)} onclick={close}>{ "✕" }</button></header>
                <p class="muted">{ "NotFound" }</p>
            </aside>
        };
    };
    let yaml = to_yaml(&obj.to_value()).unwrap_or_default();
    let edit = {
        let (draft, yaml) = (draft.clone(), yaml.clone());
        Callback::from(move |_| draft.set(Some(yaml.clone())))
    };
    let cancel = {
        let draft = draft.clone();
        Callback::from(move |_| draft.set(None))
    };
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            draft.set(Some(area.value()));
        })
    };
    let do_apply = {
        let (sim, ui, draft, message, selected) =
            (sim.clone(), ui.clone(), draft.clone(), message.clone(), selected.clone());
        Callback::from(move |_| {
            let Some(text) = (*draft).clone() else { return };
            match apply(&sim, &selected, &text) {
                Ok(()) => {
                    draft.set(None);
                    message.set(Some(Ok(t(ui.lang, T::Applied).to_string())));
                }
                Err(e) => message.set(Some(Err(e))),
            }
            ui.dispatch(UiAction::Refresh);
        })
    };
    let explanation = (selected.kind == Kind::Pod).then(|| {
        let ns = selected.namespace.as_deref().unwrap_or("default");
        s.cluster().scheduler().and_then(|sch| sch.last_attempt(ns, &selected.name)).map(|a| a.render())
    });
    html! {
        <aside class="inspector" aria-label={t(lang, T::Inspector)}>
            <header>
                <h2>{ title }</h2>
                if let Some(ns) = &selected.namespace { <span class="muted">{ ns }</span> }
                <button class="icon" aria-label={t(lang, T::Close)} title={t(lang, T::Close)} onclick={close}>{ "✕" }</button>
            </header>
            <div class="inspector-body">
                <section>
                    <div class="section-head">
                        <h3>{ t(lang, T::Yaml) }</h3>
                        if draft.is_some() {
                            <button class="primary" onclick={do_apply}>{ t(lang, T::Apply) }</button>
                            <button onclick={cancel}>{ t(lang, T::Cancel) }</button>
                        } else {
                            <button onclick={edit}>{ t(lang, T::Edit) }</button>
                        }
                    </div>
                    if let Some(m) = &*message {
                        <p class={classes!("message", if m.is_ok() { "ok" } else { "error" })} role="status">
                            { match m { Ok(s) | Err(s) => s.clone() } }
                        </p>
                    }
                    if let Some(text) = &*draft {
                        <textarea class="yaml-editor" aria-label={t(lang, T::Yaml)} spellcheck="false" value={text.clone()} {oninput} />
                    } else {
                        <pre class="yaml" aria-label={t(lang, T::Yaml)}>{ yaml }</pre>
                    }
                </section>
                <section>
                    <h3>{ t(lang, T::Events) }</h3>
                    { events(lang, api, &selected) }
                </section>
                <section>{ family(lang, &ui, api, &obj) }</section>
                if let Some(explanation) = explanation {
                    <section>
                        <h3>{ t(lang, T::SchedulerExplanation) }</h3>
                        <pre class="explain">{ explanation.unwrap_or_else(|| t(lang, T::NoAttempt).to_string()) }</pre>
                    </section>
                }
            </div>
        </aside>
    }
}
