//! Ages as kubectl prints them: apimachinery's `duration.HumanDuration` (the AGE column, `3m10s`,
//! `2d1h`) and `ShortHumanDuration`, and the printers' `translateTimestampSince`. Parsing durations
//! (`--timeout=1m30s`) is `sim::duration`'s job, not this module's.
//!
//! Durations are signed milliseconds: an object created "in the future" (clock skew upstream; a
//! scenario edit here) must print `0s` or `<invalid>` exactly as kubectl does.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

const SECOND: i64 = 1000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY_HOURS: i64 = 24;
const YEAR_HOURS: i64 = 365 * DAY_HOURS;

/// Go's zero `time.Time` (0001-01-01T00:00:00Z) in Unix seconds: `IsZero()` is what makes kubectl
/// print `<unknown>`.
const GO_ZERO_TIME_UNIX_SECONDS: i64 = -62_135_596_800;

/// Whole seconds truncated toward zero, as Go's `int(d.Seconds())`. Anything within two seconds in
/// the future counts as "now" (upstream tolerates that much clock skew); further is `<invalid>`.
fn too_early(millis: i64) -> Option<&'static str> {
    let seconds = millis / SECOND;
    if seconds < -1 {
        Some("<invalid>")
    } else if seconds < 0 {
        Some("0s")
    } else {
        None
    }
}

/// `HumanDuration`: about two or three significant figures, the form of kubectl's AGE column.
pub fn human_duration(millis: i64) -> String {
    if let Some(s) = too_early(millis) {
        return s.to_string();
    }
    let seconds = millis / SECOND;
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = millis / MINUTE;
    if minutes < 10 {
        return with_remainder(minutes, "m", seconds % 60, "s");
    }
    if minutes < 3 * 60 {
        return format!("{minutes}m");
    }
    let hours = millis / HOUR;
    if hours < 8 {
        return with_remainder(hours, "h", minutes % 60, "m");
    }
    if hours < 2 * DAY_HOURS {
        return format!("{hours}h");
    }
    if hours < 8 * DAY_HOURS {
        return with_remainder(hours / DAY_HOURS, "d", hours % DAY_HOURS, "h");
    }
    if hours < 2 * YEAR_HOURS {
        return format!("{}d", hours / DAY_HOURS);
    }
    if hours < 8 * YEAR_HOURS {
        return with_remainder(hours / YEAR_HOURS, "y", (hours / DAY_HOURS) % 365, "d");
    }
    format!("{}y", hours / YEAR_HOURS)
}

/// `5m`, or `5m10s` when the smaller unit is not zero.
fn with_remainder(major: i64, major_unit: &str, minor: i64, minor_unit: &str) -> String {
    if minor == 0 { format!("{major}{major_unit}") } else { format!("{major}{major_unit}{minor}{minor_unit}") }
}

/// `ShortHumanDuration`: a single unit (`59s`, `3m`, `23h`, `364d`, `2y`), used where columns are
/// narrow (events' LAST SEEN among them in older printers).
pub fn short_human_duration(millis: i64) -> String {
    if let Some(s) = too_early(millis) {
        return s.to_string();
    }
    let seconds = millis / SECOND;
    if seconds < 60 {
        return format!("{seconds}s");
    }
    let minutes = millis / MINUTE;
    if minutes < 60 {
        return format!("{minutes}m");
    }
    let hours = millis / HOUR;
    if hours < DAY_HOURS {
        return format!("{hours}h");
    }
    if hours < YEAR_HOURS {
        return format!("{}d", hours / DAY_HOURS);
    }
    format!("{}y", hours / YEAR_HOURS)
}

/// `translateTimestampSince` on Unix milliseconds: the age of a timestamp at `now`, or
/// `<unknown>` when there is no timestamp.
pub fn translate_timestamp_since_millis(timestamp_unix_ms: Option<i64>, now_unix_ms: i64) -> String {
    match timestamp_unix_ms {
        None => "<unknown>".to_string(),
        Some(t) => human_duration(now_unix_ms.saturating_sub(t)),
    }
}

/// `translateTimestampSince` on API timestamps (`creationTimestamp`, `lastTimestamp`): `<unknown>`
/// when absent or Go's zero time, else the age at `now`.
pub fn translate_timestamp_since(timestamp: Option<&Time>, now: &Time) -> String {
    let millis = timestamp.filter(|t| t.0.as_second() != GO_ZERO_TIME_UNIX_SECONDS).map(|t| t.0.as_millisecond());
    translate_timestamp_since_millis(millis, now.0.as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::jiff::Timestamp;

    const MS: i64 = 1;
    const S: i64 = SECOND;
    const M: i64 = MINUTE;
    const H: i64 = HOUR;
    const D: i64 = 24 * HOUR;
    const Y: i64 = 365 * D;

    #[test]
    fn human_durations_match_upstream_tests() {
        let cases = [
            (S, "1s"),
            (70 * S, "70s"),
            (190 * S, "3m10s"),
            (70 * M, "70m"),
            (47 * H, "47h"),
            (49 * H, "2d1h"),
            ((8 * 24 + 2) * H, "8d"),
            (367 * D, "367d"),
            (2 * Y + 25 * H, "2y1d"),
            (8 * Y + 2 * H, "8y"),
        ];
        for (d, want) in cases {
            assert_eq!(human_duration(d), want, "{d}ms");
        }
    }

    #[test]
    fn human_duration_boundaries_match_upstream_tests() {
        let cases = [
            (-2 * S, "<invalid>"),
            (-2 * S + MS, "0s"),
            (0, "0s"),
            (S - MS, "0s"),
            (2 * M - MS, "119s"),
            (2 * M, "2m"),
            (2 * M + S, "2m1s"),
            (10 * M - MS, "9m59s"),
            (10 * M, "10m"),
            (10 * M + S, "10m"),
            (3 * H - MS, "179m"),
            (3 * H, "3h"),
            (3 * H + M, "3h1m"),
            (8 * H - MS, "7h59m"),
            (8 * H, "8h"),
            (8 * H + 59 * M, "8h"),
            (2 * D - MS, "47h"),
            (2 * D, "2d"),
            (2 * D + H, "2d1h"),
            (8 * D - MS, "7d23h"),
            (8 * D, "8d"),
            (8 * D + 23 * H, "8d"),
            (2 * Y - MS, "729d"),
            (2 * Y, "2y"),
            (2 * Y + 23 * H, "2y"),
            (2 * Y + 23 * H + 59 * M, "2y"),
            (2 * Y + 24 * H - MS, "2y"),
            (2 * Y + 24 * H, "2y1d"),
            (3 * Y, "3y"),
            (7 * Y, "7y"),
            (8 * Y - MS, "7y364d"),
            (8 * Y, "8y"),
            (8 * Y + 364 * D, "8y"),
            (9 * Y, "9y"),
        ];
        for (d, want) in cases {
            assert_eq!(human_duration(d), want, "{d}ms");
        }
    }

    #[test]
    fn short_human_duration_boundaries_match_upstream_tests() {
        let cases = [
            (-2 * S, "<invalid>"),
            (-2 * S + MS, "0s"),
            (0, "0s"),
            (S - MS, "0s"),
            (S, "1s"),
            (2 * S - MS, "1s"),
            (M - MS, "59s"),
            (M, "1m"),
            (2 * M - MS, "1m"),
            (H - MS, "59m"),
            (H, "1h"),
            (2 * H - MS, "1h"),
            (D - MS, "23h"),
            (D, "1d"),
            (2 * D - MS, "1d"),
            (Y - MS, "364d"),
            (Y, "1y"),
            (2 * Y - MS, "1y"),
            (2 * Y, "2y"),
        ];
        for (d, want) in cases {
            assert_eq!(short_human_duration(d), want, "{d}ms");
        }
    }

    #[test]
    fn ages_of_api_timestamps() {
        let t = |s: i64| Time(Timestamp::from_second(s).unwrap_or(Timestamp::UNIX_EPOCH));
        let now = t(1_767_225_600 + 330);
        assert_eq!(translate_timestamp_since(Some(&t(1_767_225_600)), &now), "5m30s");
        assert_eq!(translate_timestamp_since(None, &now), "<unknown>");
        assert_eq!(translate_timestamp_since(Some(&t(GO_ZERO_TIME_UNIX_SECONDS)), &now), "<unknown>");
        assert_eq!(translate_timestamp_since(Some(&t(1_767_225_600 + 400)), &now), "<invalid>");
        assert_eq!(translate_timestamp_since_millis(Some(1_000), 1_500), "0s");
        assert_eq!(translate_timestamp_since_millis(None, 1_500), "<unknown>");
    }

    #[test]
    fn extreme_inputs_never_panic() {
        for d in [i64::MIN, i64::MIN + 1, -1, 1, i64::MAX, i64::MAX - 1] {
            let _ = (human_duration(d), short_human_duration(d));
            let _ = translate_timestamp_since_millis(Some(d), d.wrapping_neg());
        }
        assert_eq!(human_duration(i64::MAX), "292471208y");
        // Every millisecond count from a fixed generator lands on a well-formed age.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..5000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let d = (x >> (24 + x % 40)) as i64 - 1000;
            let s = human_duration(d);
            assert!(s == "0s" || s.starts_with(|c: char| c.is_ascii_digit()), "{d} -> {s}");
        }
    }
}
