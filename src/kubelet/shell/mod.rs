//! The tiny shell that runs container commands: a parser and compiler (`parse`), a resumable machine
//! that yields on `sleep` and `exit` (`machine`), the commands it knows (`builtins`), and the door
//! through which network commands reach the cluster network (`net`).

pub mod builtins;
pub mod machine;
pub mod net;
pub mod parse;

pub use machine::{Machine, Surroundings, Yield};
pub use net::{NetOutput, NetworkAccess};
pub use parse::{ParseError, Program, compile, exec};
