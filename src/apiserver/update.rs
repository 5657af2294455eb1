//! `update`, `update_status` and `patch`: optimistic concurrency on resourceVersion, the split between
//! the main resource and the status subresource, generation bumps on spec changes, and completion of a
//! deletion when the last finalizer goes.

use super::patch::{Patch, apply_patch};
use super::{ApiError, ApiServer, Identity, PatchOptions, Write, WriteOptions, keys, strategy};
use crate::api::{Kind, Object};

impl ApiServer {
    /// `PUT` on the main resource: status changes in `obj` are ignored for kinds with a status
    /// subresource.
    pub fn update(&mut self, who: &Identity, obj: Object, opts: &WriteOptions) -> Result<Object, ApiError> {
        self.guarded_update(who, obj, false, opts)
    }

    /// `PUT` on `/status`: only the status changes.
    pub fn update_status(&mut self, who: &Identity, obj: Object) -> Result<Object, ApiError> {
        self.guarded_update(who, obj, true, &WriteOptions::default())
    }

    /// `PATCH`: applies `patch` to the current object and updates it (no resourceVersion check unless the
    /// patch sets one).
    pub fn patch(
        &mut self,
        who: &Identity,
        kind: Kind,
        namespace: Option<&str>,
        name: &str,
        patch: &Patch,
        opts: &PatchOptions,
    ) -> Result<Object, ApiError> {
        let oref = self.begin(who, "patch", kind, namespace, name)?;
        let result = (|| {
            let key = keys::object_key(kind, namespace, name);
            let current =
                self.store.get(&key).map(|kv| kv.value.clone()).ok_or_else(|| ApiError::not_found(kind, name))?;
            let patched = apply_patch(kind, &current.to_value(), patch)?;
            let mut obj = Object::from_value(kind, patched).map_err(|e| ApiError::bad_request(e.to_string()))?;
            if obj.meta().resource_version.is_none() {
                obj.meta_mut().resource_version = current.meta().resource_version.clone();
            }
            self.apply_update(obj, current, opts.status, &WriteOptions { dry_run: opts.dry_run })
        })();
        self.finish(who, "patch", &oref, &result);
        result
    }

    fn guarded_update(
        &mut self,
        who: &Identity,
        obj: Object,
        status: bool,
        opts: &WriteOptions,
    ) -> Result<Object, ApiError> {
        let kind = obj.kind();
        let namespace = if kind.namespaced() { Some(obj.namespace().unwrap_or("default").to_string()) } else { None };
        let name = obj.name().to_string();
        let verb = if status { "update/status" } else { "update" };
        let oref = self.begin(who, verb, kind, namespace.as_deref(), &name)?;
        let key = keys::object_key(kind, namespace.as_deref(), &name);
        let result = match self.store.get(&key).map(|kv| kv.value.clone()) {
            Some(current) => {
                let mut obj = obj;
                obj.meta_mut().namespace = namespace;
                self.apply_update(obj, current, status, opts)
            }
            None => Err(ApiError::not_found(kind, &name)),
        };
        self.finish(who, verb, &oref, &result);
        result
    }

    fn finish(
        &mut self,
        who: &Identity,
        verb: &'static str,
        oref: &crate::sim::trace::ObjectRef,
        result: &Result<Object, ApiError>,
    ) {
        match result {
            Ok(o) => self.finish_ok(who, verb, oref, o.resource_version(), 200),
            Err(e) => self.finish_err(who, verb, oref, e),
        }
    }

    fn apply_update(
        &mut self,
        mut obj: Object,
        current: Object,
        status: bool,
        opts: &WriteOptions,
    ) -> Result<Object, ApiError> {
        let kind = obj.kind();
        let name = current.name().to_string();
        let current_rv = current.resource_version();
        let expect_rv = match obj.meta().resource_version.as_deref().filter(|rv| !rv.is_empty()) {
            Some(rv) => match rv.parse::<i64>() {
                Ok(rv) if rv == current_rv => rv,
                Ok(_) => return Err(ApiError::conflict(kind, &name)),
                Err(_) => {
                    return Err(ApiError::bad_request(format!(
                        "metadata.resourceVersion: Invalid value: \"{rv}\": must be a valid resource version"
                    )));
                }
            },
            None => current_rv,
        };
        strategy::prepare_for_update(&mut obj, &current, status);
        let errors = strategy::validate_update(&obj, &current);
        if !errors.is_empty() {
            return Err(ApiError::invalid(kind, &name, errors));
        }
        let receipt = match (&mut obj, &current, status) {
            (Object::Service(svc), Object::Service(old), false) => Some(
                self.services.assign(svc, Some(old), &mut self.rng).map_err(|e| ApiError::invalid(kind, &name, e))?,
            ),
            _ => None,
        };
        let result = self.store_update(obj, current, expect_rv, opts);
        if let Some(r) = receipt.filter(|_| opts.dry_run || result.is_err()) {
            self.services.undo(r);
        }
        result
    }

    fn store_update(
        &mut self,
        obj: Object,
        current: Object,
        expect_rv: i64,
        opts: &WriteOptions,
    ) -> Result<Object, ApiError> {
        let kind = obj.kind();
        let name = current.name().to_string();
        if opts.dry_run {
            return Ok(obj);
        }
        let key = keys::object_key(kind, obj.namespace(), &name);
        let oref = Self::object_ref(kind, obj.namespace(), &name);
        // Removing the last finalizer of a terminating object (for a Namespace, also the last of
        // `spec.finalizers`) completes its deletion.
        let finalized = obj.meta().deletion_timestamp.is_some()
            && !strategy::finalizers_pending(&obj)
            && strategy::deletion_grace_elapsed(&obj, self.clock.unix_millis(self.clock.now()));
        if finalized {
            self.commit(kind, &key, &oref, Write::Delete { expect_rv })?;
            return Ok(obj);
        }
        if strategy::same_object(&obj, &current) {
            return Ok(current);
        }
        self.commit(kind, &key, &oref, Write::Update { new: obj, expect_rv })
    }
}
