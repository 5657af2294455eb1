//! The text filters people pipe kubectl into when they follow tutorials: `grep`, `head`, `tail` and
//! `wc`. Each reads its standard input only (there is no file system) and answers as GNU coreutils
//! and grep do, for the options tutorials use.

use crate::kubectl::Output;

/// Options shared by the filters' error messages.
fn usage_error(program: &str, message: &str, out: &mut Output) {
    out.err(format!("{program}: {message}\nTry '{program} --help' for more information.\n"));
    out.exit_code = 2;
}

/// `grep [-i] [-v] [-c] [-n] [-w] [-E|-F] [-A N] [-B N] [-C N] PATTERN`: fixed-string matching (the
/// patterns tutorials use are plain words); `-E` accepts `a|b` alternatives; context lines as GNU grep
/// prints them, groups separated by `--`.
pub fn grep(args: &[String], stdin: Option<&str>, out: &mut Output) {
    let (mut ignore_case, mut invert, mut count, mut numbers, mut words) = (false, false, false, false, false);
    let mut pattern: Option<&str> = None;
    let mut alternatives = false;
    let (mut after, mut before) = (0usize, 0usize);
    // Any context flag, even `-A 0`, separates groups with `--`, as GNU grep does.
    let mut context = false;
    let mut args = args.iter();
    while let Some(a) = args.next() {
        match a.strip_prefix('-').filter(|f| !f.is_empty() && pattern.is_none()) {
            Some(flags) if flags.starts_with(['A', 'B', 'C']) => {
                let (which, inline) = flags.split_at(1);
                let value = if inline.is_empty() { args.next().map(String::as_str) } else { Some(inline) };
                let Some(n) = value.and_then(|v| v.parse::<usize>().ok()) else {
                    return usage_error(
                        "grep",
                        &format!("{}: invalid context length argument", value.unwrap_or("")),
                        out,
                    );
                };
                context = true;
                match which {
                    "A" => after = n,
                    "B" => before = n,
                    _ => (after, before) = (n, n),
                }
            }
            Some(flags) if !flags.starts_with('-') => {
                for c in flags.chars() {
                    match c {
                        'i' => ignore_case = true,
                        'v' => invert = true,
                        'c' => count = true,
                        'n' => numbers = true,
                        'w' => words = true,
                        'E' => alternatives = true,
                        'F' => alternatives = false,
                        other => return usage_error("grep", &format!("invalid option -- '{other}'"), out),
                    }
                }
            }
            _ if pattern.is_none() => pattern = Some(a),
            _ => return usage_error("grep", &format!("{a}: No such file or directory"), out),
        }
    }
    let Some(pattern) = pattern else {
        out.err("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
        out.exit_code = 2;
        return;
    };
    let fold = |s: &str| if ignore_case { s.to_lowercase() } else { s.to_string() };
    let needles: Vec<String> = if alternatives { pattern.split('|').map(fold).collect() } else { vec![fold(pattern)] };
    let found = |line: &str| {
        let hay = fold(line);
        needles.iter().any(|n| if words { contains_word(&hay, n) } else { hay.contains(n.as_str()) })
    };
    let lines: Vec<&str> = stdin.unwrap_or("").lines().collect();
    let hits: Vec<bool> = lines.iter().map(|l| found(l) != invert).collect();
    let matched = hits.iter().filter(|h| **h).count();
    // Which lines print: the matches and their context; `--` between groups that do not touch.
    let mut shown = vec![false; lines.len()];
    for (i, _) in hits.iter().enumerate().filter(|(_, h)| **h) {
        let end = (i + after).min(lines.len().saturating_sub(1));
        shown[i.saturating_sub(before)..=end].iter_mut().for_each(|s| *s = true);
    }
    let mut text = String::new();
    let mut last: Option<usize> = None;
    for (i, line) in lines.iter().enumerate().filter(|(i, _)| shown[*i] && !count) {
        if context && last.is_some_and(|l| l + 1 < i) {
            text.push_str("--\n");
        }
        if numbers {
            text.push_str(&format!("{}{}", i + 1, if hits[i] { ':' } else { '-' }));
        }
        text.push_str(line);
        text.push('\n');
        last = Some(i);
    }
    if count {
        text = format!("{matched}\n");
    }
    out.out(text);
    out.exit_code = if matched > 0 { 0 } else { 1 };
}

/// Whether `needle` occurs in `hay` with no word character on either side.
fn contains_word(hay: &str, needle: &str) -> bool {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    hay.match_indices(needle)
        .any(|(at, m)| !is_word(hay[..at].chars().next_back()) && !is_word(hay[at + m.len()..].chars().next()))
}

/// `head [-n N | -N]` and `tail [-n N | -N | -n +N]`.
pub fn head_tail(program: &str, args: &[String], stdin: Option<&str>, out: &mut Output) {
    let mut n: Option<&str> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "-n" {
            i += 1;
            match args.get(i) {
                Some(v) => n = Some(v),
                None => return usage_error(program, "option requires an argument -- 'n'", out),
            }
        } else if let Some(v) = a.strip_prefix("-n").or_else(|| a.strip_prefix("--lines=")) {
            n = Some(v);
        } else if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| c.is_ascii_digit()) {
            n = Some(&a[1..]);
        } else {
            out.err(format!("{program}: cannot open '{a}' for reading: No such file or directory\n"));
            out.exit_code = 1;
            return;
        }
        i += 1;
    }
    let spec = n.unwrap_or("10");
    let from_start = program == "tail" && spec.starts_with('+');
    let Ok(count) = spec.trim_start_matches('+').parse::<usize>() else {
        out.err(format!("{program}: invalid number of lines: '{spec}'\n"));
        out.exit_code = 1;
        return;
    };
    let lines: Vec<&str> = stdin.unwrap_or("").lines().collect();
    let chosen: &[&str] = match (program, from_start) {
        ("head", _) => &lines[..count.min(lines.len())],
        (_, true) => &lines[count.saturating_sub(1).min(lines.len())..],
        _ => &lines[lines.len().saturating_sub(count)..],
    };
    out.out(chosen.iter().map(|l| format!("{l}\n")).collect::<String>());
}

/// `wc [-l] [-w] [-c]`: counts as coreutils prints them for standard input.
pub fn wc(args: &[String], stdin: Option<&str>, out: &mut Output) {
    let text = stdin.unwrap_or("");
    let lines = text.matches('\n').count();
    let words = text.split_whitespace().count();
    let bytes = text.len();
    let mut wanted = Vec::new();
    for a in args {
        match a.as_str() {
            "-l" | "--lines" => wanted.push(lines),
            "-w" | "--words" => wanted.push(words),
            "-c" | "--bytes" => wanted.push(bytes),
            other => return usage_error("wc", &format!("invalid option -- '{}'", other.trim_start_matches('-')), out),
        }
    }
    if wanted.is_empty() {
        out.out(format!("{lines:>7} {words:>7} {bytes:>7}\n"));
    } else if let [one] = wanted.as_slice() {
        out.out(format!("{one}\n"));
    } else {
        out.out(wanted.iter().map(|v| format!("{v:>7}")).collect::<Vec<_>>().join(" ") + "\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: impl Fn(&[String], Option<&str>, &mut Output), args: &[&str], input: &str) -> (String, i32) {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let mut out = Output::default();
        f(&args, Some(input), &mut out);
        (out.stdout() + &out.stderr(), out.exit_code)
    }

    const TABLE: &str = "NAME   READY\nweb-1  1/1\nweb-2  0/1\ndb-0   1/1\n";

    #[test]
    fn grep_selects_lines_and_sets_status() {
        assert_eq!(run(grep, &["web"], TABLE), ("web-1  1/1\nweb-2  0/1\n".into(), 0));
        assert_eq!(run(grep, &["-v", "web"], TABLE), ("NAME   READY\ndb-0   1/1\n".into(), 0));
        assert_eq!(run(grep, &["-ic", "NAME"], TABLE), ("1\n".into(), 0));
        assert_eq!(run(grep, &["-E", "db|NAME"], TABLE), ("NAME   READY\ndb-0   1/1\n".into(), 0));
        assert_eq!(run(grep, &["-w", "web"], "web-1\nwebby\n"), ("web-1\n".into(), 0));
        assert_eq!(run(grep, &["nope"], TABLE).1, 1);
        assert_eq!(run(grep, &["-A1", "web-1"], TABLE).0, "web-1  1/1\nweb-2  0/1\n");
        assert_eq!(run(grep, &["-B", "1", "-n", "db"], TABLE).0, "3-web-2  0/1\n4:db-0   1/1\n");
        assert_eq!(run(grep, &["-A", "0", "web"], "web\nx\nweb\n").0, "web\n--\nweb\n");
        assert_eq!(run(grep, &["-A", "x", "web"], TABLE).1, 2);
        assert_eq!(run(grep, &["-q"], TABLE).1, 2);
        assert_eq!(run(grep, &[], TABLE).1, 2);
    }

    #[test]
    fn head_tail_and_wc_count_like_coreutils() {
        let h = |a: &[String], i: Option<&str>, o: &mut Output| head_tail("head", a, i, o);
        let t = |a: &[String], i: Option<&str>, o: &mut Output| head_tail("tail", a, i, o);
        assert_eq!(run(h, &["-n", "1"], TABLE).0, "NAME   READY\n");
        assert_eq!(run(h, &["-2"], TABLE).0, "NAME   READY\nweb-1  1/1\n");
        assert_eq!(run(t, &["-n1"], TABLE).0, "db-0   1/1\n");
        assert_eq!(run(t, &["-n", "+2"], TABLE).0, "web-1  1/1\nweb-2  0/1\ndb-0   1/1\n");
        assert_eq!(run(t, &["-n", "x"], TABLE), ("tail: invalid number of lines: 'x'\n".into(), 1));
        assert_eq!(run(wc, &["-l"], TABLE).0, "4\n");
        assert_eq!(run(wc, &[], "a b\nc\n").0, "      2       3       6\n");
    }
}
