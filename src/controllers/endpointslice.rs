//! The EndpointSlice controller: for every Service with a selector, the slices (`<service>-<5>`,
//! through generateName) that list its pods' addresses with the conditions ready/serving/terminating,
//! nodeName and targetRef, grouped by the ports each pod resolves (a named targetPort resolves per
//! pod), at most 100 endpoints a slice. Its reconciler keeps endpoints in the slice that already holds
//! them, fills existing slices before creating new ones, and deletes slices left empty, so that a
//! change to one pod rewrites one slice. A Service without pods keeps one empty placeholder slice.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::controller_utils::{is_pod_ready, labels_of, new_controller_ref};
use super::endpoint_util::{
    ResolvedPort, SERVICE_NAME_LABEL, ServiceSync, TRIGGER_TIME_ANNOTATION, Watched, endpoint_hostname,
    endpoint_labels, node_name, pod_ip, publish_not_ready, resolved_port, selected_pods, selector, service_at,
    should_pod_be_in_endpoints, target_ref, trigger_text,
};
use super::queue::Requeue;
use super::{SyncError, record_decision};
use crate::api::{Kind, Object};
use crate::apiserver::{DeleteOptions, Reason, WriteOptions};
use crate::client::Ctx;

const NAME: &str = "endpointslice";
/// `endpointslice.kubernetes.io/managed-by`.
pub const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
pub const CONTROLLER_NAME: &str = "endpointslice-controller.k8s.io";
/// kube-controller-manager's `--max-endpoints-per-slice` default.
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;

/// The endpointslice controller process.
#[derive(Debug)]
pub struct EndpointSliceController {
    w: Watched,
}

impl Default for EndpointSliceController {
    fn default() -> Self {
        Self::new()
    }
}

/// The ports a group of endpoints shares, as the slice lists them.
type PortSet = Vec<ResolvedPort>;

fn ports_of(slice: &EndpointSlice) -> PortSet {
    slice
        .ports
        .iter()
        .flatten()
        .map(|p| {
            (
                p.name.clone().unwrap_or_default(),
                p.port.unwrap_or(0),
                p.protocol.clone().unwrap_or_default(),
                p.app_protocol.clone(),
            )
        })
        .collect()
}

/// `podToEndpoint`.
fn pod_to_endpoint(pod: &Pod, svc: &Service) -> Endpoint {
    let serving = is_pod_ready(pod);
    let terminating = pod.metadata.deletion_timestamp.is_some();
    let ready = publish_not_ready(svc) || (serving && !terminating);
    Endpoint {
        addresses: vec![pod_ip(pod).to_string()],
        conditions: Some(EndpointConditions {
            ready: Some(ready),
            serving: Some(serving),
            terminating: Some(terminating),
        }),
        hostname: endpoint_hostname(pod, svc),
        node_name: node_name(pod),
        target_ref: target_ref(pod),
        ..Default::default()
    }
}

/// The identity of an endpoint across syncs: the pod it stands for.
fn endpoint_id(e: &Endpoint) -> String {
    e.target_ref.as_ref().and_then(|r| r.uid.clone()).unwrap_or_else(|| e.addresses.join(","))
}

/// What the Service wants: endpoints grouped by port set, each group in pod-name order.
fn desired(svc: &Service, pods: &[&Arc<Pod>]) -> BTreeMap<PortSet, Vec<Endpoint>> {
    let mut groups: BTreeMap<PortSet, Vec<Endpoint>> = BTreeMap::new();
    let ports = svc.spec.as_ref().and_then(|s| s.ports.clone()).unwrap_or_default();
    for pod in pods.iter().filter(|p| should_pod_be_in_endpoints(p, true)) {
        let set: PortSet = ports.iter().filter_map(|sp| resolved_port(pod, sp)).collect();
        groups.entry(set).or_default().push(pod_to_endpoint(pod, svc));
    }
    groups
}

/// A slice's writes for one sync.
#[derive(Default)]
struct Plan {
    create: Vec<EndpointSlice>,
    update: Vec<EndpointSlice>,
    delete: Vec<String>,
}

/// `reconcileByAddressType` for IPv4: keep endpoints where they are, fill, then create.
fn reconcile(svc: &Service, existing: &[Arc<EndpointSlice>], mut want: BTreeMap<PortSet, Vec<Endpoint>>) -> Plan {
    let mut plan = Plan::default();
    if want.is_empty() {
        // The placeholder: one slice without endpoints or ports.
        want.insert(Vec::new(), Vec::new());
    }
    let mut by_ports: BTreeMap<PortSet, Vec<&Arc<EndpointSlice>>> = BTreeMap::new();
    for s in existing {
        by_ports.entry(ports_of(s)).or_default().push(s);
    }
    for (ports, slices) in &by_ports {
        if !want.contains_key(ports) {
            plan.delete.extend(slices.iter().map(|s| s.metadata.name.clone().unwrap_or_default()));
        }
    }
    for (ports, endpoints) in want {
        let mut pending: BTreeMap<String, Endpoint> = endpoints.into_iter().map(|e| (endpoint_id(&e), e)).collect();
        let mut kept: Vec<EndpointSlice> = Vec::new();
        for slice in by_ports.get(&ports).into_iter().flatten() {
            let mut next = (***slice).clone();
            let eps: Vec<Endpoint> =
                slice.endpoints.iter().flatten().filter_map(|e| pending.remove(&endpoint_id(e))).collect();
            next.endpoints = Some(eps);
            kept.push(next);
        }
        // Fill slices with room, in order, then open new ones.
        let mut rest = pending.into_values();
        for slice in &mut kept {
            let eps = slice.endpoints.get_or_insert_with(Vec::new);
            while eps.len() < MAX_ENDPOINTS_PER_SLICE {
                match rest.next() {
                    Some(e) => eps.push(e),
                    None => break,
                }
            }
        }
        let rest: Vec<Endpoint> = rest.collect();
        for chunk in rest.chunks(MAX_ENDPOINTS_PER_SLICE) {
            kept.push(new_slice(svc, &ports, chunk.to_vec()));
        }
        let placeholder = ports.is_empty() && kept.iter().all(|s| s.endpoints.as_ref().is_none_or(Vec::is_empty));
        if placeholder && kept.is_empty() {
            kept.push(new_slice(svc, &ports, Vec::new()));
        }
        let mut kept_empty = false;
        for slice in kept {
            let empty = slice.endpoints.as_ref().is_none_or(Vec::is_empty);
            let is_new = slice.metadata.name.is_none();
            if empty && (!placeholder || kept_empty) {
                if !is_new {
                    plan.delete.push(slice.metadata.name.clone().unwrap_or_default());
                }
                continue;
            }
            kept_empty |= empty;
            if is_new {
                plan.create.push(slice);
            } else {
                plan.update.push(slice);
            }
        }
    }
    plan
}

fn new_slice(svc: &Service, ports: &PortSet, endpoints: Vec<Endpoint>) -> EndpointSlice {
    let name = svc.metadata.name.clone().unwrap_or_default();
    let owner = new_controller_ref(&Object::Service(Arc::new(svc.clone())));
    EndpointSlice {
        address_type: "IPv4".into(),
        endpoints: Some(endpoints),
        metadata: ObjectMeta {
            generate_name: Some(format!("{name}-")),
            namespace: svc.metadata.namespace.clone(),
            owner_references: Some(vec![owner]),
            ..Default::default()
        },
        ports: (!ports.is_empty()).then(|| {
            ports
                .iter()
                .map(|(n, p, proto, app)| EndpointPort {
                    name: Some(n.clone()),
                    port: Some(*p),
                    protocol: Some(proto.clone()),
                    app_protocol: app.clone(),
                })
                .collect()
        }),
    }
}

/// The labels every managed slice carries.
fn slice_labels(svc: &Service) -> BTreeMap<String, String> {
    let mut labels = endpoint_labels(svc);
    labels.insert(SERVICE_NAME_LABEL.into(), svc.metadata.name.clone().unwrap_or_default());
    labels.insert(MANAGED_BY_LABEL.into(), CONTROLLER_NAME.into());
    labels
}

impl EndpointSliceController {
    pub fn new() -> Self {
        EndpointSliceController { w: Watched::new(NAME, Kind::EndpointSlice) }
    }

    /// The managed slices of the Service at `ns/name`.
    fn slices_of(&self, ns: &str, name: &str) -> Vec<Arc<EndpointSlice>> {
        self.w
            .owned
            .cache()
            .labelled(SERVICE_NAME_LABEL, name)
            .filter_map(|o| match o {
                Object::EndpointSlice(s) if s.metadata.namespace.as_deref() == Some(ns) => Some(s.clone()),
                _ => None,
            })
            .filter(|s| labels_of(&s.metadata).get(MANAGED_BY_LABEL).map(String::as_str) == Some(CONTROLLER_NAME))
            .collect()
    }

    /// `syncService`.
    fn sync(&mut self, key: &str, ctx: &mut Ctx<'_>) -> Result<Requeue, SyncError> {
        let trigger = self.w.take_trigger(key);
        let Some(svc) = service_at(self.w.services.cache(), key) else { return Ok(Requeue::No) };
        let Some(sel) = selector(&svc) else { return Ok(Requeue::No) };
        if svc.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("ExternalName") {
            return Ok(Requeue::No);
        }
        let ns = svc.metadata.namespace.clone().unwrap_or_default();
        let name = svc.metadata.name.clone().unwrap_or_default();
        let pods: Vec<&Arc<Pod>> = selected_pods(self.w.pods.cache(), &ns, sel).collect();
        let want = desired(&svc, &pods);
        let existing = self.slices_of(&ns, &name);
        let plan = reconcile(&svc, &existing, want);
        let labels = slice_labels(&svc);
        let stamp = |s: &mut EndpointSlice| {
            s.metadata.labels = Some(labels.clone());
            if let Some(t) = &trigger {
                s.metadata
                    .annotations
                    .get_or_insert_with(Default::default)
                    .insert(TRIGGER_TIME_ANNOTATION.into(), trigger_text(t));
            }
        };
        let svc_obj = Object::Service(svc.clone());
        let mut first_error = None;
        let old: BTreeMap<String, &Arc<EndpointSlice>> =
            existing.iter().map(|s| (s.metadata.name.clone().unwrap_or_default(), s)).collect();
        for mut s in plan.update {
            let unchanged = old.get(s.metadata.name.as_deref().unwrap_or("")).is_some_and(|o| {
                o.endpoints.clone().unwrap_or_default() == s.endpoints.clone().unwrap_or_default()
                    && o.metadata.labels.as_ref() == Some(&labels)
            });
            if unchanged {
                continue;
            }
            stamp(&mut s);
            let n = s.metadata.name.clone().unwrap_or_default();
            let count = s.endpoints.as_ref().map_or(0, Vec::len);
            match ctx.api.update(&self.w.who, Object::EndpointSlice(Arc::new(s)), &WriteOptions::default()) {
                Ok(_) => {
                    record_decision(ctx.api, NAME, "sync", &svc_obj, format!("updated slice {n} ({count} endpoints)"))
                }
                Err(e) if e.reason == Reason::NotFound => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        for mut s in plan.create {
            stamp(&mut s);
            let count = s.endpoints.as_ref().map_or(0, Vec::len);
            match ctx.api.create(&self.w.who, Object::EndpointSlice(Arc::new(s)), &WriteOptions::default()) {
                Ok(o) => record_decision(
                    ctx.api,
                    NAME,
                    "sync",
                    &svc_obj,
                    format!("created slice {} ({count} endpoints)", o.name()),
                ),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        let unique: BTreeSet<String> = plan.delete.into_iter().collect();
        for n in unique {
            match ctx.api.delete(&self.w.who, Kind::EndpointSlice, Some(&ns), &n, &DeleteOptions::default()) {
                Ok(_) => record_decision(ctx.api, NAME, "sync", &svc_obj, format!("deleted slice {n}")),
                Err(e) if e.reason == Reason::NotFound => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(Requeue::No), |e| Err(e.into()))
    }
}

impl ServiceSync for EndpointSliceController {
    const NAME: &'static str = NAME;

    fn watched(&mut self) -> &mut Watched {
        &mut self.w
    }

    fn sync_service(&mut self, key: &str, ctx: &mut Ctx<'_>) -> Result<Requeue, SyncError> {
        self.sync(key, ctx)
    }
}
