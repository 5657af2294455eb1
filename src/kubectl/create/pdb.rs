//! `kubectl create poddisruptionbudget|pdb NAME --selector=SELECTOR --min-available=N|--max-unavailable=N`
//! (a number or a percentage).

use serde_json::{Value, json};

use super::subcommand;
use crate::api::Kind;
use crate::kubectl::context::Kubectl;
use crate::kubectl::flags::Flag;

const FLAGS: &[Flag] =
    &[Flag::string("min-available", None), Flag::string("max-unavailable", None), Flag::string("selector", None)];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = subcommand::prepare(k, FLAGS, args, &[]) else { return };
    let selector = o.p.get("selector").unwrap_or("");
    let min = o.p.get("min-available").unwrap_or("");
    let max = o.p.get("max-unavailable").unwrap_or("");
    if selector.is_empty() {
        return k.error("a selector must be specified");
    }
    if min.is_empty() && max.is_empty() {
        return k.error("one of min-available or max-unavailable must be specified");
    }
    if !min.is_empty() && !max.is_empty() {
        return k.error("min-available and max-unavailable cannot be both specified");
    }
    let (field, raw) = if min.is_empty() { ("maxUnavailable", max) } else { ("minAvailable", min) };
    let Some(amount) = int_or_percent(raw) else {
        let flag = if min.is_empty() { "max-unavailable" } else { "min-available" };
        return k.error(&format!("invalid format specified for {flag}"));
    };
    let selector = match label_selector(selector) {
        Ok(s) => s,
        Err(e) => return k.error(&e),
    };
    let mut spec = json!({"selector": selector});
    spec[field] = amount;
    let value = json!({
        "kind": "PodDisruptionBudget",
        "apiVersion": "policy/v1",
        "metadata": {"name": o.name},
        "spec": spec,
        "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}
    });
    subcommand::finish(k, &o, Kind::PodDisruptionBudget, value);
}

/// An IntOrString as kubectl validates it here: a whole number, or a whole number with `%`.
fn int_or_percent(s: &str) -> Option<Value> {
    if let Ok(n) = s.parse::<i32>() {
        return Some(json!(n));
    }
    let digits = s.strip_suffix('%')?;
    digits.parse::<i32>().ok().map(|_| json!(s))
}

/// metav1.ParseToLabelSelector for the forms a selector flag usually takes: `k=v`/`k==v` into
/// matchLabels, `k!=v` into NotIn, `k`/`!k` into Exists/DoesNotExist, `k in (a,b)`/`k notin (a,b)`.
pub fn label_selector(s: &str) -> Result<Value, String> {
    crate::api::labels::Selector::parse(s).map_err(|e| e.to_string())?;
    let mut labels = serde_json::Map::new();
    let mut exprs = Vec::new();
    for term in split_terms(s) {
        let term = term.trim();
        if let Some((key, rest)) = term.split_once(" notin ").or_else(|| term.split_once(" in ")) {
            let op = if term.contains(" notin ") { "NotIn" } else { "In" };
            let values: Vec<String> = rest
                .trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .split(',')
                .map(|v| v.trim().to_string())
                .collect();
            exprs.push(json!({"key": key.trim(), "operator": op, "values": values}));
        } else if let Some((key, v)) = term.split_once("!=") {
            exprs.push(json!({"key": key.trim(), "operator": "NotIn", "values": [v.trim()]}));
        } else if let Some((key, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            labels.insert(key.trim().to_string(), Value::String(v.trim().to_string()));
        } else if let Some(key) = term.strip_prefix('!') {
            exprs.push(json!({"key": key.trim(), "operator": "DoesNotExist"}));
        } else if !term.is_empty() {
            exprs.push(json!({"key": term, "operator": "Exists"}));
        }
    }
    let mut selector = json!({});
    if !labels.is_empty() {
        selector["matchLabels"] = Value::Object(labels);
    }
    if !exprs.is_empty() {
        selector["matchExpressions"] = Value::Array(exprs);
    }
    Ok(selector)
}

/// Splits a selector at the commas outside parentheses.
fn split_terms(s: &str) -> Vec<String> {
    let mut terms = vec![String::new()];
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(t) = terms.last_mut() {
            t.push(c);
        }
    }
    terms
}
