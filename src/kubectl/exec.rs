//! `kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [-it] -- COMMAND [ARGS...]`: runs a command in a
//! container through its node's kubelet. The pod is read from the api-server (a controller's first
//! pod for `TYPE/NAME`), the container defaults as kubectl's podcmd picks it, and the command's exit
//! status becomes kubectl's (`command terminated with exit code N`).
//!
//! The simulation has no interactive streams: `-i`/`-t` are accepted and the command runs to its end.

use k8s_openapi::api::core::v1::Pod;

use super::context::Kubectl;
use super::flags::{Flag, Parsed};
use super::logs::{by_logging, default_container, list_pods, selector_of};
use crate::api::{Kind, Object, resource};
use crate::kubelet::ExecError;

const FLAGS: &[Flag] = &[
    Flag::string("container", Some('c')),
    Flag::bool("stdin", Some('i')),
    Flag::bool("tty", Some('t')),
    Flag::bool("quiet", Some('q')),
    Flag::array("filename", Some('f')),
    Flag::string("pod-running-timeout", None),
];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(FLAGS, args) else { return };
    let quiet = p.bool("quiet");
    let (resource, command): (Option<String>, Vec<String>) = match p.dash {
        Some(0) => (None, p.after_dash().to_vec()),
        Some(_) => (p.args.first().cloned(), p.after_dash().to_vec()),
        None if p.args.len() > 1 => {
            if !quiet {
                k.out.err("kubectl exec [POD] [COMMAND] is DEPRECATED and will be removed in a future version. Use kubectl exec [POD] -- [COMMAND] instead.\n");
            }
            (p.args.first().cloned(), p.args.get(1..).unwrap_or_default().to_vec())
        }
        None => (p.args.first().cloned(), Vec::new()),
    };
    let Some(resource) = resource else { return k.error("pod, type/name or --filename must be specified") };
    if command.is_empty() {
        return k.error("you must specify at least one command for the container");
    }
    let Some(pod) = find_pod(k, &p, &resource) else { return };
    let phase = pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    if phase == "Succeeded" || phase == "Failed" {
        return k.error(&format!("cannot exec into a container in a completed pod; current phase is {phase}"));
    }
    let name = pod.metadata.name.clone().unwrap_or_default();
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let container = match p.get("container").filter(|c| !c.is_empty()) {
        Some(c) => c.to_string(),
        None => default_container(k, &pod, quiet),
    };
    let spec = pod.spec.clone().unwrap_or_default();
    if !spec.containers.iter().chain(spec.init_containers.iter().flatten()).any(|c| c.name == container) {
        return k
            .out
            .fail(format!("Error from server (BadRequest): container {container} is not valid for pod {name}\n"));
    }
    let node = spec.node_name.unwrap_or_default();
    if node.is_empty() {
        return k.out.fail(format!("Error from server (BadRequest): pod {name} does not have a host assigned\n"));
    }
    let now = k.now_ms();
    let result = k.cluster.exec_in_pod(&node, &ns, &name, &container, &command, now);
    match result {
        Ok(o) => {
            k.out.out(o.stdout);
            k.out.err(o.stderr);
            if o.exit_code != 0 {
                k.out.err(format!("command terminated with exit code {}\n", o.exit_code));
                k.out.exit_code = o.exit_code;
            }
        }
        Err(e @ ExecError::NotFound(_)) => k.error(&e.to_string()),
        Err(e) => k.error(&format!("unable to upgrade connection: {e}")),
    }
}

/// The pod `POD`, `pod/NAME` or a controller's `TYPE/NAME` names (its first pod); None after printing
/// why there is none.
fn find_pod(k: &mut Kubectl<'_>, p: &Parsed, arg: &str) -> Option<Pod> {
    let ns = Kubectl::namespace(p);
    let who = Kubectl::identity(p);
    let (kind, name) = match arg.split_once('/') {
        Some((t, n)) => match resource::resolve(t) {
            Some(kind) => (kind, n),
            None => {
                k.error(&format!("the server doesn't have a resource type \"{t}\""));
                return None;
            }
        },
        None => (Kind::Pod, arg),
    };
    let obj = match k.cluster.api_mut().get(&who, kind, Some(&ns), name) {
        Ok(o) => o,
        Err(e) => {
            k.server_error(&e);
            return None;
        }
    };
    if let Object::Pod(pod) = obj {
        return Some((*pod).clone());
    }
    let Some(selector) = selector_of(&obj) else {
        k.error(&format!("cannot attach to {}: selector for {} not implemented", kind.as_str(), kind.as_str()));
        return None;
    };
    let mut pods = list_pods(k, &who, &ns, selector);
    pods.sort_by(by_logging);
    let first = pods.into_iter().next();
    if first.is_none() {
        k.error("timed out waiting for the condition");
    }
    first
}
