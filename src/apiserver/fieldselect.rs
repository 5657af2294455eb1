//! Field selectors as the api-server supports them: `metadata.name` and `metadata.namespace` for every
//! kind, plus each kind's own fields (pods' `spec.nodeName` and `status.phase`, events'
//! `involvedObject.*` and `reason`, ...). Anything else is rejected as upstream rejects it.

use super::ApiError;
use crate::api::fields::FieldSelector;
use crate::api::{Kind, Object};

/// The fields a kind can be selected by, beyond `metadata.name`/`metadata.namespace`.
fn kind_fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Pod => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.podIPs",
            "status.nominatedNodeName",
        ],
        Kind::Event => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        Kind::Node => &["spec.unschedulable"],
        Kind::Namespace => &["status.phase"],
        Kind::Secret => &["type"],
        Kind::ReplicaSet => &["status.replicas"],
        Kind::Job => &["status.successful"],
        _ => &[],
    }
}

/// Rejects selectors over fields the kind does not support, with upstream's message.
pub fn check_supported(kind: Kind, selector: &FieldSelector) -> Result<(), ApiError> {
    let mut supported = vec!["metadata.name", "metadata.namespace"];
    supported.extend_from_slice(kind_fields(kind));
    selector.check_supported(&supported).map_err(|e| ApiError::bad_request(e.to_string()))
}

/// The value of a selectable field of `obj` (empty string when unset, as upstream's field sets have it).
pub fn field_value(obj: &Object, field: &str) -> Option<String> {
    let s = |v: Option<&str>| Some(v.unwrap_or("").to_string());
    match field {
        "metadata.name" => return s(Some(obj.name())),
        "metadata.namespace" => return s(obj.namespace()),
        _ => {}
    }
    match obj {
        Object::Pod(p) => {
            let spec = p.spec.as_ref();
            let status = p.status.as_ref();
            match field {
                "spec.nodeName" => s(spec.and_then(|s| s.node_name.as_deref())),
                "spec.restartPolicy" => s(spec.and_then(|s| s.restart_policy.as_deref())),
                "spec.schedulerName" => s(spec.and_then(|s| s.scheduler_name.as_deref())),
                "spec.serviceAccountName" => s(spec.and_then(|s| s.service_account_name.as_deref())),
                "spec.hostNetwork" => Some(spec.and_then(|s| s.host_network).unwrap_or(false).to_string()),
                "status.phase" => s(status.and_then(|s| s.phase.as_deref())),
                "status.podIP" => s(status.and_then(|s| s.pod_ip.as_deref())),
                "status.nominatedNodeName" => s(status.and_then(|s| s.nominated_node_name.as_deref())),
                _ => None,
            }
        }
        Object::Event(e) => {
            let io = &e.involved_object;
            match field {
                "involvedObject.kind" => s(io.kind.as_deref()),
                "involvedObject.namespace" => s(io.namespace.as_deref()),
                "involvedObject.name" => s(io.name.as_deref()),
                "involvedObject.uid" => s(io.uid.as_deref()),
                "involvedObject.apiVersion" => s(io.api_version.as_deref()),
                "involvedObject.resourceVersion" => s(io.resource_version.as_deref()),
                "involvedObject.fieldPath" => s(io.field_path.as_deref()),
                "reason" => s(e.reason.as_deref()),
                "reportingComponent" => s(e.reporting_component.as_deref()),
                "source" => s(e.source.as_ref().and_then(|src| src.component.as_deref())),
                "type" => s(e.type_.as_deref()),
                _ => None,
            }
        }
        Object::Node(n) => match field {
            "spec.unschedulable" => Some(n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false).to_string()),
            _ => None,
        },
        Object::Namespace(n) => match field {
            "status.phase" => s(n.status.as_ref().and_then(|s| s.phase.as_deref())),
            _ => None,
        },
        Object::Secret(sec) => match field {
            "type" => s(sec.type_.as_deref()),
            _ => None,
        },
        Object::ReplicaSet(rs) => match field {
            "status.replicas" => Some(rs.status.as_ref().map_or(0, |s| s.replicas).to_string()),
            _ => None,
        },
        Object::Job(j) => match field {
            "status.successful" => Some(j.status.as_ref().and_then(|s| s.succeeded).unwrap_or(0).to_string()),
            _ => None,
        },
        _ => None,
    }
}
