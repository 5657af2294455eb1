//! A pod worker: the kubelet's per-pod loop. It creates the sandbox (CNI gives the IP), runs init
//! containers one by one (sidecars stay up), then the app containers; gets images through the node's
//! pull queue; runs each container's process; applies the restart policy with CrashLoopBackOff; and
//! reports status whenever what it would report changed. Every step happens at the virtual instant it
//! falls due, so a kubelet that was stopped catches up in order when it starts again.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::PodSpec;

use super::container::{Ctr, State, Terminated};
use super::exec::{Launch, Proc, SERVER_STOP, launch};
use super::image_manager::{Ensure, PullDone};
use super::images::ImageRef;
use super::process_events::ContainerProcess;
use super::shared::{Shared, TOKEN_POD_BASE};
use super::shell::{Surroundings, Yield};
use crate::api::Object;
use crate::client::{Ctx, EventKind};
use crate::sim::{Duration, Time};

/// RunPodSandbox with CNI ADD, until containers can be created.
const SANDBOX: Duration = Duration::from_millis(400);
/// CreateContainer to StartContainer.
const CREATE: Duration = Duration::from_millis(100);
/// Wakes handled per sync at most (a guard: each handles one due step).
const MAX_STEPS: usize = 10_000;

/// The pod's sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sandbox {
    None,
    Ready { since: Time },
    Stopped,
}

/// One pod on this node.
#[derive(Debug)]
pub struct PodWorker {
    pub id: u32,
    pub pod: Object,
    pub ns: String,
    pub name: String,
    pub uid: String,
    pub host_network: bool,
    pub restart_policy: String,
    pub ip: Option<String>,
    pub sandbox: Sandbox,
    pub start_time: Option<Time>,
    pub ctrs: Vec<Ctr>,
    /// Condition type → (status, since).
    pub transitions: BTreeMap<&'static str, (bool, Time)>,
    pub last_status: Option<k8s_openapi::api::core::v1::PodStatus>,
    /// Set once the pod is being deleted: when SIGKILL comes.
    pub kill_at: Option<Time>,
    /// Succeeded or Failed, once reached.
    pub terminal: Option<&'static str>,
    /// The kubelet's final delete went through: the worker can go.
    pub gone: bool,
    scheduled: BTreeSet<Time>,
    /// Running containers of watched images reported as started, by container name.
    pub(super) announced: BTreeMap<String, ContainerProcess>,
    /// Containers (by ID) found not to be of a watched image.
    pub(super) unwatched: BTreeSet<String>,
}

impl PodWorker {
    pub fn new(id: u32, pod: Object) -> Self {
        let none = PodSpec::default();
        let spec = pod.as_pod().and_then(|p| p.spec.as_ref()).unwrap_or(&none);
        let inits = spec.init_containers.iter().flatten().map(|c| Ctr::new(c.clone(), true));
        let ctrs: Vec<Ctr> = inits.chain(spec.containers.iter().map(|c| Ctr::new(c.clone(), false))).collect();
        PodWorker {
            id,
            ns: pod.namespace().unwrap_or("default").to_string(),
            name: pod.name().to_string(),
            uid: pod.uid().to_string(),
            host_network: spec.host_network.unwrap_or(false),
            restart_policy: spec.restart_policy.clone().unwrap_or_else(|| "Always".into()),
            pod,
            ip: None,
            sandbox: Sandbox::None,
            start_time: None,
            ctrs,
            transitions: BTreeMap::new(),
            last_status: None,
            kill_at: None,
            terminal: None,
            gone: false,
            scheduled: BTreeSet::new(),
            announced: BTreeMap::new(),
            unwatched: BTreeSet::new(),
        }
    }

    pub fn token(&self) -> u64 {
        TOKEN_POD_BASE + u64::from(self.id)
    }

    pub fn deletion_requested(&self) -> bool {
        self.pod.meta().deletion_timestamp.is_some()
    }

    /// Brings the pod up to date at the current instant.
    pub fn sync(&mut self, sh: &mut Shared, ctx: &mut Ctx<'_>) {
        if self.gone {
            return;
        }
        let now = ctx.now();
        self.scheduled.retain(|t| *t > now);
        if self.sandbox == Sandbox::None && !self.deletion_requested() && self.terminal.is_none() {
            self.run_sandbox(sh, ctx, now);
        }
        if self.deletion_requested() && self.kill_at.is_none() {
            self.begin_termination(sh, ctx, now);
        }
        for _ in 0..MAX_STEPS {
            if !self.step(sh, ctx, now) {
                break;
            }
        }
        self.check_terminal(sh, ctx);
        self.push_status(sh, ctx);
        if self.kill_at.is_some()
            && !self.ctrs.iter().any(|c| c.is_running() || matches!(c.state, State::Created { .. }))
        {
            self.finish_termination(sh, ctx);
        }
        sh.kick_pulls(ctx);
        self.report_usage(sh);
        self.report_processes(sh);
        self.schedule(ctx);
    }

    /// Publishes each running container's resource use (the catalog's use at rest, varied by up to
    /// a fifth per container so that `kubectl top` does not print identical rows).
    fn report_usage(&self, sh: &Shared) {
        for c in &self.ctrs {
            let usage = match &c.state {
                State::Running { proc: Proc::Server, .. } => sh.images.resolved(c.image()).map(|img| {
                    let vary = c
                        .container_id
                        .as_deref()
                        .and_then(|id| u64::from_str_radix(id.get(..4)?, 16).ok())
                        .unwrap_or(0)
                        % 21;
                    super::metrics::Usage {
                        cpu_millis: img.spec.cpu_millis * (90 + vary) / 100,
                        memory_bytes: img.spec.memory_bytes * (90 + vary) / 100,
                    }
                }),
                State::Running { proc: Proc::Shell(_), .. } => {
                    Some(super::metrics::Usage { cpu_millis: 0, memory_bytes: 400 * 1024 })
                }
                _ => None,
            };
            match usage {
                Some(u) => sh.metrics.set(&self.ns, &self.name, c.name(), u),
                None => sh.metrics.clear(&self.ns, &self.name, c.name()),
            }
        }
    }

    fn schedule(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        let sandbox = match self.sandbox {
            Sandbox::Ready { since } if since.after(SANDBOX) > now => Some(since.after(SANDBOX)),
            _ => None,
        };
        let next = self.ctrs.iter().filter_map(Ctr::due).chain(sandbox).min();
        if let Some(t) = next
            && !self.gone
            && self.scheduled.insert(t.max(now))
        {
            ctx.wake_at(t, self.token());
        }
    }

    fn run_sandbox(&mut self, sh: &mut Shared, ctx: &mut Ctx<'_>, now: Time) {
        let ip = if self.host_network { Ok(sh.node_ip.clone()) } else { sh.ipam.allocate() };
        match ip {
            Ok(ip) => {
                let note = if self.host_network { format!("hostNetwork: {ip}") } else { format!("CNI ADD: {ip}") };
                sh.cri(ctx, "RunPodSandbox", &self.pod, note);
                self.ip = Some(ip);
                self.sandbox = Sandbox::Ready { since: now };
                self.start_time.get_or_insert(now);
            }
            Err(e) => {
                let msg = format!(
                    "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox: plugin type=\"bridge\" failed (add): {e}"
                );
                sh.event(ctx, &self.pod.clone(), None, EventKind::Warning, "FailedCreatePodSandBox", &msg);
                self.start_time.get_or_insert(now);
            }
        }
    }

    /// Handles the earliest due item, or starts what may start; false when nothing is left at `now`.
    fn step(&mut self, sh: &mut Shared, ctx: &mut Ctx<'_>, now: Time) -> bool {
        let due =
            self.ctrs.iter().enumerate().filter_map(|(i, c)| c.due().map(|t| (t, i))).filter(|(t, _)| *t <= now).min();
        if let Some((t, i)) = due {
            self.handle(i, t, sh, ctx);
            return true;
        }
        self.start_next(sh, ctx, now)
    }

    /// Starts containers whose turn has come: init containers in order, then all app containers.
    fn start_next(&mut self, sh: &mut Shared, ctx: &mut Ctx<'_>, now: Time) -> bool {
        let Sandbox::Ready { since } = self.sandbox else { return false };
        if since.after(SANDBOX) > now || self.kill_at.is_some() || self.terminal.is_some() {
            return false;
        }
        for i in 0..self.ctrs.len() {
            let c = &self.ctrs[i];
            if c.init {
                if c.init_done() {
                    continue;
                }
                if matches!(c.state, State::Idle) {
                    self.request_image(i, sh, ctx, now);
                    return true;
                }
                return false;
            }
            if matches!(c.state, State::Idle) {
                self.request_image(i, sh, ctx, now);
                return true;
            }
        }
        false
    }

    fn handle(&mut self, i: usize, t: Time, sh: &mut Shared, ctx: &mut Ctx<'_>) {
        if let State::Running { exit_at, .. } = &self.ctrs[i].state {
            let exiting = exit_at.is_some_and(|(at, _)| at <= t);
            if !exiting && self.ctrs[i].probes.next.is_some_and(|p| p <= t) {
                self.probe(i, t, sh, ctx);
                return;
            }
        }
        let state = std::mem::replace(&mut self.ctrs[i].state, State::Idle);
        match state {
            State::Image { .. } => self.request_image(i, sh, ctx, t),
            State::Created { .. } => self.start_container(i, sh, ctx, t),
            State::Running { started, mut proc, wake, exit_at } => {
                if let Some((at, code)) = exit_at
                    && wake.is_none_or(|w| at <= w)
                {
                    let id = self.ctrs[i].container_id.clone().unwrap_or_default();
                    self.ctrs[i].state = State::Exited(Terminated::new(code, Some(started), at, &id));
                    return;
                }
                let (y, lines) = match &mut proc {
                    Proc::Shell(m) => {
                        let env = Surroundings {
                            hostname: self.name.clone(),
                            now_unix_ms: Shared::unix_ms(ctx, t),
                            net: None,
                        };
                        let mut lines = Vec::new();
                        let y = m.run(&env, &mut lines);
                        (Some(y), lines)
                    }
                    Proc::Server => (None, Vec::new()),
                };
                sh.logs.append(&self.ns, &self.name, self.ctrs[i].name(), Shared::unix_ms(ctx, t), lines);
                self.ctrs[i].state = match y {
                    Some(Yield::Exit(code)) => {
                        let id = self.ctrs[i].container_id.clone().unwrap_or_default();
                        State::Exited(Terminated::new(code, Some(started), t, &id))
                    }
                    Some(Yield::Sleep(d)) => State::Running { started, proc, wake: Some(t.after(d)), exit_at },
                    None => State::Running { started, proc, wake: None, exit_at },
                };
            }
            State::Exited(term) => self.decide(i, term, sh, ctx, t),
            State::BackOff { .. } => {
                self.ctrs[i].backoff.next(t);
                self.request_image(i, sh, ctx, t);
            }
            other => self.ctrs[i].state = other,
        }
    }

    /// After an exit: restart now, back off, or stay terminated, per restartPolicy.
    fn decide(&mut self, i: usize, term: Terminated, sh: &mut Shared, ctx: &mut Ctx<'_>, t: Time) {
        if std::mem::take(&mut self.ctrs[i].redefined) && self.kill_at.is_none() && self.terminal.is_none() {
            // Stopped for a new definition: started again at once, with no back-off.
            self.ctrs[i].last = Some(term);
            self.request_image(i, sh, ctx, t);
            return;
        }
        let c = &self.ctrs[i];
        let restart = if self.kill_at.is_some() || self.terminal.is_some() {
            false
        } else if c.sidecar {
            true
        } else if c.init && term.exit_code == 0 {
            false
        } else {
            match self.restart_policy.as_str() {
                "Never" => false,
                "OnFailure" => term.exit_code != 0,
                _ => true,
            }
        };
        if !restart {
            self.ctrs[i].state = State::Done(term);
            return;
        }
        let finished = term.finished;
        self.ctrs[i].last = Some(term);
        if self.ctrs[i].backoff.in_backoff_since(finished, t) {
            let d = self.ctrs[i].backoff.current().unwrap_or(super::backoff::INITIAL);
            let name = self.ctrs[i].name().to_string();
            let message = format!(
                "back-off {} restarting failed container={name} pod={}_{}({})",
                super::backoff::go_duration(d),
                self.name,
                self.ns,
                self.uid
            );
            self.ctrs[i].state = State::BackOff { until: finished.after(d), message };
            let msg =
                format!("Back-off restarting failed container {name} in pod {}_{}({})", self.name, self.ns, self.uid);
            let field = self.ctrs[i].field_path();
            sh.event(ctx, &self.pod.clone(), Some(&field), EventKind::Warning, "BackOff", &msg);
            return;
        }
        self.ctrs[i].backoff.next(t);
        self.request_image(i, sh, ctx, t);
    }

    /// EnsureImageExists: present, pulling, or failing with its reason.
    fn request_image(&mut self, i: usize, sh: &mut Shared, ctx: &mut Ctx<'_>, t: Time) {
        let pod = self.pod.clone();
        let field = self.ctrs[i].field_path();
        let image = self.ctrs[i].image().to_string();
        let policy = self.ctrs[i].spec.image_pull_policy.clone();
        match sh.images.ensure(self.id, &image, policy.as_deref(), t) {
            Ensure::Present(img) => {
                let msg = format!("Container image \"{image}\" already present on machine");
                sh.event(ctx, &pod, Some(&field), EventKind::Normal, "Pulled", &msg);
                self.ctrs[i].image_name = Some(img.tagged());
                self.ctrs[i].image_id = Some(img.image_id());
                self.create_container(i, sh, ctx, t);
            }
            Ensure::Pulling => {
                sh.event(ctx, &pod, Some(&field), EventKind::Normal, "Pulling", &format!("Pulling image \"{image}\""));
                sh.cri(ctx, "PullImage", &pod, image.clone());
                self.ctrs[i].state = State::Image { reason: None, retry_at: None };
            }
            Ensure::Unavailable { reason, message, retry_at } => {
                let message = match reason {
                    "ImagePullBackOff" => {
                        let msg = format!("Back-off pulling image \"{image}\"");
                        sh.event(ctx, &pod, Some(&field), EventKind::Normal, "BackOff", &msg);
                        format!("{msg}: ErrImagePull: {}", self.ctrs[i].last_pull_error)
                    }
                    "InvalidImageName" => {
                        sh.event(ctx, &pod, Some(&field), EventKind::Warning, "InspectFailed", &message);
                        message
                    }
                    _ => {
                        sh.event(ctx, &pod, Some(&field), EventKind::Warning, reason, &message);
                        message
                    }
                };
                sh.event(ctx, &pod, Some(&field), EventKind::Warning, "Failed", &format!("Error: {reason}"));
                self.ctrs[i].state = State::Image { reason: Some((reason, message)), retry_at };
            }
        }
    }

    /// The node's pull of an image some containers waited for has ended.
    pub fn pull_done(&mut self, done: &PullDone, sh: &mut Shared, ctx: &mut Ctx<'_>) {
        let Some(requested) = done.waiters.get(&self.id).copied() else { return };
        let now = ctx.now();
        let pod = self.pod.clone();
        for i in 0..self.ctrs.len() {
            let waiting = matches!(self.ctrs[i].state, State::Image { reason: None, .. });
            let same = ImageRef::parse(self.ctrs[i].image()).is_ok_and(|r| r.full() == done.key);
            if !waiting || !same {
                continue;
            }
            let field = self.ctrs[i].field_path();
            let image = self.ctrs[i].image().to_string();
            match &done.result {
                Ok(img) => {
                    let msg = format!(
                        "Successfully pulled image \"{image}\" in {} ({} including waiting). Image size: {} bytes.",
                        super::backoff::go_duration(done.finished.since(done.started)),
                        super::backoff::go_duration(done.finished.since(requested)),
                        img.size
                    );
                    sh.runtime_says(ctx, "PullImage", &pod, format!("pulled {}", img.image_id()));
                    sh.event(ctx, &pod, Some(&field), EventKind::Normal, "Pulled", &msg);
                    self.ctrs[i].image_name = Some(img.tagged());
                    self.ctrs[i].image_id = Some(img.image_id());
                    self.create_container(i, sh, ctx, now);
                }
                Err(e) => {
                    let err = e.to_string();
                    sh.runtime_says(ctx, "PullImage", &pod, err.clone());
                    let msg = format!("Failed to pull image \"{image}\": {err}");
                    sh.event(ctx, &pod, Some(&field), EventKind::Warning, "Failed", &msg);
                    sh.event(ctx, &pod, Some(&field), EventKind::Warning, "Failed", "Error: ErrImagePull");
                    self.ctrs[i].last_pull_error = err.clone();
                    // The next pod sync finds the image in back-off.
                    let retry = now.after(super::container::PLEG_PERIOD);
                    self.ctrs[i].state = State::Image { reason: Some(("ErrImagePull", err)), retry_at: Some(retry) };
                }
            }
        }
    }

    fn create_container(&mut self, i: usize, sh: &mut Shared, ctx: &mut Ctx<'_>, t: Time) {
        let id = sh.new_id();
        let pod = self.pod.clone();
        let name = self.ctrs[i].name().to_string();
        sh.cri(ctx, "CreateContainer", &pod, format!("{name}: {}", id.get(..12).unwrap_or("")));
        let c = &mut self.ctrs[i];
        c.runs += 1;
        if c.runs > 1 {
            c.restart_count += 1;
        }
        c.container_id = Some(id);
        c.state = State::Created { at: t.after(CREATE) };
        let field = c.field_path();
        sh.event(ctx, &pod, Some(&field), EventKind::Normal, "Created", &format!("Created container: {name}"));
    }

    /// The container's environment: Kubernetes' service variables, then the spec's env.
    pub(super) fn environment(&self, i: usize, sh: &Shared) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        env.insert("PATH".to_string(), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string());
        env.insert("HOSTNAME".to_string(), if self.host_network { sh.node.to_string() } else { self.name.clone() });
        env.insert("HOME".to_string(), "/root".to_string());
        env.insert("KUBERNETES_SERVICE_HOST".to_string(), "10.96.0.1".to_string());
        env.insert("KUBERNETES_SERVICE_PORT".to_string(), "443".to_string());
        env.insert("KUBERNETES_SERVICE_PORT_HTTPS".to_string(), "443".to_string());
        env.insert("KUBERNETES_PORT".to_string(), "tcp://10.96.0.1:443".to_string());
        for e in self.ctrs[i].spec.env.iter().flatten() {
            let value = match (&e.value, &e.value_from) {
                (Some(v), _) => v.clone(),
                (None, Some(from)) => match from.field_ref.as_ref().map(|f| f.field_path.as_str()) {
                    Some("metadata.name") => self.name.clone(),
                    Some("metadata.namespace") => self.ns.clone(),
                    Some("metadata.uid") => self.uid.clone(),
                    Some("spec.nodeName") => sh.node.to_string(),
                    Some("status.podIP") => self.ip.clone().unwrap_or_default(),
                    Some("status.hostIP") => sh.node_ip.clone(),
                    _ => String::new(),
                },
                (None, None) => String::new(),
            };
            env.insert(e.name.clone(), value);
        }
        env
    }

    fn start_container(&mut self, i: usize, sh: &mut Shared, ctx: &mut Ctx<'_>, t: Time) {
        let pod = self.pod.clone();
        let name = self.ctrs[i].name().to_string();
        let field = self.ctrs[i].field_path();
        let id = self.ctrs[i].container_id.clone().unwrap_or_default();
        sh.cri(ctx, "StartContainer", &pod, format!("{name}: {}", id.get(..12).unwrap_or("")));
        let env = self.environment(i, sh);
        let image = self.ctrs[i].image().to_string();
        let Some(resolved) = sh.images.resolved(&image) else {
            self.ctrs[i].state =
                State::Blocked { reason: "CreateContainerError", message: format!("image \"{image}\" not present") };
            return;
        };
        sh.logs.start_run(&self.ns, &self.name, &name);
        let ip = self.ip.clone().unwrap_or_default();
        let unix = Shared::unix_ms(ctx, t);
        match launch(resolved.spec, &self.ctrs[i].spec, &env, &ip) {
            Launch::Started(proc, lines) => {
                sh.event(ctx, &pod, Some(&field), EventKind::Normal, "Started", &format!("Started container {name}"));
                sh.logs.append(&self.ns, &self.name, &name, unix, lines);
                let wake = matches!(proc, Proc::Shell(_)).then_some(t);
                self.ctrs[i].state = State::Running { started: t, proc, wake, exit_at: None };
                self.ctrs[i].probes = super::probes::ProbeState::for_run(&self.ctrs[i], t);
            }
            Launch::Fails(lines) => {
                sh.event(ctx, &pod, Some(&field), EventKind::Normal, "Started", &format!("Started container {name}"));
                sh.logs.append(&self.ns, &self.name, &name, unix, lines);
                let done = t.after(Duration::from_millis(50));
                self.ctrs[i].state =
                    State::Running { started: t, proc: Proc::Server, wake: None, exit_at: Some((done, 1)) };
            }
            Launch::StartError(msg) => {
                sh.event(ctx, &pod, Some(&field), EventKind::Warning, "Failed", &format!("Error: {msg}"));
                let mut term = Terminated::new(128, None, t, &id);
                term.reason = "StartError";
                term.message = Some(msg);
                self.ctrs[i].state = State::Exited(term);
            }
        }
    }

    /// Restart policy Never or OnFailure: once every container stopped for good, the pod is
    /// Succeeded or Failed and its sandbox stops.
    fn check_terminal(&mut self, sh: &mut Shared, ctx: &mut Ctx<'_>) {
        if self.terminal.is_some() || self.kill_at.is_some() || self.sandbox == Sandbox::None {
            return;
        }
        let phase = self.phase();
        if !matches!(phase, "Succeeded" | "Failed") {
            return;
        }
        self.terminal = Some(phase);
        for c in &mut self.ctrs {
            if let State::Exited(t) = &c.state {
                c.state = State::Done(t.clone());
            }
        }
        self.stop_sidecars(ctx.now());
        self.stop_sandbox(sh, ctx);
    }

    fn stop_sidecars(&mut self, now: Time) {
        for c in self.ctrs.iter_mut().filter(|c| c.sidecar) {
            if let State::Running { started, .. } = c.state {
                let id = c.container_id.clone().unwrap_or_default();
                c.state = State::Done(Terminated::new(0, Some(started), now, &id));
            }
        }
    }

    pub(super) fn stop_sandbox(&mut self, sh: &mut Shared, ctx: &mut Ctx<'_>) {
        if let Sandbox::Ready { .. } = self.sandbox {
            sh.cri(ctx, "StopPodSandbox", &self.pod.clone(), String::new());
            if !self.host_network
                && let Some(ip) = &self.ip
            {
                sh.ipam.release(ip);
            }
            self.sandbox = Sandbox::Stopped;
        }
    }

    /// Sends SIGTERM to `i`'s process: a server exits shortly, a script with a TERM trap runs it, and
    /// anything else (a shell or `sleep` as PID 1 ignores SIGTERM) is killed at the grace period.
    pub(super) fn signal_term(&mut self, i: usize, now: Time, kill_at: Time) {
        if let State::Running { proc, wake, exit_at, .. } = &mut self.ctrs[i].state {
            match proc {
                Proc::Server => *exit_at = Some((now.after(SERVER_STOP).min(kill_at), 0)),
                Proc::Shell(m) if m.traps_term() => {
                    m.deliver_term();
                    *wake = Some(now);
                    *exit_at = Some((kill_at, 137));
                }
                Proc::Shell(_) => *exit_at = Some((kill_at, 137)),
            }
        }
    }
}
