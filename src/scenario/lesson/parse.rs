//! Reads a lesson file. The YAML is decoded into file-shaped structs that refuse unknown fields, then
//! checked and turned into the model: kinds resolve, selectors and JSONPath templates parse, each field
//! test and each condition says exactly one thing. Any input gives a lesson or a `LessonError`.

use serde::Deserialize;

use super::check::{Check, Condition, FieldTest, ObjectCondition, Quantifier, Where};
use super::{Lesson, LessonError, Step, Text};
use crate::api::labels::Selector;
use crate::api::resource;
use crate::cluster::ControlPlane;
use crate::kubectl::printers::jsonpath;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonFile {
    id: String,
    title: TextFile,
    steps: Vec<StepFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextFile {
    en: String,
    zh: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    title: TextFile,
    explain: TextFile,
    hint: TextFile,
    solution: Vec<String>,
    check: Vec<ConditionFile>,
}

/// A condition as written: either `component` (+ `running`) or `kind` with its narrowing and counting.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConditionFile {
    component: Option<String>,
    running: Option<bool>,
    kind: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    selector: Option<String>,
    #[serde(default, rename = "where")]
    wheres: Vec<WhereFile>,
    all: Option<bool>,
    none: Option<bool>,
    at_least: Option<usize>,
    exactly: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WhereFile {
    field: String,
    equals: Option<String>,
    not_equals: Option<String>,
    contains: Option<String>,
    exists: Option<bool>,
    at_least: Option<f64>,
}

/// Parses one lesson file; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Lesson, LessonError> {
    let raw: LessonFile = serde_norway::from_str(text)
        .map_err(|e| LessonError::Syntax { file: file.to_string(), what: e.to_string().to_lowercase() })?;
    let lesson_err = |what: &str| LessonError::Lesson { file: file.to_string(), what: what.to_string() };
    if raw.id.is_empty() || !raw.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(lesson_err("the id must be lowercase letters, digits and '-'"));
    }
    let title = text_of(raw.title).map_err(|what| lesson_err(&format!("title: {what}")))?;
    if raw.steps.is_empty() {
        return Err(lesson_err("a lesson needs at least one step"));
    }
    let steps = raw
        .steps
        .into_iter()
        .enumerate()
        .map(|(i, s)| step_of(s).map_err(|what| LessonError::Step { file: file.to_string(), step: i + 1, what }))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Lesson { id: raw.id, title, steps })
}

fn text_of(t: TextFile) -> Result<Text, String> {
    if t.en.trim().is_empty() || t.zh.trim().is_empty() {
        return Err("both en and zh must be given".into());
    }
    Ok(Text { en: t.en, zh: t.zh })
}

fn step_of(s: StepFile) -> Result<Step, String> {
    let title = text_of(s.title).map_err(|e| format!("title: {e}"))?;
    let explain = text_of(s.explain).map_err(|e| format!("explain: {e}"))?;
    let hint = text_of(s.hint).map_err(|e| format!("hint: {e}"))?;
    if s.solution.is_empty() || s.solution.iter().any(|c| c.trim().is_empty()) {
        return Err("the solution needs at least one command, and no empty ones".into());
    }
    if s.check.is_empty() {
        return Err("the check needs at least one condition".into());
    }
    let conditions = s
        .check
        .into_iter()
        .enumerate()
        .map(|(i, c)| condition_of(c).map_err(|e| format!("condition {}: {e}", i + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Step { title, explain, hint, solution: s.solution, check: Check { conditions } })
}

fn condition_of(c: ConditionFile) -> Result<Condition, String> {
    match (c.component, c.kind) {
        (Some(_), Some(_)) => Err("give either component or kind, not both".into()),
        (None, None) => Err("give a component or a kind".into()),
        (Some(name), None) => {
            let extra = c.namespace.is_some()
                || c.name.is_some()
                || c.selector.is_some()
                || !c.wheres.is_empty()
                || c.all.is_some()
                || c.none.is_some()
                || c.at_least.is_some()
                || c.exactly.is_some();
            if extra {
                return Err("a component condition takes only running".into());
            }
            let which = ControlPlane::parse(&name).ok_or_else(|| format!("unknown component {name:?}"))?;
            let running = c.running.ok_or("a component condition needs running: true or false")?;
            Ok(Condition::Component { which, running })
        }
        (None, Some(kind_name)) => {
            if c.running.is_some() {
                return Err("running applies to a component, not a kind".into());
            }
            let kind = resource::resolve(&kind_name).ok_or_else(|| format!("unknown kind {kind_name:?}"))?;
            let namespace = match (kind.namespaced(), c.namespace) {
                (true, ns) => Some(ns.unwrap_or_else(|| "default".to_string())),
                (false, None) => None,
                (false, Some(_)) => return Err(format!("{} is not namespaced", kind.as_str())),
            };
            if c.name.is_some() && c.selector.is_some() {
                return Err("give either name or selector, not both".into());
            }
            let selector = match c.selector {
                Some(raw) => {
                    let parsed = Selector::parse(&raw).map_err(|e| format!("selector {raw:?}: {e}"))?;
                    Some((raw, parsed))
                }
                None => None,
            };
            let quantifier = match (c.all, c.none, c.at_least, c.exactly) {
                (None, None, None, None) => Quantifier::Any,
                (Some(true), None, None, None) => Quantifier::All,
                (None, Some(true), None, None) => Quantifier::None,
                (None, None, Some(n), None) => Quantifier::AtLeast(n),
                (None, None, None, Some(n)) => Quantifier::Exactly(n),
                _ => return Err("give at most one of all: true, none: true, at_least, exactly".into()),
            };
            let wheres = c.wheres.into_iter().map(where_of).collect::<Result<Vec<_>, _>>()?;
            Ok(Condition::Objects(ObjectCondition { kind, namespace, name: c.name, selector, wheres, quantifier }))
        }
    }
}

fn where_of(w: WhereFile) -> Result<Where, String> {
    let template = jsonpath::parse(&w.field).map_err(|e| format!("field {:?}: {}", w.field, e.reason()))?;
    let tests = [
        w.equals.map(FieldTest::Equals),
        w.not_equals.map(FieldTest::NotEquals),
        w.contains.map(FieldTest::Contains),
        w.exists.map(FieldTest::Exists),
        w.at_least.filter(|n| n.is_finite()).map(FieldTest::AtLeast),
    ];
    let mut given = tests.into_iter().flatten();
    match (given.next(), given.next()) {
        (Some(test), None) => Ok(Where { field: w.field, template, test }),
        _ => Err(format!(
            "field {:?} needs exactly one of equals, not_equals, contains, exists, at_least (a finite number)",
            w.field
        )),
    }
}
