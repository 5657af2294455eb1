//! `create`: name generation, admission, defaulting and validation, then an etcd create that fails
//! with AlreadyExists if the name is taken.

use super::{ApiError, ApiServer, Identity, Write, WriteOptions, admission, keys, strategy};
use crate::api::{Object, names};

impl ApiServer {
    /// Creates `obj` in its namespace (`default` when a namespaced object has none).
    pub fn create(&mut self, who: &Identity, mut obj: Object, opts: &WriteOptions) -> Result<Object, ApiError> {
        let kind = obj.kind();
        let namespace = kind.namespaced().then(|| obj.namespace().unwrap_or("default").to_string());
        obj.meta_mut().namespace = namespace.clone();
        let shown_name = match (obj.name(), obj.meta().generate_name.as_deref()) {
            ("", Some(base)) => base.to_string(),
            (name, _) => name.to_string(),
        };
        let oref = self.begin(who, "create", kind, namespace.as_deref(), &shown_name)?;
        let result = self.admit_and_store(who, obj, opts);
        match &result {
            Ok(created) => {
                let rv = created.resource_version();
                let mut done = oref.clone();
                done.name = created.name().into();
                self.finish_ok(who, "create", &done, rv, 201);
            }
            Err(e) => self.finish_err(who, "create", &oref, e),
        }
        result
    }

    fn admit_and_store(&mut self, who: &Identity, mut obj: Object, opts: &WriteOptions) -> Result<Object, ApiError> {
        let kind = obj.kind();
        admission::admit_create(&self.store, who, &mut obj)?;
        if obj.name().is_empty() {
            match obj.meta().generate_name.clone() {
                Some(base) if !base.is_empty() => {
                    let rng = &mut self.rng;
                    obj.meta_mut().name = Some(names::generate_name(&base, &mut || rng.next_u64()));
                }
                _ => {
                    return Err(ApiError::invalid(
                        kind,
                        "",
                        vec![super::field::FieldError::required("metadata.name", "name or generateName is required")],
                    ));
                }
            }
        }
        let uid = self.new_uid();
        let now = self.clock.unix_millis(self.clock.now());
        strategy::prepare_for_create(&mut obj, &uid, now);
        let errors = strategy::validate_create(&obj);
        if !errors.is_empty() {
            return Err(ApiError::invalid(kind, obj.name(), errors));
        }
        let receipt = match &mut obj {
            Object::Service(svc) => {
                let name = svc.metadata.name.clone().unwrap_or_default();
                Some(self.services.assign(svc, None, &mut self.rng).map_err(|e| ApiError::invalid(kind, &name, e))?)
            }
            _ => None,
        };
        let oref = Self::object_ref(kind, obj.namespace(), obj.name());
        self.stage("admission", &oref, "admitted and validated".into());
        let key = keys::object_key(kind, obj.namespace(), obj.name());
        let result = if opts.dry_run { Ok(obj) } else { self.commit(kind, &key, &oref, Write::Create(obj)) };
        if let Some(r) = receipt.filter(|_| opts.dry_run || result.is_err()) {
            self.services.undo(r);
        }
        result
    }

    /// A random (version 4) UUID from the api-server's seeded stream.
    fn new_uid(&mut self) -> String {
        let a = self.rng.next_u64();
        let b = self.rng.next_u64();
        let hex = format!("{a:016x}{b:016x}");
        format!(
            "{}-{}-4{}-{:x}{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[13..16],
            8 | (b >> 60) & 0x3,
            &hex[17..20],
            &hex[20..32]
        )
    }
}
