//! The transcript format shared by `kubarium run`, golden tests and share links: each command as
//! `$ <first line>` with its further lines as `> <line>`, then everything it printed (stdout and stderr
//! interleaved, as a terminal shows them).

use super::script::Command;
use crate::kubectl::Output;

/// Appends one command and its output to `transcript`.
pub fn append(transcript: &mut String, command: &Command, output: &Output) {
    for (i, line) in command.lines.iter().enumerate() {
        transcript.push_str(if i == 0 { "$ " } else { "> " });
        transcript.push_str(line);
        transcript.push('\n');
    }
    let text = output.combined();
    transcript.push_str(&text);
    if !text.is_empty() && !text.ends_with('\n') {
        transcript.push('\n');
    }
}
