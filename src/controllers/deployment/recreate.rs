//! The Recreate strategy (upstream's `recreate.go`): scale every old ReplicaSet to zero, wait until
//! none of their pods is left running (terminating pods count: the point of Recreate is that old
//! and new never run together), then create or scale up the new ReplicaSet to full size.

use std::sync::Arc;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};

use super::DeploymentController;
use super::status::deployment_complete;
use super::sync::active;
use super::util::replicas;
use crate::api::Object;
use crate::apiserver::ApiServer;
use crate::controllers::SyncError;
use crate::controllers::controller_utils::controller_ref;

impl DeploymentController {
    /// `rolloutRecreate`.
    pub(super) fn rollout_recreate(
        &mut self,
        api: &mut ApiServer,
        d: &mut Arc<Deployment>,
        rs_list: &[Arc<ReplicaSet>],
    ) -> Result<(), SyncError> {
        let mut sets = self.get_all_replica_sets_and_sync_revision(api, d, rs_list, false)?;
        let mut scaled_down = false;
        for rs in active(&sets.old) {
            scaled_down |= self.scale_and_record(api, d, &mut sets, &rs, 0)?;
        }
        if scaled_down || self.old_pods_running(&sets.old) {
            return self.sync_rollout_status(api, d, &sets);
        }
        if sets.new.is_none() {
            sets = self.get_all_replica_sets_and_sync_revision(api, d, rs_list, true)?;
        }
        if let Some(new_rs) = sets.new.clone() {
            self.scale_and_record(api, d, &mut sets, &new_rs, replicas(d))?;
        }
        let status = super::status::calculate_status(d, &sets, self.now_ms(api));
        if deployment_complete(d, &status) {
            self.cleanup_deployment(api, d, &sets.old)?;
        }
        self.sync_rollout_status(api, d, &sets)
    }

    /// `oldPodsRunning`: any old set still reports pods, or any of their pods has not finished.
    fn old_pods_running(&self, old: &[Arc<ReplicaSet>]) -> bool {
        if old.iter().any(|rs| rs.status.as_ref().is_some_and(|s| s.replicas > 0)) {
            return true;
        }
        old.iter().any(|rs| {
            let uid = rs.metadata.uid.as_deref().unwrap_or("");
            self.pods.cache().owned_by(uid).any(|o| match o {
                Object::Pod(p) => {
                    controller_ref(&p.metadata).is_some_and(|r| r.uid == uid)
                        && !matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
                }
                _ => false,
            })
        })
    }
}
