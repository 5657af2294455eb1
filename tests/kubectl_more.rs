//! `kubectl exec`, `wait` (and the commands added beside them) against the booted default cluster:
//! each scenario's transcript must equal its golden file under `tests/golden/krest/` (regenerate with
//! `UPDATE_GOLDEN=1 cargo test --test kubectl_more`, then read the diff against upstream kubectl).

mod common;

fn golden(name: &str, script: &str) {
    common::golden("krest", name, script);
}

#[test]
fn exec_runs_in_the_container() {
    golden(
        "exec",
        "kubectl run web --image=nginx:1.25\nkubectl exec web -- echo hi\nkubectl wait --for=condition=Ready pod/web\nkubectl exec web -- echo hi there\nkubectl exec web -- sh -c 'echo $HOSTNAME; exit 3'\nkubectl exec -it web -- hostname\nkubectl exec web -c nope -- ls\nkubectl exec nope -- ls\nkubectl exec web -- frobnicate\nkubectl exec web\nkubectl exec -- ls\nkubectl exec web echo old\nkubectl create deployment api --image=nginx:1.25 --replicas=2\nkubectl wait --for=condition=Available deployment/api --timeout=60s\nkubectl exec deploy/api -- printenv HOSTNAME\nkubectl run done --image=busybox --restart=Never -- sh -c 'echo bye'\nkubectl wait --for=jsonpath='{.status.phase}'=Succeeded pod/done\nkubectl exec done -- ls\nkubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: two\nspec:\n  containers:\n  - name: a\n    image: busybox\n    command: [sh, -c, 'touch /tmp/ready; sleep 3600']\n    env:\n    - name: GREETING\n      value: hello\n  - name: b\n    image: nginx:1.25\nEOF\nkubectl wait --for=condition=Ready pod/two\nkubectl exec two -- sh -c 'echo $GREETING; cat /tmp/ready && echo present'\nkubectl exec two -c b -- hostname\nkubectl exec two -q -- true\n",
    );
}

#[test]
fn wait_for_conditions_deletion_and_jsonpath() {
    golden(
        "wait",
        "kubectl create deployment api --image=nginx:1.25 --replicas=2\nkubectl wait --for=condition=Available deployment/api\nkubectl wait --for=condition=Ready pods -l app=api\nkubectl wait --for=condition=Ready pods --all --timeout=0\nkubectl run done --image=busybox --restart=Never -- sh -c 'echo bye'\nkubectl wait --for=jsonpath='{.status.phase}'=Succeeded pod/done\nkubectl wait --for=jsonpath='{.status.phase}' pod/done -o name\nkubectl wait --for=condition=Ready pod/done --timeout=2s\nkubectl wait --for=condition=Ready pod/done --timeout=0\nkubectl wait --for=delete pod/done --timeout=1s\nkubectl delete pod done --wait=false\nkubectl wait --for=delete pod/done\nkubectl wait --for=delete pod/never\nkubectl wait --for=create pod/later --timeout=2s\nkubectl wait pod/done\nkubectl wait --for=bogus pod/done\nkubectl wait --for=condition=Ready pod/nope\nkubectl wait --for=condition=Ready pods\nkubectl wait --for=jsonpath='{.status.phase}'= pod/x\nkubectl wait --for=condition=Ready --timeout=abc pod/x\nkubectl get pods\n",
    );
}
