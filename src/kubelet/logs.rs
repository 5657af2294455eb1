//! Container logs as the node keeps them (`/var/log/pods/...`): each container's lines with their
//! timestamps, for the current run and the previous one (`kubectl logs --previous`). The store is
//! shared behind a handle so that kubectl can read it while the kubelet runs inside the cluster.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

/// Lines kept per container run (containerLogMaxSize is about size; a line cap keeps memory bounded).
const MAX_LINES: usize = 5_000;

/// Why logs cannot be read; the messages are the api-server's for `pods/log`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogsError {
    PodNotFound { pod: String },
    ContainerNotValid { container: String, pod: String },
    WaitingToStart { container: String, pod: String, reason: String },
    NoPrevious { container: String, pod: String },
}

impl std::fmt::Display for LogsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogsError::PodNotFound { pod } => write!(f, "pods \"{pod}\" not found"),
            LogsError::ContainerNotValid { container, pod } => {
                write!(f, "container {container} is not valid for pod {pod}")
            }
            LogsError::WaitingToStart { container, pod, reason } => {
                write!(f, "container \"{container}\" in pod \"{pod}\" is waiting to start: {reason}")
            }
            LogsError::NoPrevious { container, pod } => {
                write!(f, "previous terminated container \"{container}\" in pod \"{pod}\" not found")
            }
        }
    }
}

impl std::error::Error for LogsError {}

#[derive(Debug, Clone, Default)]
struct ContainerLogs {
    /// (unix ms, line) of the current run; None until the container first starts.
    current: Option<VecDeque<(i64, String)>>,
    previous: Option<VecDeque<(i64, String)>>,
    /// Why it is not running yet (for the "waiting to start" error).
    waiting: String,
}

#[derive(Debug, Clone, Default)]
struct PodLogs {
    containers: BTreeMap<String, ContainerLogs>,
    /// The container `kubectl logs POD` reads: the first app container.
    default: String,
}

#[derive(Debug, Default)]
struct Store {
    pods: BTreeMap<(String, String), PodLogs>,
}

/// A shared handle to a node's logs.
#[derive(Debug, Clone, Default)]
pub struct LogStore {
    inner: Arc<Mutex<Store>>,
}

/// RFC 3339 with nanoseconds, as `kubectl logs --timestamps` prints them.
fn rfc3339_nano(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000);
    let ts = k8s_openapi::jiff::Timestamp::from_second(secs).unwrap_or_default();
    let base = ts.to_string();
    let base = base.trim_end_matches('Z');
    format!("{base}.{:03}000000Z", unix_ms.rem_euclid(1000))
}

impl LogStore {
    fn lock(&self) -> MutexGuard<'_, Store> {
        // A poisoned lock only means a panic elsewhere; the log lines are still valid.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers a pod's containers (in spec order, init containers first).
    pub fn add_pod(&self, ns: &str, pod: &str, containers: &[String], default: &str) {
        let mut s = self.lock();
        let p = s.pods.entry((ns.to_string(), pod.to_string())).or_default();
        p.default = default.to_string();
        for c in containers {
            p.containers
                .entry(c.clone())
                .or_insert_with(|| ContainerLogs { waiting: "ContainerCreating".into(), ..Default::default() });
        }
    }

    pub fn remove_pod(&self, ns: &str, pod: &str) {
        self.lock().pods.remove(&(ns.to_string(), pod.to_string()));
    }

    pub fn set_waiting(&self, ns: &str, pod: &str, container: &str, reason: &str) {
        let mut s = self.lock();
        if let Some(c) =
            s.pods.get_mut(&(ns.to_string(), pod.to_string())).and_then(|p| p.containers.get_mut(container))
        {
            c.waiting = reason.to_string();
        }
    }

    /// A new run of the container starts: the current run becomes the previous one.
    pub fn start_run(&self, ns: &str, pod: &str, container: &str) {
        let mut s = self.lock();
        if let Some(c) =
            s.pods.get_mut(&(ns.to_string(), pod.to_string())).and_then(|p| p.containers.get_mut(container))
        {
            c.previous = c.current.take();
            c.current = Some(VecDeque::new());
        }
    }

    pub fn append(&self, ns: &str, pod: &str, container: &str, at_unix_ms: i64, lines: Vec<String>) {
        if lines.is_empty() {
            return;
        }
        let mut s = self.lock();
        if let Some(cur) = s
            .pods
            .get_mut(&(ns.to_string(), pod.to_string()))
            .and_then(|p| p.containers.get_mut(container))
            .and_then(|c| c.current.as_mut())
        {
            for l in lines {
                if cur.len() == MAX_LINES {
                    cur.pop_front();
                }
                cur.push_back((at_unix_ms, l));
            }
        }
    }

    /// What `kubectl logs [--previous] [--timestamps] POD [-c CONTAINER]` prints.
    pub fn read(
        &self,
        ns: &str,
        pod: &str,
        container: Option<&str>,
        previous: bool,
        timestamps: bool,
    ) -> Result<String, LogsError> {
        let s = self.lock();
        let p = s.pods.get(&(ns.to_string(), pod.to_string())).ok_or(LogsError::PodNotFound { pod: pod.into() })?;
        let name = container.unwrap_or(&p.default);
        let c = p
            .containers
            .get(name)
            .ok_or_else(|| LogsError::ContainerNotValid { container: name.into(), pod: pod.into() })?;
        let run = if previous {
            c.previous.as_ref().ok_or_else(|| LogsError::NoPrevious { container: name.into(), pod: pod.into() })?
        } else {
            c.current.as_ref().ok_or_else(|| LogsError::WaitingToStart {
                container: name.into(),
                pod: pod.into(),
                reason: c.waiting.clone(),
            })?
        };
        let mut out = String::new();
        for (t, line) in run {
            if timestamps {
                out.push_str(&rfc3339_nano(*t));
                out.push(' ');
            }
            out.push_str(line);
            out.push('\n');
        }
        Ok(out)
    }
}

/// One container's stream in a node's logs: what a process running in it writes to stdout.
#[derive(Debug, Clone)]
pub struct ContainerLog {
    pub store: LogStore,
    pub namespace: String,
    pub pod: String,
    pub container: String,
}

impl ContainerLog {
    /// Writes `line`, stamped `at_unix_ms`, to the container's current run.
    pub fn write(&self, at_unix_ms: i64, line: String) {
        self.store.append(&self.namespace, &self.pod, &self.container, at_unix_ms, vec![line]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_previous_and_errors() {
        let logs = LogStore::default();
        logs.add_pod("default", "p", &["c".into()], "c");
        assert_eq!(
            logs.read("default", "p", None, false, false).unwrap_err().to_string(),
            "container \"c\" in pod \"p\" is waiting to start: ContainerCreating"
        );
        logs.start_run("default", "p", "c");
        logs.append("default", "p", "c", 1_767_225_600_000, vec!["one".into()]);
        logs.start_run("default", "p", "c");
        logs.append("default", "p", "c", 1_767_225_601_500, vec!["two".into()]);
        assert_eq!(logs.read("default", "p", None, false, false).unwrap(), "two\n");
        assert_eq!(logs.read("default", "p", Some("c"), true, false).unwrap(), "one\n");
        assert_eq!(logs.read("default", "p", None, false, true).unwrap(), "2026-01-01T00:00:01.500000000Z two\n");
        assert!(logs.read("default", "p", Some("x"), false, false).is_err());
        assert!(logs.read("default", "q", None, false, false).is_err());
    }
}
