//! One container of a pod as the kubelet tracks it: where it is in its life (waiting for its turn or
//! its image, created, running, exited, backing off), its restarts and last termination, and the
//! instant it next needs attention. The pod worker moves it between states; `status` reports it.

use k8s_openapi::api::core::v1::Container;

use super::backoff::Backoff;
use super::exec::Proc;
use super::probes::ProbeState;
use crate::sim::{Duration, Time};

/// The kubelet's PLEG relists every second: an exit is acted upon (restart, back-off) that long after.
pub const PLEG_PERIOD: Duration = Duration::from_secs(1);

/// How a run of the container ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Terminated {
    pub exit_code: i32,
    /// `Completed`, `Error`, `StartError`.
    pub reason: &'static str,
    pub message: Option<String>,
    /// None when it never started (StartError: upstream reports the zero time).
    pub started: Option<Time>,
    pub finished: Time,
    pub container_id: String,
}

impl Terminated {
    pub fn new(exit_code: i32, started: Option<Time>, finished: Time, container_id: &str) -> Self {
        let reason = if exit_code == 0 { "Completed" } else { "Error" };
        Terminated { exit_code, reason, message: None, started, finished, container_id: container_id.to_string() }
    }
}

/// Where a container is in its life.
#[derive(Debug, Clone)]
pub enum State {
    /// Not started yet: waiting for its turn (init order) or for the sandbox.
    Idle,
    /// Waiting for its image: pulling (no reason), or a reason such as ErrImagePull with a retry time.
    Image { reason: Option<(&'static str, String)>, retry_at: Option<Time> },
    /// CreateContainer done; StartContainer at `at`.
    Created { at: Time },
    Running {
        started: Time,
        proc: Proc,
        /// When the process next does something (wakes from `sleep`).
        wake: Option<Time>,
        /// A stop in progress: when the process will be gone, and with which exit code.
        exit_at: Option<(Time, i32)>,
    },
    /// Just exited; the restart decision comes at the next PLEG relist.
    Exited(Terminated),
    /// Exited for good (a completed init container, a restartPolicy that says no, a stopped pod).
    Done(Terminated),
    /// CrashLoopBackOff until `until`.
    BackOff { until: Time, message: String },
    /// Cannot be created: a waiting reason and message (no retry modelled).
    Blocked { reason: &'static str, message: String },
}

/// A container of the pod.
#[derive(Debug, Clone)]
pub struct Ctr {
    pub spec: Container,
    pub init: bool,
    /// A restartable init container (restartPolicy Always on an init container).
    pub sidecar: bool,
    pub state: State,
    pub restart_count: i32,
    /// How many times it was created (the first creation is no restart).
    pub runs: u32,
    pub last: Option<Terminated>,
    pub backoff: Backoff,
    pub container_id: Option<String>,
    /// `docker.io/library/nginx:latest` once pulled.
    pub image_name: Option<String>,
    pub image_id: Option<String>,
    /// The error of the last failed pull, which the ImagePullBackOff message repeats.
    pub last_pull_error: String,
    pub probes: ProbeState,
    /// Its spec changed while it ran: it restarts once stopped, whatever the restart policy.
    pub redefined: bool,
}

impl Ctr {
    pub fn new(spec: Container, init: bool) -> Self {
        let sidecar = init && spec.restart_policy.as_deref() == Some("Always");
        Ctr {
            spec,
            init,
            sidecar,
            state: State::Idle,
            restart_count: 0,
            runs: 0,
            last: None,
            backoff: Backoff::default(),
            container_id: None,
            image_name: None,
            image_id: None,
            last_pull_error: String::new(),
            probes: ProbeState::default(),
            redefined: false,
        }
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    pub fn image(&self) -> &str {
        self.spec.image.as_deref().unwrap_or("")
    }

    /// `spec.containers{name}` or `spec.initContainers{name}`, the events' fieldPath.
    pub fn field_path(&self) -> String {
        if self.init {
            format!("spec.initContainers{{{}}}", self.name())
        } else {
            format!("spec.containers{{{}}}", self.name())
        }
    }

    /// When this container next needs the worker.
    pub fn due(&self) -> Option<Time> {
        match &self.state {
            State::Image { retry_at, .. } => *retry_at,
            State::Created { at } => Some(*at),
            State::Running { wake, exit_at, .. } => {
                [*wake, exit_at.map(|(t, _)| t), self.probes.next].into_iter().flatten().min()
            }
            State::Exited(t) => Some(t.finished.after(PLEG_PERIOD)),
            State::BackOff { until, .. } => Some(*until),
            State::Idle | State::Done(_) | State::Blocked { .. } => None,
        }
    }

    pub fn is_running(&self) -> bool {
        matches!(self.state, State::Running { .. })
    }

    /// A regular init container that completed, or a sidecar that has started.
    pub fn init_done(&self) -> bool {
        if self.sidecar {
            return self.runs > 0 && !matches!(self.state, State::Created { .. } | State::Image { .. } | State::Idle);
        }
        matches!(&self.state, State::Done(t) if t.exit_code == 0)
    }

    /// The last run's termination, if the container is not running now.
    pub fn terminated(&self) -> Option<&Terminated> {
        match &self.state {
            State::Exited(t) | State::Done(t) => Some(t),
            _ => None,
        }
    }
}
