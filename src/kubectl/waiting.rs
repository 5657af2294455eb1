//! Commands that wait (`delete --wait`, `rollout status`, `drain`) let virtual time pass while they do:
//! the cluster runs in small steps until the condition holds or the timeout is spent. Nothing waits on
//! the wall clock, so a script replays identically.

use super::context::Kubectl;
use super::flags::Parsed;
use crate::cluster::Cluster;
use crate::sim::Duration;

/// How often a waiting command looks again (kubectl's watches react within a moment; polling every
/// 100ms of virtual time is as fine as the transcript can show).
pub const POLL: Duration = Duration::from_millis(100);

/// The longest any command waits in the simulation when kubectl would wait forever: a script must end.
pub const FOREVER: Duration = Duration::from_secs(3600);

/// Runs the cluster until `done` holds (checked before each step) or `timeout` passes; returns whether
/// it held.
pub fn until(cluster: &mut Cluster, timeout: Duration, mut done: impl FnMut(&mut Cluster) -> bool) -> bool {
    let end = cluster.now().after(timeout);
    loop {
        cluster.settle();
        if done(cluster) {
            return true;
        }
        if cluster.now() >= end {
            return false;
        }
        let step =
            Duration::from_millis(POLL.as_millis().min(end.as_millis().saturating_sub(cluster.now().as_millis())));
        cluster.run_for(step);
    }
}

/// `--timeout` as a Go duration; zero (or absent) means `default`.
pub fn timeout(flag: Option<&str>, default: Duration) -> Result<Duration, String> {
    match flag {
        None => Ok(default),
        Some(t) => match crate::sim::duration::parse_go_duration(t) {
            Ok(d) if d.as_millis() == 0 => Ok(default),
            Ok(d) => Ok(d),
            Err(e) => Err(e.to_string()),
        },
    }
}

/// The command's `--timeout` (`default` when absent or zero); None after printing pflag's error for a
/// value that is not a duration.
pub fn timeout_flag(k: &mut Kubectl<'_>, p: &Parsed, default: Duration) -> Option<Duration> {
    match timeout(p.get("timeout"), default) {
        Ok(t) => Some(t),
        Err(e) => {
            let v = p.get("timeout").unwrap_or("");
            k.usage_error(&format!("invalid argument \"{v}\" for \"--timeout\" flag: {e}"));
            None
        }
    }
}
