//! `perl`, as far as the Kubernetes documentation's Job example needs it: `perl -Mbignum=bpi -wle
//! "print bpi(2000)"` prints π to 2000 significant digits, rounded, as Math::BigFloat's `bpi` does.
//! A script is a list of `print` statements of string literals, numbers and `bpi(N)`; `-l` ends
//! each print with a newline; `bpi` exists only when imported (`-Mbignum=bpi`), else it is perl's
//! "Undefined subroutine" (exit 255). Anything else is reported as unsupported, never run wrong.

/// The most digits `bpi` computes: enough for any example, bounded so a hostile manifest cannot
/// keep the simulation busy.
const MAX_DIGITS: usize = 100_000;

/// What running perl printed and its exit status.
pub struct Run {
    pub output: String,
    pub status: i32,
}

/// Runs `perl` with `args` (the words after the command).
pub fn run(args: &[String]) -> Run {
    let mut script = Vec::new();
    let (mut newline, mut bpi) = (false, false);
    let mut words = args.iter();
    while let Some(a) = words.next() {
        if let Some(module) = a.strip_prefix("-M") {
            let (name, imports) = module.split_once('=').unwrap_or((module, ""));
            bpi |= matches!(name, "bignum" | "bigrat" | "bigfloat" | "Math::BigFloat")
                && imports.split(',').any(|i| i == "bpi");
            continue;
        }
        let Some(switches) = a.strip_prefix('-').filter(|s| !s.is_empty()) else {
            return error(&format!("Can't open perl script \"{a}\": No such file or directory\n"), 2);
        };
        for (i, c) in switches.char_indices() {
            match c {
                'l' => newline = true,
                'e' => {
                    let rest = &switches[i + 1..];
                    let line =
                        if rest.is_empty() { words.next().cloned().unwrap_or_default() } else { rest.to_string() };
                    script.push(line);
                    break;
                }
                _ => {}
            }
        }
    }
    let mut out = Run { output: String::new(), status: 0 };
    for statement in statements(&script.join("\n")) {
        let Some(list) = statement.strip_prefix("print").filter(|l| l.is_empty() || l.starts_with([' ', '('])) else {
            return unsupported(out, &statement);
        };
        let list = list.trim();
        let list = list.strip_prefix('(').and_then(|l| l.strip_suffix(')')).unwrap_or(list);
        for item in split_outside_quotes(list, ',') {
            match value(item.trim(), bpi) {
                Value::Text(t) => out.output.push_str(&t),
                Value::Undefined(name) => {
                    out.output.push_str(&format!("Undefined subroutine &main::{name} called at -e line 1.\n"));
                    out.status = 255;
                    return out;
                }
                Value::Unsupported => return unsupported(out, &statement),
            }
        }
        if newline {
            out.output.push('\n');
        }
    }
    out
}

fn error(message: &str, status: i32) -> Run {
    Run { output: message.to_string(), status }
}

fn unsupported(mut out: Run, statement: &str) -> Run {
    out.output.push_str(&format!("Kubarium's perl runs print statements only, not \"{statement}\" at -e line 1.\n"));
    out.status = 255;
    out
}

enum Value {
    Text(String),
    Undefined(String),
    Unsupported,
}

fn value(expr: &str, bpi_imported: bool) -> Value {
    if let Some(call) = expr.strip_prefix("bpi") {
        let Some(n) = call.trim().strip_prefix('(').and_then(|r| r.strip_suffix(')')) else {
            return Value::Unsupported;
        };
        if !bpi_imported {
            return Value::Undefined("bpi".to_string());
        }
        return match n.trim().parse::<usize>() {
            Ok(n) if n <= MAX_DIGITS => Value::Text(pi(n.max(1))),
            _ => Value::Unsupported,
        };
    }
    if let Some(s) = expr.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return Value::Text(s.to_string());
    }
    if let Some(s) = expr.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return Value::Text(s.replace("\\n", "\n").replace("\\t", "\t"));
    }
    if !expr.is_empty() && expr.parse::<f64>().is_ok() {
        return Value::Text(expr.to_string());
    }
    Value::Unsupported
}

/// The script's statements: split at `;` and newlines outside quotes.
fn statements(script: &str) -> Vec<String> {
    split_outside_quotes(script, ';')
        .into_iter()
        .flat_map(|s| s.split('\n'))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let (mut parts, mut start, mut quote) = (Vec::new(), 0, None);
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == separator => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            None => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Fixed-point limbs of 10⁹, most significant first; the first limb is the integer part.
const BASE: u64 = 1_000_000_000;

/// π to `digits` significant digits, the last rounded: Machin's 16·atan(1/5) − 4·atan(1/239).
fn pi(digits: usize) -> String {
    let limbs = (digits + 20) / 9 + 2;
    let mut sum = atan_inv(5, limbs);
    multiply(&mut sum, 16);
    let mut minus = atan_inv(239, limbs);
    multiply(&mut minus, 4);
    subtract(&mut sum, &minus);
    let mut decimal: Vec<u8> = sum[0].to_string().into_bytes();
    for limb in &sum[1..] {
        decimal.extend(format!("{limb:09}").bytes());
    }
    let round_up = decimal[digits] >= b'5';
    decimal.truncate(digits);
    if round_up {
        for d in decimal.iter_mut().rev() {
            if *d == b'9' {
                *d = b'0';
            } else {
                *d += 1;
                break;
            }
        }
    }
    let text = String::from_utf8(decimal).unwrap_or_default();
    match text.split_at_checked(1) {
        Some((int, frac)) if !frac.is_empty() => format!("{int}.{frac}"),
        _ => text,
    }
}

/// atan(1/x) = Σ (−1)ᵏ / ((2k+1)·x²ᵏ⁺¹), summed until the terms vanish at this precision.
fn atan_inv(x: u64, limbs: usize) -> Vec<u64> {
    let mut power = vec![0; limbs];
    power[0] = 1;
    divide(&mut power, x);
    let mut sum = power.clone();
    let mut k = 1;
    while power.iter().any(|&l| l != 0) {
        divide(&mut power, x * x);
        let mut term = power.clone();
        divide(&mut term, 2 * k + 1);
        if k % 2 == 1 {
            subtract(&mut sum, &term);
        } else {
            add(&mut sum, &term);
        }
        k += 1;
    }
    sum
}

fn divide(n: &mut [u64], d: u64) {
    let mut rem = 0;
    for limb in n.iter_mut() {
        let cur = rem * BASE + *limb;
        *limb = cur / d;
        rem = cur % d;
    }
}

fn multiply(n: &mut [u64], m: u64) {
    let mut carry = 0;
    for limb in n.iter_mut().rev() {
        let cur = *limb * m + carry;
        *limb = cur % BASE;
        carry = cur / BASE;
    }
}

fn add(a: &mut [u64], b: &[u64]) {
    let mut carry = 0;
    for (x, y) in a.iter_mut().zip(b).rev() {
        let cur = *x + y + carry;
        *x = cur % BASE;
        carry = cur / BASE;
    }
}

fn subtract(a: &mut [u64], b: &[u64]) {
    let mut borrow = 0;
    for (x, y) in a.iter_mut().zip(b).rev() {
        let sub = y + borrow;
        if *x >= sub {
            *x -= sub;
            borrow = 0;
        } else {
            *x = *x + BASE - sub;
            borrow = 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perl(args: &[&str]) -> Run {
        run(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    /// Values perl 5.36's `perl -Mbignum=bpi -wle "print bpi(N)"` printed.
    #[test]
    fn bpi_rounds_to_n_significant_digits_as_math_bigfloat_does() {
        for (n, want) in [(1, "3"), (2, "3.1"), (3, "3.14"), (5, "3.1416"), (10, "3.141592654")] {
            assert_eq!(pi(n), want);
        }
        assert_eq!(
            pi(100),
            "3.141592653589793238462643383279502884197169399375105820974944592307816406286208998628034825342117068"
        );
    }

    /// The documentation's Job: 2001 characters, ending as Python's exact integer Machin sum does.
    #[test]
    fn the_job_example_prints_two_thousand_digits() {
        let r = perl(&["-Mbignum=bpi", "-wle", "print bpi(2000)"]);
        assert_eq!(r.status, 0);
        assert_eq!(r.output.len(), 2002);
        assert!(r.output.starts_with("3.14159265358979323846"));
        assert!(r.output.ends_with("908658326459958133904780275901\n"));
    }

    #[test]
    fn prints_literals_and_fails_as_perl_on_what_it_lacks() {
        assert_eq!(perl(&["-le", "print \"hi\"; print 'a', 'b'"]).output, "hi\nab\n");
        assert_eq!(perl(&["-e", "print 42"]).output, "42");
        let undefined = perl(&["-wle", "print bpi(5)"]);
        assert_eq!(
            (undefined.output.as_str(), undefined.status),
            ("Undefined subroutine &main::bpi called at -e line 1.\n", 255)
        );
        let no_script = perl(&["pi.pl"]);
        assert_eq!(
            (no_script.output.as_str(), no_script.status),
            ("Can't open perl script \"pi.pl\": No such file or directory\n", 2)
        );
        assert_eq!(perl(&["-e", "system('ls')"]).status, 255);
        assert_eq!(perl(&["-Mbignum=bpi", "-e", "print bpi(1000000000)"]).status, 255);
        assert_eq!(perl(&[]).status, 0);
    }
}
