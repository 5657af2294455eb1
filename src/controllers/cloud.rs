//! The cloud-controller-manager with a simulated cloud, its service controller: a Service of type
//! LoadBalancer gets a load balancer (`EnsuringLoadBalancer`, then after the time a cloud takes,
//! `EnsuredLoadBalancer` and `status.loadBalancer.ingress`) and the finalizer
//! `service.kubernetes.io/load-balancer-cleanup`; a Service that is deleted or stops being a
//! LoadBalancer loses it (`DeletingLoadBalancer`, `DeletedLoadBalancer`).
//!
//! Addresses come from 172.18.255.200–172.18.255.250, the end of the kind docker network
//! (172.18.0.0/16) that the nodes' addresses come from, as kind's LoadBalancer guides set aside for
//! MetalLB or cloud-provider-kind; the lowest free address is taken, so a scenario replays with the
//! same addresses.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{LoadBalancerIngress, LoadBalancerStatus, Service};

use super::periodic::start_informer;
use super::queue::{KeyQueue, Requeue};
use super::{SyncError, record_decision_as};
use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, Identity, ListOptions, Reason, WatchEvent, WriteOptions};
use crate::client::{Ctx, Delta, EventKind, Informer, Process, Recorder, object_key};
use crate::sim::trace::Component;
use crate::sim::{Duration, Time};

pub const LB_CLEANUP_FINALIZER: &str = "service.kubernetes.io/load-balancer-cleanup";
/// The address pool: 172.18.255.200 to 172.18.255.250.
const POOL_PREFIX: &str = "172.18.255.";
const POOL_FIRST: u8 = 200;
const POOL_LAST: u8 = 250;
/// How long the simulated cloud takes to create a load balancer.
pub const PROVISIONING_DELAY: Duration = Duration::from_secs(5);

/// The cloud-controller-manager process (its service controller).
pub struct CloudControllerManager {
    who: Identity,
    recorder: Recorder,
    services: Informer,
    queue: KeyQueue,
    /// Last octet → the service key holding it.
    allocated: BTreeMap<u8, String>,
    /// Service key → when its load balancer is ready.
    creating: BTreeMap<String, Time>,
}

impl Default for CloudControllerManager {
    fn default() -> Self {
        Self::new()
    }
}

fn ingress_ips(svc: &Service) -> impl Iterator<Item = &str> {
    svc.status
        .iter()
        .flat_map(|s| s.load_balancer.iter())
        .flat_map(|lb| lb.ingress.iter().flatten())
        .filter_map(|i| i.ip.as_deref())
}

fn octet(ip: &str) -> Option<u8> {
    ip.strip_prefix(POOL_PREFIX)?.parse().ok().filter(|o| (POOL_FIRST..=POOL_LAST).contains(o))
}

fn has_finalizer(svc: &Service) -> bool {
    svc.metadata.finalizers.iter().flatten().any(|f| f == LB_CLEANUP_FINALIZER)
}

impl CloudControllerManager {
    pub fn new() -> Self {
        let who = Identity::component(
            Component::CloudControllerManager,
            "system:serviceaccount:kube-system:cloud-controller-manager",
            &[],
        );
        CloudControllerManager {
            recorder: Recorder::new("service-controller", None, who.clone()),
            who,
            services: Informer::new(Kind::Service, None, ListOptions::default()),
            queue: KeyQueue::default(),
            allocated: BTreeMap::new(),
            creating: BTreeMap::new(),
        }
    }

    fn on_service(&mut self, delta: &Delta) {
        let key = object_key(delta.object());
        if let Object::Service(svc) = delta.object()
            && !matches!(delta, Delta::Deleted(_))
        {
            for o in ingress_ips(svc).filter_map(octet) {
                self.allocated.insert(o, key.clone());
            }
        }
        self.queue.add(key);
    }

    fn release(&mut self, key: &str) {
        self.allocated.retain(|_, k| k != key);
        self.creating.remove(key);
    }

    fn write(&mut self, api: &mut ApiServer, next: Service, status: bool) -> Result<(), SyncError> {
        let obj = Object::Service(Arc::new(next));
        let result = if status {
            api.update_status(&self.who, obj)
        } else {
            api.update(&self.who, obj, &WriteOptions::default())
        };
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.reason == Reason::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    fn sync(&mut self, key: &str, api: &mut ApiServer) -> Result<Requeue, SyncError> {
        let Some(Object::Service(svc)) = self.services.cache().get(key).cloned() else {
            self.release(key);
            return Ok(Requeue::No);
        };
        let obj = Object::Service(svc.clone());
        let wants = svc.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("LoadBalancer")
            && svc.metadata.deletion_timestamp.is_none();
        if !wants {
            if has_finalizer(&svc) || ingress_ips(&svc).next().is_some() {
                self.recorder.event(
                    api,
                    &obj,
                    None,
                    EventKind::Normal,
                    "DeletingLoadBalancer",
                    "Deleting load balancer",
                );
                self.release(key);
                let mut next = (*svc).clone();
                if svc.metadata.deletion_timestamp.is_none() && ingress_ips(&svc).next().is_some() {
                    next.status.get_or_insert_with(Default::default).load_balancer =
                        Some(LoadBalancerStatus::default());
                    self.write(api, next.clone(), true)?;
                    if let Some(Object::Service(fresh)) = api.peek(Kind::Service, obj.namespace(), obj.name()) {
                        next = (*fresh).clone();
                    }
                }
                next.metadata.finalizers.get_or_insert_with(Vec::new).retain(|f| f != LB_CLEANUP_FINALIZER);
                self.write(api, next, false)?;
                self.recorder.event(api, &obj, None, EventKind::Normal, "DeletedLoadBalancer", "Deleted load balancer");
            }
            return Ok(Requeue::No);
        }
        if ingress_ips(&svc).next().is_some() && has_finalizer(&svc) {
            return Ok(Requeue::No);
        }
        let now = api.now();
        let Some(&ready) = self.creating.get(key) else {
            self.recorder.event(api, &obj, None, EventKind::Normal, "EnsuringLoadBalancer", "Ensuring load balancer");
            let ready = now.after(PROVISIONING_DELAY);
            self.creating.insert(key.to_string(), ready);
            if !has_finalizer(&svc) {
                let mut next = (*svc).clone();
                next.metadata.finalizers.get_or_insert_with(Vec::new).push(LB_CLEANUP_FINALIZER.into());
                self.write(api, next, false)?;
            }
            return Ok(Requeue::At(ready));
        };
        if ready > now {
            return Ok(Requeue::At(ready));
        }
        let Some(free) = (POOL_FIRST..=POOL_LAST).find(|o| !self.allocated.contains_key(o)) else {
            let msg = "Error syncing load balancer: failed to ensure load balancer: no free addresses";
            self.recorder.event(api, &obj, None, EventKind::Warning, "SyncLoadBalancerFailed", msg);
            return Ok(Requeue::At(now.after(Duration::from_secs(60))));
        };
        let ip = format!("{POOL_PREFIX}{free}");
        record_decision_as(
            api,
            Component::CloudControllerManager,
            "ensure",
            &obj,
            format!("load balancer for {key} at {ip}"),
        );
        let mut next = (*svc).clone();
        next.status.get_or_insert_with(Default::default).load_balancer = Some(LoadBalancerStatus {
            ingress: Some(vec![LoadBalancerIngress { ip: Some(ip), ..Default::default() }]),
        });
        self.write(api, next, true)?;
        self.allocated.insert(free, key.to_string());
        self.creating.remove(key);
        self.recorder.event(api, &obj, None, EventKind::Normal, "EnsuredLoadBalancer", "Ensured load balancer");
        Ok(Requeue::No)
    }

    fn run(&mut self, ctx: &mut Ctx<'_>) {
        let mut queue = std::mem::take(&mut self.queue);
        queue.run(ctx, |key, ctx| self.sync(key, ctx.api));
        self.queue = queue;
    }
}

impl Process for CloudControllerManager {
    fn component(&self) -> Component {
        Component::CloudControllerManager
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        for d in start_informer(&mut self.services, &self.who, ctx) {
            self.on_service(&d);
        }
        self.run(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.services.stop(api);
        self.queue.clear();
        self.creating.clear();
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for ev in events {
            if let Some(d) = self.services.handle(ev) {
                self.on_service(&d);
            }
        }
        self.run(ctx);
    }

    fn on_timer(&mut self, _token: u64, ctx: &mut Ctx<'_>) {
        self.run(ctx);
    }
}
