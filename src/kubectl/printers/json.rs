//! `-o json`: Go's `json.MarshalIndent(obj, "", "    ")` plus a newline, as cli-runtime's JSONPrinter
//! prints, and the compact `json.Marshal` that JSONPath uses for maps and lists.
//!
//! Objects are printed in the order the `Value` iterates them. kubectl prints typed objects in Go struct
//! field order (`kind`, `apiVersion`, `metadata`, ...) and unstructured ones with sorted keys; with
//! serde_json's default `BTreeMap` only the sorted order is representable, so typed order needs
//! serde_json's `preserve_order` feature upstream of this module.

use serde_json::Value;

use super::go_order;
use super::gofmt::format_number_json;

/// How an object's keys are ordered: as the `Value` holds them, sorted (a Go map), or as the fields of
/// the named Go type are declared (a typed object; see `go_order`).
#[derive(Clone, Copy)]
enum Order<'t> {
    AsIs,
    Sorted,
    Go(&'t str),
}

/// kubectl's `-o json` of one object: four-space indentation and a trailing newline.
pub fn print_json(value: &Value) -> String {
    let mut out = to_json(value, "    ");
    out.push('\n');
    out
}

/// kubectl's `-o json` of a typed object of Go type `ty` (its kind, e.g. `Deployment`): fields in Go
/// struct order, as encoding/json writes a typed object.
pub fn print_json_typed(value: &Value, ty: &str) -> String {
    let mut out = String::new();
    write_value(&mut out, value, "    ", 0, Order::Go(ty));
    out.push('\n');
    out
}

/// `json.Marshal` of a typed object of Go type `ty`: compact, fields in struct order (what
/// `--save-config` stores in the last-applied-configuration annotation).
pub fn to_json_typed_compact(value: &Value, ty: &str) -> String {
    let mut out = String::new();
    write_value(&mut out, value, "", 0, Order::Go(ty));
    out
}

/// `json.MarshalIndent(value, "", indent)`; an empty `indent` gives the compact `json.Marshal` form.
/// Empty objects and arrays stay on one line (`{}`, `[]`).
pub fn to_json(value: &Value, indent: &str) -> String {
    let mut out = String::new();
    write_value(&mut out, value, indent, 0, Order::AsIs);
    out
}

/// `json.Marshal` of a value the way Go marshals a `map[string]interface{}`: compact, keys sorted.
pub fn to_json_compact_sorted(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, "", 0, Order::Sorted);
    out
}

fn newline(out: &mut String, indent: &str, depth: usize) {
    if indent.is_empty() {
        return;
    }
    out.push('\n');
    for _ in 0..depth {
        out.push_str(indent);
    }
}

fn write_value(out: &mut String, value: &Value, indent: &str, depth: usize, order: Order<'_>) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&format_number_json(n)),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write_value(out, item, indent, depth + 1, order);
            }
            newline(out, indent, depth);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            let entries = ordered_entries(map, order);
            out.push('{');
            for (i, (k, v, child)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write_string(out, k);
                out.push(':');
                if !indent.is_empty() {
                    out.push(' ');
                }
                write_value(out, v, indent, depth + 1, child);
            }
            newline(out, indent, depth);
            out.push('}');
        }
    }
}

/// The entries of `map` in the order `order` asks for, each with the order of its value. A typed
/// object's known fields come first in declaration order, then any others sorted; a Go map (type `""`
/// or unknown) is sorted, as encoding/json sorts map keys.
fn ordered_entries<'a, 't>(
    map: &'a serde_json::Map<String, Value>,
    order: Order<'t>,
) -> Vec<(&'a String, &'a Value, Order<'t>)> {
    let mut entries: Vec<(&String, &Value, Order<'t>)> = map.iter().map(|(k, v)| (k, v, order)).collect();
    match order {
        Order::AsIs => entries,
        Order::Sorted => {
            entries.sort_by(|a, b| a.0.cmp(b.0));
            entries
        }
        Order::Go(ty) => {
            let fields = go_order::fields(ty).unwrap_or(&[]);
            let rank = |k: &str| fields.iter().position(|(f, _)| *f == k).unwrap_or(usize::MAX);
            entries.sort_by(|a, b| rank(a.0).cmp(&rank(b.0)).then_with(|| a.0.cmp(b.0)));
            for e in &mut entries {
                let child = fields.iter().find(|(f, _)| f == e.0).map(|(_, t)| *t).unwrap_or("");
                e.2 = Order::Go(child);
            }
            entries
        }
    }
}

/// encoding/json's string escaping with HTML escaping on (as `json.Marshal` always has it): `<`, `>`,
/// `&`, U+2028 and U+2029 become `\u` escapes; other non-ASCII text is written as is.
pub fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}') => {
                let u = c as u32;
                out.push_str("\\u");
                for shift in [12u32, 8, 4, 0] {
                    let nibble = ((u >> shift) & 0xF) as usize;
                    out.push(HEX.get(nibble).map(|b| *b as char).unwrap_or('0'));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `kubectl create deployment x --image=nginx --dry-run=client -o json` (keys as the sorted map holds
    /// them; kubectl itself prints this typed object in struct order).
    #[test]
    fn indented_layout() {
        let v = json!({"a": {}, "b": [], "c": [{"d": 1, "e": [1.5, "x"]}], "f": null});
        let want = "{\n    \"a\": {},\n    \"b\": [],\n    \"c\": [\n        {\n            \"d\": 1,\n            \"e\": [\n                1.5,\n                \"x\"\n            ]\n        }\n    ],\n    \"f\": null\n}\n";
        assert_eq!(print_json(&v), want);
        assert_eq!(to_json(&v, ""), "{\"a\":{},\"b\":[],\"c\":[{\"d\":1,\"e\":[1.5,\"x\"]}],\"f\":null}");
    }

    /// Escapes exactly as `kubectl create configmap c --from-literal=k=... -o json` printed them.
    #[test]
    fn string_escapes_golden() {
        let s = "<a>&b \u{1}\u{8}\u{c}\t\n\r\u{1b}\u{7f} \u{85} \u{2028} \u{2029} \u{feff} 中文 😀 \"q\" \\ /";
        let want = "\"\\u003ca\\u003e\\u0026b \\u0001\\b\\f\\t\\n\\r\\u001b\u{7f} \u{85} \\u2028 \\u2029 \u{feff} 中文 😀 \\\"q\\\" \\\\ /\"";
        let mut out = String::new();
        write_string(&mut out, s);
        assert_eq!(out, want);
    }

    /// The numbers of an unstructured object (`kubectl annotate --local -o json`).
    #[test]
    fn numbers_golden() {
        let v: Value = serde_json::from_str(r#"{"big":1234567.5,"e":1e21,"f":1.5,"i":42,"small":0.00001,"whole":3}"#)
            .unwrap_or(Value::Null);
        assert_eq!(to_json(&v, ""), r#"{"big":1234567.5,"e":1e+21,"f":1.5,"i":42,"small":0.00001,"whole":3}"#);
    }
}
