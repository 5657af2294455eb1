//! `kubectl describe`: objects by name, by name prefix (every object of the kind whose name starts
//! with the argument), by `-l`, across namespaces with `-A`, or as `TYPE/NAME`; each printed by its
//! kind's describer in upstream's layout, with its Events when a single object is described.

mod config;
mod network;
mod node;
mod pod;
mod workloads;
pub mod writer;

use k8s_openapi::api::core::v1::{Event, Pod};

use super::context::Kubectl;
use super::flags::Flag;
use super::resources::{self, Request};
use crate::api::fields::FieldSelector;
use crate::api::labels::Selector;
use crate::api::{Kind, Object};
use crate::apiserver::{ApiError, ApiServer, Identity, ListOptions, Reason};

const FLAGS: &[Flag] = &[
    Flag::bool("all-namespaces", Some('A')),
    Flag::string("selector", Some('l')),
    Flag::bool("show-events", None),
    Flag::array("filename", Some('f')),
    Flag::bool("recursive", Some('R')),
    Flag::string("kustomize", Some('k')),
    Flag::string("chunk-size", None),
];

/// What a describer may read besides the object: the api-server (as the caller), and the clock.
pub struct Env<'a> {
    pub api: &'a mut ApiServer,
    pub who: Identity,
    pub now_ms: i64,
    pub show_events: bool,
}

impl Env<'_> {
    /// `searchEvents`: the events whose involvedObject is `obj` (by name, namespace, kind and uid),
    /// or None when events are not shown.
    pub fn events(&mut self, obj: &Object) -> Option<Vec<Event>> {
        self.events_for(obj, Some(obj.kind().as_str()), obj.uid())
    }

    /// Events of `obj` matched on an explicit kind (None: any) and uid.
    pub fn events_for(&mut self, obj: &Object, kind: Option<&str>, uid: &str) -> Option<Vec<Event>> {
        if !self.show_events {
            return None;
        }
        let mut terms = vec![format!("involvedObject.name={}", obj.name())];
        let ns = obj.namespace().unwrap_or("");
        if !ns.is_empty() {
            terms.push(format!("involvedObject.namespace={ns}"));
        }
        if let Some(kind) = kind {
            terms.push(format!("involvedObject.kind={kind}"));
        }
        if !uid.is_empty() {
            terms.push(format!("involvedObject.uid={uid}"));
        }
        let options = ListOptions { field_selector: FieldSelector::parse(&terms.join(",")).ok(), ..Default::default() };
        let ns = if ns.is_empty() { None } else { Some(ns) };
        let list = self.api.list(&self.who, Kind::Event, ns, &options).ok()?;
        Some(
            list.items
                .into_iter()
                .filter_map(|o| match o {
                    Object::Event(e) => Some((*e).clone()),
                    _ => None,
                })
                .collect(),
        )
    }

    /// The pods of `ns` a label selector selects.
    pub fn pods(&mut self, ns: Option<&str>, selector: Option<Selector>, fields: Option<FieldSelector>) -> Vec<Pod> {
        let options = ListOptions { label_selector: selector, field_selector: fields };
        let items = self.api.list(&self.who, Kind::Pod, ns, &options).map(|l| l.items).unwrap_or_default();
        items.iter().filter_map(Object::as_pod).cloned().collect()
    }

    /// Objects of `kind` in `ns`, optionally selected by labels.
    pub fn list(&mut self, kind: Kind, ns: Option<&str>, selector: Option<Selector>) -> Vec<Object> {
        let options = ListOptions { label_selector: selector, ..Default::default() };
        self.api.list(&self.who, kind, ns, &options).map(|l| l.items).unwrap_or_default()
    }
}

/// The describer of `obj`'s kind, or the generic one (name, namespace, labels, annotations).
fn describe(env: &mut Env<'_>, obj: &Object) -> String {
    match obj {
        Object::Pod(p) => pod::describe(env, obj, p),
        Object::Deployment(_)
        | Object::ReplicaSet(_)
        | Object::DaemonSet(_)
        | Object::StatefulSet(_)
        | Object::Job(_)
        | Object::CronJob(_) => workloads::describe(env, obj),
        Object::Service(_) | Object::Endpoints(_) | Object::EndpointSlice(_) | Object::Ingress(_) => {
            network::describe(env, obj)
        }
        Object::Node(_) | Object::Namespace(_) => node::describe(env, obj),
        _ => config::describe(env, obj),
    }
}

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(FLAGS, args) else { return };
    if p.args.is_empty() && p.all("filename").is_empty() {
        return k.error("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n");
    }
    let requests = match resources::parse(&p.args) {
        Ok(r) => r,
        Err(e) => return k.error(&e.to_string()),
    };
    let selector = match p.get("selector").map(Selector::parse).transpose() {
        Ok(s) => s,
        Err(e) => return k.error(&e.to_string()),
    };
    let all_namespaces = p.bool("all-namespaces");
    let namespace = Kubectl::namespace(&p);
    let who = Kubectl::identity(&p);
    let mut found: Vec<Object> = Vec::new();
    let mut errors: Vec<ApiError> = Vec::new();
    let list_ns = if all_namespaces { None } else { Some(namespace.as_str()) };
    for req in &requests {
        let (f, e) = collect(k.cluster.api_mut(), &who, req, selector.as_ref(), list_ns, &namespace);
        found.extend(f);
        errors.extend(e);
    }
    let explicit_events = p.has("show-events");
    let mut show_events = if explicit_events { p.bool("show-events") } else { true };
    if (!errors.is_empty() || found.len() > 1) && !explicit_events {
        show_events = false;
    }
    // A name that is not found is a prefix when it is the only one (`kubectl describe pods web`).
    let prefix = match (p.args.as_slice(), errors.as_slice()) {
        ([_, prefix], [e]) if e.reason == Reason::NotFound && found.is_empty() => Some(prefix.clone()),
        _ => None,
    };
    let now_ms = k.now_ms();
    if let (Some(prefix), Some(req)) = (prefix, requests.first()) {
        let ns = if req.kind.namespaced() { Some(namespace.as_str()) } else { None };
        let mut env = Env { api: k.cluster.api_mut(), who, now_ms, show_events: explicit_events && show_events };
        let matches: Vec<Object> =
            env.list(req.kind, ns, None).into_iter().filter(|o| o.name().starts_with(prefix.as_str())).collect();
        if matches.is_empty() {
            return errors.iter().for_each(|e| k.server_error(e));
        }
        for obj in &matches {
            let s = describe(&mut env, obj);
            k.out.out(format!("{s}\n"));
        }
        return;
    }
    let mut env = Env { api: k.cluster.api_mut(), who, now_ms, show_events };
    let mut text = String::new();
    for (i, obj) in found.iter().enumerate() {
        if i > 0 {
            text.push_str("\n\n");
        }
        text.push_str(&describe(&mut env, obj));
    }
    k.out.out(text);
    for e in &errors {
        k.server_error(e);
    }
    if found.is_empty() && errors.is_empty() {
        if all_namespaces {
            k.out.err("No resources found\n");
        } else {
            k.out.err(format!("No resources found in {namespace} namespace.\n"));
        }
    }
}

/// The objects one request names or selects (`list_ns`: the namespace to list in, None for all).
fn collect(
    api: &mut ApiServer,
    who: &Identity,
    req: &Request,
    selector: Option<&Selector>,
    list_ns: Option<&str>,
    namespace: &str,
) -> (Vec<Object>, Vec<ApiError>) {
    let (mut found, mut errors) = (Vec::new(), Vec::new());
    if req.names.is_empty() {
        let ns = if req.kind.namespaced() { list_ns } else { None };
        let options = ListOptions { label_selector: selector.cloned(), ..Default::default() };
        match api.list(who, req.kind, ns, &options) {
            Ok(list) => found.extend(list.items),
            Err(e) => errors.push(e),
        }
        return (found, errors);
    }
    let ns = if req.kind.namespaced() { Some(namespace) } else { None };
    for name in &req.names {
        match api.get(who, req.kind, ns, name) {
            Ok(o) => found.push(o),
            Err(e) => errors.push(e),
        }
    }
    (found, errors)
}
