//! Executing a parsed template (text/template's `exec.go`) over kubectl's unstructured object: fields
//! of maps, variables and their scopes, `if`/`with`/`range` with `break` and `continue`, pipelines
//! and `template` calls. Output is written as it is produced, so a failure leaves what came before it
//! (kubectl shows that partial output too). Recursion, steps and output size are bounded.

use std::borrow::Cow;

use serde_json::Value;

use super::ast::{Arg, BranchKind, Command, Constant, Node, Pipe};
use super::parser::Tree;
use super::value::Val;

/// Go's `maxExecDepth` is far deeper; a playground needs only a guard against self-recursion that
/// fits the browser's stack.
const MAX_DEPTH: usize = 100;
/// The most nodes one execution may evaluate (`{{range 1000000000}}` must end).
const MAX_STEPS: usize = 5_000_000;
/// The most bytes a template may print.
pub(crate) const MAX_OUTPUT: usize = 8 << 20;

/// An execution error: where (`line:col` and the node's text) and Go's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExecError {
    pub pos: usize,
    pub context: String,
    pub msg: String,
    /// The template being executed (`output`, or a `define`d name).
    pub name: String,
}

pub(crate) enum Flow {
    Break,
    Continue,
    Fail(ExecError),
}

pub(crate) type Res<T> = Result<T, Flow>;

pub(crate) struct Exec<'a> {
    pub tree: &'a Tree,
    pub out: String,
    vars: Vec<(String, Val<'a>)>,
    depth: usize,
    steps: usize,
    pub missing_error: bool,
    name: String,
}

impl<'a> Exec<'a> {
    pub(crate) fn new(tree: &'a Tree, root: &'a Value, missing_error: bool) -> Self {
        Exec {
            tree,
            out: String::new(),
            vars: vec![("$".into(), Val::data(root))],
            depth: 0,
            steps: 0,
            missing_error,
            name: "output".into(),
        }
    }

    pub(crate) fn fail<T>(&self, pos: usize, context: impl ToString, msg: impl Into<String>) -> Res<T> {
        Err(self.error(pos, context, msg))
    }

    pub(crate) fn error(&self, pos: usize, context: impl ToString, msg: impl Into<String>) -> Flow {
        Flow::Fail(ExecError { pos, context: context.to_string(), msg: msg.into(), name: self.name.clone() })
    }

    fn step(&mut self, pos: usize, context: &dyn std::fmt::Display) -> Res<()> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return self.fail(pos, context, "template ran too long (more than 5000000 steps)");
        }
        if self.out.len() > MAX_OUTPUT {
            return self.fail(pos, context, "template output is too large (more than 8 MiB)");
        }
        Ok(())
    }

    pub(crate) fn run(&mut self, nodes: &'a [Node], dot: &Val<'a>) -> Res<()> {
        for node in nodes {
            self.walk(node, dot)?;
        }
        Ok(())
    }

    fn walk(&mut self, node: &'a Node, dot: &Val<'a>) -> Res<()> {
        match node {
            Node::Text(t) => {
                self.step(0, &"text")?;
                self.out.push_str(t);
                Ok(())
            }
            Node::Action(pipe) => {
                self.step(pipe.pos, pipe)?;
                let v = self.pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.out.push_str(&v.printed());
                }
                Ok(())
            }
            Node::Branch { kind: BranchKind::Range, pos, pipe, body, otherwise } => {
                self.range(dot, *pos, pipe, body, otherwise.as_deref(), node)
            }
            Node::Branch { kind, pipe, body, otherwise, .. } => {
                self.step(pipe.pos, pipe)?;
                let mark = self.vars.len();
                let v = self.pipeline(dot, pipe)?;
                let result = if v.truth() {
                    let inner = if *kind == BranchKind::With { v } else { dot.clone() };
                    self.run(body, &inner)
                } else if let Some(other) = otherwise {
                    self.run(other, dot)
                } else {
                    Ok(())
                };
                self.vars.truncate(mark);
                result
            }
            Node::Break(_) => Err(Flow::Break),
            Node::Continue(_) => Err(Flow::Continue),
            Node::Template { pos, name, pipe } => {
                let Some(body) = self.tree.defines.get(name) else {
                    return self.fail(*pos, node, format!("template {name:?} not defined"));
                };
                let data = match pipe {
                    Some(p) => self.pipeline(dot, p)?,
                    None => Val::Missing,
                };
                if self.depth >= MAX_DEPTH {
                    return self.fail(*pos, node, format!("exceeded maximum template depth ({MAX_DEPTH})"));
                }
                self.depth += 1;
                let vars = std::mem::replace(&mut self.vars, vec![("$".into(), data.clone())]);
                let outer = std::mem::replace(&mut self.name, name.clone());
                let result = self.run(body, &data);
                self.vars = vars;
                self.name = outer;
                self.depth -= 1;
                result
            }
        }
    }

    fn range(
        &mut self,
        dot: &Val<'a>,
        pos: usize,
        pipe: &'a Pipe,
        body: &'a [Node],
        otherwise: Option<&'a [Node]>,
        node: &'a Node,
    ) -> Res<()> {
        self.step(pos, pipe)?;
        let mark = self.vars.len();
        let v = self.pipeline(dot, pipe)?;
        let items: Vec<(Val<'a>, Val<'a>)> = match v.clone().unbox() {
            Val::List(Value::Array(a)) => {
                a.iter().enumerate().map(|(i, e)| (Val::Int(i as i64), Val::Boxed(e))).collect()
            }
            Val::Map(Value::Object(m)) => {
                m.iter().map(|(k, e)| (Val::Str(Cow::Borrowed(k.as_str())), Val::Boxed(e))).collect()
            }
            Val::Missing => Vec::new(),
            Val::Int(n) | Val::Int64(n) => {
                if pipe.decl.len() > 1 {
                    return self.fail(pos, node, format!("can't use {n} to iterate over more than one variable"));
                }
                let n = n.clamp(0, MAX_STEPS as i64);
                (0..n)
                    .map(|i| (Val::Int(i), if matches!(v, Val::Int64(_)) { Val::Int64(i) } else { Val::Int(i) }))
                    .collect()
            }
            other => return self.fail(pos, node, format!("range can't iterate over {}", other.sprint())),
        };
        let empty = items.is_empty();
        for (index, elem) in items {
            self.step(pos, pipe)?;
            match pipe.decl.as_slice() {
                [] => {}
                [one] => self.set_var(one, elem.clone(), pipe.assign, mark),
                [first, second, ..] => {
                    self.set_var(first, index, pipe.assign, mark);
                    self.set_var(second, elem.clone(), pipe.assign, mark);
                }
            }
            let inner_mark = self.vars.len();
            let r = self.run(body, &elem);
            self.vars.truncate(inner_mark);
            match r {
                Ok(()) | Err(Flow::Continue) => {}
                Err(Flow::Break) => break,
                Err(e) => {
                    self.vars.truncate(mark);
                    return Err(e);
                }
            }
        }
        let result = match otherwise {
            Some(other) if empty => self.run(other, dot),
            _ => Ok(()),
        };
        self.vars.truncate(mark);
        result
    }

    /// Sets a variable of a `range` declaration for one iteration.
    fn set_var(&mut self, name: &str, v: Val<'a>, assign: bool, mark: usize) {
        let slot = if assign {
            self.vars.iter_mut().rev().find(|(n, _)| n == name)
        } else {
            self.vars.iter_mut().skip(mark).rev().find(|(n, _)| n == name)
        };
        if let Some(slot) = slot {
            slot.1 = v;
        }
    }

    fn var(&self, name: &str) -> Val<'a> {
        self.vars.iter().rev().find(|(n, _)| n == name).map_or(Val::Missing, |(_, v)| v.clone())
    }

    pub(crate) fn pipeline(&mut self, dot: &Val<'a>, pipe: &'a Pipe) -> Res<Val<'a>> {
        let mut value: Option<Val<'a>> = None;
        for cmd in &pipe.cmds {
            value = Some(self.command(dot, cmd, value)?);
        }
        // Go's "lovely" step: a value still boxed in an interface is taken out of it.
        let v = value.unwrap_or(Val::Missing).unbox();
        for name in &pipe.decl {
            if pipe.assign {
                if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                    slot.1 = v.clone();
                }
            } else {
                self.vars.push((name.clone(), v.clone()));
            }
        }
        Ok(v)
    }

    fn command(&mut self, dot: &Val<'a>, cmd: &'a Command, last: Option<Val<'a>>) -> Res<Val<'a>> {
        self.step(cmd.pos, cmd)?;
        let Some(first) = cmd.args.first() else { return self.fail(cmd.pos, cmd, "empty command") };
        let has_args = cmd.args.len() > 1 || last.is_some();
        match first {
            Arg::Ident { name, .. } => {
                let args = cmd.args.get(1..).unwrap_or(&[]);
                self.call(dot, name, cmd.pos, &cmd.to_string(), args, last)
            }
            Arg::Field { pos, idents } => self.chain(dot.clone(), idents, first, *pos, has_args),
            Arg::Variable { pos, name, idents } => {
                let v = self.var(name);
                if idents.is_empty() {
                    self.not_a_function(first, has_args)?;
                    return Ok(v);
                }
                self.chain(v, idents, first, *pos, has_args)
            }
            Arg::Pipe { pos, pipe, idents } => {
                let v = self.pipeline(dot, pipe)?;
                if idents.is_empty() {
                    self.not_a_function(first, has_args)?;
                    return Ok(v);
                }
                self.chain(v, idents, first, *pos, has_args)
            }
            Arg::Nil(pos) => self.fail(*pos, first, "nil is not a command"),
            _ => {
                self.not_a_function(first, has_args)?;
                self.operand(dot, first)
            }
        }
    }

    fn not_a_function(&self, arg: &Arg, has_args: bool) -> Res<()> {
        if has_args {
            return self.fail(arg.pos(), arg, format!("can't give argument to non-function {arg}"));
        }
        Ok(())
    }

    /// An argument's value.
    pub(crate) fn operand(&mut self, dot: &Val<'a>, arg: &'a Arg) -> Res<Val<'a>> {
        match arg {
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => Ok(Val::Nil),
            Arg::Bool(_, b) => Ok(Val::Bool(*b)),
            Arg::Str { value, .. } => Ok(Val::Str(Cow::Borrowed(value.as_str()))),
            Arg::Number { value: Constant::Int(i), .. } => Ok(Val::Int(*i)),
            Arg::Number { value: Constant::Rune(r), .. } => Ok(Val::Int32(*r)),
            Arg::Number { value: Constant::Float(f), .. } => Ok(Val::Float(*f)),
            Arg::Field { pos, idents } => self.chain(dot.clone(), idents, arg, *pos, false),
            Arg::Variable { pos, name, idents } => {
                let v = self.var(name);
                if idents.is_empty() { Ok(v) } else { self.chain(v, idents, arg, *pos, false) }
            }
            Arg::Pipe { pos, pipe, idents } => {
                let v = self.pipeline(dot, pipe)?;
                if idents.is_empty() { Ok(v) } else { self.chain(v, idents, arg, *pos, false) }
            }
            // A function named as an argument is called with no arguments.
            Arg::Ident { pos, name } => self.call(dot, name, *pos, name, &[], None),
        }
    }

    /// `.a.b.c` on `receiver`.
    fn chain(
        &mut self,
        mut receiver: Val<'a>,
        idents: &[String],
        node: &Arg,
        pos: usize,
        has_args: bool,
    ) -> Res<Val<'a>> {
        for (i, field) in idents.iter().enumerate() {
            let last = i + 1 == idents.len();
            receiver = self.field(receiver, field, node, pos, has_args && last)?;
        }
        Ok(receiver)
    }

    fn field(&self, receiver: Val<'a>, name: &str, node: &Arg, pos: usize, has_args: bool) -> Res<Val<'a>> {
        let ty = receiver.type_name();
        match receiver {
            Val::Missing => {
                if self.missing_error {
                    return self.fail(pos, node, format!("nil data; no entry for key {name:?}"));
                }
                Ok(Val::Missing)
            }
            Val::Boxed(Value::Null) | Val::Nil => self.fail(pos, node, format!("nil pointer evaluating {ty}.{name}")),
            Val::Boxed(Value::Object(m)) | Val::Map(Value::Object(m)) => {
                if has_args {
                    return self.fail(pos, node, format!("{name} is not a method but has arguments"));
                }
                match m.get(name) {
                    Some(v) => Ok(Val::Boxed(v)),
                    None if self.missing_error => self.fail(pos, node, format!("map has no entry for key {name:?}")),
                    None => Ok(Val::Missing),
                }
            }
            _ => self.fail(pos, node, format!("can't evaluate field {name} in type {ty}")),
        }
    }
}
