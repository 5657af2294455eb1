//! `kubectl create quota NAME [--hard=RESOURCE=QUANTITY,...] [--scopes=SCOPE,...]`; quantities print in
//! their canonical form (`1000m` becomes `1`).

use serde_json::{Map, Value, json};

use super::subcommand;
use crate::api::Kind;
use crate::api::quantity::Quantity;
use crate::kubectl::context::Kubectl;
use crate::kubectl::flags::Flag;

const FLAGS: &[Flag] = &[Flag::string("hard", None), Flag::string("scopes", None)];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = subcommand::prepare(k, FLAGS, args, &[]) else { return };
    let mut hard = Map::new();
    let hard_flag = o.p.get("hard").unwrap_or("");
    for pair in hard_flag.split(',').filter(|_| !hard_flag.is_empty()) {
        let Some((name, amount)) = pair.split_once('=') else {
            return k.error(&format!("Invalid argument syntax {pair}, expected <resource>=<value>"));
        };
        match Quantity::parse(amount) {
            Ok(q) => hard.insert(name.to_string(), Value::String(q.to_string())),
            Err(e) => return k.error(&e.to_string()),
        };
    }
    let scopes: Vec<String> =
        o.p.get("scopes").unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
    let mut spec = json!({});
    if !hard.is_empty() {
        spec["hard"] = Value::Object(hard);
    }
    if !scopes.is_empty() {
        spec["scopes"] = json!(scopes);
    }
    let value = json!({
        "kind": "ResourceQuota",
        "apiVersion": "v1",
        "metadata": {"name": o.name},
        "spec": spec,
        "status": {}
    });
    subcommand::finish(k, &o, Kind::ResourceQuota, value);
}
