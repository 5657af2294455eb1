//! `-o go-template=TEMPLATE` (and its alias `template`): Go's text/template, as kubectl's
//! GoTemplatePrinter runs it over the object's JSON decoded into `map[string]interface{}` (integers
//! `int64`, other numbers `float64`), with kubectl's functions `exists` and `base64decode`, its
//! messages for parse errors, and its long debugging text (on stdout) when execution fails.
//!
//! The subset: actions, pipelines, variables, `if`/`else if`/`with`/`range` (with `break` and
//! `continue`), `define`/`template`, trim markers, comments, and the builtin functions except `html`,
//! `js`, `urlquery`, `slice` and `call`.

mod ast;
mod exec;
mod fmt;
mod funcs;
mod lexer;
mod parser;
mod value;

use serde_json::Value;

use super::gofmt::{quote, sprint};
use exec::{Exec, ExecError, Flow};
use value::Val;

/// Why a template could not be parsed or run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoTemplateError {
    /// `-o go-template=` with nothing after it.
    NoTemplate,
    /// The template does not parse; `reason` is Go's (`template: output:1: unexpected {{end}}`).
    Parse { template: String, reason: String },
    /// Running it failed: `printed` is what kubectl wrote to stdout first (the output so far and the
    /// debugging text), `reason` Go's error.
    Execute { template: String, reason: String, printed: String },
}

impl GoTemplateError {
    /// The stderr text kubectl prints for this error (`error: ...` and a newline).
    pub fn kubectl_message(&self) -> String {
        match self {
            GoTemplateError::NoTemplate => "error: template format specified but no template given\n".into(),
            GoTemplateError::Parse { template, reason } => {
                format!("error: error parsing template {template}, {reason}\n")
            }
            GoTemplateError::Execute { template, reason, .. } => {
                format!("error: error executing template {}: {reason}\n", quote(template))
            }
        }
    }

    /// What kubectl writes to stdout before failing (only execution failures write anything).
    pub fn printed(&self) -> &str {
        match self {
            GoTemplateError::Execute { printed, .. } => printed,
            _ => "",
        }
    }
}

impl std::fmt::Display for GoTemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let msg = self.kubectl_message();
        f.write_str(msg.trim_start_matches("error: ").trim_end())
    }
}

impl std::error::Error for GoTemplateError {}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    raw: String,
    tree: parser::Tree,
    allow_missing_keys: bool,
}

/// Line and column of a byte offset, as Go's `ErrorContext` counts them (the column is 0-based).
fn line_col(src: &str, pos: usize) -> (usize, usize) {
    let before = src.get(..pos.min(src.len())).unwrap_or(src);
    let line = 1 + before.matches('\n').count();
    let col = match before.rfind('\n') {
        Some(nl) => pos - (nl + 1),
        None => pos,
    };
    (line, col)
}

/// Parses a template as kubectl does.
pub fn parse(template: &str) -> Result<Template, GoTemplateError> {
    if template.is_empty() {
        return Err(GoTemplateError::NoTemplate);
    }
    match parser::parse(template) {
        Ok(tree) => Ok(Template { raw: template.to_string(), tree, allow_missing_keys: true }),
        Err(e) => {
            let (line, _) = line_col(template, e.pos);
            Err(GoTemplateError::Parse {
                template: template.to_string(),
                reason: format!("template: output:{line}: {}", e.msg),
            })
        }
    }
}

impl Template {
    /// `--allow-missing-template-keys` (true by default); false makes a missing key an error.
    pub fn allow_missing_keys(mut self, allow: bool) -> Self {
        self.allow_missing_keys = allow;
        self
    }

    /// Runs the template over `object`. `raw_json` is the object as kubectl marshalled it, which the
    /// debugging text quotes when execution fails.
    pub fn execute(&self, object: &Value, raw_json: &str) -> Result<String, GoTemplateError> {
        let mut exec = Exec::new(&self.tree, object, !self.allow_missing_keys);
        let result = exec.run(&self.tree.root, &Val::data(object));
        let mut printed = exec.out;
        let error = match result {
            Ok(()) | Err(Flow::Break | Flow::Continue) => return Ok(printed),
            Err(Flow::Fail(e)) => e,
        };
        let reason = self.describe(&error);
        printed.push_str(&format!(
            "Error executing template: {reason}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{}\n\traw data was:\n\t\t{raw_json}\n\tobject given to template engine was:\n\t\t{}\n\n",
            self.raw,
            sprint(object)
        ));
        Err(GoTemplateError::Execute { template: self.raw.clone(), reason, printed })
    }

    fn describe(&self, e: &ExecError) -> String {
        let (line, col) = line_col(&self.raw, e.pos);
        format!("template: output:{line}:{col}: executing {:?} at <{}>: {}", e.name, e.context, e.msg)
    }
}

#[cfg(test)]
mod tests;
