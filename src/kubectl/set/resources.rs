//! `kubectl set resources RESOURCE --limits=cpu=200m,memory=512Mi --requests=...` per container (`-c`):
//! "resource requirements updated".

use serde_json::{Map, Value};

use super::{LOCAL_SERVER_DRY_RUN, containers_mut, select};
use crate::api::quantity::Quantity;
use crate::kubectl::context::Kubectl;
use crate::kubectl::create::subcommand::DryRun;
use crate::kubectl::flags::Flag;

const FLAGS: &[Flag] =
    &[Flag::string("containers", Some('c')), Flag::string("limits", None), Flag::string("requests", None)];

/// `cpu=200m,memory=512Mi` as a resource list, each quantity in its canonical form.
fn resource_list(spec: &str) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for item in spec.split(',').filter(|s| !s.is_empty()) {
        let Some((name, q)) = item.split_once('=') else {
            return Err(format!("invalid argument syntax {item}"));
        };
        let q = Quantity::parse(q).map_err(|e| e.to_string())?;
        out.insert(name.to_string(), Value::String(q.to_string()));
    }
    Ok(out)
}

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = super::parse(k, FLAGS, args) else { return };
    let resources = o.p.args.clone();
    let Some(found) = super::find(k, &o, &resources) else { return };
    if o.local && o.dry_run == DryRun::Server {
        return k.error(LOCAL_SERVER_DRY_RUN);
    }
    if o.p.bool("all") && o.p.get("selector").is_some_and(|s| !s.is_empty()) {
        return k.error("cannot set --all and --selector at the same time");
    }
    let limits = o.p.get("limits").unwrap_or("");
    let requests = o.p.get("requests").unwrap_or("");
    if limits.is_empty() && requests.is_empty() {
        return k.error("you must specify an update to requests or limits (in the form of --requests/--limits)");
    }
    let (limits, requests) = match (resource_list(limits), resource_list(requests)) {
        (Ok(l), Ok(r)) => (l, r),
        (Err(e), _) | (_, Err(e)) => return k.error(&e),
    };
    let selector = o.p.get("containers").unwrap_or("*").to_string();
    super::apply(k, &o, found, "resource requirements updated", |info, value, errors| {
        let mut hit = false;
        for c in containers_mut(info, value)? {
            let name = c.get("name").and_then(Value::as_str).unwrap_or("");
            if !select(name, &selector) {
                continue;
            }
            hit = true;
            let res = c.entry("resources").or_insert_with(|| Value::Object(Map::new()));
            for (field, list) in [("limits", &limits), ("requests", &requests)] {
                if list.is_empty() {
                    continue;
                }
                if let Some(r) = res.as_object_mut() {
                    let target = r.entry(field).or_insert_with(|| Value::Object(Map::new()));
                    if let Some(t) = target.as_object_mut() {
                        t.extend(list.clone());
                    }
                }
            }
        }
        if !hit {
            errors.push(format!("error: unable to find container named {selector}"));
        }
        Ok(())
    });
}
