//! The lexer of Go's text/template (`lex.go`): text and `{{ }}` actions, trim markers (`{{- ` and
//! ` -}}`), comments, and the tokens inside actions, with Go's messages for what it refuses
//! ("unclosed action", "bad character U+007D '}'", "bad number syntax: \"1a\"", ...).

/// One token inside an action, or the text between actions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Text(String),
    LeftDelim,
    RightDelim,
    Space,
    /// `.name` (without the dot).
    Field(String),
    /// `$name` (with the dollar; `$` alone is the root).
    Variable(String),
    Dot,
    /// A function name or keyword (`if`, `range`, `true`, `nil`, ...).
    Ident(String),
    Number(String),
    /// A quoted string (`"..."`, `` `...` ``) as written.
    Str(String),
    /// A character constant as written (`'a'`).
    CharConst(String),
    Pipe,
    Declare,
    Assign,
    LeftParen,
    RightParen,
    /// Any other printable ASCII character, such as `,`.
    Char(char),
    Eof,
}

/// A token and where it starts (a byte offset into the template).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Item {
    pub tok: Tok,
    pub pos: usize,
}

/// What the lexer refuses: Go's message and the byte offset where the bad token started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LexError {
    pub msg: String,
    pub pos: usize,
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";

/// Go's `isSpace`: the characters that separate tokens and that trim markers remove.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Go's `%#U` of a character: `U+007D '}'`.
pub(crate) fn sharp_u(c: char) -> String {
    let code = format!("U+{:04X}", c as u32);
    if c.is_control() { code } else { format!("{code} '{c}'") }
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    items: Vec<Item>,
    paren_depth: usize,
}

/// Splits a template into tokens.
pub(crate) fn lex(src: &str) -> Result<Vec<Item>, LexError> {
    let mut l = Lexer { src, pos: 0, items: Vec::new(), paren_depth: 0 };
    l.run()?;
    Ok(l.items)
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn emit(&mut self, tok: Tok, pos: usize) {
        self.items.push(Item { tok, pos });
    }

    fn fail<T>(&self, msg: impl Into<String>, pos: usize) -> Result<T, LexError> {
        Err(LexError { msg: msg.into(), pos })
    }

    fn run(&mut self) -> Result<(), LexError> {
        let mut trim_next = false;
        loop {
            let start = self.pos;
            let Some(at) = self.rest().find(LEFT) else {
                let text = self.rest();
                let text = if trim_next { text.trim_start_matches(is_space) } else { text };
                if !text.is_empty() {
                    self.emit(Tok::Text(text.to_string()), start);
                }
                self.emit(Tok::Eof, self.src.len());
                return Ok(());
            };
            let after = self.rest().get(at + LEFT.len()..).unwrap_or("");
            let trim_left = after.starts_with('-') && after[1..].starts_with(is_space);
            let mut text = &self.rest()[..at];
            if trim_next {
                text = text.trim_start_matches(is_space);
            }
            if trim_left {
                text = text.trim_end_matches(is_space);
            }
            if !text.is_empty() {
                self.emit(Tok::Text(text.to_string()), start);
            }
            self.pos += at + LEFT.len();
            let delim = self.pos - LEFT.len();
            if trim_left {
                self.pos += 2;
            }
            trim_next = self.action(delim)?;
        }
    }

    /// After a right delimiter: whether it carried a trim marker.
    fn right_delim(&mut self) -> Option<bool> {
        let rest = self.rest();
        if rest.starts_with(RIGHT) {
            self.pos += RIGHT.len();
            return Some(false);
        }
        let spaces = rest.len() - rest.trim_start_matches(is_space).len();
        if spaces > 0 && rest[spaces..].starts_with("-}}") {
            self.pos += spaces + 1 + RIGHT.len();
            return Some(true);
        }
        None
    }

    /// Lexes one action (after its `{{`); returns whether the text after it is trimmed.
    fn action(&mut self, delim: usize) -> Result<bool, LexError> {
        let rest = self.rest();
        let spaces = rest.len() - rest.trim_start_matches(is_space).len();
        if rest[spaces..].starts_with("/*") {
            return self.comment(delim, spaces);
        }
        self.emit(Tok::LeftDelim, delim);
        self.paren_depth = 0;
        loop {
            let start = self.pos;
            if let Some(trim) = self.right_delim() {
                if self.paren_depth > 0 {
                    return self.fail("unclosed left paren", start);
                }
                self.emit(Tok::RightDelim, start);
                return Ok(trim);
            }
            let Some(c) = self.peek() else { return self.fail("unclosed action", start) };
            self.pos += c.len_utf8();
            match c {
                c if is_space(c) => {
                    let rest = self.rest();
                    let more = rest.len() - rest.trim_start_matches(is_space).len();
                    if !rest[more..].starts_with("-}}") {
                        self.pos += more;
                        self.emit(Tok::Space, start);
                    } else {
                        self.pos = start;
                        if let Some(trim) = self.right_delim() {
                            self.emit(Tok::RightDelim, start);
                            return Ok(trim);
                        }
                    }
                }
                '=' => self.emit(Tok::Assign, start),
                ':' => {
                    if self.peek() != Some('=') {
                        return self.fail("expected :=", start);
                    }
                    self.pos += 1;
                    self.emit(Tok::Declare, start);
                }
                '|' => self.emit(Tok::Pipe, start),
                '"' => self.quote(start, '"')?,
                '`' => self.quote(start, '`')?,
                '\'' => self.quote(start, '\'')?,
                '$' => {
                    let name = self.word();
                    self.terminator()?;
                    self.emit(Tok::Variable(format!("${name}")), start);
                }
                '.' if self.peek().is_some_and(|c| c.is_ascii_digit()) => {
                    self.pos = start;
                    self.number(start)?;
                }
                '.' => {
                    let name = self.word();
                    self.terminator()?;
                    self.emit(if name.is_empty() { Tok::Dot } else { Tok::Field(name) }, start);
                }
                '+' | '-' | '0'..='9' => {
                    self.pos = start;
                    self.number(start)?;
                }
                c if is_alnum(c) => {
                    self.pos = start;
                    let name = self.word();
                    self.terminator()?;
                    self.emit(Tok::Ident(name), start);
                }
                '(' => {
                    self.paren_depth += 1;
                    self.emit(Tok::LeftParen, start);
                }
                ')' => {
                    if self.paren_depth == 0 {
                        return self.fail("unexpected right paren", start);
                    }
                    self.paren_depth -= 1;
                    self.emit(Tok::RightParen, start);
                }
                c if c.is_ascii() && !c.is_ascii_control() => self.emit(Tok::Char(c), start),
                c => return self.fail(format!("unrecognized character in action: {}", sharp_u(c)), start),
            }
        }
    }

    fn comment(&mut self, delim: usize, spaces: usize) -> Result<bool, LexError> {
        self.pos += spaces + 2;
        let Some(end) = self.rest().find("*/") else { return self.fail("unclosed comment", delim) };
        self.pos += end + 2;
        match self.right_delim() {
            Some(trim) => Ok(trim),
            None => self.fail("comment ends before closing delimiter", delim),
        }
    }

    fn word(&mut self) -> String {
        let rest = self.rest();
        let len = rest.len() - rest.trim_start_matches(is_alnum).len();
        let w = rest[..len].to_string();
        self.pos += len;
        w
    }

    /// Go's `atTerminator`: what may follow a field, variable or identifier.
    fn terminator(&self) -> Result<(), LexError> {
        let rest = self.rest();
        match rest.chars().next() {
            None => Ok(()),
            Some(c) if is_space(c) || matches!(c, '.' | ',' | '|' | ':' | ')' | '(') => Ok(()),
            Some(_) if rest.starts_with(RIGHT) => Ok(()),
            Some(c) => self.fail(format!("bad character {}", sharp_u(c)), self.pos),
        }
    }

    fn quote(&mut self, start: usize, q: char) -> Result<(), LexError> {
        let mut escaped = false;
        loop {
            let Some(c) = self.peek() else {
                let msg = match q {
                    '`' => "unterminated raw quoted string",
                    '\'' => "unterminated character constant",
                    _ => "unterminated quoted string",
                };
                return self.fail(msg, start);
            };
            self.pos += c.len_utf8();
            if q != '`' && c == '\n' {
                let what = if q == '"' { "unterminated quoted string" } else { "unterminated character constant" };
                return self.fail(what, start);
            }
            if escaped {
                escaped = false;
            } else if c == '\\' && q != '`' {
                escaped = true;
            } else if c == q {
                break;
            }
        }
        let text = self.src[start..self.pos].to_string();
        self.emit(if q == '\'' { Tok::CharConst(text) } else { Tok::Str(text) }, start);
        Ok(())
    }

    /// Go's `scanNumber`: an optional sign, digits in base 10/16/8/2, a fraction and an exponent.
    fn number(&mut self, start: usize) -> Result<(), LexError> {
        let bytes = self.src.as_bytes();
        let mut i = self.pos;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let mut digits: &[u8] = b"0123456789_";
        let mut exp: &[u8] = b"eE";
        if bytes.get(i) == Some(&b'0') {
            match bytes.get(i + 1) {
                Some(b'x' | b'X') => {
                    i += 2;
                    digits = b"0123456789abcdefABCDEF_";
                    exp = b"pP";
                }
                Some(b'o' | b'O') => {
                    i += 2;
                    digits = b"01234567_";
                    exp = b"";
                }
                Some(b'b' | b'B') => {
                    i += 2;
                    digits = b"01_";
                    exp = b"";
                }
                _ => {}
            }
        }
        let run = |i: &mut usize, set: &[u8]| {
            while bytes.get(*i).is_some_and(|b| set.contains(b)) {
                *i += 1;
            }
        };
        run(&mut i, digits);
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            run(&mut i, digits);
        }
        if !exp.is_empty() && bytes.get(i).is_some_and(|b| exp.contains(b)) {
            i += 1;
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            run(&mut i, b"0123456789_");
        }
        if bytes.get(i) == Some(&b'i') {
            i += 1;
        }
        let next = self.src.get(i..).and_then(|r| r.chars().next());
        if next.is_some_and(is_alnum) {
            let end = i + next.map_or(0, char::len_utf8);
            return self.fail(format!("bad number syntax: \"{}\"", &self.src[start..end]), start);
        }
        self.pos = i;
        self.emit(Tok::Number(self.src[start..i].to_string()), start);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).map(|v| v.into_iter().map(|i| i.tok).collect()).unwrap_or_default()
    }

    #[test]
    fn trims_and_tokens() {
        assert_eq!(
            toks("a  {{- .x -}}  b"),
            vec![
                Tok::Text("a".into()),
                Tok::LeftDelim,
                Tok::Field("x".into()),
                Tok::RightDelim,
                Tok::Text("b".into()),
                Tok::Eof
            ]
        );
        assert_eq!(toks("{{/* c */}}x"), vec![Tok::Text("x".into()), Tok::Eof]);
        assert_eq!(lex("{{.a}").err().map(|e| e.msg), Some("bad character U+007D '}'".into()));
        assert_eq!(lex("{{1a}}").err().map(|e| e.msg), Some("bad number syntax: \"1a\"".into()));
        assert_eq!(lex("{{.a").err().map(|e| e.msg), Some("unclosed action".into()));
    }
}
