//! The functions a kubectl template may call: Go's builtins (`and or not len index print printf
//! println eq ne lt le gt ge`) with their argument checks and messages, and kubectl's own `exists` and
//! `base64decode`.

use std::borrow::Cow;
use std::cmp::Ordering;

use base64::Engine;
use serde_json::Value;

use super::ast::Arg;
use super::exec::{Exec, Res};
use super::fmt::{sprint, sprintf, sprintln};
use super::value::{Kind, Val};

/// An evaluated argument and the node it came from (None for the value piped in).
type Evaluated<'a> = (Option<&'a Arg>, Val<'a>);

impl<'a> Exec<'a> {
    /// Calls function `name` with `args` (and the piped-in value `last`); errors point at `context`.
    pub(crate) fn call(
        &mut self,
        dot: &Val<'a>,
        name: &str,
        pos: usize,
        context: &str,
        args: &'a [Arg],
        last: Option<Val<'a>>,
    ) -> Res<Val<'a>> {
        let n = args.len() + usize::from(last.is_some());
        let wrong = |this: &Self, want: &str| {
            this.fail(pos, context, format!("wrong number of args for {name}: want {want} got {n}"))
        };
        let at_least_one = matches!(name, "and" | "or" | "index" | "printf" | "eq" | "exists");
        if at_least_one && n == 0 {
            return wrong(self, "at least 1");
        }
        if matches!(name, "not" | "len" | "base64decode") && n != 1 {
            return wrong(self, "1");
        }
        if matches!(name, "ne" | "lt" | "le" | "gt" | "ge") && n != 2 {
            return wrong(self, "2");
        }
        if name == "and" || name == "or" {
            // Evaluated lazily, as Go does since 1.18: the first deciding value is the result.
            let decide = |v: &Val<'_>| if name == "and" { !v.truth() } else { v.truth() };
            let mut result = Val::Missing;
            for arg in args {
                result = self.operand(dot, arg)?;
                if decide(&result) {
                    return Ok(result);
                }
            }
            return Ok(last.unwrap_or(result));
        }
        let mut vals: Vec<Evaluated<'a>> = Vec::with_capacity(n);
        for arg in args {
            vals.push((Some(arg), self.operand(dot, arg)?));
        }
        if let Some(v) = last {
            vals.push((None, v));
        }
        let values: Vec<Val<'a>> = vals.iter().map(|(_, v)| v.clone()).collect();
        let calling = |this: &Self, msg: String| this.error(pos, context, format!("error calling {name}: {msg}"));
        match name {
            "not" => Ok(Val::Bool(!values.first().is_some_and(Val::truth))),
            "len" => match values.first().cloned().map(Val::unbox) {
                Some(Val::Str(s)) => Ok(Val::Int(s.len() as i64)),
                Some(Val::Map(Value::Object(m))) => Ok(Val::Int(m.len() as i64)),
                Some(Val::List(Value::Array(a))) => Ok(Val::Int(a.len() as i64)),
                Some(Val::Missing | Val::Nil) | None => Err(calling(self, "len of untyped nil".into())),
                Some(other) => Err(calling(self, format!("len of type {}", other.type_name()))),
            },
            "index" => index(&values).map_err(|e| calling(self, e)),
            "print" => Ok(Val::Str(Cow::Owned(sprint(&values)))),
            "println" => Ok(Val::Str(Cow::Owned(sprintln(&values)))),
            "printf" => {
                let format = self.string_arg(&vals, pos, context)?;
                Ok(Val::Str(Cow::Owned(sprintf(&format, values.get(1..).unwrap_or(&[])))))
            }
            "eq" | "ne" => {
                let [first, rest @ ..] = values.as_slice() else { return wrong(self, "at least 1") };
                if rest.is_empty() {
                    return Err(calling(self, "missing argument for comparison".into()));
                }
                let equal = eq(first, rest).map_err(|e| calling(self, e))?;
                Ok(Val::Bool(if name == "eq" { equal } else { !equal }))
            }
            "lt" | "le" | "gt" | "ge" => {
                let [a, b] = values.as_slice() else { return wrong(self, "2") };
                let ord = compare(a, b).map_err(|e| calling(self, e))?;
                Ok(Val::Bool(match name {
                    "lt" => ord == Ordering::Less,
                    "le" => ord != Ordering::Greater,
                    "gt" => ord == Ordering::Greater,
                    _ => ord != Ordering::Less,
                }))
            }
            "exists" => Ok(Val::Bool(exists(&values))),
            "base64decode" => {
                let s = self.string_arg(&vals, pos, context)?;
                match base64::engine::general_purpose::STANDARD.decode(s.as_bytes()) {
                    Ok(bytes) => Ok(Val::Str(Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()))),
                    Err(e) => {
                        let at = match e {
                            base64::DecodeError::InvalidByte(o, _) | base64::DecodeError::InvalidLastSymbol(o, _) => o,
                            _ => s.len() - s.len() % 4,
                        };
                        Err(calling(self, format!("base64 decode failed: illegal base64 data at input byte {at}")))
                    }
                }
            }
            _ => self.fail(pos, context, format!("{name:?} is not a defined function")),
        }
    }

    /// The first argument where the function takes a Go `string`.
    fn string_arg(&self, vals: &[Evaluated<'a>], pos: usize, context: &str) -> Res<String> {
        let Some((node, v)) = vals.first() else { return self.fail(pos, context, "missing argument") };
        if let Some(arg @ (Arg::Number { .. } | Arg::Bool(..) | Arg::Nil(_) | Arg::Dot(_))) = node
            && !matches!(arg, Arg::Dot(_))
        {
            return self.fail(arg.pos(), arg, format!("expected string; found {arg}"));
        }
        let (at, ctx) = node.map_or((pos, context.to_string()), |a| (a.pos(), a.to_string()));
        match v.clone().unbox() {
            Val::Str(s) => Ok(s.into_owned()),
            Val::Missing | Val::Nil => self.fail(at, ctx, "invalid value; expected string"),
            other => self.fail(at, ctx, format!("wrong type for value; expected string; got {}", other.type_name())),
        }
    }
}

fn incompatible(a: &Val<'_>, b: &Val<'_>) -> String {
    format!("incompatible types for comparison: {} and {}", a.concrete_type(), b.concrete_type())
}

/// Go's `eq`: true if `first` equals any of `rest`.
fn eq(first: &Val<'_>, rest: &[Val<'_>]) -> Result<bool, String> {
    let k1 = first.kind();
    for other in rest {
        let k2 = other.kind();
        if k1 != k2 {
            if k1 != Kind::Invalid && k2 != Kind::Invalid {
                return Err(incompatible(first, other));
            }
            continue;
        }
        let equal = match k1 {
            Kind::Invalid => true,
            Kind::Bool => first.truth() == other.truth(),
            Kind::Int => first.as_int() == other.as_int(),
            Kind::Float => first.as_float() == other.as_float(),
            Kind::Str => first.as_str() == other.as_str(),
            Kind::Other if first.concrete_type() != other.concrete_type() => {
                return Err(format!(
                    "non-comparable types {}: {}, {}: {}",
                    first.sprint(),
                    first.concrete_type(),
                    other.concrete_type(),
                    other.sprint()
                ));
            }
            Kind::Other => return Err(format!("non-comparable type {}: {}", other.sprint(), other.concrete_type())),
        };
        if equal {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Go's `lt` family: only basic kinds of the same kind compare.
fn compare(a: &Val<'_>, b: &Val<'_>) -> Result<Ordering, String> {
    let (k1, k2) = (a.kind(), b.kind());
    let basic = |k: Kind| matches!(k, Kind::Int | Kind::Float | Kind::Str);
    if !basic(k1) || !basic(k2) {
        return Err("invalid type for comparison".into());
    }
    if k1 != k2 {
        return Err(incompatible(a, b));
    }
    Ok(match k1 {
        Kind::Int => a.as_int().cmp(&b.as_int()),
        Kind::Float => a.as_float().partial_cmp(&b.as_float()).unwrap_or(Ordering::Equal),
        _ => a.as_str().cmp(&b.as_str()),
    })
}

/// Go's `index`: successive map keys and list (or string) positions.
fn index<'a>(values: &[Val<'a>]) -> Result<Val<'a>, String> {
    let Some((item, keys)) = values.split_first() else { return Err("missing item".into()) };
    let mut item = item.clone().unbox();
    if item == Val::Missing {
        return Err("index of untyped nil".into());
    }
    for key in keys {
        let key = key.clone().unbox();
        item = match item.unbox() {
            Val::Missing | Val::Nil => return Err("index of nil pointer".into()),
            Val::List(Value::Array(a)) => {
                let i = position(&key, "slice/array")?;
                match usize::try_from(i).ok().and_then(|i| a.get(i)) {
                    Some(v) => Val::Boxed(v),
                    None => return Err(format!("index out of range: {i}")),
                }
            }
            Val::Str(s) => {
                let i = position(&key, "string")?;
                match usize::try_from(i).ok().and_then(|i| s.as_bytes().get(i)) {
                    Some(b) => Val::Int(i64::from(*b)),
                    None => return Err(format!("index out of range: {i}")),
                }
            }
            Val::Map(Value::Object(m)) => match key {
                Val::Str(k) => m.get(k.as_ref()).map_or(Val::Missing, Val::Boxed),
                Val::Missing | Val::Nil => Val::Missing,
                other => return Err(format!("value has type {}; should be string", other.type_name())),
            },
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

fn position(key: &Val<'_>, what: &str) -> Result<i64, String> {
    match key {
        Val::Missing | Val::Nil => Err(format!("cannot index {what} with nil")),
        k => k.as_int().ok_or_else(|| format!("cannot index {what} with type {}", k.type_name())),
    }
}

/// kubectl's `exists`: whether the chain of keys and positions leads to a non-nil value.
fn exists(values: &[Val<'_>]) -> bool {
    let Some((item, keys)) = values.split_first() else { return false };
    let mut item = item.clone().unbox();
    for key in keys {
        item = match (item.unbox(), key.clone().unbox()) {
            (Val::List(Value::Array(a)), k) => match k.as_int().and_then(|i| usize::try_from(i).ok()) {
                Some(i) if i < a.len() => a.get(i).map_or(Val::Missing, Val::Boxed),
                _ => return false,
            },
            (Val::Map(Value::Object(m)), Val::Str(k)) => m.get(k.as_ref()).map_or(Val::Missing, Val::Boxed),
            _ => return false,
        };
    }
    !matches!(item.unbox(), Val::Missing | Val::Nil)
}
