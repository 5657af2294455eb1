//! The latency model: how long each hop takes in virtual time. Requests are answered at the instant
//! they are made (the api-server is one process of the simulation), so the visible order of events
//! comes from the hops that are asynchronous in Kubernetes too: watch delivery, and the work a
//! component does before it acts. The defaults are of the order a small real cluster shows.

use super::Duration;

/// Per-hop delays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Latency {
    /// From a commit in etcd to a watcher's informer.
    pub watch_delivery: Duration,
    /// Between a kubectl command and the next (the round trips a real kubectl makes).
    pub kubectl_command: Duration,
}

impl Default for Latency {
    fn default() -> Self {
        Latency { watch_delivery: Duration::from_millis(5), kubectl_command: Duration::from_millis(50) }
    }
}
