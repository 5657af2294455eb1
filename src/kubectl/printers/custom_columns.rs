//! `-o custom-columns=HEADER:PATH,...` (kubectl `pkg/cmd/get/customcolumn.go`): the spec's parsing and
//! errors, kubectl's relaxed path syntax (`.a.b`, `a.b`, `{.a.b}`), and the table — one cell per column
//! from a JSONPath run with missing keys allowed, `<none>` when it finds nothing, several values joined
//! by commas, laid out by the `kubectl get` tabwriter.

use std::fmt;

use serde_json::Value;

use super::jsonpath::{JsonPathError, Template, parse, sprint_v};
use super::tabwriter::TabWriter;

/// Why a custom-columns spec or column failed; `Display` is the text after kubectl's `error: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomColumnsError {
    /// `-o custom-columns=` with nothing after it.
    NoColumns,
    /// A column without a `:`.
    InvalidSpec(String),
    /// A path that is not `name1.name2`, `.name1.name2`, `{name1.name2}` or `{.name1.name2}`.
    UnexpectedPath,
    /// A column's JSONPath failed to parse or run (client-go's reason only). kubectl has already
    /// flushed the header line by then; `printed` holds that partial stdout.
    Template { reason: String, printed: String },
}

impl fmt::Display for CustomColumnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CustomColumnsError::NoColumns => write!(f, "custom-columns format specified but no custom columns given"),
            CustomColumnsError::InvalidSpec(part) => {
                write!(f, "unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")
            }
            CustomColumnsError::UnexpectedPath => write!(
                f,
                "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{{name1.name2}}' or '{{.name1.name2}}'"
            ),
            CustomColumnsError::Template { reason, .. } => write!(f, "{reason}"),
        }
    }
}

impl std::error::Error for CustomColumnsError {}

/// One column: its header as given and its path in `{.a.b}` form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub header: String,
    pub field_spec: String,
}

/// A parsed `-o custom-columns` spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomColumns {
    pub columns: Vec<Column>,
}

/// kubectl's `RelaxedJSONPathExpression`: accepts `a.b`, `.a.b`, `{a.b}`, `{.a.b}` and yields `{.a.b}`.
pub fn relaxed_jsonpath(path: &str) -> Result<String, CustomColumnsError> {
    if path.is_empty() {
        return Ok(String::new());
    }
    let no_braces = |s: &str| !s.is_empty() && !s.contains(['{', '}']);
    // The optional dot is only taken when something is left for the field part.
    let strip_dot = |s: &str| -> String {
        match s.strip_prefix('.') {
            Some(rest) if !rest.is_empty() => rest.to_string(),
            _ => s.to_string(),
        }
    };
    let braced = path.strip_prefix('{').and_then(|p| p.strip_suffix('}'));
    let field = match braced {
        Some(inner) if no_braces(inner) => strip_dot(inner),
        _ if no_braces(path) => strip_dot(path),
        _ => return Err(CustomColumnsError::UnexpectedPath),
    };
    Ok(format!("{{.{field}}}"))
}

/// Parses `HEADER:PATH,HEADER:PATH,...` (kubectl's `NewCustomColumnsPrinterFromSpec`).
pub fn parse_spec(spec: &str) -> Result<CustomColumns, CustomColumnsError> {
    if spec.is_empty() {
        return Err(CustomColumnsError::NoColumns);
    }
    let mut columns = Vec::new();
    for part in spec.split(',') {
        let Some((header, path)) = part.split_once(':') else {
            return Err(CustomColumnsError::InvalidSpec(part.to_string()));
        };
        columns.push(Column { header: header.to_string(), field_spec: relaxed_jsonpath(path)? });
    }
    Ok(CustomColumns { columns })
}

/// kubectl's `EscapeTerminal`: keeps cells from moving the terminal's cursor.
fn escape_terminal(s: &str) -> String {
    s.replace('\u{1b}', "^[").replace('\r', "\\r")
}

impl CustomColumns {
    /// The table for `objects` (a list's items, or the one object), headed unless `no_headers`.
    pub fn print(&self, objects: &[Value], no_headers: bool) -> Result<String, CustomColumnsError> {
        let mut w = TabWriter::for_get();
        if !no_headers {
            let headers: Vec<&str> = self.columns.iter().map(|c| c.header.as_str()).collect();
            w.write(&headers.join("\t"));
            w.write("\n");
        }
        let fail = |e: JsonPathError, w: &mut TabWriter| CustomColumnsError::Template {
            reason: e.reason(),
            printed: w.flush(),
        };
        let mut templates: Vec<Option<Template>> = Vec::new();
        for column in &self.columns {
            if column.field_spec.is_empty() {
                templates.push(None);
                continue;
            }
            match parse(&column.field_spec) {
                Ok(t) => templates.push(Some(t)),
                Err(e) => return Err(fail(e, &mut w)),
            }
        }
        for object in objects {
            let mut cells = Vec::with_capacity(templates.len());
            for template in &templates {
                let groups = match template {
                    Some(t) => t
                        .find_results(object)
                        .map_err(|reason| CustomColumnsError::Template { reason, printed: String::new() }),
                    None => Ok(Vec::new()),
                };
                let groups = match groups {
                    Ok(g) => g,
                    Err(CustomColumnsError::Template { reason, .. }) => {
                        return Err(CustomColumnsError::Template { reason, printed: w.flush() });
                    }
                    Err(other) => return Err(other),
                };
                let mut values: Vec<String> = Vec::new();
                if groups.first().is_none_or(Vec::is_empty) {
                    values.push("<none>".to_string());
                }
                for group in &groups {
                    values.extend(group.iter().map(|v| escape_terminal(&sprint_v(v))));
                }
                cells.push(values.join(","));
            }
            w.write(&cells.join("\t"));
            w.write("\n");
        }
        Ok(w.flush())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn spec_errors() {
        assert_eq!(parse_spec(""), Err(CustomColumnsError::NoColumns));
        assert_eq!(
            parse_spec("A").map_err(|e| e.to_string()),
            Err("unexpected custom-columns spec: A, expected <header>:<json-path-expr>".to_string())
        );
        assert_eq!(
            parse_spec("A:.metadata.name,").map_err(|e| e.to_string()),
            Err("unexpected custom-columns spec: , expected <header>:<json-path-expr>".to_string())
        );
        assert_eq!(
            parse_spec("A:x}").map_err(|e| e.to_string()),
            Err("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'".to_string())
        );
        let relaxed =
            ["a.b", ".a.b", "{a.b}", "{.a.b}", ".", "{.}", "x:y"].map(|p| relaxed_jsonpath(p).unwrap_or_default());
        assert_eq!(relaxed, ["{.a.b}", "{.a.b}", "{.a.b}", "{.a.b}", "{..}", "{..}", "{.x:y}"]);
        assert_eq!(
            parse_spec("A:.metadata.name:x").map(|c| c.columns[0].field_spec.clone()),
            Ok("{.metadata.name:x}".to_string())
        );
    }

    #[test]
    fn table() {
        let spec = parse_spec(
            "NAME:.metadata.name,IMAGES:.spec.containers[*].image,X:.spec.missing,N:.spec.nothing,L:{.metadata.labels},E:.spec.esc",
        );
        let pods = [
            json!({"metadata": {"name": "web-1", "labels": {"app": "web"}}, "spec": {"containers": [{"image": "nginx"}, {"image": "redis"}], "nothing": null, "esc": "a\u{1b}b\rc"}}),
            json!({"metadata": {"name": "中文"}, "spec": {"containers": []}}),
        ];
        let want = "NAME    IMAGES        X        N        L              E\nweb-1   nginx,redis   <none>   <nil>    map[app:web]   a^[b\\rc\n中文      <none>        <none>   <none>   <none>         <none>\n";
        assert_eq!(spec.and_then(|s| s.print(&pods, false)).as_deref(), Ok(want));
    }

    #[test]
    fn template_failures_keep_the_header() {
        let spec = parse_spec("A:.x[");
        let got = spec.and_then(|s| s.print(&[json!({})], false));
        assert_eq!(
            got,
            Err(CustomColumnsError::Template { reason: "unterminated array".to_string(), printed: "A\n".to_string() })
        );
        let spec = parse_spec("A:.x[5]");
        let got = spec.and_then(|s| s.print(&[json!({"x": [1]})], true)).map_err(|e| e.to_string());
        assert_eq!(got, Err("array index out of bounds: index 5, length 1".to_string()));
    }

    #[test]
    fn never_panics() {
        let atoms = [",", ":", "{", "}", ".", "a", "[", "]", "*", "?", "@", "A", "'", "\"", " "];
        let mut seed = 12345u64;
        for _ in 0..5000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            let spec: String =
                (0..(seed >> 60)).map(|k| atoms[((seed >> (k * 4)) % atoms.len() as u64) as usize]).collect();
            if let Ok(c) = parse_spec(&spec) {
                let _ = c.print(&[json!({"a": [1, {"a": "x"}]})], seed.is_multiple_of(2));
            }
        }
    }
}
