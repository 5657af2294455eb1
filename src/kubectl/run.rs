//! `kubectl run NAME --image=IMAGE`: one Pod (labelled `run=NAME` unless `--labels`), optionally a
//! ClusterIP Service in front of it (`--expose --port`). Attaching (`-i`, `-t`, `--attach`) needs a
//! terminal connected to a running process, which the simulation does not have: the pod is created
//! and a note says so.

use serde_json::{Map, Value, json};

use super::context::Kubectl;
use super::create::subcommand::{self, COMMON_FLAGS, DryRun};
use super::flags::{Flag, Parsed};
use crate::api::Kind;

const FLAGS: &[Flag] = &[
    Flag::string("image", None),
    Flag::string("restart", None),
    Flag::bool("command", None),
    Flag::array("env", None),
    Flag::string("labels", Some('l')),
    Flag::array("annotations", None),
    Flag::string("port", None),
    Flag::bool("expose", None),
    Flag::string("overrides", None),
    Flag::string("override-type", None),
    Flag::bool("stdin", Some('i')),
    Flag::bool("tty", Some('t')),
    Flag::bool("attach", None),
    Flag::bool("rm", None),
    Flag::bool("leave-stdin-open", None),
    Flag::bool("quiet", Some('q')),
    Flag::bool("privileged", None),
    Flag::string("image-pull-policy", None),
    Flag::string("cascade", None),
    Flag::string("detach-keys", None),
    Flag::array("filename", Some('f')),
    Flag::string("kustomize", Some('k')),
    Flag::bool("recursive", Some('R')),
    Flag::bool("force", None),
    Flag::int("grace-period", None),
    Flag::string("pod-running-timeout", None),
    Flag::string("timeout", None),
    Flag::bool("wait", None),
];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let mut all = FLAGS.to_vec();
    all.extend_from_slice(COMMON_FLAGS);
    let Some(p) = k.parse(&all, args) else { return };
    if !p.has("image") {
        return k.error("required flag(s) \"image\" not set");
    }
    let Some(name) = p.before_dash().first().cloned() else {
        return k.help_error("NAME is required for run");
    };
    let Some(dry_run) = subcommand::dry_run(k, &p) else { return };
    let Some(printer) = subcommand::printer(k, &p) else { return };
    let attach = p.bool("attach") || p.bool("stdin");
    if p.bool("tty") && !p.bool("stdin") {
        return k.help_error("-i/--stdin is required for containers with -t/--tty=true");
    }
    if (attach || p.bool("tty")) && dry_run != DryRun::None {
        return k.help_error(
            "--dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)",
        );
    }
    let restart = match p.get("restart").unwrap_or("") {
        "" if attach => "OnFailure",
        "" => "Always",
        r @ ("Always" | "OnFailure" | "Never") => r,
        other => return k.help_error(&format!("invalid restart policy: {other}")),
    };
    if p.bool("rm") && !attach {
        return k.help_error("--rm should only be used for attached containers");
    }
    if let Some(policy) = p.get("image-pull-policy").filter(|s| !s.is_empty())
        && !matches!(policy, "Always" | "IfNotPresent" | "Never")
    {
        return k.help_error(&format!("invalid image pull policy: {policy}"));
    }
    let port: i64 = match p.get("port").unwrap_or("") {
        "" => -1,
        s => match s.parse() {
            Ok(n) => n,
            Err(_) => return k.error(&format!("strconv.Atoi: parsing \"{s}\": invalid syntax")),
        },
    };
    if p.bool("expose") && port < 1 {
        return k.help_error("--port must be set when exposing a service");
    }
    let pod = match pod(&p, &name, restart, port) {
        Ok(v) => v,
        Err(e) => return k.error(&e),
    };
    if p.bool("expose") {
        let selector = pod.pointer("/metadata/labels").cloned().unwrap_or_else(|| json!({}));
        let mut service = json!({
            "kind": "Service",
            "apiVersion": "v1",
            "metadata": {"name": name},
            "spec": {"ports": [{"protocol": "TCP", "port": port, "targetPort": port}], "selector": selector},
            "status": {"loadBalancer": {}}
        });
        finish(k, &p, dry_run, &printer, Kind::Service, &mut service);
        if k.out.exit_code != 0 {
            return;
        }
        if matches!(printer, subcommand::Printer::Yaml) {
            k.out.out("---\n");
        }
    }
    let mut pod = pod;
    finish(k, &p, dry_run, &printer, Kind::Pod, &mut pod);
    if attach && k.out.exit_code == 0 {
        k.out.err(format!(
            "note: attaching to a container is not possible in the simulation; pod/{name} keeps running without a terminal (read its output with 'kubectl logs {name}'{})\n",
            if p.bool("rm") { ", and delete it with 'kubectl delete pod ".to_string() + &name + "'" } else { String::new() }
        ));
    }
}

fn finish(
    k: &mut Kubectl<'_>,
    p: &Parsed,
    dry_run: DryRun,
    printer: &subcommand::Printer,
    kind: Kind,
    value: &mut Value,
) {
    subcommand::enforce_namespace(value, kind, p);
    if p.bool("save-config") {
        subcommand::save_config(value, kind, true);
    }
    let _ = subcommand::create_and_print(k, p, dry_run, printer, kind, value.clone(), None, true);
}

/// The Pod kubectl's run generator builds.
fn pod(p: &Parsed, name: &str, restart: &str, port: i64) -> Result<Value, String> {
    let mut labels = Map::new();
    match p.get("labels").filter(|l| !l.is_empty()) {
        Some(l) => {
            for pair in l.split(',') {
                let Some((key, v)) = pair.split_once('=') else {
                    return Err(format!("invalid label spec: {pair}"));
                };
                labels.insert(key.to_string(), Value::String(v.to_string()));
            }
        }
        None => {
            labels.insert("run".into(), Value::String(name.to_string()));
        }
    }
    let mut container = json!({"name": name, "resources": {}});
    // Container.image is `omitempty`.
    if let Some(image) = p.get("image").filter(|i| !i.is_empty()) {
        container["image"] = json!(image);
    }
    let rest = p.after_dash();
    if !rest.is_empty() {
        container[if p.bool("command") { "command" } else { "args" }] = json!(rest);
    }
    let mut env = Vec::new();
    for e in p.all("env") {
        let Some((key, v)) = e.split_once('=') else {
            return Err(format!("invalid env: {e}"));
        };
        env.push(json!({"name": key, "value": v}));
    }
    if !env.is_empty() {
        container["env"] = Value::Array(env);
    }
    if port > 0 {
        container["ports"] = json!([{"containerPort": port}]);
    }
    if let Some(policy) = p.get("image-pull-policy").filter(|s| !s.is_empty()) {
        container["imagePullPolicy"] = json!(policy);
    }
    if p.bool("stdin") {
        container["stdin"] = json!(true);
        if !p.bool("leave-stdin-open") {
            container["stdinOnce"] = json!(true);
        }
    }
    if p.bool("tty") {
        container["tty"] = json!(true);
    }
    if p.bool("privileged") {
        container["securityContext"] = json!({"privileged": true});
    }
    let mut metadata = json!({"name": name, "labels": labels});
    let annotations = p.all("annotations");
    if !annotations.is_empty() {
        let mut a = Map::new();
        for pair in annotations {
            let Some((key, v)) = pair.split_once('=') else {
                return Err(format!("invalid annotation spec: {pair}"));
            };
            a.insert(key.to_string(), Value::String(v.to_string()));
        }
        metadata["annotations"] = Value::Object(a);
    }
    let mut pod = json!({
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": metadata,
        "spec": {"containers": [container], "restartPolicy": restart, "dnsPolicy": "ClusterFirst"},
        "status": {}
    });
    if let Some(o) = p.get("overrides").filter(|o| !o.is_empty()) {
        let patch: Value =
            serde_json::from_str(o).map_err(|e| format!("unable to parse the --overrides JSON {o:?}: {e}"))?;
        merge(&mut pod, &patch);
    }
    Ok(pod)
}

/// A JSON merge patch (`--override-type=merge`), the simplest of kubectl's override strategies.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (key, v) in p {
                if v.is_null() {
                    t.remove(key);
                } else {
                    merge(t.entry(key.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}
