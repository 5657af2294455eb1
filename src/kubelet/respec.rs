//! A running pod whose spec changed. Of a pod's spec only the images may change (and a few fields the
//! kubelet does not act on); when one does, the kubelet's computePodActions sees the container's hash
//! differ: a running container is killed ("definition changed") and started again with the new image
//! whatever the restart policy, and one still waiting for its old image tries the new one at once.

use super::container::State;
use super::pod_worker::PodWorker;
use super::shared::Shared;
use crate::client::{Ctx, EventKind};
use crate::sim::Duration;

impl PodWorker {
    /// Takes the images of `self.pod` (just replaced by a newer version of the pod) into the containers.
    pub(super) fn respec(&mut self, sh: &mut Shared, ctx: &mut Ctx<'_>) {
        if self.kill_at.is_some() || self.terminal.is_some() {
            return;
        }
        let Some(spec) = self.pod.as_pod().and_then(|p| p.spec.clone()) else { return };
        let grace = spec.termination_grace_period_seconds.unwrap_or(30).max(0) as u64;
        let wanted = spec.init_containers.iter().flatten().chain(spec.containers.iter());
        let now = ctx.now();
        let pod = self.pod.clone();
        for new in wanted {
            let Some(i) = self.ctrs.iter().position(|c| c.spec.name == new.name) else { continue };
            if self.ctrs[i].spec.image == new.image {
                continue;
            }
            self.ctrs[i].spec.image = new.image.clone();
            let name = new.name.clone();
            let field = self.ctrs[i].field_path();
            match &self.ctrs[i].state {
                State::Running { .. } => {
                    let msg = format!("Container {name} definition changed, will be restarted");
                    sh.event(ctx, &pod, Some(&field), EventKind::Normal, "Killing", &msg);
                    sh.cri(ctx, "StopContainer", &pod, format!("{name}: SIGTERM, grace {grace}s"));
                    self.ctrs[i].redefined = true;
                    self.signal_term(i, now, now.after(Duration::from_secs(grace)));
                }
                State::Image { .. } | State::BackOff { .. } | State::Blocked { .. } => {
                    self.ctrs[i].state = State::Image { reason: None, retry_at: Some(now) };
                }
                State::Exited(_) => self.ctrs[i].redefined = true,
                State::Idle | State::Created { .. } | State::Done(_) => {}
            }
        }
    }
}
