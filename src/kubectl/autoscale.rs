//! `kubectl autoscale (TYPE NAME | TYPE/NAME | -f -) --max=N [--min=N] [--cpu=X] [--memory=X]`: an
//! autoscaling/v2 HorizontalPodAutoscaler for a deployment, replica set or stateful set. `--cpu=70%`
//! targets average utilization, `--cpu=500m` (or `500`) an average value, as kubectl v1.36 reads them.

use serde_json::{Value, json};

use super::builder::{self, Info, Options};
use super::context::Kubectl;
use super::flags::{Flag, Parsed};
use super::mutate::{self, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS};
use crate::api::Kind;
use crate::api::quantity::Quantity;

const FLAGS: &[Flag] = &[
    Flag::int("min", None),
    Flag::int("max", None),
    Flag::string("cpu", None),
    Flag::string("memory", None),
    Flag::string("name", None),
];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(&mutate::flags(&[FLAGS, FILE_FLAGS, PRINT_FLAGS, WRITE_FLAGS]), args) else { return };
    if !p.has("max") {
        return k.error("required flag(s) \"max\" not set");
    }
    let Some((dry_run, printer)) = mutate::dry_run_and_printer(k, &p) else { return };
    let (min, max) = (p.int("min").unwrap_or(-1), p.int("max").unwrap_or(-1));
    if max < 1 {
        return k.error(&format!("--max=MAXPODS is required and must be at least 1, max: {max}"));
    }
    if min > max {
        return k.error(&format!("--max=MAXPODS must be larger or equal to --min=MINPODS, max: {max}, min: {min}"));
    }
    let metrics = match metrics(&p) {
        Ok(m) => m,
        Err(e) => return k.error(&e),
    };
    let found = match builder::find(k, &p, &p.args.clone(), Options::default()) {
        Ok(f) => f,
        Err(e) => return k.error(&e),
    };
    for info in &found.infos {
        let hpa = match autoscaler_for(info, &p, min, max, &metrics) {
            Ok(h) => h,
            Err(e) => return k.error(&e),
        };
        let value = match mutate::send_create(k, &p, Kind::HorizontalPodAutoscaler, hpa, dry_run) {
            Ok(v) => v,
            Err(e) => return k.out.fail(format!("{e}\n")),
        };
        mutate::print_op(k, &printer, dry_run, Kind::HorizontalPodAutoscaler, &value, "autoscaled");
    }
    builder::report_errors(k, &found.errors);
}

fn autoscaler_for(info: &Info, p: &Parsed, min: i64, max: i64, metrics: &[Value]) -> Result<Value, String> {
    if !matches!(info.kind, Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet) {
        let group = info.kind.group();
        let kind =
            if group.is_empty() { info.kind.as_str().to_string() } else { format!("{}.{group}", info.kind.as_str()) };
        return Err(format!("cannot autoscale a {kind}: cannot autoscale {}", info.kind.as_str()));
    }
    let name = p.get("name").filter(|n| !n.is_empty()).map(str::to_string).unwrap_or_else(|| info.name.clone());
    let mut metadata = json!({"name": name});
    if let Some(ns) = &info.namespace {
        metadata["namespace"] = json!(ns);
    }
    let target = json!({"apiVersion": info.kind.api_version(), "kind": info.kind.as_str(), "name": info.name});
    let mut spec = json!({"scaleTargetRef": target, "maxReplicas": max});
    if min >= 0 {
        spec["minReplicas"] = json!(min);
    }
    if !metrics.is_empty() {
        spec["metrics"] = json!(metrics);
    }
    Ok(json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": metadata, "spec": spec}))
}

/// The Resource metrics `--cpu` and `--memory` ask for.
fn metrics(p: &Parsed) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for (resource, unit) in [("cpu", "m"), ("memory", "Mi")] {
        let Some(raw) = p.get(resource).filter(|v| !v.is_empty()) else { continue };
        let target = match raw.strip_suffix('%') {
            Some(pct) => match pct.parse::<i32>() {
                Ok(n) if n > 0 => json!({"type": "Utilization", "averageUtilization": n}),
                _ => return Err(format!("invalid resource {resource} value: {raw}")),
            },
            None => {
                let text =
                    if raw.chars().all(|c| c.is_ascii_digit()) { format!("{raw}{unit}") } else { raw.to_string() };
                match Quantity::parse(&text) {
                    Ok(q) if !q.is_zero() => json!({"type": "AverageValue", "averageValue": text}),
                    _ => return Err(format!("invalid resource {resource} value: {raw}")),
                }
            }
        };
        out.push(json!({"type": "Resource", "resource": {"name": resource, "target": target}}));
    }
    Ok(out)
}
