//! The Endpoints controller: for every Service with a selector, the `Endpoints` object of the same
//! name whose subsets list ready pods under `addresses` and the others under `notReadyAddresses`,
//! repacked so that pods exposing the same resolved ports share a subset (addresses in IP order). It
//! carries the Service's labels (plus `service.kubernetes.io/headless` for a headless Service), the
//! `endpoints.kubernetes.io/last-change-trigger-time` annotation, and is capped at 1000 addresses
//! with the `over-capacity: truncated` annotation. Deleting the Service deletes its Endpoints.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::controller_utils::is_pod_ready;
use super::endpoint_util::{
    ResolvedPort, ServiceSync, TRIGGER_TIME_ANNOTATION, Watched, endpoint_hostname, endpoint_labels, node_name, pod_ip,
    publish_not_ready, resolved_port, selected_pods, selector, service_at, should_pod_be_in_endpoints, target_ref,
    trigger_text,
};
use super::queue::Requeue;
use super::{SyncError, record_decision};
use crate::api::{Kind, Object};
use crate::apiserver::{DeleteOptions, Reason, WriteOptions};
use crate::client::Ctx;

const NAME: &str = "endpoints";
/// The most addresses an Endpoints object keeps.
pub const MAX_CAPACITY: usize = 1000;
pub const OVER_CAPACITY_ANNOTATION: &str = "endpoints.kubernetes.io/over-capacity";

/// The endpoints controller process.
#[derive(Debug)]
pub struct EndpointsController {
    w: Watched,
}

impl Default for EndpointsController {
    fn default() -> Self {
        Self::new()
    }
}

/// A subset's port list, as the repacking key.
type PortKey = Vec<ResolvedPort>;
/// Ready and not-ready addresses keyed by `ip/uid` (their sort order).
type Addresses = BTreeMap<String, EndpointAddress>;
/// A repacked subset: its ports and its ready and not-ready addresses.
type Packed = (PortKey, Vec<EndpointAddress>, Vec<EndpointAddress>);

fn address(pod: &Pod, svc: &Service) -> EndpointAddress {
    EndpointAddress {
        ip: pod_ip(pod).to_string(),
        hostname: endpoint_hostname(pod, svc),
        node_name: node_name(pod),
        target_ref: target_ref(pod),
    }
}

/// The subsets of `svc` over `pods`, repacked (`RepackSubsets`) and sorted (`SortSubsets`), and
/// whether addresses had to be dropped to stay within `MAX_CAPACITY`.
fn subsets(svc: &Service, pods: &[&Arc<Pod>]) -> (Vec<EndpointSubset>, bool) {
    let tolerate = publish_not_ready(svc);
    let ports = svc.spec.as_ref().and_then(|s| s.ports.clone()).unwrap_or_default();
    let mut groups: BTreeMap<PortKey, (Addresses, Addresses)> = BTreeMap::new();
    for pod in pods.iter().filter(|p| should_pod_be_in_endpoints(p, tolerate)) {
        let addr = address(pod, svc);
        let ready = tolerate || is_pod_ready(pod);
        let keys: Vec<PortKey> = if ports.is_empty() {
            // A headless Service without ports still lists its pods.
            vec![Vec::new()]
        } else {
            ports.iter().filter_map(|sp| resolved_port(pod, sp)).map(|p| vec![p]).collect()
        };
        for k in keys {
            let g = groups.entry(k).or_default();
            let sort_key = format!("{}/{}", addr.ip, pod.metadata.uid.as_deref().unwrap_or(""));
            if ready {
                g.0.insert(sort_key, addr.clone())
            } else {
                g.1.insert(sort_key, addr.clone())
            };
        }
    }
    // Pods with the same addresses across ports share one subset with all those ports.
    let mut merged: BTreeMap<(Vec<String>, Vec<String>), Packed> = BTreeMap::new();
    for (ports, (ready, not_ready)) in groups {
        let id = (ready.keys().cloned().collect(), not_ready.keys().cloned().collect());
        let entry = merged
            .entry(id)
            .or_insert_with(|| (Vec::new(), ready.into_values().collect(), not_ready.into_values().collect()));
        entry.0.extend(ports);
    }
    let mut budget = MAX_CAPACITY;
    let mut truncated = false;
    let mut out = Vec::new();
    for (_, (ports, mut ready, mut not_ready)) in merged {
        for list in [&mut ready, &mut not_ready] {
            if list.len() > budget {
                list.truncate(budget);
                truncated = true;
            }
            budget -= list.len();
        }
        out.push(EndpointSubset {
            addresses: (!ready.is_empty()).then_some(ready),
            not_ready_addresses: (!not_ready.is_empty()).then_some(not_ready),
            ports: (!ports.is_empty()).then(|| {
                ports
                    .into_iter()
                    .map(|(name, port, protocol, app_protocol)| EndpointPort {
                        name: (!name.is_empty()).then_some(name),
                        port,
                        protocol: Some(protocol),
                        app_protocol,
                    })
                    .collect()
            }),
        });
    }
    (out, truncated)
}

impl EndpointsController {
    pub fn new() -> Self {
        EndpointsController { w: Watched::new(NAME, Kind::Endpoints) }
    }

    /// `syncService`.
    fn sync(&mut self, key: &str, ctx: &mut Ctx<'_>) -> Result<Requeue, SyncError> {
        let trigger = self.w.take_trigger(key);
        let (ns, name) = key.split_once('/').unwrap_or(("", key));
        let current = match self.w.owned.cache().get(key) {
            Some(Object::Endpoints(e)) => Some(e.clone()),
            _ => None,
        };
        let Some(svc) = service_at(self.w.services.cache(), key) else {
            if current.is_some() {
                match ctx.api.delete(&self.w.who, Kind::Endpoints, Some(ns), name, &DeleteOptions::default()) {
                    Ok(_) => {}
                    Err(e) if e.reason == Reason::NotFound => {}
                    Err(e) => return Err(e.into()),
                }
            }
            return Ok(Requeue::No);
        };
        let Some(sel) = selector(&svc) else { return Ok(Requeue::No) };
        let pods: Vec<&Arc<Pod>> = selected_pods(self.w.pods.cache(), ns, sel).collect();
        let (subsets, truncated) = subsets(&svc, &pods);
        let labels = endpoint_labels(&svc);
        let subsets = (!subsets.is_empty()).then_some(subsets);
        if let Some(cur) = &current
            && cur.subsets == subsets
            && cur.metadata.labels.clone().unwrap_or_default() == labels
        {
            return Ok(Requeue::No);
        }
        let mut annotations: BTreeMap<String, String> =
            current.as_ref().and_then(|c| c.metadata.annotations.clone()).unwrap_or_default();
        if let Some(t) = &trigger {
            annotations.insert(TRIGGER_TIME_ANNOTATION.into(), trigger_text(t));
        }
        if truncated {
            annotations.insert(OVER_CAPACITY_ANNOTATION.into(), "truncated".into());
        } else {
            annotations.remove(OVER_CAPACITY_ANNOTATION);
        }
        let mut next = current.as_deref().cloned().unwrap_or_else(|| Endpoints {
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                namespace: Some(ns.to_string()),
                ..Default::default()
            },
            ..Default::default()
        });
        next.metadata.labels = (!labels.is_empty()).then_some(labels);
        next.metadata.annotations = (!annotations.is_empty()).then_some(annotations);
        let count: usize = subsets.iter().flatten().map(|s| s.addresses.as_ref().map_or(0, Vec::len)).sum();
        let not_ready: BTreeSet<&str> = subsets
            .iter()
            .flatten()
            .flat_map(|s| s.not_ready_addresses.iter().flatten())
            .map(|a| a.ip.as_str())
            .collect();
        let note = format!("{count} ready, {} not ready", not_ready.len());
        next.subsets = subsets;
        let obj = Object::Endpoints(Arc::new(next));
        let result = if current.is_some() {
            ctx.api.update(&self.w.who, obj, &WriteOptions::default())
        } else {
            ctx.api.create(&self.w.who, obj, &WriteOptions::default())
        };
        match result {
            Ok(o) => {
                record_decision(ctx.api, NAME, "sync", &o, note);
                Ok(Requeue::No)
            }
            Err(e) if e.reason == Reason::NotFound => Ok(Requeue::No),
            Err(e) => Err(e.into()),
        }
    }
}

impl ServiceSync for EndpointsController {
    const NAME: &'static str = NAME;

    fn watched(&mut self) -> &mut Watched {
        &mut self.w
    }

    fn sync_service(&mut self, key: &str, ctx: &mut Ctx<'_>) -> Result<Requeue, SyncError> {
        self.sync(key, ctx)
    }
}
