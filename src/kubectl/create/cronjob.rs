//! `kubectl create cronjob NAME --image=IMAGE --schedule=SPEC [--restart=POLICY] [-- COMMAND...]`.

use serde_json::json;

use super::subcommand;
use crate::api::Kind;
use crate::kubectl::context::Kubectl;
use crate::kubectl::flags::Flag;

const FLAGS: &[Flag] = &[Flag::string("image", None), Flag::string("schedule", None), Flag::string("restart", None)];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = subcommand::prepare(k, FLAGS, args, &["image", "schedule"]) else { return };
    let command = o.p.after_dash().to_vec();
    let restart = o.p.get("restart").filter(|r| !r.is_empty()).unwrap_or("OnFailure");
    let mut container = json!({"name": o.name, "resources": {}});
    // Container.image is `omitempty`.
    if let Some(image) = o.p.get("image").filter(|i| !i.is_empty()) {
        container["image"] = json!(image);
    }
    if !command.is_empty() {
        container["command"] = json!(command);
    }
    let value = json!({
        "kind": "CronJob",
        "apiVersion": "batch/v1",
        "metadata": {"name": o.name},
        "spec": {
            "schedule": o.p.get("schedule").unwrap_or(""),
            "jobTemplate": {
                "metadata": {"name": o.name},
                "spec": {"template": {"metadata": {}, "spec": {"containers": [container], "restartPolicy": restart}}}
            }
        },
        "status": {}
    });
    subcommand::finish(k, &o, Kind::CronJob, value);
}
