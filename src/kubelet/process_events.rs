//! The container runtime's word on main processes starting and stopping, for the components the
//! simulation runs as processes of their own although they live in containers (kube-proxy): the
//! cluster starts such a component when its container starts and stops it when the container
//! stops, as the runtime runs and kills the binary. The kubelet reports the containers of the images
//! the handle watches, on a handle the cluster drains; a kubelet nobody watches reports nothing.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use super::images::ImageRef;
use super::pod_worker::PodWorker;
use super::shared::Shared;

/// A running container of a watched image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerProcess {
    pub node: String,
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub container_id: String,
    /// The image's repository as containerd normalises it, and its tag.
    pub repository: String,
    pub tag: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcessEvent {
    Started(ContainerProcess),
    Stopped(ContainerProcess),
}

#[derive(Debug, Default)]
struct Inner {
    watched: BTreeSet<String>,
    events: Vec<ProcessEvent>,
}

/// A shared handle on the reports of a cluster's kubelets.
#[derive(Debug, Clone, Default)]
pub struct ProcessEvents(Arc<Mutex<Inner>>);

impl ProcessEvents {
    /// A handle reporting the containers of `repositories`.
    pub fn watching(repositories: &[&str]) -> Self {
        let inner = Inner { watched: repositories.iter().map(|r| r.to_string()).collect(), events: Vec::new() };
        ProcessEvents(Arc::new(Mutex::new(inner)))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn watches(&self, repository: &str) -> bool {
        self.lock().watched.contains(repository)
    }

    pub fn push(&self, event: ProcessEvent) {
        self.lock().events.push(event);
    }

    /// The reports since the last call, in order.
    pub fn take(&self) -> Vec<ProcessEvent> {
        std::mem::take(&mut self.lock().events)
    }
}

impl PodWorker {
    /// Reports the containers of watched images whose process started or stopped since the last
    /// report (a restarted container is a stop, then a start).
    pub(super) fn report_processes(&mut self, sh: &Shared) {
        for c in &self.ctrs {
            let running = c.is_running().then(|| c.container_id.clone()).flatten();
            let announced = self.announced.get(c.name()).map(|p| p.container_id.clone());
            if running == announced || running.as_ref().is_some_and(|id| self.unwatched.contains(id)) {
                continue;
            }
            if let Some(old) = self.announced.remove(c.name()) {
                sh.processes.push(ProcessEvent::Stopped(old));
            }
            let Some(container_id) = running else { continue };
            let Some(image) = ImageRef::parse(c.image()).ok().filter(|r| sh.processes.watches(&r.repository)) else {
                self.unwatched.insert(container_id);
                continue;
            };
            let process = ContainerProcess {
                node: sh.node.to_string(),
                namespace: self.ns.clone(),
                pod: self.name.clone(),
                container: c.name().to_string(),
                container_id,
                repository: image.repository,
                tag: image.tag,
            };
            self.announced.insert(c.name().to_string(), process.clone());
            sh.processes.push(ProcessEvent::Started(process));
        }
    }
}
