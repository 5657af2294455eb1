//! The simulated cluster: boots from a topology and advances virtual time. Front ends (the shell, the
//! web UI, benchmarks) drive it through `step`/`run_for`; nothing else owns the clock.

use crate::sim::{Clock, Duration, Time};

/// The api-server's `gitVersion`: the simulated control plane runs the same release as kubectl.
pub const SERVER_GIT_VERSION: &str = "v1.36.3";

/// A whole simulated cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    clock: Clock,
    seed: u64,
}

impl Cluster {
    /// The default cluster of the design, started from `seed`.
    pub fn new(seed: u64) -> Self {
        Cluster { clock: Clock::default(), seed }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn now(&self) -> Time {
        self.clock.now()
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Lets `d` of virtual time pass, running everything that falls due.
    pub fn run_for(&mut self, d: Duration) {
        let until = self.clock.now().after(d);
        self.clock.advance_to(until);
    }

    pub fn server_git_version(&self) -> &'static str {
        SERVER_GIT_VERSION
    }
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster::new(1)
    }
}
