//! Virtual time. Nothing in the simulation reads the wall clock: an instant is a count of milliseconds
//! since the scenario's epoch, and the epoch is a fixed calendar instant so that timestamps printed by
//! kubectl (`creationTimestamp`, `Start Time`) are the same on every replay.

use super::duration::Duration;

/// 2026-01-01T00:00:00Z, the default start of every scenario.
pub const DEFAULT_EPOCH_UNIX_SECONDS: i64 = 1_767_225_600;

/// An instant of virtual time: milliseconds since the scenario's epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time(pub u64);

impl Time {
    pub const ZERO: Time = Time(0);

    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// The instant `d` later, saturating at the end of representable time.
    pub const fn after(self, d: Duration) -> Time {
        Time(self.0.saturating_add(d.as_millis()))
    }

    /// How long after `earlier` this instant is (zero if it is not later).
    pub const fn since(self, earlier: Time) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

/// The simulation's clock: the current instant and the calendar instant it counts from.
#[derive(Debug, Clone)]
pub struct Clock {
    now: Time,
    epoch_unix_seconds: i64,
}

impl Clock {
    pub fn new(epoch_unix_seconds: i64) -> Self {
        Clock { now: Time::ZERO, epoch_unix_seconds }
    }

    pub fn now(&self) -> Time {
        self.now
    }

    pub fn epoch_unix_seconds(&self) -> i64 {
        self.epoch_unix_seconds
    }

    /// Moves the clock forward to `t`; time never runs backwards, so an earlier `t` is ignored.
    pub fn advance_to(&mut self, t: Time) {
        if t > self.now {
            self.now = t;
        }
    }

    /// Unix time in milliseconds of the virtual instant `t`.
    pub fn unix_millis(&self, t: Time) -> i64 {
        self.epoch_unix_seconds.saturating_mul(1000).saturating_add(i64::try_from(t.0).unwrap_or(i64::MAX))
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new(DEFAULT_EPOCH_UNIX_SECONDS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_only_moves_forward() {
        let mut c = Clock::default();
        c.advance_to(Time(5_000));
        c.advance_to(Time(1_000));
        assert_eq!(c.now(), Time(5_000));
        assert_eq!(c.unix_millis(c.now()), 1_767_225_605_000);
        assert_eq!(Time(5_000).since(Time(7_000)), Duration::ZERO);
    }
}
