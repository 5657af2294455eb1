//! Lesson files may be wrong: every shape of mistake gives an error naming the file and step, and
//! junk never panics.

use super::*;
use crate::sim::rng::Rng;

const MINIMAL: &str = r#"
id: tiny
title: {en: "Tiny", zh: "小"}
steps:
  - title: {en: "Make a pod", zh: "创建 Pod"}
    explain: {en: "Run one.", zh: "运行一个。"}
    hint: {en: "kubectl run", zh: "kubectl run"}
    solution: ["kubectl run web --image=nginx", "sleep 5"]
    check:
      - kind: pod
        name: web
        where:
          - {field: "{.status.phase}", equals: Running}
"#;

#[test]
fn a_minimal_lesson_parses_and_verifies() {
    let lesson = parse("tiny.yaml", MINIMAL).expect("parses");
    assert_eq!(lesson.id, "tiny");
    assert_eq!(lesson.steps.len(), 1);
    assert_eq!(lesson.title.get("zh-CN"), "小");
    assert_eq!(lesson.title.get("en"), "Tiny");
    verify(&lesson).expect("verifies");
}

#[test]
fn a_check_that_fails_says_why_and_reads_without_a_trace() {
    let lesson = parse("tiny.yaml", MINIMAL).expect("parses");
    let mut shell = Shell::new(Cluster::boot_default(1));
    shell.run_script("kubectl run web --image=nginx\n");
    let check = &lesson.steps[0].check;
    let (seq, now) = (shell.cluster().api().trace().next_seq(), shell.cluster().now());
    let why = check.evaluate(shell.cluster()).expect_err("not running yet");
    assert_eq!(why, "want a pod \"web\" in default where {.status.phase} = \"Running\": 0 of 1 match");
    assert_eq!((shell.cluster().api().trace().next_seq(), shell.cluster().now()), (seq, now));
    assert_eq!(shell.history().len(), 1);
}

#[test]
fn verify_reports_a_step_done_before_its_solution_and_a_failing_command() {
    let done = MINIMAL.replace("name: web", "name: etcd-control-plane\n        namespace: kube-system");
    let lesson = parse("done.yaml", &done).expect("parses");
    assert!(verify(&lesson).expect_err("already done").contains("passes before the solution"));
    let broken = MINIMAL.replace("\"sleep 5\"", "\"kubectl frobnicate\"");
    let lesson = parse("broken.yaml", &broken).expect("parses");
    let err = verify(&lesson).expect_err("bad command");
    assert!(err.contains("`kubectl frobnicate` exited 1"), "{err}");
}

fn err(text: &str) -> String {
    parse("x.yaml", text).expect_err("refused").to_string()
}

#[test]
fn mistakes_are_named() {
    let cases = [
        (MINIMAL.replace("id: tiny", "id: Tiny"), "lesson x.yaml: the id must be lowercase letters, digits and '-'"),
        (MINIMAL.replace("zh: \"小\"", "zh: \"\""), "lesson x.yaml: title: both en and zh must be given"),
        (MINIMAL.replace("kind: pod", "kind: gizmo"), "lesson x.yaml, step 1: condition 1: unknown kind \"gizmo\""),
        (
            MINIMAL.replace("equals: Running", "equals: Running, exists: true"),
            "lesson x.yaml, step 1: condition 1: field \"{.status.phase}\" needs exactly one of equals, not_equals, contains, exists, at_least (a finite number)",
        ),
        (
            MINIMAL.replace("{.status.phase}", "{.status.phase"),
            "lesson x.yaml, step 1: condition 1: field \"{.status.phase\": unclosed action",
        ),
        (
            MINIMAL.replace("name: web", "name: web\n        selector: app=web"),
            "lesson x.yaml, step 1: condition 1: give either name or selector, not both",
        ),
        (
            MINIMAL.replace("name: web", "selector: 'app in (web'"),
            "lesson x.yaml, step 1: condition 1: selector \"app in (web\": ",
        ),
        (
            MINIMAL.replace("name: web", "name: web\n        at_least: 2\n        none: true"),
            "lesson x.yaml, step 1: condition 1: give at most one of all: true, none: true, at_least, exactly",
        ),
        (
            MINIMAL.replace("kind: pod", "kind: node\n        namespace: default"),
            "lesson x.yaml, step 1: condition 1: Node is not namespaced",
        ),
        (
            MINIMAL.replace("kind: pod", "kind: pod\n        component: etcd"),
            "lesson x.yaml, step 1: condition 1: give either component or kind, not both",
        ),
        (
            MINIMAL.replace("solution: [", "solution: [\" \", "),
            "lesson x.yaml, step 1: the solution needs at least one command",
        ),
        (
            MINIMAL.replace("    check:", "    check: []\n    unused:"),
            "lesson x.yaml: steps[0]: unknown field `unused`",
        ),
        (MINIMAL.replace("hint:", "hints:"), "lesson x.yaml: steps[0]: unknown field `hints`"),
        (format!("{MINIMAL}extra: 1\n"), "lesson x.yaml: unknown field `extra`"),
        ("id: a\ntitle: {en: a, zh: b}\nsteps: []\n".to_string(), "lesson x.yaml: a lesson needs at least one step"),
    ];
    for (text, want) in cases {
        let got = err(&text);
        assert!(got.starts_with(want), "want {want:?}\n got {got:?}");
    }
    let component = MINIMAL.replace(
        "kind: pod\n        name: web\n        where:\n          - {field: \"{.status.phase}\", equals: Running}",
        "component: etcd\n        running: true",
    );
    assert_eq!(err(&component), "lesson x.yaml, step 1: condition 1: unknown component \"etcd\"");
}

/// Junk in, an error out: random bytes, random cuts of a good file, and random characters spliced in.
#[test]
fn junk_never_panics() {
    let mut rng = Rng::derive(7, "lesson-junk");
    let good = MINIMAL.as_bytes();
    let cluster = Cluster::new(1);
    for round in 0..2000 {
        let text: String = match round % 3 {
            0 => (0..rng.below(200)).map(|_| char::from(rng.below(128) as u8)).collect(),
            1 => String::from_utf8_lossy(&good[..rng.below(good.len() as u64) as usize]).into_owned(),
            _ => {
                let mut bytes = good.to_vec();
                for _ in 0..1 + rng.below(4) {
                    let at = rng.below(bytes.len() as u64) as usize;
                    let junk = b"{}[]:-'\"\n #&*!|>?%@`\t0aZ";
                    bytes[at] = junk[rng.below(junk.len() as u64) as usize];
                }
                String::from_utf8_lossy(&bytes).into_owned()
            }
        };
        if let Ok(lesson) = parse("junk.yaml", &text) {
            for step in &lesson.steps {
                let _ = step.check.evaluate(&cluster);
            }
        }
    }
}
