//! Go's formatting of values, as kubectl's printers inherit it: `strconv.FormatFloat` (shortest `'g'`
//! and encoding/json's float style), `strconv.Quote`, and `fmt`'s `%v` and `%#v` of the
//! `map[string]interface{}` trees that unstructured objects are (integers are `int64`, other numbers
//! `float64`). JSONPath and custom-columns print through these, and so do their error messages.

use serde_json::{Map, Number, Value};

/// A finite float's shortest round-trip decimal digits (no leading or trailing zeros) and the position
/// of the decimal point relative to them: value = 0.DIGITS × 10^point (Go's `decimalSlice`).
fn shortest_digits(f: f64) -> (String, i32) {
    if f == 0.0 || !f.is_finite() {
        return (String::new(), 0);
    }
    // Rust's `{:e}` is the shortest representation that round-trips, as Go's shortest mode is.
    let text = format!("{:e}", f.abs());
    let (mantissa, exp) = text.split_once('e').unwrap_or((text.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0').to_string();
    if digits.is_empty() {
        return (String::new(), 0);
    }
    (digits, exp + 1)
}

/// Go's `%e` body for the given digits: `d.ddde±XX`.
fn fmt_e(digits: &str, point: i32) -> String {
    let mut out = String::new();
    let mut chars = digits.chars();
    out.push(chars.next().unwrap_or('0'));
    let rest: String = chars.collect();
    if !rest.is_empty() {
        out.push('.');
        out.push_str(&rest);
    }
    out.push('e');
    let exp = if digits.is_empty() { 0 } else { point - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.unsigned_abs();
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
    out
}

/// Go's `%f` body with exactly enough fraction digits for the shortest digits.
fn fmt_f(digits: &str, point: i32) -> String {
    let nd = digits.len() as i32;
    let bytes = digits.as_bytes();
    let digit_at = |i: i32| -> char {
        if i >= 0 && i < nd { bytes.get(i as usize).map(|b| *b as char).unwrap_or('0') } else { '0' }
    };
    let mut out = String::new();
    if point > 0 {
        for i in 0..point {
            out.push(digit_at(i));
        }
    } else {
        out.push('0');
    }
    let frac = (nd - point).max(0);
    if frac > 0 {
        out.push('.');
        for i in 0..frac {
            out.push(digit_at(point + i));
        }
    }
    out
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`, which is also `fmt`'s `%v`: exponent form when the decimal
/// exponent is below -4 or at least 6 (so `1234567.5` prints as `1.2345675e+06`).
pub fn format_float_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let (digits, point) = shortest_digits(f);
    if digits.is_empty() {
        return format!("{sign}0");
    }
    let exp = point - 1;
    let body = if !(-4..6).contains(&exp) { fmt_e(&digits, point) } else { fmt_f(&digits, point) };
    format!("{sign}{body}")
}

/// encoding/json's float style: plain decimal unless the magnitude is below 1e-6 or at least 1e21, and
/// then an exponent without zero padding (`1e-7`, `1e+21`).
pub fn format_float_json(f: f64) -> String {
    if !f.is_finite() {
        return "null".to_string();
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let (digits, point) = shortest_digits(f);
    if digits.is_empty() {
        return format!("{sign}0");
    }
    let abs = f.abs();
    if !(1e-6..1e21).contains(&abs) {
        let mut body = fmt_e(&digits, point);
        // Go trims "e-07" to "e-7" (only for negative exponents below 10).
        if let Some(pos) = body.find("e-0") {
            body.replace_range(pos + 2..pos + 3, "");
        }
        format!("{sign}{body}")
    } else {
        format!("{sign}{}", fmt_f(&digits, point))
    }
}

/// encoding/json's rendering of a JSON number as it holds it (int64, uint64 or float64).
pub fn format_number_json(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        format_float_json(n.as_f64().unwrap_or(0.0))
    }
}

/// `fmt`'s `%v` of a number from an unstructured object: integers as int64, the rest as float64.
pub fn format_number_v(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        format_float_g(n.as_f64().unwrap_or(0.0))
    }
}

/// Go's `unicode.IsPrint`, approximated with Rust's character classes: graphic characters and the ASCII
/// space are printable; controls, other spaces, format characters and non-characters are not.
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    let format_or_private = matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF);
    let nonchar = (u & 0xFFFE) == 0xFFFE || (0xFDD0..=0xFDEF).contains(&u);
    !format_or_private && !nonchar
}

/// `strconv.Quote`: a double-quoted Go string literal, printable characters kept as they are.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0B}' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

fn sorted(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// `fmt.Sprint` (`%v`) of an unstructured value: `map[k:v k2:v2]` with sorted keys, `[a b]`, `<nil>`.
pub fn sprint(value: &Value) -> String {
    let mut out = String::new();
    write_v(&mut out, value);
    out
}

fn write_v(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&format_number_v(n)),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("map[");
            for (i, (k, v)) in sorted(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(out, v);
            }
            out.push(']');
        }
    }
}

/// `%#v` of an unstructured value, as kubectl's JSONPath error message shows the object:
/// `map[string]interface {}{"k":"v", "n":interface {}(nil)}`.
pub fn sharp_v(value: &Value) -> String {
    let mut out = String::new();
    write_sharp_v(&mut out, value);
    out
}

fn write_sharp_v(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("interface {}(nil)"),
        Value::String(s) => out.push_str(&quote(s)),
        Value::Array(items) => {
            out.push_str("[]interface {}{");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_sharp_v(out, item);
            }
            out.push('}');
        }
        Value::Object(map) => {
            out.push_str("map[string]interface {}{");
            for (i, (k, v)) in sorted(map).into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&quote(k));
                out.push(':');
                write_sharp_v(out, v);
            }
            out.push('}');
        }
        other => write_v(out, other),
    }
}

/// The Go type name of an unstructured value, as `reflect.Type` prints it in error messages.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "interface {}",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() => "int64",
        Value::Number(n) if n.is_u64() => "uint64",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats() {
        let cases: &[(f64, &str, &str)] = &[
            (1234567.5, "1.2345675e+06", "1234567.5"),
            (1e21, "1e+21", "1e+21"),
            (0.00001, "1e-05", "0.00001"),
            (1e-7, "1e-07", "1e-7"),
            (0.5, "0.5", "0.5"),
            (2.5, "2.5", "2.5"),
            (3.0, "3", "3"),
            (100000.0, "100000", "100000"),
            (1000000.0, "1e+06", "1000000"),
            (-0.0001, "-0.0001", "-0.0001"),
            (0.0, "0", "0"),
            (-0.0, "-0", "-0"),
            (123456789.125, "1.23456789125e+08", "123456789.125"),
            (1.7976931348623157e308, "1.7976931348623157e+308", "1.7976931348623157e+308"),
            (5e-324, "5e-324", "5e-324"),
            (1e20, "1e+20", "100000000000000000000"),
        ];
        for (f, g, j) in cases {
            assert_eq!(format_float_g(*f), *g, "g {f}");
            assert_eq!(format_float_json(*f), *j, "json {f}");
        }
    }

    #[test]
    fn quoting_and_v() {
        assert_eq!(quote("{\"x\"}\t中\u{7f}\u{200b}😀"), "\"{\\\"x\\\"}\\t中\\x7f\\u200b😀\"");
        let v = json!({"b": [1, 2.5, null, "x"], "a": {"c": true}});
        assert_eq!(sprint(&v), "map[a:map[c:true] b:[1 2.5 <nil> x]]");
        assert_eq!(
            sharp_v(&v),
            "map[string]interface {}{\"a\":map[string]interface {}{\"c\":true}, \"b\":[]interface {}{1, 2.5, interface {}(nil), \"x\"}}"
        );
    }
}
