//! Scenarios: what a teacher shares and a learner replays. The scenario model (seed, topology, scheduler
//! configuration, image additions, the commands with the virtual time each ran at, an optional lesson
//! step), its file and link forms, its replay, and the lessons built on it. The model and its two forms
//! sit below the shell (which records a session as a scenario and `kubarium share` encodes it); the
//! replay drives the shell.

pub mod file;
pub mod lesson;
pub mod link;
pub mod model;
pub mod replay;

pub use model::{LessonRef, Scenario, ScenarioError, TimedCommand};
