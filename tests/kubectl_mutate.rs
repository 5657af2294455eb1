//! The commands that change objects (apply, delete, scale, set, rollout, label, annotate, patch,
//! taint, cordon, drain, ...) run against the booted default cluster: each scenario is a script whose
//! transcript must equal its golden file under `tests/golden/kmut/` (regenerate with
//! `UPDATE_GOLDEN=1 cargo test --test kubectl_mutate`, then read the diff), and random argument vectors
//! must end in an error or a success, never a panic, and change nothing when they fail.

mod common;

use kubarium::cluster::Cluster;
use kubarium::kubectl::{self, Output};
use kubarium::sim::Rng;

fn golden(name: &str, script: &str) {
    common::golden("kmut", name, script);
}

#[test]
fn scale_up_and_down() {
    golden(
        "scale",
        "kubectl create deployment web --image=nginx:1.25 --replicas=3\nsleep 10\nkubectl scale deployment web --replicas=10\nsleep 10\nkubectl get deploy web\nkubectl scale deploy/web --replicas=2 --current-replicas=3\nkubectl scale deploy/web --replicas=2\nsleep 40\nkubectl get deploy web\nkubectl scale deploy web nope --replicas=1 --dry-run=client\nkubectl scale pod x --replicas=2\nkubectl scale deploy web\n",
    );
}

#[test]
fn rolling_update_history_and_undo() {
    golden(
        "rollout",
        "kubectl create deployment web --image=nginx:1.25 --replicas=3\nkubectl rollout status deployment/web\nkubectl set image deployment/web nginx=nginx:1.26\nkubectl rollout status deployment/web\nkubectl rollout history deployment/web\nkubectl rollout undo deployment/web\nkubectl rollout status deployment/web\nkubectl get deploy web -o wide\nkubectl rollout history deployment/web\nkubectl rollout undo deployment/web --to-revision=7\nkubectl rollout pause deployment/web\nkubectl rollout pause deployment/web\nkubectl rollout restart deployment/web\nkubectl rollout undo deployment/web\nkubectl rollout resume deployment/web\nkubectl rollout resume deployment/web\nkubectl rollout status ds/kube-proxy -n kube-system\nkubectl rollout status pod/nope\nkubectl rollout\n",
    );
}

#[test]
fn apply_created_configured_unchanged() {
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.25\n";
    let changed = deployment.replace("replicas: 2", "replicas: 3");
    let script = format!(
        "kubectl apply -f - <<EOF\n{deployment}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: \"1\"\nEOF\nsleep 5\nkubectl apply -f - <<EOF\n{deployment}EOF\ncat <<EOF | kubectl apply -f -\n{changed}EOF\nkubectl apply -f - <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  b: \"2\"\nEOF\nkubectl get cm cfg -o yaml\nkubectl create configmap plain --from-literal=x=y\nkubectl apply -f - <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  x: z\nEOF\nkubectl apply --server-side -f - <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ss\nEOF\nkubectl apply -f - --dry-run=client -o name <<EOF\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: later\nEOF\nkubectl apply -f manifest.yaml\nkubectl apply -f -\nkubectl get deploy web\n"
    );
    golden("apply", &script);
}

#[test]
fn delete_cascades_and_waits() {
    golden(
        "delete",
        "kubectl create deployment web --image=nginx:1.25 --replicas=2\nsleep 10\nkubectl delete deployment web --cascade=orphan\nkubectl get deploy,rs,pods\nkubectl delete rs --all\nsleep 1\nkubectl get pods\nsleep 40\nkubectl get pods\nkubectl create deployment api --image=nginx:1.25\nsleep 10\nkubectl delete pods -l app=api --force\nkubectl delete deploy/api deploy/nope\nkubectl delete pod nope --ignore-not-found\nkubectl delete pods --all\nkubectl delete\nkubectl delete pod x --cascade=maybe\nkubectl delete pod x --now --grace-period=5\nkubectl delete ns kube-public -n default\nkubectl create ns scratch\nkubectl delete ns scratch\n",
    );
}

#[test]
fn drain_with_budgets_and_daemonsets() {
    golden(
        "drain",
        "kubectl create deployment web --image=nginx:1.25 --replicas=3\nkubectl create pdb web --selector=app=web --min-available=3\nsleep 10\nkubectl get pods -o wide\nkubectl drain node-01\nkubectl drain node-01 --ignore-daemonsets --timeout=12s\nkubectl delete pdb web\nkubectl drain node-01 --ignore-daemonsets\nkubectl get pods -o wide\nkubectl get nodes\nkubectl uncordon node-01\nkubectl uncordon node-01\nkubectl cordon node-02 --dry-run=client\nkubectl cordon\nkubectl drain\n",
    );
}

#[test]
fn labels_annotations_taints_and_patches() {
    golden(
        "metadata",
        "kubectl create deployment web --image=nginx:1.25\nkubectl label deploy web tier=front\nkubectl label deploy web tier=back\nkubectl label deploy web tier=back --overwrite\nkubectl label deploy web tier-\nkubectl label deploy web tier-\nkubectl label deploy web --list\nkubectl annotate deploy web note=hi\nkubectl annotate deploy web note=ho\nkubectl patch deploy web -p '{\"spec\":{\"replicas\":3}}'\nkubectl patch deploy web -p '{\"spec\":{\"replicas\":3}}'\nkubectl patch deploy web --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":2}]'\nkubectl patch deploy web --subresource=scale -p '{\"spec\":{\"replicas\":1}}'\nkubectl patch deploy web --type=foo -p '{}'\nkubectl set env deploy/web MODE=prod\nkubectl set env deploy/web --list\nkubectl set resources deploy/web --limits=cpu=200m,memory=256Mi\nkubectl set image deploy/web sidecar=busybox\nkubectl taint nodes node-02 dedicated=gpu:NoSchedule\nkubectl taint nodes node-02 dedicated=gpu:NoSchedule\nkubectl taint nodes node-02 dedicated=cpu:NoSchedule --overwrite\nkubectl taint node node-02 dedicated-\nkubectl taint node node-02 dedicated-\nkubectl taint node node-02 a=b:Bad\nkubectl get deploy web -o yaml\n",
    );
}

#[test]
fn replace_and_edit() {
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: \"1\"\n";
    let script = format!(
        "kubectl create configmap cfg --from-literal=a=0\nkubectl replace -f - <<EOF\n{cm}EOF\nkubectl get cm cfg -o yaml\nkubectl replace --force -f - <<EOF\n{cm}EOF\nkubectl replace -f - <<EOF\n{}EOF\nkubectl replace --grace-period=1 -f -\nkubectl replace\nkubectl edit cm cfg\nkubectl edit cm nope\n",
        cm.replace("cfg", "missing")
    );
    golden("replace", &script);
}

/// Words the random command lines are made of: commands, resource forms, flags and values.
const WORDS: &[&str] = &[
    "apply",
    "delete",
    "scale",
    "set",
    "image",
    "env",
    "resources",
    "rollout",
    "status",
    "history",
    "undo",
    "pause",
    "resume",
    "restart",
    "label",
    "annotate",
    "patch",
    "taint",
    "cordon",
    "uncordon",
    "drain",
    "deploy",
    "deployment/coredns",
    "pods",
    "node",
    "node-01",
    "nodes",
    "coredns",
    "ns",
    "kube-system",
    "-n",
    "kube-system",
    "--all",
    "-l",
    "app=x",
    "k8s-app=kube-dns",
    "--replicas",
    "0",
    "-1",
    "abc",
    "--replicas=2",
    "--dry-run",
    "--dry-run=server",
    "--dry-run=foo",
    "-o",
    "yaml",
    "name",
    "json",
    "--local",
    "-f",
    "-",
    "x.yaml",
    "--type=json",
    "-p",
    "{}",
    "[",
    "{\"spec\":1}",
    "a=b",
    "a-",
    "=",
    "-",
    "--",
    "*=nginx",
    "coredns=nginx:1.25",
    "--cascade=orphan",
    "--grace-period=0",
    "--force",
    "--now",
    "--timeout=1s",
    "--ignore-daemonsets",
    "--overwrite",
    "--list",
    "--to-revision=3",
    "--revision=-1",
    "k=v:NoSchedule",
    "k-",
    ":",
    "--subresource=status",
    "--current-replicas=5",
    "--wait=false",
    "''",
    "\u{1F600}",
    "--bogus",
    "-Z",
];

/// What the store holds, to tell whether a command changed anything.
fn revision(cluster: &Cluster) -> i64 {
    cluster.api().revision()
}

#[test]
fn random_argument_vectors_never_panic_and_failures_change_nothing() {
    let mut rng = Rng::new(7);
    let stdin = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n";
    let mut cluster = Cluster::new(1);
    for _ in 0..1500 {
        let n = 1 + rng.below(6) as usize;
        let args: Vec<String> = (0..n).map(|_| rng.pick(WORDS).copied().unwrap_or("").to_string()).collect();
        let before = revision(&cluster);
        let mut out = Output::default();
        let input = rng.chance(0.5).then_some(stdin);
        kubectl::run(&args, input, &mut cluster, &mut out);
        if out.exit_code != 0 && out.stdout().is_empty() {
            assert_eq!(revision(&cluster), before, "kubectl {} failed but changed the store", args.join(" "));
        }
    }
}
