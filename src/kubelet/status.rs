//! The pod status the kubelet reports (its status manager and generateAPIPodStatus): phase from the
//! containers and the restart policy, the five conditions in kubectl's order with their transition
//! times, host and pod IPs, start time, and one status per container (waiting with its reason,
//! running, or terminated, plus last state and restart count). A status is written through
//! `/status` only when it differs from the last one written.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting, ContainerStatus, HostIP,
    PodCondition, PodIP, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time as MetaTime;

use super::container::{Ctr, State, Terminated};
use super::pod_worker::{PodWorker, Sandbox};
use super::shared::Shared;
use crate::api::Object;
use crate::apiserver::strategy::timestamp;
use crate::client::Ctx;
use crate::sim::Time;

fn meta_time(ctx: &Ctx<'_>, t: Time) -> MetaTime {
    timestamp(Shared::unix_ms(ctx, t))
}

fn terminated_state(ctx: &Ctx<'_>, t: &Terminated) -> ContainerState {
    ContainerState {
        terminated: Some(ContainerStateTerminated {
            exit_code: t.exit_code,
            reason: Some(t.reason.to_string()),
            message: t.message.clone(),
            started_at: Some(match t.started {
                Some(s) => meta_time(ctx, s),
                None => timestamp(0),
            }),
            finished_at: Some(meta_time(ctx, t.finished)),
            container_id: Some(format!("containerd://{}", t.container_id)),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn waiting(reason: &str, message: Option<String>) -> ContainerState {
    ContainerState {
        waiting: Some(ContainerStateWaiting { reason: Some(reason.to_string()), message }),
        ..Default::default()
    }
}

impl PodWorker {
    /// Whether every regular init container completed and every sidecar started.
    pub fn initialized(&self) -> bool {
        self.ctrs.iter().filter(|c| c.init).all(Ctr::init_done)
    }

    fn container_ready(c: &Ctr) -> bool {
        matches!(&c.state, State::Running { exit_at: None, .. }) && c.probes.ready
    }

    /// The phase, as getPhase computes it: Pending until every app container has run, then Running;
    /// with restartPolicy Never or OnFailure, Succeeded or Failed once every container stopped for good.
    pub fn phase(&self) -> &'static str {
        if let Some(p) = self.terminal {
            return p;
        }
        let init_failed =
            self.ctrs.iter().any(|c| c.init && !c.sidecar && c.terminated().is_some_and(|t| t.exit_code != 0));
        if init_failed && self.restart_policy == "Never" {
            return "Failed";
        }
        if !self.initialized() {
            return "Pending";
        }
        let (mut running, mut never_ran, mut restarting, mut failed) = (0, 0, 0, 0);
        for c in self.ctrs.iter().filter(|c| !c.init) {
            match (&c.state, c.terminated()) {
                (State::Running { .. }, _) => running += 1,
                (_, Some(t)) if t.exit_code == 0 => {}
                (_, Some(_)) => failed += 1,
                _ if c.last.is_some() => restarting += 1,
                _ => never_ran += 1,
            }
        }
        if running > 0 || restarting > 0 {
            return "Running";
        }
        if never_ran > 0 {
            return "Pending";
        }
        match self.restart_policy.as_str() {
            "Never" if failed > 0 => "Failed",
            "Never" => "Succeeded",
            "OnFailure" if failed == 0 => "Succeeded",
            _ => "Running",
        }
    }

    fn container_status(&self, c: &Ctr, ctx: &Ctx<'_>) -> ContainerStatus {
        // Containers with nothing to show yet wait on PodInitializing in a pod with init containers,
        // else on ContainerCreating (convertToAPIContainerStatuses' default waiting state).
        let default = if self.ctrs.iter().any(|c| c.init) { "PodInitializing" } else { "ContainerCreating" };
        let (state, last) = match &c.state {
            State::Idle => (waiting(default, None), c.last.as_ref()),
            // A restart in progress still shows the old run until the new one is up.
            State::Image { reason: None, .. } | State::Created { .. } if c.last.is_some() => {
                (c.last.as_ref().map(|t| terminated_state(ctx, t)).unwrap_or_default(), None)
            }
            State::Image { reason: None, .. } | State::Created { .. } => (waiting(default, None), None),
            State::Image { reason: Some((r, m)), .. } => (waiting(r, Some(m.clone())), c.last.as_ref()),
            State::Blocked { reason, message } => (waiting(reason, Some(message.clone())), c.last.as_ref()),
            State::BackOff { message, .. } => (waiting("CrashLoopBackOff", Some(message.clone())), c.last.as_ref()),
            State::Running { started, .. } => (
                ContainerState {
                    running: Some(ContainerStateRunning { started_at: Some(meta_time(ctx, *started)) }),
                    ..Default::default()
                },
                c.last.as_ref(),
            ),
            State::Exited(t) | State::Done(t) => (terminated_state(ctx, t), c.last.as_ref()),
        };
        let started = c.is_running() && c.probes.started;
        ContainerStatus {
            name: c.name().to_string(),
            image: c.image_name.clone().unwrap_or_else(|| c.image().to_string()),
            image_id: c.image_id.clone().unwrap_or_default(),
            container_id: c.container_id.as_ref().filter(|_| c.runs > 0).map(|id| format!("containerd://{id}")),
            ready: Self::container_ready(c),
            started: Some(started),
            restart_count: c.restart_count,
            state: Some(state),
            last_state: Some(last.map(|t| terminated_state(ctx, t)).unwrap_or_default()),
            ..Default::default()
        }
    }

    fn condition(
        &mut self,
        ctx: &Ctx<'_>,
        kind: &'static str,
        ok: bool,
        reason: Option<&str>,
        message: Option<String>,
    ) -> PodCondition {
        let now = ctx.now();
        let since = match self.transitions.get(kind) {
            Some((was, since)) if *was == ok => *since,
            _ => {
                self.transitions.insert(kind, (ok, now));
                now
            }
        };
        PodCondition {
            type_: kind.to_string(),
            status: if ok { "True" } else { "False" }.to_string(),
            reason: reason.filter(|_| !ok).map(str::to_string),
            message: message.filter(|_| !ok),
            last_transition_time: Some(meta_time(ctx, since)),
            last_probe_time: None,
            observed_generation: None,
        }
    }

    /// The status the kubelet would report now.
    pub fn compute_status(&mut self, sh: &Shared, ctx: &Ctx<'_>) -> PodStatus {
        let existing = self.pod.as_pod().and_then(|p| p.status.clone()).unwrap_or_default();
        let terminal = self.terminal.is_some();
        let sandbox_ready = matches!(self.sandbox, Sandbox::Ready { .. });
        let incomplete: Vec<&str> = self.ctrs.iter().filter(|c| c.init && !c.init_done()).map(Ctr::name).collect();
        let unready: Vec<&str> =
            self.ctrs.iter().filter(|c| (!c.init || c.sidecar) && !Self::container_ready(c)).map(Ctr::name).collect();
        let (ready_reason, ready_msg) = if terminal {
            ("PodCompleted", None)
        } else {
            ("ContainersNotReady", Some(format!("containers with unready status: [{}]", unready.join(" "))))
        };
        let init_ok = incomplete.is_empty();
        let init_reason = if terminal && init_ok { "PodCompleted" } else { "ContainersNotInitialized" };
        let init_msg = (!init_ok).then(|| format!("containers with incomplete status: [{}]", incomplete.join(" ")));
        let all_ready = unready.is_empty() && !terminal;
        let scheduled = existing
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == "PodScheduled")
            .cloned()
            .unwrap_or_else(|| self.condition(ctx, "PodScheduled", true, None, None));
        let conditions = vec![
            self.condition(ctx, "PodReadyToStartContainers", sandbox_ready, None, None),
            self.condition(ctx, "Initialized", init_ok, Some(init_reason), init_msg),
            self.condition(ctx, "Ready", all_ready, Some(ready_reason), ready_msg.clone()),
            self.condition(ctx, "ContainersReady", all_ready, Some(ready_reason), ready_msg),
            scheduled,
        ];
        let host_ip = sh.node_ip.clone();
        let init_statuses: Vec<ContainerStatus> =
            self.ctrs.iter().filter(|c| c.init).map(|c| self.container_status(c, ctx)).collect();
        let statuses: Vec<ContainerStatus> =
            self.ctrs.iter().filter(|c| !c.init).map(|c| self.container_status(c, ctx)).collect();
        PodStatus {
            phase: Some(self.phase().to_string()),
            conditions: Some(conditions),
            host_ip: Some(host_ip.clone()),
            host_ips: Some(vec![HostIP { ip: host_ip }]),
            pod_ip: self.ip.clone(),
            pod_ips: self.ip.clone().map(|ip| vec![PodIP { ip }]),
            start_time: self.start_time.map(|t| meta_time(ctx, t)),
            init_container_statuses: (!init_statuses.is_empty()).then_some(init_statuses),
            container_statuses: Some(statuses),
            qos_class: existing.qos_class.clone(),
            nominated_node_name: existing.nominated_node_name.clone(),
            ..Default::default()
        }
    }

    /// Writes the status if it changed since the last write.
    pub fn push_status(&mut self, sh: &mut Shared, ctx: &mut Ctx<'_>) {
        let status = self.compute_status(sh, ctx);
        if self.last_status.as_ref() == Some(&status) {
            return;
        }
        let Some(pod) = self.pod.as_pod() else { return };
        let mut next = pod.clone();
        next.status = Some(status.clone());
        next.metadata.resource_version = None;
        // If the pod is gone or the write failed, the next sync tries again.
        if let Ok(updated) = ctx.api.update_status(&sh.identity, Object::Pod(Arc::new(next))) {
            self.pod = updated;
            self.last_status = Some(status);
        }
    }
}
