//! Reads a container's shell script (the `sh -c "..."` of a pod spec) into words and compiles it into
//! the flat program the machine runs. Covers what pod specs in tutorials use: `;`, newlines, `&&`,
//! `||`, `|`, `&`, quotes, `$VAR`/`${VAR}`/`$?`/`$(cmd)`, `VAR=x cmd`, `while`/`until`, `for`, `if`,
//! `{ }` and `( )` groups. Anything else is a syntax error worded as busybox `sh` words it.

use std::sync::Arc;

/// A piece of a word.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Lit(String),
    Var(String),
    Subst(Arc<Program>),
    /// `$((expr))`
    Arith(String),
}

/// A word: its parts, each marked quoted or not (unquoted expansions split on whitespace).
pub type Word = Vec<(Part, bool)>;

/// One instruction of a compiled script.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Runs a simple command (with its assignments) and sets `$?`.
    Run {
        assigns: Vec<(String, Word)>,
        words: Vec<Word>,
    },
    JumpIfFail(usize),
    JumpIfOk(usize),
    Jump(usize),
    SetStatus(i32),
    /// Evaluates the `for` list into loop slot `slot`.
    ForStart {
        slot: usize,
        items: Vec<Word>,
    },
    /// Sets `var` to the next item of `slot`, or jumps to `end`.
    ForNext {
        slot: usize,
        var: String,
        end: usize,
    },
    /// Output is discarded between `Silence(true)` and `Silence(false)` (the left side of a pipe).
    Silence(bool),
    Nop,
}

/// A compiled script.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Program {
    pub ops: Vec<Op>,
    pub loop_slots: usize,
}

/// Why a script could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    Unexpected(String),
    UnterminatedQuote,
    Eof,
    TooDeep,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::Unexpected(t) => write!(f, "syntax error: unexpected \"{t}\""),
            ParseError::UnterminatedQuote => f.write_str("syntax error: unterminated quoted string"),
            ParseError::Eof => f.write_str("syntax error: unexpected end of file"),
            ParseError::TooDeep => f.write_str("syntax error: nesting too deep"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(Word),
    /// `;`, `\n`, `&`
    Sep,
    And,
    Or,
    Pipe,
    LParen,
    RParen,
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

impl Lexer<'_> {
    fn tokens(src: &str) -> Result<Vec<Tok>, ParseError> {
        let mut lx = Lexer { chars: src.chars().peekable() };
        let mut out = Vec::new();
        while let Some(&c) = lx.chars.peek() {
            match c {
                ' ' | '\t' | '\r' => {
                    lx.chars.next();
                }
                '#' => {
                    while lx.chars.peek().is_some_and(|c| *c != '\n') {
                        lx.chars.next();
                    }
                }
                '\n' | ';' => {
                    lx.chars.next();
                    out.push(Tok::Sep);
                }
                '&' => {
                    lx.chars.next();
                    if lx.chars.peek() == Some(&'&') {
                        lx.chars.next();
                        out.push(Tok::And);
                    } else {
                        out.push(Tok::Sep);
                    }
                }
                '|' => {
                    lx.chars.next();
                    if lx.chars.peek() == Some(&'|') {
                        lx.chars.next();
                        out.push(Tok::Or);
                    } else {
                        out.push(Tok::Pipe);
                    }
                }
                '(' => {
                    lx.chars.next();
                    out.push(Tok::LParen);
                }
                ')' => {
                    lx.chars.next();
                    out.push(Tok::RParen);
                }
                _ => out.push(Tok::Word(lx.word()?)),
            }
        }
        Ok(out)
    }

    fn word(&mut self) -> Result<Word, ParseError> {
        let mut parts: Word = Vec::new();
        let mut lit = String::new();
        let flush = |lit: &mut String, parts: &mut Word, quoted: bool| {
            if !lit.is_empty() {
                parts.push((Part::Lit(std::mem::take(lit)), quoted));
            }
        };
        while let Some(&c) = self.chars.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '(' | ')' => break,
                '\'' => {
                    self.chars.next();
                    flush(&mut lit, &mut parts, false);
                    let mut s = String::new();
                    loop {
                        match self.chars.next() {
                            Some('\'') => break,
                            Some(c) => s.push(c),
                            None => return Err(ParseError::UnterminatedQuote),
                        }
                    }
                    parts.push((Part::Lit(s), true));
                }
                '"' => {
                    self.chars.next();
                    flush(&mut lit, &mut parts, false);
                    // An empty "" still makes a word.
                    parts.push((Part::Lit(String::new()), true));
                    loop {
                        match self.chars.next() {
                            Some('"') => break,
                            Some('\\') => match self.chars.next() {
                                Some(c @ ('"' | '\\' | '$' | '`')) => lit.push(c),
                                Some('\n') => {}
                                Some(c) => {
                                    lit.push('\\');
                                    lit.push(c);
                                }
                                None => return Err(ParseError::UnterminatedQuote),
                            },
                            Some('$') => {
                                flush(&mut lit, &mut parts, true);
                                match self.dollar()? {
                                    Some(p) => parts.push((p, true)),
                                    None => lit.push('$'),
                                }
                            }
                            Some(c) => lit.push(c),
                            None => return Err(ParseError::UnterminatedQuote),
                        }
                    }
                    flush(&mut lit, &mut parts, true);
                }
                '\\' => {
                    self.chars.next();
                    flush(&mut lit, &mut parts, false);
                    if let Some(c) = self.chars.next()
                        && c != '\n'
                    {
                        parts.push((Part::Lit(c.to_string()), true));
                    }
                }
                '$' => {
                    self.chars.next();
                    flush(&mut lit, &mut parts, false);
                    match self.dollar()? {
                        Some(p) => parts.push((p, false)),
                        None => lit.push('$'),
                    }
                }
                _ => {
                    lit.push(c);
                    self.chars.next();
                }
            }
        }
        flush(&mut lit, &mut parts, false);
        Ok(parts)
    }

    /// After a `$`: a variable, `${...}`, or `$(...)`; None for a lone `$`.
    fn dollar(&mut self) -> Result<Option<Part>, ParseError> {
        match self.chars.peek().copied() {
            Some('{') => {
                self.chars.next();
                let mut name = String::new();
                loop {
                    match self.chars.next() {
                        Some('}') => break,
                        Some(c) => name.push(c),
                        None => return Err(ParseError::Eof),
                    }
                }
                Ok(Some(Part::Var(name)))
            }
            Some('(') => {
                self.chars.next();
                if self.chars.peek() == Some(&'(') {
                    self.chars.next();
                    let mut expr = String::new();
                    loop {
                        match self.chars.next() {
                            Some(')') if self.chars.peek() == Some(&')') => {
                                self.chars.next();
                                break;
                            }
                            Some(c) => expr.push(c),
                            None => return Err(ParseError::Eof),
                        }
                    }
                    return Ok(Some(Part::Arith(expr)));
                }
                let mut depth = 1;
                let mut inner = String::new();
                loop {
                    match self.chars.next() {
                        Some('(') => {
                            depth += 1;
                            inner.push('(');
                        }
                        Some(')') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                            inner.push(')');
                        }
                        Some(c) => inner.push(c),
                        None => return Err(ParseError::Eof),
                    }
                }
                Ok(Some(Part::Subst(Arc::new(compile(&inner)?))))
            }
            Some(c) if c == '?' || c == '$' || c == '#' || c.is_ascii_digit() => {
                self.chars.next();
                Ok(Some(Part::Var(c.to_string())))
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let mut name = String::new();
                while let Some(&c) = self.chars.peek() {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        name.push(c);
                        self.chars.next();
                    } else {
                        break;
                    }
                }
                Ok(Some(Part::Var(name)))
            }
            _ => Ok(None),
        }
    }
}

/// The literal text of an unquoted, expansion-free word (reserved words and assignments).
fn plain(word: &Word) -> Option<String> {
    let mut s = String::new();
    for (p, quoted) in word {
        match p {
            Part::Lit(l) if !quoted => s.push_str(l),
            _ => return None,
        }
    }
    Some(s)
}

const RESERVED: &[&str] = &["do", "done", "then", "else", "elif", "fi", "}", "in"];

struct Compiler {
    toks: Vec<Tok>,
    pos: usize,
    prog: Program,
}

impl Compiler {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn peek_word(&self) -> Option<String> {
        match self.peek() {
            Some(Tok::Word(w)) => plain(w),
            _ => None,
        }
    }

    fn skip_seps(&mut self) {
        while self.peek() == Some(&Tok::Sep) {
            self.pos += 1;
        }
    }

    fn expect_word(&mut self, want: &str) -> Result<(), ParseError> {
        self.skip_seps();
        match self.peek_word() {
            Some(w) if w == want => {
                self.pos += 1;
                Ok(())
            }
            _ => Err(self.unexpected()),
        }
    }

    fn unexpected(&self) -> ParseError {
        match self.peek() {
            None => ParseError::Eof,
            Some(Tok::Word(w)) => ParseError::Unexpected(plain(w).unwrap_or_else(|| "word".into())),
            Some(Tok::Sep) => ParseError::Unexpected(";".into()),
            Some(Tok::And) => ParseError::Unexpected("&&".into()),
            Some(Tok::Or) => ParseError::Unexpected("||".into()),
            Some(Tok::Pipe) => ParseError::Unexpected("|".into()),
            Some(Tok::LParen) => ParseError::Unexpected("(".into()),
            Some(Tok::RParen) => ParseError::Unexpected(")".into()),
        }
    }

    fn emit(&mut self, op: Op) -> usize {
        self.prog.ops.push(op);
        self.prog.ops.len() - 1
    }

    fn here(&self) -> usize {
        self.prog.ops.len()
    }

    fn patch(&mut self, at: usize, target: usize) {
        if let Some(Op::JumpIfFail(t) | Op::JumpIfOk(t) | Op::Jump(t) | Op::ForNext { end: t, .. }) =
            self.prog.ops.get_mut(at)
        {
            *t = target;
        }
    }

    /// A list up to a reserved word, `)` or the end.
    fn list(&mut self) -> Result<(), ParseError> {
        loop {
            self.skip_seps();
            match self.peek() {
                None | Some(Tok::RParen) => return Ok(()),
                Some(Tok::Word(w)) if plain(w).is_some_and(|p| RESERVED.contains(&p.as_str())) => return Ok(()),
                _ => self.and_or()?,
            }
        }
    }

    fn and_or(&mut self) -> Result<(), ParseError> {
        self.pipeline()?;
        loop {
            let jump = match self.peek() {
                Some(Tok::And) => Op::JumpIfFail(0),
                Some(Tok::Or) => Op::JumpIfOk(0),
                _ => return Ok(()),
            };
            self.pos += 1;
            while self.peek() == Some(&Tok::Sep) {
                self.pos += 1;
            }
            let at = self.emit(jump);
            self.pipeline()?;
            let end = self.here();
            self.patch(at, end);
        }
    }

    fn pipeline(&mut self) -> Result<(), ParseError> {
        loop {
            // A placeholder that becomes `Silence(true)` when a pipe follows: only the last command's
            // output reaches the log. (Patching in place keeps every jump target valid.)
            let mark = self.emit(Op::Nop);
            self.command()?;
            if self.peek() != Some(&Tok::Pipe) {
                return Ok(());
            }
            self.pos += 1;
            if let Some(op) = self.prog.ops.get_mut(mark) {
                *op = Op::Silence(true);
            }
            self.emit(Op::Silence(false));
        }
    }

    fn command(&mut self) -> Result<(), ParseError> {
        match self.peek() {
            Some(Tok::LParen) => {
                self.pos += 1;
                self.list()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(self.unexpected());
                }
                self.pos += 1;
                return Ok(());
            }
            Some(Tok::Word(_)) => {}
            _ => return Err(self.unexpected()),
        }
        match self.peek_word().as_deref() {
            Some("while") | Some("until") => {
                let until = self.peek_word().as_deref() == Some("until");
                self.pos += 1;
                let top = self.here();
                self.list()?;
                let exit = self.emit(if until { Op::JumpIfOk(0) } else { Op::JumpIfFail(0) });
                self.expect_word("do")?;
                self.list()?;
                self.expect_word("done")?;
                self.emit(Op::Jump(top));
                let end = self.here();
                self.patch(exit, end);
                self.emit(Op::SetStatus(0));
            }
            Some("if") => {
                self.pos += 1;
                let mut ends = Vec::new();
                loop {
                    self.list()?;
                    let skip = self.emit(Op::JumpIfFail(0));
                    self.expect_word("then")?;
                    self.list()?;
                    ends.push(self.emit(Op::Jump(0)));
                    let next = self.here();
                    self.patch(skip, next);
                    self.skip_seps();
                    match self.peek_word().as_deref() {
                        Some("elif") => self.pos += 1,
                        Some("else") => {
                            self.pos += 1;
                            self.emit(Op::SetStatus(0));
                            self.list()?;
                            self.expect_word("fi")?;
                            break;
                        }
                        Some("fi") => {
                            self.pos += 1;
                            self.emit(Op::SetStatus(0));
                            break;
                        }
                        _ => return Err(self.unexpected()),
                    }
                }
                let end = self.here();
                for at in ends {
                    self.patch(at, end);
                }
            }
            Some("for") => {
                self.pos += 1;
                let var = self.peek_word().ok_or_else(|| self.unexpected())?;
                self.pos += 1;
                let mut items = Vec::new();
                if self.peek_word().as_deref() == Some("in") {
                    self.pos += 1;
                    while let Some(Tok::Word(w)) = self.peek() {
                        items.push(w.clone());
                        self.pos += 1;
                    }
                }
                let slot = self.prog.loop_slots;
                self.prog.loop_slots += 1;
                self.emit(Op::ForStart { slot, items });
                let top = self.emit(Op::ForNext { slot, var, end: 0 });
                self.expect_word("do")?;
                self.list()?;
                self.expect_word("done")?;
                self.emit(Op::Jump(top));
                let end = self.here();
                self.patch(top, end);
                self.emit(Op::SetStatus(0));
            }
            Some("{") => {
                self.pos += 1;
                self.list()?;
                self.expect_word("}")?;
            }
            _ => self.simple()?,
        }
        Ok(())
    }

    fn simple(&mut self) -> Result<(), ParseError> {
        let mut assigns = Vec::new();
        let mut words = Vec::new();
        while let Some(Tok::Word(w)) = self.peek() {
            let w = w.clone();
            if words.is_empty()
                && let Some((Part::Lit(first), false)) = w.first()
                && let Some((name, value)) = first.split_once('=')
                && !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
            {
                let mut rest: Word = vec![(Part::Lit(value.to_string()), false)];
                rest.extend(w.iter().skip(1).cloned());
                assigns.push((name.to_string(), rest));
                self.pos += 1;
                continue;
            }
            words.push(w);
            self.pos += 1;
        }
        self.emit(Op::Run { assigns, words });
        Ok(())
    }
}

/// Deepest `$(`/`(` nesting accepted: the compiler recurses once per level, and a pod spec could
/// otherwise nest deep enough to exhaust the stack.
const MAX_DEPTH: usize = 32;

/// Compiles a script.
pub fn compile(src: &str) -> Result<Program, ParseError> {
    let mut depth = 0usize;
    for c in src.chars() {
        match c {
            '(' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ParseError::TooDeep);
                }
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let toks = Lexer::tokens(src)?;
    let mut c = Compiler { toks, pos: 0, prog: Program::default() };
    c.list()?;
    if c.pos < c.toks.len() {
        return Err(c.unexpected());
    }
    Ok(c.prog)
}

/// A program running one command line given as argv (no shell parsing).
pub fn exec(argv: &[String]) -> Program {
    let words = argv.iter().map(|a| vec![(Part::Lit(a.clone()), true)]).collect();
    Program { ops: vec![Op::Run { assigns: Vec::new(), words }], loop_slots: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_lists_and_loops() {
        let p = compile("echo a; sleep 1 && echo b || echo c").unwrap();
        assert_eq!(p.ops.len(), 10);
        assert!(compile("while true; do echo hi; sleep 5; done").is_ok());
        assert!(compile("for i in 1 2 3; do echo $i; done").is_ok());
        assert!(compile("if [ -n \"$X\" ]; then echo y; else echo n; fi").is_ok());
        assert!(compile("echo $(hostname) | cat").is_ok());
    }

    #[test]
    fn odd_scripts_are_errors_not_panics() {
        for bad in ["echo 'x", "while true; do", ")", "if true; then echo", "echo ${x", "for; do done", "&& a"] {
            assert!(compile(bad).is_err(), "{bad}");
        }
        assert_eq!(compile("done").unwrap_err().to_string(), "syntax error: unexpected \"done\"");
        assert_eq!(compile(&"$(".repeat(10_000)), Err(ParseError::TooDeep));
        // Whatever the bytes, compiling and running never panics.
        let odd = [
            "'",
            "\"",
            "\\",
            "$",
            "${",
            "$((1/0))",
            "$((",
            "echo ${}",
            "((((",
            "))))",
            "|",
            ";;",
            "& &",
            "a=",
            "=x",
            "for i in; do :; done",
            "if; then fi",
            "while :; do done",
            "echo \"$(echo \"$(hostname)\")\"",
            "ü ñ ✓",
            "exit 99999999999999999999",
            "sleep -1",
            "sleep 1e9",
            "seq 1 999999999",
            "[ 1 -lt",
            "trap",
            "printf %",
            "sh -c",
            "sh -c 'exit 300'",
            "cat /etc/hostname /nope",
            "rm",
            "touch -",
            "test -f",
        ];
        for src in odd {
            if let Ok(p) = compile(src) {
                let mut m = super::super::Machine::new(p, Default::default(), "sh");
                let env = super::super::Surroundings { hostname: "h".into(), now_unix_ms: 0, net: None };
                let mut out = Vec::new();
                for _ in 0..3 {
                    m.run(&env, &mut out);
                }
            }
        }
    }
}
