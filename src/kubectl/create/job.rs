//! `kubectl create job NAME --image=IMAGE [-- COMMAND...]`, or `--from=cronjob/NAME`: a Job from a
//! CronJob's template, read from the server, as a manual run of the CronJob (the
//! `cronjob.kubernetes.io/instantiate: manual` annotation and the CronJob as controlling owner).

use serde_json::{Value, json};

use super::subcommand::{self, Options};
use crate::api::{Kind, resource};
use crate::kubectl::context::Kubectl;
use crate::kubectl::flags::Flag;

const FLAGS: &[Flag] = &[Flag::string("image", None), Flag::string("from", None)];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = subcommand::prepare(k, FLAGS, args, &[]) else { return };
    let image = o.p.get("image").unwrap_or("").to_string();
    let from = o.p.get("from").unwrap_or("").to_string();
    let command = o.p.after_dash().to_vec();
    if image.is_empty() == from.is_empty() {
        return k.error("either --image or --from must be specified");
    }
    if !command.is_empty() && !from.is_empty() {
        return k.error("cannot specify --from and command");
    }
    let value = if from.is_empty() {
        from_image(&o, &image, &command)
    } else {
        match from_cronjob(k, &o, &from) {
            Some(v) => v,
            None => return,
        }
    };
    subcommand::finish(k, &o, Kind::Job, value);
}

fn from_image(o: &Options, image: &str, command: &[String]) -> Value {
    let mut container = json!({"name": o.name, "image": image, "resources": {}});
    if !command.is_empty() {
        container["command"] = json!(command);
    }
    json!({
        "kind": "Job",
        "apiVersion": "batch/v1",
        "metadata": {"name": o.name},
        "spec": {"template": {"metadata": {}, "spec": {"containers": [container], "restartPolicy": "Never"}}},
        "status": {}
    })
}

fn from_cronjob(k: &mut Kubectl<'_>, o: &Options, from: &str) -> Option<Value> {
    let Some((kind, name)) = from.split_once('/').filter(|(t, n)| !t.is_empty() && !n.is_empty()) else {
        k.error("arguments in resource/name form must have a single resource and name");
        return None;
    };
    match resource::resolve(kind) {
        Some(Kind::CronJob) => {}
        Some(other) => {
            k.error(&format!("unknown object type {}", other.as_str()));
            return None;
        }
        None => {
            k.error(&format!("the server doesn't have a resource type \"{kind}\""));
            return None;
        }
    }
    let who = Kubectl::identity(&o.p);
    let ns = Kubectl::namespace(&o.p);
    let cronjob = match k.cluster.api_mut().get(&who, Kind::CronJob, Some(&ns), name) {
        Ok(c) => c.to_value(),
        Err(e) => {
            k.server_error(&e);
            return None;
        }
    };
    let template = cronjob.pointer("/spec/jobTemplate").cloned().unwrap_or(Value::Null);
    let mut annotations = json!({"cronjob.kubernetes.io/instantiate": "manual"});
    if let (Some(a), Some(extra)) =
        (annotations.as_object_mut(), template.pointer("/metadata/annotations").and_then(Value::as_object))
    {
        a.extend(extra.clone());
    }
    let mut metadata = json!({
        "name": o.name,
        "annotations": annotations,
        "ownerReferences": [{
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "name": name,
            "uid": cronjob.pointer("/metadata/uid").cloned().unwrap_or(Value::Null),
            "controller": true
        }]
    });
    if let Some(labels) = template.pointer("/metadata/labels") {
        metadata["labels"] = labels.clone();
    }
    let spec = template.get("spec").cloned().unwrap_or_else(|| json!({}));
    Some(json!({"kind": "Job", "apiVersion": "batch/v1", "metadata": metadata, "spec": spec, "status": {}}))
}
