//! The api-server's verbs as a client sees them: defaults and system fields on create, selectors on
//! list, optimistic concurrency, graceful deletion and finalizers, watch ordering and resumption, 410
//! after compaction, RBAC, admission order, and that a failed request changes nothing.

use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::api::{Kind, Object};
use crate::sim::Clock;

fn api() -> ApiServer {
    let mut api = ApiServer::new(7, Clock::default());
    for ns in ["default", "kube-system"] {
        api.create(
            &Identity::admin(),
            obj(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})),
            &WriteOptions::default(),
        )
        .expect("namespace");
    }
    api
}

fn obj(v: serde_json::Value) -> Object {
    let kind = v["kind"].as_str().and_then(crate::api::resource::resolve).expect("a served kind");
    Object::from_value(kind, v).expect("a valid object")
}

fn pod(name: &str) -> Object {
    obj(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}}))
}

fn admin() -> Identity {
    Identity::admin()
}

#[test]
fn create_fills_system_fields_and_defaults() {
    let mut api = api();
    let rv_before = api.revision();
    let created = api.create(&admin(), pod("web"), &WriteOptions::default()).unwrap();
    let p = created.as_pod().unwrap();
    assert_eq!(p.metadata.namespace.as_deref(), Some("default"));
    assert_eq!(created.resource_version(), rv_before + 1);
    assert_eq!(p.metadata.uid.as_ref().map(String::len), Some(36));
    assert!(p.metadata.creation_timestamp.is_some());
    let spec = p.spec.as_ref().unwrap();
    assert_eq!(spec.restart_policy.as_deref(), Some("Always"));
    assert_eq!(spec.service_account_name.as_deref(), Some("default"));
    assert_eq!(spec.containers[0].image_pull_policy.as_deref(), Some("IfNotPresent"));
    assert_eq!(spec.tolerations.as_ref().map(Vec::len), Some(2));
    assert_eq!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Pending"));
    assert_eq!(p.status.as_ref().and_then(|s| s.qos_class.as_deref()), Some("BestEffort"));
    let again = api.create(&admin(), pod("web"), &WriteOptions::default()).unwrap_err();
    assert_eq!(again.message, "pods \"web\" already exists");
    assert_eq!(again.code(), 409);
}

#[test]
fn generate_name_appends_five_safe_characters() {
    let mut api = api();
    let o = obj(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "web-"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]}}));
    let created = api.create(&admin(), o, &WriteOptions::default()).unwrap();
    let name = created.name();
    assert!(name.starts_with("web-") && name.len() == 9, "{name}");
    assert!(name[4..].chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)));
}

#[test]
fn failed_writes_change_nothing() {
    let mut api = api();
    let rv = api.revision();
    let bad =
        obj(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "Bad_Name"}, "spec": {"containers": []}}));
    let e = api.create(&admin(), bad, &WriteOptions::default()).unwrap_err();
    assert_eq!(e.reason, Reason::Invalid);
    assert!(
        e.message.starts_with(
            "Pod \"Bad_Name\" is invalid: [metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"
        ),
        "{}",
        e.message
    );
    let mut p = pod("x");
    p.meta_mut().namespace = Some("nope".into());
    let e = api.create(&admin(), p, &WriteOptions::default()).unwrap_err();
    assert_eq!(e.message, "namespaces \"nope\" not found");
    assert_eq!(api.revision(), rv);
    assert!(api.take_events().is_empty());
}

#[test]
fn deployment_validation_messages() {
    let mut api = api();
    let d = obj(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "other"}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}));
    let e = api.create(&admin(), d, &WriteOptions::default()).unwrap_err();
    assert_eq!(
        e.message,
        "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`"
    );
    let d = obj(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}));
    let created = api.create(&admin(), d, &WriteOptions::default()).unwrap();
    let v = created.to_value();
    assert_eq!(v["spec"]["replicas"], 1);
    assert_eq!(v["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%");
    assert_eq!(v["spec"]["revisionHistoryLimit"], 10);
    assert_eq!(v["spec"]["progressDeadlineSeconds"], 600);
    assert_eq!(v["metadata"]["generation"], 1);
}

#[test]
fn update_checks_resource_version_and_bumps_generation() {
    let mut api = api();
    let d = obj(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}));
    let created = api.create(&admin(), d, &WriteOptions::default()).unwrap();
    let mut v = created.to_value();
    v["spec"]["replicas"] = json!(3);
    let updated = api
        .update(&admin(), Object::from_value(Kind::Deployment, v.clone()).unwrap(), &WriteOptions::default())
        .unwrap();
    assert_eq!(updated.meta().generation, Some(2));
    // The same (now stale) resourceVersion again is a conflict, and changes nothing.
    let rv = api.revision();
    v["spec"]["replicas"] = json!(5);
    let e =
        api.update(&admin(), Object::from_value(Kind::Deployment, v).unwrap(), &WriteOptions::default()).unwrap_err();
    assert_eq!(e.reason, Reason::Conflict);
    assert_eq!(api.revision(), rv);
    // Status written through the main resource is ignored; through /status it lands.
    let mut v = updated.to_value();
    v["status"] = json!({"replicas": 3});
    let same = api
        .update(&admin(), Object::from_value(Kind::Deployment, v.clone()).unwrap(), &WriteOptions::default())
        .unwrap();
    assert_eq!(same.to_value()["status"], json!({}));
    let with_status = api.update_status(&admin(), Object::from_value(Kind::Deployment, v).unwrap()).unwrap();
    assert_eq!(with_status.to_value()["status"]["replicas"], 3);
    assert_eq!(with_status.meta().generation, Some(2));
}

#[test]
fn patch_types() {
    let mut api = api();
    api.create(&admin(), pod("web"), &WriteOptions::default()).unwrap();
    let p = patch::Patch::Strategic(
        json!({"metadata": {"labels": {"tier": "front"}}, "spec": {"containers": [{"name": "c", "image": "nginx:1.26"}]}}),
    );
    let out = api.patch(&admin(), Kind::Pod, Some("default"), "web", &p, &PatchOptions::default()).unwrap();
    let v = out.to_value();
    assert_eq!(v["metadata"]["labels"], json!({"app": "web", "tier": "front"}));
    assert_eq!(v["spec"]["containers"][0]["image"], "nginx:1.26");
    let p = patch::Patch::Json(json!([{"op": "replace", "path": "/spec/restartPolicy", "value": "Never"}]));
    let e = api.patch(&admin(), Kind::Pod, Some("default"), "web", &p, &PatchOptions::default()).unwrap_err();
    assert_eq!(e.reason, Reason::Invalid);
    assert!(e.message.contains("pod updates may not change fields other than"), "{}", e.message);
}

#[test]
fn list_by_label_and_field_selectors() {
    let mut api = api();
    for (name, app) in [("a", "web"), ("b", "web"), ("c", "db")] {
        let mut p = pod(name);
        p.meta_mut().labels = Some([("app".to_string(), app.to_string())].into());
        api.create(&admin(), p, &WriteOptions::default()).unwrap();
    }
    api.bind(&admin(), "default", "a", "node-01").unwrap();
    let opts = ListOptions {
        label_selector: Some(crate::api::labels::Selector::parse("app=web").unwrap()),
        ..Default::default()
    };
    let names: Vec<String> = api
        .list(&admin(), Kind::Pod, Some("default"), &opts)
        .unwrap()
        .items
        .iter()
        .map(|o| o.name().to_string())
        .collect();
    assert_eq!(names, ["a", "b"]);
    let opts = ListOptions {
        field_selector: Some(crate::api::fields::FieldSelector::parse("spec.nodeName=node-01").unwrap()),
        ..Default::default()
    };
    assert_eq!(api.list(&admin(), Kind::Pod, None, &opts).unwrap().items.len(), 1);
    let opts = ListOptions {
        field_selector: Some(crate::api::fields::FieldSelector::parse("spec.foo=x").unwrap()),
        ..Default::default()
    };
    assert_eq!(api.list(&admin(), Kind::Pod, None, &opts).unwrap_err().reason, Reason::BadRequest);
    assert!(api.list(&admin(), Kind::Pod, Some("kube-system"), &ListOptions::default()).unwrap().items.is_empty());
}

#[test]
fn binding_sets_node_and_condition_once() {
    let mut api = api();
    api.create(&admin(), pod("web"), &WriteOptions::default()).unwrap();
    let bound = api.bind(&admin(), "default", "web", "node-01").unwrap();
    let p = bound.as_pod().unwrap();
    assert_eq!(p.spec.as_ref().and_then(|s| s.node_name.as_deref()), Some("node-01"));
    assert_eq!(
        p.status.as_ref().and_then(|s| s.conditions.as_ref()).map(|c| c[0].type_.as_str()),
        Some("PodScheduled")
    );
    let e = api.bind(&admin(), "default", "web", "node-02").unwrap_err();
    assert_eq!(
        e.message,
        "Operation cannot be fulfilled on pods \"web\": pod web is already assigned to node \"node-01\""
    );
}

#[test]
fn graceful_pod_deletion_then_final_delete() {
    let mut api = api();
    api.create(&admin(), pod("web"), &WriteOptions::default()).unwrap();
    // An unscheduled pod goes at once.
    assert!(matches!(
        api.delete(&admin(), Kind::Pod, Some("default"), "web", &DeleteOptions::default()).unwrap(),
        Deleted::Gone(_)
    ));
    api.create(&admin(), pod("web"), &WriteOptions::default()).unwrap();
    api.bind(&admin(), "default", "web", "node-01").unwrap();
    let d = api.delete(&admin(), Kind::Pod, Some("default"), "web", &DeleteOptions::default()).unwrap();
    let Deleted::Terminating(o) = d else { panic!("a bound pod terminates gracefully") };
    assert_eq!(o.meta().deletion_grace_period_seconds, Some(30));
    assert!(o.meta().deletion_timestamp.is_some());
    // The kubelet's status update does not delete it; its final delete with grace 0 does.
    let mut v = o.to_value();
    v["status"]["phase"] = json!("Running");
    api.update_status(&admin(), Object::from_value(Kind::Pod, v).unwrap()).unwrap();
    assert!(api.peek(Kind::Pod, Some("default"), "web").is_some());
    let opts = DeleteOptions { grace_period_seconds: Some(0), ..Default::default() };
    assert!(matches!(api.delete(&admin(), Kind::Pod, Some("default"), "web", &opts).unwrap(), Deleted::Gone(_)));
    assert!(api.peek(Kind::Pod, Some("default"), "web").is_none());
}

#[test]
fn finalizers_hold_deletion_until_removed() {
    let mut api = api();
    let cm = obj(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["example.com/hold"]}}),
    );
    api.create(&admin(), cm, &WriteOptions::default()).unwrap();
    let opts = DeleteOptions { propagation: Some(Propagation::Foreground), ..Default::default() };
    let Deleted::Terminating(o) = api.delete(&admin(), Kind::ConfigMap, Some("default"), "c", &opts).unwrap() else {
        panic!("held")
    };
    assert_eq!(
        o.meta().finalizers.as_deref(),
        Some(&["example.com/hold".to_string(), "foregroundDeletion".to_string()][..])
    );
    let mut v = o.to_value();
    v["metadata"]["finalizers"] = json!([]);
    api.update(&admin(), Object::from_value(Kind::ConfigMap, v).unwrap(), &WriteOptions::default()).unwrap();
    assert!(api.peek(Kind::ConfigMap, Some("default"), "c").is_none());
    let e = api.delete(&admin(), Kind::Namespace, None, "default", &DeleteOptions::default()).unwrap_err();
    assert_eq!(e.message, "namespaces \"default\" is forbidden: this namespace may not be deleted");
}

#[test]
fn watch_delivers_in_order_and_resumes_from_a_revision() {
    let mut api = api();
    let start = api.revision();
    let w = api.watch(&admin(), Kind::Pod, Some("default"), &ListOptions::default(), None).unwrap();
    api.create(&admin(), pod("a"), &WriteOptions::default()).unwrap();
    api.create(&admin(), pod("b"), &WriteOptions::default()).unwrap();
    api.delete(&admin(), Kind::Pod, Some("default"), "a", &DeleteOptions::default()).unwrap();
    let seen: Vec<(EventType, String)> = api
        .take_events()
        .into_iter()
        .filter(|e| e.watch == w)
        .map(|e| (e.event_type, e.object.name().to_string()))
        .collect();
    assert_eq!(
        seen,
        [(EventType::Added, "a".into()), (EventType::Added, "b".into()), (EventType::Deleted, "a".into())]
    );
    // A watch from the old revision replays the same history.
    let w2 = api.watch(&admin(), Kind::Pod, Some("default"), &ListOptions::default(), Some(start)).unwrap();
    let replay: Vec<EventType> =
        api.take_events().into_iter().filter(|e| e.watch == w2).map(|e| e.event_type).collect();
    assert_eq!(replay, [EventType::Added, EventType::Added, EventType::Deleted]);
}

#[test]
fn watch_from_a_compacted_revision_is_gone() {
    let mut api = api();
    let start = api.revision();
    api.create(&admin(), pod("a"), &WriteOptions::default()).unwrap();
    api.store.compact(api.revision());
    let e = api.watch(&admin(), Kind::Pod, None, &ListOptions::default(), Some(start)).unwrap_err();
    assert_eq!(e.code(), 410);
    assert_eq!(e.reason, Reason::Expired);
    assert!(e.message.starts_with("too old resource version: "), "{}", e.message);
}

#[test]
fn rbac_allows_what_bindings_grant() {
    let mut api = api();
    let jane = Identity::impersonated("jane", &[]);
    let e = api.list(&jane, Kind::Pod, Some("default"), &ListOptions::default()).unwrap_err();
    assert_eq!(
        e.message,
        "pods is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
    );
    let e = api.get(&jane, Kind::Node, None, "node-01").unwrap_err();
    assert_eq!(
        e.message,
        "nodes \"node-01\" is forbidden: User \"jane\" cannot get resource \"nodes\" in API group \"\" at the cluster scope"
    );
    api.create(
        &admin(),
        obj(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "reader"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]})),
        &WriteOptions::default(),
    )
    .unwrap();
    api.create(&admin(), obj(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "jane-reads"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
        "subjects": [{"kind": "User", "name": "jane", "apiGroup": "rbac.authorization.k8s.io"}]})), &WriteOptions::default()).unwrap();
    assert!(api.list(&jane, Kind::Pod, Some("default"), &ListOptions::default()).is_ok());
    assert!(api.list(&jane, Kind::Pod, Some("kube-system"), &ListOptions::default()).is_err());
    assert_eq!(api.create(&jane, pod("x"), &WriteOptions::default()).unwrap_err().reason, Reason::Forbidden);
}

#[test]
fn admission_runs_before_validation() {
    let mut api = api();
    // NamespaceLifecycle refuses before validation would complain about the empty container list.
    let mut p = obj(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "namespace": "ghost"}, "spec": {"containers": []}}),
    );
    assert_eq!(api.create(&admin(), p.clone(), &WriteOptions::default()).unwrap_err().reason, Reason::NotFound);
    // Priority admission refuses an unknown class, also before validation.
    p.meta_mut().namespace = Some("default".into());
    if let Object::Pod(pod) = &mut p {
        Arc::make_mut(pod).spec.get_or_insert_with(Default::default).priority_class_name = Some("gold".into());
    }
    let e = api.create(&admin(), p, &WriteOptions::default()).unwrap_err();
    assert_eq!(e.message, "pods \"x\" is forbidden: no PriorityClass with name gold was found");
}

#[test]
fn same_seed_same_trace_hash() {
    let run = |seed| {
        let mut api = ApiServer::new(seed, Clock::default());
        api.create(
            &admin(),
            obj(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})),
            &WriteOptions::default(),
        )
        .unwrap();
        let o = obj(
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "web-"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}),
        );
        api.create(&admin(), o, &WriteOptions::default()).unwrap();
        api.trace().hash()
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}
