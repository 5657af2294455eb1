//! The commands a simulated container can run, as busybox words them: `echo`, `printf`, `sleep`,
//! `exit`, `true`/`false`/`:`, `printenv`/`env`, `hostname`, `date`, `cat`, `seq`, `test`/`[`,
//! `export`, `trap`, nested `sh -c`, and the harmless no-ops of start-up scripts. Network tools go to
//! the surroundings' network when there is one; anything else is `sh: <cmd>: not found` (127).

use super::machine::{Machine, Surroundings};
use crate::sim::Duration;
use crate::sim::duration::parse_sleep;

/// What a command did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Status(i32),
    /// Sleeps this long, then succeeds.
    Sleep(Duration),
    /// Exits the (innermost) shell.
    Exit(i32),
}

/// `sleep infinity`: a hundred years.
const FOREVER: Duration = Duration::from_secs(100 * 365 * 86_400);

/// Shells a container may name.
pub fn is_shell(cmd: &str) -> bool {
    matches!(cmd.rsplit('/').next().unwrap_or(cmd), "sh" | "bash" | "ash" | "dash" | "zsh")
}

/// Commands this module knows, for the runtime to tell a runnable command from a missing binary.
pub fn is_known(cmd: &str) -> bool {
    let base = cmd.rsplit('/').next().unwrap_or(cmd);
    is_shell(base)
        || matches!(
            base,
            "echo"
                | "printf"
                | "sleep"
                | "exit"
                | "true"
                | "false"
                | ":"
                | "printenv"
                | "env"
                | "hostname"
                | "date"
                | "cat"
                | "seq"
                | "touch"
                | "rm"
                | "test"
                | "["
                | "export"
                | "trap"
                | "cd"
                | "set"
                | "wait"
                | "read"
                | "ls"
                | "pwd"
                | "whoami"
                | "uname"
                | "perl"
        )
}

pub fn run(m: &mut Machine, argv: &[String], env: &Surroundings) -> Outcome {
    let Some(cmd) = argv.first() else { return Outcome::Status(0) };
    let args = &argv[1..];
    let base = cmd.rsplit('/').next().unwrap_or(cmd);
    match base {
        "echo" => {
            let (mut newline, mut escapes, mut rest) = (true, false, args);
            while let Some(flag) = rest.first().filter(|a| matches!(a.as_str(), "-n" | "-e" | "-ne" | "-en")) {
                newline &= !flag.contains('n');
                escapes |= flag.contains('e');
                rest = &rest[1..];
            }
            let mut text = rest.join(" ");
            if escapes {
                text = text.replace("\\n", "\n").replace("\\t", "\t");
            }
            if newline {
                text.push('\n');
            }
            m.write(&text);
            Outcome::Status(0)
        }
        "printf" => {
            let Some(fmt) = args.first() else {
                m.write("printf: usage: printf FORMAT [ARGUMENT]...\n");
                return Outcome::Status(1);
            };
            let text = printf(fmt, &args[1..]);
            m.write(&text);
            Outcome::Status(0)
        }
        "sleep" => {
            if args.is_empty() {
                m.write("sleep: missing operand\n");
                return Outcome::Status(1);
            }
            let mut total = Duration::ZERO;
            for a in args {
                if a == "infinity" || a == "inf" {
                    return Outcome::Sleep(FOREVER);
                }
                match parse_sleep(a) {
                    Ok(d) => total = Duration::from_millis(total.as_millis().saturating_add(d.as_millis())),
                    Err(_) => {
                        m.write(&format!("sleep: invalid number '{a}'\n"));
                        return Outcome::Status(1);
                    }
                }
            }
            Outcome::Sleep(total)
        }
        "exit" => match args.first() {
            None => Outcome::Exit(m.status),
            Some(a) => match a.parse::<i64>() {
                Ok(n) => Outcome::Exit((n & 0xff) as i32),
                Err(_) => {
                    let shell = m.shell.clone();
                    m.write(&format!("{shell}: exit: Illegal number: {a}\n"));
                    Outcome::Exit(2)
                }
            },
        },
        "true" | ":" | "cd" | "set" | "wait" => Outcome::Status(0),
        "false" | "read" => Outcome::Status(1),
        "pwd" => {
            m.write("/\n");
            Outcome::Status(0)
        }
        "whoami" => {
            m.write("root\n");
            Outcome::Status(0)
        }
        "uname" => {
            m.write(if args.iter().any(|a| a == "-a") {
                "Linux 6.8.0-88-generic #88-Ubuntu SMP x86_64 GNU/Linux\n"
            } else {
                "Linux\n"
            });
            Outcome::Status(0)
        }
        "ls" => Outcome::Status(0),
        "perl" => {
            let run = super::perl::run(args);
            m.write(&run.output);
            Outcome::Status(run.status)
        }
        "printenv" | "env" => {
            if let Some(name) = args.first().filter(|_| base == "printenv") {
                return match m.vars.get(name).cloned() {
                    Some(v) => {
                        m.write(&format!("{v}\n"));
                        Outcome::Status(0)
                    }
                    None => Outcome::Status(1),
                };
            }
            let all: String = m.vars.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
            m.write(&all);
            Outcome::Status(0)
        }
        "hostname" => {
            m.write(&format!("{}\n", env.hostname));
            Outcome::Status(0)
        }
        "date" => {
            m.write(&format!("{}\n", date(env.now_unix_ms)));
            Outcome::Status(0)
        }
        "cat" => {
            let mut status = 0;
            for f in args {
                if f == "/etc/hostname" {
                    m.write(&format!("{}\n", env.hostname));
                } else if let Some(text) = env.net.filter(|_| f == "/etc/resolv.conf").and_then(|n| n.resolv_conf()) {
                    m.write(&text);
                } else if m.files.contains(f.as_str()) {
                    // An empty file.
                } else {
                    m.write(&format!("cat: can't open '{f}': No such file or directory\n"));
                    status = 1;
                }
            }
            Outcome::Status(status)
        }
        "touch" => {
            for f in args.iter().filter(|a| !a.starts_with('-')) {
                m.files.insert(f.clone());
            }
            Outcome::Status(0)
        }
        "rm" => {
            let mut status = 0;
            let force = args.iter().any(|a| a.starts_with('-') && a.contains('f'));
            for f in args.iter().filter(|a| !a.starts_with('-')) {
                if !m.files.remove(f.as_str()) && !force {
                    m.write(&format!("rm: can't remove '{f}': No such file or directory\n"));
                    status = 1;
                }
            }
            Outcome::Status(status)
        }
        "seq" => {
            let nums: Vec<i64> = args.iter().filter_map(|a| a.parse().ok()).collect();
            let (first, last) = match nums.as_slice() {
                [last] => (1, *last),
                [first, last, ..] => (*first, *last),
                _ => return Outcome::Status(1),
            };
            let text: String = (first..=last).take(10_000).map(|i| format!("{i}\n")).collect();
            m.write(&text);
            Outcome::Status(0)
        }
        "test" | "[" => {
            let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
            if base == "[" {
                if a.last() != Some(&"]") {
                    m.write("sh: [: missing ]\n");
                    return Outcome::Status(2);
                }
                a.pop();
            }
            if let ["-f" | "-e", path] = a.as_slice() {
                return Outcome::Status(if m.files.contains(*path) { 0 } else { 1 });
            }
            Outcome::Status(if test(&a) { 0 } else { 1 })
        }
        "export" => {
            for a in args {
                if let Some((k, v)) = a.split_once('=') {
                    m.vars.insert(k.to_string(), v.to_string());
                }
            }
            Outcome::Status(0)
        }
        "trap" => {
            if let [handler, signals @ ..] = args
                && signals.iter().any(|s| matches!(s.as_str(), "TERM" | "SIGTERM" | "15"))
            {
                m.term_trap = Some(handler.clone());
            }
            Outcome::Status(0)
        }
        _ if is_shell(base) => match args.iter().position(|a| a == "-c") {
            Some(i) => {
                let script = args.get(i + 1).cloned().unwrap_or_default();
                match super::parse::compile(&script) {
                    Ok(prog) => {
                        m.call(prog);
                        Outcome::Status(0)
                    }
                    Err(e) => {
                        m.write(&format!("{base}: -c: line 1: {e}\n"));
                        Outcome::Status(2)
                    }
                }
            }
            // No script and no stdin: the shell reads end-of-file and exits.
            None => Outcome::Status(0),
        },
        _ => {
            if let Some(out) = env.net.and_then(|n| n.run(argv)) {
                m.write(&out.text);
                return Outcome::Status(out.status);
            }
            let shell = m.shell.clone();
            m.write(&format!("{shell}: {cmd}: not found\n"));
            Outcome::Status(127)
        }
    }
}

fn printf(fmt: &str, args: &[String]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            },
            '%' => match chars.next() {
                Some('%') => out.push('%'),
                Some('s') | Some('d') => out.push_str(args.next().map(String::as_str).unwrap_or("")),
                Some(o) => {
                    out.push('%');
                    out.push(o);
                }
                None => out.push('%'),
            },
            c => out.push(c),
        }
    }
    out
}

fn test(a: &[&str]) -> bool {
    match a {
        [] => false,
        ["!", rest @ ..] => !test(rest),
        [s] => !s.is_empty(),
        ["-n", s] => !s.is_empty(),
        ["-z", s] => s.is_empty(),
        ["-f" | "-e" | "-d", _] => false,
        [x, "=" | "==", y] => x == y,
        [x, "!=", y] => x != y,
        [x, op, y] => {
            let (Ok(x), Ok(y)) = (x.parse::<i64>(), y.parse::<i64>()) else { return false };
            match *op {
                "-eq" => x == y,
                "-ne" => x != y,
                "-lt" => x < y,
                "-le" => x <= y,
                "-gt" => x > y,
                "-ge" => x >= y,
                _ => false,
            }
        }
        _ => false,
    }
}

/// `$((expr))` over integers and variables with `+ - * / %` and the usual precedence; anything it
/// cannot read counts as 0, and division by zero gives 0 rather than a crash.
pub fn arith(m: &Machine, expr: &str) -> i64 {
    let mut terms: Vec<(char, i64)> = Vec::new();
    let mut tokens = Vec::new();
    let mut cur = String::new();
    for c in expr.chars() {
        if "+-*/%".contains(c) {
            tokens.push(std::mem::take(&mut cur));
            tokens.push(c.to_string());
        } else if !c.is_whitespace() {
            cur.push(c);
        }
    }
    tokens.push(cur);
    let value = |t: &str| -> i64 {
        let t = t.trim_start_matches('$');
        t.parse().unwrap_or_else(|_| m.lookup(t).trim().parse().unwrap_or(0))
    };
    // First pass: * / % bind tighter.
    let mut op = '+';
    let mut it = tokens.iter();
    while let Some(t) = it.next() {
        let mut v = value(t);
        while let Some(next) = it.clone().next().filter(|n| matches!(n.as_str(), "*" | "/" | "%")) {
            it.next();
            let rhs = it.next().map(|r| value(r)).unwrap_or(0);
            v = match next.as_str() {
                "*" => v.wrapping_mul(rhs),
                "/" => v.checked_div(rhs).unwrap_or(0),
                _ => v.checked_rem(rhs).unwrap_or(0),
            };
        }
        terms.push((op, v));
        op = match it.next().map(String::as_str) {
            Some("-") => '-',
            _ => '+',
        };
    }
    terms.iter().fold(0i64, |s, (op, v)| if *op == '-' { s.wrapping_sub(*v) } else { s.wrapping_add(*v) })
}

/// busybox `date`: `Thu Jan  1 00:00:00 UTC 2026`.
pub fn date(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, mo, d) = civil(days);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        [(mo as usize).saturating_sub(1).min(11)];
    format!("{weekday} {month} {d:>2} {:02}:{:02}:{:02} UTC {y}", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's civil-from-days.
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_tests() {
        assert_eq!(date(1_767_225_600_000), "Thu Jan  1 00:00:00 UTC 2026");
        assert_eq!(date(1_767_225_600_000 + 45 * 86_400_000 + 3_723_000), "Sun Feb 15 01:02:03 UTC 2026");
        assert!(test(&["a", "=", "a"]));
        assert!(test(&["3", "-gt", "2"]));
        assert!(!test(&["-z", "x"]));
        assert_eq!(printf("%s-%d\\n", &["a".into(), "1".into()]), "a-1\n");
    }
}
