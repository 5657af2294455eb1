//! `kubectl set env RESOURCE KEY=VALUE... KEY-...` (also `-e`), per container (`-c`), with
//! `--overwrite` and `--list`: "env updated".

use serde_json::{Value, json};

use super::{LOCAL_SERVER_DRY_RUN, containers_mut, select};
use crate::kubectl::context::Kubectl;
use crate::kubectl::create::subcommand::DryRun;
use crate::kubectl::flags::Flag;

const FLAGS: &[Flag] = &[
    Flag::string("containers", Some('c')),
    Flag::array("env", Some('e')),
    Flag::string("from", None),
    Flag::slice("keys", None),
    Flag::bool("list", None),
    Flag::bool("overwrite", None),
    Flag::string("prefix", None),
    Flag::bool("resolve", None),
];

/// kubectl's SplitEnvironmentFromResources: resources first, then `K=V` and `K-` arguments.
fn split(args: &[String]) -> Option<(Vec<String>, Vec<String>)> {
    let is_env = |s: &str| s.find('=').is_some_and(|i| i > 0) || s.ends_with('-');
    let first_env = args.iter().position(|a| is_env(a)).unwrap_or(args.len());
    let (resources, env) = args.split_at(first_env);
    env.iter().all(|a| is_env(a)).then(|| (resources.to_vec(), env.to_vec()))
}

/// validation.IsEnvVarName.
fn valid_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || "-._".contains(c))
        && chars.all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
}

/// Variables to set (name, value) and names to remove.
type EnvChanges = (Vec<(String, String)>, Vec<String>);

/// Parses the env arguments into variables to set and names to remove.
fn parse_env(specs: &[String]) -> Result<EnvChanges, String> {
    let mut set = Vec::new();
    let mut remove = Vec::new();
    for spec in specs {
        if let Some((name, value)) = spec.split_once('=') {
            if !valid_env_name(name) {
                return Err(format!(
                    "\"{name}\" is not a valid key name: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"
                ));
            }
            set.push((name.to_string(), value.to_string()));
        } else if let Some(name) = spec.strip_suffix('-') {
            remove.push(name.to_string());
        } else if spec == "-" {
            return Err("when '-' is used, STDIN must be open".into());
        } else {
            return Err(format!("unknown environment variable: {spec}"));
        }
    }
    if remove.iter().any(|r| set.iter().any(|(n, _)| n == r)) {
        return Err("can not both modify and remove the same environment variable in the same command".into());
    }
    Ok((set, remove))
}

fn env_var(name: &str, value: &str) -> Value {
    if value.is_empty() { json!({"name": name}) } else { json!({"name": name, "value": value}) }
}

/// kubectl's updateEnv: replaced in place, removed, new ones appended in order.
fn update_env(existing: &[Value], set: &[(String, String)], remove: &[String]) -> Vec<Value> {
    let mut covered: Vec<String> = remove.to_vec();
    let mut out = Vec::new();
    for e in existing {
        let name = e.get("name").and_then(Value::as_str).unwrap_or("");
        if covered.iter().any(|c| c == name) {
            continue;
        }
        match set.iter().find(|(n, _)| n == name) {
            Some((n, v)) => {
                covered.push(n.clone());
                out.push(env_var(n, v));
            }
            None => out.push(e.clone()),
        }
    }
    for (n, v) in set {
        if !covered.contains(n) {
            covered.push(n.clone());
            out.push(env_var(n, v));
        }
    }
    out
}

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = super::parse(k, FLAGS, args) else { return };
    if o.p.bool("all") && o.p.get("selector").is_some_and(|s| !s.is_empty()) {
        return k.error("cannot set --all and --selector at the same time");
    }
    let Some((resources, mut specs)) = split(&o.p.args) else {
        return k.error(&format!("all resources must be specified before environment changes: {}", o.p.args.join(" ")));
    };
    specs.splice(0..0, o.p.all("env"));
    let list = o.p.bool("list");
    let mut errors = Vec::new();
    if o.local && o.dry_run == DryRun::Server {
        errors.push(LOCAL_SERVER_DRY_RUN.to_string());
    }
    errors.extend(super::validate_common(&o, &resources).into_iter().filter(|e| e.starts_with("one or more")));
    if list && o.p.get("output").is_some_and(|v| !v.is_empty()) {
        errors.push("--list and --output may not be specified together".into());
    }
    if o.p.has("keys") && o.p.get("from").is_none() {
        errors.push("when specifying --keys, a configmap or secret must be provided with --from".into());
    }
    if let Some(e) = errors.first() {
        return k.error(e);
    }
    if o.p.get("from").is_some() {
        return k.error("--from is not available in the simulation");
    }
    let (set, remove) = match parse_env(&specs) {
        Ok(v) => v,
        Err(e) => return k.error(&e),
    };
    let overwrite = !o.p.has("overwrite") || o.p.bool("overwrite");
    let selector = o.p.get("containers").unwrap_or("*").to_string();
    let Some(found) = super::find(k, &o, &resources) else { return };
    if list {
        for info in &found.infos {
            let mut value = info.value.clone();
            let Ok(cs) = containers_mut(info, &mut value) else { continue };
            for c in cs {
                let name = c.get("name").and_then(Value::as_str).unwrap_or("").to_string();
                if !select(&name, &selector) {
                    continue;
                }
                k.out.out(format!("# {} {}, container {name}\n", info.kind.as_str(), info.name));
                for e in c.get("env").and_then(Value::as_array).into_iter().flatten() {
                    let n = e.get("name").and_then(Value::as_str).unwrap_or("");
                    match e.get("valueFrom") {
                        Some(_) => k.out.out(format!("# {n} from a reference\n")),
                        None => k.out.out(format!("{n}={}\n", e.get("value").and_then(Value::as_str).unwrap_or(""))),
                    }
                }
            }
        }
        return crate::kubectl::builder::report_errors(k, &found.errors);
    }
    super::apply(k, &o, found, "env updated", |info, value, _| {
        for c in containers_mut(info, value)? {
            let name = c.get("name").and_then(Value::as_str).unwrap_or("").to_string();
            if !select(&name, &selector) {
                continue;
            }
            let existing: Vec<Value> = c.get("env").and_then(Value::as_array).cloned().unwrap_or_default();
            if !overwrite {
                for (n, v) in &set {
                    if let Some(cur) = existing.iter().find(|e| e.get("name").and_then(Value::as_str) == Some(n)) {
                        let cur_v = cur.get("value").and_then(Value::as_str).unwrap_or("");
                        if cur_v != v {
                            return Err(format!("'{n}' already has a value ({cur_v}), and --overwrite is false"));
                        }
                    }
                }
            }
            let updated = update_env(&existing, &set, &remove);
            if updated.is_empty() {
                c.remove("env");
            } else {
                c.insert("env".into(), Value::Array(updated));
            }
        }
        Ok(())
    });
}
