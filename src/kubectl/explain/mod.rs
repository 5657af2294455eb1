//! `kubectl explain RESOURCE[.field...]`: the documentation of a kind or one of its fields, from the
//! API schema, resolved and printed as kubectl v1.36 does (`--recursive`, `--api-version`,
//! `--output=plaintext|plaintext-openapiv2`). Resource names resolve through the same table as
//! `kubectl get`, so exactly the served kinds can be explained.

pub mod openapiv2;
pub mod plaintext;
pub mod schema;

pub use schema::{Schema, SchemaError, install};

use super::context::Kubectl;
use super::flags::Flag;
use crate::api::{Kind, resource};
use schema::Ty;

const FLAGS: &[Flag] =
    &[Flag::bool("recursive", None), Flag::string("api-version", None), Flag::string("output", None)];

/// The flags `explain` takes besides the global ones, for Tab completion.
pub const FLAG_NAMES: &[&str] = &["--api-version", "--output", "--recursive"];

/// Why an explain request failed (Display is kubectl's message after `error: `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExplainError {
    UnknownType(String),
    InvalidPath,
    BadGroupVersion(String),
    /// No API group/version document: `couldn't find resource for "<gvr>"`.
    NoGroupVersion(String),
    /// The document has no such resource: `GVR (<gvr>) not found in OpenAPI schema`.
    NoResource(String),
    UnknownFormat(String),
    FieldMissing(String),
    NotLoaded,
}

impl std::fmt::Display for ExplainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExplainError::UnknownType(t) => write!(f, "the server doesn't have a resource type \"{t}\""),
            ExplainError::InvalidPath => f.write_str("invalid jsonpath syntax, first node must be field node"),
            ExplainError::BadGroupVersion(gv) => write!(f, "unexpected GroupVersion string: {gv}"),
            ExplainError::NoGroupVersion(gvr) => write!(f, "couldn't find resource for \"{gvr}\""),
            ExplainError::NoResource(gvr) => write!(f, "GVR ({gvr}) not found in OpenAPI schema"),
            ExplainError::UnknownFormat(o) => write!(f, "unrecognized format: {o}"),
            ExplainError::FieldMissing(field) => write!(f, "field \"{field}\" does not exist"),
            ExplainError::NotLoaded => f.write_str("the API schema is still loading; try again in a moment"),
        }
    }
}

impl std::error::Error for ExplainError {}

/// What to explain: the kind (with the group/version asked for) and the field path below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: Kind,
    pub group: String,
    pub version: String,
    pub fields: Vec<String>,
}

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(FLAGS, args) else { return };
    match p.args.as_slice() {
        [] => k.out.fail("error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n"),
        [arg] => {
            let output = p.get("output").unwrap_or("plaintext");
            if let Err(e) = explain(k, arg, p.get("api-version").unwrap_or(""), output, p.bool("recursive")) {
                k.error(&e.to_string());
            }
        }
        _ => k.out.fail("error: We accept only this format: explain RESOURCE\n"),
    }
}

fn explain(
    k: &mut Kubectl<'_>,
    arg: &str,
    api_version: &str,
    output: &str,
    recursive: bool,
) -> Result<(), ExplainError> {
    let target = resolve(arg, api_version)?;
    let schema = schema::get().ok_or(ExplainError::NotLoaded)?;
    let group_version =
        if target.group.is_empty() { target.version.clone() } else { format!("{}/{}", target.group, target.version) };
    // Only the version the table serves each kind at is in the schema.
    let root = (target.kind.api_version() == group_version).then(|| schema.kind(target.kind.as_str())).flatten();
    if output == "plaintext-openapiv2" {
        let gvk = format!("{}/{}, Kind={}", target.group, target.version, target.kind.as_str());
        let root = root.ok_or(ExplainError::NoGroupVersion(gvk))?;
        k.out.out(openapiv2::render(schema, root, &target, recursive)?);
        return Ok(());
    }
    let gvr = format!("{}/{}, Resource={}", target.group, target.version, target.kind.plural());
    if !Kind::ALL.iter().any(|kind| kind.api_version() == group_version) {
        return Err(ExplainError::NoGroupVersion(gvr));
    }
    if output != "plaintext" {
        return Err(ExplainError::UnknownFormat(output.to_string()));
    }
    let root = root.ok_or(ExplainError::NoResource(gvr))?;
    let mut header = String::new();
    if !target.group.is_empty() {
        header.push_str(&format!("GROUP:      {}\n", target.group));
    }
    header.push_str(&format!("KIND:       {}\nVERSION:    {}\n\n", target.kind.as_str(), target.version));
    // The header is out before the template looks the path up, as kubectl streams it.
    k.out.out(header);
    let body = plaintext::render(schema, &Ty::Named(root), &target.fields, recursive)
        // The template names the last element of the path, whichever one was missing.
        .ok_or_else(|| ExplainError::FieldMissing(target.fields.last().cloned().unwrap_or_default()))?;
    k.out.out(body + "\n");
    Ok(())
}

/// `RESOURCE[.field...]` as kubectl splits it: without `--api-version` a `plural.group` prefix
/// (`deployments.apps.spec`) names the group; with it, everything after the first dot is a field.
pub fn resolve(arg: &str, api_version: &str) -> Result<Target, ExplainError> {
    let arg = arg.strip_suffix('.').unwrap_or(arg);
    let mut segments = arg.split('.');
    let first = segments.next().unwrap_or("");
    let kind = resource::resolve(first).ok_or_else(|| ExplainError::UnknownType(first.to_string()))?;
    // kubectl parses the suffix after `plural.group` as a JSONPath and drops its first node: the
    // `..` of `.spec`, or the first word when the suffix does not start with a dot.
    let after_first = |s: &'_ str| -> String { s.split_once('.').map_or(String::new(), |(_, rest)| rest.to_string()) };
    let rest = match arg.strip_prefix(&kind.qualified_plural()) {
        Some(suffix) if api_version.is_empty() => {
            suffix.strip_prefix('.').map_or_else(|| after_first(suffix), str::to_string)
        }
        _ => after_first(arg),
    };
    let fields: Vec<String> = if rest.is_empty() { Vec::new() } else { rest.split('.').map(str::to_string).collect() };
    if first.is_empty() || fields.iter().any(String::is_empty) {
        return Err(ExplainError::InvalidPath);
    }
    let (group, version) = if api_version.is_empty() {
        match kind.api_version().split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), kind.api_version().to_string()),
        }
    } else {
        parse_group_version(api_version)?
    };
    Ok(Target { kind, group, version, fields })
}

/// apimachinery's ParseGroupVersion: `v1`, `apps/v1`, or an error for more slashes.
fn parse_group_version(gv: &str) -> Result<(String, String), ExplainError> {
    if gv == "/" {
        return Ok((String::new(), String::new()));
    }
    match gv.split('/').collect::<Vec<_>>().as_slice() {
        [version] => Ok((String::new(), (*version).to_string())),
        [group, version] => Ok(((*group).to_string(), (*version).to_string())),
        _ => Err(ExplainError::BadGroupVersion(gv.to_string())),
    }
}

#[cfg(test)]
mod tests;
