//! The RollingUpdate strategy (upstream's `rolling.go`): grow the new ReplicaSet as far as maxSurge
//! allows, shrink old ones as far as maxUnavailable allows (unhealthy old pods first, since removing
//! them costs no availability), and repeat on every change until the new set has every replica.

use std::sync::Arc;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};

use super::DeploymentController;
use super::status::deployment_complete;
use super::sync::{Sets, active};
use super::util::{
    available_replica_count, by_creation, max_unavailable, new_rs_new_replicas, replica_count, replicas, rs_available,
    rs_replicas,
};
use crate::apiserver::ApiServer;
use crate::controllers::SyncError;

impl DeploymentController {
    /// `rolloutRolling`.
    pub(super) fn rollout_rolling(
        &mut self,
        api: &mut ApiServer,
        d: &mut Arc<Deployment>,
        rs_list: &[Arc<ReplicaSet>],
    ) -> Result<(), SyncError> {
        let mut sets = self.get_all_replica_sets_and_sync_revision(api, d, rs_list, true)?;
        if self.reconcile_new_replica_set(api, d, &mut sets)? {
            return self.sync_rollout_status(api, d, &sets);
        }
        if self.reconcile_old_replica_sets(api, d, &mut sets)? {
            return self.sync_rollout_status(api, d, &sets);
        }
        let status = super::status::calculate_status(d, &sets, self.now_ms(api));
        if deployment_complete(d, &status) {
            self.cleanup_deployment(api, d, &sets.old)?;
        }
        self.sync_rollout_status(api, d, &sets)
    }

    /// `reconcileNewReplicaSet`: scales the new set towards the Deployment's size within maxSurge.
    fn reconcile_new_replica_set(
        &mut self,
        api: &mut ApiServer,
        d: &Arc<Deployment>,
        sets: &mut Sets,
    ) -> Result<bool, SyncError> {
        let Some(new_rs) = sets.new.clone() else { return Ok(false) };
        let r = replicas(d);
        let size = if rs_replicas(&new_rs) > r { r } else { new_rs_new_replicas(d, &sets.all(), &new_rs) };
        if size == rs_replicas(&new_rs) {
            return Ok(false);
        }
        self.scale_and_record(api, d, sets, &new_rs, size)
    }

    /// `reconcileOldReplicaSets`: how many old pods may go now without dropping below
    /// replicas − maxUnavailable available, counting the new set's unavailable pods against it.
    fn reconcile_old_replica_sets(
        &mut self,
        api: &mut ApiServer,
        d: &Arc<Deployment>,
        sets: &mut Sets,
    ) -> Result<bool, SyncError> {
        let old_active = active(&sets.old);
        if replica_count(&old_active) == 0 {
            return Ok(false);
        }
        let all_pods = replica_count(&sets.all());
        let min_available = replicas(d).saturating_sub(max_unavailable(d));
        let new_unavailable = sets.new.as_ref().map_or(0, |n| rs_replicas(n) - rs_available(n));
        let max_scaled_down = all_pods.saturating_sub(min_available).saturating_sub(new_unavailable);
        if max_scaled_down <= 0 {
            return Ok(false);
        }
        let cleaned = self.cleanup_unhealthy_replicas(api, d, sets, max_scaled_down)?;
        let scaled = self.scale_down_old_replica_sets_for_rolling_update(api, d, sets)?;
        Ok(cleaned + scaled > 0)
    }

    /// `cleanupUnhealthyReplicas`: removes old pods that are not available anyway, oldest set first.
    fn cleanup_unhealthy_replicas(
        &mut self,
        api: &mut ApiServer,
        d: &Arc<Deployment>,
        sets: &mut Sets,
        max_cleanup: i32,
    ) -> Result<i32, SyncError> {
        let mut old = active(&sets.old);
        old.sort_by(|a, b| by_creation(a, b));
        let mut total = 0;
        for rs in old {
            if total >= max_cleanup {
                break;
            }
            let (want, available) = (rs_replicas(&rs), rs_available(&rs));
            if want == 0 || want == available {
                continue;
            }
            let down = (max_cleanup - total).min(want - available);
            let size = want - down;
            if size > want || size < 0 {
                continue;
            }
            self.scale_and_record(api, d, sets, &rs, size)?;
            total += down;
        }
        Ok(total)
    }

    /// `scaleDownOldReplicaSetsForRollingUpdate`: scales old sets down, oldest first, by as many
    /// available pods as exceed replicas − maxUnavailable.
    fn scale_down_old_replica_sets_for_rolling_update(
        &mut self,
        api: &mut ApiServer,
        d: &Arc<Deployment>,
        sets: &mut Sets,
    ) -> Result<i32, SyncError> {
        let min_available = replicas(d).saturating_sub(max_unavailable(d));
        let available = available_replica_count(&sets.all());
        if available <= min_available {
            return Ok(0);
        }
        let target = available - min_available;
        let mut old = active(&sets.old);
        old.sort_by(|a, b| by_creation(a, b));
        let mut total = 0;
        for rs in old {
            if total >= target {
                break;
            }
            let want = rs_replicas(&rs);
            if want == 0 {
                continue;
            }
            let down = want.min(target - total);
            self.scale_and_record(api, d, sets, &rs, want - down)?;
            total += down;
        }
        Ok(total)
    }
}
