//! A manifest as kubectl's typed objects hold it. Commands that decode `-f` input into Go structs (`set`
//! with `--local`) print the struct's zero-valued non-pointer fields too: `strategy: {}`, `status: {}`,
//! `resources: {}` on each container. This fills in those fields for the workload kinds.

use serde_json::{Map, Value, json};

use crate::api::Kind;

/// Where a kind keeps its pod spec.
pub fn pod_spec_path(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Pod => Some("/spec"),
        Kind::Deployment | Kind::ReplicaSet | Kind::DaemonSet | Kind::StatefulSet | Kind::Job => {
            Some("/spec/template/spec")
        }
        Kind::CronJob => Some("/spec/jobTemplate/spec/template/spec"),
        _ => None,
    }
}

fn ensure(parent: &mut Value, key: &str, default: Value) {
    if let Some(m) = parent.as_object_mut() {
        m.entry(key).or_insert(default);
    }
}

fn ensure_path(value: &mut Value, path: &str, key: &str, default: Value) {
    if let Some(parent) = value.pointer_mut(path) {
        ensure(parent, key, default);
    }
}

fn containers(spec: &mut Value) {
    for list in ["initContainers", "containers"] {
        if let Some(Value::Array(cs)) = spec.get_mut(list) {
            for c in cs {
                ensure(c, "resources", Value::Object(Map::new()));
            }
        }
    }
}

/// Adds the zero-valued structs a typed object of `kind` would print.
pub fn normalize(kind: Kind, value: &mut Value) {
    match kind {
        Kind::Deployment => {
            ensure_path(value, "/spec", "strategy", json!({}));
            ensure_path(value, "/spec/template", "metadata", json!({}));
            ensure(value, "status", json!({}));
        }
        Kind::ReplicaSet => ensure(value, "status", json!({"replicas": 0})),
        Kind::DaemonSet => {
            ensure_path(value, "/spec", "updateStrategy", json!({}));
            ensure(
                value,
                "status",
                json!({"currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0, "numberReady": 0}),
            );
        }
        Kind::StatefulSet => {
            ensure_path(value, "/spec", "updateStrategy", json!({}));
            ensure(value, "status", json!({"replicas": 0, "availableReplicas": 0}));
        }
        Kind::Pod | Kind::Job | Kind::CronJob => ensure(value, "status", json!({})),
        _ => {}
    }
    if let Some(path) = pod_spec_path(kind)
        && let Some(spec) = value.pointer_mut(path)
    {
        containers(spec);
    }
}
