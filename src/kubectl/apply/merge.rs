//! The three-way strategic merge patch of client-side apply (apimachinery's
//! `CreateThreeWayMergePatch`): what the manifest (`modified`) adds or changes relative to the live
//! object (`current`), plus what it dropped relative to the last applied configuration (`original`),
//! as deletions. Fields the server or other clients set and the manifest never named are left alone.

use serde_json::{Map, Value};

use crate::apiserver::patch::merge_key;

/// The patch that applies `modified` over `current`; `{}` when nothing changes.
pub fn three_way(original: &Value, modified: &Value, current: &Value) -> Value {
    let mut patch = additions(current, modified, "").unwrap_or_else(|| Value::Object(Map::new()));
    if let Some(d) = deletions(original, modified, "") {
        merge_into(&mut patch, d, "");
    }
    patch
}

/// The value in `list` whose merge key `key` equals `want`.
fn find_keyed<'a>(list: &'a [Value], key: &str, want: &Value) -> Option<&'a Value> {
    list.iter().find(|i| i.get(key) == Some(want))
}

/// What `modified` sets that `current` lacks or holds differently (None: nothing).
fn additions(current: &Value, modified: &Value, field: &str) -> Option<Value> {
    match (current, modified) {
        (Value::Object(c), Value::Object(m)) => {
            let mut out = Map::new();
            for (k, mv) in m {
                match c.get(k) {
                    None if mv.is_null() => {}
                    None => {
                        out.insert(k.clone(), mv.clone());
                    }
                    Some(cv) => {
                        if let Some(d) = additions(cv, mv, k) {
                            out.insert(k.clone(), d);
                        }
                    }
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        (Value::Array(c), Value::Array(m)) => match merge_key(field, m) {
            Some(key) if m.iter().all(|i| i.get(key).is_some()) => {
                let mut out = Vec::new();
                for mi in m {
                    let Some(kv) = mi.get(key) else { continue };
                    match find_keyed(c, key, kv) {
                        None => out.push(mi.clone()),
                        Some(ci) => {
                            if let Some(Value::Object(mut d)) = additions(ci, mi, "") {
                                d.insert(key.to_string(), kv.clone());
                                out.push(Value::Object(d));
                            }
                        }
                    }
                }
                (!out.is_empty()).then_some(Value::Array(out))
            }
            _ => (c != m).then(|| modified.clone()),
        },
        _ => (current != modified).then(|| modified.clone()),
    }
}

/// What `original` had that `modified` dropped, as `null`s and `$patch: delete` items.
fn deletions(original: &Value, modified: &Value, field: &str) -> Option<Value> {
    match (original, modified) {
        (Value::Object(o), Value::Object(m)) => {
            let mut out = Map::new();
            for (k, ov) in o {
                match m.get(k) {
                    None => {
                        out.insert(k.clone(), Value::Null);
                    }
                    Some(mv) => {
                        if let Some(d) = deletions(ov, mv, k) {
                            out.insert(k.clone(), d);
                        }
                    }
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        (Value::Array(o), Value::Array(m)) => {
            let key = merge_key(field, o).filter(|k| o.iter().all(|i| i.get(*k).is_some()))?;
            let mut out = Vec::new();
            for oi in o {
                let Some(kv) = oi.get(key) else { continue };
                match find_keyed(m, key, kv) {
                    None => {
                        let mut d = Map::new();
                        d.insert(key.to_string(), kv.clone());
                        d.insert("$patch".into(), Value::String("delete".into()));
                        out.push(Value::Object(d));
                    }
                    Some(mi) => {
                        if let Some(Value::Object(mut d)) = deletions(oi, mi, "") {
                            d.insert(key.to_string(), kv.clone());
                            out.push(Value::Object(d));
                        }
                    }
                }
            }
            (!out.is_empty()).then_some(Value::Array(out))
        }
        _ => None,
    }
}

/// Folds `extra` into `patch`: maps key by key, keyed lists item by item.
fn merge_into(patch: &mut Value, extra: Value, field: &str) {
    match (patch, extra) {
        (Value::Object(p), Value::Object(e)) => {
            for (k, v) in e {
                match p.get_mut(&k) {
                    Some(existing) => merge_into(existing, v, &k),
                    None => {
                        p.insert(k, v);
                    }
                }
            }
        }
        (Value::Array(p), Value::Array(e)) => {
            let key = merge_key(field, &e);
            for item in e {
                let pos = key.and_then(|k| item.get(k).and_then(|kv| p.iter().position(|x| x.get(k) == Some(kv))));
                match pos.and_then(|i| p.get_mut(i)) {
                    Some(existing) => merge_into(existing, item, ""),
                    None => p.push(item),
                }
            }
        }
        (p, e) => *p = e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unchanged_manifest_gives_an_empty_patch() {
        let m = json!({"spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "a", "image": "x"}]}}}});
        let c = json!({"spec": {"replicas": 2, "paused": false, "template": {"spec": {"containers": [{"name": "a", "image": "x", "imagePullPolicy": "Always"}]}}}});
        assert_eq!(three_way(&m, &m, &c), json!({}));
    }

    #[test]
    fn changes_additions_and_deletions() {
        let o = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}});
        let m = json!({"metadata": {"labels": {"a": "1", "c": "3"}}, "spec": {"containers": [{"name": "a", "image": "z"}]}});
        let c = json!({"metadata": {"labels": {"a": "1", "b": "2", "other": "x"}}, "spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}});
        let p = three_way(&o, &m, &c);
        assert_eq!(
            p,
            json!({"metadata": {"labels": {"b": null, "c": "3"}}, "spec": {"containers": [{"name": "a", "image": "z"}, {"name": "b", "$patch": "delete"}]}})
        );
    }
}
