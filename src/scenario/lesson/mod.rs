//! Lessons: guided walks through the cluster, written as data files (`lessons/*.yaml`, English and
//! 简体中文) and embedded in the binary so they work in the browser with no fetch. Each step explains
//! something, gives the commands that do it, and checks the cluster's state to know when it is done.
//! This module owns the model, the parsing of lesson files (which may be wrong and must never panic),
//! and `verify`, which replays every step's solution on a fresh cluster.

mod catalog;
pub mod check;
mod parse;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::OnceLock;

pub use check::{Check, Condition, FieldTest, ObjectCondition, Quantifier, Where};
pub use parse::parse;

use crate::cluster::Cluster;
use crate::terminal::{Shell, split_script, transcript};

/// A text in both languages the playground speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    /// The text for a UI language code: `zh-CN` (or any `zh…`) gives Chinese, anything else English.
    pub fn get(&self, lang_code: &str) -> &str {
        if lang_code.starts_with("zh") { &self.zh } else { &self.en }
    }
}

/// One lesson: an ordered list of steps over one cluster.
#[derive(Debug, Clone)]
pub struct Lesson {
    /// Stable identifier for links and saved progress, e.g. `journey`.
    pub id: String,
    pub title: Text,
    pub steps: Vec<Step>,
}

/// One step of a lesson.
#[derive(Debug, Clone)]
pub struct Step {
    pub title: Text,
    pub explain: Text,
    pub hint: Text,
    /// The commands a learner types, in order; a command may span lines (a here-document).
    pub solution: Vec<String>,
    pub check: Check,
}

/// Why a lesson file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LessonError {
    /// Not YAML, or not a lesson's shape (an unknown field, a missing one, a wrong type).
    Syntax { file: String, what: String },
    /// Something about the lesson as a whole (its id, no steps).
    Lesson { file: String, what: String },
    /// Something in one step (numbered from 1).
    Step { file: String, step: usize, what: String },
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LessonError::Syntax { file, what } => write!(f, "lesson {file}: {what}"),
            LessonError::Lesson { file, what } => write!(f, "lesson {file}: {what}"),
            LessonError::Step { file, step, what } => write!(f, "lesson {file}, step {step}: {what}"),
        }
    }
}

impl std::error::Error for LessonError {}

struct Loaded {
    lessons: Vec<Lesson>,
    errors: Vec<LessonError>,
}

fn loaded() -> &'static Loaded {
    static LOADED: OnceLock<Loaded> = OnceLock::new();
    LOADED.get_or_init(|| {
        let mut lessons = Vec::new();
        let mut errors = Vec::new();
        for (file, text) in catalog::FILES {
            match parse(file, text) {
                Ok(lesson) => lessons.push(lesson),
                Err(e) => errors.push(e),
            }
        }
        Loaded { lessons, errors }
    })
}

/// Every built-in lesson, in order, parsed once. A file that does not parse is left out (and reported by
/// `catalog_errors`) rather than taking the playground down.
pub fn all() -> &'static [Lesson] {
    &loaded().lessons
}

/// The built-in lesson with this id.
pub fn find(id: &str) -> Option<&'static Lesson> {
    all().iter().find(|l| l.id == id)
}

/// Why built-in lesson files were left out; empty in a correct build (a test asserts it).
pub fn catalog_errors() -> &'static [LessonError] {
    &loaded().errors
}

/// Replays `lesson` on a fresh default cluster (seed 1): before each step's solution its check must
/// fail (a step that is already done teaches nothing), every solution command must succeed, and the
/// check must pass after. The error names the step and carries the solution's transcript. Works in
/// wasm32: no files, no threads.
pub fn verify(lesson: &Lesson) -> Result<(), String> {
    let mut shell = Shell::new(Cluster::boot_default(1));
    for (i, step) in lesson.steps.iter().enumerate() {
        let label = format!("lesson {}, step {} ({})", lesson.id, i + 1, step.title.en);
        if step.check.evaluate(shell.cluster()).is_ok() {
            return Err(format!("{label}: the check passes before the solution ran"));
        }
        let mut out = String::new();
        for command in step.solution.iter().flat_map(|c| split_script(c)) {
            let result = shell.run(&command);
            transcript::append(&mut out, &command, &result.output);
            if result.output.exit_code != 0 {
                return Err(format!("{label}: `{}` exited {}\n{out}", command.line, result.output.exit_code));
            }
        }
        if let Err(why) = step.check.evaluate(shell.cluster()) {
            return Err(format!("{label}: the check fails after the solution: {why}\n{out}"));
        }
    }
    Ok(())
}
