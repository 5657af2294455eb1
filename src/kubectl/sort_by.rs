//! `--sort-by=<jsonpath>` as kubectl's RuntimeSort does it: the first value the path finds in each
//! object, numbers compared as numbers, strings as strings (RFC 3339 times thus in time order), a
//! missing value first; objects with equal values keep their order.

use std::cmp::Ordering;

use serde_json::Value;

use super::printers::custom_columns::relaxed_jsonpath;
use super::printers::jsonpath::{Template, V, parse};

/// Why a sort field is refused (`Display` is kubectl's message after `error: `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortError(pub String);

impl std::fmt::Display for SortError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses a `--sort-by` field in kubectl's relaxed syntax (`.metadata.name`, `{.spec.replicas}`).
pub fn parse_field(field: &str) -> Result<Template, SortError> {
    let path = relaxed_jsonpath(field).map_err(|e| SortError(e.to_string()))?;
    parse(&path).map_err(|e| SortError(e.kubectl_message()))
}

/// The first value `t` finds in `v`, if any.
fn first<'a>(t: &Template, v: &'a Value) -> Option<V<'a>> {
    t.find_results(v).ok()?.into_iter().next()?.into_iter().next()
}

fn as_f64(v: &V<'_>) -> Option<f64> {
    match v {
        V::Data(Value::Number(n)) => n.as_f64(),
        V::Int(i) => Some(*i as f64),
        V::Uint(u) => Some(*u as f64),
        V::Float(f) => Some(*f),
        _ => None,
    }
}

fn as_str<'a>(v: &'a V<'_>) -> Option<&'a str> {
    match v {
        V::Data(Value::String(s)) => Some(s),
        V::Text(s) => Some(s),
        _ => None,
    }
}

/// kubectl's `isLess` over the kinds of values JSON has.
fn less(a: &V<'_>, b: &V<'_>) -> bool {
    if let (Some(x), Some(y)) = (as_f64(a), as_f64(b)) {
        return x < y;
    }
    if let (Some(x), Some(y)) = (as_str(a), as_str(b)) {
        return x < y;
    }
    match (a, b) {
        (V::Data(Value::Bool(x)), V::Data(Value::Bool(y))) => !x & y,
        _ => false,
    }
}

/// Sorts `items` (as JSON, one per object) by the field, stably; returns the new order as indexes.
pub fn order(t: &Template, items: &[Value]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..items.len()).collect();
    idx.sort_by(|&i, &j| {
        let (Some(a), Some(b)) = (items.get(i), items.get(j)) else { return Ordering::Equal };
        match (first(t, a), first(t, b)) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) if less(&x, &y) => Ordering::Less,
            (Some(x), Some(y)) if less(&y, &x) => Ordering::Greater,
            _ => Ordering::Equal,
        }
    });
    idx
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_strings_and_missing() {
        let items = vec![json!({"a": 10, "n": "b"}), json!({"a": 9, "n": "c"}), json!({"n": "a"})];
        let t = parse_field(".a").unwrap();
        assert_eq!(order(&t, &items), [2, 1, 0]);
        let t = parse_field("{.n}").unwrap();
        assert_eq!(order(&t, &items), [2, 0, 1]);
    }
}
