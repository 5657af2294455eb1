//! The Job controller's vocabulary, as upstream's `job_controller.go`, `backoff_utils.go`,
//! `indexed_job_utils.go` and `pod_failure_policy.go` define it: the pod failure back-off record,
//! when a pod finished, which pods count as failed, the pod failure policy's match, completion
//! indexes and their `0-2,4` rendering, and the Job conditions.

use std::collections::BTreeSet;

use k8s_openapi::api::batch::v1::{Job, JobCondition, PodFailurePolicy};
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};

use crate::apiserver::strategy::timestamp;
use crate::controllers::controller_utils::unix_millis;
use crate::sim::Duration;

/// The finalizer that keeps a finished pod until the Job counted it.
pub const JOB_TRACKING_FINALIZER: &str = "batch.kubernetes.io/job-tracking";
/// The annotation (and label) with an Indexed Job pod's completion index.
pub const JOB_COMPLETION_INDEX: &str = "batch.kubernetes.io/job-completion-index";
/// Upstream's DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff.
pub const DEFAULT_POD_FAILURE_BACKOFF: Duration = Duration::from_secs(10);
pub const MAX_POD_FAILURE_BACKOFF: Duration = Duration::from_secs(10 * 60);
/// Upstream's MaxUncountedPods and MaxPodCreateDeletePerSync.
pub const MAX_UNCOUNTED_PODS: usize = 500;
pub const MAX_POD_CREATE_DELETE_PER_SYNC: usize = 500;
/// Upstream's syncJobBatchPeriod: pod changes reach the Job's sync at most once a second.
pub const SYNC_JOB_BATCH_PERIOD: Duration = Duration::from_secs(1);

pub fn phase(p: &Pod) -> &str {
    p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("")
}

pub fn has_tracking_finalizer(p: &Pod) -> bool {
    p.metadata.finalizers.iter().flatten().any(|f| f == JOB_TRACKING_FINALIZER)
}

pub fn is_indexed(job: &Job) -> bool {
    job.spec.as_ref().and_then(|s| s.completion_mode.as_deref()) == Some("Indexed")
}

pub fn is_suspended(job: &Job) -> bool {
    job.spec.as_ref().and_then(|s| s.suspend) == Some(true)
}

/// Replacement pods wait for the old ones to be fully gone (`podReplacementPolicy: Failed`).
pub fn only_replace_failed(job: &Job) -> bool {
    let spec = job.spec.as_ref();
    spec.and_then(|s| s.pod_replacement_policy.as_deref()) == Some("Failed")
        || spec.is_some_and(|s| s.pod_failure_policy.is_some())
}

/// `isPodFailed`: Failed, or (unless only failed pods are replaced) deleted before it succeeded.
pub fn is_pod_failed(p: &Pod, job: &Job) -> bool {
    if phase(p) == "Failed" {
        return true;
    }
    !only_replace_failed(job) && p.metadata.deletion_timestamp.is_some() && phase(p) != "Succeeded"
}

/// The completion index of an Indexed Job's pod (None when absent or malformed).
pub fn completion_index(p: &Pod) -> Option<i32> {
    let v = p.metadata.annotations.as_ref()?.get(JOB_COMPLETION_INDEX)?;
    if v.len() > 1 && v.starts_with('0') {
        return None;
    }
    v.parse::<i32>().ok().filter(|i| *i >= 0)
}

/// `getFinishedTime` in Unix milliseconds: the last container's finishedAt, else the Ready=False
/// transition, else the deletion time minus its grace period, else the creation time.
pub fn finished_time_ms(p: &Pod) -> i64 {
    let status = p.status.as_ref();
    let statuses: &[ContainerStatus] = status.and_then(|s| s.container_statuses.as_deref()).unwrap_or(&[]);
    let finished: Option<Vec<i64>> =
        statuses.iter().map(|c| c.state.as_ref()?.terminated.as_ref()?.finished_at.as_ref().map(unix_millis)).collect();
    if let Some(t) = finished.and_then(|v| v.into_iter().max()) {
        return t;
    }
    let ready_false = status
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready" && c.status == "False"))
        .and_then(|c| c.last_transition_time.as_ref());
    if let Some(t) = ready_false {
        return unix_millis(t);
    }
    if let Some(t) = &p.metadata.deletion_timestamp {
        let grace = p.metadata.deletion_grace_period_seconds.unwrap_or(0);
        return unix_millis(t).saturating_sub(grace.saturating_mul(1000));
    }
    p.metadata.creation_timestamp.as_ref().map(unix_millis).unwrap_or(0)
}

/// Consecutive failures since the last success, and when the last one happened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BackoffRecord {
    pub failures_after_last_success: i32,
    pub last_failure_ms: Option<i64>,
}

impl BackoffRecord {
    /// `newBackoffRecord`: the record after pods newly found succeeded and failed.
    pub fn next(self, succeeded: &[&Pod], failed: &[&Pod]) -> BackoffRecord {
        let mut failed_times: Vec<i64> = failed.iter().map(|p| finished_time_ms(p)).collect();
        failed_times.sort_unstable();
        let last_success = succeeded.iter().map(|p| finished_time_ms(p)).max();
        let Some(last_success) = last_success else {
            let Some(&last) = failed_times.last() else { return self };
            let n = i32::try_from(failed_times.len()).unwrap_or(i32::MAX);
            return BackoffRecord {
                failures_after_last_success: self.failures_after_last_success.saturating_add(n),
                last_failure_ms: Some(last),
            };
        };
        let after: Vec<i64> = failed_times.into_iter().filter(|&t| t > last_success).collect();
        BackoffRecord {
            failures_after_last_success: i32::try_from(after.len()).unwrap_or(i32::MAX),
            last_failure_ms: after.last().copied(),
        }
    }

    /// `getRemainingTime`: how long new pods still wait at `now_ms` (10 s doubling per consecutive
    /// failure, capped at ten minutes).
    pub fn remaining_ms(&self, now_ms: i64) -> i64 {
        let Some(last) = self.last_failure_ms.filter(|_| self.failures_after_last_success > 0) else { return 0 };
        let max = MAX_POD_FAILURE_BACKOFF.as_millis() as i64;
        let mut backoff = DEFAULT_POD_FAILURE_BACKOFF.as_millis() as i64;
        for _ in 1..self.failures_after_last_success {
            backoff = backoff.saturating_mul(2);
            if backoff >= max {
                backoff = max;
                break;
            }
        }
        let elapsed = now_ms.saturating_sub(last);
        if backoff < elapsed { 0 } else { backoff - elapsed }
    }
}

/// What the pod failure policy says of a failed pod: the FailJob message, whether the failure
/// counts towards backoffLimit, and the action of the matching rule.
pub struct PolicyMatch {
    pub fail_job: Option<String>,
    pub counts: bool,
}

/// `matchPodFailurePolicy`.
pub fn match_pod_failure_policy(policy: Option<&PodFailurePolicy>, p: &Pod) -> PolicyMatch {
    let no_match = PolicyMatch { fail_job: None, counts: true };
    let Some(policy) = policy else { return no_match };
    let ns = p.metadata.namespace.as_deref().unwrap_or("");
    let name = p.metadata.name.as_deref().unwrap_or("");
    let status = p.status.as_ref();
    for (index, rule) in policy.rules.iter().enumerate() {
        let matched = if let Some(req) = &rule.on_exit_codes {
            let containers = status
                .and_then(|s| s.container_statuses.as_ref())
                .into_iter()
                .flatten()
                .chain(status.and_then(|s| s.init_container_statuses.as_ref()).into_iter().flatten());
            containers
                .filter(|c| req.container_name.as_ref().is_none_or(|n| *n == c.name))
                .find_map(|c| {
                    let code = c.state.as_ref()?.terminated.as_ref()?.exit_code;
                    let listed = req.values.contains(&code);
                    let hit = code != 0
                        && match req.operator.as_str() {
                            "In" => listed,
                            "NotIn" => !listed,
                            _ => false,
                        };
                    hit.then(|| {
                        format!(
                            "Container {} for pod {ns}/{name} failed with exit code {code} matching {} rule at index {index}",
                            c.name, rule.action
                        )
                    })
                })
        } else if let Some(patterns) = &rule.on_pod_conditions {
            status.and_then(|s| s.conditions.as_ref()).into_iter().flatten().find_map(|c| {
                let hit = patterns
                    .iter()
                    .any(|pat| pat.type_ == c.type_ && pat.status.as_deref().unwrap_or("True") == c.status);
                hit.then(|| {
                    format!("Pod {ns}/{name} has condition {} matching {} rule at index {index}", c.type_, rule.action)
                })
            })
        } else {
            None
        };
        let Some(message) = matched else { continue };
        return match rule.action.as_str() {
            "Ignore" => PolicyMatch { fail_job: None, counts: false },
            "Count" => no_match,
            "FailJob" => PolicyMatch { fail_job: Some(message), counts: true },
            // FailIndex needs backoffLimitPerIndex; without it the failure simply counts.
            _ => no_match,
        };
    }
    no_match
}

/// A set of completion indexes, rendered as upstream does: ascending intervals `0-2,4,7-9`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Indexes(pub BTreeSet<i32>);

impl Indexes {
    /// `parseIndexesFromString`, keeping indexes below `completions` and skipping malformed parts.
    pub fn parse(s: &str, completions: i32) -> Indexes {
        let mut out = BTreeSet::new();
        for part in s.split(',').filter(|p| !p.is_empty()) {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            let (Ok(a), Ok(b)) = (a.parse::<i32>(), b.parse::<i32>()) else { continue };
            if a < 0 || b < a {
                continue;
            }
            out.extend((a..=b.min(completions.saturating_sub(1))).take(1_000_000));
        }
        Indexes(out)
    }

    pub fn render(&self) -> String {
        let mut parts = Vec::new();
        let mut iter = self.0.iter().copied().peekable();
        while let Some(start) = iter.next() {
            let mut end = start;
            while iter.peek() == Some(&(end + 1)) {
                end += 1;
                iter.next();
            }
            parts.push(if start == end { start.to_string() } else { format!("{start}-{end}") });
        }
        parts.join(",")
    }
}

/// A condition of `type_` at `now_ms`.
pub fn new_condition(type_: &str, reason: &str, message: &str, now_ms: i64) -> JobCondition {
    JobCondition {
        type_: type_.to_string(),
        status: "True".into(),
        reason: (!reason.is_empty()).then(|| reason.to_string()),
        message: (!message.is_empty()).then(|| message.to_string()),
        last_probe_time: Some(timestamp(now_ms)),
        last_transition_time: Some(timestamp(now_ms)),
    }
}

/// `ensureJobConditionStatus`: sets the condition (a False one only replaces an existing one);
/// true when the list changed.
pub fn ensure_condition(
    list: &mut Vec<JobCondition>,
    type_: &str,
    status: &str,
    reason: &str,
    message: &str,
    now_ms: i64,
) -> bool {
    let mut fresh = new_condition(type_, reason, message, now_ms);
    fresh.status = status.to_string();
    if let Some(c) = list.iter_mut().find(|c| c.type_ == type_) {
        let same = c.status == status
            && c.reason.as_deref().unwrap_or("") == reason
            && c.message.as_deref().unwrap_or("") == message;
        if !same {
            *c = fresh;
        }
        return !same;
    }
    if status != "False" {
        list.push(fresh);
        return true;
    }
    false
}

pub fn has_true_condition(job: &Job, type_: &str) -> bool {
    job.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == type_ && c.status == "True"))
}

/// `IsJobFinished`: Complete or Failed.
pub fn is_job_finished(job: &Job) -> bool {
    finished_condition(job).is_some()
}

/// The type of the Job's terminal condition (Complete or Failed), if it has one.
pub fn finished_condition(job: &Job) -> Option<&'static str> {
    ["Complete", "Failed"].into_iter().find(|t| has_true_condition(job, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_round_trip_as_intervals() {
        let ix = Indexes([0, 1, 2, 4, 7, 8, 9].into_iter().collect());
        assert_eq!(ix.render(), "0-2,4,7-9");
        assert_eq!(Indexes::parse("0-2,4,7-9", 10), ix);
        assert_eq!(Indexes::parse("0-2,4,7-9", 8).render(), "0-2,4,7");
        assert_eq!(Indexes::parse("x,3-1,-4,,5", 10).render(), "5");
        assert_eq!(Indexes::default().render(), "");
    }

    #[test]
    fn backoff_doubles_from_ten_seconds_up_to_ten_minutes() {
        let rec = |n: i32| BackoffRecord { failures_after_last_success: n, last_failure_ms: Some(0) };
        assert_eq!(rec(0).remaining_ms(0), 0);
        assert_eq!(rec(1).remaining_ms(0), 10_000);
        assert_eq!(rec(2).remaining_ms(5_000), 15_000);
        assert_eq!(rec(3).remaining_ms(0), 40_000);
        assert_eq!(rec(7).remaining_ms(0), 600_000);
        assert_eq!(rec(1000).remaining_ms(0), 600_000);
        assert_eq!(rec(1).remaining_ms(20_000), 0);
    }
}
