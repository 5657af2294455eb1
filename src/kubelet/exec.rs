//! What a container's main process is, decided as the OCI runtime would: the argv is the pod's
//! `command` (else the image's entrypoint) followed by its `args` (else the image's cmd, when the
//! command was not overridden). A docker-library entrypoint script runs what follows it. Then the
//! argv is the image's own server, a command the tiny shell runs, or a missing binary (StartError).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Container;

use super::images::{Behaviour, ImageSpec, is_wrapper};
use super::shell::{Machine, builtins, exec};
use crate::sim::Duration;

/// How long a server takes to exit after SIGTERM.
pub const SERVER_STOP: Duration = Duration::from_millis(200);

/// A running main process.
#[derive(Debug, Clone)]
pub enum Proc {
    /// The image's server: runs until stopped.
    Server,
    /// A script or command run by the tiny shell.
    Shell(Box<Machine>),
}

/// What starting the container gives.
#[derive(Debug, Clone)]
pub enum Launch {
    /// Started: the process and the lines it writes at once.
    Started(Proc, Vec<String>),
    /// The entrypoint refuses to start (e.g. mysql without a root password): it prints and exits 1.
    Fails(Vec<String>),
    /// The binary does not exist in the image: the runtime's StartError message.
    StartError(String),
}

fn expand_env_refs(s: &str, env: &BTreeMap<String, String>) -> String {
    // Kubernetes expands $(VAR) in command and args from the container's env.
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("$(") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find(')') {
            Some(j) if env.contains_key(&after[..j]) => {
                out.push_str(env.get(&after[..j]).map(String::as_str).unwrap_or(""));
                rest = &after[j + 1..];
            }
            _ => {
                out.push_str("$(");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The argv the container runs.
pub fn argv(spec: &ImageSpec, c: &Container, env: &BTreeMap<String, String>) -> Vec<String> {
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut argv = match &c.command {
        Some(cmd) => cmd.clone(),
        None => owned(spec.entrypoint),
    };
    match &c.args {
        Some(args) => argv.extend(args.iter().cloned()),
        None if c.command.is_none() => argv.extend(owned(spec.cmd)),
        None => {}
    }
    let mut argv: Vec<String> = argv.iter().map(|a| expand_env_refs(a, env)).collect();
    if argv.len() > 1 && argv.first().is_some_and(|a| is_wrapper(a)) {
        argv.remove(0);
    }
    argv
}

/// Starts the main process of a container of image `spec`.
pub fn launch(spec: &ImageSpec, c: &Container, env: &BTreeMap<String, String>, pod_ip: &str) -> Launch {
    let argv = argv(spec, c, env);
    let Some(first) = argv.first() else {
        return Launch::StartError(start_error("", "no command specified"));
    };
    let base = first.rsplit('/').next().unwrap_or(first);
    let is_server = spec.behaviour == Behaviour::Server
        && (spec.server_binaries.iter().any(|b| *b == first.as_str() || b.rsplit('/').next() == Some(base))
            || is_wrapper(first));
    if is_server {
        if !spec.required_env.is_empty()
            && !spec.required_env.iter().any(|k| env.get(*k).is_some_and(|v| !v.is_empty()))
        {
            return Launch::Fails(spec.missing_env_lines.iter().map(|l| l.to_string()).collect());
        }
        let hostname = env.get("HOSTNAME").cloned().unwrap_or_default();
        let lines = spec
            .log_lines
            .iter()
            .map(|l| {
                l.replace("{hostname}", &hostname).replace("{ip}", pod_ip).replace("{time}", "2026/01/01 00:00:00")
            })
            .collect();
        return Launch::Started(Proc::Server, lines);
    }
    // Only perl's own image has perl (busybox and the others do not).
    if !builtins::is_known(first) || (base == "perl" && !spec.repository.ends_with("/perl")) {
        return Launch::StartError(start_error(first, "executable file not found in $PATH"));
    }
    let shell = if builtins::is_shell(first) { base } else { "sh" };
    let machine = Machine::new(exec(&argv), env.clone(), shell);
    Launch::Started(Proc::Shell(Box::new(machine)), Vec::new())
}

/// containerd's StartError message for a missing binary.
fn start_error(binary: &str, why: &str) -> String {
    format!(
        "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: \"{binary}\": {why}: unknown"
    )
}

#[cfg(test)]
mod tests {
    use super::super::images::{Catalog, ImageRef};
    use super::*;

    fn spec(image: &str) -> &'static ImageSpec {
        Catalog::default().resolve(&ImageRef::parse(image).unwrap()).unwrap().spec
    }

    fn container(command: Option<&[&str]>, args: Option<&[&str]>) -> Container {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect();
        Container { name: "c".into(), command: command.map(v), args: args.map(v), ..Default::default() }
    }

    #[test]
    fn argv_follows_oci_rules() {
        let env = BTreeMap::from([("GREETING".to_string(), "hi".to_string())]);
        assert_eq!(argv(spec("nginx"), &container(None, None), &env), ["nginx", "-g", "daemon off;"]);
        assert_eq!(
            argv(spec("busybox"), &container(None, Some(&["sh", "-c", "exit 1"])), &env),
            ["sh", "-c", "exit 1"]
        );
        assert_eq!(argv(spec("busybox"), &container(Some(&["echo", "$(GREETING)"]), None), &env), ["echo", "hi"]);
        assert!(matches!(
            launch(spec("nginx"), &container(None, None), &env, "10.0.0.1"),
            Launch::Started(Proc::Server, _)
        ));
        assert!(matches!(
            launch(spec("busybox"), &container(None, Some(&["sleep", "5"])), &env, ""),
            Launch::Started(Proc::Shell(_), _)
        ));
        assert!(matches!(launch(spec("mysql"), &container(None, None), &env, ""), Launch::Fails(_)));
        match launch(spec("busybox"), &container(Some(&["/app/run"]), None), &env, "") {
            Launch::StartError(m) => assert!(m.contains("exec: \"/app/run\": executable file not found in $PATH")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(launch(spec("busybox"), &container(Some(&[]), None), &env, ""), Launch::StartError(_)));
    }
}
