//! The ServiceAccount controller (`serviceaccount-controller`): every active namespace has the
//! `default` ServiceAccount; it is created with a new namespace and created again if deleted.

use std::sync::Arc;

use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::periodic::start_informer;
use super::queue::{KeyQueue, Requeue};
use super::{SyncError, controller_identity, record_decision};
use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, Identity, ListOptions, Reason, WatchEvent, WriteOptions};
use crate::client::{Ctx, Delta, Informer, Process};
use crate::sim::trace::Component;

const NAME: &str = "serviceaccount";
/// The accounts every namespace gets.
const MANAGED: &[&str] = &["default"];

/// The ServiceAccount controller process.
pub struct ServiceAccountController {
    who: Identity,
    namespaces: Informer,
    accounts: Informer,
    /// Namespace names.
    queue: KeyQueue,
}

impl Default for ServiceAccountController {
    fn default() -> Self {
        Self::new()
    }
}

impl ServiceAccountController {
    pub fn new() -> Self {
        ServiceAccountController {
            who: controller_identity(NAME),
            namespaces: Informer::new(Kind::Namespace, None, ListOptions::default()),
            accounts: Informer::new(Kind::ServiceAccount, None, ListOptions::default()),
            queue: KeyQueue::default(),
        }
    }

    fn on_namespace(&mut self, delta: &Delta) {
        if !matches!(delta, Delta::Deleted(_)) {
            self.queue.add(delta.object().name().to_string());
        }
    }

    fn on_account(&mut self, delta: &Delta) {
        if let Delta::Deleted(sa) = delta
            && MANAGED.contains(&sa.name())
        {
            self.queue.add(sa.namespace().unwrap_or("").to_string());
        }
    }

    /// `syncNamespace`.
    fn sync(&mut self, ns: &str, api: &mut ApiServer) -> Result<Requeue, SyncError> {
        let Some(Object::Namespace(namespace)) = self.namespaces.cache().get(ns) else { return Ok(Requeue::No) };
        let active = namespace.metadata.deletion_timestamp.is_none()
            && namespace.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Terminating");
        if !active {
            return Ok(Requeue::No);
        }
        for name in MANAGED {
            if self.accounts.cache().get(&format!("{ns}/{name}")).is_some() {
                continue;
            }
            let sa = Object::ServiceAccount(Arc::new(ServiceAccount {
                metadata: ObjectMeta {
                    name: Some(name.to_string()),
                    namespace: Some(ns.to_string()),
                    ..Default::default()
                },
                ..Default::default()
            }));
            record_decision(
                api,
                NAME,
                "create",
                &sa,
                format!("namespace {ns} has no {name} service account: creating it"),
            );
            match api.create(&self.who, sa, &WriteOptions::default()) {
                Ok(_) => {}
                Err(e) if matches!(e.reason, Reason::AlreadyExists | Reason::NotFound | Reason::Forbidden) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(Requeue::No)
    }

    fn run(&mut self, ctx: &mut Ctx<'_>) {
        let mut queue = std::mem::take(&mut self.queue);
        queue.run(ctx, |key, ctx| self.sync(key, ctx.api));
        self.queue = queue;
    }
}

impl Process for ServiceAccountController {
    fn component(&self) -> Component {
        Component::ControllerManager(NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        start_informer(&mut self.accounts, &self.who, ctx);
        for d in start_informer(&mut self.namespaces, &self.who, ctx) {
            self.on_namespace(&d);
        }
        self.run(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.namespaces.stop(api);
        self.accounts.stop(api);
        self.queue.clear();
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for ev in events {
            if let Some(d) = self.namespaces.handle(ev) {
                self.on_namespace(&d);
            } else if let Some(d) = self.accounts.handle(ev) {
                self.on_account(&d);
            }
        }
        self.run(ctx);
    }

    fn on_timer(&mut self, _token: u64, ctx: &mut Ctx<'_>) {
        self.run(ctx);
    }
}
