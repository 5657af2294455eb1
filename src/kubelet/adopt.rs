//! Adopting pods that were already running when the kubelet (first) started: the kube-system pods of
//! the booted cluster. Their containers are taken as running, their images as present, their IPs as
//! allocated and their condition times as they are, so that adoption writes nothing and restarts
//! nothing.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time as MetaTime;

use super::container::State;
use super::exec::{Launch, Proc, launch};
use super::pod_worker::{PodWorker, Sandbox};
use super::shared::Shared;
use crate::client::Ctx;
use crate::sim::Time;

/// The virtual instant of an API timestamp (the epoch if it is earlier or missing).
fn virtual_time(ctx: &Ctx<'_>, t: Option<&MetaTime>) -> Time {
    let epoch_ms = Shared::unix_ms(ctx, Time::ZERO);
    let ms = t.map(|t| t.0.as_millisecond()).unwrap_or(epoch_ms);
    Time(u64::try_from(ms - epoch_ms).unwrap_or(0))
}

impl PodWorker {
    /// Whether the pod was running before this kubelet knew it.
    pub fn adoptable(&self) -> bool {
        let status = self.pod.as_pod().and_then(|p| p.status.as_ref());
        status.and_then(|s| s.phase.as_deref()) == Some("Running")
            && status
                .and_then(|s| s.container_statuses.as_ref())
                .is_some_and(|cs| cs.iter().all(|c| c.state.as_ref().is_some_and(|s| s.running.is_some())))
    }

    /// Takes over a running pod as it is.
    pub fn adopt(&mut self, sh: &mut Shared, ctx: &mut Ctx<'_>) {
        let Some(status) = self.pod.as_pod().and_then(|p| p.status.clone()) else { return };
        self.ip = status.pod_ip.clone();
        if !self.host_network
            && let Some(ip) = &self.ip
        {
            sh.ipam.mark_used(ip);
        }
        let start = virtual_time(ctx, status.start_time.as_ref());
        self.start_time = Some(start);
        self.sandbox = Sandbox::Ready { since: start };
        for cond in status.conditions.iter().flatten() {
            let kind: &'static str = match cond.type_.as_str() {
                "PodReadyToStartContainers" => "PodReadyToStartContainers",
                "Initialized" => "Initialized",
                "Ready" => "Ready",
                "ContainersReady" => "ContainersReady",
                _ => continue,
            };
            self.transitions
                .insert(kind, (cond.status == "True", virtual_time(ctx, cond.last_transition_time.as_ref())));
        }
        let statuses: Vec<_> = status
            .init_container_statuses
            .iter()
            .flatten()
            .chain(status.container_statuses.iter().flatten())
            .cloned()
            .collect();
        let ip = self.ip.clone().unwrap_or_default();
        for c in &mut self.ctrs {
            let Some(cs) = statuses.iter().find(|s| s.name == c.spec.name) else { continue };
            let Some(running) = cs.state.as_ref().and_then(|s| s.running.as_ref()) else { continue };
            sh.images.preload(c.spec.image.as_deref().unwrap_or(""));
            c.container_id = cs.container_id.as_deref().map(|id| id.trim_start_matches("containerd://").to_string());
            c.image_name = Some(cs.image.clone());
            c.image_id = Some(cs.image_id.clone());
            c.restart_count = cs.restart_count;
            c.runs = u32::try_from(cs.restart_count).unwrap_or(0) + 1;
            let started = virtual_time(ctx, running.started_at.as_ref());
            let spec = sh.images.resolved(c.spec.image.as_deref().unwrap_or("")).map(|r| r.spec);
            let proc = match spec.map(|s| launch(s, &c.spec, &Default::default(), &ip)) {
                Some(Launch::Started(p, lines)) => {
                    sh.logs.start_run(&self.ns, &self.name, &c.spec.name);
                    sh.logs.append(&self.ns, &self.name, &c.spec.name, Shared::unix_ms(ctx, started), lines);
                    p
                }
                _ => Proc::Server,
            };
            let wake = matches!(proc, Proc::Shell(_)).then(|| ctx.now());
            c.state = State::Running { started, proc, wake, exit_at: None };
            // Already started and ready when adopted; probes resume from now.
            let mut probes = super::probes::ProbeState::for_run(c, ctx.now());
            probes.started = true;
            probes.ready = true;
            c.probes = probes;
        }
        let status = self.compute_status(sh, ctx);
        self.last_status = Some(status);
    }
}
