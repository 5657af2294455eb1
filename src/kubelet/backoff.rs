//! The kubelet's back-off (client-go's flowcontrol.Backoff as the kubelet uses it for crashing
//! containers and failed image pulls): 10 s, doubling to 300 s; an entry not touched for twice the
//! maximum (10 min) starts again at 10 s. Also Go's `time.Duration` printing, which the messages that
//! carry these durations use (`back-off 1m20s ...`, `Successfully pulled image ... in 3.4s`).

use crate::sim::{Duration, Time};

pub const INITIAL: Duration = Duration::from_secs(10);
pub const MAX: Duration = Duration::from_secs(300);

/// One back-off entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Backoff {
    entry: Option<(Duration, Time)>,
}

impl Backoff {
    /// Whether `event_time` (the container's finish, the failed pull) is still inside the back-off
    /// window at `now`; `IsInBackOffSince`.
    pub fn in_backoff_since(&self, event_time: Time, now: Time) -> bool {
        match self.entry {
            Some((d, last)) if !expired(now, last) => now.since(event_time) < d,
            _ => false,
        }
    }

    /// The current period, if an entry exists.
    pub fn current(&self) -> Option<Duration> {
        self.entry.map(|(d, _)| d)
    }

    /// Steps the back-off at `now`: a new (or expired) entry gets the initial period, an existing
    /// one doubles up to the maximum.
    pub fn next(&mut self, now: Time) -> Duration {
        let d = match self.entry {
            Some((d, last)) if !expired(now, last) => Duration::from_millis((d.as_millis() * 2).min(MAX.as_millis())),
            _ => INITIAL,
        };
        self.entry = Some((d, now));
        d
    }
}

fn expired(now: Time, last: Time) -> bool {
    now.since(last).as_millis() > 2 * MAX.as_millis()
}

/// Go's `time.Duration.String()` for a whole number of milliseconds: `850ms`, `3.43s`, `1m20s`,
/// `5m0s`, `1h0m0s`, `0s`.
pub fn go_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms == 0 {
        return "0s".into();
    }
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let (h, m) = (ms / 3_600_000, ms / 60_000 % 60);
    let s = ms % 60_000;
    let secs = if s.is_multiple_of(1000) {
        format!("{}s", s / 1000)
    } else {
        let frac = format!("{:03}", s % 1000);
        format!("{}.{}s", s / 1000, frac.trim_end_matches('0'))
    };
    match (h, m) {
        (0, 0) => secs,
        (0, m) => format!("{m}m{secs}"),
        (h, m) => format!("{h}h{m}m{secs}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_to_five_minutes_and_resets() {
        let mut b = Backoff::default();
        let t = |s: u64| Time(s * 1000);
        assert!(!b.in_backoff_since(t(0), t(0)));
        let seq: Vec<u64> = (0..7).map(|i| b.next(t(i)).as_secs()).collect();
        assert_eq!(seq, [10, 20, 40, 80, 160, 300, 300]);
        assert!(b.in_backoff_since(t(10), t(100)));
        assert!(!b.in_backoff_since(t(10), t(400)));
        assert_eq!(b.next(t(7 + 601)).as_secs(), 10);
    }

    #[test]
    fn go_duration_strings() {
        for (ms, s) in [
            (0, "0s"),
            (850, "850ms"),
            (3430, "3.43s"),
            (10_000, "10s"),
            (80_000, "1m20s"),
            (160_000, "2m40s"),
            (300_000, "5m0s"),
            (3_600_000, "1h0m0s"),
            (61_500, "1m1.5s"),
        ] {
            assert_eq!(go_duration(Duration::from_millis(ms)), s);
        }
    }
}
