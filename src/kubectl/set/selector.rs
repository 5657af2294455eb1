//! `kubectl set selector RESOURCE KEY=VALUE...`: a Service's `spec.selector` (other kinds are refused,
//! as kubectl refuses them).

use serde_json::{Map, Value};

use super::{LOCAL_SERVER_DRY_RUN, aggregate};
use crate::api::Kind;
use crate::kubectl::context::Kubectl;
use crate::kubectl::create::subcommand::DryRun;

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = super::parse(k, &[crate::kubectl::flags::Flag::string("resource-version", None)], args) else {
        return;
    };
    if o.local && o.dry_run == DryRun::Server {
        return k.error(LOCAL_SERVER_DRY_RUN);
    }
    let (pairs, resources): (Vec<String>, Vec<String>) = o.p.args.iter().cloned().partition(|a| a.contains('='));
    if pairs.is_empty() {
        return k.error("one selector is required");
    }
    let errors = super::validate_common(&o, &resources);
    if !errors.is_empty() {
        return k.error(&aggregate(&errors));
    }
    let mut selector = Map::new();
    for pair in &pairs {
        if let Some((key, value)) = pair.split_once('=') {
            selector.insert(key.to_string(), Value::String(value.to_string()));
        }
    }
    let Some(found) = super::find(k, &o, &resources) else { return };
    let mut refused = false;
    super::apply(k, &o, found, "selector updated", |info, value, errors| {
        if info.kind != Kind::Service {
            if !refused {
                errors.push("setting a selector is only supported for Services".into());
            }
            refused = true;
            return Ok(());
        }
        if let Some(spec) = value.get_mut("spec").and_then(Value::as_object_mut) {
            spec.insert("selector".into(), Value::Object(selector.clone()));
        }
        Ok(())
    });
}
