//! `kubarium run` natively: scenario files, and share links (`--link`) that reproduce the session that
//! made them, or fail with a message on stderr and a non-zero exit.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `kubarium ARGS` with `stdin`, returning (exit code, stdout, stderr).
fn kubarium(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubarium"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubarium starts");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin takes the script");
    let out = child.wait_with_output().expect("kubarium finishes");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn a_share_link_reproduces_the_session_that_made_it() {
    let script = "kubectl create deployment web --image=nginx --replicas=3\nkubectl expose deployment web --port=80\nsleep 25\nkubarium node stop node-01\nsleep 5\n";
    let (code, made, _) =
        kubarium(&["run", "--seed", "3", "-"], &format!("{script}kubectl get pods -o wide\nkubarium share\n"));
    assert_eq!(code, 0);
    let link = made.lines().find(|l| l.starts_with("http://localhost:8080/#s=1.")).expect("share prints a link");
    let pods =
        made.split("$ kubectl get pods -o wide\n").nth(1).and_then(|r| r.split("$ kubarium share").next()).unwrap();
    let (code, opened, err) = kubarium(&["run", "--link", link, "-"], "kubectl get pods -o wide\n");
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(opened, format!("$ kubectl get pods -o wide\n{pods}"));
}

#[test]
fn bad_links_fail_on_stderr_with_a_non_zero_exit() {
    let cases = [
        (
            "http://localhost:8080/#s=7.AAAA",
            "the link is of version \"7\", which this playground cannot read (it reads version 1)",
        ),
        ("http://localhost:8080/#s=1.%%%", "the link is corrupted: its data is not base64url"),
        ("http://localhost:8080/#s=1.AAAA", "the link is corrupted: its data does not decompress"),
        ("http://localhost:8080/", "the link holds no scenario (no #s= in it)"),
    ];
    for (link, message) in cases {
        let (code, out, err) = kubarium(&["run", "--link", link, "-"], "kubectl get pods\n");
        assert_eq!((code, out.as_str()), (1, ""), "{link}");
        assert_eq!(err, format!("kubarium run: cannot open the link: {message}\n"), "{link}");
    }
    let long = format!("http://localhost:8080/#s=1.{}", "A".repeat(9000));
    let (code, _, err) = kubarium(&["run", "--link", &long, "-"], "");
    assert_eq!(code, 1);
    assert!(err.contains("over the 8192 a link can carry; share it as a file instead"), "{err}");
    let (code, _, err) = kubarium(&["run", "--seed", "2", "--link", "http://x/#s=1.AAAA", "-"], "");
    assert_eq!(code, 2);
    assert!(err.contains("--seed and --link cannot be used together"), "{err}");
}

#[test]
fn a_scenario_file_boots_its_own_cluster_and_images() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios/zones.yaml");
    let (code, out, err) = kubarium(&["run", path], "");
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out.contains("deployment.apps/shop created\n"), "{out}");
    let pods: Vec<&str> = out.lines().filter(|l| l.starts_with("shop-")).collect();
    assert_eq!(pods.len(), 4, "{out}");
    assert!(pods.iter().all(|l| l.contains("Running") && (l.contains("east-1") || l.contains("west-1"))), "{out}");
    assert!(out.contains("gpu-1           Ready    <none>          30s   v1.36.3   west\n"), "{out}");
    let (code, _, err) = kubarium(&["run", "-"], "apiVersion: kubarium/v1\nkind: Scenario\nnodes: []\n");
    assert_eq!(code, 1);
    assert_eq!(err, "kubarium run: -: invalid scenario: a scenario needs at least one node\n");
}

#[test]
fn a_scenario_carries_its_scheduler_configuration() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios/most_allocated.yaml");
    let (code, out, err) = kubarium(&["run", path], "");
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out.contains("\np      1/1     Running   0          5s    10.244.0.3   small   <none>"), "{out}");
    let least = std::fs::read_to_string(path).expect("the scenario").replace("MostAllocated", "LeastAllocated");
    let (_, out, _) = kubarium(&["run", "-"], &least);
    assert!(out.contains("   big    <none>"), "{out}");
}
