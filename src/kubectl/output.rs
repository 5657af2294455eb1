//! What a command prints: stdout and stderr chunks in the order they were written, and the exit status.
//! The terminal shows them (stderr in its own colour); the transcript interleaves them as a shell would.

/// Which stream a chunk of output went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// The output of one command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    pub chunks: Vec<(Stream, String)>,
    pub exit_code: i32,
}

impl Output {
    pub fn out(&mut self, text: impl Into<String>) {
        self.push(Stream::Stdout, text.into());
    }

    pub fn err(&mut self, text: impl Into<String>) {
        self.push(Stream::Stderr, text.into());
    }

    /// Writes `text` to stderr and sets a failing exit status, as kubectl's `error: ...` lines do.
    pub fn fail(&mut self, text: impl Into<String>) {
        self.err(text);
        self.exit_code = 1;
    }

    fn push(&mut self, stream: Stream, text: String) {
        if text.is_empty() {
            return;
        }
        match self.chunks.last_mut() {
            Some((s, prev)) if *s == stream => prev.push_str(&text),
            _ => self.chunks.push((stream, text)),
        }
    }

    /// Everything written to stdout.
    pub fn stdout(&self) -> String {
        self.collect(Stream::Stdout)
    }

    /// Everything written to stderr.
    pub fn stderr(&self) -> String {
        self.collect(Stream::Stderr)
    }

    /// Stdout and stderr interleaved in the order written, as a terminal shows them.
    pub fn combined(&self) -> String {
        self.chunks.iter().map(|(_, t)| t.as_str()).collect()
    }

    fn collect(&self, stream: Stream) -> String {
        self.chunks.iter().filter(|(s, _)| *s == stream).map(|(_, t)| t.as_str()).collect()
    }
}
