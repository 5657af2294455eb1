//! Stopping a pod that is being deleted, as the kubelet's killPod does: a `Killing` event and a
//! StopContainer call per running container, SIGTERM, SIGKILL at the end of the grace period, a last
//! status with every container terminated and the pod in a terminal phase, StopPodSandbox, then the
//! final `delete` with grace period 0 that removes the pod from the store.

use super::container::{State, Terminated};
use super::pod_worker::PodWorker;
use super::shared::Shared;
use crate::api::Kind;
use crate::apiserver::DeleteOptions;
use crate::client::{Ctx, EventKind};
use crate::sim::{Duration, Time};

impl PodWorker {
    /// The pod got a deletionTimestamp: stop every container within its grace period.
    pub(super) fn begin_termination(&mut self, sh: &mut Shared, ctx: &mut Ctx<'_>, now: Time) {
        let grace = self.pod.meta().deletion_grace_period_seconds.unwrap_or(30).max(0) as u64;
        let kill_at = now.after(Duration::from_secs(grace));
        self.kill_at = Some(kill_at);
        let pod = self.pod.clone();
        for i in 0..self.ctrs.len() {
            match &self.ctrs[i].state {
                State::Running { .. } => {
                    let name = self.ctrs[i].name().to_string();
                    let field = self.ctrs[i].field_path();
                    sh.event(
                        ctx,
                        &pod,
                        Some(&field),
                        EventKind::Normal,
                        "Killing",
                        &format!("Stopping container {name}"),
                    );
                    sh.cri(ctx, "StopContainer", &pod, format!("{name}: SIGTERM, grace {grace}s"));
                    self.signal_term(i, now, kill_at);
                }
                State::Created { .. } => {
                    // Created but not started: removed without running.
                    let id = self.ctrs[i].container_id.clone().unwrap_or_default();
                    let mut t = Terminated::new(137, None, now, &id);
                    t.reason = "Error";
                    self.ctrs[i].state = State::Done(t);
                }
                State::Exited(t) => self.ctrs[i].state = State::Done(t.clone()),
                State::BackOff { .. } => {
                    if let Some(t) = self.ctrs[i].last.take() {
                        self.ctrs[i].state = State::Done(t);
                    }
                }
                _ => {}
            }
        }
        sh.images.forget(self.id);
    }

    /// Every container has stopped: report the terminal phase, stop the sandbox, delete the pod.
    pub(super) fn finish_termination(&mut self, sh: &mut Shared, ctx: &mut Ctx<'_>) {
        if self.gone {
            return;
        }
        for c in &mut self.ctrs {
            if let State::Exited(t) = &c.state {
                c.state = State::Done(t.clone());
            }
        }
        if self.terminal.is_none() {
            let ok = self.ctrs.iter().filter(|c| !c.init).all(|c| c.terminated().is_some_and(|t| t.exit_code == 0));
            self.terminal = Some(if ok { "Succeeded" } else { "Failed" });
            self.push_status(sh, ctx);
        }
        self.stop_sandbox(sh, ctx);
        sh.cri(ctx, "RemovePodSandbox", &self.pod.clone(), String::new());
        let opts = DeleteOptions { grace_period_seconds: Some(0), ..Default::default() };
        let identity = sh.identity.clone();
        // NotFound means someone else finished the deletion: the pod is gone either way.
        let _ = ctx.api.delete(&identity, Kind::Pod, Some(&self.ns), &self.name, &opts);
        self.gone = true;
        sh.logs.remove_pod(&self.ns, &self.name);
    }

    /// The pod vanished from the store without the kubelet (a force delete): kill everything now.
    pub fn vanish(&mut self, sh: &mut Shared, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        for c in &mut self.ctrs {
            if let State::Running { started, .. } = c.state {
                let id = c.container_id.clone().unwrap_or_default();
                c.state = State::Done(Terminated::new(137, Some(started), now, &id));
            }
        }
        self.stop_sandbox(sh, ctx);
        sh.images.forget(self.id);
        sh.logs.remove_pod(&self.ns, &self.name);
        self.report_processes(sh);
        self.gone = true;
    }
}
