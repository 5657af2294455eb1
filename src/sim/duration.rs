//! Virtual durations and the textual forms people type for them: Go's `time.ParseDuration`
//! (`1m30s`, `250ms`, as in `kubectl wait --timeout`) and GNU `sleep`'s (`5`, `0.5`, `2m`, `1d`).

use std::fmt;

/// A span of virtual time, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(pub u64);

impl Duration {
    pub const ZERO: Duration = Duration(0);

    pub const fn from_millis(ms: u64) -> Self {
        Duration(ms)
    }

    pub const fn from_secs(s: u64) -> Self {
        Duration(s * 1000)
    }

    pub const fn as_millis(self) -> u64 {
        self.0
    }

    pub const fn as_secs(self) -> u64 {
        self.0 / 1000
    }
}

/// Why a duration could not be read; the messages are Go's `time: invalid duration "x"` forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationError {
    Invalid(String),
    MissingUnit(String),
    UnknownUnit { unit: String, input: String },
    Negative(String),
    Overflow(String),
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurationError::Invalid(s) => write!(f, "time: invalid duration \"{s}\""),
            DurationError::MissingUnit(s) => write!(f, "time: missing unit in duration \"{s}\""),
            DurationError::UnknownUnit { unit, input } => {
                write!(f, "time: unknown unit \"{unit}\" in duration \"{input}\"")
            }
            DurationError::Negative(s) => write!(f, "invalid negative duration \"{s}\""),
            DurationError::Overflow(s) => write!(f, "time: invalid duration \"{s}\""),
        }
    }
}

impl std::error::Error for DurationError {}

/// The largest duration accepted anywhere: about 292 years, Go's own limit.
const MAX_MILLIS: f64 = 9_223_372_036_854.0;

/// Parses Go's duration syntax: a sequence of decimal numbers each with a unit (`ns`, `us`, `µs`, `ms`,
/// `s`, `m`, `h`), such as `1h2m0.5s`; `0` alone is allowed. Sub-millisecond parts are truncated.
pub fn parse_go_duration(input: &str) -> Result<Duration, DurationError> {
    let invalid = || DurationError::Invalid(input.to_string());
    let mut s = input;
    if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    } else if s.starts_with('-') {
        return Err(DurationError::Negative(input.to_string()));
    }
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total = 0f64;
    while !s.is_empty() {
        let num_len = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
        let (num, rest) = s.split_at(num_len);
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return Err(invalid());
        }
        let value: f64 = num.parse().map_err(|_| invalid())?;
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let (unit, rest) = rest.split_at(unit_len);
        let millis_per_unit = match unit {
            "" => return Err(DurationError::MissingUnit(input.to_string())),
            "ns" => 1e-6,
            "us" | "µs" | "μs" => 1e-3,
            "ms" => 1.0,
            "s" => 1e3,
            "m" => 60e3,
            "h" => 3600e3,
            _ => {
                return Err(DurationError::UnknownUnit { unit: unit.to_string(), input: input.to_string() });
            }
        };
        total += value * millis_per_unit;
        if total > MAX_MILLIS {
            return Err(DurationError::Overflow(input.to_string()));
        }
        s = rest;
    }
    Ok(Duration(total as u64))
}

/// Parses the operand of GNU `sleep`: a number (seconds) with an optional `s`, `m`, `h` or `d`
/// suffix, or, as a convenience, any Go duration such as `1m30s`.
pub fn parse_sleep(input: &str) -> Result<Duration, DurationError> {
    let invalid = || DurationError::Invalid(input.to_string());
    let (num, factor) = match input.char_indices().last() {
        Some((i, 's')) => (&input[..i], 1e3),
        Some((i, 'm')) => (&input[..i], 60e3),
        Some((i, 'h')) => (&input[..i], 3600e3),
        Some((i, 'd')) => (&input[..i], 86_400e3),
        Some(_) => (input, 1e3),
        None => return Err(invalid()),
    };
    let plain = !num.is_empty() && num.chars().all(|c| c.is_ascii_digit() || c == '.');
    if plain && let Ok(v) = num.parse::<f64>() {
        let ms = v * factor;
        if !ms.is_finite() || ms > MAX_MILLIS {
            return Err(invalid());
        }
        return Ok(Duration(ms as u64));
    }
    parse_go_duration(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("1m30s"), Ok(Duration(90_000)));
        assert_eq!(parse_go_duration("250ms"), Ok(Duration(250)));
        assert_eq!(parse_go_duration("1.5h"), Ok(Duration(5_400_000)));
        assert_eq!(parse_go_duration("0"), Ok(Duration(0)));
        assert_eq!(parse_go_duration("30").unwrap_err().to_string(), "time: missing unit in duration \"30\"");
        assert_eq!(parse_go_duration("3x").unwrap_err().to_string(), "time: unknown unit \"x\" in duration \"3x\"");
        assert!(parse_go_duration("").is_err());
        assert!(parse_go_duration("..s").is_err());
        assert!(parse_go_duration("99999999999999h").is_err());
    }

    #[test]
    fn sleep_operands() {
        assert_eq!(parse_sleep("5"), Ok(Duration(5_000)));
        assert_eq!(parse_sleep("0.5"), Ok(Duration(500)));
        assert_eq!(parse_sleep("2m"), Ok(Duration(120_000)));
        assert_eq!(parse_sleep("1d"), Ok(Duration(86_400_000)));
        assert_eq!(parse_sleep("1m30s"), Ok(Duration(90_000)));
        assert!(parse_sleep("abc").is_err());
        assert!(parse_sleep("").is_err());
        assert!(parse_sleep("1e400").is_err());
    }
}
