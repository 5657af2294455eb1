//! Go templates against outputs recorded from kubectl v1.36.3 (`kubectl create deployment x
//! --image=nginx --dry-run=client -o go-template=...`), and random templates that must never panic.

use serde_json::{Value, json};

use super::*;

fn deployment() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"labels": {"app": "x"}, "name": "x"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "x"}}, "strategy": {},
            "template": {"metadata": {"labels": {"app": "x"}},
                "spec": {"containers": [{"image": "nginx", "name": "nginx", "resources": {}}]}}},
        "status": {}})
}

fn run(t: &str) -> Result<String, String> {
    let tpl = parse(t).map_err(|e| e.kubectl_message())?;
    tpl.execute(&deployment(), "{}").map_err(|e| e.kubectl_message())
}

#[test]
fn outputs_match_kubectl() {
    let cases: &[(&str, &str)] = &[
        ("{{.metadata.name}}", "x"),
        (
            "{{.spec}}",
            "map[replicas:1 selector:map[matchLabels:map[app:x]] strategy:map[] template:map[metadata:map[labels:map[app:x]] spec:map[containers:[map[image:nginx name:nginx resources:map[]]]]]]",
        ),
        ("{{.nope}}|{{.metadata.nope.x}}", "<no value>|<no value>"),
        ("{{range .spec.template.spec.containers}}{{.name}}{{\"\\n\"}}{{end}}", "nginx\n"),
        ("{{len .metadata}}", "2"),
        ("{{printf \"%d %v %q %s\" .spec.replicas .spec.replicas .kind .kind}}", "1 1 \"Deployment\" Deployment"),
        ("{{index .metadata \"name\"}}", "x"),
        ("{{base64decode \"aGk=\"}}", "hi"),
        ("{{if eq .kind \"Deployment\"}}y{{else}}n{{end}}", "y"),
        ("{{1.5}} {{1e3}} {{0x10}} {{true}}", "1.5 1000 16 true"),
        ("{{print 1 2 \"a\" \"b\" 3}}", "1 2ab3"),
        ("{{println 1 2}}", "1 2\n"),
        ("{{$x := 1}}{{$x}}", "1"),
        ("{{range $i, $e := .spec.template.spec.containers}}{{$i}}={{$e.image}}{{end}}", "0=nginx"),
        ("{{eq .spec.replicas 1}}|{{lt .spec.replicas 2}}", "true|true"),
        (
            "{{printf \"%T %T %T %T\" .metadata .spec.template.spec.containers .kind .nope}}",
            "map[string]interface {} []interface {} string <nil>",
        ),
        ("{{and 1 0 2}}|{{or 0 \"\" \"x\"}}|{{not 0}}", "0|x|true"),
        ("{{- \"a\" -}}  {{- \"b\"}}", "ab"),
        ("{{with .nope}}x{{else}}y{{end}}{{if .nope}}x{{else if .kind}}k{{end}}", "yk"),
        ("{{range $k, $v := .metadata.labels}}{{$k}}={{$v}}{{end}}", "app=x"),
        ("{{index .metadata.labels \"zz\"}}", "<no value>"),
        ("{{/* c */}}x{{'a'}}", "x97"),
        ("{{range .nope}}a{{else}}e{{end}}{{range 3}}{{.}}{{end}}", "e012"),
        ("{{range .spec.template.spec.containers}}{{break}}{{end}}ok", "ok"),
        ("{{exists . \"metadata\" \"name\"}} {{exists . \"x\"}}", "true false"),
        ("{{.kind | len | printf \"%d\" | printf \"%s-%v\" \"a\"}}", "a-10"),
        ("{{print .nope}} {{printf \"%v|%s|%d\" .nope .nope .nope}}", "<nil> <nil>|%!s(<nil>)|%!d(<nil>)"),
        ("{{with $x := .metadata}}{{$x.name}}{{end}}{{$y := 1}}{{$y = 2}}{{$y}}", "x2"),
        ("{{define \"n\"}}<{{.}}>{{end}}{{template \"n\" .kind}}", "<Deployment>"),
        ("{{index .kind 0}}", "68"),
    ];
    for (t, want) in cases {
        assert_eq!(run(t).as_deref(), Ok(*want), "{t}");
    }
}

#[test]
fn errors_match_kubectl() {
    let cases: &[(&str, &str)] = &[
        ("{{.a}", "error: error parsing template {{.a}, template: output:1: bad character U+007D '}'\n"),
        ("{{foo}}", "error: error parsing template {{foo}}, template: output:1: function \"foo\" not defined\n"),
        ("{{if}}", "error: error parsing template {{if}}, template: output:1: missing value for if\n"),
        ("{{end}}", "error: error parsing template {{end}}, template: output:1: unexpected {{end}}\n"),
        ("{{range .x}}", "error: error parsing template {{range .x}}, template: output:1: unexpected EOF\n"),
        ("{{$x}}", "error: error parsing template {{$x}}, template: output:1: undefined variable \"$x\"\n"),
        ("{{break}}", "error: error parsing template {{break}}, template: output:1: {{break}} outside {{range}}\n"),
        (
            "{{.kind.x}}",
            "error: error executing template \"{{.kind.x}}\": template: output:1:7: executing \"output\" at <.kind.x>: can't evaluate field x in type interface {}\n",
        ),
        (
            "{{eq 1 \"a\"}}",
            "error: error executing template \"{{eq 1 \\\"a\\\"}}\": template: output:1:2: executing \"output\" at <eq 1 \"a\">: error calling eq: incompatible types for comparison: int and string\n",
        ),
        (
            "{{lt .spec.replicas 1.5}}",
            "error: error executing template \"{{lt .spec.replicas 1.5}}\": template: output:1:2: executing \"output\" at <lt .spec.replicas 1.5>: error calling lt: incompatible types for comparison: int64 and float64\n",
        ),
        (
            "{{base64decode 3}}",
            "error: error executing template \"{{base64decode 3}}\": template: output:1:15: executing \"output\" at <3>: expected string; found 3\n",
        ),
        (
            "{{.kind 1}}",
            "error: error executing template \"{{.kind 1}}\": template: output:1:2: executing \"output\" at <.kind>: kind is not a method but has arguments\n",
        ),
        (
            "{{and}}",
            "error: error executing template \"{{and}}\": template: output:1:2: executing \"output\" at <and>: wrong number of args for and: want at least 1 got 0\n",
        ),
    ];
    for (t, want) in cases {
        assert_eq!(run(t).err().as_deref(), Some(*want), "{t}");
    }
}

#[test]
fn partial_output_and_debugging_text_on_failure() {
    let tpl = parse("{{.kind}} {{nil}}").unwrap_or_else(|e| panic!("{e}"));
    let err = tpl.execute(&json!({"kind": "A"}), "{\"kind\":\"A\"}").err();
    let printed = err.as_ref().map(GoTemplateError::printed).unwrap_or_default();
    assert_eq!(
        printed,
        "A Error executing template: template: output:1:12: executing \"output\" at <nil>: nil is not a command. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{{.kind}} {{nil}}\n\traw data was:\n\t\t{\"kind\":\"A\"}\n\tobject given to template engine was:\n\t\tmap[kind:A]\n\n"
    );
}

#[test]
fn missing_keys_can_be_errors() {
    let tpl = parse("{{.nope}}").map(|t| t.allow_missing_keys(false)).unwrap_or_else(|e| panic!("{e}"));
    let err = tpl.execute(&deployment(), "{}").err().map(|e| e.kubectl_message());
    assert_eq!(
        err.as_deref(),
        Some(
            "error: error executing template \"{{.nope}}\": template: output:1:2: executing \"output\" at <.nope>: map has no entry for key \"nope\"\n"
        )
    );
}

#[test]
fn bounded_and_never_panics() {
    // Self-recursion and huge ranges end with an error, not a hang or a crash.
    let rec =
        parse("{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}").map(|t| t.execute(&json!({}), "{}"));
    assert!(matches!(rec, Ok(Err(GoTemplateError::Execute { .. }))));
    let big = parse("{{range 100000000}}xxxxxxxxxxxxxxxxxxxx{{end}}").map(|t| t.execute(&json!({}), "{}"));
    assert!(matches!(big, Ok(Err(GoTemplateError::Execute { .. }))));
    // Random templates from a fixed alphabet of template pieces.
    let pieces = [
        "{{",
        "}}",
        "{{-",
        " -}}",
        ".",
        ".metadata",
        ".name",
        "$",
        "$x",
        ":=",
        "=",
        "|",
        "(",
        ")",
        "range",
        "if",
        "else",
        "end",
        "with",
        "break",
        "continue",
        "printf",
        "\"%d%s%v%q\"",
        "index",
        "len",
        "eq",
        "lt",
        "and",
        "not",
        "1",
        "-2.5",
        "'c'",
        "`r`",
        "\"s",
        "nil",
        "true",
        " ",
        ",",
        "\n",
        "/*",
        "*/",
        "define",
        "template",
        "\"t\"",
        "0x",
        "base64decode",
        "exists",
        "print",
        "}",
        "{",
        "é",
        "1e999",
        "9223372036854775808",
    ];
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..20000 {
        let n = (next() % 14) as usize;
        let t: String = (0..n).map(|_| pieces[(next() % pieces.len() as u64) as usize]).collect();
        if let Ok(tpl) = parse(&t) {
            let _ = tpl.execute(&deployment(), "{}");
        }
    }
}
