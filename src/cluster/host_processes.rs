//! Components that live in containers: kube-proxy is the process of its DaemonSet pod's container.
//! The kubelets report when a kube-proxy container starts or stops (`ProcessEvents`), and the
//! cluster acts as the container runtime would for the binary: a start puts a fresh KubeProxy
//! process in the node's slot (it reads its configuration anew and writes to that container's log),
//! the stop of the container it runs in stops it. A restarted or recreated kube-proxy pod therefore
//! restarts its node's kube-proxy. The node's rules outlive every process, as the kernel's do.

use super::Cluster;
use crate::kubelet::{ContainerLog, ContainerProcess, ProcessEvent};
use crate::network::{Container, KubeProxy};

/// The images whose containers run a simulated component.
pub const COMPONENT_IMAGES: &[&str] = &["registry.k8s.io/kube-proxy"];

impl Cluster {
    /// Starts and stops the component processes the kubelets' reports since the last call ask for.
    pub(super) fn run_host_processes(&mut self) {
        loop {
            let events = self.components.processes.take();
            if events.is_empty() {
                return;
            }
            for event in events {
                match event {
                    ProcessEvent::Started(p) => self.start_kube_proxy(p),
                    ProcessEvent::Stopped(p) => self.stop_kube_proxy(&p),
                }
            }
        }
    }

    fn start_kube_proxy(&mut self, p: ContainerProcess) {
        let Some(table) = self.network().proxies.get(&p.node).cloned() else { return };
        let Some(store) = self.kubelet(&p.node).map(|k| k.log_store()) else { return };
        let log = ContainerLog { store, namespace: p.namespace, pod: p.pod, container: p.container };
        let process = Box::new(KubeProxy::in_container(&p.node, table, Container { log, version: p.tag }));
        match self.components.proxies.get(&p.node).copied() {
            Some(id) => self.replace_process(id, process),
            None => {
                let id = self.spawn(process);
                self.components.proxies.insert(p.node.clone(), id);
            }
        }
        self.components.proxy_containers.insert(p.node, p.container_id);
    }

    fn stop_kube_proxy(&mut self, p: &ContainerProcess) {
        if self.components.proxy_containers.get(&p.node) != Some(&p.container_id) {
            return;
        }
        self.components.proxy_containers.remove(&p.node);
        if let Some(&id) = self.components.proxies.get(&p.node) {
            self.set_running(id, false);
        }
    }
}
