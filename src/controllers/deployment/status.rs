//! A Deployment's status (upstream's `syncRolloutStatus`, `calculateStatus` and `progress.go`):
//! replica counts summed over its ReplicaSets, the Available condition (minimum availability is
//! replicas − maxUnavailable), and the Progressing condition that tells a rollout's story —
//! NewReplicaSetCreated / FoundNewReplicaSet, ReplicaSetUpdated while it moves,
//! NewReplicaSetAvailable when done, ProgressDeadlineExceeded when it stalled longer than
//! progressDeadlineSeconds, DeploymentPaused / DeploymentResumed around a pause.

use std::sync::Arc;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, DeploymentStatus};

use super::DeploymentController;
use super::sync::Sets;
use super::util::{
    actual_replica_count, available_replica_count, max_unavailable, ready_replica_count, replica_count, replicas,
};
use crate::apiserver::ApiServer;
use crate::apiserver::strategy::timestamp;
use crate::controllers::SyncError;
use crate::controllers::controller_utils::unix_millis;

pub const AVAILABLE: &str = "Available";
pub const PROGRESSING: &str = "Progressing";
const REPLICA_FAILURE: &str = "ReplicaFailure";
const NEW_RS_AVAILABLE: &str = "NewReplicaSetAvailable";
const TIMED_OUT: &str = "ProgressDeadlineExceeded";
const PAUSED: &str = "DeploymentPaused";
const RESUMED: &str = "DeploymentResumed";

/// `NewDeploymentCondition` at `now_ms`.
pub fn new_condition(type_: &str, status: &str, reason: &str, message: &str, now_ms: i64) -> DeploymentCondition {
    DeploymentCondition {
        type_: type_.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_update_time: Some(timestamp(now_ms)),
        last_transition_time: Some(timestamp(now_ms)),
    }
}

pub fn condition<'a>(d: &'a Deployment, type_: &str) -> Option<&'a DeploymentCondition> {
    d.status.as_ref().and_then(|s| s.conditions.as_ref()).and_then(|c| c.iter().find(|c| c.type_ == type_))
}

fn status_condition<'a>(s: &'a DeploymentStatus, type_: &str) -> Option<&'a DeploymentCondition> {
    s.conditions.as_ref().and_then(|c| c.iter().find(|c| c.type_ == type_))
}

fn remove_condition(s: &mut DeploymentStatus, type_: &str) {
    if let Some(c) = &mut s.conditions {
        c.retain(|c| c.type_ != type_);
        if c.is_empty() {
            s.conditions = None;
        }
    }
}

/// `SetDeploymentCondition`: a condition with the same status and reason is left alone; one with the
/// same status keeps its transition time; either way the new one goes to the end of the list (which
/// is why a settled Deployment lists Available before Progressing).
pub fn set_condition(s: &mut DeploymentStatus, mut c: DeploymentCondition) {
    if let Some(current) = status_condition(s, &c.type_) {
        if current.status == c.status && current.reason == c.reason {
            return;
        }
        if current.status == c.status {
            c.last_transition_time = current.last_transition_time.clone();
        }
    }
    let list = s.conditions.get_or_insert_with(Vec::new);
    list.retain(|x| x.type_ != c.type_);
    list.push(c);
}

fn progress_deadline(d: &Deployment) -> Option<i32> {
    d.spec.as_ref().and_then(|s| s.progress_deadline_seconds).filter(|&s| s != i32::MAX)
}

/// `calculateStatus`.
pub fn calculate_status(d: &Deployment, sets: &Sets, now_ms: i64) -> DeploymentStatus {
    let all = sets.all();
    let available = available_replica_count(&all);
    let total = replica_count(&all);
    let old = d.status.clone().unwrap_or_default();
    let mut status = DeploymentStatus {
        observed_generation: d.metadata.generation,
        replicas: Some(actual_replica_count(&all)),
        updated_replicas: Some(sets.new.as_ref().map_or(0, |n| actual_replica_count(std::slice::from_ref(n)))),
        ready_replicas: Some(ready_replica_count(&all)),
        available_replicas: Some(available),
        unavailable_replicas: Some(total.saturating_sub(available).max(0)),
        collision_count: old.collision_count,
        conditions: old.conditions.clone(),
        terminating_replicas: old.terminating_replicas,
    };
    let minimum = replicas(d).saturating_sub(max_unavailable(d));
    let c = if available >= minimum {
        new_condition(AVAILABLE, "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now_ms)
    } else {
        new_condition(
            AVAILABLE,
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            now_ms,
        )
    };
    set_condition(&mut status, c);
    status
}

fn n(v: Option<i32>) -> i32 {
    v.unwrap_or(0)
}

/// `DeploymentComplete`.
pub fn deployment_complete(d: &Deployment, s: &DeploymentStatus) -> bool {
    let r = replicas(d);
    n(s.updated_replicas) == r
        && n(s.replicas) == r
        && n(s.available_replicas) == r
        && s.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0)
}

/// `DeploymentProgressing`: more updated, ready or available pods, or fewer old ones, than before.
fn deployment_progressing(d: &Deployment, s: &DeploymentStatus) -> bool {
    let old = d.status.clone().unwrap_or_default();
    let old_old = n(old.replicas) - n(old.updated_replicas);
    let new_old = n(s.replicas) - n(s.updated_replicas);
    n(s.updated_replicas) > n(old.updated_replicas)
        || new_old < old_old
        || n(s.ready_replicas) > n(old.ready_replicas)
        || n(s.available_replicas) > n(old.available_replicas)
}

/// When a stalled rollout's Progressing condition times out (None when it cannot).
fn deadline_ms(d: &Deployment, s: &DeploymentStatus) -> Option<i64> {
    let secs = progress_deadline(d)?;
    let c = status_condition(s, PROGRESSING)?;
    if c.reason.as_deref() == Some(NEW_RS_AVAILABLE) || c.reason.as_deref() == Some(TIMED_OUT) {
        return None;
    }
    let from = c.last_update_time.as_ref().map(unix_millis)?;
    Some(from.saturating_add(i64::from(secs) * 1000))
}

/// `DeploymentTimedOut`.
fn deployment_timed_out(d: &Deployment, s: &DeploymentStatus, now_ms: i64) -> bool {
    if progress_deadline(d).is_none() {
        return false;
    }
    match status_condition(s, PROGRESSING) {
        Some(c) if c.reason.as_deref() == Some(TIMED_OUT) => true,
        _ => deadline_ms(d, s).is_some_and(|at| at < now_ms),
    }
}

impl DeploymentController {
    pub(super) fn now_ms(&self, api: &ApiServer) -> i64 {
        api.clock().unix_millis(api.now())
    }

    /// `syncDeploymentStatus`: counts and Available only.
    pub(super) fn sync_deployment_status(
        &mut self,
        api: &mut ApiServer,
        d: &mut Arc<Deployment>,
        sets: &Sets,
    ) -> Result<(), SyncError> {
        let status = calculate_status(d, sets, self.now_ms(api));
        if d.status.as_ref() == Some(&status) {
            return Ok(());
        }
        let mut next = (**d).clone();
        next.status = Some(status);
        self.write_deployment(api, d, next, false, true)
    }

    /// `syncRolloutStatus`: counts, Available, and the Progressing story.
    pub(super) fn sync_rollout_status(
        &mut self,
        api: &mut ApiServer,
        d: &mut Arc<Deployment>,
        sets: &Sets,
    ) -> Result<(), SyncError> {
        let now = self.now_ms(api);
        let mut s = calculate_status(d, sets, now);
        if progress_deadline(d).is_none() {
            remove_condition(&mut s, PROGRESSING);
        }
        let current = condition(d, PROGRESSING).cloned();
        let complete_before = n(s.replicas) == n(s.updated_replicas)
            && current.as_ref().is_some_and(|c| c.reason.as_deref() == Some(NEW_RS_AVAILABLE));
        let new_name = sets.new.as_ref().and_then(|r| r.metadata.name.clone());
        let subject = |verb: &str| match &new_name {
            Some(rs) => format!("ReplicaSet {rs:?} {verb}"),
            None => format!("Deployment {:?} {verb}", d.metadata.name.as_deref().unwrap_or("")),
        };
        if progress_deadline(d).is_some() && !complete_before {
            if deployment_complete(d, &s) {
                let msg = subject("has successfully progressed.");
                set_condition(&mut s, new_condition(PROGRESSING, "True", NEW_RS_AVAILABLE, &msg, now));
            } else if deployment_progressing(d, &s) {
                let msg = subject("is progressing.");
                let mut c = new_condition(PROGRESSING, "True", "ReplicaSetUpdated", &msg, now);
                if let Some(cur) = &current {
                    if cur.status == "True" {
                        c.last_transition_time = cur.last_transition_time.clone();
                    }
                    remove_condition(&mut s, PROGRESSING);
                }
                set_condition(&mut s, c);
            } else if deployment_timed_out(d, &s, now) {
                let msg = subject("has timed out progressing.");
                set_condition(&mut s, new_condition(PROGRESSING, "False", TIMED_OUT, &msg, now));
            }
        }
        match replica_failure(sets) {
            Some(c) => set_condition(&mut s, c),
            None => remove_condition(&mut s, REPLICA_FAILURE),
        }
        if d.status.as_ref() != Some(&s) {
            let mut next = (**d).clone();
            next.status = Some(s);
            self.write_deployment(api, d, next, false, true)?;
        }
        // A rollout that makes no progress must still time out: look again just after its deadline.
        if !deployment_complete(d, d.status.as_ref().unwrap_or(&DeploymentStatus::default())) {
            let status = d.status.clone().unwrap_or_default();
            if let Some(at) = deadline_ms(d, &status) {
                self.requeue_at_unix_ms(api, at.saturating_add(1000));
            }
        }
        Ok(())
    }

    /// `checkPausedConditions`: Progressing Unknown while paused, and again when resumed.
    pub(super) fn check_paused_conditions(
        &mut self,
        api: &mut ApiServer,
        d: &mut Arc<Deployment>,
    ) -> Result<(), SyncError> {
        if progress_deadline(d).is_none() {
            return Ok(());
        }
        let reason = condition(d, PROGRESSING).and_then(|c| c.reason.clone());
        let paused = d.spec.as_ref().and_then(|s| s.paused) == Some(true);
        let now = self.now_ms(api);
        let c = if paused && reason.as_deref() != Some(PAUSED) {
            new_condition(PROGRESSING, "Unknown", PAUSED, "Deployment is paused", now)
        } else if !paused && reason.as_deref() == Some(PAUSED) {
            new_condition(PROGRESSING, "Unknown", RESUMED, "Deployment is resumed", now)
        } else {
            return Ok(());
        };
        let mut next = (**d).clone();
        set_condition(next.status.get_or_insert_with(Default::default), c);
        self.write_deployment(api, d, next, false, true)
    }
}

/// `getReplicaFailures`: the new set's ReplicaFailure condition, else the first old set's.
fn replica_failure(sets: &Sets) -> Option<DeploymentCondition> {
    let from = |rs: &k8s_openapi::api::apps::v1::ReplicaSet| {
        rs.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|c| c.iter().find(|c| c.type_ == REPLICA_FAILURE))
            .map(|c| DeploymentCondition {
                type_: REPLICA_FAILURE.into(),
                status: c.status.clone(),
                reason: c.reason.clone(),
                message: c.message.clone(),
                last_update_time: c.last_transition_time.clone(),
                last_transition_time: c.last_transition_time.clone(),
            })
    };
    sets.new.as_deref().and_then(from).or_else(|| sets.old.iter().find_map(|rs| from(rs)))
}
