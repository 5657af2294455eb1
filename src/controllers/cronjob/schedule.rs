//! The CronJob controller's time arithmetic (upstream's `utils.go`): the most recent unmet schedule
//! time since the last one (or the creation) with the count of missed ones, the delay until the
//! next one (plus upstream's 100 ms padding), Job names in minutes since the epoch, and the
//! timestamps it prints (RFC 3339 in the CronJob's zone, RFC 1123Z in UTC).

use std::fmt;

use k8s_openapi::jiff::Timestamp;

use crate::api::cron::Schedule;

/// Upstream's nextScheduleDelta.
pub const NEXT_SCHEDULE_DELTA_MS: i64 = 100;

/// How many start times were missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missed {
    None,
    Few,
    Many,
}

/// A schedule that parses but never yields two distinct times (`59 23 31 2 *`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooClose;

impl fmt::Display for TooClose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "time difference between two schedules is less than 1 second")
    }
}

/// A parsed schedule read in a zone.
pub struct Zoned<'a> {
    pub schedule: &'a Schedule,
    pub offset: i64,
}

impl Zoned<'_> {
    /// The next activation after `ms`, in milliseconds.
    fn next(&self, ms: i64) -> Option<i64> {
        self.schedule.next(ms, self.offset).map(|s| s.saturating_mul(1000))
    }

    /// `mostRecentScheduleTime`: (the earliest instant considered, the most recent activation not
    /// after `now`, how many were missed). `deadline_s` is startingDeadlineSeconds when it applies.
    pub fn most_recent(
        &self,
        earliest_ms: i64,
        now_ms: i64,
        deadline_s: Option<i64>,
    ) -> Result<(i64, Option<i64>, Missed), TooClose> {
        let mut earliest = earliest_ms;
        if let Some(d) = deadline_s {
            earliest = earliest.max(now_ms.saturating_sub(d.saturating_mul(1000)));
        }
        let t1 = self.next(earliest).ok_or(TooClose)?;
        if now_ms < t1 {
            return Ok((earliest, None, Missed::None));
        }
        let t2 = self.next(t1).ok_or(TooClose)?;
        if now_ms < t2 {
            return Ok((earliest, Some(t1), Missed::None));
        }
        let between = (t2 - t1) / 1000;
        if between < 1 {
            return Err(TooClose);
        }
        let missed_count = (now_ms - t1) / 1000 / between + 1;
        let potential = t1.saturating_add((missed_count - 2).saturating_mul(between).saturating_mul(1000));
        let mut most_recent = None;
        let mut t = self.next(potential);
        // Each step moves forward; the bound only guards against a schedule that never settles.
        for _ in 0..10_000 {
            match t {
                Some(at) if at <= now_ms => {
                    most_recent = Some(at);
                    t = self.next(at);
                }
                _ => break,
            }
        }
        let missed = if missed_count > 100 { Missed::Many } else { Missed::Few };
        Ok((earliest, most_recent, missed))
    }

    /// `nextScheduleTimeDuration`: when to look again, in milliseconds from `now_ms`.
    pub fn next_delay(&self, earliest_ms: i64, now_ms: i64) -> Option<i64> {
        let base = match self.most_recent(earliest_ms, now_ms, None) {
            Err(_) => now_ms,
            Ok((earliest, None, Missed::None)) => earliest,
            Ok((_, None, _)) => now_ms,
            Ok((_, Some(t), _)) => t,
        };
        Some(self.next(base)? + NEXT_SCHEDULE_DELTA_MS - now_ms)
    }
}

/// `getJobName`: `<cronjob>-<minutes since the epoch>`.
pub fn job_name(cronjob: &str, scheduled_ms: i64) -> String {
    format!("{cronjob}-{}", scheduled_ms.div_euclid(1000) / 60)
}

/// RFC 3339 in a zone `offset` seconds east of UTC, as Go prints it (`Z` for UTC).
pub fn rfc3339_in(ms: i64, offset: i64) -> String {
    let local = Timestamp::from_second(ms.div_euclid(1000).saturating_add(offset)).unwrap_or_default();
    let zone = if offset == 0 {
        "Z".to_string()
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        format!("{sign}{:02}:{:02}", offset.abs() / 3600, offset.abs() % 3600 / 60)
    };
    format!("{}{zone}", local.strftime("%Y-%m-%dT%H:%M:%S"))
}

/// Go's `time.RFC1123Z` of a UTC instant: `Thu, 01 Jan 2026 00:01:00 +0000`.
pub fn rfc1123z(ms: i64) -> String {
    let t = Timestamp::from_second(ms.div_euclid(1000)).unwrap_or_default();
    t.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::cron::parse_standard;

    const T0: i64 = 1_767_225_600_000;
    const MIN: i64 = 60_000;

    #[test]
    fn most_recent_counts_missed_minutes() {
        let s = parse_standard("*/1 * * * *").unwrap();
        let z = Zoned { schedule: &s, offset: 0 };
        assert_eq!(z.most_recent(T0, T0 + 30_000, None), Ok((T0, None, Missed::None)));
        assert_eq!(z.most_recent(T0, T0 + MIN, None), Ok((T0, Some(T0 + MIN), Missed::None)));
        assert_eq!(z.most_recent(T0, T0 + 5 * MIN + 1, None), Ok((T0, Some(T0 + 5 * MIN), Missed::Few)));
        let (_, recent, missed) = z.most_recent(T0, T0 + 200 * MIN, None).unwrap();
        assert_eq!((recent, missed), (Some(T0 + 200 * MIN), Missed::Many));
        // A starting deadline of 90 s only looks that far back.
        assert_eq!(
            z.most_recent(T0, T0 + 200 * MIN, Some(90)),
            Ok((T0 + 200 * MIN - 90_000, Some(T0 + 200 * MIN), Missed::Few))
        );
        assert_eq!(z.next_delay(T0 + MIN, T0 + MIN + 10), Some(MIN - 10 + NEXT_SCHEDULE_DELTA_MS));
        let never = parse_standard("59 23 31 2 *").unwrap();
        let z = Zoned { schedule: &never, offset: 0 };
        assert_eq!(z.most_recent(T0, T0, None), Err(TooClose));
        assert_eq!(z.next_delay(T0, T0), None);
    }

    #[test]
    fn names_and_timestamps_look_like_upstream() {
        assert_eq!(job_name("hello", 1_736_937_000_000), "hello-28948950");
        assert_eq!(rfc3339_in(T0 + MIN, 0), "2026-01-01T00:01:00Z");
        assert_eq!(rfc3339_in(T0, 9 * 3600), "2026-01-01T09:00:00+09:00");
        assert_eq!(rfc3339_in(T0, -(5 * 3600 + 1800)), "2025-12-31T18:30:00-05:30");
        assert_eq!(rfc1123z(T0 + MIN), "Thu, 01 Jan 2026 00:01:00 +0000");
    }
}
