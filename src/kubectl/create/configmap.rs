//! `kubectl create configmap NAME [--from-literal=K=V]... [--from-file=[K=]PATH]... [--from-env-file=PATH]`.
//! The simulation has no file system, so every file source fails with kubectl's message for a
//! missing file.

use serde_json::{Map, Value, json};

use super::subcommand;
use crate::api::Kind;
use crate::kubectl::context::Kubectl;
use crate::kubectl::flags::Flag;

pub const FLAGS: &[Flag] = &[
    Flag::slice("from-file", None),
    Flag::array("from-literal", None),
    Flag::slice("from-env-file", None),
    Flag::bool("append-hash", None),
];

/// The message of a key that is not a valid ConfigMap or Secret key.
const KEY_RULE: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = subcommand::prepare(k, FLAGS, args, &[]) else { return };
    let data = match sources(&o.p, &o.name, false) {
        Ok(d) => d,
        Err(e) => return k.error(&e),
    };
    let mut value = json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": o.name}});
    if !data.is_empty() {
        value["data"] = Value::Object(data);
    }
    subcommand::finish(k, &o, Kind::ConfigMap, value);
}

/// The data of a ConfigMap or Secret from its sources, in kubectl's order and with its messages
/// (`secret` picks the Secret wording).
pub fn sources(p: &crate::kubectl::flags::Parsed, name: &str, secret: bool) -> Result<Map<String, Value>, String> {
    let files = p.all("from-file");
    let literals = p.all("from-literal");
    let env_files = p.all("from-env-file");
    if p.bool("append-hash") {
        return Err("--append-hash is not available in the simulation".into());
    }
    if !env_files.is_empty() && (!files.is_empty() || !literals.is_empty()) {
        return Err("from-env-file cannot be combined with from-file or from-literal".into());
    }
    if let Some(f) = files.first() {
        let path = f.split_once('=').map(|(_, p)| p).unwrap_or(f);
        return Err(format!("error reading {path}: no such file or directory"));
    }
    let mut data = Map::new();
    for literal in &literals {
        let Some((key, value)) = literal.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(format!("invalid literal source {literal}, expected key=value"));
        };
        if !valid_key(key) {
            return Err(if secret {
                format!("\"{key}\" is not valid key name for a Secret {KEY_RULE}")
            } else {
                format!("\"{key}\" is not a valid key name for a ConfigMap: {KEY_RULE}")
            });
        }
        if data.contains_key(key) {
            return Err(if secret {
                format!("cannot add key {key}, another key by that name already exists")
            } else {
                format!(
                    "cannot add key \"{key}\", another key by that name already exists in Data for ConfigMap \"{name}\""
                )
            });
        }
        data.insert(key.to_string(), Value::String(value.to_string()));
    }
    if let Some(f) = env_files.first() {
        return Err(format!("error reading {f}: no such file or directory"));
    }
    Ok(data)
}

/// A ConfigMap or Secret key: `[-._a-zA-Z0-9]+`, at most 253 characters, not `.` or `..`.
fn valid_key(key: &str) -> bool {
    key.len() <= 253
        && key != "."
        && key != ".."
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}
