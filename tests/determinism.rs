//! The same scenario and seed give the same history, byte for byte: the trace hash (every request,
//! stage, watch delivery and decision, with its virtual time) and what the terminal printed. A
//! different seed changes generated names, so the histories differ.

use kubarium::cluster::Cluster;
use kubarium::terminal::Shell;

const SCENARIO: &str = "\
kubectl create deployment web --image=nginx:1.25 --replicas=3
kubectl run crash --image=busybox -- sh -c \"exit 1\"
kubarium node add node-04
sleep 30
kubectl get pods -o wide
kubarium node stop node-02
kubarium component stop scheduler
kubectl run later --image=redis
sleep 20
kubarium component start scheduler
sleep 90
kubectl get pods -A -o wide
";

fn replay(seed: u64) -> (u64, u64, String) {
    let mut shell = Shell::new(Cluster::boot_default(seed));
    let transcript = shell.run_script(SCENARIO);
    let trace = shell.cluster().api().trace();
    (trace.hash(), trace.next_seq(), transcript)
}

#[test]
fn same_seed_same_trace_and_transcript() {
    let a = replay(7);
    let b = replay(7);
    assert!(a.1 > 500, "the scenario should produce a long trace, got {} entries", a.1);
    assert_eq!(a, b);
}

#[test]
fn another_seed_another_history() {
    let (hash_a, _, transcript_a) = replay(7);
    let (hash_b, _, transcript_b) = replay(8);
    assert_ne!(hash_a, hash_b);
    assert_ne!(transcript_a, transcript_b);
}
