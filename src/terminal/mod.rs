//! The shell both front ends share: a line becomes kubectl, a `kubarium` verb or a builtin; scripts and
//! pastes are cut into commands; transcripts are written in one format for every consumer.

mod builtins;
pub mod complete;
pub mod filters;
pub mod kubarium;
pub mod lexer;
pub mod script;
pub mod shell;
pub mod transcript;

pub use script::{Command, split_script};
pub use shell::{CommandResult, Shell};
