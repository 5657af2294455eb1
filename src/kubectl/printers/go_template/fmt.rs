//! Go's `fmt` as templates reach it through `print`, `println` and `printf`: the verbs `%v %s %d %q
//! %x %X %o %b %c %U %e %E %f %F %g %G %t %T %%`, flags `- + # 0 space`, width and precision, and
//! Go's complaints inline (`%!d(string=x)`, `%!v(MISSING)`, `%!(EXTRA int=2)`, `%!(NOVERB)`).

use serde_json::Value;

use super::value::Val;
use crate::kubectl::printers::gofmt::{format_float_g, quote};

#[derive(Debug, Clone, Copy, Default)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    zero: bool,
    space: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// The most a width or precision may ask for: Go refuses larger ones as `%!(BADWIDTH)`.
const MAX_WIDTH: usize = 1_000_000;

/// `fmt.Sprint`: operands joined, with a space between two operands when neither is a string.
pub(crate) fn sprint(args: &[Val<'_>]) -> String {
    let mut out = String::new();
    let mut prev_string = true;
    for (i, a) in args.iter().enumerate() {
        let is_string = a.as_str().is_some();
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        out.push_str(&a.sprint());
        prev_string = is_string;
    }
    out
}

/// `fmt.Sprintln`: operands joined by spaces, then a newline.
pub(crate) fn sprintln(args: &[Val<'_>]) -> String {
    let mut out = args.iter().map(Val::sprint).collect::<Vec<_>>().join(" ");
    out.push('\n');
    out
}

/// `fmt.Sprintf`.
pub(crate) fn sprintf(format: &str, args: &[Val<'_>]) -> String {
    let mut out = String::new();
    let mut next = 0usize;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&f) = chars.peek() {
            match f {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                '#' => spec.sharp = true,
                '0' => spec.zero = !spec.minus,
                ' ' => spec.space = true,
                _ => break,
            }
            chars.next();
        }
        spec.width = number(&mut chars);
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.prec = Some(number(&mut chars).unwrap_or(0));
        }
        if spec.width.is_some_and(|w| w > MAX_WIDTH) || spec.prec.is_some_and(|p| p > MAX_WIDTH) {
            out.push_str("%!(BADWIDTH)");
            continue;
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        match args.get(next) {
            Some(arg) => {
                out.push_str(&format_arg(verb, &spec, arg));
                next += 1;
            }
            None => out.push_str(&format!("%!{verb}(MISSING)")),
        }
    }
    if next < args.len() {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args[next..].iter().map(|a| format!("{}={}", a.concrete_type(), a.sprint())).collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    out
}

fn number(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<usize> {
    let mut n: Option<usize> = None;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
        chars.next();
    }
    n
}

fn bad_verb(verb: char, arg: &Val<'_>) -> String {
    match arg.clone().unbox() {
        Val::Missing | Val::Nil => format!("%!{verb}(<nil>)"),
        v => format!("%!{verb}({}={})", v.type_name(), v.sprint()),
    }
}

fn pad(s: String, spec: &Spec, zero_ok: bool) -> String {
    let Some(width) = spec.width else { return s };
    let len = s.chars().count();
    if len >= width {
        return s;
    }
    let fill = width - len;
    if spec.minus {
        return format!("{s}{}", " ".repeat(fill));
    }
    if spec.zero && zero_ok {
        let (sign, digits) = match s.strip_prefix(['-', '+']) {
            Some(rest) => (&s[..1], rest),
            None => ("", s.as_str()),
        };
        return format!("{sign}{}{digits}", "0".repeat(fill));
    }
    format!("{}{s}", " ".repeat(fill))
}

fn format_arg(verb: char, spec: &Spec, arg: &Val<'_>) -> String {
    if verb == 'T' {
        let name = match arg.clone().unbox() {
            Val::Missing | Val::Nil => "<nil>",
            v => v.type_name(),
        };
        return pad(name.to_string(), spec, false);
    }
    match arg.clone().unbox() {
        Val::Missing | Val::Nil if verb == 'v' => pad("<nil>".into(), spec, false),
        Val::Missing | Val::Nil => bad_verb(verb, arg),
        Val::Bool(b) if matches!(verb, 'v' | 't') => pad(b.to_string(), spec, false),
        Val::Int(i) | Val::Int64(i) => int(verb, spec, i, arg),
        Val::Int32(i) => int(verb, spec, i64::from(i), arg),
        Val::Float(f) => float(verb, spec, f).unwrap_or_else(|| bad_verb(verb, arg)),
        Val::Str(s) => string(verb, spec, &s).unwrap_or_else(|| bad_verb(verb, arg)),
        Val::Map(v) | Val::List(v) | Val::Boxed(v) => composite(verb, spec, v),
        Val::Bool(_) => bad_verb(verb, arg),
    }
}

/// Maps and lists: the verb applies to each key and element.
fn composite(verb: char, spec: &Spec, v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}:{}", format_arg(verb, spec, &Val::Str(k.into())), composite(verb, spec, v)))
                .collect();
            format!("map[{}]", items.join(" "))
        }
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(|v| composite(verb, spec, v)).collect();
            format!("[{}]", items.join(" "))
        }
        scalar => format_arg(verb, spec, &Val::data(scalar)),
    }
}

fn int(verb: char, spec: &Spec, i: i64, arg: &Val<'_>) -> String {
    let abs = i.unsigned_abs();
    let mut digits = match verb {
        'v' | 'd' => abs.to_string(),
        'b' => format!("{abs:b}"),
        'o' | 'O' => format!("{abs:o}"),
        'x' => format!("{abs:x}"),
        'X' => format!("{abs:X}"),
        'c' => return pad(char::from_u32(i as u32).unwrap_or('\u{FFFD}').to_string(), spec, false),
        'q' => {
            let c = char::from_u32(i as u32).unwrap_or('\u{FFFD}');
            let q = quote(&c.to_string());
            let inner = q.get(1..q.len().saturating_sub(1)).unwrap_or("").replace("\\\"", "\"");
            let inner = if c == '\'' { "\\'".to_string() } else { inner };
            return pad(format!("'{inner}'"), spec, false);
        }
        'U' => return pad(format!("U+{:04X}", i), spec, false),
        _ => return bad_verb(verb, arg),
    };
    if let Some(p) = spec.prec
        && digits.len() < p
    {
        digits = format!("{}{digits}", "0".repeat(p - digits.len()));
    }
    let prefix = match (spec.sharp, verb) {
        (true, 'x') => "0x",
        (true, 'X') => "0X",
        (true, 'o') if !digits.starts_with('0') => "0",
        (true, 'b') => "0b",
        (_, 'O') => "0o",
        _ => "",
    };
    let sign = if i < 0 {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    pad(format!("{sign}{prefix}{digits}"), spec, spec.prec.is_none())
}

/// `%e` with `prec` digits after the point, in Go's form (`1.5e+03`).
fn exp_form(f: f64, prec: usize, upper: bool) -> String {
    let s = format!("{f:.prec$e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let e = if upper { 'E' } else { 'e' };
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mant}{e}{sign}{:02}", exp.unsigned_abs())
}

/// `%g` with a precision: significant digits, trailing zeros dropped.
fn g_form(f: f64, prec: usize, upper: bool) -> String {
    let p = prec.max(1);
    let e = format!("{f:.*e}", p - 1);
    let exp: i64 = e.split_once('e').and_then(|(_, x)| x.parse().ok()).unwrap_or(0);
    let trim = |s: String| {
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
    };
    if exp < -4 || exp >= p as i64 {
        let s = exp_form(f, p - 1, upper);
        let (mant, rest) = s.split_at(s.find(['e', 'E']).unwrap_or(s.len()));
        format!("{}{rest}", trim(mant.to_string()))
    } else {
        let decimals = (p as i64 - 1 - exp).max(0) as usize;
        trim(format!("{f:.decimals$}"))
    }
}

fn float(verb: char, spec: &Spec, f: f64) -> Option<String> {
    let body = if f.is_nan() {
        "NaN".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        match verb {
            'v' | 'g' | 'G' => match spec.prec {
                None if verb == 'G' => format_float_g(f).to_uppercase(),
                None => format_float_g(f),
                Some(p) => g_form(f, p, verb == 'G'),
            },
            'e' | 'E' => exp_form(f, spec.prec.unwrap_or(6), verb == 'E'),
            'f' | 'F' => format!("{f:.*}", spec.prec.unwrap_or(6)),
            _ => return None,
        }
    };
    let body = if spec.plus && !body.starts_with(['-', '+']) {
        format!("+{body}")
    } else if spec.space && !body.starts_with(['-', '+']) {
        format!(" {body}")
    } else if !spec.plus && body == "+Inf" {
        "+Inf".to_string()
    } else {
        body
    };
    Some(pad(body, spec, f.is_finite()))
}

fn string(verb: char, spec: &Spec, s: &str) -> Option<String> {
    let s: String = match spec.prec {
        Some(p) if verb != 'x' && verb != 'X' => s.chars().take(p).collect(),
        _ => s.to_string(),
    };
    let body = match verb {
        'v' | 's' => s,
        'q' => quote(&s),
        'x' => s.bytes().map(|b| format!("{b:02x}")).collect(),
        'X' => s.bytes().map(|b| format!("{b:02X}")).collect(),
        _ => return None,
    };
    Some(pad(body, spec, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn printf_like_go() {
        let args = [
            Val::Float(3.25159),
            Val::Str(Cow::Borrowed("a")),
            Val::Int(42),
            Val::Int(5),
            Val::Str(Cow::Borrowed("hi")),
            Val::Int(255),
            Val::Int(8),
            Val::Int(65),
            Val::Float(1234.5),
            Val::Float(0.000001),
        ];
        assert_eq!(
            sprintf("%6.2v|%-8q|%08d|%+d|%x|%X|%o|%c|%e|%g", &args),
            "   3.3|\"a\"     |00000042|+5|6869|FF|10|A|1.234500e+03|1e-06"
        );
        assert_eq!(sprintf("%v %v", &[Val::Int(1)]), "1 %!v(MISSING)");
        assert_eq!(sprintf("%v", &[Val::Int(1), Val::Int(2)]), "1%!(EXTRA int=2)");
        assert_eq!(sprintf("%s|%d", &[Val::Int64(1), Val::Missing]), "%!s(int64=1)|%!d(<nil>)");
        assert_eq!(
            sprint(&[Val::Int(1), Val::Int(2), Val::Str("a".into()), Val::Str("b".into()), Val::Int(3)]),
            "1 2ab3"
        );
    }
}
