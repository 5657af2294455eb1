//! CronJob schedules as Kubernetes reads them (robfig/cron v3's `ParseStandard`): five fields
//! (minute, hour, day of month, month, day of week) of lists, ranges, steps, `*`/`?` and names
//! (`JAN`..`DEC`, `SUN`..`SAT`), or a descriptor (`@yearly`, `@annually`, `@monthly`, `@weekly`,
//! `@daily`, `@midnight`, `@hourly`, `@every <duration>`), with an optional `TZ=`/`CRON_TZ=` prefix.
//! Errors carry robfig's messages, which the api-server and the CronJob controller print verbatim.
//!
//! Time zones: the simulation has no IANA database, so it knows UTC and its aliases, `Etc/GMT±N`,
//! and a fixed list of zones that keep one offset all year (Asia/Tokyo, Asia/Kolkata, ...). A zone
//! with daylight saving time (Europe/Berlin, America/New_York, ...) is answered with Go's `unknown
//! time zone` error, as an unknown name would be; the README's "What is simulated" table says so.

use std::fmt;

use crate::sim::duration::parse_go_duration;

/// The bit robfig sets on a field written `*` or `?` (it changes how day-of-month and day-of-week
/// combine).
const STAR: u64 = 1 << 63;

/// The bounds of a field and the names it accepts.
struct Bounds {
    min: u32,
    max: u32,
    names: &'static [(&'static str, u32)],
}

const MINUTES: Bounds = Bounds { min: 0, max: 59, names: &[] };
const HOURS: Bounds = Bounds { min: 0, max: 23, names: &[] };
const DOM: Bounds = Bounds { min: 1, max: 31, names: &[] };
const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ],
};
const DOW: Bounds = Bounds {
    min: 0,
    max: 6,
    names: &[("sun", 0), ("mon", 1), ("tue", 2), ("wed", 3), ("thu", 4), ("fri", 5), ("sat", 6)],
};

/// Why a schedule cannot be parsed; `Display` gives robfig/cron v3's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CronError {
    Empty,
    BadLocation { name: String, reason: TimeZoneError },
    FieldCount { found: usize, fields: Vec<String> },
    UnrecognizedDescriptor(String),
    BadDuration { spec: String, reason: String },
    ParseInt { expr: String, reason: String },
    Negative { num: i64, expr: String },
    TooManyHyphens(String),
    TooManySlashes(String),
    BelowMinimum { start: u64, min: u32, expr: String },
    AboveMaximum { end: u64, max: u32, expr: String },
    BeyondEnd { start: u64, end: u64, expr: String },
    ZeroStep(String),
}

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CronError::Empty => write!(f, "empty spec string"),
            CronError::BadLocation { name, reason } => write!(f, "provided bad location {name}: {reason}"),
            CronError::FieldCount { found, fields } => {
                write!(f, "expected exactly 5 fields, found {found}: [{}]", fields.join(" "))
            }
            CronError::UnrecognizedDescriptor(s) => write!(f, "unrecognized descriptor: {s}"),
            CronError::BadDuration { spec, reason } => write!(f, "failed to parse duration {spec}: {reason}"),
            CronError::ParseInt { expr, reason } => write!(f, "failed to parse int from {expr}: {reason}"),
            CronError::Negative { num, expr } => write!(f, "negative number ({num}) not allowed: {expr}"),
            CronError::TooManyHyphens(e) => write!(f, "too many hyphens: {e}"),
            CronError::TooManySlashes(e) => write!(f, "too many slashes: {e}"),
            CronError::BelowMinimum { start, min, expr } => {
                write!(f, "beginning of range ({start}) below minimum ({min}): {expr}")
            }
            CronError::AboveMaximum { end, max, expr } => {
                write!(f, "end of range ({end}) above maximum ({max}): {expr}")
            }
            CronError::BeyondEnd { start, end, expr } => {
                write!(f, "beginning of range ({start}) beyond end of range ({end}): {expr}")
            }
            CronError::ZeroStep(e) => write!(f, "step of range should be a positive number: {e}"),
        }
    }
}

impl std::error::Error for CronError {}

/// Why a time zone name is not known; `Display` gives Go's `time.LoadLocation` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeZoneError {
    Unknown(String),
}

impl fmt::Display for TimeZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeZoneError::Unknown(name) => write!(f, "unknown time zone {name}"),
        }
    }
}

impl std::error::Error for TimeZoneError {}

/// Zones whose offset (seconds east of UTC) is the same all year.
const FIXED_ZONES: &[(&str, i64)] = &[
    ("UTC", 0),
    ("Etc/UTC", 0),
    ("Etc/UCT", 0),
    ("UCT", 0),
    ("Etc/Universal", 0),
    ("Universal", 0),
    ("Etc/Zulu", 0),
    ("Zulu", 0),
    ("GMT", 0),
    ("Etc/GMT", 0),
    ("Africa/Abidjan", 0),
    ("Africa/Lagos", 3600),
    ("Africa/Johannesburg", 2 * 3600),
    ("Africa/Nairobi", 3 * 3600),
    ("Europe/Moscow", 3 * 3600),
    ("Europe/Istanbul", 3 * 3600),
    ("Asia/Dubai", 4 * 3600),
    ("Asia/Karachi", 5 * 3600),
    ("Asia/Kolkata", 5 * 3600 + 1800),
    ("Asia/Calcutta", 5 * 3600 + 1800),
    ("Asia/Dhaka", 6 * 3600),
    ("Asia/Bangkok", 7 * 3600),
    ("Asia/Jakarta", 7 * 3600),
    ("Asia/Ho_Chi_Minh", 7 * 3600),
    ("Asia/Shanghai", 8 * 3600),
    ("Asia/Hong_Kong", 8 * 3600),
    ("Asia/Singapore", 8 * 3600),
    ("Asia/Taipei", 8 * 3600),
    ("Asia/Manila", 8 * 3600),
    ("Australia/Perth", 8 * 3600),
    ("Asia/Tokyo", 9 * 3600),
    ("Asia/Seoul", 9 * 3600),
    ("Australia/Brisbane", 10 * 3600),
    ("Pacific/Honolulu", -10 * 3600),
    ("America/Phoenix", -7 * 3600),
    ("America/Bogota", -5 * 3600),
    ("America/Lima", -5 * 3600),
    ("America/Sao_Paulo", -3 * 3600),
    ("America/Argentina/Buenos_Aires", -3 * 3600),
];

/// The offset (seconds east of UTC) of time zone `name`, or Go's error for a zone it does not know.
/// `Etc/GMT+5` is five hours *west* of Greenwich, as in the IANA database.
pub fn zone_offset(name: &str) -> Result<i64, TimeZoneError> {
    if name.is_empty() {
        return Ok(0);
    }
    if let Some(&(_, off)) = FIXED_ZONES.iter().find(|(n, _)| *n == name) {
        return Ok(off);
    }
    let unknown = || TimeZoneError::Unknown(name.to_string());
    let rest = name.strip_prefix("Etc/GMT").ok_or_else(unknown)?;
    let (sign, digits) = match rest.split_at_checked(1) {
        Some(("+", d)) => (-1, d),
        Some(("-", d)) => (1, d),
        _ => return Err(unknown()),
    };
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
        return Err(unknown());
    }
    let hours: i64 = digits.parse().map_err(|_| unknown())?;
    let max = if sign < 0 { 12 } else { 14 };
    if hours > max {
        return Err(unknown());
    }
    Ok(sign * hours * 3600)
}

/// A parsed schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Field bit sets, and the offset of the `TZ=` prefix when there was one.
    Spec { minute: u64, hour: u64, dom: u64, month: u64, dow: u64, tz_offset: Option<i64> },
    /// `@every d`: `d` rounded down to whole seconds, at least one second.
    Every { seconds: i64 },
}

/// `cron.ParseStandard`.
pub fn parse_standard(spec: &str) -> Result<Schedule, CronError> {
    if spec.is_empty() {
        return Err(CronError::Empty);
    }
    let mut spec = spec;
    let mut tz_offset = None;
    if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
        let eq = spec.find('=').unwrap_or(0);
        // robfig slices up to the first space; with none it would crash, here it is a bad location.
        let end = spec.find(' ').unwrap_or(spec.len());
        let name = spec.get(eq + 1..end).unwrap_or("");
        let off = zone_offset(name).map_err(|reason| CronError::BadLocation { name: name.to_string(), reason })?;
        tz_offset = Some(off);
        spec = spec.get(end..).unwrap_or("").trim();
    }
    if spec.starts_with('@') {
        return parse_descriptor(spec, tz_offset);
    }
    let fields: Vec<&str> = spec.split_whitespace().collect();
    let [minute, hour, dom, month, dow] = fields[..] else {
        return Err(CronError::FieldCount {
            found: fields.len(),
            fields: fields.iter().map(|s| s.to_string()).collect(),
        });
    };
    Ok(Schedule::Spec {
        minute: get_field(minute, &MINUTES)?,
        hour: get_field(hour, &HOURS)?,
        dom: get_field(dom, &DOM)?,
        month: get_field(month, &MONTHS)?,
        dow: get_field(dow, &DOW)?,
        tz_offset,
    })
}

fn bits(min: u32, max: u32, step: u32) -> u64 {
    (min..=max).step_by(step.max(1) as usize).fold(0, |b, i| b | (1u64 << i))
}

fn all(b: &Bounds) -> u64 {
    bits(b.min, b.max, 1) | STAR
}

fn parse_descriptor(spec: &str, tz_offset: Option<i64>) -> Result<Schedule, CronError> {
    let first = |b: &Bounds| 1u64 << b.min;
    let (minute, hour, dom, month, dow) = match spec {
        "@yearly" | "@annually" => (first(&MINUTES), first(&HOURS), first(&DOM), first(&MONTHS), all(&DOW)),
        "@monthly" => (first(&MINUTES), first(&HOURS), first(&DOM), all(&MONTHS), all(&DOW)),
        "@weekly" => (first(&MINUTES), first(&HOURS), all(&DOM), all(&MONTHS), first(&DOW)),
        "@daily" | "@midnight" => (first(&MINUTES), first(&HOURS), all(&DOM), all(&MONTHS), all(&DOW)),
        "@hourly" => (first(&MINUTES), all(&HOURS), all(&DOM), all(&MONTHS), all(&DOW)),
        _ => {
            let Some(d) = spec.strip_prefix("@every ") else {
                return Err(CronError::UnrecognizedDescriptor(spec.to_string()));
            };
            // Go accepts a negative duration here and then rounds it up to one second.
            let unsigned = d.strip_prefix('-').unwrap_or(d);
            let dur = parse_go_duration(unsigned)
                .map_err(|e| CronError::BadDuration { spec: spec.to_string(), reason: e.to_string() })?;
            let seconds = if d.starts_with('-') { 1 } else { i64::try_from(dur.as_secs()).unwrap_or(i64::MAX).max(1) };
            return Ok(Schedule::Every { seconds });
        }
    };
    Ok(Schedule::Spec { minute, hour, dom, month, dow, tz_offset })
}

/// A comma-separated list of ranges (empty items are skipped, as Go's FieldsFunc skips them).
fn get_field(field: &str, b: &Bounds) -> Result<u64, CronError> {
    field.split(',').filter(|s| !s.is_empty()).try_fold(0, |acc, expr| Ok(acc | get_range(expr, b)?))
}

/// `number | number "-" number [ "/" number ]`, `*` or `?`, names in place of numbers.
fn get_range(expr: &str, b: &Bounds) -> Result<u64, CronError> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_and_high: Vec<&str> = range_and_step.first().copied().unwrap_or("").split('-').collect();
    let single = low_and_high.len() == 1;
    let first = low_and_high.first().copied().unwrap_or("");
    let (start, mut end, mut extra) = if first == "*" || first == "?" {
        (u64::from(b.min), u64::from(b.max), STAR)
    } else {
        let start = parse_int_or_name(first, b)?;
        let end = match low_and_high[..] {
            [_] => start,
            [_, high] => parse_int_or_name(high, b)?,
            _ => return Err(CronError::TooManyHyphens(expr.to_string())),
        };
        (start, end, 0)
    };
    let step = match range_and_step[..] {
        [_] => 1,
        [_, step] => {
            let step = parse_int(step)?;
            if single {
                end = u64::from(b.max);
            }
            if step > 1 {
                extra = 0;
            }
            step
        }
        _ => return Err(CronError::TooManySlashes(expr.to_string())),
    };
    if start < u64::from(b.min) {
        return Err(CronError::BelowMinimum { start, min: b.min, expr: expr.to_string() });
    }
    if end > u64::from(b.max) {
        return Err(CronError::AboveMaximum { end, max: b.max, expr: expr.to_string() });
    }
    if start > end {
        return Err(CronError::BeyondEnd { start, end, expr: expr.to_string() });
    }
    if step == 0 {
        return Err(CronError::ZeroStep(expr.to_string()));
    }
    // start, end ≤ 59 here; a step above the range just selects `start`.
    let step = u32::try_from(step).unwrap_or(u32::MAX);
    Ok(bits(start as u32, end as u32, step) | extra)
}

fn parse_int_or_name(expr: &str, b: &Bounds) -> Result<u64, CronError> {
    let lower = expr.to_ascii_lowercase();
    match b.names.iter().find(|(n, _)| *n == lower) {
        Some(&(_, v)) => Ok(u64::from(v)),
        None => parse_int(expr),
    }
}

/// `strconv.Atoi` then the sign check, with Go's messages.
fn parse_int(expr: &str) -> Result<u64, CronError> {
    let err = |what: &str| CronError::ParseInt {
        expr: expr.to_string(),
        reason: format!("strconv.Atoi: parsing {}: {what}", go_quote(expr)),
    };
    let (negative, digits) = match expr.as_bytes().first() {
        Some(b'+') => (false, &expr[1..]),
        Some(b'-') => (true, &expr[1..]),
        _ => (false, expr),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(err("invalid syntax"));
    }
    let value: i64 = match digits.parse::<i64>() {
        Ok(v) => v,
        Err(_) => return Err(err("value out of range")),
    };
    if negative {
        if value > 0 {
            return Err(CronError::Negative { num: -value, expr: expr.to_string() });
        }
        return Ok(0);
    }
    Ok(value.unsigned_abs())
}

/// Go's `%q` of a string: printable ASCII as is, the rest escaped.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01: (year, month 1-12, day 1-31).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn has(mask: u64, v: i64) -> bool {
    (0..63).contains(&v) && mask & (1u64 << v) != 0
}

impl Schedule {
    /// `Schedule.Next`: the first activation strictly after `after_unix_ms`, in Unix seconds, with the
    /// fields read in the zone `zone_offset` seconds east of UTC (a `TZ=` prefix wins); None when
    /// nothing matches within five years (a schedule such as `0 0 30 2 *`).
    pub fn next(&self, after_unix_ms: i64, zone_offset: i64) -> Option<i64> {
        let after = after_unix_ms.div_euclid(1000);
        // Beyond ±30,000 years nothing is scheduled (and the calendar arithmetic stays in range).
        if after.unsigned_abs() > 1_000_000_000_000 {
            return None;
        }
        let (minute, hour, dom, month, dow, tz) = match *self {
            Schedule::Every { seconds } => return Some(after + seconds),
            Schedule::Spec { minute, hour, dom, month, dow, tz_offset } => {
                (minute, hour, dom, month, dow, tz_offset.unwrap_or(zone_offset))
            }
        };
        let local = after + 1 + tz;
        let mut t = (local + 59).div_euclid(60) * 60;
        let year_limit = civil_from_days(t.div_euclid(86_400)).0 + 5;
        loop {
            let days = t.div_euclid(86_400);
            let (y, mo, d) = civil_from_days(days);
            if y > year_limit {
                return None;
            }
            let secs = t.rem_euclid(86_400);
            let (h, mi) = (secs / 3600, secs % 3600 / 60);
            if !has(month, mo) {
                let (ny, nm) = if mo == 12 { (y + 1, 1) } else { (y, mo + 1) };
                t = days_from_civil(ny, nm, 1) * 86_400;
                continue;
            }
            let weekday = (days + 4).rem_euclid(7);
            let (dom_ok, dow_ok) = (has(dom, d), has(dow, weekday));
            let day_ok = if dom & STAR != 0 || dow & STAR != 0 { dom_ok && dow_ok } else { dom_ok || dow_ok };
            if !day_ok {
                t = (days + 1) * 86_400;
                continue;
            }
            if !has(hour, h) {
                t = days * 86_400 + (h + 1) * 3600;
                continue;
            }
            if !has(minute, mi) {
                t += 60;
                continue;
            }
            return Some(t - tz);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-01-01T00:00:00Z.
    const NEW_YEAR: i64 = 1_767_225_600;

    fn next(spec: &str, after: i64) -> Option<i64> {
        parse_standard(spec).unwrap().next(after * 1000, 0)
    }

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2026, 1, 1) * 86_400, NEW_YEAR);
        for z in [-1000, 0, 59, 60, 365, 10_957, 20_454, 100_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn next_follows_fields_and_descriptors() {
        assert_eq!(next("*/1 * * * *", NEW_YEAR), Some(NEW_YEAR + 60));
        assert_eq!(next("*/1 * * * *", NEW_YEAR - 1), Some(NEW_YEAR));
        assert_eq!(next("*/15 * * * *", NEW_YEAR + 1), Some(NEW_YEAR + 900));
        assert_eq!(next("30 2 * * *", NEW_YEAR), Some(NEW_YEAR + 2 * 3600 + 1800));
        assert_eq!(next("@hourly", NEW_YEAR), Some(NEW_YEAR + 3600));
        assert_eq!(next("@daily", NEW_YEAR), Some(NEW_YEAR + 86_400));
        assert_eq!(next("@midnight", NEW_YEAR + 5), Some(NEW_YEAR + 86_400));
        // 2026-01-01 is a Thursday: the next Sunday is the 4th, the next Monday the 5th.
        assert_eq!(next("@weekly", NEW_YEAR), Some(NEW_YEAR + 3 * 86_400));
        assert_eq!(next("0 9 * * MON", NEW_YEAR), Some(NEW_YEAR + 4 * 86_400 + 9 * 3600));
        assert_eq!(next("0 0 1 * *", NEW_YEAR), Some(days_from_civil(2026, 2, 1) * 86_400));
        assert_eq!(next("@monthly", NEW_YEAR), Some(days_from_civil(2026, 2, 1) * 86_400));
        assert_eq!(next("@yearly", NEW_YEAR), Some(days_from_civil(2027, 1, 1) * 86_400));
        assert_eq!(next("@annually", NEW_YEAR), Some(days_from_civil(2027, 1, 1) * 86_400));
        assert_eq!(next("0 0 1 JAN,jul *", NEW_YEAR), Some(days_from_civil(2026, 7, 1) * 86_400));
        // Monday, Wednesday and Friday: Friday the 2nd comes first.
        assert_eq!(next("0 12 * * 1-5/2", NEW_YEAR), Some(NEW_YEAR + 12 * 3600 + 86_400));
        // Day of month OR day of week when both are restricted: the 13th, or a Friday (the 2nd).
        assert_eq!(next("0 0 13 * 5", NEW_YEAR), Some(NEW_YEAR + 86_400));
        // Leap day: the next 29 February is in 2028.
        assert_eq!(next("0 0 29 2 *", NEW_YEAR), Some(days_from_civil(2028, 2, 29) * 86_400));
        // Never within five years.
        assert_eq!(next("59 23 31 2 *", NEW_YEAR), None);
        assert_eq!(next("@every 90s", NEW_YEAR), Some(NEW_YEAR + 90));
        assert_eq!(next("@every 10ms", NEW_YEAR), Some(NEW_YEAR + 1));
    }

    #[test]
    fn time_zones_shift_the_wall_clock() {
        let s = parse_standard("0 9 * * *").unwrap();
        // 09:00 in Tokyo is 00:00 UTC.
        assert_eq!(s.next(NEW_YEAR * 1000, zone_offset("Asia/Tokyo").unwrap()), Some(NEW_YEAR + 86_400));
        assert_eq!(s.next(NEW_YEAR * 1000, zone_offset("Asia/Kolkata").unwrap()), Some(NEW_YEAR + 3 * 3600 + 1800));
        let tz = parse_standard("CRON_TZ=Asia/Tokyo 0 9 * * *").unwrap();
        assert_eq!(tz.next(NEW_YEAR * 1000, 0), Some(NEW_YEAR + 86_400));
        assert_eq!(zone_offset("Etc/GMT+5"), Ok(-5 * 3600));
        assert_eq!(zone_offset("Etc/GMT-14"), Ok(14 * 3600));
        assert_eq!(zone_offset("Europe/Berlin").unwrap_err().to_string(), "unknown time zone Europe/Berlin");
        assert!(zone_offset("Etc/GMT+13").is_err());
        assert_eq!(
            parse_standard("TZ=Mars/Olympus 0 * * * *").unwrap_err().to_string(),
            "provided bad location Mars/Olympus: unknown time zone Mars/Olympus"
        );
    }

    #[test]
    fn errors_read_like_robfig() {
        let err = |s: &str| parse_standard(s).unwrap_err().to_string();
        assert_eq!(err(""), "empty spec string");
        assert_eq!(err("* * *"), "expected exactly 5 fields, found 3: [* * *]");
        assert_eq!(err("   "), "expected exactly 5 fields, found 0: []");
        assert_eq!(err("* * * * * *"), "expected exactly 5 fields, found 6: [* * * * * *]");
        assert_eq!(err("@often"), "unrecognized descriptor: @often");
        assert_eq!(err("@every x"), "failed to parse duration @every x: time: invalid duration \"x\"");
        assert_eq!(err("60 * * * *"), "end of range (60) above maximum (59): 60");
        assert_eq!(err("* * 0 * *"), "beginning of range (0) below minimum (1): 0");
        assert_eq!(err("5-2 * * * *"), "beginning of range (5) beyond end of range (2): 5-2");
        assert_eq!(err("*/0 * * * *"), "step of range should be a positive number: */0");
        assert_eq!(err("1-2-3 * * * *"), "too many hyphens: 1-2-3");
        assert_eq!(err("1/2/3 * * * *"), "too many slashes: 1/2/3");
        assert_eq!(err("x * * * *"), "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax");
        assert_eq!(err("5- * * * *"), "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax");
        assert_eq!(
            err("99999999999999999999 * * * *"),
            "failed to parse int from 99999999999999999999: strconv.Atoi: parsing \"99999999999999999999\": value out of range"
        );
        assert_eq!(err("* * * * 7"), "end of range (7) above maximum (6): 7");
        assert_eq!(err("* * * FOO *"), "failed to parse int from FOO: strconv.Atoi: parsing \"FOO\": invalid syntax");
    }

    /// A small deterministic generator of hostile schedules: never a panic, and every accepted
    /// schedule has a next activation or None, never an overflow.
    #[test]
    fn hostile_strings_never_panic() {
        let atoms = [
            "*",
            "?",
            "-",
            "/",
            ",",
            "0",
            "59",
            "60",
            "-1",
            "+1",
            "99999999999999999999999",
            "JAN",
            "mon",
            "@",
            "@every",
            " ",
            "\t",
            "TZ=",
            "CRON_TZ=UTC",
            "é",
            "\u{0}",
            "1-",
            "-5",
            "*/",
            "/5",
            "1-3/2",
            "L",
            "#",
            "TZ=Asia/Tokyo",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rand = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let n = (rand() % 9) as usize;
            let mut s = String::new();
            for _ in 0..n {
                s.push_str(atoms[(rand() % atoms.len() as u64) as usize]);
                if rand() % 3 == 0 {
                    s.push(' ');
                }
            }
            if let Ok(sched) = parse_standard(&s) {
                let _ = sched.next(i64::MAX, 0);
                let _ = sched.next(i64::MIN, 14 * 3600);
                let _ = sched.next(NEW_YEAR * 1000, -12 * 3600);
            } else if let Err(e) = parse_standard(&s) {
                assert!(!e.to_string().is_empty());
            }
        }
    }
}
