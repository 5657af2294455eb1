//! `delete` and `deletecollection`: graceful deletion for pods (a deletionTimestamp and grace period,
//! then the kubelet's final delete), finalizers and the propagation policy recorded for the garbage
//! collector (`foregroundDeletion`, `orphan`), and namespaces that go Terminating first.

use std::sync::Arc;

use super::{ApiError, ApiServer, DeleteOptions, Deleted, Identity, ListOptions, Propagation, Write, keys, strategy};
use crate::api::{Kind, Object};

pub const FOREGROUND_FINALIZER: &str = "foregroundDeletion";
pub const ORPHAN_FINALIZER: &str = "orphan";

impl ApiServer {
    pub fn delete(
        &mut self,
        who: &Identity,
        kind: Kind,
        namespace: Option<&str>,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<Deleted, ApiError> {
        let oref = self.begin(who, "delete", kind, namespace, name)?;
        let result =
            super::admission::validate_delete(kind, name).and_then(|()| self.delete_inner(kind, namespace, name, opts));
        match &result {
            Ok(d) => self.finish_ok(who, "delete", &oref, d.object().resource_version(), 200),
            Err(e) => self.finish_err(who, "delete", &oref, e),
        }
        result
    }

    pub(super) fn delete_inner(
        &mut self,
        kind: Kind,
        namespace: Option<&str>,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<Deleted, ApiError> {
        let key = keys::object_key(kind, namespace, name);
        let current = self.store.get(&key).map(|kv| kv.value.clone()).ok_or_else(|| ApiError::not_found(kind, name))?;
        let oref = Self::object_ref(kind, namespace, name);
        let now_ms = self.clock.unix_millis(self.clock.now());
        let grace = strategy::deletion_grace_seconds(&current, opts.grace_period_seconds);
        let mut next = current.clone();
        let meta = next.meta_mut();
        let mut finalizers = meta.finalizers.clone().unwrap_or_default();
        let already_terminating = meta.deletion_timestamp.is_some();
        match opts.propagation {
            Some(Propagation::Foreground) if !finalizers.iter().any(|f| f == FOREGROUND_FINALIZER) => {
                finalizers.push(FOREGROUND_FINALIZER.into());
            }
            Some(Propagation::Orphan) if !finalizers.iter().any(|f| f == ORPHAN_FINALIZER) => {
                finalizers.push(ORPHAN_FINALIZER.into());
            }
            _ => {}
        }
        let namespace_finalizers = matches!(&next, Object::Namespace(ns) if ns.spec.as_ref().and_then(|s| s.finalizers.as_ref()).is_some_and(|f| !f.is_empty()));
        let waits = !finalizers.is_empty() || grace > 0 || namespace_finalizers;
        if opts.dry_run {
            return Ok(if waits { Deleted::Terminating(next) } else { Deleted::Gone(current) });
        }
        if !waits {
            self.commit(kind, &key, &oref, Write::Delete { expect_rv: current.resource_version() })?;
            return Ok(Deleted::Gone(current));
        }
        if already_terminating && finalizers == next.meta().finalizers.clone().unwrap_or_default() {
            // A second delete only shortens a pod's grace period.
            let shorter = match (&next.meta().deletion_grace_period_seconds, grace) {
                (Some(old), g) => g < *old,
                (None, _) => false,
            };
            if !shorter {
                return Ok(Deleted::Terminating(current));
            }
        }
        let meta = next.meta_mut();
        meta.finalizers = (!finalizers.is_empty()).then_some(finalizers);
        meta.deletion_grace_period_seconds = Some(grace);
        meta.deletion_timestamp = Some(strategy::timestamp(now_ms + grace * 1000));
        if let Object::Namespace(ns) = &mut next {
            let ns = Arc::make_mut(ns);
            ns.status.get_or_insert_with(Default::default).phase = Some("Terminating".into());
        }
        let expect_rv = current.resource_version();
        let updated = self.commit(kind, &key, &oref, Write::Update { new: next, expect_rv })?;
        Ok(Deleted::Terminating(updated))
    }

    /// Deletes every object of `kind` in `namespace` that the options select; returns what it deleted.
    pub fn delete_collection(
        &mut self,
        who: &Identity,
        kind: Kind,
        namespace: Option<&str>,
        list: &ListOptions,
        opts: &DeleteOptions,
    ) -> Result<Vec<Deleted>, ApiError> {
        let items = self.list(who, kind, namespace, list)?.items;
        let mut deleted = Vec::with_capacity(items.len());
        for obj in items {
            match self.delete(who, kind, obj.namespace(), obj.name(), opts) {
                Ok(d) => deleted.push(d),
                Err(e) if e.reason == super::Reason::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(deleted)
    }
}
