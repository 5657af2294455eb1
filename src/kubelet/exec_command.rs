//! `kubectl exec`'s end on the node: the kubelet runs a command inside a running container, as the
//! container runtime's ExecSync does. The command runs on the tiny shell with the container's
//! environment and sees the files its main process made; it leaves the container as it was (an exec
//! is a separate process, and the simulation keeps nothing it writes).

use std::fmt;

use super::Kubelet;
use super::container::State;
use super::exec::Proc;
use super::shell::net::NetworkAccess;
use super::shell::{Machine, Surroundings, Yield, builtins, exec};
use crate::sim::Rng;

/// How many times a command may yield (a `sleep`, a loop's pause) before the exec gives up on it:
/// kubectl would wait, but a transcript must end.
const MAX_YIELDS: usize = 64;

/// What an exec printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutput {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
}

/// Why the kubelet could not run the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecError {
    /// The pod does not run on this node (or is gone).
    PodNotFound,
    /// No such container, or it is not running.
    ContainerNotFound(String),
    /// The binary is not in the image: the runtime's message.
    NotFound(String),
    /// `kubectl exec` with nothing to run.
    NoCommand,
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExecError::PodNotFound => write!(f, "pod does not exist"),
            ExecError::ContainerNotFound(c) => write!(f, "container not found (\"{c}\")"),
            ExecError::NotFound(msg) => write!(f, "{msg}"),
            ExecError::NoCommand => write!(f, "you must specify at least one command for the container"),
        }
    }
}

impl std::error::Error for ExecError {}

impl Kubelet {
    /// Runs `argv` in `container` of pod `ns/pod` at wall-clock instant `now_unix_ms` (what `date`
    /// shows), with the pod's view of the network when one is given. Reads the kubelet's state only.
    pub fn exec(
        &self,
        ns: &str,
        pod: &str,
        container: &str,
        argv: &[String],
        now_unix_ms: i64,
        net: Option<&dyn NetworkAccess>,
    ) -> Result<ExecOutput, ExecError> {
        let w = self.workers.get(&format!("{ns}/{pod}")).ok_or(ExecError::PodNotFound)?;
        let (i, c) = w
            .ctrs
            .iter()
            .enumerate()
            .find(|(_, c)| c.name() == container)
            .ok_or_else(|| ExecError::ContainerNotFound(container.to_string()))?;
        let State::Running { proc, .. } = &c.state else {
            return Err(ExecError::ContainerNotFound(container.to_string()));
        };
        let first = argv.first().ok_or(ExecError::NoCommand)?;
        if !builtins::is_known(first) && !net.is_some_and(|n| n.has_tool(first)) {
            return Err(ExecError::NotFound(not_found_message(c.container_id.as_deref().unwrap_or(""), argv)));
        }
        let base = first.rsplit('/').next().unwrap_or(first);
        let shell = if builtins::is_shell(first) { base } else { "sh" };
        let mut m = Machine::new(exec(argv), w.environment(i, &self.sh), shell);
        if let Proc::Shell(main) = proc {
            m.files = main.files.clone();
        }
        let hostname = if w.host_network { self.sh.node.to_string() } else { w.name.clone() };
        let env = Surroundings { hostname, now_unix_ms, net };
        let mut lines = Vec::new();
        let mut exit_code = 0;
        for _ in 0..MAX_YIELDS {
            if let Yield::Exit(code) = m.run(&env, &mut lines) {
                exit_code = code;
                break;
            }
        }
        let mut stdout = lines.join("\n");
        if !stdout.is_empty() {
            stdout.push('\n');
        }
        Ok(ExecOutput { stdout, stderr: String::new(), exit_code })
    }
}

/// containerd's answer to an exec of a binary the image lacks; the exec ID is derived from the
/// container and the command, so that a replay prints the same line.
fn not_found_message(container_id: &str, argv: &[String]) -> String {
    let mut rng = Rng::derive(0, &format!("exec/{container_id}/{}", argv.join(" ")));
    let id: String = (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect();
    let binary = argv.first().map(String::as_str).unwrap_or("");
    format!(
        "Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{id}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"{binary}\": executable file not found in $PATH: unknown"
    )
}
