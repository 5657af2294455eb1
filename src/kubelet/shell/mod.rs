//! The tiny shell that runs container commands: a parser and compiler (`parse`), a resumable machine
//! that yields on `sleep` and `exit` (`machine`), and the commands it knows (`builtins`).

pub mod builtins;
pub mod machine;
pub mod parse;

pub use machine::{Machine, Surroundings, Yield};
pub use parse::{ParseError, Program, compile, exec};
