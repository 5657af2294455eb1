//! `kubectl create namespace NAME`.

use serde_json::json;

use super::subcommand;
use crate::api::Kind;
use crate::kubectl::context::Kubectl;

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = subcommand::prepare(k, &[], args, &[]) else { return };
    let value =
        json!({"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": o.name}, "spec": {}, "status": {}});
    subcommand::finish(k, &o, Kind::Namespace, value);
}
