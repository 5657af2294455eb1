//! Values during template execution, typed as Go's reflection sees the `map[string]interface{}` that
//! kubectl hands the template: integers from the object are `int64`, other numbers `float64`, and
//! anything read out of a map or list is still boxed in an `interface {}` (which is what Go's
//! error messages name) until a pipeline ends. Constants in the template are `int`, `float64`,
//! `int32` (characters), `string` and `bool`.

use std::borrow::Cow;

use serde_json::Value;

use crate::kubectl::printers::gofmt::{format_float_g, sprint};

/// A value; `Missing` is Go's invalid `reflect.Value` (a missing map key), which prints `<no value>`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val<'a> {
    Missing,
    /// A nil `interface {}` (JSON null, or `nil` passed to a function).
    Nil,
    /// An element read from a map or list, still in its `interface {}` box.
    Boxed(&'a Value),
    /// A JSON object (Go's `map[string]interface {}`).
    Map(&'a Value),
    /// A JSON array (Go's `[]interface {}`).
    List(&'a Value),
    Str(Cow<'a, str>),
    /// A template constant or a count: Go's `int`.
    Int(i64),
    /// An integer from the object.
    Int64(i64),
    /// A character constant.
    Int32(i32),
    Float(f64),
    Bool(bool),
}

/// Go's basic kinds, as `eq` and `lt` compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    Str,
    Other,
}

impl<'a> Val<'a> {
    /// The concrete value of JSON data, out of its box.
    pub(crate) fn data(v: &'a Value) -> Self {
        match v {
            Value::Null => Val::Nil,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Val::Int64(i),
                None => Val::Float(n.as_f64().unwrap_or(0.0)),
            },
            Value::String(s) => Val::Str(Cow::Borrowed(s)),
            Value::Array(_) => Val::List(v),
            Value::Object(_) => Val::Map(v),
        }
    }

    /// Go's `indirectInterface`: the value inside a box (a boxed nil becomes the invalid value).
    pub(crate) fn unbox(self) -> Self {
        match self {
            Val::Boxed(Value::Null) | Val::Nil => Val::Missing,
            Val::Boxed(v) => Val::data(v),
            other => other,
        }
    }

    /// The name of the value's Go type, as `%T` and error messages print it.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Val::Missing | Val::Nil => "<nil>",
            Val::Boxed(_) => "interface {}",
            Val::Map(_) => "map[string]interface {}",
            Val::List(_) => "[]interface {}",
            Val::Str(_) => "string",
            Val::Int(_) => "int",
            Val::Int64(_) => "int64",
            Val::Int32(_) => "int32",
            Val::Float(_) => "float64",
            Val::Bool(_) => "bool",
        }
    }

    /// The concrete type's name (what `%T` prints for a boxed value).
    pub(crate) fn concrete_type(&self) -> &'static str {
        self.clone().unbox().type_name()
    }

    pub(crate) fn kind(&self) -> Kind {
        match self.clone().unbox() {
            Val::Missing | Val::Nil => Kind::Invalid,
            Val::Bool(_) => Kind::Bool,
            Val::Int(_) | Val::Int64(_) | Val::Int32(_) => Kind::Int,
            Val::Float(_) => Kind::Float,
            Val::Str(_) => Kind::Str,
            _ => Kind::Other,
        }
    }

    pub(crate) fn as_int(&self) -> Option<i64> {
        match self.clone().unbox() {
            Val::Int(i) | Val::Int64(i) => Some(i),
            Val::Int32(i) => Some(i64::from(i)),
            _ => None,
        }
    }

    pub(crate) fn as_float(&self) -> Option<f64> {
        match self.clone().unbox() {
            Val::Float(f) => Some(f),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<Cow<'a, str>> {
        match self.clone().unbox() {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Go's `isTrue`: zero values are false; None when truth is undefined.
    pub(crate) fn truth(&self) -> bool {
        match self.clone().unbox() {
            Val::Missing | Val::Nil => false,
            Val::Bool(b) => b,
            Val::Int(i) | Val::Int64(i) => i != 0,
            Val::Int32(i) => i != 0,
            Val::Float(f) => f != 0.0,
            Val::Str(s) => !s.is_empty(),
            Val::Map(v) | Val::List(v) => {
                v.as_object().is_some_and(|m| !m.is_empty()) || v.as_array().is_some_and(|a| !a.is_empty())
            }
            Val::Boxed(_) => true,
        }
    }

    /// `fmt.Sprint` of the value alone (`%v`); nil prints `<nil>`.
    pub(crate) fn sprint(&self) -> String {
        match self.clone().unbox() {
            Val::Missing | Val::Nil => "<nil>".into(),
            Val::Str(s) => s.into_owned(),
            Val::Int(i) | Val::Int64(i) => i.to_string(),
            Val::Int32(i) => i.to_string(),
            Val::Float(f) => format_float_g(f),
            Val::Bool(b) => b.to_string(),
            Val::Map(v) | Val::List(v) | Val::Boxed(v) => sprint(v),
        }
    }

    /// What an action prints (`printableValue`): the invalid value is `<no value>`.
    pub(crate) fn printed(&self) -> String {
        match self.clone().unbox() {
            Val::Missing => "<no value>".into(),
            other => other.sprint(),
        }
    }
}
