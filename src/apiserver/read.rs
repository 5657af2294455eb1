//! `get`, `list` and `watch`. Lists read one consistent revision of the store and filter by label and
//! field selectors; a watch replays history after its resourceVersion, then follows live changes.

use super::watch::WatchFilter;
use super::{
    ApiError, ApiServer, EventType, Identity, ListOptions, ObjectList, WatchEvent, WatchId, fieldselect, keys,
};
use crate::api::{Kind, Object};
use crate::store::StoreError;

/// Whether `obj` passes the options' selectors.
fn selected(obj: &Object, opts: &ListOptions) -> bool {
    if let Some(sel) = &opts.label_selector
        && !sel.matches(obj.meta().labels.as_ref().unwrap_or(&Default::default()))
    {
        return false;
    }
    if let Some(fields) = &opts.field_selector
        && !fields.matches(|field| fieldselect::field_value(obj, field))
    {
        return false;
    }
    true
}

impl ApiServer {
    pub fn get(&mut self, who: &Identity, kind: Kind, namespace: Option<&str>, name: &str) -> Result<Object, ApiError> {
        let oref = self.begin(who, "get", kind, namespace, name)?;
        let key = keys::object_key(kind, namespace, name);
        match self.store.get(&key).map(|kv| kv.value.clone()) {
            Some(obj) => {
                self.finish_ok(who, "get", &oref, obj.resource_version(), 200);
                Ok(obj)
            }
            None => {
                let err = ApiError::not_found(kind, name);
                self.finish_err(who, "get", &oref, &err);
                Err(err)
            }
        }
    }

    /// Reads an object without a request: for the api-server's own admission and for tests.
    pub fn peek(&self, kind: Kind, namespace: Option<&str>, name: &str) -> Option<Object> {
        self.store.get(&keys::object_key(kind, namespace, name)).map(|kv| kv.value.clone())
    }

    /// Objects of `kind` (in `namespace`, or everywhere) without a request and without trace entries:
    /// for front ends that draw the cluster, which must not add to the history they show.
    pub fn peek_list(&self, kind: Kind, namespace: Option<&str>) -> Vec<&Object> {
        let prefix = keys::list_prefix(kind, namespace);
        self.store.range(&prefix).map(|kv| &kv.value).collect()
    }

    /// How many pods are bound to `node`, from the index: cheap enough for a 5,000-node heat map.
    pub fn pod_count_on_node(&self, node: &str) -> usize {
        self.pods_by_node.get(node).map_or(0, |keys| keys.len())
    }

    pub fn list(
        &mut self,
        who: &Identity,
        kind: Kind,
        namespace: Option<&str>,
        opts: &ListOptions,
    ) -> Result<ObjectList, ApiError> {
        let oref = self.begin(who, "list", kind, namespace, "")?;
        if let Some(fields) = &opts.field_selector
            && let Err(e) = fieldselect::check_supported(kind, fields)
        {
            self.finish_err(who, "list", &oref, &e);
            return Err(e);
        }
        let prefix = keys::list_prefix(kind, namespace);
        let node = opts
            .field_selector
            .as_ref()
            .and_then(|f| f.requires_exact_match("spec.nodeName"))
            .filter(|n| kind == Kind::Pod && !n.is_empty());
        let items: Vec<Object> = match node {
            Some(node) => self
                .pods_on_node(node)
                .filter(|obj| namespace.is_none_or(|ns| obj.namespace() == Some(ns)))
                .filter(|obj| selected(obj, opts))
                .cloned()
                .collect(),
            None => self.store.range(&prefix).map(|kv| &kv.value).filter(|obj| selected(obj, opts)).cloned().collect(),
        };
        let rv = self.store.revision();
        self.finish_ok(who, "list", &oref, rv, 200);
        Ok(ObjectList { items, resource_version: rv })
    }

    /// Opens a watch. With `from_revision`, changes after it are replayed first (410 Expired if that
    /// history was compacted); without, the watch starts now. Replayed and live notifications alike
    /// come out of `take_events`.
    pub fn watch(
        &mut self,
        who: &Identity,
        kind: Kind,
        namespace: Option<&str>,
        opts: &ListOptions,
        from_revision: Option<i64>,
    ) -> Result<WatchId, ApiError> {
        let oref = self.begin(who, "watch", kind, namespace, "")?;
        if let Some(fields) = &opts.field_selector
            && let Err(e) = fieldselect::check_supported(kind, fields)
        {
            self.finish_err(who, "watch", &oref, &e);
            return Err(e);
        }
        let prefix = keys::list_prefix(kind, namespace);
        let mut backlog = Vec::new();
        if let Some(from) = from_revision.filter(|rv| *rv > 0) {
            let replay: Result<Vec<_>, StoreError> = self.store.events_since(&prefix, from).map(|events| {
                events
                    .map(|e| {
                        (
                            e.prev_kv.as_ref().map(|kv| kv.value.clone()),
                            e.kv.value.clone(),
                            e.kind == crate::store::EventKind::Delete,
                        )
                    })
                    .collect()
            });
            match replay {
                Ok(events) => backlog = events,
                Err(StoreError::Compacted { requested, oldest }) => {
                    let err = ApiError::expired(format!("too old resource version: {requested} ({oldest})"));
                    self.finish_err(who, "watch", &oref, &err);
                    return Err(err);
                }
                Err(other) => return Err(ApiError::internal(other.to_string())),
            }
        }
        let node_name = match (&opts.field_selector, kind) {
            (Some(f), Kind::Pod) => f.requires_exact_match("spec.nodeName").map(str::to_string),
            _ => None,
        };
        let sel = opts.clone();
        let id = self.watches.open(WatchFilter {
            kind,
            namespace: namespace.filter(|_| kind.namespaced()).map(str::to_string),
            node_name,
            predicate: Box::new(move |o| selected(o, &sel)),
        });
        for (prev, obj, deleted) in backlog {
            let was = prev.as_ref().is_some_and(|p| self.watches.selects(id, p));
            let is = self.watches.selects(id, &obj);
            let event_type = match (was, is, deleted) {
                (true, _, true) => EventType::Deleted,
                (false, true, false) => EventType::Added,
                (true, true, false) => EventType::Modified,
                (true, false, false) => EventType::Deleted,
                _ => continue,
            };
            let object_ref = Self::object_ref(kind, obj.namespace(), obj.name());
            self.pending.push(WatchEvent { watch: id, event_type, object: obj, object_ref });
        }
        self.finish_ok(who, "watch", &oref, self.store.revision(), 200);
        Ok(id)
    }

    pub fn stop_watch(&mut self, id: WatchId) {
        self.watches.close(id);
    }
}
