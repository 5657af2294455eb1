//! What a cluster boots from besides its seed: the machines, the scheduler's configuration and the
//! registry's images. A scenario carries one; `kubarium reset` boots the same one again.

use super::topology::Topology;
use crate::kubelet::images::Catalog;
use crate::scheduler::config::Config;

#[derive(Debug, Clone, Default)]
pub struct Setup {
    pub topology: Topology,
    /// None: kube-scheduler's v1.36 defaults.
    pub scheduler: Option<Config>,
    /// The built-in images plus the scenario's additions.
    pub catalog: Catalog,
}

impl Setup {
    /// `topology` with the default scheduler and the built-in images.
    pub fn of(topology: &Topology) -> Self {
        Setup { topology: topology.clone(), ..Default::default() }
    }
}
