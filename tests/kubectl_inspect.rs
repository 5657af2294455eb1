//! The commands that read and inspect (`describe`, `logs`, `top`, `events`, `api-resources`,
//! `cluster-info`, `config`, `get` with jsonpath, custom-columns and `--sort-by`) as golden
//! transcripts: each `tests/golden/kread/NAME.sh` script runs on the booted default cluster and its
//! transcript must equal `NAME.out`. `UPDATE_GOLDEN=1 cargo test --test kubectl_inspect` rewrites the
//! `.out` files (review each against upstream's layout before committing it).

use std::path::PathBuf;

use kubarium::cluster::Cluster;
use kubarium::terminal::Shell;

fn golden(name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/kread");
    let script = std::fs::read_to_string(dir.join(format!("{name}.sh"))).expect("script");
    let transcript = Shell::new(Cluster::boot_default(1)).run_script(&script);
    let out = dir.join(format!("{name}.out"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&out, &transcript).expect("write golden");
        return;
    }
    let want = std::fs::read_to_string(&out).unwrap_or_default();
    assert!(transcript == want, "{name}: transcript differs from {}:\n{transcript}", out.display());
}

#[test]
fn describe_default_cluster() {
    golden("describe_default");
}

#[test]
fn describe_user_deployment_with_events() {
    golden("describe_deployment");
}

#[test]
fn logs() {
    golden("logs");
}

#[test]
fn top_and_events() {
    golden("top_events");
}

#[test]
fn discovery_and_config() {
    golden("discovery");
}

#[test]
fn get_templates_and_sorting() {
    golden("get_output");
}

#[test]
fn run_hi_prints_hi() {
    let t = Shell::new(Cluster::boot_default(1))
        .run_script("kubectl run hi --image=busybox --restart=Never -- echo hi\nsleep 10\nkubectl logs hi\n");
    assert!(t.ends_with("$ kubectl logs hi\nhi\n"), "{t}");
}

#[test]
fn describe_prefix_and_missing() {
    let t = Shell::new(Cluster::boot_default(1))
        .run_script("kubectl describe pods nope\nkubectl describe\nkubectl describe pods -n kube-system kube-sch\n");
    assert!(t.contains("Error from server (NotFound): pods \"nope\" not found\n"), "{t}");
    assert!(t.contains("error: You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n"), "{t}");
    assert!(t.contains("Name:                 kube-scheduler-control-plane\n"), "{t}");
}
