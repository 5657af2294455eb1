//! The tiny shell that runs container commands: a parser and compiler (`parse`), a resumable machine
//! that yields on `sleep` and `exit` (`machine`), the commands it knows (`builtins`, and `perl` for the docs' Job), and the door
//! through which network commands reach the cluster network (`net`).

pub mod builtins;
pub mod machine;
pub mod net;
pub mod parse;
pub mod perl;

pub use machine::{Machine, Surroundings, Yield};
pub use net::{NetOutput, NetworkAccess};
pub use parse::{ParseError, Program, compile, exec};
