//! Resource quantities (`resource.Quantity`): `500m` CPU, `128Mi` memory, `1e3`. Parsing accepts
//! exactly what apimachinery accepts, with its errors; values are exact decimals rounded up to
//! nano units as upstream rounds them; printing follows `Quantity.String()`, including its
//! habit of echoing some inputs verbatim (`+1Gi` stays `+1Gi`) and its canonical forms
//! (`1024Mi` becomes `1Gi`, `0.1` becomes `100m`).
//!
//! Simplification: upstream keeps arbitrary precision; here a value has at most 38 significant
//! digits at nano resolution, and longer inputs are refused as an unparsable number.

use std::cmp::Ordering;
use std::fmt;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;

mod parse;

/// How a quantity prints: `DecimalSI` (`100m`, `1k`, `5G`), `BinarySI` (`128Mi`), or
/// `DecimalExponent` (`1e3`). Parsing picks it from the suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    DecimalExponent,
    BinarySI,
    #[default]
    DecimalSI,
}

/// Why a quantity could not be parsed; the messages are upstream's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantityError {
    FormatWrong,
    Numeric,
    Suffix,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QuantityError::FormatWrong => {
                "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            }
            QuantityError::Numeric => "unable to parse numeric part of quantity",
            QuantityError::Suffix => "unable to parse quantity's suffix",
        })
    }
}

impl std::error::Error for QuantityError {}

/// An exact decimal, `unscaled × 10^exp`, kept normalised (no trailing zeros in `unscaled`; zero
/// has `exp` 0) so equal values are equal structs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
struct Dec {
    unscaled: i128,
    exp: i32,
}

impl Dec {
    fn new(mut unscaled: i128, mut exp: i64) -> Option<Dec> {
        if unscaled == 0 {
            return Some(Dec::default());
        }
        while unscaled % 10 == 0 {
            unscaled /= 10;
            exp += 1;
        }
        Some(Dec { unscaled, exp: i32::try_from(exp).ok()? })
    }

    /// The value in units of `10^scale`, rounded away from zero like upstream's `ScaledValue`,
    /// and saturated instead of wrapping.
    fn scaled(self, scale: i32) -> i64 {
        let shift = i64::from(self.exp) - i64::from(scale);
        let saturate = |v: Option<i128>| match v {
            Some(v) => i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX }),
            None if self.unscaled < 0 => i64::MIN,
            None => i64::MAX,
        };
        if shift >= 0 {
            let factor = u32::try_from(shift).ok().and_then(|s| 10i128.checked_pow(s));
            return saturate(factor.and_then(|f| self.unscaled.checked_mul(f)));
        }
        let divisor = u32::try_from(-shift).ok().and_then(|s| 10i128.checked_pow(s));
        let Some(divisor) = divisor else {
            return saturate(Some(self.unscaled.signum()));
        };
        let (q, r) = (self.unscaled / divisor, self.unscaled % divisor);
        saturate(Some(if r == 0 { q } else { q + self.unscaled.signum() }))
    }

    fn digits(self) -> String {
        self.unscaled.unsigned_abs().to_string()
    }

    /// Compares magnitudes by order of magnitude, then digit by digit: no overflow possible.
    fn cmp_abs(self, other: Dec) -> Ordering {
        let (a, b) = (self.digits(), other.digits());
        let order = |d: &String, e: i32| d.len() as i64 + i64::from(e);
        order(&a, self.exp).cmp(&order(&b, other.exp)).then_with(|| {
            let width = a.len().max(b.len());
            format!("{a:0<width$}").cmp(&format!("{b:0<width$}"))
        })
    }
}

impl Ord for Dec {
    fn cmp(&self, other: &Dec) -> Ordering {
        let (sa, sb) = (self.unscaled.signum(), other.unscaled.signum());
        match sa.cmp(&sb) {
            Ordering::Equal if sa == 0 => Ordering::Equal,
            Ordering::Equal if sa < 0 => other.cmp_abs(*self),
            Ordering::Equal => self.cmp_abs(*other),
            unequal => unequal,
        }
    }
}

impl PartialOrd for Dec {
    fn partial_cmp(&self, other: &Dec) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A resource quantity. Equality and order compare values (`1Gi == 1024Mi`), as upstream's
/// `Cmp`; the format and any verbatim input only affect printing.
#[derive(Debug, Clone, Default)]
pub struct Quantity {
    value: Dec,
    format: Format,
    /// The input string, kept where upstream keeps it: `String()` then returns it unchanged.
    original: Option<String>,
}

impl Quantity {
    /// `resource.ParseQuantity`.
    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        parse::parse(s)
    }

    /// Parses an API object's quantity (`resources.requests.cpu`).
    pub fn from_api(q: &ApiQuantity) -> Result<Quantity, QuantityError> {
        Quantity::parse(&q.0)
    }

    /// `NewMilliQuantity(m, DecimalSI)`: what the simulator uses for CPU (`100m`, `3800m`, `2`).
    pub fn from_milli(milli: i64) -> Quantity {
        Quantity { value: Dec::new(milli.into(), -3).unwrap_or_default(), ..Quantity::default() }
    }

    /// `NewQuantity(v, format)`: whole units, e.g. bytes in `BinarySI` (`7934440Ki`, `8Gi`) or pod
    /// counts in `DecimalSI` (`110`).
    pub fn from_int(value: i64, format: Format) -> Quantity {
        Quantity { value: Dec::new(value.into(), 0).unwrap_or_default(), format, original: None }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn is_zero(&self) -> bool {
        self.value.unscaled == 0
    }

    /// `MilliValue()`: thousandths, rounded up (away from zero), saturating at the `i64` limits.
    pub fn milli_value(&self) -> i64 {
        self.value.scaled(-3)
    }

    /// `Value()`: whole units (bytes, cores), rounded up (away from zero), saturating.
    pub fn value(&self) -> i64 {
        self.value.scaled(0)
    }

    fn write_canonical(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.value;
        if v.unscaled == 0 {
            return f.write_str("0");
        }
        let sign = if v.unscaled < 0 { "-" } else { "" };
        let small = v.cmp_abs(Dec { unscaled: 1024, exp: 0 }).is_lt();
        if self.format == Format::BinarySI && !small && v.exp >= 0 {
            return write_base1024(f, v);
        }
        let mut digits = v.digits();
        let mut exp = v.exp;
        while exp % 3 != 0 {
            digits.push('0');
            exp -= 1;
        }
        let suffix = match (self.format, exp) {
            (Format::DecimalExponent, 0) => String::new(),
            (Format::DecimalExponent, e) => format!("e{e}"),
            // Upstream has no suffix beyond `E` (or below `n`) and prints none: `1000E` reads back as `1`.
            (_, e) => ["n", "u", "m", "", "k", "M", "G", "T", "P", "E"]
                .get(usize::try_from((i64::from(e) + 9) / 3).unwrap_or(usize::MAX))
                .map_or(String::new(), |s| s.to_string()),
        };
        write!(f, "{sign}{digits}{suffix}")
    }
}

/// An integral binary quantity as `<n><Ki|Mi|...>`, with as many factors of 1024 moved into the
/// suffix as divide it.
fn write_base1024(f: &mut fmt::Formatter<'_>, v: Dec) -> fmt::Result {
    let factor = u32::try_from(v.exp).ok().and_then(|e| 10i128.checked_pow(e));
    let mut n = factor.and_then(|p| v.unscaled.checked_mul(p)).unwrap_or(i64::MAX.into());
    let mut times = 0;
    while n % 1024 == 0 && n.unsigned_abs() >= 1024 && times < 6 {
        n /= 1024;
        times += 1;
    }
    let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"].get(times).copied().unwrap_or_default();
    write!(f, "{n}{suffix}")
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.original {
            Some(s) => f.write_str(s),
            None => self.write_canonical(f),
        }
    }
}

impl std::str::FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Quantity::parse(s)
    }
}

impl TryFrom<&ApiQuantity> for Quantity {
    type Error = QuantityError;

    fn try_from(q: &ApiQuantity) -> Result<Self, Self::Error> {
        Quantity::from_api(q)
    }
}

/// The API form of a quantity: its `String()`, as the api-server stores it.
impl From<&Quantity> for ApiQuantity {
    fn from(q: &Quantity) -> Self {
        ApiQuantity(q.to_string())
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Quantity) -> bool {
        self.value == other.value
    }
}

impl Eq for Quantity {}

impl std::hash::Hash for Quantity {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Quantity) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Quantity) -> Ordering {
        self.value.cmp(&other.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn printing_follows_upstream_string() {
        // (input, printed): upstream's TestQuantityString canonical/alternate pairs and
        // TestQuantityParseEmit, plus what the simulator prints.
        let cases = [
            ("1Gi", "1Gi"),
            ("1024Mi", "1Gi"),
            ("300Mi", "300Mi"),
            ("307200Ki", "300Mi"),
            ("1001Gi", "1001Gi"),
            ("1025024Mi", "1001Gi"),
            ("1024Gi", "1Ti"),
            ("5000m", "5"),
            ("0.5", "500m"),
            ("1000M", "1G"),
            ("0.001T", "1G"),
            ("1000u", "1m"),
            ("1.08", "1080m"),
            ("1080000000n", "1080m"),
            (".001e12", "1e9"),
            ("0.001e0", "1e-3"),
            ("1000e-12", "1e-9"),
            ("00", "0"),
            (".001Ki", "1024m"),
            (".000001Ki", "1024u"),
            (".000000001Ki", "1024n"),
            (".000000000001Ki", "2n"),
            ("1.5Gi", "1536Mi"),
            ("0.5Ki", "512"),
            ("128Mi", "128Mi"),
            ("3800m", "3800m"),
            ("100m", "100m"),
            ("0.1", "100m"),
            ("7934440Ki", "7934440Ki"),
            ("9Ei", "9223372036854775807"),
            ("999999999999999999.1", "999999999999999999100m"),
            ("1000000000000000000", "1E"),
            ("10000000000000000000000m", "10E"),
            ("1.0000000000000000001E", "1000000000000000000100m"),
            // Inputs upstream keeps verbatim.
            ("+1Gi", "+1Gi"),
            ("01", "01"),
            ("1E3", "1E3"),
            ("100m", "100m"),
            ("12Ki", "12Ki"),
            ("1e3", "1e3"),
            // Beyond `E` upstream has no suffix and prints none.
            ("1000E", "1"),
        ];
        for (input, want) in cases {
            assert_eq!(q(input).to_string(), want, "{input}");
            if !input.starts_with(['+', '0']) && input != "1000E" {
                assert_eq!(q(&format!("-{input}")).to_string(), format!("-{want}"), "-{input}");
            }
        }
    }

    #[test]
    fn constructors_print_like_new_quantity() {
        let cases = [
            (Quantity::from_milli(1), "1m"),
            (Quantity::from_milli(1000), "1"),
            (Quantity::from_milli(1234000), "1234"),
            (Quantity::from_milli(100), "100m"),
            (Quantity::from_milli(3800), "3800m"),
            (Quantity::from_milli(0), "0"),
            (Quantity::from_int(1, Format::DecimalSI), "1"),
            (Quantity::from_int(1000, Format::DecimalSI), "1k"),
            (Quantity::from_int(110, Format::DecimalSI), "110"),
            (Quantity::from_int(1024, Format::BinarySI), "1Ki"),
            (Quantity::from_int(8 << 30, Format::BinarySI), "8Gi"),
            (Quantity::from_int(1000, Format::BinarySI), "1k"),
            (Quantity::from_int(8124866560, Format::BinarySI), "7934440Ki"),
            (Quantity::from_int(1000000, Format::DecimalExponent), "1e6"),
        ];
        for (quantity, want) in cases {
            assert_eq!(quantity.to_string(), want);
            assert_eq!(q(want), quantity, "{want} reads back as the same value");
        }
        let api = ApiQuantity::from(&Quantity::from_int(128 << 20, Format::BinarySI));
        assert_eq!(api.0, "128Mi");
        assert_eq!(Quantity::try_from(&api).map(|q| q.value()), Ok(128 << 20));
    }

    #[test]
    fn milli_and_whole_values_round_up_and_saturate() {
        let cases = [
            ("1n", 1, 1),
            ("1u", 1, 1),
            ("1m", 1, 1),
            ("1", 1000, 1),
            ("100m", 100, 1),
            ("1.5", 1500, 2),
            ("0.1m", 1, 1),
            ("250m", 250, 1),
            ("2", 2000, 2),
            ("128Mi", 134217728000, 134217728),
            ("1E", i64::MAX, 1_000_000_000_000_000_000),
            ("1e100", i64::MAX, i64::MAX),
            ("-1e100", i64::MIN, i64::MIN),
            ("-1.5", -1500, -2),
            ("-0.1m", -1, -1),
            ("0", 0, 0),
        ];
        for (s, milli, whole) in cases {
            assert_eq!((q(s).milli_value(), q(s).value()), (milli, whole), "{s}");
        }
    }

    #[test]
    fn comparison_is_by_value() {
        let cases = [
            ("0", "0", Ordering::Equal),
            ("100m", "50m", Ordering::Greater),
            ("50m", "100m", Ordering::Less),
            ("10000T", "100Gi", Ordering::Greater),
            ("1Gi", "1024Mi", Ordering::Equal),
            ("-1", "1m", Ordering::Less),
            ("-2", "-1", Ordering::Less),
            ("1e100", "9Ei", Ordering::Greater),
            ("0.5", "500m", Ordering::Equal),
            ("1E", "999999999999999999", Ordering::Greater),
            ("1n", "0", Ordering::Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(q(a).cmp(&q(b)), want, "{a} vs {b}");
            assert_eq!(q(b).cmp(&q(a)), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn generated_quantities_never_panic_and_read_back() {
        let pieces =
            ["0", "1", "9", "5", ".", "-", "+", "e", "E", "i", "K", "M", "G", "m", "n", "u", "k", "T", "P", "é", " "];
        let mut x: u64 = 0xdead_beef_cafe_f00d;
        let mut parsed = 0;
        for _ in 0..30_000 {
            let mut s = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for _ in 0..(x % 10) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                s.push_str(pieces[(x % pieces.len() as u64) as usize]);
            }
            let Ok(quantity) = Quantity::parse(&s) else {
                continue;
            };
            parsed += 1;
            let _ = (quantity.milli_value(), quantity.value());
            // What is printed reads back as the same value, except past upstream's suffix table.
            let beyond_table = quantity.format == Format::DecimalSI && !(-9..=20).contains(&quantity.value.exp);
            if !beyond_table {
                assert_eq!(
                    Quantity::parse(&quantity.to_string()).as_ref(),
                    Ok(&quantity),
                    "{s:?} printed as {quantity}"
                );
            }
        }
        assert!(parsed > 1000, "{parsed}");
        let _ = Quantity::parse(&format!("0.{}1Ei", "0".repeat(100_000)));
        assert_eq!(q(&format!("1.{}1Ei", "0".repeat(1000))).to_string(), "1152921504606846976000000001n");
    }
}
