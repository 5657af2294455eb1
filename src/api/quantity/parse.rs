//! Reading a quantity: upstream's hand-written scanner (`parseQuantityString`), its suffix table,
//! and the exact value of `num.denom × base^exponent`, rounded up to nano units as upstream rounds.

use super::{Dec, Format, Quantity, QuantityError};

/// `resource.ParseQuantity`: upstream's scanner, its int64 fast path (which decides whether the
/// input is kept verbatim), then the exact value.
pub(super) fn parse(s: &str) -> Result<Quantity, QuantityError> {
    if s.is_empty() {
        return Err(QuantityError::FormatWrong);
    }
    if s == "0" {
        return Ok(Quantity { original: Some(s.to_string()), ..Quantity::default() });
    }
    let p = split(s)?;
    let (base, exponent, mut format) = interpret_suffix(p.suffix)?;
    let keep_input = fast_path(&p, exponent, format);
    // Off the fast path upstream hands `value` to a big-decimal parser, which wants a digit: so
    // `Ki` reads as zero but `Pi` is refused.
    if keep_input.is_none() && !p.value.bytes().any(|b| b.is_ascii_digit()) {
        return Err(QuantityError::Numeric);
    }
    let mut value =
        if base == 2 { binary_value(p.num, p.denom, exponent) } else { decimal_value(p.num, p.denom, exponent)? };
    if !p.positive {
        value.unscaled = -value.unscaled;
    }
    // A binary quantity below one prints in decimal (`512m`), as upstream switches format.
    let below_one = value.cmp_abs(Dec { unscaled: 1, exp: 0 }).is_lt();
    if format == Format::BinarySI && value.unscaled != 0 && below_one {
        format = Format::DecimalSI;
    }
    let original = keep_input.unwrap_or(false).then(|| s.to_string());
    Ok(Quantity { value, format, original })
}

/// The pieces of `^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$` as upstream's hand-written
/// scanner (`parseQuantityString`) finds them: leading zeros of the integer part dropped.
struct Parts<'a> {
    positive: bool,
    /// Sign, digits and point: what upstream hands to its big-decimal parser.
    value: &'a str,
    num: &'a str,
    denom: &'a str,
    suffix: &'a str,
}

fn split(s: &str) -> Result<Parts<'_>, QuantityError> {
    let b = s.as_bytes();
    let end = b.len();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let sub = |from: usize, to: usize| s.get(from..to).unwrap_or_default();
    let digits_from = |from: usize| (from..end).find(|&i| !at(i).is_ascii_digit()).unwrap_or(end);
    let mut parts = Parts { positive: true, value: "0", num: "0", denom: "", suffix: "" };
    let mut pos = 0;
    match at(0) {
        b'-' => (parts.positive, pos) = (false, 1),
        b'+' => pos = 1,
        _ => {}
    }
    while pos < end && at(pos) == b'0' {
        pos += 1;
    }
    if pos >= end {
        return Ok(parts);
    }
    let num_end = digits_from(pos);
    parts.num = if num_end == pos { "0" } else { sub(pos, num_end) };
    pos = num_end;
    if pos < end && at(pos) == b'.' {
        let denom_end = digits_from(pos + 1);
        parts.denom = sub(pos + 1, denom_end);
        pos = denom_end;
    }
    parts.value = sub(0, pos);
    let suffix_start = pos;
    while pos < end && b"eEinumkKMGTP".contains(&at(pos)) {
        pos += 1;
    }
    if pos < end && matches!(at(pos), b'-' | b'+') {
        pos += 1;
    }
    if digits_from(pos) < end {
        return Err(QuantityError::FormatWrong);
    }
    parts.suffix = sub(suffix_start, end);
    Ok(parts)
}

/// Upstream's suffix table: (base, exponent, format).
fn interpret_suffix(suffix: &str) -> Result<(u32, i32, Format), QuantityError> {
    let dec = |e| Ok((10, e, Format::DecimalSI));
    let bin = |e| Ok((2, e, Format::BinarySI));
    match suffix {
        "n" => dec(-9),
        "u" => dec(-6),
        "m" => dec(-3),
        "" => dec(0),
        "k" => dec(3),
        "M" => dec(6),
        "G" => dec(9),
        "T" => dec(12),
        "P" => dec(15),
        "E" => dec(18),
        "Ki" => bin(10),
        "Mi" => bin(20),
        "Gi" => bin(30),
        "Ti" => bin(40),
        "Pi" => bin(50),
        "Ei" => bin(60),
        _ => {
            let rest = suffix.strip_prefix(['e', 'E']).filter(|r| !r.is_empty()).ok_or(QuantityError::Suffix)?;
            let exp: i64 = rest.parse().map_err(|_| QuantityError::Suffix)?;
            // Upstream narrows to int32 without a check; so does this.
            Ok((10, exp as i32, Format::DecimalExponent))
        }
    }
}

/// Whether upstream takes its int64 fast path for this input, and if so whether it keeps the input
/// string to print back: the `s: str` cases of `ParseQuantity`.
fn fast_path(p: &Parts, exponent: i32, format: Format) -> Option<bool> {
    let shifted = format!("{}{}", p.num, p.denom);
    let (precision, scale) = match format {
        Format::BinarySI if p.denom.is_empty() => (14 - p.num.len() as i64 - i64::from(exponent) * 3 / 10, 0),
        Format::BinarySI => (-1, 0),
        _ => (18 - shifted.len() as i64, i64::from(exponent) - p.denom.len() as i64),
    };
    if precision < 0 || scale < -9 {
        return None;
    }
    Some(match format {
        Format::BinarySI => exponent % 10 == 0 && p.num.parse::<i64>().is_ok_and(|v| v & 7 != 0),
        _ => scale % 3 == 0 && !shifted.ends_with("000") && !shifted.starts_with('0'),
    })
}

/// `num.denom × 10^exponent`, rounded away from zero to nano units.
fn decimal_value(num: &str, denom: &str, exponent: i32) -> Result<Dec, QuantityError> {
    let all = format!("{num}{denom}");
    let digits = all.trim_start_matches('0');
    let mut exp = i64::from(exponent) - denom.len() as i64;
    let (mut kept, mut round_up) = (digits, false);
    if exp < -9 {
        let keep = usize::try_from(digits.len() as i64 - (-9 - exp)).unwrap_or(0);
        let (head, dropped) = digits.split_at(keep.min(digits.len()));
        (kept, round_up, exp) = (head, dropped.bytes().any(|d| d != b'0'), -9);
    }
    if !round_up {
        let trimmed = kept.trim_end_matches('0');
        exp += (kept.len() - trimmed.len()) as i64;
        kept = trimmed;
    }
    if kept.len() > 38 {
        return Err(QuantityError::Numeric);
    }
    let unscaled: i128 = if kept.is_empty() { 0 } else { kept.parse().map_err(|_| QuantityError::Numeric)? };
    Dec::new(unscaled + i128::from(round_up), exp).ok_or(QuantityError::Numeric)
}

/// `num.denom × 2^exponent`, rounded away from zero to nano units and capped at `2^63 - 1` as
/// upstream caps binary quantities.
fn binary_value(num: &str, denom: &str, exponent: i32) -> Dec {
    const MAX: u128 = i64::MAX as u128;
    const NANO: u128 = 1_000_000_000;
    let capped = Dec { unscaled: i64::MAX.into(), exp: 0 };
    let whole = match num.parse::<u128>() {
        Ok(n) if num.len() <= 19 => n << exponent,
        _ => return capped,
    };
    if whole > MAX {
        return capped;
    }
    // The fraction times 2^exponent in nanos, digit by digit from the right: `floor` so far, and
    // whether anything was lost (then the nano count rounds up).
    let scale = (1u128 << exponent) * NANO;
    let (mut floor, mut inexact) = (0u128, false);
    for d in denom.bytes().rev() {
        let t = u128::from(d.saturating_sub(b'0')) * scale + floor;
        inexact |= !t.is_multiple_of(10);
        floor = t / 10;
    }
    let nanos = whole * NANO + floor + u128::from(inexact);
    if nanos > MAX * NANO {
        return capped;
    }
    Dec::new(nanos as i128, -9).unwrap_or(capped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn dec(unscaled: i128, exp: i64) -> Dec {
        Dec::new(unscaled, exp).unwrap_or_default()
    }

    #[test]
    fn parse_values_and_formats_follow_upstream() {
        use Format::*;
        let pi = 1i128 << 50;
        let cases = [
            ("0", 0, 0, DecimalSI),
            ("0n", 0, 0, DecimalSI),
            ("0Ki", 0, 0, BinarySI),
            ("0Ti", 0, 0, BinarySI),
            ("1", 1, 0, DecimalSI),
            ("1Ki", 1024, 0, BinarySI),
            ("7Mi", 7 << 20, 0, BinarySI),
            ("6Gi", 6 << 30, 0, BinarySI),
            ("4Pi", 4 * pi, 0, BinarySI),
            ("3Ei", 3 << 60, 0, BinarySI),
            ("5n", 5, -9, DecimalSI),
            ("4u", 4, -6, DecimalSI),
            ("3m", 3, -3, DecimalSI),
            ("50k", 5, 4, DecimalSI),
            ("300T", 3, 14, DecimalSI),
            ("1E", 1, 18, DecimalSI),
            ("12E", 12, 18, DecimalSI),
            ("1E-3", 1, -3, DecimalExponent),
            ("1e3", 1, 3, DecimalExponent),
            ("1.3E+6", 13, 5, DecimalExponent),
            ("100.035k", 100035, 0, DecimalSI),
            ("0.0005k", 5, -1, DecimalSI),
            ("0.5e-2", 5, -3, DecimalExponent),
            ("6.987654321G", 6987654321, 0, DecimalSI),
            ("1.01E", 101, 16, DecimalSI),
            // Rounded up to nano units.
            ("3.001n", 4, -9, DecimalSI),
            ("1.1E-9", 2, -9, DecimalExponent),
            ("0.0000000001", 1, -9, DecimalSI),
            ("0.00000012345", 124, -9, DecimalSI),
            ("0.9n", 1, -9, DecimalSI),
            // Binary values are capped at 2^63-1.
            ("9Ei", i64::MAX as i128, 0, BinarySI),
            ("9223372036854775807Ki", i64::MAX as i128, 0, BinarySI),
            ("100.035Ki", 10243584, -2, BinarySI),
            ("0.5Mi", 524288, 0, BinarySI),
            ("0.05Gi", 536870912, -1, BinarySI),
            ("0.025Ti", 274877906944, -1, BinarySI),
            // "Things written by trolls".
            ("0.000000000001Ki", 2, -9, DecimalSI),
            (".001", 1, -3, DecimalSI),
            (".0001k", 100, -3, DecimalSI),
            ("1.", 1, 0, DecimalSI),
            ("1.G", 1, 9, DecimalSI),
            (".", 0, 0, DecimalSI),
            ("Ki", 0, 0, BinarySI),
        ];
        assert!(q("+").is_zero() && q("-").is_zero());
        for (s, unscaled, exp, format) in cases {
            let want = dec(unscaled, exp);
            for (input, sign) in [(s.to_string(), 1), (format!("-{s}"), -1), (format!("+{s}"), 1)] {
                let got = q(&input);
                assert_eq!(got.value, dec(want.unscaled * sign, want.exp.into()), "{input}");
                assert_eq!(got.format, format, "{input}");
            }
        }
    }

    #[test]
    fn invalid_inputs_get_upstream_errors() {
        use QuantityError::*;
        let cases = [
            ("", FormatWrong),
            ("1.1.M", FormatWrong),
            ("1+1.0M", FormatWrong),
            ("aoeu", FormatWrong),
            (" 1", FormatWrong),
            ("1 ", FormatWrong),
            ("1é", FormatWrong),
            ("0.1mi", Suffix),
            ("0.1am", FormatWrong),
            (".5i", Suffix),
            ("1i", Suffix),
            ("-3.01i", Suffix),
            ("-3.01e-", Suffix),
            ("1e", Suffix),
            ("1K", Suffix),
            ("1e99999999999999999999", Suffix),
            ("Pi", Numeric),
            ("-Ei", Numeric),
            (&"1".repeat(60), Numeric),
        ];
        for (s, want) in cases {
            assert_eq!(Quantity::parse(s).err(), Some(want), "{s:?}");
        }
        assert_eq!(
            FormatWrong.to_string(),
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        );
        assert_eq!(Numeric.to_string(), "unable to parse numeric part of quantity");
        assert_eq!(Suffix.to_string(), "unable to parse quantity's suffix");
    }
}
