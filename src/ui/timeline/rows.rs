//! The timeline's rows: Kubernetes Events and trace entries merged by virtual time, oldest first, and
//! the filters (a component, a text matched against the object, heartbeats hidden or not). Rows are
//! references: captions are rendered only for the rows on screen.

use k8s_openapi::api::core::v1::Event;

use crate::api::Object;
use crate::sim::Clock;
use crate::sim::trace::{Component, Entry, Trace};
use crate::ui::model::heartbeat;

/// The component select's value that keeps only Kubernetes Events.
pub const EVENTS_ONLY: &str = "events";

/// One row.
#[derive(Debug, Clone, Copy)]
pub enum Row<'a> {
    Trace(&'a Entry),
    /// An Event at its last time, in virtual milliseconds.
    Event(u64, &'a Event),
}

impl Row<'_> {
    pub fn t(&self) -> u64 {
        match self {
            Row::Trace(e) => e.t.as_millis(),
            Row::Event(t, _) => *t,
        }
    }
}

/// What the visitor filters by.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    /// "" for every component, `EVENTS_ONLY`, a family (`kubelet`, `controller-manager`) or one
    /// component (`controller-manager/deployment`, `kubelet/node-01`).
    pub component: String,
    /// Lower-case text looked for in `Kind namespace/name`.
    pub object: String,
    pub hide_heartbeats: bool,
}

/// A component as (family, instance): `kubelet/node-01` is ("kubelet", "node-01").
fn family(c: &Component) -> (&'static str, &str) {
    match c {
        Component::Kubectl => ("kubectl", ""),
        Component::ApiServer => ("api-server", ""),
        Component::Etcd => ("etcd", ""),
        Component::ControllerManager(n) => ("controller-manager", n),
        Component::Scheduler => ("scheduler", ""),
        Component::Kubelet(n) => ("kubelet", n),
        Component::Runtime(n) => ("containerd", n),
        Component::KubeProxy(n) => ("kube-proxy", n),
        Component::CoreDns => ("coredns", ""),
        Component::CloudControllerManager => ("cloud-controller-manager", ""),
    }
}

fn component_matches(c: &Component, filter: &str) -> bool {
    let (fam, instance) = family(c);
    match filter.split_once('/') {
        Some((f, i)) => f == fam && i == instance,
        None => filter == fam,
    }
}

/// Whether an Event's source (`deployment-controller`, `default-scheduler`, `kubelet` on a host)
/// belongs to the filtered component.
fn source_matches(component: &str, host: &str, filter: &str) -> bool {
    match filter.split_once('/') {
        Some(("controller-manager", c)) => component.strip_suffix("-controller") == Some(c),
        Some((fam, instance)) => component == fam && host == instance,
        None if filter == "controller-manager" => component.ends_with("-controller"),
        None => component.contains(filter),
    }
}

fn object_matches(kind: &str, namespace: &str, name: &str, needle: &str) -> bool {
    needle.is_empty() || format!("{kind} {namespace}/{name}").to_lowercase().contains(needle)
}

impl Filter {
    fn keeps_entry(&self, e: &Entry) -> bool {
        let component = match self.component.as_str() {
            "" => true,
            EVENTS_ONLY => false,
            f => component_matches(&e.from, f) || component_matches(&e.to, f),
        };
        component
            && !(self.hide_heartbeats && heartbeat(e))
            && object_matches(e.object.kind, &e.object.namespace, &e.object.name, &self.object)
    }

    fn keeps_event(&self, e: &Event) -> bool {
        let source = e.source.as_ref();
        let component = match self.component.as_str() {
            "" | EVENTS_ONLY => true,
            f => source_matches(
                source.and_then(|s| s.component.as_deref()).unwrap_or(""),
                source.and_then(|s| s.host.as_deref()).unwrap_or(""),
                f,
            ),
        };
        let o = &e.involved_object;
        component
            && object_matches(
                o.kind.as_deref().unwrap_or(""),
                o.namespace.as_deref().unwrap_or(""),
                o.name.as_deref().unwrap_or(""),
                &self.object,
            )
    }
}

/// The Event's last time in virtual milliseconds (0 for times before the scenario's epoch).
fn event_time(clock: &Clock, e: &Event) -> u64 {
    let at = e.last_timestamp.as_ref().or(e.first_timestamp.as_ref()).map_or(0, |t| t.0.as_millisecond());
    u64::try_from(at - clock.unix_millis(crate::sim::Time::ZERO)).unwrap_or(0)
}

/// The rows that pass `filter`, oldest first (an Event before a trace entry of the same instant).
pub fn rows<'a>(trace: &'a Trace, events: &[&'a Object], clock: &Clock, filter: &Filter) -> Vec<Row<'a>> {
    let mut events: Vec<Row<'a>> = events
        .iter()
        .filter_map(|o| match o {
            Object::Event(e) if filter.keeps_event(e) => Some(Row::Event(event_time(clock, e), e)),
            _ => None,
        })
        .collect();
    events.sort_by_key(Row::t);
    let mut events = events.into_iter().peekable();
    let mut out = Vec::new();
    for e in trace.entries().filter(|e| filter.keeps_entry(e)) {
        while let Some(ev) = events.next_if(|ev| ev.t() <= e.t.as_millis()) {
            out.push(ev);
        }
        out.push(Row::Trace(e));
    }
    out.extend(events);
    out
}
