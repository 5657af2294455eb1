//! `create`: name generation, admission, defaulting and validation, then an etcd create that fails
//! with AlreadyExists if the name is taken.

use super::{ApiError, ApiServer, Identity, Write, WriteOptions, admission, keys, strategy};
use crate::api::{Object, names};
use crate::sim::trace::ObjectRef;

impl ApiServer {
    /// Creates `obj` in its namespace (`default` when a namespaced object has none).
    pub fn create(&mut self, who: &Identity, mut obj: Object, opts: &WriteOptions) -> Result<Object, ApiError> {
        let kind = obj.kind();
        // Written only when it changes: the object is usually unshared, but a write through
        // `meta_mut` would copy a shared one.
        if !kind.namespaced() && obj.namespace().is_some() {
            obj.meta_mut().namespace = None;
        } else if kind.namespaced() && obj.namespace().is_none() {
            obj.meta_mut().namespace = Some("default".into());
        }
        let oref = {
            let shown_name = match (obj.name(), obj.meta().generate_name.as_deref()) {
                ("", Some(base)) => base,
                (name, _) => name,
            };
            self.begin(who, "create", kind, obj.namespace(), shown_name)?
        };
        let result = self.admit_and_store(who, obj, opts, &oref);
        match &result {
            Ok(created) => {
                let done = Self::renamed(&oref, created.name());
                self.finish_ok(who, "create", &done, created.resource_version(), 201);
            }
            Err(e) => self.finish_err(who, "create", &oref, e),
        }
        result
    }

    /// `oref` under the name the object got (a generated one), sharing what it can.
    fn renamed(oref: &ObjectRef, name: &str) -> ObjectRef {
        match &*oref.name == name {
            true => oref.clone(),
            false => ObjectRef { kind: oref.kind, namespace: oref.namespace.clone(), name: name.into() },
        }
    }

    fn admit_and_store(
        &mut self,
        who: &Identity,
        mut obj: Object,
        opts: &WriteOptions,
        requested: &ObjectRef,
    ) -> Result<Object, ApiError> {
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
        let oref = Self::renamed(requested, obj.name());
        self.stage("admission", &oref, "admitted and validated");
        let key = keys::object_key(kind, obj.namespace(), obj.name());
        let result = if opts.dry_run { Ok(obj) } else { self.commit(kind, &key, &oref, Write::Create(obj)) };
        if let Some(r) = receipt.filter(|_| opts.dry_run || result.is_err()) {
            self.services.undo(r);
        }
        result
    }

    /// A random (version 4) UUID from the api-server's seeded stream, written digit by digit:
    /// every create makes one, and formatting it with `format!` showed in the create profile.
    fn new_uid(&mut self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let (a, b) = (self.rng.next_u64(), self.rng.next_u64());
        let nibble = |i: usize| -> u8 {
            let word = if i < 16 { a } else { b };
            HEX[((word >> (60 - 4 * (i % 16))) & 0xf) as usize]
        };
        let mut uid = String::with_capacity(36);
        for i in 0..32 {
            match i {
                8 | 12 | 16 | 20 => uid.push('-'),
                _ => {}
            }
            let digit = match i {
                12 => b'4',
                16 => HEX[(8 | (b >> 60) & 0x3) as usize],
                _ => nibble(i),
            };
            uid.push(char::from(digit));
        }
        uid
    }
}
