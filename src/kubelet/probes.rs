//! Container probes, as the kubelet's prober runs them: a startup probe gates the others; liveness
//! failing `failureThreshold` times in a row kills the container (exit 137) so that the restart policy
//! restarts it; readiness decides the container's `ready`. httpGet and tcpSocket succeed when the
//! image's server listens on the port; exec runs the command through the tiny shell against the
//! container's files. Each failure is a Warning `Unhealthy` event worded as upstream's.

use k8s_openapi::api::core::v1::Probe;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::container::{Ctr, State};
use super::exec::Proc;
use super::pod_worker::PodWorker;
use super::shared::Shared;
use super::shell::{Machine, Surroundings, Yield, exec};
use crate::client::{Ctx, EventKind};
use crate::sim::{Duration, Time};

/// Probe bookkeeping of one container run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProbeState {
    pub started: bool,
    pub ready: bool,
    live_failures: i32,
    ready_failures: i32,
    ready_successes: i32,
    start_failures: i32,
    pub next: Option<Time>,
}

impl ProbeState {
    /// A fresh run: started unless a startup probe must pass, ready unless a readiness probe must.
    pub fn for_run(c: &Ctr, started_at: Time) -> Self {
        let probes = [&c.spec.startup_probe, &c.spec.liveness_probe, &c.spec.readiness_probe];
        let delay = probes.iter().filter_map(|p| p.as_ref()).map(|p| p.initial_delay_seconds.unwrap_or(0).max(0)).min();
        ProbeState {
            started: c.spec.startup_probe.is_none(),
            ready: c.spec.readiness_probe.is_none(),
            next: delay.map(|d| started_at.after(Duration::from_secs(d as u64))),
            ..Default::default()
        }
    }
}

fn port_of(c: &Ctr, port: &IntOrString) -> Option<i32> {
    match port {
        IntOrString::Int(p) => Some(*p),
        IntOrString::String(name) => {
            c.spec.ports.iter().flatten().find(|p| p.name.as_deref() == Some(name.as_str())).map(|p| p.container_port)
        }
    }
}

impl PodWorker {
    /// Runs one probe; Err carries the failure's text.
    fn run_probe(&self, i: usize, probe: &Probe, sh: &Shared, ctx: &Ctx<'_>, t: Time) -> Result<(), String> {
        let c = &self.ctrs[i];
        let ip = self.ip.clone().unwrap_or_default();
        let listening = |port: i32| {
            matches!(&c.state, State::Running { proc: Proc::Server, .. })
                && sh.images.resolved(c.image()).is_some_and(|img| img.spec.ports.iter().any(|p| i32::from(*p) == port))
        };
        if let Some(h) = &probe.http_get {
            let port = port_of(c, &h.port).unwrap_or(0);
            let path = h.path.clone().unwrap_or_else(|| "/".into());
            let scheme = h.scheme.as_deref().unwrap_or("HTTP").to_lowercase();
            return if listening(port) {
                Ok(())
            } else {
                Err(format!("Get \"{scheme}://{ip}:{port}{path}\": dial tcp {ip}:{port}: connect: connection refused"))
            };
        }
        if let Some(tcp) = &probe.tcp_socket {
            let port = port_of(c, &tcp.port).unwrap_or(0);
            return if listening(port) {
                Ok(())
            } else {
                Err(format!("dial tcp {ip}:{port}: connect: connection refused"))
            };
        }
        if let Some(e) = &probe.exec {
            let argv = e.command.clone().unwrap_or_default();
            let mut m = Machine::new(exec(&argv), Default::default(), "sh");
            if let State::Running { proc: Proc::Shell(main), .. } = &c.state {
                m.files = main.files.clone();
            }
            let env = Surroundings { hostname: self.name.clone(), now_unix_ms: Shared::unix_ms(ctx, t), net: None };
            let mut out = Vec::new();
            for _ in 0..8 {
                if let Yield::Exit(code) = m.run(&env, &mut out) {
                    return if code == 0 { Ok(()) } else { Err(out.join("\n")) };
                }
            }
            return Err("command timed out".into());
        }
        Ok(())
    }

    /// The probes of container `i` fall due at `t`.
    pub(super) fn probe(&mut self, i: usize, t: Time, sh: &mut Shared, ctx: &mut Ctx<'_>) {
        let spec = self.ctrs[i].spec.clone();
        let pod = self.pod.clone();
        let field = self.ctrs[i].field_path();
        let mut period = 10;
        let mut kill: Option<String> = None;
        let mut state = self.ctrs[i].probes.clone();
        if !state.started {
            if let Some(p) = &spec.startup_probe {
                period = p.period_seconds.unwrap_or(10).max(1);
                match self.run_probe(i, p, sh, ctx, t) {
                    Ok(()) => state.started = true,
                    Err(msg) => {
                        sh.event(
                            ctx,
                            &pod,
                            Some(&field),
                            EventKind::Warning,
                            "Unhealthy",
                            &format!("Startup probe failed: {msg}"),
                        );
                        state.start_failures += 1;
                        if state.start_failures >= p.failure_threshold.unwrap_or(3).max(1) {
                            kill = Some(format!("Container {} failed startup probe, will be restarted", spec.name));
                        }
                    }
                }
            }
        } else {
            if let Some(p) = &spec.liveness_probe {
                period = p.period_seconds.unwrap_or(10).max(1);
                match self.run_probe(i, p, sh, ctx, t) {
                    Ok(()) => state.live_failures = 0,
                    Err(msg) => {
                        sh.event(
                            ctx,
                            &pod,
                            Some(&field),
                            EventKind::Warning,
                            "Unhealthy",
                            &format!("Liveness probe failed: {msg}"),
                        );
                        state.live_failures += 1;
                        if state.live_failures >= p.failure_threshold.unwrap_or(3).max(1) {
                            kill = Some(format!("Container {} failed liveness probe, will be restarted", spec.name));
                        }
                    }
                }
            }
            if let Some(p) = &spec.readiness_probe {
                period = period.min(p.period_seconds.unwrap_or(10).max(1));
                match self.run_probe(i, p, sh, ctx, t) {
                    Ok(()) => {
                        state.ready_failures = 0;
                        state.ready_successes += 1;
                        if state.ready_successes >= p.success_threshold.unwrap_or(1).max(1) {
                            state.ready = true;
                        }
                    }
                    Err(msg) => {
                        sh.event(
                            ctx,
                            &pod,
                            Some(&field),
                            EventKind::Warning,
                            "Unhealthy",
                            &format!("Readiness probe failed: {msg}"),
                        );
                        state.ready_successes = 0;
                        state.ready_failures += 1;
                        if state.ready_failures >= p.failure_threshold.unwrap_or(3).max(1) {
                            state.ready = false;
                        }
                    }
                }
            }
        }
        state.next = Some(t.after(Duration::from_secs(period as u64)));
        if let Some(msg) = kill {
            state.next = None;
            sh.event(ctx, &pod, Some(&field), EventKind::Normal, "Killing", &msg);
            sh.cri(ctx, "StopContainer", &pod, format!("{}: probe failure", spec.name));
            if let State::Running { exit_at, proc, .. } = &mut self.ctrs[i].state {
                // A server stops cleanly on SIGTERM (exit 0, Completed); a shell as PID 1 ignores it
                // and is killed (137). The grace period before SIGKILL is not modelled here.
                let code = if matches!(proc, Proc::Server) { 0 } else { 137 };
                *exit_at = Some((t.after(super::exec::SERVER_STOP), code));
            }
        }
        self.ctrs[i].probes = state;
    }
}
