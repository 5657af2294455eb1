use super::*;
use serde_json::json;

/// Golden cases recorded from kubectl v1.36.3: each object went through `kubectl annotate --local -f -
/// k=v` and both `-o json` (whose `spec` is the input here) and `-o yaml` (whose `spec:` section is the
/// expected output).
#[test]
fn kubectl_golden() {
    let cases: Value = serde_json::from_str(include_str!("testdata/yaml_golden.json")).unwrap_or(Value::Null);
    let cases = cases.as_array().cloned().unwrap_or_default();
    assert!(cases.len() > 250);
    let mut failures = Vec::new();
    for case in &cases {
        let spec = case.get("spec").cloned().unwrap_or(Value::Null);
        let want = case.get("yaml").and_then(Value::as_str).unwrap_or("");
        let got = to_yaml(&json!({ "spec": spec }));
        // go-yaml's key order is not a total order for keys mixing digit runs and letters ("1a", "10",
        // "9"); kubectl's output then depends on Go's random map iteration, so only the lines can match.
        let unordered = spec.get("a001").is_some();
        let lines = |s: &str| {
            let mut v: Vec<String> = s.lines().map(str::to_string).collect();
            v.sort();
            v
        };
        let same = match &got {
            Ok(g) if unordered => lines(g) == lines(want),
            Ok(g) => g == want,
            Err(_) => false,
        };
        if !same {
            failures.push(format!("input {spec}\n want {want:?}\n  got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// go-yaml's natural key order where it is a total order (kubectl prints it the same every run).
#[test]
fn key_order_golden() {
    let keys = [
        "a10",
        "a9",
        "a_b",
        "aZ",
        "a1",
        "a.b",
        "a-b",
        "A",
        "_",
        "é",
        "B",
        "b",
        "a",
        "ab",
        "x2y",
        "x10y",
        "x2",
        "app.kubernetes.io/name",
        "app",
        "z:1",
        "z1",
    ];
    let map: serde_json::Map<String, Value> = keys.iter().enumerate().map(|(i, k)| (k.to_string(), json!(i))).collect();
    let want = "_: 8\nA: 7\nB: 10\na: 12\na-b: 6\na.b: 5\na_b: 2\na1: 4\na9: 1\na10: 0\naZ: 3\nab: 13\napp: 18\napp.kubernetes.io/name: 17\nb: 11\nx2: 16\nx2y: 14\nx10y: 15\nz:1: 19\nz1: 20\né: 9\n";
    assert_eq!(to_yaml(&Value::Object(map)).as_deref(), Ok(want));
}

/// `kubectl create deployment x --image=nginx --dry-run=client -o yaml`.
#[test]
fn deployment_golden() {
    let v = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"labels": {"app": "x"}, "name": "x"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "x"}}, "strategy": {}, "template": {
            "metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"image": "nginx", "name": "nginx", "resources": {}}]}}},
        "status": {}});
    let want = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n    app: x\n  name: x\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: x\n  strategy: {}\n  template:\n    metadata:\n      labels:\n        app: x\n    spec:\n      containers:\n      - image: nginx\n        name: nginx\n        resources: {}\nstatus: {}\n";
    assert_eq!(to_yaml(&v).as_deref(), Ok(want));
}

/// `kubectl create configmap c --from-literal=k=...`: what the JSON round trip does to NEL, DEL and
/// U+FFFF.
#[test]
fn round_trip_golden() {
    let cases: &[(&str, Result<&str, YamlError>)] = &[
        ("a\u{85}b", Ok("k: a b\n")),
        ("a\u{85}\u{85}b", Ok("k: |-\n  a\n  b\n")),
        ("a \u{85} b", Ok("k: a b\n")),
        ("\u{85}b", Ok("k: ' b'\n")),
        ("a\u{85}", Ok("k: 'a '\n")),
        ("a\u{85}\u{85}\u{85}b", Ok("k: |-\n  a\n\n  b\n")),
        ("a\u{85}\nb", Ok("k: \"a \\nb\"\n")),
        ("a\n\u{85}b", Ok("k: |-\n  a\n   b\n")),
        ("a  \u{85}  \u{85}  b", Ok("k: |-\n  a\n  b\n")),
        ("a\u{85}\u{85}...", Ok("k: |-\n  a\n  ...\n")),
        ("a\u{85}---b", Ok("k: a ---b\n")),
        ("a\u{85}--- b", Err(YamlError::DocumentIndicator { line: 2 })),
        ("x\u{85}y\u{85}--- b", Err(YamlError::DocumentIndicator { line: 3 })),
        ("a\u{7f}b", Err(YamlError::ControlCharacters)),
        ("a\u{ffff}b", Err(YamlError::ControlCharacters)),
        ("\u{1F600}\nb", Ok("k: \"\\U0001F600\\nb\"\n")),
    ];
    for (input, want) in cases {
        let got = to_yaml(&json!({ "k": input }));
        assert_eq!(got.as_deref().map_err(Clone::clone), *want, "input {input:?}");
    }
    assert_eq!(
        YamlError::DocumentIndicator { line: 2 }.to_string(),
        "yaml: line 2: found unexpected document indicator"
    );
    assert_eq!(YamlError::ControlCharacters.to_string(), "yaml: control characters are not allowed");
}

#[test]
fn roots_and_numbers() {
    assert_eq!(to_yaml(&json!({})).as_deref(), Ok("{}\n"));
    assert_eq!(to_yaml(&json!([])).as_deref(), Ok("[]\n"));
    assert_eq!(to_yaml(&json!(null)).as_deref(), Ok("null\n"));
    assert_eq!(to_yaml(&json!(["a", ["b"]])).as_deref(), Ok("- a\n- - b\n"));
    assert_eq!(
        to_yaml(&json!({"a": 1e20, "b": -0.0, "c": 18446744073709551615u64})).as_deref(),
        Ok("a: 1e+20\nb: 0\nc: 18446744073709551615\n")
    );
}

#[test]
fn never_panics() {
    let alphabet: Vec<char> =
        " \n\t\r:#-?'\"|>{}[],&*!%@`.~0123456789eEx_+abcyYnN\u{85}\u{a0}\u{2028}\u{feff}中😀\u{7f}".chars().collect();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..3000 {
        let len = (next() % 120) as usize;
        let s: String = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
        let k: String = s.chars().rev().take((next() % 140) as usize).collect();
        let _ = to_yaml(&json!({ k.clone(): s.clone(), "l": [s.clone(), {"m": [k]}] }));
        let _ = to_yaml(&json!(s));
    }
}
