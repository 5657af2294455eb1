//! go-yaml v2's implicit typing (`resolve.go`): whether a plain scalar would read back as something
//! other than a string — bool, null, int, float, timestamp — in which case the encoder quotes it.
//! YAML 1.1 rules as go-yaml implements them, including Go's `strconv` number syntax.

/// Words go-yaml resolves to bool, null or a special float (`resolveMap`). `<<` is listed upstream too
/// but can never be looked up, because `<` has no resolve hint.
const SPECIAL: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no", "No", "NO", "false",
    "False", "FALSE", "off", "Off", "OFF", "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf",
    ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
];

/// Whether go-yaml's `resolve("", s)` gives a tag other than `!!str`.
pub(crate) fn resolves_to_non_string(s: &str) -> bool {
    let hint = match s.as_bytes().first() {
        None => 'N',
        Some(b'+' | b'-') => 'S',
        Some(b'0'..=b'9') => 'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => 'M',
        Some(b'.') => '.',
        Some(_) => return false,
    };
    if SPECIAL.contains(&s) {
        return true;
    }
    match hint {
        '.' => go_parse_float(s),
        'D' | 'S' => {
            if is_timestamp(s) {
                return true;
            }
            let plain = s.replace('_', "");
            if go_parse_int(&plain) || is_yaml_style_float(&plain) && go_parse_float(&plain) {
                return true;
            }
            match plain.strip_prefix("-0b") {
                Some(bits) => !bits.is_empty() && bits.bytes().all(|b| b == b'0' || b == b'1') && bits.len() <= 64,
                None => false,
            }
        }
        _ => false,
    }
}

/// `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)` succeeds: optional sign, `0x`/`0o`/`0b`
/// prefix or a leading `0` for octal, in range.
fn go_parse_int(s: &str) -> bool {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, s.get(1..).unwrap_or("")),
        Some(b'-') => (true, s.get(1..).unwrap_or("")),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower.get(1..).unwrap_or(""))
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return false;
    }
    match u64::from_str_radix(digits, radix) {
        Ok(v) if neg => v <= 1u64 << 63,
        Ok(_) => true,
        Err(_) => false,
    }
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// `strconv.ParseFloat(s, 64)` succeeds for the decimal forms reaching it here (a leading `.` or the
/// YAML float pattern): Go's digit-separator underscores, and no overflow to infinity.
fn go_parse_float(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if lower.len() - unsigned.len() > 1 {
        return false;
    }
    if matches!(unsigned, "inf" | "infinity" | "nan") {
        return true;
    }
    if unsigned.starts_with("0x") {
        return false;
    }
    if s.contains('_') && !underscores_ok(unsigned) {
        return false;
    }
    let cleaned = unsigned.replace('_', "");
    let (mantissa, exp) = match cleaned.split_once('e') {
        Some((m, e)) => (m, Some(e)),
        None => (cleaned.as_str(), None),
    };
    let mantissa_ok = mantissa.chars().filter(|c| *c == '.').count() <= 1
        && mantissa.chars().any(|c| c.is_ascii_digit())
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.');
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    mantissa_ok && exp_ok && cleaned.parse::<f64>().is_ok_and(f64::is_finite)
}

/// Go's `underscoreOK` for a base-10 literal: each `_` sits between digits.
fn underscores_ok(s: &str) -> bool {
    let mut saw = '^';
    for c in s.chars() {
        if c.is_ascii_digit() {
            saw = '0';
        } else if c == '_' {
            if saw != '0' {
                return false;
            }
            saw = '_';
        } else {
            if saw == '_' {
                return false;
            }
            saw = '!';
        }
    }
    saw != '_'
}

/// go-yaml's `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$` (such strings are
/// quoted for YAML 1.1 parsers although go-yaml itself reads them as strings).
pub(crate) fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    if !s.contains(':') {
        return false;
    }
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) && i - start < 2 {
            i += 1;
        }
        match i - start {
            1 => {}
            2 if b.get(start).is_some_and(|c| (b'0'..=b'5').contains(c)) => {}
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// go-yaml's `parseTimestamp`: `time.Parse` with `2006-1-2T15:4:5.999999999Z07:00` (also lower-case
/// `t`), `2006-1-2 15:4:5.999999999` or `2006-1-2`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b.iter().take(4).all(u8::is_ascii_digit) || b.get(4) != Some(&b'-') {
        return false;
    }
    let mut p = Cursor { b, i: 5 };
    let year: u32 = b.iter().take(4).fold(0, |acc, d| acc * 10 + u32::from(d - b'0'));
    let Some(month) = p.num(1, 12) else {
        return false;
    };
    if !p.eat(b'-') {
        return false;
    }
    let Some(day) = p.num(1, 31) else {
        return false;
    };
    if day > days_in(month, year) {
        return false;
    }
    if p.done() {
        return true;
    }
    let sep = p.next();
    if !matches!(sep, Some(b'T' | b't' | b' ')) {
        return false;
    }
    if p.num(0, 23).is_none() || !p.eat(b':') || p.num(0, 59).is_none() || !p.eat(b':') || p.num(0, 59).is_none() {
        return false;
    }
    // An optional fraction: '.' or ',' followed by digits.
    if matches!(p.peek(), Some(b'.' | b',')) && p.b.get(p.i + 1).is_some_and(u8::is_ascii_digit) {
        p.i += 1;
        while p.peek().is_some_and(|c| c.is_ascii_digit()) {
            p.i += 1;
        }
    }
    if sep == Some(b' ') {
        return p.done();
    }
    match p.next() {
        Some(b'Z') => p.done(),
        Some(b'+' | b'-') => {
            let rest = p.b.get(p.i..).unwrap_or(&[]);
            rest.len() == 5
                && rest.get(2) == Some(&b':')
                && [0, 1, 3, 4].iter().all(|k| rest.get(*k).is_some_and(u8::is_ascii_digit))
                && two(rest, 0) <= 24
                && two(rest, 3) <= 60
        }
        _ => false,
    }
}

fn two(b: &[u8], at: usize) -> u32 {
    let d = |k: usize| b.get(k).map(|c| u32::from(c.wrapping_sub(b'0'))).unwrap_or(0);
    d(at) * 10 + d(at + 1)
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn next(&mut self) -> Option<u8> {
        let c = self.peek();
        self.i += 1;
        c
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn done(&self) -> bool {
        self.i >= self.b.len()
    }
    /// Go's `getnum(value, false)`: one or two digits, then a range check.
    fn num(&mut self, min: u32, max: u32) -> Option<u32> {
        let first = self.peek().filter(u8::is_ascii_digit)?;
        self.i += 1;
        let mut n = u32::from(first - b'0');
        if let Some(second) = self.peek().filter(u8::is_ascii_digit) {
            self.i += 1;
            n = n * 10 + u32::from(second - b'0');
        }
        (min..=max).contains(&n).then_some(n)
    }
}
