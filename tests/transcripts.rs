//! Scenario transcripts: each file under `tests/transcripts/` is what `kubarium run` prints for the
//! script its `$ ` and `> ` lines spell, on the default cluster with seed 1. The test replays the
//! script and requires the same transcript, byte for byte. `UPDATE_GOLDEN=1 cargo test --test
//! transcripts` rewrites the files; read the diff against upstream behaviour before committing it.

use std::path::Path;

use kubarium::cluster::Cluster;
use kubarium::terminal::Shell;

/// The script a transcript was produced from: its command lines and their continuations.
fn script_of(transcript: &str) -> String {
    let mut script = String::new();
    let mut in_command = false;
    for line in transcript.lines() {
        if let Some(cmd) = line.strip_prefix("$ ") {
            in_command = true;
            script.push_str(cmd);
            script.push('\n');
        } else if let Some(more) = line.strip_prefix("> ").filter(|_| in_command) {
            script.push_str(more);
            script.push('\n');
        } else {
            in_command = false;
        }
    }
    script
}

#[test]
fn transcripts_replay_byte_for_byte() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("tests/transcripts").flatten().map(|e| e.path()).collect();
    files.sort();
    assert!(!files.is_empty());
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "txt")) {
        let expected = std::fs::read_to_string(path).expect("read transcript");
        let actual = Shell::new(Cluster::boot_default(1)).run_script(&script_of(&expected));
        if actual == expected {
            continue;
        }
        if update {
            std::fs::write(path, &actual).expect("write transcript");
        } else {
            failures.push(format!("{}:\n--- expected\n{expected}\n--- actual\n{actual}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
