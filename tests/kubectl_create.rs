//! `kubectl create` and `kubectl run` against the simulated cluster: what the reference test cannot
//! check offline (objects really created, server errors, server dry runs, `--from=cronjob/...`).

use kubarium::cluster::Cluster;
use kubarium::terminal::Shell;

fn run(script: &str) -> String {
    Shell::new(Cluster::new(1)).run_script(script)
}

#[test]
fn created_objects_exist_and_duplicates_fail() {
    let t = run(
        "kubectl create deployment web --image=nginx\nkubectl create deployment web --image=nginx\nkubectl get deploy web -o name\n",
    );
    assert_eq!(
        t,
        "$ kubectl create deployment web --image=nginx\ndeployment.apps/web created\n\
         $ kubectl create deployment web --image=nginx\nError from server (AlreadyExists): deployments.apps \"web\" already exists\n\
         $ kubectl get deploy web -o name\ndeployment.apps/web\n"
    );
}

#[test]
fn dry_runs_store_nothing() {
    let t = run("kubectl create ns a --dry-run=server\nkubectl create ns b --dry-run=client\nkubectl get ns a b\n");
    assert!(t.contains("namespace/a created (server dry run)\n"), "{t}");
    assert!(t.contains("namespace/b created (dry run)\n"), "{t}");
    assert!(t.contains("Error from server (NotFound): namespaces \"a\" not found\n"), "{t}");
    assert!(t.contains("Error from server (NotFound): namespaces \"b\" not found\n"), "{t}");
}

#[test]
fn server_dry_run_shows_defaults() {
    let t = run("kubectl create deployment web --image=nginx --dry-run=server -o yaml\n");
    assert!(t.contains("  progressDeadlineSeconds: 600\n"), "{t}");
    assert!(t.contains("      dnsPolicy: ClusterFirst\n"), "{t}");
}

#[test]
fn missing_namespace_is_a_server_error() {
    let t = run("kubectl create configmap c --from-literal=a=b -n nope\n");
    assert!(t.ends_with("Error from server (NotFound): namespaces \"nope\" not found\n"), "{t}");
}

#[test]
fn from_stdin_reports_each_object() {
    let script = "kubectl create configmap cfg\ncat <<EOF | kubectl create -f -\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\nEOF\n";
    let t = run(script);
    assert!(t.contains("configmap/c1 created\n"), "{t}");
    assert!(
        t.contains(
            "Error from server (AlreadyExists): error when creating \"STDIN\": configmaps \"cfg\" already exists\n"
        ),
        "{t}"
    );
    let t = run("kubectl create -f deploy.yaml\n");
    assert!(t.ends_with("error: the path \"deploy.yaml\" does not exist\n"), "{t}");
}

#[test]
fn job_from_cronjob_is_a_manual_run() {
    let t = run(
        "kubectl create cronjob cj --image=busybox --schedule='*/5 * * * *' -- date\nkubectl create job manual --from=cronjob/cj --dry-run=client -o yaml\nkubectl create job x --from=cronjob/none\n",
    );
    assert!(t.contains("    cronjob.kubernetes.io/instantiate: manual\n"), "{t}");
    assert!(
        t.contains(
            "  ownerReferences:\n  - apiVersion: batch/v1\n    controller: true\n    kind: CronJob\n    name: cj\n"
        ),
        "{t}"
    );
    assert!(t.contains("        - date\n"), "{t}");
    assert!(t.ends_with("Error from server (NotFound): cronjobs.batch \"none\" not found\n"), "{t}");
}

#[test]
fn run_creates_a_pod_and_exposes_it() {
    let t = run(
        "kubectl run web --image=nginx --port=80 --expose\nkubectl get pod web -o name\nkubectl get svc web -o yaml\n",
    );
    assert!(t.contains("service/web created\npod/web created\n"), "{t}");
    assert!(t.contains("pod/web\n"), "{t}");
    assert!(t.contains("  selector:\n    run: web\n"), "{t}");
}

#[test]
fn run_interactive_says_it_cannot_attach() {
    let t = run("kubectl run -it shell --image=busybox --restart=Never -- sh\n");
    assert!(t.contains("pod/shell created\nnote: attaching to a container is not possible in the simulation"), "{t}");
}

#[test]
fn rbac_generators_resolve_resources_from_the_table() {
    let t = run("kubectl create role r --verb=get --resource=deploy,pods/log,rs.apps --dry-run=client -o yaml\n");
    assert!(
        t.contains("rules:\n- apiGroups:\n  - \"\"\n  resources:\n  - pods/log\n  verbs:\n  - get\n- apiGroups:\n  - apps\n  resources:\n  - deployments\n  - replicasets\n"),
        "{t}"
    );
    let t = run("kubectl create clusterrole c --verb=get --resource=widgets\n");
    assert!(t.ends_with("error: the server doesn't have a resource type \"widgets\"\n"), "{t}");
}

#[test]
fn save_config_on_the_server_keeps_go_order() {
    let t = run("kubectl create ns a --save-config -o jsonpath={.metadata.annotations}\n");
    assert!(
        t.contains(r#"{"kubectl.kubernetes.io/last-applied-configuration":"{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"a\"},\"spec\":{},\"status\":{}}\n"}"#),
        "{t}"
    );
}

/// Odd input never panics: every line ends with output and an exit status.
#[test]
fn odd_input_is_an_error_not_a_panic() {
    let lines = [
        "create",
        "create -",
        "create --",
        "create deployment",
        "create deployment '' --image=",
        "create service clusterip s --tcp=::::",
        "create service nodeport s --tcp=1 --node-port=-5 --dry-run=client",
        "create ingress i --rule=,tls",
        "create ingress i --rule=/=:",
        "create ingress i --rule=a/b=c:d,tls=,tls",
        "create job j --from=cronjob/",
        "create job j --from=//",
        "create pdb p --selector=')' --min-available=1",
        "create pdb p --selector=a --min-available=%",
        "create quota q --hard=,=,",
        "create role r --verb=get --resource=/",
        "create role r --verb=get --resource=pods/",
        "create clusterrole c --aggregation-rule=,",
        "create secret docker-registry d --docker-username= --docker-password=",
        "create configmap c --from-literal==",
        "run p --image=x --overrides={",
        "run p --image=x --overrides=[] --dry-run=client -o json",
        "run p --image=x --env=A --dry-run=client",
        "run p --image=x --labels=, --dry-run=client",
        "run p --image=x --port=-1 --expose",
        "create -f - -o jsonpath={",
    ];
    for line in lines {
        let t = run(&format!("kubectl {line}\n"));
        assert!(t.starts_with("$ kubectl"), "{line}: {t}");
    }
    let mut shell = Shell::new(Cluster::new(1));
    let t = shell.run_script(
        "cat <<EOF | kubectl create -f -\n{\"kind\": 5}\nEOF\ncat <<EOF | kubectl create -f -\n: : :\nEOF\n",
    );
    assert!(t.contains("error: "), "{t}");
}
