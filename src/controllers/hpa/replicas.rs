//! The replica arithmetic of the HPA controller, upstream's `replica_calculator.go` and
//! `normalizeDesiredReplicasWithBehaviors`: the usage ratio with its 10 % tolerance and the handling
//! of pods without metrics or not ready, then the stabilization windows and scale rate policies.

use crate::sim::{Duration, Time};

/// The controller's tolerance (`--horizontal-pod-autoscaler-tolerance`).
pub const TOLERANCE: f64 = 0.1;

/// One pod as the calculator sees it: its request of the resource, its use (None: no metrics), and
/// whether it is ready (unready pods count as idle when scaling up on CPU).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PodSample {
    pub request: i64,
    pub usage: Option<i64>,
    pub ready: bool,
}

/// `GetResourceUtilizationRatio`: (ratio, utilization %, average use) over pods with metrics.
fn ratio(samples: &[(i64, i64)], target: i32) -> (f64, i32, i64) {
    let (used, requested): (i64, i64) = samples.iter().fold((0, 0), |(u, r), (req, use_)| (u + use_, r + req));
    if requested == 0 || samples.is_empty() || target <= 0 {
        return (0.0, 0, 0);
    }
    let utilization = i32::try_from(used.saturating_mul(100) / requested).unwrap_or(i32::MAX);
    let average = used / i64::try_from(samples.len()).unwrap_or(1);
    (f64::from(utilization) / f64::from(target), utilization, average)
}

/// The calculator's answer: replicas, current utilization % and average use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proposal {
    pub replicas: i32,
    pub utilization: i32,
    pub average: i64,
}

/// `GetResourceReplicas` for a utilization target; None when no pod has metrics.
pub fn resource_replicas(current: i32, target: i32, pods: &[PodSample]) -> Option<Proposal> {
    let with_metrics: Vec<(i64, i64)> =
        pods.iter().filter(|p| p.ready).filter_map(|p| p.usage.map(|u| (p.request, u))).collect();
    if with_metrics.is_empty() {
        return None;
    }
    let ready_count = i32::try_from(with_metrics.len()).unwrap_or(i32::MAX);
    let (usage_ratio, utilization, average) = ratio(&with_metrics, target);
    let missing: Vec<&PodSample> = pods.iter().filter(|p| p.usage.is_none()).collect();
    let unready: Vec<&PodSample> = pods.iter().filter(|p| !p.ready && p.usage.is_some()).collect();
    let scale_up_with_unready = !unready.is_empty() && usage_ratio > 1.0;
    let keep = Proposal { replicas: current, utilization, average };
    if !scale_up_with_unready && missing.is_empty() {
        if (1.0 - usage_ratio).abs() <= TOLERANCE {
            return Some(keep);
        }
        return Some(Proposal { replicas: ceil(usage_ratio * f64::from(ready_count)), ..keep });
    }
    let mut all = with_metrics;
    for p in missing {
        // Missing pods count as fully used when scaling down and idle when scaling up.
        let assumed = if usage_ratio < 1.0 { p.request * i64::from(target.max(100)) / 100 } else { 0 };
        all.push((p.request, assumed));
    }
    if scale_up_with_unready {
        all.extend(unready.iter().map(|p| (p.request, 0)));
    }
    let (new_ratio, _, _) = ratio(&all, target);
    if (1.0 - new_ratio).abs() <= TOLERANCE
        || (usage_ratio < 1.0 && new_ratio > 1.0)
        || (usage_ratio > 1.0 && new_ratio < 1.0)
    {
        return Some(keep);
    }
    let replicas = ceil(new_ratio * all.len() as f64);
    if (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) {
        return Some(keep);
    }
    Some(Proposal { replicas, ..keep })
}

fn ceil(x: f64) -> i32 {
    let c = x.ceil();
    if c >= f64::from(i32::MAX) {
        i32::MAX
    } else if c <= 0.0 {
        0
    } else {
        c as i32
    }
}

/// The default scale-down stabilization window.
pub const SCALE_DOWN_WINDOW: Duration = Duration::from_secs(300);
/// The period of the default scale rate policies.
const POLICY_PERIOD: Duration = Duration::from_secs(15);

/// What the behaviors made of a proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    pub replicas: i32,
    /// AbleToScale's reason and message when nothing is rescaled.
    pub able: (&'static str, &'static str),
    /// ScalingLimited: (limited, reason, message).
    pub limited: (bool, &'static str, &'static str),
}

/// An HPA's memory: its recent recommendations and scale events.
#[derive(Debug, Clone, Default)]
pub struct History {
    recommendations: Vec<(Time, i32)>,
    /// (when, replicas added (> 0) or removed (< 0)).
    scale_events: Vec<(Time, i32)>,
}

impl History {
    pub fn record_scale(&mut self, now: Time, change: i32) {
        self.scale_events.retain(|(t, _)| now.since(*t) < POLICY_PERIOD);
        self.scale_events.push((now, change));
    }

    /// `stabilizeRecommendationWithBehaviors` then `convertDesiredReplicasWithBehaviorRate` with the
    /// default policies (up: 4 pods or 100 % per 15 s, whichever is more; down: 100 % per 15 s).
    pub fn normalize(
        &mut self,
        now: Time,
        current: i32,
        desired: i32,
        min: i32,
        max: i32,
        down_window: Duration,
    ) -> Normalized {
        let recent = |t: &Time| now.since(*t) < down_window;
        let mut down = desired;
        for (t, r) in &self.recommendations {
            if recent(t) {
                down = down.max(*r);
            }
        }
        self.recommendations.retain(|(t, _)| recent(t));
        self.recommendations.push((now, desired));
        let stabilized = current.max(desired).min(down);
        let able = if stabilized != desired {
            (
                "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the highest recent recommendation",
            )
        } else {
            ("ReadyForNewScale", "recommended size matches current size")
        };
        let in_period = |sign: i32| -> i32 {
            self.scale_events
                .iter()
                .filter(|(t, c)| now.since(*t) < POLICY_PERIOD && c.signum() == sign)
                .map(|(_, c)| c.abs())
                .sum()
        };
        let up_start = current - in_period(1);
        let up_limit = (up_start + 4).max(up_start.saturating_mul(2)).max(current);
        let (replicas, limited) = if stabilized > up_limit.min(max) {
            if up_limit < max {
                (
                    up_limit,
                    (
                        true,
                        "ScaleUpLimit",
                        "the desired replica count is increasing faster than the maximum scale rate",
                    ),
                )
            } else {
                (max, (true, "TooManyReplicas", "the desired replica count is more than the maximum replica count"))
            }
        } else if stabilized < min {
            // The default scale-down policy (100 % per period) never limits before minReplicas.
            (min, (true, "TooFewReplicas", "the desired replica count is less than the minimum replica count"))
        } else {
            (stabilized, (false, "DesiredWithinRange", "the desired count is within the acceptable range"))
        };
        Normalized { replicas, able, limited }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pods(usages: &[Option<i64>]) -> Vec<PodSample> {
        usages.iter().map(|u| PodSample { request: 100, usage: *u, ready: true }).collect()
    }

    #[test]
    fn ratio_tolerance_and_missing_pods() {
        // 2 pods at 90 % of a 50 % target: ceil(1.8 × 2) = 4.
        assert_eq!(resource_replicas(2, 50, &pods(&[Some(90), Some(90)])).unwrap().replicas, 4);
        // Within 10 %: no change.
        assert_eq!(resource_replicas(2, 50, &pods(&[Some(54), Some(54)])).unwrap().replicas, 2);
        // Scaling down: the missing pod counts as fully used, 2 → ceil((10+10+100)/300/0.5 × 3) = 3 → kept.
        assert_eq!(resource_replicas(3, 50, &pods(&[Some(10), Some(10), None])).unwrap().replicas, 3);
        assert_eq!(resource_replicas(4, 50, &pods(&[Some(10), Some(10), Some(0), Some(0)])).unwrap().replicas, 1);
        assert!(resource_replicas(1, 50, &pods(&[None])).is_none());
    }

    #[test]
    fn scale_down_waits_for_the_window_and_up_is_rate_limited() {
        let mut h = History::default();
        let n = h.normalize(Time(0), 1, 10, 1, 20, SCALE_DOWN_WINDOW);
        assert_eq!(n.replicas, 5, "4 pods or 100 % per period");
        assert_eq!(n.limited.1, "ScaleUpLimit");
        let n = h.normalize(Time(60_000), 5, 2, 1, 20, SCALE_DOWN_WINDOW);
        assert_eq!((n.replicas, n.able.0), (5, "ScaleDownStabilized"));
        let n = h.normalize(Time(301_000), 5, 2, 1, 20, SCALE_DOWN_WINDOW);
        assert_eq!(n.replicas, 2);
        let n = h.normalize(Time(302_000), 2, 0, 1, 20, SCALE_DOWN_WINDOW);
        assert_eq!((n.replicas, n.able.0), (2, "ScaleDownStabilized"));
        let n = h.normalize(Time(700_000), 2, 0, 1, 20, SCALE_DOWN_WINDOW);
        assert_eq!((n.replicas, n.limited.1), (1, "TooFewReplicas"));
    }
}
