//! A cluster with the real scheduler and a kubelet on every node, for controllers whose behaviour
//! depends on containers really running (Jobs that finish, fail and back off).

use serde_json::Value;

use super::fake;
use crate::api::{Kind, Object};
use crate::client::Process;
use crate::cluster::Cluster;
use crate::kubelet::{Kubelet, LogStore};
use crate::scheduler::Scheduler;
use crate::sim::Duration;

pub struct Live {
    pub c: Cluster,
    logs: Vec<(String, LogStore)>,
}

/// The default cluster with the scheduler, a kubelet per node and `controllers`.
pub fn live(controllers: Vec<Box<dyn Process>>) -> Live {
    let mut c = Cluster::new(7);
    let mut logs = Vec::new();
    for n in ["control-plane", "node-01", "node-02", "node-03"] {
        let k = Kubelet::new(n, 7);
        logs.push((n.to_string(), k.log_store()));
        c.spawn(Box::new(k));
    }
    c.spawn(Box::new(Scheduler::new(7, None)));
    for p in controllers {
        c.spawn(p);
    }
    c.run_for(Duration::from_millis(1));
    Live { c, logs }
}

impl Live {
    pub fn create(&mut self, kind: Kind, v: Value) -> Object {
        fake::create(&mut self.c, kind, v)
    }

    pub fn get(&self, kind: Kind, name: &str) -> Option<Value> {
        self.c.api().peek(kind, Some("default"), name).map(|o| o.to_value())
    }

    /// Runs in 100 ms steps until `done` holds (panics after `limit_s` virtual seconds).
    pub fn until(&mut self, limit_s: u64, what: &str, mut done: impl FnMut(&mut Live) -> bool) {
        for _ in 0..limit_s * 10 {
            if done(self) {
                return;
            }
            self.c.run_for(Duration::from_millis(100));
        }
        panic!("{what} did not happen within {limit_s}s");
    }

    /// What `kubectl logs` would print for `pod`, from whichever node ran it.
    pub fn logs(&self, pod: &str) -> String {
        self.logs.iter().find_map(|(_, s)| s.read("default", pod, None, false, false).ok()).unwrap_or_default()
    }

    /// Seconds since the epoch of an RFC 3339 timestamp in `v` (virtual seconds of the cluster).
    pub fn secs(&self, v: &Value) -> i64 {
        let t: k8s_openapi::jiff::Timestamp = v.as_str().unwrap_or("").parse().unwrap();
        t.as_second() - self.c.clock().epoch_unix_seconds()
    }
}
