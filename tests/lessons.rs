//! Every built-in lesson, replayed: on a fresh default cluster each step's check fails before its
//! solution runs and passes after (the browser test runs the same `verify`).

use kubarium::scenario::lesson;

#[test]
fn every_lesson_file_parses() {
    assert_eq!(lesson::catalog_errors(), &[]);
    let ids: Vec<&str> = lesson::all().iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids.len(), 10, "{ids:?}");
    assert!(lesson::find("journey").is_some());
}

#[test]
fn every_step_is_done_only_after_its_solution() {
    let failures: Vec<String> = lesson::all().iter().filter_map(|l| lesson::verify(l).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
