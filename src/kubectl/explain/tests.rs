//! explain's resolution, errors and both printers, over the built-in schema and a small hand-made
//! one whose expected output is worked out from kubectl's templates by hand.

use super::*;
use crate::cluster::Cluster;
use crate::kubectl::Output;

fn kubectl(line: &str) -> Output {
    let mut cluster = Cluster::default();
    let mut out = Output::default();
    let args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    crate::kubectl::run(&args, None, &mut cluster, &mut out);
    out
}

#[test]
fn resolves_names_like_kubectl() {
    let t = resolve("deploy.spec.template", "").unwrap();
    assert_eq!((t.kind, t.group.as_str(), t.version.as_str()), (Kind::Deployment, "apps", "v1"));
    assert_eq!(t.fields, ["spec", "template"]);
    assert_eq!(resolve("deployments.apps.spec", "").unwrap().fields, ["spec"]);
    assert_eq!(resolve("pods.", "").unwrap().fields, Vec::<String>::new());
    assert_eq!(resolve("Pod.spec", "").unwrap().kind, Kind::Pod);
    // With --api-version everything after the resource is a field, as kubectl reads it.
    assert_eq!(resolve("deployments.apps.spec", "apps/v1").unwrap().fields, ["apps", "spec"]);
    let t = resolve("hpa", "autoscaling/v1").unwrap();
    assert_eq!((t.group.as_str(), t.version.as_str()), ("autoscaling", "v1"));
    assert_eq!(resolve("foo", ""), Err(ExplainError::UnknownType("foo".into())));
    assert_eq!(resolve("pods..spec", ""), Err(ExplainError::InvalidPath));
    assert_eq!(resolve("pods", "a/b/c"), Err(ExplainError::BadGroupVersion("a/b/c".into())));
}

#[test]
fn errors_as_kubectl_prints_them() {
    let cases = [
        (
            "explain",
            "error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n",
        ),
        ("explain pods svc", "error: We accept only this format: explain RESOURCE\n"),
        ("explain foo", "error: the server doesn't have a resource type \"foo\"\n"),
        ("explain pods --api-version=apps/v1", "error: GVR (apps/v1, Resource=pods) not found in OpenAPI schema\n"),
        (
            "explain deploy --api-version=apps/v2",
            "error: couldn't find resource for \"apps/v2, Resource=deployments\"\n",
        ),
        ("explain pods --output=yaml", "error: unrecognized format: yaml\n"),
        (
            "explain pods --output=plaintext-openapiv2 --api-version=v2",
            "error: couldn't find resource for \"/v2, Kind=Pod\"\n",
        ),
        ("explain pods.spec.nope --output=plaintext-openapiv2", "error: field \"nope\" does not exist\n"),
        ("explain pods -o yaml", "error: unknown shorthand flag: 'o' in -o\nSee 'kubectl explain --help' for usage.\n"),
    ];
    for (line, stderr) in cases {
        let out = kubectl(line);
        assert_eq!((out.stdout().as_str(), out.stderr().as_str(), out.exit_code), ("", stderr, 1), "{line}");
    }
    // The template prints the header before it finds the path missing, and names its last element.
    let out = kubectl("explain deploy.spec.nope.deeper");
    assert_eq!(out.stdout(), "GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\n");
    assert_eq!(out.stderr(), "error: field \"deeper\" does not exist\n");
}

/// A Widget with a required map of Quantity, a list of Parts (which nest a Widget: a cycle), a
/// time and an int-or-string.
const SMALL: &[u8] = br##"{"kinds":{"Pod":0},"types":[
["Widget","Widget is a test kind whose description is long enough to be wrapped at seventy-six columns.\n\nIt has a second paragraph.","object",[
 ["limits","Limits per resource.","{}#1",1],
 ["parts","Parts of it.","[]#2",0],
 ["when","","#3",0]]],
["Quantity","Quantity is a number.","",[]],
["Part","Part is a piece.","object",[["name","Name of the part.","string",1],["owner","The owner.","#0",0],["port","","#4",0]]],
["Time","Time is a time.","string",[]],
["IntOrString","IntOrString holds an int or a string.","",[]]]}"##;

fn small(path: &[&str], recursive: bool) -> Option<String> {
    let schema = Schema::parse(SMALL).unwrap();
    let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
    plaintext::render(&schema, &Ty::Named(0), &path, recursive)
}

#[test]
fn plaintext_follows_the_template() {
    assert_eq!(
        small(&[], false).unwrap(),
        "DESCRIPTION:\n    Widget is a test kind whose description is long enough to be wrapped at\n    seventy-six columns.\n    \n    It has a second paragraph.\n    \nFIELDS:\n  limits\t<map[string]Quantity> -required-\n    Limits per resource.\n\n  parts\t<[]Part>\n    Parts of it.\n\n  when\t<string>\n    <no description>\n\n"
    );
    assert_eq!(
        small(&["parts"], false).unwrap(),
        "FIELD: parts <[]Part>\n\n\nDESCRIPTION:\n    Parts of it.\n    Part is a piece.\n    \nFIELDS:\n  name\t<string> -required-\n    Name of the part.\n\n  owner\t<Widget>\n    The owner.\n\n  port\t<IntOrString>\n    <no description>\n\n"
    );
    assert_eq!(
        small(&["parts", "name"], false).unwrap(),
        "FIELD: name <string>\n\n\nDESCRIPTION:\n    Name of the part.\n    \n"
    );
    assert_eq!(small(&["limits", "x"], false), None);
    // --recursive stops at a type already on the path (Part.owner is the Widget being listed); the
    // kind itself is not on it, so from the top Widget is listed once more under owner.
    assert_eq!(
        small(&[], true).unwrap(),
        "DESCRIPTION:\n    Widget is a test kind whose description is long enough to be wrapped at\n    seventy-six columns.\n    \n    It has a second paragraph.\n    \nFIELDS:\n  limits\t<map[string]Quantity> -required-\n  parts\t<[]Part>\n    name\t<string> -required-\n    owner\t<Widget>\n      limits\t<map[string]Quantity> -required-\n      parts\t<[]Part>\n      when\t<string>\n    port\t<IntOrString>\n  when\t<string>\n"
    );
    assert_eq!(
        small(&["parts"], true).unwrap(),
        "FIELD: parts <[]Part>\n\n\nDESCRIPTION:\n    Parts of it.\n    Part is a piece.\n    \nFIELDS:\n  name\t<string> -required-\n  owner\t<Widget>\n    limits\t<map[string]Quantity> -required-\n    parts\t<[]Part>\n    when\t<string>\n  port\t<IntOrString>\n"
    );
}

/// A Gadget with enum fields: four values exactly, five (one empty), and a nested one.
const ENUMS: &[u8] = br##"{"kinds":{"Pod":0},"types":[
["Gadget","","object",[
 ["four","Four.","string",1,["A","B","C","D"]],
 ["inner","","#1",0],
 ["five","Five.","string",0,["","B","C","D","E"]]]],
["Inner","","object",[["mode","","string",0,["X"]]]]]}"##;

#[test]
fn plaintext_lists_enum_values_like_the_template() {
    let schema = Schema::parse(ENUMS).unwrap();
    let render = |path: &[&str], recursive: bool| {
        let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        plaintext::render(&schema, &Ty::Named(0), &path, recursive).unwrap()
    };
    // The field list: at most four values, on a line at the field's own indent; "" for empty.
    assert_eq!(
        render(&[], false),
        "DESCRIPTION:\n    <empty>\nFIELDS:\n  five\t<string>\n  enum: \"\", B, C, D, ....\n    Five.\n\n  four\t<string> -required-\n  enum: A, B, C, D\n    Four.\n\n  inner\t<Inner>\n    <no description>\n\n"
    );
    assert_eq!(
        render(&[], true),
        "DESCRIPTION:\n    <empty>\nFIELDS:\n  five\t<string>\n  enum: \"\", B, C, D, ....\n  four\t<string> -required-\n  enum: A, B, C, D\n  inner\t<Inner>\n    mode\t<string>\n    enum: X\n"
    );
    // The field itself: every value on its own line under ENUM:, then one blank line.
    assert_eq!(
        render(&["five"], false),
        "FIELD: five <string>\nENUM:\n    \"\"\n    B\n    C\n    D\n    E\n\nDESCRIPTION:\n    Five.\n    \n"
    );
    assert_eq!(render(&["inner", "mode"], false), "FIELD: mode <string>\nENUM:\n    X\n\nDESCRIPTION:\n    <empty>\n");
}

#[test]
fn openapiv2_follows_the_model_printer() {
    let schema = Schema::parse(SMALL).unwrap();
    let target = |fields: &[&str]| Target {
        kind: Kind::Pod,
        group: String::new(),
        version: "v1".into(),
        fields: fields.iter().map(|s| s.to_string()).collect(),
    };
    assert_eq!(
        openapiv2::render(&schema, 0, &target(&["parts"]), false).unwrap(),
        "KIND:     Pod\nVERSION:  v1\n\nRESOURCE: parts <[]Object>\n\nDESCRIPTION:\n     Parts of it.\n\n     Part is a piece.\n\nFIELDS:\n   name\t<string> -required-\n     Name of the part.\n\n   owner\t<Object>\n     The owner.\n\n   port\t<string>\n\n"
    );
    assert_eq!(
        openapiv2::render(&schema, 0, &target(&["limits"]), false).unwrap(),
        "KIND:     Pod\nVERSION:  v1\n\nFIELD:    limits <map[string]string>\n\nDESCRIPTION:\n     Limits per resource.\n\n     Quantity is a number.\n"
    );
    assert_eq!(
        openapiv2::render(&schema, 0, &target(&[]), true).unwrap(),
        "KIND:     Pod\nVERSION:  v1\n\nDESCRIPTION:\n     Widget is a test kind whose description is long enough to be wrapped at\n     seventy-six columns.\n\n     It has a second paragraph.\n\nFIELDS:\n   limits\t<map[string]string>\n   parts\t<[]Object>\n      name\t<string>\n      owner\t<Object>\n         limits\t<map[string]string>\n         parts\t<[]Object>\n         when\t<string>\n      port\t<string>\n   when\t<string>\n"
    );
}

#[test]
fn the_schema_must_be_loaded() {
    assert_eq!(ExplainError::NotLoaded.to_string(), "the API schema is still loading; try again in a moment");
}
