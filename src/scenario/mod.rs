//! Scenarios: what a teacher shares and a learner replays. The scenario model (seed, topology, scheduler
//! configuration, image additions, the commands with the virtual time each ran at, an optional lesson
//! step), its file and link forms, and the lessons built on it.
pub mod lesson;
