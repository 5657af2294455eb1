//! `kubectl create poddisruptionbudget|pdb NAME --selector=SELECTOR --min-available=N|--max-unavailable=N`
//! (a number or a percentage).

use serde_json::{Value, json};

use super::subcommand;
use crate::api::Kind;
use crate::api::labels::{Operator, Selector};
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

/// metav1.ParseToLabelSelector: the selector's requirements (sorted by key, as labels.Parse leaves
/// them), equalities into matchLabels, set-based ones into matchExpressions.
pub fn label_selector(s: &str) -> Result<Value, String> {
    let parsed = Selector::parse(s).map_err(|e| format!("couldn't parse the selector string \"{s}\": {e}"))?;
    let mut labels = serde_json::Map::new();
    let mut exprs = Vec::new();
    for req in parsed.requirements() {
        let op = match req.operator() {
            Operator::Equals | Operator::DoubleEquals => {
                let [value] = req.values() else { return Err("equals operator must have exactly one value".into()) };
                labels.insert(req.key().to_string(), Value::String(value.clone()));
                continue;
            }
            Operator::In => "In",
            Operator::NotIn => "NotIn",
            Operator::Exists => "Exists",
            Operator::DoesNotExist => "DoesNotExist",
            op @ (Operator::GreaterThan | Operator::LessThan) => {
                return Err(format!("\"{}\" isn't supported in label selectors", op.as_str()));
            }
            op => return Err(format!("\"{}\" is not a valid label selector operator", op.as_str())),
        };
        let mut expr = json!({"key": req.key(), "operator": op});
        if !req.values().is_empty() {
            expr["values"] = json!(req.values());
        }
        exprs.push(expr);
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
