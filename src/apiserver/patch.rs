//! Patches: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch, whose keyed
//! lists (containers by name, ports by port, env by name, ...) merge item by item as the Go types'
//! `patchMergeKey` tags say, with the `$patch: delete|replace` directives.

use serde_json::{Map, Value};

use super::ApiError;
use crate::api::Kind;

/// A patch body with its type (`kubectl patch --type`).
#[derive(Debug, Clone, PartialEq)]
pub enum Patch {
    Merge(Value),
    Json(Value),
    Strategic(Value),
}

/// Applies `patch` to `current` (an object of `kind` as JSON).
pub fn apply_patch(kind: Kind, current: &Value, patch: &Patch) -> Result<Value, ApiError> {
    match patch {
        Patch::Merge(p) => Ok(merge_patch(current, p)),
        Patch::Json(p) => json_patch(current, p),
        Patch::Strategic(p) => {
            if !p.is_object() {
                return Err(ApiError::bad_request(format!(
                    "error decoding patch: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    go_type_name(p)
                )));
            }
            let _ = kind;
            Ok(strategic_merge(current, p, ""))
        }
    }
}

fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
        Value::Object(_) => "object",
    }
}

/// RFC 7386: objects merge recursively, `null` deletes, everything else replaces.
pub fn merge_patch(target: &Value, patch: &Value) -> Value {
    let Value::Object(p) = patch else { return patch.clone() };
    let mut out = match target {
        Value::Object(t) => t.clone(),
        _ => Map::new(),
    };
    for (k, v) in p {
        if v.is_null() {
            out.remove(k);
        } else {
            let merged = merge_patch(out.get(k).unwrap_or(&Value::Null), v);
            out.insert(k.clone(), merged);
        }
    }
    Value::Object(out)
}

/// The merge key of a list field, by the field's name (and, for `ports`, by what its items hold).
pub fn merge_key(field: &str, items: &[Value]) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "volumeDevices" => Some("devicePath"),
        "hostAliases" => Some("ip"),
        "conditions" => Some("type"),
        "ownerReferences" => Some("uid"),
        "topologySpreadConstraints" => Some("topologyKey"),
        "ports" => {
            if items.iter().any(|i| i.get("containerPort").is_some()) {
                Some("containerPort")
            } else {
                Some("port")
            }
        }
        _ => None,
    }
}

/// Lists of scalars that merge as sets rather than being replaced.
fn merges_as_set(field: &str) -> bool {
    matches!(field, "finalizers")
}

fn strategic_merge(target: &Value, patch: &Value, field: &str) -> Value {
    match (target, patch) {
        (_, Value::Object(p)) => {
            if p.get("$patch").and_then(Value::as_str) == Some("replace") {
                let mut p = p.clone();
                p.remove("$patch");
                return Value::Object(p);
            }
            let mut out = match target {
                Value::Object(t) => t.clone(),
                _ => Map::new(),
            };
            for (k, v) in p {
                if k.starts_with("$setElementOrder/") || k == "$retainKeys" || k == "$patch" {
                    continue;
                }
                if let Some(list_field) = k.strip_prefix("$deleteFromPrimitiveList/") {
                    if let (Some(Value::Array(existing)), Value::Array(gone)) = (out.get(list_field).cloned(), v) {
                        let kept: Vec<Value> = existing.into_iter().filter(|x| !gone.contains(x)).collect();
                        out.insert(list_field.to_string(), Value::Array(kept));
                    }
                    continue;
                }
                if v.is_null() {
                    out.remove(k);
                    continue;
                }
                let merged = strategic_merge(out.get(k).unwrap_or(&Value::Null), v, k);
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (Value::Array(t), Value::Array(p)) => {
            if let Some(key) = merge_key(field, p) {
                merge_keyed_list(t, p, key)
            } else if merges_as_set(field) {
                let mut out = t.clone();
                for item in p {
                    if !out.contains(item) {
                        out.push(item.clone());
                    }
                }
                Value::Array(out)
            } else {
                Value::Array(p.clone())
            }
        }
        _ => patch.clone(),
    }
}

fn merge_keyed_list(target: &[Value], patch: &[Value], key: &str) -> Value {
    let mut out: Vec<Value> = target.to_vec();
    for item in patch {
        let Some(k) = item.get(key) else {
            out.push(item.clone());
            continue;
        };
        let pos = out.iter().position(|x| x.get(key) == Some(k));
        let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (pos, delete) {
            (Some(i), true) => {
                out.remove(i);
            }
            (Some(i), false) => {
                let merged = strategic_merge(&out[i], item, "");
                out[i] = merged;
            }
            (None, true) => {}
            (None, false) => {
                let mut clean = item.clone();
                if let Value::Object(m) = &mut clean {
                    m.remove("$patch");
                }
                out.push(clean);
            }
        }
    }
    Value::Array(out)
}

/// Splits a JSON pointer (`/spec/containers/0/image`) into unescaped tokens.
fn pointer_tokens(path: &str) -> Result<Vec<String>, ApiError> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(ApiError::bad_request(format!("JSON pointer must be empty or start with a \"/\": {path}")));
    };
    Ok(rest.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect())
}

fn parent_mut<'a>(doc: &'a mut Value, tokens: &[String], path: &str) -> Result<&'a mut Value, ApiError> {
    let mut cur = doc;
    for t in tokens {
        cur = match cur {
            Value::Object(m) => m.get_mut(t),
            Value::Array(a) => t.parse::<usize>().ok().and_then(move |i| a.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "the server rejected our request due to an error in our request: doc is missing path: \"{path}\""
            ))
        })?;
    }
    Ok(cur)
}

fn op_add(doc: &mut Value, path: &str, value: Value) -> Result<(), ApiError> {
    let tokens = pointer_tokens(path)?;
    let Some((last, parents)) = tokens.split_last() else {
        *doc = value;
        return Ok(());
    };
    match parent_mut(doc, parents, path)? {
        Value::Object(m) => {
            m.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(a) => {
            let i = if last == "-" { a.len() } else { last.parse::<usize>().map_err(|_| missing(path))? };
            if i > a.len() {
                return Err(missing(path));
            }
            a.insert(i, value);
            Ok(())
        }
        _ => Err(missing(path)),
    }
}

fn op_remove(doc: &mut Value, path: &str) -> Result<Value, ApiError> {
    let tokens = pointer_tokens(path)?;
    let Some((last, parents)) = tokens.split_last() else { return Err(missing(path)) };
    match parent_mut(doc, parents, path)? {
        Value::Object(m) => m.remove(last).ok_or_else(|| missing(path)),
        Value::Array(a) => {
            let i = last.parse::<usize>().map_err(|_| missing(path))?;
            if i < a.len() { Ok(a.remove(i)) } else { Err(missing(path)) }
        }
        _ => Err(missing(path)),
    }
}

fn missing(path: &str) -> ApiError {
    ApiError::bad_request(format!(
        "the server rejected our request due to an error in our request: doc is missing path: \"{path}\""
    ))
}

/// RFC 6902.
pub fn json_patch(current: &Value, patch: &Value) -> Result<Value, ApiError> {
    let Value::Array(ops) = patch else {
        return Err(ApiError::bad_request(format!(
            "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
            go_type_name(patch)
        )));
    };
    let mut doc = current.clone();
    for op in ops {
        let name = op.get("op").and_then(Value::as_str).unwrap_or("");
        let path = op.get("path").and_then(Value::as_str).unwrap_or("");
        let value = || {
            op.get("value").cloned().ok_or_else(|| {
                ApiError::bad_request(format!(
                    "the server rejected our request due to an error in our request: missing value for op {name}"
                ))
            })
        };
        match name {
            "add" => op_add(&mut doc, path, value()?)?,
            "remove" => {
                op_remove(&mut doc, path)?;
            }
            "replace" => {
                op_remove(&mut doc, path)?;
                op_add(&mut doc, path, value()?)?;
            }
            "move" | "copy" => {
                let from = op.get("from").and_then(Value::as_str).unwrap_or("");
                let v = if name == "move" {
                    op_remove(&mut doc, from)?
                } else {
                    doc.pointer(from).cloned().ok_or_else(|| missing(from))?
                };
                op_add(&mut doc, path, v)?;
            }
            "test" => {
                if doc.pointer(path) != Some(&value()?) {
                    return Err(ApiError::bad_request(format!(
                        "the server rejected our request due to an error in our request: testing value {path} failed"
                    )));
                }
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "the server rejected our request due to an error in our request: Unexpected kind: {other}"
                )));
            }
        }
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_deletes_with_null() {
        let t = json!({"a": 1, "b": {"c": 2, "d": 3}});
        assert_eq!(merge_patch(&t, &json!({"b": {"c": null}, "e": 5})), json!({"a": 1, "b": {"d": 3}, "e": 5}));
    }

    #[test]
    fn strategic_merge_keys_containers_by_name() {
        let t =
            json!({"spec": {"containers": [{"name": "a", "image": "nginx:1.25"}, {"name": "b", "image": "redis"}]}});
        let p = json!({"spec": {"containers": [{"name": "a", "image": "nginx:1.26"}]}});
        let out = strategic_merge(&t, &p, "");
        assert_eq!(out["spec"]["containers"][0]["image"], "nginx:1.26");
        assert_eq!(out["spec"]["containers"][1]["image"], "redis");
        let del = json!({"spec": {"containers": [{"name": "b", "$patch": "delete"}]}});
        assert_eq!(strategic_merge(&t, &del, "")["spec"]["containers"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn json_patch_ops_and_errors() {
        let t = json!({"spec": {"replicas": 1, "list": [1, 2]}});
        let p = json!([{"op": "replace", "path": "/spec/replicas", "value": 3}, {"op": "add", "path": "/spec/list/-", "value": 9}, {"op": "remove", "path": "/spec/list/0"}]);
        assert_eq!(json_patch(&t, &p).unwrap(), json!({"spec": {"replicas": 3, "list": [2, 9]}}));
        assert!(json_patch(&t, &json!([{"op": "remove", "path": "/nope"}])).is_err());
        assert!(json_patch(&t, &json!({"op": "add"})).is_err());
        assert!(json_patch(&t, &json!([{"op": "frob", "path": "/a"}])).is_err());
    }
}
