use super::*;

/// Templates whose output depends on Go's random map iteration (`*` over a map, `..` over several
/// keys): only the printed tokens can match.
const UNORDERED: &[&str] = &["{.metadata.*}", "{.metadata.labels.*}", "{.spec.*}", "{..name}"];

/// Golden cases recorded from kubectl v1.36.3 (`kubectl annotate --local -f - k=v -o jsonpath=...`,
/// with and without `--allow-missing-template-keys=false`): stdout, or the stderr kubectl printed.
#[test]
fn kubectl_golden() {
    let data: Value = serde_json::from_str(include_str!("testdata/jsonpath_golden.json")).unwrap_or(Value::Null);
    let object = data.get("object").cloned().unwrap_or(Value::Null);
    let cases = data.get("cases").and_then(Value::as_array).cloned().unwrap_or_default();
    assert!(cases.len() >= 100);
    let mut failures = Vec::new();
    for case in &cases {
        let template = case.get("template").and_then(Value::as_str).unwrap_or("");
        let allow = case.get("allow_missing").and_then(Value::as_bool).unwrap_or(true);
        let stdout = case.get("stdout").and_then(Value::as_str).unwrap_or("");
        let stderr = case.get("stderr").and_then(Value::as_str).unwrap_or("");
        let (got_out, got_err) =
            match parse(template).map(|t| t.allow_missing_keys(allow)).and_then(|t| t.execute(&object)) {
                Ok(out) => (out, String::new()),
                Err(e) => (String::new(), e.kubectl_message()),
            };
        let tokens = |s: &str| {
            let mut v: Vec<&str> = s.split(' ').collect();
            v.sort();
            v.join(" ")
        };
        let same_out =
            if UNORDERED.contains(&template) { tokens(&got_out) == tokens(stdout) } else { got_out == stdout };
        if !same_out || got_err != stderr {
            failures.push(format!(
                "{template:?} allow={allow}\n want {stdout:?} {stderr:?}\n  got {got_out:?} {got_err:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn error_texts() {
    assert_eq!(parse("").map(|_| ()), Err(JsonPathError::NoTemplate));
    let e = parse("{.x").map(|_| ()).err();
    assert_eq!(e.map(|e| e.kubectl_message()).as_deref(), Some("error: error parsing jsonpath {.x, unclosed action\n"));
    let cases = [
        ("{.a[?(@.b=\"x)]}", "unterminated filter"),
        ("{#}", "unrecognized character in action: U+0023 '#'"),
        ("{..}{.a....b}", "invalid multiple recursive descent"),
        ("{\"a\\q\"}", "unquote string \"a\\q\" error invalid syntax"),
        ("{.a[1:2:3:4]}", "invalid array index 1:2:3:4"),
        ("{.a[?(@.b)x]}", "unclosed array expect ]"),
        ("{-}", "cannot parse number -"),
    ];
    for (template, reason) in cases {
        let got = parse(template).map(|_| ()).map_err(|e| e.reason());
        assert_eq!(got, Err(reason.to_string()), "{template}");
    }
}

/// Checked against kubectl v1.36.3 (with the list under a non-`items` key); the inner `.*` order is
/// random in kubectl and sorted here.
#[test]
fn typed_literals_and_filters() {
    let obj = serde_json::json!({"items": [{"n": 1, "s": "a", "b": true}, {"n": 2, "s": "b", "b": false}]});
    let run = |t: &str| parse(t).and_then(|t| t.execute(&obj)).map_err(|e| e.reason());
    assert_eq!(run("{.items[?(@.n>=2)].s}"), Ok("b".to_string()));
    assert_eq!(run("{.items[?(@.n<2)].s}"), Ok("a".to_string()));
    assert_eq!(run("{.items[?(@.b==true)].s}"), Ok("a".to_string()));
    assert_eq!(run("{.items[?(@.b<true)].s}"), Err("invalid type for comparison".to_string()));
    assert_eq!(run("{.items[?(@.s=<\"a\")].s}"), Err("unrecognized filter operator =<".to_string()));
    assert_eq!(run("{.items[?(@.n>1.5)].s}"), Err("incompatible types for comparison".to_string()));
    assert_eq!(run("{.items[0].s.*}"), Ok("97".to_string()));
    assert_eq!(run("{range .items[*]}{range .*}{@};{end}|{end}"), Ok("true;1;a;|false;2;b;|".to_string()));
}

#[test]
fn never_panics() {
    let atoms = [
        "{", "}", ".", "..", "[", "]", "[?(", ")", "@", "$", "*", ":", "-1", "2", ",", "'", "\"", "\\", "range", "end",
        "==", "<", "!=", "a", "b", "items", "x", " ", "\n", "中", "true", "1.5", "\t", "?", "=", ">=",
    ];
    let obj =
        serde_json::json!({"a": {"b": [1, 2.5, "x", null, {"a": "b"}]}, "items": [{"x": 1}, {"x": "y"}], "b": "中文"});
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..20000 {
        let mut t = String::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = seed % 12;
        for k in 0..len {
            let pick = (seed.rotate_left((k * 5) as u32) % atoms.len() as u64) as usize;
            t.push_str(atoms.get(pick).copied().unwrap_or(""));
        }
        if let Ok(tpl) = parse(&t) {
            let _ = tpl.clone().execute(&obj);
            let _ = tpl.allow_missing_keys(false).execute(&obj);
        }
    }
}
