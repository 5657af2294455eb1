//! The pod row of `kubectl get pods`: READY, STATUS (printPod's walk over init and regular container
//! states), RESTARTS with the time of the last restart, and the wide columns.

use k8s_openapi::api::core::v1::{ContainerStatus, Pod};

use super::{Cells, RowCtx, age, none_if_empty};
use crate::api::duration::human_duration;

/// Whether an init container is a sidecar (a restartable init container).
fn is_sidecar(pod: &Pod, name: &str) -> bool {
    pod.spec
        .as_ref()
        .and_then(|s| s.init_containers.as_ref())
        .and_then(|ics| ics.iter().find(|c| c.name == name))
        .is_some_and(|c| c.restart_policy.as_deref() == Some("Always"))
}

fn last_termination_ms(cs: &ContainerStatus) -> Option<i64> {
    cs.last_state
        .as_ref()
        .and_then(|s| s.terminated.as_ref())
        .and_then(|t| t.finished_at.as_ref())
        .map(|t| t.0.as_millisecond())
}

/// The STATUS column, as printPod computes it.
pub fn pod_status(pod: &Pod) -> String {
    let status = pod.status.as_ref();
    let mut reason = status.and_then(|s| s.phase.clone()).unwrap_or_default();
    if let Some(r) = status.and_then(|s| s.reason.as_deref()).filter(|r| !r.is_empty()) {
        reason = r.to_string();
    }
    let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or_default();
    if conditions.iter().any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated")) {
        reason = "SchedulingGated".into();
    }
    let init_statuses = status.and_then(|s| s.init_container_statuses.as_deref()).unwrap_or_default();
    let init_count = pod.spec.as_ref().and_then(|s| s.init_containers.as_ref()).map_or(0, Vec::len);
    let mut initializing = false;
    for (i, cs) in init_statuses.iter().enumerate() {
        let state = cs.state.as_ref();
        if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
            if t.exit_code == 0 {
                continue;
            }
            initializing = true;
            reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None if t.signal.unwrap_or(0) != 0 => format!("Init:Signal:{}", t.signal.unwrap_or(0)),
                None => format!("Init:ExitCode:{}", t.exit_code),
            };
            break;
        }
        if is_sidecar(pod, &cs.name) && cs.started == Some(true) {
            continue;
        }
        if let Some(w) = state.and_then(|s| s.waiting.as_ref())
            && let Some(r) = w.reason.as_deref().filter(|r| !r.is_empty() && *r != "PodInitializing")
        {
            initializing = true;
            reason = format!("Init:{r}");
            break;
        }
        initializing = true;
        reason = format!("Init:{i}/{init_count}");
        break;
    }
    let initialized = conditions.iter().any(|c| c.type_ == "Initialized" && c.status == "True");
    if !initializing || initialized {
        let mut has_running = false;
        for cs in status.and_then(|s| s.container_statuses.as_deref()).unwrap_or_default().iter().rev() {
            let state = cs.state.as_ref();
            if let Some(r) =
                state.and_then(|s| s.waiting.as_ref()).and_then(|w| w.reason.as_deref()).filter(|r| !r.is_empty())
            {
                reason = r.to_string();
            } else if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
                reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => r.to_string(),
                    None if t.signal.unwrap_or(0) != 0 => format!("Signal:{}", t.signal.unwrap_or(0)),
                    None => format!("ExitCode:{}", t.exit_code),
                };
            } else if cs.ready && state.and_then(|s| s.running.as_ref()).is_some() {
                has_running = true;
            }
        }
        if reason == "Completed" && has_running {
            let ready = conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True");
            reason = if ready { "Running".into() } else { "NotReady".into() };
        }
    }
    if pod.metadata.deletion_timestamp.is_some() {
        if status.and_then(|s| s.reason.as_deref()) == Some("NodeLost") {
            reason = "Unknown".into();
        } else if !matches!(status.and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed")) {
            reason = "Terminating".into();
        }
    }
    reason
}

pub fn cells(pod: &Pod, ctx: &RowCtx) -> Cells {
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let containers = spec.map_or(0, |s| s.containers.len());
    let statuses = status.and_then(|s| s.container_statuses.as_deref()).unwrap_or_default();
    let init_statuses = status.and_then(|s| s.init_container_statuses.as_deref()).unwrap_or_default();
    let mut total = containers;
    let mut ready =
        statuses.iter().filter(|c| c.ready && c.state.as_ref().and_then(|s| s.running.as_ref()).is_some()).count();
    let mut restarts: i64 = statuses.iter().map(|c| i64::from(c.restart_count)).sum();
    let mut last_restart = statuses.iter().filter_map(last_termination_ms).max();
    for cs in init_statuses {
        if is_sidecar(pod, &cs.name) {
            total += 1;
            if cs.ready && cs.started == Some(true) {
                ready += 1;
            }
            restarts += i64::from(cs.restart_count);
            last_restart = last_restart.max(last_termination_ms(cs));
        }
    }
    let status_text = pod_status(pod);
    if status_text.starts_with("Init:") {
        restarts +=
            init_statuses.iter().filter(|c| !is_sidecar(pod, &c.name)).map(|c| i64::from(c.restart_count)).sum::<i64>();
    }
    let restarts_text = match last_restart {
        Some(t) if restarts > 0 => format!("{restarts} ({} ago)", human_duration(ctx.now_ms - t)),
        _ => restarts.to_string(),
    };
    let gates = spec.and_then(|s| s.readiness_gates.as_deref()).unwrap_or_default();
    let gates_text = if gates.is_empty() {
        "<none>".to_string()
    } else {
        let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or_default();
        let ok = gates
            .iter()
            .filter(|g| conditions.iter().any(|c| c.type_ == g.condition_type && c.status == "True"))
            .count();
        format!("{ok}/{}", gates.len())
    };
    vec![
        pod.metadata.name.clone().unwrap_or_default(),
        format!("{ready}/{total}"),
        status_text,
        restarts_text,
        age(&pod.metadata, ctx),
        none_if_empty(status.and_then(|s| s.pod_ip.as_deref())),
        none_if_empty(spec.and_then(|s| s.node_name.as_deref())),
        none_if_empty(status.and_then(|s| s.nominated_node_name.as_deref())),
        gates_text,
    ]
}
