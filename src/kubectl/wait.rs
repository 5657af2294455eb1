//! `kubectl wait ... --for=create|delete|condition=NAME[=VALUE]|jsonpath='{...}'[=VALUE]`: lets
//! virtual time pass until each object meets every condition (in order, `create` first), printing
//! `pod/x condition met`, or until `--timeout` (30s; zero checks once; negative is a week) is spent:
//! `error: timed out waiting for the condition on pods/x`.

use serde_json::Value;

use super::builder::{self, Info, Options};
use super::context::Kubectl;
use super::flags::{Flag, Parsed};
use super::mutate::{FILE_FLAGS, PRINT_FLAGS, flags};
use super::printers::custom_columns::relaxed_jsonpath;
use super::printers::jsonpath::{self, Template};
use super::waiting;
use crate::sim::{Duration, Time};

const FLAGS: &[Flag] = &[
    Flag::array("for", None),
    Flag::string("timeout", None),
    Flag::string("selector", Some('l')),
    Flag::string("field-selector", None),
    Flag::bool("all", None),
    Flag::bool("all-namespaces", Some('A')),
    Flag::bool("local", None),
];

/// One `--for`.
enum Condition {
    Create,
    Delete,
    /// A `status.conditions` entry, compared case-insensitively.
    Status {
        name: String,
        value: String,
    },
    /// A JSONPath whose result equals the value (any non-empty result when None).
    JsonPath {
        template: Box<Template>,
        value: Option<String>,
    },
}

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(&flags(&[FLAGS, FILE_FLAGS, PRINT_FLAGS]), args) else { return };
    let Some(printer) = super::create::subcommand::printer(k, &p) else { return };
    let timeout = match p.get("timeout") {
        None => Duration::from_secs(30),
        Some(t) if t.starts_with('-') => Duration::from_secs(168 * 3600),
        Some(t) => match crate::sim::duration::parse_go_duration(t) {
            Ok(d) => d,
            Err(e) => return k.usage_error(&format!("invalid argument \"{t}\" for \"--timeout\" flag: {e}")),
        },
    };
    let fors = p.all("for");
    let conditions = match fors.iter().map(|c| condition(c)).collect::<Result<Vec<_>, _>>() {
        Ok(c) if c.is_empty() => return k.error(&format!("unrecognized condition: [{}]", quoted(&fors))),
        Ok(c) => c,
        Err(e) => return k.error(&e),
    };
    let end = k.cluster.now().after(timeout);
    if conditions.iter().any(|c| matches!(c, Condition::Create)) && !wait_created(k, &p, end) {
        return k.error("timed out waiting for the condition");
    }
    let for_delete = conditions.iter().any(|c| matches!(c, Condition::Delete));
    let found = match builder::find(k, &p, &p.args.clone(), Options { allow_listing: true, local: false }) {
        Ok(f) => f,
        Err(e) => return k.error(&e),
    };
    let errors: Vec<String> =
        found.errors.into_iter().filter(|e| !(for_delete && e.starts_with("Error from server (NotFound)"))).collect();
    if let Some(e) = errors.first() {
        return builder::report_errors(k, std::slice::from_ref(e));
    }
    if found.infos.is_empty() && !for_delete {
        return k.error("no matching resources found");
    }
    for info in &found.infos {
        for c in &conditions {
            match wait_for(k, info, c, end, timeout.as_millis() == 0) {
                Ok(value) => super::mutate::print_op(
                    k,
                    &printer,
                    super::create::subcommand::DryRun::None,
                    info.kind,
                    &value,
                    "condition met",
                ),
                Err(e) => return builder::report_errors(k, &[e]),
            }
        }
    }
}

/// `%q` of a string slice: `"a" "b"`.
fn quoted(v: &[String]) -> String {
    v.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(" ")
}

fn condition(cond: &str) -> Result<Condition, String> {
    let lower = cond.to_lowercase();
    if lower == "delete" {
        return Ok(Condition::Delete);
    }
    if lower == "create" {
        return Ok(Condition::Create);
    }
    if let Some(rest) = cond.strip_prefix("condition=") {
        let (name, value) = rest.split_once('=').unwrap_or((rest, "true"));
        return Ok(Condition::Status { name: name.to_string(), value: value.to_string() });
    }
    if let Some(rest) = cond.strip_prefix("jsonpath=") {
        let parts = split_jsonpath(rest);
        let (expr, value) = match parts.as_slice() {
            [e] => (e.as_str(), None),
            [e, v] => {
                let v = v.trim_matches(['\'', '"']);
                if v.is_empty() {
                    return Err("jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3".into());
                }
                (e.as_str(), Some(v.to_string()))
            }
            _ => return Err("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'".into()),
        };
        let expr = relaxed_jsonpath(expr).map_err(|e| e.to_string())?;
        if expr.is_empty() {
            return Err("jsonpath expression cannot be empty".into());
        }
        let template = jsonpath::parse(&expr).map_err(|e| e.to_string())?.allow_missing_keys(true);
        return Ok(Condition::JsonPath { template: Box::new(template), value });
    }
    Err(format!("unrecognized condition: {cond:?}"))
}

/// Splits on single `=`; `==` stays in the expression (a filter's comparison).
fn split_jsonpath(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '=' {
            if chars.peek() == Some(&'=') {
                chars.next();
                cur.push_str("==");
                continue;
            }
            out.push(std::mem::take(&mut cur));
            continue;
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

/// `--for=create`: polls every half second until the named objects exist.
fn wait_created(k: &mut Kubectl<'_>, p: &Parsed, end: Time) -> bool {
    let args = p.args.clone();
    let opts = Options { allow_listing: true, local: false };
    let check = |k: &mut Kubectl<'_>| {
        builder::find(k, p, &args, opts).is_ok_and(|f| f.errors.is_empty() && !f.infos.is_empty())
    };
    loop {
        if check(k) {
            return true;
        }
        if k.cluster.now() >= end {
            return false;
        }
        let step = Duration::from_millis(500.min(end.as_millis().saturating_sub(k.cluster.now().as_millis())));
        k.cluster.run_for(step);
        k.cluster.settle();
    }
}

/// Waits for one condition on one object; the object as last seen, or the error to print.
fn wait_for(k: &mut Kubectl<'_>, info: &Info, c: &Condition, end: Time, once: bool) -> Result<Value, String> {
    // cli-runtime's Info.ObjectName: the plural without its group.
    let name_for_errors = format!("{}/{}", info.kind.plural(), info.name);
    let uid = info.value.pointer("/metadata/uid").cloned();
    let mut last = info.value.clone();
    let mut gone = false;
    let mut met = |cluster: &mut crate::cluster::Cluster| {
        let current = cluster.api().peek(info.kind, info.namespace.as_deref(), &info.name).map(|o| o.to_value());
        match (c, current) {
            (Condition::Delete, None) => true,
            (Condition::Delete, Some(v)) => v.pointer("/metadata/uid") != uid.as_ref(),
            (Condition::Create, Some(v)) => {
                last = v;
                true
            }
            (_, None) => {
                gone = true;
                true
            }
            (_, Some(v)) => {
                let ok = holds(c, &v);
                last = v;
                ok
            }
        }
    };
    let remaining = Duration::from_millis(end.as_millis().saturating_sub(k.cluster.now().as_millis()));
    let done = if once {
        k.cluster.settle();
        met(k.cluster)
    } else {
        waiting::until(k.cluster, remaining, &mut met)
    };
    if gone {
        return Err(format!(
            "Error from server (NotFound): {} \"{}\" not found",
            info.kind.qualified_plural(),
            info.name
        ));
    }
    match (done, once) {
        (true, _) => Ok(last),
        (false, true) => Err(format!("condition not met for {name_for_errors}")),
        (false, false) => Err(format!("timed out waiting for the condition on {name_for_errors}")),
    }
}

/// Whether a `condition=` or `jsonpath=` condition holds on the object.
fn holds(c: &Condition, v: &Value) -> bool {
    match c {
        Condition::Status { name, value } => {
            let generation = v.pointer("/metadata/generation").and_then(Value::as_i64);
            v.pointer("/status/conditions").and_then(Value::as_array).is_some_and(|conds| {
                conds.iter().any(|cond| {
                    let ty = cond.get("type").and_then(Value::as_str).unwrap_or("");
                    let status = cond.get("status").and_then(Value::as_str).unwrap_or("");
                    let observed = cond.get("observedGeneration").and_then(Value::as_i64);
                    ty.eq_ignore_ascii_case(name)
                        && status.eq_ignore_ascii_case(value)
                        && !matches!((observed, generation), (Some(o), Some(g)) if o < g)
                })
            })
        }
        Condition::JsonPath { template, value } => match template.execute(v) {
            Ok(out) => match value {
                Some(want) => out == *want,
                None => !out.is_empty(),
            },
            Err(_) => false,
        },
        Condition::Create | Condition::Delete => true,
    }
}
