//! `kubectl label` and `kubectl annotate`: `KEY=VALUE` sets, `KEY-` removes, `--overwrite`, `--list`,
//! `--local -f -`, `--all`, `-l`, `--resource-version`. One implementation, two words: labels print
//! labeled / unlabeled / modified / not labeled; annotations always "annotated".

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::builder::{self, Info, Options};
use super::context::Kubectl;
use super::create::subcommand::DryRun;
use super::flags::Flag;
use super::mutate::{self, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS};
use crate::apiserver::patch::Patch;

const FLAGS: &[Flag] = &[
    Flag::bool("all", None),
    Flag::bool("all-namespaces", Some('A')),
    Flag::string("field-selector", None),
    Flag::bool("list", None),
    Flag::bool("local", None),
    Flag::bool("overwrite", None),
    Flag::string("resource-version", None),
    Flag::string("selector", Some('l')),
];

/// Which map the command edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Label,
    Annotate,
}

impl Which {
    fn field(self) -> &'static str {
        match self {
            Which::Label => "labels",
            Which::Annotate => "annotations",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Which::Label => "label",
            Which::Annotate => "annotation",
        }
    }
}

pub fn run_label(k: &mut Kubectl<'_>, args: &[String]) {
    run(k, args, Which::Label);
}

pub fn run_annotate(k: &mut Kubectl<'_>, args: &[String]) {
    run(k, args, Which::Annotate);
}

/// The changes: pairs to set (in order) and keys to remove.
type Changes = (Vec<(String, String)>, Vec<String>);

fn parse_pairs(specs: &[String], which: Which) -> Result<Changes, String> {
    let mut set = Vec::new();
    let mut remove = Vec::new();
    for spec in specs {
        if let Some((key, value)) = spec.split_once('=') {
            if key.is_empty() || value.contains('=') && which == Which::Label {
                return Err(format!("invalid {} spec: {spec}", which.noun()));
            }
            set.push((key.to_string(), value.to_string()));
        } else if let Some(key) = spec.strip_suffix('-') {
            remove.push(key.to_string());
        } else {
            return Err(format!("unknown {} spec: {spec}", which.noun()));
        }
    }
    if remove.iter().any(|r| set.iter().any(|(k, _)| k == r)) {
        return Err(match which {
            Which::Label => "can not both modify and remove a label in the same command".into(),
            Which::Annotate => format!(
                "can not both modify and remove the following annotation(s) in the same command: {}",
                remove.iter().filter(|r| set.iter().any(|(k, _)| k == *r)).cloned().collect::<Vec<_>>().join(", ")
            ),
        });
    }
    Ok((set, remove))
}

fn current_map(value: &Value, which: Which) -> BTreeMap<String, String> {
    value
        .pointer(&format!("/metadata/{}", which.field()))
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string())).collect())
        .unwrap_or_default()
}

fn run(k: &mut Kubectl<'_>, args: &[String], which: Which) {
    let Some(p) = k.parse(&mutate::flags(&[FLAGS, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS]), args) else { return };
    let noun = which.noun();
    let is_pair = |s: &str| s.contains('=') || s.ends_with('-');
    let first = p.args.iter().position(|a| is_pair(a)).unwrap_or(p.args.len());
    let (resources, specs) = p.args.split_at(first);
    if specs.iter().any(|s| !is_pair(s)) {
        return k.error(&format!("all resources must be specified before {noun} changes: {}", p.args.join(" ")));
    }
    let (set, remove) = match parse_pairs(specs, which) {
        Ok(v) => v,
        Err(e) => return k.error(&e),
    };
    let Some((dry_run, printer)) = mutate::dry_run_and_printer(k, &p) else { return };
    let list = p.bool("list");
    let local = p.bool("local");
    let files = p.all("filename");
    let selector = p.get("selector").is_some_and(|s| !s.is_empty());
    let problem = if list && p.get("output").is_some_and(|o| !o.is_empty()) {
        Some("--list and --output may not be specified together".to_string())
    } else if p.bool("all") && selector {
        Some("cannot set --all and --selector at the same time".into())
    } else if p.bool("all") && p.get("field-selector").is_some_and(|s| !s.is_empty()) {
        Some("cannot set --all and --field-selector at the same time".into())
    } else if local && dry_run == DryRun::Server {
        Some("cannot specify --local and --dry-run=server - did you mean --dry-run=client?".into())
    } else if local && !resources.is_empty() {
        Some(format!(
            "can only use local files by -f {} or --filename={} when --local=true is set",
            example(which).0,
            example(which).1
        ))
    } else if local && files.is_empty() {
        Some(format!(
            "one or more files must be specified as -f {} or --filename={}",
            example(which).0,
            example(which).1
        ))
    } else if !local && resources.is_empty() && files.is_empty() {
        Some("one or more resources must be specified as <resource> <name> or <resource>/<name>".into())
    } else if set.is_empty() && remove.is_empty() && !list {
        Some(format!("at least one {noun} update is required"))
    } else {
        None
    };
    if let Some(problem) = problem {
        return k.error(&problem);
    }
    let found = match builder::find(k, &p, resources, Options { allow_listing: true, local }) {
        Ok(f) => f,
        Err(e) => return k.error(&e),
    };
    let resource_version = p.get("resource-version").unwrap_or("").to_string();
    if !resource_version.is_empty() && found.infos.len() > 1 {
        return k.error("--resource-version may only be used with a single resource");
    }
    let single = files.is_empty()
        && found.infos.len() + found.errors.len() == 1
        && resources.len() <= 2
        && !p.bool("all")
        && !selector;
    let overwrite = p.bool("overwrite");
    for info in &found.infos {
        if list {
            list_one(k, info, which, single);
            continue;
        }
        match change_one(k, &p, info, which, &set, &remove, overwrite, local, dry_run, &resource_version) {
            Ok((value, op)) => mutate::print_op(k, &printer, dry_run, info.kind, &value, &op),
            Err(e) => {
                return builder::report_errors(k, &[found.errors.clone(), vec![e]].concat());
            }
        }
    }
    builder::report_errors(k, &found.errors);
}

fn example(which: Which) -> (&'static str, &'static str) {
    match which {
        Which::Label => ("pod.yaml", "pod.json"),
        Which::Annotate => ("rsrc.yaml", "rsrc.json"),
    }
}

fn list_one(k: &mut Kubectl<'_>, info: &Info, which: Which, single: bool) {
    let indent = if single { "" } else { " " };
    if !single {
        let word = if which == Which::Label { "labels" } else { "annotations" };
        k.out.out(format!("Listing {word} for {}.{}/{}:\n", info.kind.as_str(), info.kind.group(), info.name));
    }
    for (key, v) in current_map(&info.value, which) {
        k.out.out(format!("{indent}{key}={v}\n"));
    }
}

/// Edits one object's map; returns the object to print and the operation word.
#[allow(clippy::too_many_arguments)]
fn change_one(
    k: &mut Kubectl<'_>,
    p: &crate::kubectl::flags::Parsed,
    info: &Info,
    which: Which,
    set: &[(String, String)],
    remove: &[String],
    overwrite: bool,
    local: bool,
    dry_run: DryRun,
    resource_version: &str,
) -> Result<(Value, String), String> {
    let current = current_map(&info.value, which);
    if !overwrite {
        let taken: Vec<(String, String)> = set
            .iter()
            .filter_map(|(key, v)| current.get(key).filter(|cur| *cur != v).map(|cur| (key.clone(), cur.clone())))
            .collect();
        if let Some((key, cur)) = taken.first() {
            return Err(match which {
                Which::Label => format!("'{key}' already has a value ({cur}), and --overwrite is false"),
                Which::Annotate => format!(
                    "--overwrite is false but found the following declared annotation(s): {}",
                    taken
                        .iter()
                        .map(|(k, c)| format!("'{k}' already has a value ({c})"))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            });
        }
    }
    let remote = !local && dry_run != DryRun::Client;
    if remote && which == Which::Label {
        for r in remove.iter().filter(|r| !current.contains_key(*r)) {
            k.out.out(format!("label \"{r}\" not found.\n"));
        }
    }
    let mut next = current.clone();
    let added: Vec<&String> = set.iter().filter(|(key, v)| current.get(key) != Some(v)).map(|(key, _)| key).collect();
    let removed: Vec<&String> = remove.iter().filter(|r| current.contains_key(*r)).collect();
    for (key, v) in set {
        next.insert(key.clone(), v.clone());
    }
    for r in remove {
        next.remove(r);
    }
    let op = match which {
        Which::Annotate => "annotated",
        Which::Label if !added.is_empty() && !removed.is_empty() => "modified",
        Which::Label if !added.is_empty() => "labeled",
        Which::Label if !removed.is_empty() => "unlabeled",
        Which::Label => "not labeled",
    };
    let mut value = info.value.clone();
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        if next.is_empty() {
            meta.remove(which.field());
        } else {
            let map: Map<String, Value> = next.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
            meta.insert(which.field().into(), Value::Object(map));
        }
        if !resource_version.is_empty() {
            meta.insert("resourceVersion".into(), Value::String(resource_version.to_string()));
        }
    }
    if !remote || (added.is_empty() && removed.is_empty()) {
        return Ok((value, op.to_string()));
    }
    let mut changes = Map::new();
    for key in &added {
        changes.insert((*key).clone(), Value::String(next.get(*key).cloned().unwrap_or_default()));
    }
    for key in &removed {
        changes.insert((*key).clone(), Value::Null);
    }
    let mut meta = Map::new();
    meta.insert(which.field().into(), Value::Object(changes));
    if !resource_version.is_empty() {
        meta.insert("resourceVersion".into(), Value::String(resource_version.to_string()));
    }
    let patch = Patch::Merge(serde_json::json!({"metadata": meta}));
    let result = mutate::send_patch(k, p, info, patch, dry_run, false)?;
    Ok((result, op.to_string()))
}
