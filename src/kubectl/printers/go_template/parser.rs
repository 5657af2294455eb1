//! The parser of Go's text/template (`parse.go`): tokens into a tree of actions, `if`/`with`/`range`
//! with `else` and `else if`, pipelines with declarations, and `define`/`template`. Errors carry Go's
//! wording ("unexpected {{end}}", "function \"foo\" not defined", "undefined variable \"$x\"", ...).

use std::collections::BTreeMap;

use super::ast::{Arg, BranchKind, Command, Constant, Node, Pipe};
use super::lexer::{Item, LexError, Tok, lex};

/// The functions a kubectl template may call: Go's builtins and kubectl's `exists` and `base64decode`.
pub(crate) const FUNCS: &[&str] = &[
    "and",
    "or",
    "not",
    "len",
    "index",
    "print",
    "printf",
    "println",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "exists",
    "base64decode",
];

/// A parsed template: the main tree and the templates it `define`s.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tree {
    pub root: Vec<Node>,
    pub defines: BTreeMap<String, Vec<Node>>,
}

/// Where the parser stopped a list.
enum End {
    /// `{{end}}`.
    Close,
    Else(usize),
    Eof,
}

/// How deeply control structures and parentheses may nest: the parser and the executor recurse, and
/// the browser's stack is small.
const MAX_NESTING: usize = 100;

struct Parser {
    items: Vec<Item>,
    nesting: usize,
    at: usize,
    vars: Vec<String>,
    range_depth: usize,
    defines: BTreeMap<String, Vec<Node>>,
}

type PResult<T> = Result<T, LexError>;

/// Parses a template.
pub(crate) fn parse(src: &str) -> PResult<Tree> {
    let items = lex(src)?;
    let mut p = Parser { items, nesting: 0, at: 0, vars: vec!["$".into()], range_depth: 0, defines: BTreeMap::new() };
    let (root, end) = p.list(true)?;
    match end {
        End::Eof => Ok(Tree { root, defines: p.defines }),
        End::Close => p.fail("unexpected {{end}}"),
        End::Else(_) => p.fail("unexpected {{else}}"),
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.items.get(self.at).map_or(&Tok::Eof, |i| &i.tok)
    }

    fn pos(&self) -> usize {
        self.items.get(self.at).map_or(0, |i| i.pos)
    }

    fn next(&mut self) -> Item {
        let item = self.items.get(self.at).cloned().unwrap_or(Item { tok: Tok::Eof, pos: 0 });
        self.at = (self.at + 1).min(self.items.len());
        item
    }

    fn skip_space(&mut self) {
        while *self.peek() == Tok::Space {
            self.at += 1;
        }
    }

    fn next_non_space(&mut self) -> Item {
        self.skip_space();
        self.next()
    }

    fn fail<T>(&self, msg: impl Into<String>) -> PResult<T> {
        let pos = self.items.get(self.at.saturating_sub(1)).map_or(0, |i| i.pos);
        Err(LexError { msg: msg.into(), pos })
    }

    fn unexpected<T>(&self, tok: &Tok, context: &str) -> PResult<T> {
        self.fail(format!("unexpected {} in {context}", describe(tok)))
    }

    /// Statements until `{{end}}`, `{{else}}` or the end of input.
    fn list(&mut self, top: bool) -> PResult<(Vec<Node>, End)> {
        self.nest()?;
        let result = self.list_items(top);
        self.nesting -= 1;
        result
    }

    fn nest(&mut self) -> PResult<()> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            self.nesting -= 1;
            return self.fail(format!("template nests more than {MAX_NESTING} levels deep"));
        }
        Ok(())
    }

    fn list_items(&mut self, top: bool) -> PResult<(Vec<Node>, End)> {
        let mut nodes = Vec::new();
        loop {
            let item = self.next();
            match item.tok {
                Tok::Eof => {
                    if top {
                        return Ok((nodes, End::Eof));
                    }
                    return self.fail("unexpected EOF");
                }
                Tok::Text(t) => nodes.push(Node::Text(t)),
                Tok::LeftDelim => {
                    self.skip_space();
                    let start = self.pos();
                    if let Tok::Ident(word) = self.peek().clone() {
                        match word.as_str() {
                            "end" => {
                                self.at += 1;
                                self.expect_close("end")?;
                                return Ok((nodes, End::Close));
                            }
                            "else" => {
                                self.at += 1;
                                return Ok((nodes, End::Else(start)));
                            }
                            _ => {}
                        }
                    }
                    if let Some(node) = self.action()? {
                        nodes.push(node);
                    }
                }
                other => return self.unexpected(&other, "input"),
            }
        }
    }

    fn expect_close(&mut self, context: &str) -> PResult<()> {
        let item = self.next_non_space();
        if item.tok != Tok::RightDelim {
            return self.unexpected(&item.tok, context);
        }
        Ok(())
    }

    /// One action after `{{`; None for a `define`, which is stored aside.
    fn action(&mut self) -> PResult<Option<Node>> {
        let pos = self.pos();
        if let Tok::Ident(word) = self.peek().clone() {
            let kind = match word.as_str() {
                "if" => Some(BranchKind::If),
                "with" => Some(BranchKind::With),
                "range" => Some(BranchKind::Range),
                _ => None,
            };
            if let Some(kind) = kind {
                self.at += 1;
                return self.branch(kind, pos).map(Some);
            }
            match word.as_str() {
                "break" | "continue" => {
                    self.at += 1;
                    if self.range_depth == 0 {
                        return self.fail(format!("{{{{{word}}}}} outside {{{{range}}}}"));
                    }
                    self.expect_close(&word)?;
                    return Ok(Some(if word == "break" { Node::Break(pos) } else { Node::Continue(pos) }));
                }
                "template" => {
                    self.at += 1;
                    return self.template().map(Some);
                }
                "define" => {
                    self.at += 1;
                    self.define()?;
                    return Ok(None);
                }
                "block" => return self.fail("block is not supported in this simulation"),
                _ => {}
            }
        }
        let pipe = self.pipeline("command", false)?;
        Ok(Some(Node::Action(pipe)))
    }

    fn branch(&mut self, kind: BranchKind, pos: usize) -> PResult<Node> {
        let marks = self.vars.len();
        let pipe = self.pipeline(kind.as_str(), kind == BranchKind::Range)?;
        if kind == BranchKind::Range {
            self.range_depth += 1;
        }
        let (body, end) = self.list(false)?;
        if kind == BranchKind::Range {
            self.range_depth -= 1;
        }
        let otherwise = match end {
            End::Close => None,
            End::Else(else_pos) => {
                self.skip_space();
                let chained = match self.peek() {
                    Tok::Ident(w) if w == "if" && kind != BranchKind::Range => Some(BranchKind::If),
                    Tok::Ident(w) if w == "with" && kind == BranchKind::With => Some(BranchKind::With),
                    _ => None,
                };
                if let Some(inner) = chained {
                    // `{{else if X}}` is `{{else}}{{if X}}...{{end}}{{end}}` sharing the outer end.
                    self.at += 1;
                    Some(vec![self.branch(inner, else_pos)?])
                } else {
                    self.expect_close("else")?;
                    let (list, end) = self.list(false)?;
                    if let End::Else(_) = end {
                        return self.fail("expected end; found {{else}}");
                    }
                    Some(list)
                }
            }
            End::Eof => return self.fail("unexpected EOF"),
        };
        self.vars.truncate(marks);
        Ok(Node::Branch { kind, pos, pipe, body, otherwise })
    }

    fn quoted_name(&mut self, context: &str) -> PResult<(usize, String)> {
        let item = self.next_non_space();
        match &item.tok {
            Tok::Str(q) => match unquote(q) {
                Some(s) => Ok((item.pos, s)),
                None => self.fail(format!("{context}: bad quoted string")),
            },
            other => self.unexpected(other, &format!("{context} clause")),
        }
    }

    fn template(&mut self) -> PResult<Node> {
        let (pos, name) = self.quoted_name("template")?;
        self.skip_space();
        let pipe = if *self.peek() == Tok::RightDelim {
            self.at += 1;
            None
        } else {
            Some(self.pipeline("template", false)?)
        };
        Ok(Node::Template { pos, name, pipe })
    }

    fn define(&mut self) -> PResult<()> {
        let (_, name) = self.quoted_name("define")?;
        self.expect_close("define clause")?;
        let vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let (body, end) = self.list(false)?;
        self.vars = vars;
        if let End::Else(_) = end {
            return self.fail("unexpected {{else}}");
        }
        self.defines.insert(name, body);
        Ok(())
    }

    /// A pipeline up to `}}` (or `)` when `paren`), with its declarations.
    fn pipeline(&mut self, context: &str, range: bool) -> PResult<Pipe> {
        self.pipe_until(context, range, false)
    }

    fn pipe_until(&mut self, context: &str, range: bool, paren: bool) -> PResult<Pipe> {
        self.skip_space();
        let pos = self.pos();
        let (decl, assign) = self.declarations(range)?;
        let mut cmds = Vec::new();
        loop {
            self.skip_space();
            match self.peek().clone() {
                Tok::RightDelim if !paren => {
                    self.at += 1;
                    break;
                }
                Tok::RightParen if paren => {
                    self.at += 1;
                    break;
                }
                Tok::RightDelim | Tok::RightParen => {
                    let tok = self.next().tok;
                    return self.unexpected(&tok, "operand");
                }
                _ => cmds.push(self.command()?),
            }
        }
        if cmds.is_empty() {
            return self.fail(format!("missing value for {context}"));
        }
        for (i, c) in cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number { .. } | Arg::Str { .. })
            ) {
                return self.fail(format!("non executable command in pipeline stage {}", i + 1));
            }
        }
        Ok(Pipe { pos, decl, assign, cmds })
    }

    /// `$x :=`, `$x =` or (in `range`) `$i, $e :=`; rewinds when the variable is an operand instead.
    fn declarations(&mut self, range: bool) -> PResult<(Vec<String>, bool)> {
        let mark = self.at;
        let mut names = Vec::new();
        while let Tok::Variable(name) = self.peek().clone() {
            self.at += 1;
            self.skip_space();
            match self.next().tok {
                Tok::Declare => {
                    names.push(name);
                    self.vars.extend(names.iter().cloned());
                    return Ok((names, false));
                }
                Tok::Assign => {
                    names.push(name);
                    return Ok((names, true));
                }
                Tok::Char(',') if range && names.is_empty() => {
                    names.push(name);
                    self.skip_space();
                }
                Tok::Char(',') => return self.fail("range can only initialize variables"),
                _ => break,
            }
        }
        self.at = mark;
        Ok((Vec::new(), false))
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.pos();
        let mut args = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                Tok::RightDelim | Tok::RightParen => break,
                Tok::Pipe => {
                    self.at += 1;
                    if args.is_empty() {
                        return self.fail("missing command");
                    }
                    break;
                }
                _ => {
                    let arg = self.operand()?;
                    args.push(arg);
                    // Operands must be separated by spaces (Go: "missing space?").
                    if !matches!(self.peek(), Tok::Space | Tok::RightDelim | Tok::RightParen | Tok::Pipe) {
                        let tok = self.peek().clone();
                        return self.unexpected(&tok, "operand");
                    }
                }
            }
        }
        if args.is_empty() {
            return self.fail("empty command");
        }
        Ok(Command { pos, args })
    }

    fn operand(&mut self) -> PResult<Arg> {
        let item = self.next();
        let pos = item.pos;
        let arg = match item.tok {
            Tok::Ident(name) => match name.as_str() {
                "true" | "false" => Arg::Bool(pos, name == "true"),
                "nil" => Arg::Nil(pos),
                _ if FUNCS.contains(&name.as_str()) => Arg::Ident { pos, name },
                _ => return self.fail(format!("function {name:?} not defined")),
            },
            Tok::Dot => Arg::Dot(pos),
            Tok::Field(f) => Arg::Field { pos, idents: vec![f] },
            Tok::Variable(name) => {
                if !self.vars.contains(&name) {
                    return self.fail(format!("undefined variable {name:?}"));
                }
                Arg::Variable { pos, name, idents: Vec::new() }
            }
            Tok::Str(quoted) => match unquote(&quoted) {
                Some(value) => Arg::Str { pos, quoted, value },
                None => return self.fail(format!("invalid syntax: {quoted}")),
            },
            Tok::CharConst(text) => match unquote(&text).and_then(|s| {
                let mut chars = s.chars();
                chars.next().filter(|_| chars.next().is_none())
            }) {
                Some(c) => Arg::Number { pos, text, value: Constant::Rune(c as i32) },
                None => return self.fail(format!("malformed character constant: {text}")),
            },
            Tok::Number(text) => match number(&text) {
                Some(value) => Arg::Number { pos, text, value },
                None => return self.fail(format!("illegal number syntax: {text:?}")),
            },
            Tok::LeftParen => {
                self.nest()?;
                let pipe = self.pipe_until("parenthesized pipeline", false, true);
                self.nesting -= 1;
                let pipe = pipe?;
                Arg::Pipe { pos, pipe: Box::new(pipe), idents: Vec::new() }
            }
            other => return self.unexpected(&other, "operand"),
        };
        let mut fields = Vec::new();
        let mut chain_pos = None;
        while let Tok::Field(f) = self.peek().clone() {
            chain_pos.get_or_insert(self.pos());
            self.at += 1;
            fields.push(f);
        }
        if fields.is_empty() {
            return Ok(arg);
        }
        let chain_pos = chain_pos.unwrap_or(pos);
        match arg {
            Arg::Field { mut idents, .. } => {
                idents.extend(fields);
                Ok(Arg::Field { pos: chain_pos, idents })
            }
            Arg::Variable { name, pos, .. } => Ok(Arg::Variable { pos, name, idents: fields }),
            Arg::Pipe { pipe, .. } => Ok(Arg::Pipe { pos: chain_pos, pipe, idents: fields }),
            Arg::Bool(..) | Arg::Str { .. } | Arg::Nil(_) | Arg::Number { .. } | Arg::Dot(_) | Arg::Ident { .. } => {
                self.fail(format!("unexpected . after term {:?}", arg.to_string()))
            }
        }
    }
}

/// How Go's parser names a token in "unexpected X in Y".
fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Eof => "EOF".into(),
        Tok::RightDelim => "\"}}\"".into(),
        Tok::LeftDelim => "\"{{\"".into(),
        Tok::RightParen => "\")\"".into(),
        Tok::LeftParen => "\"(\"".into(),
        Tok::Pipe => "\"|\"".into(),
        Tok::Declare => "\":=\"".into(),
        Tok::Assign => "\"=\"".into(),
        Tok::Space => "space".into(),
        Tok::Char(c) => format!("{:?}", c.to_string()),
        Tok::Text(t) | Tok::Field(t) | Tok::Variable(t) | Tok::Ident(t) | Tok::Number(t) => format!("{t:?}"),
        Tok::Str(t) | Tok::CharConst(t) => format!("<{t}>"),
        Tok::Dot => "<.>".into(),
    }
}

/// A Go numeric literal typed as `idealConstant` types it.
fn number(text: &str) -> Option<Constant> {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match clean.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let lower = body.to_ascii_lowercase();
    let int = if let Some(h) = lower.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()
    } else if let Some(o) = lower.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()
    } else if let Some(b) = lower.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()
    } else if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|b| b.is_ascii_digit()) {
        i64::from_str_radix(&lower[1..], 8).ok()
    } else {
        lower.parse::<i64>().ok()
    };
    let hex = lower.starts_with("0x");
    if !hex && lower.contains(['.', 'e']) {
        let f: f64 = lower.parse().ok()?;
        return Some(Constant::Float(if neg { -f } else { f }));
    }
    int.map(|i| Constant::Int(if neg { -i } else { i }))
}

/// Go's `strconv.Unquote` for `"..."`, `` `...` `` and `'.'`.
pub(crate) fn unquote(q: &str) -> Option<String> {
    if let Some(raw) = q.strip_prefix('`') {
        return raw.strip_suffix('`').map(|s| s.replace('\r', ""));
    }
    let quote = q.chars().next()?;
    let body = q.strip_prefix(quote)?.strip_suffix(quote)?;
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        let hex = |chars: &mut std::str::Chars<'_>, n: usize| -> Option<u32> {
            let s: String = chars.by_ref().take(n).collect();
            if s.len() != n {
                return None;
            }
            u32::from_str_radix(&s, 16).ok()
        };
        match e {
            'a' => out.push('\u{07}'),
            'b' => out.push('\u{08}'),
            'f' => out.push('\u{0C}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{0B}'),
            '\\' => out.push('\\'),
            '"' if quote == '"' => out.push('"'),
            '\'' if quote == '\'' => out.push('\''),
            'x' => out.push(char::from_u32(hex(&mut chars, 2)?)?),
            'u' => out.push(char::from_u32(hex(&mut chars, 4)?)?),
            'U' => out.push(char::from_u32(hex(&mut chars, 8)?)?),
            '0'..='7' => {
                let rest: String = chars.by_ref().take(2).collect();
                let v = u32::from_str_radix(&format!("{e}{rest}"), 8).ok().filter(|v| *v < 256)?;
                out.push(char::from_u32(v)?);
            }
            _ => return None,
        }
    }
    Some(out)
}
