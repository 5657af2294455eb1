//! `kubectl create priorityclass NAME [--value=N] [--global-default] [--description=TEXT]
//! [--preemption-policy=POLICY]`.

use serde_json::json;

use super::subcommand;
use crate::api::Kind;
use crate::kubectl::context::Kubectl;
use crate::kubectl::flags::Flag;

const FLAGS: &[Flag] = &[
    Flag::int("value", None),
    Flag::bool("global-default", None),
    Flag::string("description", None),
    Flag::string("preemption-policy", None),
];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = subcommand::prepare(k, FLAGS, args, &[]) else { return };
    let mut value = json!({
        "kind": "PriorityClass",
        "apiVersion": "scheduling.k8s.io/v1",
        "metadata": {"name": o.name},
        "value": o.p.int("value").unwrap_or(0),
        "preemptionPolicy": o.p.get("preemption-policy").unwrap_or("PreemptLowerPriority")
    });
    if o.p.bool("global-default") {
        value["globalDefault"] = json!(true);
    }
    if let Some(d) = o.p.get("description").filter(|d| !d.is_empty()) {
        value["description"] = json!(d);
    }
    subcommand::finish(k, &o, Kind::PriorityClass, value);
}
