//! `kubectl rollout status`: watches each object and prints its status viewer's line on every change,
//! until the rollout completes (or once with `--watch=false`), letting virtual time pass meanwhile.

use serde_json::Value;

use super::super::context::Kubectl;
use super::super::flags::Flag;
use super::super::mutate::{self, FILE_FLAGS};
use super::super::waiting;
use crate::api::Kind;

const FLAGS: &[Flag] = &[
    Flag::int("revision", None),
    Flag::string("selector", Some('l')),
    Flag::string("timeout", None),
    Flag::bool("watch", Some('w')),
];

fn int(v: &Value, path: &str) -> i64 {
    v.pointer(path).and_then(Value::as_i64).unwrap_or(0)
}

fn text<'a>(v: &'a Value, path: &str) -> &'a str {
    v.pointer(path).and_then(Value::as_str).unwrap_or("")
}

/// A status viewer's answer: the line to print and whether the rollout is done.
type Status = Result<(String, bool), String>;

/// kubectl's DeploymentStatusViewer.
fn deployment(d: &Value, revision: i64) -> Status {
    let name = text(d, "/metadata/name");
    if revision > 0 {
        let current: i64 = text(d, "/metadata/annotations/deployment.kubernetes.io~1revision").parse().unwrap_or(0);
        if current != revision {
            return Err(format!("desired revision ({revision}) is different from the running revision ({current})"));
        }
    }
    if int(d, "/metadata/generation") > int(d, "/status/observedGeneration") {
        return Ok(("Waiting for deployment spec update to be observed...\n".into(), false));
    }
    let timed_out = d.pointer("/status/conditions").and_then(Value::as_array).is_some_and(|cs| {
        cs.iter().any(|c| text(c, "/type") == "Progressing" && text(c, "/reason") == "ProgressDeadlineExceeded")
    });
    if timed_out {
        return Err(format!("deployment \"{name}\" exceeded its progress deadline"));
    }
    let (updated, replicas, available) =
        (int(d, "/status/updatedReplicas"), int(d, "/status/replicas"), int(d, "/status/availableReplicas"));
    if let Some(want) = d.pointer("/spec/replicas").and_then(Value::as_i64)
        && updated < want
    {
        let line = format!(
            "Waiting for deployment \"{name}\" rollout to finish: {updated} out of {want} new replicas have been updated...\n"
        );
        return Ok((line, false));
    }
    if replicas > updated {
        let line = format!(
            "Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...\n",
            replicas - updated
        );
        return Ok((line, false));
    }
    if available < updated {
        let line = format!(
            "Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...\n"
        );
        return Ok((line, false));
    }
    Ok((format!("deployment \"{name}\" successfully rolled out\n"), true))
}

/// kubectl's DaemonSetStatusViewer.
fn daemon_set(d: &Value) -> Status {
    let name = text(d, "/metadata/name");
    let strategy = text(d, "/spec/updateStrategy/type");
    if !strategy.is_empty() && strategy != "RollingUpdate" {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    if int(d, "/metadata/generation") > int(d, "/status/observedGeneration") {
        return Ok(("Waiting for daemon set spec update to be observed...\n".into(), false));
    }
    let (updated, desired, available) = (
        int(d, "/status/updatedNumberScheduled"),
        int(d, "/status/desiredNumberScheduled"),
        int(d, "/status/numberAvailable"),
    );
    if updated < desired {
        let line = format!(
            "Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {desired} new pods have been updated...\n"
        );
        return Ok((line, false));
    }
    if available < desired {
        let line = format!(
            "Waiting for daemon set \"{name}\" rollout to finish: {available} of {desired} updated pods are available...\n"
        );
        return Ok((line, false));
    }
    Ok((format!("daemon set \"{name}\" successfully rolled out\n"), true))
}

/// kubectl's StatefulSetStatusViewer.
fn stateful_set(s: &Value) -> Status {
    let strategy = text(s, "/spec/updateStrategy/type");
    if !strategy.is_empty() && strategy != "RollingUpdate" {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    let observed = int(s, "/status/observedGeneration");
    if observed == 0 || int(s, "/metadata/generation") > observed {
        return Ok(("Waiting for statefulset spec update to be observed...\n".into(), false));
    }
    let ready = int(s, "/status/readyReplicas");
    if let Some(want) = s.pointer("/spec/replicas").and_then(Value::as_i64)
        && ready < want
    {
        return Ok((format!("Waiting for {} pods to be ready...\n", want - ready), false));
    }
    let updated = int(s, "/status/updatedReplicas");
    if s.pointer("/spec/updateStrategy/rollingUpdate").is_some() {
        if let (Some(want), Some(partition)) = (
            s.pointer("/spec/replicas").and_then(Value::as_i64),
            s.pointer("/spec/updateStrategy/rollingUpdate/partition").and_then(Value::as_i64),
        ) && updated < want - partition
        {
            let line = format!(
                "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n",
                want - partition
            );
            return Ok((line, false));
        }
        return Ok((format!("partitioned roll out complete: {updated} new pods have been updated...\n"), true));
    }
    let (update_rev, current_rev) = (text(s, "/status/updateRevision"), text(s, "/status/currentRevision"));
    if update_rev != current_rev {
        let line =
            format!("waiting for statefulset rolling update to complete {updated} pods at revision {update_rev}...\n");
        return Ok((line, false));
    }
    let current = int(s, "/status/currentReplicas");
    Ok((format!("statefulset rolling update complete {current} pods at revision {current_rev}...\n"), true))
}

fn viewer(kind: Kind, value: &Value, revision: i64) -> Status {
    match kind {
        Kind::Deployment => deployment(value, revision),
        Kind::DaemonSet => daemon_set(value),
        Kind::StatefulSet => stateful_set(value),
        other => Err(format!("no status viewer has been implemented for {}", qualified_kind(other))),
    }
}

/// `schema.GroupKind.String()`.
pub fn qualified_kind(kind: Kind) -> String {
    if kind.group().is_empty() { kind.as_str().to_string() } else { format!("{}.{}", kind.as_str(), kind.group()) }
}

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(&mutate::flags(&[FLAGS, FILE_FLAGS]), args) else { return };
    let Some(timeout) = waiting::timeout_flag(k, &p, waiting::FOREVER) else { return };
    let revision = p.int("revision").unwrap_or(0);
    if revision < 0 {
        return k.error(&format!("revision must be a positive integer: {revision}"));
    }
    let watch = !p.has("watch") || p.bool("watch");
    let Some(found) = super::find(k, &p) else { return };
    if found.infos.is_empty() && found.errors.is_empty() {
        k.out.err(format!("No resources found in {} namespace.\n", Kubectl::namespace(&p)));
        return;
    }
    for info in &found.infos {
        let mut last_rv = String::new();
        let mut outcome: Result<bool, String> = Ok(false);
        let finished = waiting::until(k.cluster, timeout, |c| {
            let Some(obj) = c.api().peek(info.kind, info.namespace.as_deref(), &info.name) else {
                outcome = Err("object has been deleted".into());
                return true;
            };
            let rv = obj.meta().resource_version.clone().unwrap_or_default();
            if rv == last_rv {
                return false;
            }
            last_rv = rv;
            match viewer(info.kind, &obj.to_value(), revision) {
                Ok((line, done)) => {
                    k.out.out(line);
                    outcome = Ok(done);
                    done || !watch
                }
                Err(e) => {
                    outcome = Err(e);
                    true
                }
            }
        });
        match outcome {
            Err(e) => return k.error(&e),
            Ok(_) if !finished => return k.error("timed out waiting for the condition"),
            Ok(_) => {}
        }
    }
    super::super::builder::report_errors(k, &found.errors);
}
