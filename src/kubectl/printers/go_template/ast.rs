//! The parse tree of a Go template (text/template/parse's nodes) and each node's `String()`, which Go
//! quotes in execution errors (`executing "output" at <index .spec 5>: ...`).

use std::fmt;

/// A statement: text, an action, or a control structure.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Text(String),
    Action(Pipe),
    /// `if`, `with` and `range`: the pipeline, the body and the `else` branch.
    Branch {
        kind: BranchKind,
        pos: usize,
        pipe: Pipe,
        body: Vec<Node>,
        otherwise: Option<Vec<Node>>,
    },
    Break(usize),
    Continue(usize),
    /// `{{template "name" PIPE}}`.
    Template {
        pos: usize,
        name: String,
        pipe: Option<Pipe>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BranchKind {
    If,
    With,
    Range,
}

impl BranchKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            BranchKind::If => "if",
            BranchKind::With => "with",
            BranchKind::Range => "range",
        }
    }
}

/// A pipeline: optional variable declarations (`$x :=` or `$i, $e :=`) and commands joined by `|`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pipe {
    pub pos: usize,
    pub decl: Vec<String>,
    pub assign: bool,
    pub cmds: Vec<Command>,
}

/// One stage of a pipeline: a function or operand and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Command {
    pub pos: usize,
    pub args: Vec<Arg>,
}

/// An operand.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    /// `.a.b`; `pos` is where Go places the node (the second field of a chain).
    Field {
        pos: usize,
        idents: Vec<String>,
    },
    /// `$x.a.b`.
    Variable {
        pos: usize,
        name: String,
        idents: Vec<String>,
    },
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    Number {
        pos: usize,
        text: String,
        value: Constant,
    },
    Str {
        pos: usize,
        quoted: String,
        value: String,
    },
    /// A function name.
    Ident {
        pos: usize,
        name: String,
    },
    /// `(pipeline)`, possibly followed by fields: `(index .items 0).name`.
    Pipe {
        pos: usize,
        pipe: Box<Pipe>,
        idents: Vec<String>,
    },
}

/// A numeric constant as Go's `idealConstant` types it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Constant {
    Int(i64),
    /// A character constant (`'a'`): Go's `rune`, an int32.
    Rune(i32),
    Float(f64),
}

impl Arg {
    pub(crate) fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Dot(pos)
            | Arg::Nil(pos)
            | Arg::Bool(pos, _)
            | Arg::Number { pos, .. }
            | Arg::Str { pos, .. }
            | Arg::Ident { pos, .. }
            | Arg::Pipe { pos, .. } => *pos,
        }
    }
}

fn write_idents(f: &mut fmt::Formatter<'_>, idents: &[String]) -> fmt::Result {
    idents.iter().try_for_each(|i| write!(f, ".{i}"))
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { idents, .. } => write_idents(f, idents),
            Arg::Variable { name, idents, .. } => {
                f.write_str(name)?;
                write_idents(f, idents)
            }
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number { text, .. } => f.write_str(text),
            Arg::Str { quoted, .. } => f.write_str(quoted),
            Arg::Ident { name, .. } => f.write_str(name),
            Arg::Pipe { pipe, idents, .. } => {
                write!(f, "({pipe})")?;
                write_idents(f, idents)
            }
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            f.write_str(&self.decl.join(", "))?;
            f.write_str(if self.assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Text(t) => write!(f, "{t:?}"),
            Node::Action(p) => write!(f, "{{{{{p}}}}}"),
            Node::Branch { kind, pipe, .. } => write!(f, "{{{{{} {pipe}}}}}", kind.as_str()),
            Node::Break(_) => f.write_str("{{break}}"),
            Node::Continue(_) => f.write_str("{{continue}}"),
            Node::Template { name, pipe: None, .. } => write!(f, "{{{{template {name:?}}}}}"),
            Node::Template { name, pipe: Some(p), .. } => write!(f, "{{{{template {name:?} {p}}}}}"),
        }
    }
}
