//! `-o yaml`: sigs.k8s.io/yaml's `Marshal`, which kubectl's YAMLPrinter calls. That is Go's
//! `json.Marshal`, then go-yaml v2 *parsing* that JSON back (so numbers get YAML 1.1 types, a raw NEL
//! inside a string folds like a YAML line break, and characters the YAML reader refuses make the whole
//! print fail), then go-yaml v2 emitting it: keys in go-yaml's natural order, each string in the style
//! go-yaml's encoder picks (plain unless it would read back as another type, literal `|` blocks for
//! multi-line text, quotes when plain cannot hold it), folding long lines at column 80.

use std::cmp::Ordering;
use std::fmt;

use serde_json::{Map, Number, Value};

use super::gofmt::{format_float_g, format_float_json};
use super::yaml_emitter::{Emitter, Node, Style};
use super::yaml_resolve::{is_base60_float, resolves_to_non_string};

/// Why go-yaml refused the document; kubectl prints `error: ` and this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YamlError {
    /// A string holds a character YAML cannot carry raw and JSON does not escape (DEL, C1 controls,
    /// U+FFFE, U+FFFF).
    ControlCharacters,
    /// After a NEL line break, a string continued with `--- ` or `... `, which the YAML scanner reads
    /// as a document marker. `line` is the 1-based line of the JSON text the scanner was on.
    DocumentIndicator { line: usize },
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            YamlError::ControlCharacters => write!(f, "yaml: control characters are not allowed"),
            YamlError::DocumentIndicator { line } => {
                write!(f, "yaml: line {line}: found unexpected document indicator")
            }
        }
    }
}

impl std::error::Error for YamlError {}

/// kubectl's YAML for one object, as `kubectl get -o yaml` prints it (without the `---` separator
/// kubectl writes between several objects).
pub fn to_yaml(value: &Value) -> Result<String, YamlError> {
    let mut lines = 0usize;
    let node = build(value, &mut lines)?;
    Ok(Emitter::document(&node))
}

fn build(value: &Value, lines: &mut usize) -> Result<Node, YamlError> {
    Ok(match value {
        Value::Null => Node::Scalar("null".to_string(), Style::Plain),
        Value::Bool(b) => Node::Scalar(b.to_string(), Style::Plain),
        Value::Number(n) => Node::Scalar(yaml_number(n), Style::Plain),
        Value::String(s) => string_node(reparse_json_string(s, lines)?),
        Value::Array(items) => Node::Seq(items.iter().map(|v| build(v, lines)).collect::<Result<_, _>>()?),
        Value::Object(map) => Node::Map(build_map(map, lines)?),
    })
}

fn build_map(map: &Map<String, Value>, lines: &mut usize) -> Result<Vec<(Node, Node)>, YamlError> {
    // The JSON text (and so the scanner's line count) has Go's sorted key order.
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let mut built = Vec::with_capacity(entries.len());
    for (k, v) in entries {
        let key = reparse_json_string(k, lines)?;
        let value = build(v, lines)?;
        built.push((key, value));
    }
    built.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    Ok(built.into_iter().map(|(k, v)| (string_node(k), v)).collect())
}

/// The style go-yaml's encoder (`stringv`) requests for a string.
fn string_node(s: String) -> Node {
    let style = if s.contains('\n') {
        Style::Literal
    } else if resolves_to_non_string(&s) || is_base60_float(&s) {
        Style::DoubleQuoted
    } else {
        Style::Plain
    };
    Node::Scalar(s, style)
}

/// A JSON number after the round trip: JSON text as Go writes it, read back by go-yaml as int, uint or
/// float, and printed again (`1.0` → `1`, `1234567.5` → `1.2345675e+06`, `-0.0` → `0`).
fn yaml_number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    let text = format_float_json(f);
    if !text.contains(['.', 'e', 'E']) {
        if let Ok(i) = text.parse::<i64>() {
            return i.to_string();
        }
        if let Ok(u) = text.parse::<u64>() {
            return u.to_string();
        }
    }
    format_float_g(f)
}

/// What go-yaml's scanner makes of a Go-JSON-encoded string. Go escapes every control character
/// except DEL and C1, and no line break except NEL (U+0085): the reader rejects the former, and the
/// double-quoted scanner folds NEL runs like YAML line breaks (one break → a space, n breaks → n−1
/// newlines, spaces around them dropped).
fn reparse_json_string(s: &str, lines: &mut usize) -> Result<String, YamlError> {
    let forbidden = |c: char| matches!(c as u32, 0x7F..=0x84 | 0x86..=0x9F | 0xFFFE | 0xFFFF);
    if s.chars().any(forbidden) {
        return Err(YamlError::ControlCharacters);
    }
    if !s.contains('\u{85}') {
        return Ok(s.to_string());
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    loop {
        while let Some(&c) = chars.get(i) {
            if c == ' ' || c == '\u{85}' {
                break;
            }
            out.push(c);
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut whitespace = String::new();
        let mut leading_blanks = false;
        let mut trailing_breaks = 0usize;
        let mut last_was_break = false;
        while let Some(&c) = chars.get(i) {
            if c == ' ' {
                if !leading_blanks {
                    whitespace.push(' ');
                }
                last_was_break = false;
            } else if c == '\u{85}' {
                *lines += 1;
                if leading_blanks {
                    trailing_breaks += 1;
                } else {
                    whitespace.clear();
                    leading_blanks = true;
                }
                last_was_break = true;
            } else {
                break;
            }
            i += 1;
        }
        if leading_blanks {
            if trailing_breaks == 0 {
                out.push(' ');
            } else {
                out.extend(std::iter::repeat_n('\n', trailing_breaks));
            }
        } else {
            out.push_str(&whitespace);
        }
        if last_was_break {
            // At column 0 the scanner checks for a document marker.
            let rest = chars.get(i..).unwrap_or(&[]);
            let marker = rest.starts_with(&['-', '-', '-']) || rest.starts_with(&['.', '.', '.']);
            if marker && matches!(rest.get(3), Some(' ' | '\u{85}')) {
                return Err(YamlError::DocumentIndicator { line: *lines + 1 });
            }
        }
    }
    Ok(out)
}

/// go-yaml's `keyList.Less` for string keys: letters sort after non-letters, digit runs compare by
/// numeric value, otherwise by code point.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    if natural_less(a, b) {
        Ordering::Less
    } else if natural_less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

fn natural_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let digit = |c: char| c.is_ascii_digit();
    for i in 0..ar.len().min(br.len()) {
        let (Some(&ac), Some(&bc)) = (ar.get(i), br.get(i)) else {
            break;
        };
        if ac == bc {
            continue;
        }
        let al = ac.is_alphabetic();
        let bl = bc.is_alphabetic();
        if al && bl {
            return ac < bc;
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ac == '0' || bc == '0' {
            let mut j = i;
            while j > 0 {
                j -= 1;
                match ar.get(j) {
                    Some(&c) if digit(c) => {
                        if c != '0' {
                            an = 1;
                            bn = 1;
                            break;
                        }
                    }
                    _ => break,
                }
            }
        }
        let mut ai = i;
        while let Some(&c) = ar.get(ai).filter(|c| digit(**c)) {
            an = an.wrapping_mul(10).wrapping_add(i64::from(c as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while let Some(&c) = br.get(bi).filter(|c| digit(**c)) {
            bn = bn.wrapping_mul(10).wrapping_add(i64::from(c as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ac < bc;
    }
    ar.len() < br.len()
}

#[cfg(test)]
#[path = "yaml_tests.rs"]
mod tests;
