//! `kubectl taint node NAME KEY[=VALUE]:EFFECT... KEY[:EFFECT]-...`: adds, overwrites and removes node
//! taints with kubectl's parsing, checks and result words (tainted / untainted / modified).

use serde_json::{Value, json};

use super::super::builder::{self, Info, Options};
use super::super::context::Kubectl;
use super::super::flags::Flag;
use super::super::mutate::{self, PRINT_FLAGS, WRITE_FLAGS};
use crate::api::{Kind, resource};
use crate::apiserver::patch::Patch;

const FLAGS: &[Flag] = &[
    Flag::bool("all", None),
    Flag::bool("overwrite", None),
    Flag::string("selector", Some('l')),
    Flag::optional("validate", None, "strict"),
];

/// One taint as kubectl parses it (an empty effect only in removals).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Taint {
    key: String,
    value: String,
    effect: String,
}

impl Taint {
    /// `Taint.ToString()`.
    fn show(&self) -> String {
        let mut s = self.key.clone();
        if !self.value.is_empty() {
            s = format!("{s}={}", self.value);
        }
        if !self.effect.is_empty() {
            s = format!("{s}:{}", self.effect);
        }
        s
    }

    fn from_value(v: &Value) -> Taint {
        let get = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        Taint { key: get("key"), value: get("value"), effect: get("effect") }
    }

    fn to_value(&self) -> Value {
        let mut v = json!({"key": self.key, "effect": self.effect});
        if !self.value.is_empty() {
            v["value"] = json!(self.value);
        }
        v
    }
}

fn valid_key(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
}

fn parse_taint(spec: &str) -> Result<Taint, String> {
    let invalid = || format!("invalid taint spec: {spec}");
    let parts: Vec<&str> = spec.split(':').collect();
    let (key, value, effect) = match parts.as_slice() {
        [key] => ((*key).to_string(), String::new(), String::new()),
        [kv, effect] => {
            if !matches!(*effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
                return Err(format!("invalid taint effect: {effect}, unsupported taint effect"));
            }
            let kv: Vec<&str> = kv.split('=').collect();
            match kv.as_slice() {
                [k] => ((*k).to_string(), String::new(), (*effect).to_string()),
                [k, v] => ((*k).to_string(), (*v).to_string(), (*effect).to_string()),
                _ => return Err(invalid()),
            }
        }
        _ => return Err(invalid()),
    };
    if !valid_key(&key) {
        return Err(invalid());
    }
    Ok(Taint { key, value, effect })
}

/// Splits taint arguments into those to add and those to remove.
fn parse_taints(specs: &[String]) -> Result<(Vec<Taint>, Vec<Taint>), String> {
    let (mut add, mut remove) = (Vec::<Taint>::new(), Vec::new());
    for spec in specs {
        if let Some(r) = spec.strip_suffix('-') {
            let t = parse_taint(r)?;
            remove.push(Taint { value: String::new(), ..t });
        } else {
            let t = parse_taint(spec)?;
            if t.effect.is_empty() {
                return Err(format!("invalid taint spec: {spec}"));
            }
            if add.iter().any(|a| a.key == t.key && a.effect == t.effect) {
                return Err(format!(
                    "duplicated taints with the same key and effect: {{{} {} {} <nil>}}",
                    t.key, t.value, t.effect
                ));
            }
            add.push(t);
        }
    }
    Ok((add, remove))
}

/// kubectl's reorganizeTaints: the new list and the operation word, or the not-found errors.
fn reorganize(old: &[Taint], add: &[Taint], remove: &[Taint], overwrite: bool) -> (String, Vec<Taint>, Vec<String>) {
    let mut new: Vec<Taint> = add.to_vec();
    for o in old {
        if !new.iter().any(|n| n.key == o.key && n.effect == o.effect) {
            new.push(o.clone());
        }
    }
    let added = old.len() != new.len();
    let mut errors = Vec::new();
    let mut removed = false;
    for r in remove {
        let before = new.len();
        new.retain(|t| !(t.key == r.key && (r.effect.is_empty() || t.effect == r.effect)));
        removed = new.len() != before;
        if !removed {
            errors.push(format!("taint {:?} not found", r.show()));
        }
    }
    let op = if (added && removed) || overwrite {
        "modified"
    } else if added {
        "tainted"
    } else {
        "untainted"
    };
    (op.to_string(), new, errors)
}

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(&mutate::flags(&[FLAGS, PRINT_FLAGS, WRITE_FLAGS]), args) else { return };
    let Some((dry_run, printer)) = mutate::dry_run_and_printer(k, &p) else { return };
    let is_taint = |s: &str| s.contains('=') || s.contains(':') || s.ends_with('-');
    let first = p.args.iter().position(|a| is_taint(a)).unwrap_or(p.args.len());
    let (resources, specs) = p.args.split_at(first);
    if let Some(bad) = specs.iter().find(|s| !is_taint(s)) {
        return k.error(&format!("all resources must be specified before taint changes: {bad}"));
    }
    if resources.is_empty() {
        return k.error("one or more resources must be specified as <resource> <name>");
    }
    if specs.is_empty() {
        return k.error("at least one taint update is required");
    }
    let (add, remove) = match parse_taints(specs) {
        Ok(v) => v,
        Err(e) => return k.help_error(&e),
    };
    let resource_type = resources.first().map(|r| r.to_lowercase()).unwrap_or_default();
    match resource::resolve(resource_type.split('/').next().unwrap_or("")) {
        Some(Kind::Node) => {}
        Some(_) => return k.error(&format!("invalid resource type {resource_type}, only node types are supported")),
        None => return k.error(&format!("the server doesn't have a resource type \"{resource_type}\"")),
    }
    let conflicts: Vec<String> = remove
        .iter()
        .filter(|r| add.iter().any(|a| a.key == r.key && (r.effect.is_empty() || a.effect == r.effect)))
        .map(|r| format!("{}={}", r.key, r.effect))
        .collect();
    if !conflicts.is_empty() {
        return k.error(&format!(
            "can not both modify and remove the following taint(s) in the same command: {}",
            conflicts.join(", ")
        ));
    }
    let all = p.bool("all");
    let selector = p.get("selector").filter(|s| !s.is_empty());
    if all && selector.is_some() {
        return k.error("setting 'all' parameter with a non empty selector is prohibited");
    }
    if !all && selector.is_none() && resources.len() < 2 {
        return k.error("at least one resource name must be specified since 'all' parameter is not set");
    }
    let names: Vec<String> =
        if all || selector.is_some() { vec!["nodes".into()] } else { resources.iter().skip(1).cloned().collect() };
    let names = if all || selector.is_some() { names } else { [vec!["nodes".to_string()], names].concat() };
    let opts = Options { allow_listing: true, local: false };
    let found = match builder::find(k, &p, &names, opts) {
        Ok(f) => f,
        Err(e) => return k.error(&e),
    };
    let overwrite = p.bool("overwrite");
    for info in &found.infos {
        if let Err(e) = taint_one(k, &p, info, &add, &remove, overwrite, dry_run, &printer) {
            return k.error(&e);
        }
    }
    builder::report_errors(k, &found.errors);
}

#[allow(clippy::too_many_arguments)]
fn taint_one(
    k: &mut Kubectl<'_>,
    p: &crate::kubectl::flags::Parsed,
    info: &Info,
    add: &[Taint],
    remove: &[Taint],
    overwrite: bool,
    dry_run: crate::kubectl::create::subcommand::DryRun,
    printer: &crate::kubectl::create::subcommand::Printer,
) -> Result<(), String> {
    let old: Vec<Taint> = info
        .value
        .pointer("/spec/taints")
        .and_then(Value::as_array)
        .map(|ts| ts.iter().map(Taint::from_value).collect())
        .unwrap_or_default();
    if !overwrite {
        let exists: Vec<&str> = add
            .iter()
            .filter(|a| old.iter().any(|o| o.key == a.key && o.effect == a.effect))
            .map(|a| a.key.as_str())
            .collect();
        if !exists.is_empty() {
            return Err(format!(
                "node {} already has {} taint(s) with same effect(s) and --overwrite is false",
                info.name,
                exists.join(",")
            ));
        }
    }
    let (op, new, errors) = reorganize(&old, add, remove, overwrite);
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let taints: Vec<Value> = new.iter().map(Taint::to_value).collect();
    let taints = if taints.is_empty() { Value::Null } else { Value::Array(taints) };
    let patch = Patch::Merge(json!({"spec": {"taints": taints}}));
    let result = mutate::send_patch(k, p, info, patch, dry_run, false)?;
    mutate::print_op(k, printer, dry_run, info.kind, &result, &op);
    Ok(())
}
