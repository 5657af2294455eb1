//! Validation of `metadata` common to every kind: the name's format per kind, namespace presence,
//! labels and annotations (ValidateObjectMeta upstream).

use crate::api::{Kind, Object, names};
use crate::apiserver::field::FieldError;

/// The name rule a kind uses: most take a DNS-1123 subdomain, a few a DNS-1123 label, Services a
/// DNS-1035 label.
fn name_errors(kind: Kind, name: &str) -> Vec<String> {
    match kind {
        Kind::Namespace => names::is_dns1123_label(name),
        Kind::Service => names::is_dns1035_label(name),
        // RBAC names are path segments: anything but `.`, `..`, `/` and `%`.
        Kind::Role | Kind::ClusterRole | Kind::RoleBinding | Kind::ClusterRoleBinding => {
            if name == "." || name == ".." {
                vec![format!("may not be '{name}'")]
            } else if name.contains('/') || name.contains('%') {
                vec![format!("may not contain '{}'", if name.contains('/') { "/" } else { "%" })]
            } else {
                Vec::new()
            }
        }
        _ => names::is_dns1123_subdomain(name),
    }
}

pub fn validate_object_meta(obj: &Object) -> Vec<FieldError> {
    let kind = obj.kind();
    let meta = obj.meta();
    let mut errors = Vec::new();
    let name = meta.name.as_deref().unwrap_or("");
    if name.is_empty() {
        errors.push(FieldError::required("metadata.name", "name or generateName is required"));
    } else {
        for msg in name_errors(kind, name) {
            errors.push(FieldError::invalid("metadata.name", name, &msg));
        }
    }
    if kind.namespaced() && meta.namespace.as_deref().is_none_or(str::is_empty) {
        errors.push(FieldError::required("metadata.namespace", ""));
    }
    if let Some(lbls) = &meta.labels {
        for (k, v) in lbls {
            for msg in names::is_qualified_name(k) {
                errors.push(FieldError::invalid("metadata.labels", k, &msg));
            }
            for msg in names::is_valid_label_value(v) {
                errors.push(FieldError::invalid("metadata.labels", v, &msg));
            }
        }
    }
    if let Some(ann) = &meta.annotations {
        let mut total = 0usize;
        for (k, v) in ann {
            for msg in names::is_qualified_name(&k.to_lowercase()) {
                errors.push(FieldError::invalid("metadata.annotations", k, &msg));
            }
            total += k.len() + v.len();
        }
        if total > 256 * 1024 {
            errors.push(FieldError::too_long("metadata.annotations", 256 * 1024));
        }
    }
    errors
}
