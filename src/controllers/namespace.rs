//! The namespace controller: empties a terminating namespace and then lets it go. When a namespace
//! is deleted the api-server only marks it Terminating (its `spec.finalizers` holds `kubernetes`);
//! this controller deletes every namespaced object in it, reports what is still there in the
//! namespace's deletion conditions, looks again while content remains (pods finishing their grace
//! period, objects waiting on finalizers), and finally removes the `kubernetes` finalizer, which
//! completes the deletion.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Namespace, NamespaceCondition};

use super::queue::{KeyQueue, Requeue};
use super::{SyncError, controller_identity, record_decision};
use crate::api::{Kind, Object};
use crate::apiserver::strategy::timestamp;
use crate::apiserver::{ApiServer, DeleteOptions, Identity, ListOptions, Reason, WatchEvent, WriteOptions};
use crate::client::{Ctx, Delta, Informer, Process};
use crate::sim::Duration;
use crate::sim::trace::Component;

const NAME: &str = "namespace";
/// The finalizer the namespace controller owns.
pub const FINALIZER: &str = "kubernetes";
/// How long to wait before looking again at content that waits on finalizers (no grace period to go by).
const RETRY_REMAINING: Duration = Duration::from_secs(5);

/// The namespace controller process.
pub struct NamespaceController {
    who: Identity,
    namespaces: Informer,
    queue: KeyQueue,
}

impl Default for NamespaceController {
    fn default() -> Self {
        Self::new()
    }
}

/// What is left in a namespace after a round of deletes.
#[derive(Debug, Default)]
struct Remaining {
    /// Resource (`pods.`, `replicasets.apps`) → count.
    resources: BTreeMap<String, usize>,
    /// Finalizer → count of objects holding it.
    finalizers: BTreeMap<String, usize>,
    /// The longest grace period a terminating pod still has, in seconds.
    estimate_secs: i64,
}

impl NamespaceController {
    pub fn new() -> Self {
        NamespaceController {
            who: controller_identity(NAME),
            namespaces: Informer::new(Kind::Namespace, None, ListOptions::default()),
            queue: KeyQueue::default(),
        }
    }

    fn on_delta(&mut self, delta: &Delta) {
        if let Delta::Added(o) | Delta::Updated { new: o, .. } = delta
            && o.meta().deletion_timestamp.is_some()
        {
            self.queue.add(o.name().to_string());
        }
    }

    /// `syncNamespaceFromKey` / the namespaced-resources deleter.
    fn sync_namespace(&mut self, name: &str, api: &mut ApiServer) -> Result<Requeue, SyncError> {
        let Some(Object::Namespace(ns)) = self.namespaces.cache().get(name).cloned() else { return Ok(Requeue::No) };
        if ns.metadata.deletion_timestamp.is_none() {
            return Ok(Requeue::No);
        }
        let remaining = self.delete_all_content(name, api)?;
        let ns = self.update_conditions(api, ns, &remaining)?;
        if !remaining.resources.is_empty() {
            let wait = if remaining.estimate_secs > 0 {
                Duration::from_secs(u64::try_from(remaining.estimate_secs).unwrap_or(1))
            } else {
                RETRY_REMAINING
            };
            return Ok(Requeue::At(api.now().after(wait)));
        }
        let mut next = (*ns).clone();
        if let Some(spec) = &mut next.spec
            && let Some(f) = &mut spec.finalizers
        {
            f.retain(|x| x != FINALIZER);
        }
        let obj = Object::Namespace(Arc::new(next));
        record_decision(
            api,
            NAME,
            "finalize",
            &obj,
            format!("namespace {name} is empty: removing the kubernetes finalizer"),
        );
        match api.update(&self.who, obj, &WriteOptions::default()) {
            Ok(_) => Ok(Requeue::No),
            Err(e) if e.reason == Reason::NotFound => Ok(Requeue::No),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes every namespaced object in `namespace` and counts what is still there.
    fn delete_all_content(&mut self, namespace: &str, api: &mut ApiServer) -> Result<Remaining, SyncError> {
        let mut remaining = Remaining::default();
        let now_ms = api.clock().unix_millis(api.now());
        for &kind in Kind::ALL.iter().filter(|k| k.namespaced()) {
            let items = api.list(&self.who, kind, Some(namespace), &ListOptions::default())?.items;
            if items.is_empty() {
                continue;
            }
            for obj in &items {
                if obj.meta().deletion_timestamp.is_none() {
                    match api.delete(&self.who, kind, Some(namespace), obj.name(), &DeleteOptions::default()) {
                        Ok(_) => {}
                        Err(e) if e.reason == Reason::NotFound => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            // What the deletes left: terminating pods and objects that wait on finalizers.
            for obj in api.list(&self.who, kind, Some(namespace), &ListOptions::default())?.items {
                let group = kind.group();
                *remaining.resources.entry(format!("{}.{group}", kind.plural())).or_default() += 1;
                for f in obj.meta().finalizers.iter().flatten() {
                    *remaining.finalizers.entry(f.clone()).or_default() += 1;
                }
                if let Some(t) = &obj.meta().deletion_timestamp {
                    let left = (t.0.as_millisecond() - now_ms).div_euclid(1000) + 1;
                    remaining.estimate_secs = remaining.estimate_secs.max(left);
                }
            }
        }
        Ok(remaining)
    }

    /// The deletion conditions upstream reports on a terminating namespace.
    fn update_conditions(
        &mut self,
        api: &mut ApiServer,
        ns: Arc<Namespace>,
        remaining: &Remaining,
    ) -> Result<Arc<Namespace>, SyncError> {
        let now = timestamp(api.clock().unix_millis(api.now()));
        let cond = |type_: &str, status: bool, reason: &str, message: String| NamespaceCondition {
            type_: type_.into(),
            status: if status { "True" } else { "False" }.into(),
            reason: Some(reason.into()),
            message: Some(message),
            last_transition_time: Some(now.clone()),
        };
        let content = if remaining.resources.is_empty() {
            cond("NamespaceContentRemaining", false, "ContentRemoved", "All content successfully removed".into())
        } else {
            let list: Vec<String> =
                remaining.resources.iter().map(|(r, n)| format!("{r} has {n} resource instances")).collect();
            cond(
                "NamespaceContentRemaining",
                true,
                "SomeResourcesRemain",
                format!("Some resources are remaining: {}", list.join(", ")),
            )
        };
        let finalizers = if remaining.finalizers.is_empty() {
            cond(
                "NamespaceFinalizersRemaining",
                false,
                "ContentHasNoFinalizers",
                "All content-preserving finalizers finished".into(),
            )
        } else {
            let list: Vec<String> =
                remaining.finalizers.iter().map(|(f, n)| format!("{f} in {n} resource instances")).collect();
            cond(
                "NamespaceFinalizersRemaining",
                true,
                "SomeFinalizersRemain",
                format!("Some content in the namespace has finalizers remaining: {}", list.join(", ")),
            )
        };
        let wanted = [
            cond(
                "NamespaceDeletionDiscoveryFailure",
                false,
                "ResourcesDiscovered",
                "All resources successfully discovered".into(),
            ),
            cond(
                "NamespaceDeletionGroupVersionParsingFailure",
                false,
                "ParsedGroupVersions",
                "All legacy kube types successfully parsed".into(),
            ),
            cond(
                "NamespaceDeletionContentFailure",
                false,
                "ContentDeleted",
                "All content successfully deleted, may be waiting on finalization".into(),
            ),
            content,
            finalizers,
        ];
        let mut next = (*ns).clone();
        let status = next.status.get_or_insert_with(Default::default);
        let conditions = status.conditions.get_or_insert_with(Vec::new);
        let mut changed = false;
        for c in wanted {
            match conditions.iter_mut().find(|x| x.type_ == c.type_) {
                Some(x) if x.status == c.status && x.reason == c.reason && x.message == c.message => {}
                Some(x) => {
                    *x = c;
                    changed = true;
                }
                None => {
                    conditions.push(c);
                    changed = true;
                }
            }
        }
        if !changed {
            return Ok(ns);
        }
        match api.update_status(&self.who, Object::Namespace(Arc::new(next))) {
            Ok(Object::Namespace(stored)) => Ok(stored),
            Ok(_) => Ok(ns),
            Err(e) if e.reason == Reason::NotFound => Ok(ns),
            Err(e) => Err(e.into()),
        }
    }

    fn run(&mut self, ctx: &mut Ctx<'_>) {
        let mut queue = std::mem::take(&mut self.queue);
        queue.run(ctx, |key, ctx| self.sync_namespace(key, ctx.api));
        self.queue = queue;
    }
}

impl Process for NamespaceController {
    fn component(&self) -> Component {
        Component::ControllerManager(NAME)
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        let deltas = self.namespaces.start(ctx.api, &self.who).unwrap_or_default();
        if let Some(id) = self.namespaces.watch_id() {
            ctx.own_watch(id);
        }
        for d in &deltas {
            self.on_delta(d);
        }
        self.run(ctx);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        self.namespaces.stop(api);
        self.queue.clear();
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        for ev in events {
            if let Some(d) = self.namespaces.handle(ev) {
                self.on_delta(&d);
            }
        }
        self.run(ctx);
    }

    fn on_timer(&mut self, _token: u64, ctx: &mut Ctx<'_>) {
        self.run(ctx);
    }
}
