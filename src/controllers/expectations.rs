//! Controller expectations (upstream's UIDTrackingControllerExpectations): after a controller asks
//! for N pod creations or deletions, its cache does not show them until their watch events arrive.
//! Until then a sync would see too few (or too many) pods and act twice. A controller records what it
//! expects, the informer's events count the expectations down, and a controller whose expectations
//! are pending leaves its pods alone. Expectations older than five minutes are considered satisfied,
//! so a lost event cannot wedge a controller forever.

use std::collections::{BTreeMap, BTreeSet};

use crate::sim::{Duration, Time};

/// Upstream's ExpectationsTimeout.
pub const EXPECTATIONS_TIMEOUT: Duration = Duration::from_secs(5 * 60);

#[derive(Debug, Clone, Default)]
struct Expectation {
    adds: i64,
    /// Keys of pods whose deletion was requested and not yet observed.
    deletes: BTreeSet<String>,
    set_at: Time,
}

/// Expectations per controller key (`namespace/name`).
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    by_controller: BTreeMap<String, Expectation>,
}

impl Expectations {
    /// Whether the controller may act: nothing is pending, or what is pending is too old to wait for.
    pub fn satisfied(&self, key: &str, now: Time) -> bool {
        match self.by_controller.get(key) {
            None => true,
            Some(e) => (e.adds <= 0 && e.deletes.is_empty()) || now.since(e.set_at) > EXPECTATIONS_TIMEOUT,
        }
    }

    /// Expects `adds` creations.
    pub fn expect_creations(&mut self, key: &str, adds: usize, now: Time) {
        let e = self.by_controller.entry(key.to_string()).or_default();
        e.adds = i64::try_from(adds).unwrap_or(i64::MAX);
        e.deletes.clear();
        e.set_at = now;
    }

    /// Expects the deletion of the pods at `pod_keys`.
    pub fn expect_deletions(&mut self, key: &str, pod_keys: impl IntoIterator<Item = String>, now: Time) {
        let e = self.by_controller.entry(key.to_string()).or_default();
        e.adds = 0;
        e.deletes = pod_keys.into_iter().collect();
        e.set_at = now;
    }

    /// A creation was observed (or will never happen: the request failed or was skipped).
    pub fn creation_observed(&mut self, key: &str) {
        if let Some(e) = self.by_controller.get_mut(key) {
            e.adds -= 1;
        }
    }

    /// The deletion of `pod_key` was observed (or failed).
    pub fn deletion_observed(&mut self, key: &str, pod_key: &str) {
        if let Some(e) = self.by_controller.get_mut(key) {
            e.deletes.remove(pod_key);
        }
    }

    /// Forgets a deleted controller.
    pub fn delete(&mut self, key: &str) {
        self.by_controller.remove(key);
    }

    pub fn clear(&mut self) {
        self.by_controller.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_until_observed_or_expired() {
        let mut e = Expectations::default();
        assert!(e.satisfied("ns/rs", Time(0)));
        e.expect_creations("ns/rs", 2, Time(0));
        assert!(!e.satisfied("ns/rs", Time(0)));
        e.creation_observed("ns/rs");
        assert!(!e.satisfied("ns/rs", Time(0)));
        e.creation_observed("ns/rs");
        assert!(e.satisfied("ns/rs", Time(0)));
        e.expect_deletions("ns/rs", ["ns/a".to_string()], Time(0));
        assert!(!e.satisfied("ns/rs", Time(1000)));
        assert!(e.satisfied("ns/rs", Time(0).after(EXPECTATIONS_TIMEOUT).after(Duration::from_millis(1))));
        e.deletion_observed("ns/rs", "ns/a");
        assert!(e.satisfied("ns/rs", Time(1000)));
    }
}
