//! Kubarium: Kubernetes in a browser tab. The whole cluster (api-server, store, controllers,
//! scheduler, kubelets, network) is simulated here, deterministically, and driven through a shell
//! that speaks kubectl. The module order below is the dependency order: each module uses only those
//! listed before it.

pub mod sim;
pub mod api;
pub mod store;
pub mod apiserver;
pub mod client;
pub mod scheduler;
pub mod controllers;
pub mod kubelet;
pub mod network;
pub mod cluster;
pub mod kubectl;
pub mod terminal;
pub mod scenario;

#[cfg(target_arch = "wasm32")]
pub mod ui;
