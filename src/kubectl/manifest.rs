//! Manifests: what `-f` reads. YAML streams (documents separated by `---`) and JSON, single objects
//! and `List`s, each decoded to an object of a served kind, with kubectl's messages for what cannot be
//! (syntax errors with go-yaml's wording, missing `kind`/`apiVersion`, kinds the server does not have).

use serde_json::Value;

use crate::api::{Kind, Object};

/// A decoded document: its kind and its JSON, not yet typed (apply needs the raw JSON too).
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub kind: Kind,
    pub value: Value,
}

impl Document {
    pub fn name(&self) -> &str {
        self.value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("")
    }

    pub fn namespace(&self) -> Option<&str> {
        self.value.pointer("/metadata/namespace").and_then(Value::as_str)
    }
}

/// Why a manifest could not be read; Display gives kubectl's `error: ...` line without the prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestError {
    Syntax { source: String, message: String },
    Invalid { source: String, problem: String },
    NoMatch { source: String, name: String, namespace: String, kind: String, version: String },
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ManifestError::Syntax { source, message } => {
                write!(f, "error parsing {source}: error converting YAML to JSON: {message}")
            }
            ManifestError::Invalid { source, problem } => write!(
                f,
                "error validating \"{source}\": error validating data: {problem}; if you choose to ignore these errors, turn validation off with --validate=false"
            ),
            ManifestError::NoMatch { source, name, namespace, kind, version } => write!(
                f,
                "resource mapping not found for name: \"{name}\" namespace: \"{namespace}\" from \"{source}\": no matches for kind \"{kind}\" in version \"{version}\"\nensure CRDs are installed first"
            ),
        }
    }
}

impl std::error::Error for ManifestError {}

/// Rewrites a YAML parser's error as go-yaml words it: `yaml: line N: <problem>`.
fn go_yaml_message(e: &serde_norway::Error) -> String {
    let text = e.to_string();
    let problem = text.split(" at line ").next().unwrap_or(&text).to_string();
    match e.location() {
        Some(loc) => format!("yaml: line {}: {problem}", loc.line()),
        None => format!("yaml: {problem}"),
    }
}

/// Splits a YAML stream into documents (a `---` line starts a new one), keeping track of the line each
/// starts on so that errors name the line of the whole file.
fn split_documents(text: &str) -> Vec<(usize, String)> {
    let mut docs = vec![(0usize, String::new())];
    for (i, line) in text.lines().enumerate() {
        if line.trim_end() == "---" || line.starts_with("--- ") {
            docs.push((i + 1, String::new()));
            continue;
        }
        if let Some((_, d)) = docs.last_mut() {
            d.push_str(line);
            d.push('\n');
        }
    }
    docs
}

/// Parses `text` (read from `source`, e.g. `STDIN` or a file name) into documents.
pub fn parse(text: &str, source: &str) -> Result<Vec<Document>, ManifestError> {
    let mut values = Vec::new();
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let v: Value = serde_json::from_str(text).map_err(|e| ManifestError::Syntax {
            source: source.to_string(),
            message: format!("yaml: line {}: {}", e.line(), e),
        })?;
        values.push(v);
    } else {
        for (offset, doc) in split_documents(text) {
            if doc.trim().is_empty() || doc.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
                continue;
            }
            let v: Value = serde_norway::from_str(&doc).map_err(|e| {
                let msg = go_yaml_message(&e);
                // Report the line within the whole file, as kubectl does for a single document.
                let msg = match e.location() {
                    Some(loc) if offset > 0 => {
                        msg.replacen(&format!("line {}", loc.line()), &format!("line {}", loc.line() + offset), 1)
                    }
                    _ => msg,
                };
                ManifestError::Syntax { source: source.to_string(), message: msg }
            })?;
            if !v.is_null() {
                values.push(v);
            }
        }
    }
    let mut docs = Vec::new();
    for v in values {
        flatten(v, source, &mut docs)?;
    }
    Ok(docs)
}

fn flatten(v: Value, source: &str, out: &mut Vec<Document>) -> Result<(), ManifestError> {
    let invalid = |problem: &str| ManifestError::Invalid { source: source.to_string(), problem: problem.to_string() };
    let Value::Object(map) = &v else { return Err(invalid("invalid object to validate")) };
    let kind = map.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = map.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if kind.is_empty() {
        return Err(invalid("kind not set"));
    }
    if api_version.is_empty() {
        return Err(invalid("apiVersion not set"));
    }
    if kind.ends_with("List") && map.get("items").is_some() {
        if let Some(Value::Array(items)) = map.get("items") {
            for item in items.clone() {
                flatten(item, source, out)?;
            }
        }
        return Ok(());
    }
    let found = Kind::ALL.iter().copied().find(|k| k.as_str() == kind && k.api_version() == api_version);
    let Some(kind) = found.or_else(|| {
        // autoscaling/v1 HPAs are served and stored as autoscaling/v2.
        (kind == "HorizontalPodAutoscaler" && api_version == "autoscaling/v1").then_some(Kind::HorizontalPodAutoscaler)
    }) else {
        return Err(ManifestError::NoMatch {
            source: source.to_string(),
            name: v.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string(),
            namespace: v.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("").to_string(),
            kind: kind.to_string(),
            version: api_version.to_string(),
        });
    };
    out.push(Document { kind, value: v });
    Ok(())
}

/// Decodes a document into a typed object; the error is the server's strict-decoding message.
pub fn decode(doc: &Document) -> Result<Object, String> {
    Object::from_value(doc.kind, doc.value.clone()).map_err(|e| {
        format!(
            "{} in version \"{}\" cannot be handled as a {}: {e}",
            doc.kind.as_str(),
            version_of(doc.kind),
            doc.kind.as_str()
        )
    })
}

fn version_of(kind: Kind) -> &'static str {
    kind.api_version().rsplit('/').next().unwrap_or("v1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_document_yaml_and_lists() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n# comment only\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: web\n";
        let docs = parse(text, "STDIN").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].kind, Kind::Namespace);
        assert_eq!(docs[1].kind, Kind::Deployment);
        assert_eq!(docs[1].name(), "web");
    }

    #[test]
    fn errors_read_like_kubectl() {
        let e =
            parse("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: a: b\n", "/tmp/bad.yaml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "error parsing /tmp/bad.yaml: error converting YAML to JSON: yaml: line 5: mapping values are not allowed in this context"
        );
        let e = parse("apiVersion: v1\nmetadata:\n  name: x\n", "STDIN").unwrap_err();
        assert_eq!(
            e.to_string(),
            "error validating \"STDIN\": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false"
        );
        let e = parse("kind: Pod\n", "STDIN").unwrap_err();
        assert!(e.to_string().contains("apiVersion not set"));
        let e = parse("- a\n- b\n", "STDIN").unwrap_err();
        assert!(e.to_string().contains("invalid object to validate"));
        let e = parse("apiVersion: v1\nkind: Foo\nmetadata:\n  name: x\n", "STDIN").unwrap_err();
        assert_eq!(
            e.to_string(),
            "resource mapping not found for name: \"x\" namespace: \"\" from \"STDIN\": no matches for kind \"Foo\" in version \"v1\"\nensure CRDs are installed first"
        );
        assert!(parse("\n---\n", "STDIN").unwrap().is_empty());
    }
}
