//! `-o jsonpath=TEMPLATE`: client-go's JSONPath (`util/jsonpath/jsonpath.go`) over an unstructured
//! object, with kubectl's printer around it — missing keys print nothing unless
//! `--allow-missing-template-keys=false`, and failures carry kubectl's long debugging message.
//!
//! Values follow unstructured objects' Go types: integers are int64 and other numbers float64, so a
//! filter comparing a float field with an integer literal fails with "incompatible types for
//! comparison" exactly as kubectl does. Where Go iterates a map (`*`, `..`) it does so in random order;
//! here keys go in sorted order.

use std::fmt;

use serde_json::Value;

use super::gofmt::{format_float_g, quote, sharp_v, sprint, type_name};
use super::json::to_json_compact_sorted;
use super::jsonpath_parser::{Node, Param, parse as parse_nodes};

/// Why a template could not be parsed or run. `Display` is the text kubectl prints after `error: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonPathError {
    /// `-o jsonpath=` with an empty template.
    NoTemplate,
    /// The template does not parse; `reason` is client-go's ("unclosed action", ...).
    Parse { template: String, reason: String },
    /// Running the template failed; `object` is the `%#v` rendering kubectl shows for debugging.
    Execute { template: String, reason: String, object: String },
}

impl JsonPathError {
    /// The whole stderr text kubectl prints for this error (`error: ...` ending in a newline).
    pub fn kubectl_message(&self) -> String {
        let mut msg = format!("error: {self}");
        if !msg.ends_with('\n') {
            msg.push('\n');
        }
        msg
    }

    /// client-go's own reason, without kubectl's wrapping (custom-columns prints only this).
    pub fn reason(&self) -> String {
        match self {
            JsonPathError::NoTemplate => self.to_string(),
            JsonPathError::Parse { reason, .. } | JsonPathError::Execute { reason, .. } => reason.clone(),
        }
    }
}

impl fmt::Display for JsonPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonPathError::NoTemplate => {
                write!(f, "template format specified but no template given")
            }
            JsonPathError::Parse { template, reason } => {
                write!(f, "error parsing jsonpath {template}, {reason}")
            }
            JsonPathError::Execute { template, reason, object } => write!(
                f,
                "error executing jsonpath {}: Error executing template: {reason}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{template}\n\tobject given to jsonpath engine was:\n\t\t{object}\n\n\n",
                quote(template)
            ),
        }
    }
}

impl std::error::Error for JsonPathError {}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    raw: String,
    nodes: Vec<Node>,
    allow_missing_keys: bool,
}

/// Parses `-o jsonpath=TEMPLATE` as kubectl does (an empty template is refused, as kubectl refuses it).
pub fn parse(template: &str) -> Result<Template, JsonPathError> {
    if template.is_empty() {
        return Err(JsonPathError::NoTemplate);
    }
    let nodes =
        parse_nodes(template).map_err(|reason| JsonPathError::Parse { template: template.to_string(), reason })?;
    Ok(Template { raw: template.to_string(), nodes, allow_missing_keys: true })
}

impl Template {
    /// `--allow-missing-template-keys` (kubectl's default is true).
    pub fn allow_missing_keys(mut self, allow: bool) -> Self {
        self.allow_missing_keys = allow;
        self
    }

    /// Prints the template against `object`, as `kubectl ... -o jsonpath=...` writes to stdout.
    pub fn execute(&self, object: &Value) -> Result<String, JsonPathError> {
        let results = self.find_results(object).map_err(|reason| JsonPathError::Execute {
            template: self.raw.clone(),
            reason,
            object: sharp_v(object),
        })?;
        let mut out = String::new();
        for group in &results {
            for (i, v) in group.iter().enumerate() {
                out.push_str(&to_text(v));
                if i + 1 != group.len() {
                    out.push(' ');
                }
            }
        }
        Ok(out)
    }

    /// Upstream's `FindResults`: one group of values per top-level node; the error is client-go's reason.
    pub(crate) fn find_results<'a>(&self, object: &'a Value) -> Result<Vec<Vec<V<'a>>>, String> {
        let mut state = RangeState::default();
        Walker { allow_missing: self.allow_missing_keys, state: &mut state }.find(&self.nodes, 0, V::from_data(object))
    }
}

/// A value during evaluation: part of the object, or something the template itself produced.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum V<'a> {
    /// Go's zero `reflect.Value` (the data of a range over nothing).
    Invalid,
    /// A JSON null inside the object (a nil `interface{}`).
    Nil,
    Data(&'a Value),
    Text(String),
    Int(i64),
    Uint(u64),
    Float(f64),
    Bool(bool),
}

impl<'a> V<'a> {
    fn from_data(v: &'a Value) -> Self {
        if v.is_null() { V::Nil } else { V::Data(v) }
    }
}

/// How JSONPath prints a result: maps and lists as compact JSON, the rest with `fmt.Print`.
fn to_text(v: &V<'_>) -> String {
    match v {
        V::Data(d @ (Value::Object(_) | Value::Array(_))) => to_json_compact_sorted(d),
        V::Nil => "null".to_string(),
        other => sprint_v(other),
    }
}

/// `fmt.Sprint` of a value (custom-columns prints cells this way).
pub(crate) fn sprint_v(v: &V<'_>) -> String {
    match v {
        V::Invalid => "<no value>".to_string(),
        V::Nil => "<nil>".to_string(),
        V::Data(d) => sprint(d),
        V::Text(s) => s.clone(),
        V::Int(i) => i.to_string(),
        V::Uint(u) => u.to_string(),
        V::Float(f) => format_float_g(*f),
        V::Bool(b) => b.to_string(),
    }
}

#[derive(Default)]
struct RangeState {
    begin_range: usize,
    in_range: usize,
    end_range: usize,
    last_end_node: Option<usize>,
}

struct Walker<'s> {
    allow_missing: bool,
    state: &'s mut RangeState,
}

/// The comparable kinds of Go's template package.
#[derive(Debug, Clone, PartialEq)]
enum Basic {
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
}

fn basic(v: &V<'_>) -> Result<Basic, String> {
    Ok(match v {
        V::Int(i) => Basic::Int(*i),
        V::Uint(u) => Basic::Uint(*u),
        V::Float(f) => Basic::Float(*f),
        V::Bool(b) => Basic::Bool(*b),
        V::Text(s) => Basic::Str(s.clone()),
        V::Data(Value::Bool(b)) => Basic::Bool(*b),
        V::Data(Value::String(s)) => Basic::Str(s.clone()),
        V::Data(Value::Number(n)) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Basic::Int(i),
            (None, Some(u)) => Basic::Uint(u),
            _ => Basic::Float(n.as_f64().unwrap_or(0.0)),
        },
        _ => return Err("invalid type for comparison".to_string()),
    })
}

fn equal(a: &Basic, b: &Basic) -> Result<bool, String> {
    Ok(match (a, b) {
        (Basic::Int(x), Basic::Uint(y)) | (Basic::Uint(y), Basic::Int(x)) => *x >= 0 && *x as u64 == *y,
        (Basic::Bool(x), Basic::Bool(y)) => x == y,
        (Basic::Int(x), Basic::Int(y)) => x == y,
        (Basic::Uint(x), Basic::Uint(y)) => x == y,
        (Basic::Float(x), Basic::Float(y)) => x == y,
        (Basic::Str(x), Basic::Str(y)) => x == y,
        _ => return Err("incompatible types for comparison".to_string()),
    })
}

fn less(a: &Basic, b: &Basic) -> Result<bool, String> {
    Ok(match (a, b) {
        (Basic::Int(x), Basic::Uint(y)) => *x < 0 || (*x as u64) < *y,
        (Basic::Uint(x), Basic::Int(y)) => *y >= 0 && *x < *y as u64,
        (Basic::Bool(_), Basic::Bool(_)) => return Err("invalid type for comparison".to_string()),
        (Basic::Int(x), Basic::Int(y)) => x < y,
        (Basic::Uint(x), Basic::Uint(y)) => x < y,
        (Basic::Float(x), Basic::Float(y)) => x < y,
        (Basic::Str(x), Basic::Str(y)) => x < y,
        _ => return Err("incompatible types for comparison".to_string()),
    })
}

fn compare(op: &str, a: &Basic, b: &Basic) -> Result<bool, String> {
    match op {
        "<" => less(a, b),
        ">" => Ok(!(less(a, b)? || equal(a, b)?)),
        "==" => equal(a, b),
        "!=" => Ok(!equal(a, b)?),
        "<=" => Ok(less(a, b)? || equal(a, b)?),
        ">=" => Ok(!less(a, b)?),
        other => Err(format!("unrecognized filter operator {other}")),
    }
}

/// The children Go's reflection enumerates for `*` and `..`: map values, list items, a string's bytes.
fn children<'a>(v: &V<'a>) -> Vec<V<'a>> {
    match v {
        V::Data(Value::Object(map)) => {
            let mut entries: Vec<(&String, &'a Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            entries.into_iter().map(|(_, v)| V::from_data(v)).collect()
        }
        V::Data(Value::Array(items)) => items.iter().map(V::from_data).collect(),
        V::Data(Value::String(s)) => s.bytes().map(|b| V::Uint(u64::from(b))).collect(),
        V::Text(s) => s.bytes().map(|b| V::Uint(u64::from(b))).collect(),
        _ => Vec::new(),
    }
}

impl<'s> Walker<'s> {
    fn find<'a>(&mut self, nodes: &[Node], offset: usize, data: V<'a>) -> Result<Vec<Vec<V<'a>>>, String> {
        let mut full = Vec::new();
        let mut i = offset;
        while let Some(node) = nodes.get(i) {
            let results = self.walk(vec![data.clone()], node)?;
            if self.state.end_range > 0 && self.state.end_range <= self.state.in_range {
                self.state.end_range -= 1;
                self.state.last_end_node = Some(i);
                break;
            }
            if self.state.begin_range > 0 {
                self.state.begin_range -= 1;
                self.state.in_range += 1;
                if results.is_empty() {
                    self.find(nodes, i + 1, V::Invalid)?;
                } else {
                    for value in results {
                        full.extend(self.find(nodes, i + 1, value)?);
                    }
                }
                self.state.in_range -= 1;
                if let Some(end) = self.state.last_end_node.filter(|end| *end > i && *end < nodes.len()) {
                    i = end;
                }
                i += 1;
                continue;
            }
            full.push(results);
            i += 1;
        }
        Ok(full)
    }

    fn walk<'a>(&mut self, input: Vec<V<'a>>, node: &Node) -> Result<Vec<V<'a>>, String> {
        match node {
            Node::List(nodes) => self.list(input, nodes),
            Node::Text(t) => Ok(vec![V::Text(t.clone())]),
            Node::Field(name) => self.field(input, name),
            Node::Array(params) => array(input, params),
            Node::Filter { left, right, op } => self.filter(input, left, right, op),
            Node::Int(n) => Ok(input.iter().map(|_| V::Int(*n)).collect()),
            Node::Float(f) => Ok(input.iter().map(|_| V::Float(*f)).collect()),
            Node::Bool(b) => Ok(input.iter().map(|_| V::Bool(*b)).collect()),
            Node::Wildcard => Ok(input.iter().flat_map(children).collect()),
            Node::Recursive => Ok(recursive(input)),
            Node::Union(lists) => {
                let mut out = Vec::new();
                for list in lists {
                    out.extend(self.list(input.clone(), list)?);
                }
                Ok(out)
            }
            Node::Identifier(name) => match name.as_str() {
                "range" => {
                    self.state.begin_range += 1;
                    Ok(input)
                }
                "end" if self.state.in_range > 0 => {
                    self.state.end_range += 1;
                    Ok(Vec::new())
                }
                "end" => Err("not in range, nothing to end".to_string()),
                other => Err(format!("unrecognized identifier {other}")),
            },
        }
    }

    fn list<'a>(&mut self, input: Vec<V<'a>>, nodes: &[Node]) -> Result<Vec<V<'a>>, String> {
        let mut cur = input;
        for node in nodes {
            cur = self.walk(cur, node)?;
        }
        Ok(cur)
    }

    fn field<'a>(&mut self, input: Vec<V<'a>>, name: &str) -> Result<Vec<V<'a>>, String> {
        if input.is_empty() {
            return Ok(Vec::new());
        }
        let results: Vec<V<'a>> = input
            .iter()
            .filter_map(|v| match v {
                V::Data(Value::Object(map)) => map.get(name).map(V::from_data),
                _ => None,
            })
            .collect();
        if results.is_empty() && !self.allow_missing {
            return Err(format!("{name} is not found"));
        }
        Ok(results)
    }

    fn filter<'a>(&mut self, input: Vec<V<'a>>, left: &[Node], right: &[Node], op: &str) -> Result<Vec<V<'a>>, String> {
        let mut results = Vec::new();
        for value in input {
            let items = match &value {
                V::Data(Value::Array(items)) => items,
                V::Data(d) => {
                    return Err(format!("{} is not array or slice and cannot be filtered", sprint(d)));
                }
                V::Invalid => {
                    return Err("<invalid reflect.Value> is not array or slice and cannot be filtered".to_string());
                }
                other => {
                    return Err(format!("{} is not array or slice and cannot be filtered", sprint_v(other)));
                }
            };
            for item in items {
                let temp = vec![V::from_data(item)];
                let lefts = self.list(temp.clone(), left);
                if op == "exists" {
                    if lefts.is_ok_and(|l| !l.is_empty()) {
                        results.push(V::from_data(item));
                    }
                    continue;
                }
                let lefts = lefts?;
                let l = match lefts.as_slice() {
                    [] => continue,
                    [one] => basic(one),
                    _ => return Err("can only compare one element at a time".to_string()),
                };
                let rights = self.list(temp, right)?;
                let r = match rights.as_slice() {
                    [] => continue,
                    [one] => basic(one),
                    _ => return Err("can only compare one element at a time".to_string()),
                };
                if compare(op, &l?, &r?)? {
                    results.push(V::from_data(item));
                }
            }
        }
        Ok(results)
    }
}

fn recursive<'a>(input: Vec<V<'a>>) -> Vec<V<'a>> {
    let mut result = Vec::new();
    for value in input {
        if matches!(value, V::Nil) {
            continue;
        }
        let kids = children(&value);
        if !kids.is_empty() {
            result.push(value);
            result.extend(recursive(kids));
        }
    }
    result
}

fn array<'a>(input: Vec<V<'a>>, params: &[Param; 3]) -> Result<Vec<V<'a>>, String> {
    let mut result = Vec::new();
    for value in &input {
        let items = match value {
            V::Nil => continue,
            V::Data(Value::Array(items)) => items,
            V::Invalid => return Err("<invalid reflect.Value> is not array or slice".to_string()),
            other => return Err(format!("{} is not array or slice", value_type(other))),
        };
        let len = items.len() as i64;
        let [mut start, mut end, step] = *params;
        if !start.known {
            start.value = 0;
        }
        if start.value < 0 {
            start.value += len;
        }
        if !end.known {
            end.value = len;
        }
        if end.value < 0 || (end.value == 0 && end.derived) {
            end.value += len;
        }
        if end.value == start.value {
            return Ok(result);
        }
        if start.value >= len || start.value < 0 {
            return Err(format!("array index out of bounds: index {}, length {len}", start.value));
        }
        if end.value > len || end.value < 0 {
            return Err(format!("array index out of bounds: index {}, length {len}", end.value - 1));
        }
        if start.value > end.value {
            return Err(format!("starting index {} is greater than ending index {}", start.value, end.value));
        }
        let step = if step.known {
            if step.value <= 0 {
                return Err("step must be > 0".to_string());
            }
            step.value as usize
        } else {
            1
        };
        let slice = items.get(start.value as usize..end.value as usize).unwrap_or(&[]);
        result.extend(slice.iter().step_by(step).map(V::from_data));
    }
    Ok(result)
}

fn value_type(v: &V<'_>) -> &'static str {
    match v {
        V::Data(d) => type_name(d),
        V::Text(_) => "string",
        V::Int(_) => "int",
        V::Uint(_) => "uint8",
        V::Float(_) => "float64",
        V::Bool(_) => "bool",
        V::Nil | V::Invalid => "interface {}",
    }
}

#[cfg(test)]
#[path = "jsonpath_tests.rs"]
mod tests;
