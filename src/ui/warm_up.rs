//! A throwaway cluster run through a Deployment's life while the page loads. The browser compiles
//! each wasm function on its first call, so the first Deployment a user created spent milliseconds
//! compiling the controllers', scheduler's and kubelet's code inside one simulation item, and that
//! tick held the frame past its 8 ms budget. Run here, before the page is drawn, that compiling
//! costs nothing the user sees. Nothing of this cluster is kept or shown.

use crate::cluster::Cluster;
use crate::sim::Duration;
use crate::terminal::{Shell, split_script};

/// What the warm-up types: the commands a newcomer's first minutes are made of.
const SCRIPT: &str = "kubectl create deployment warm-up --image=nginx:1.25 --replicas=3
kubectl get pods
kubectl expose deployment warm-up --port=80
kubectl scale deployment warm-up --replicas=1
kubectl delete deployment warm-up
";

/// Virtual time each command is given to play out.
const SETTLE: Duration = Duration::from_secs(20);

pub fn run() {
    let mut shell = Shell::new(Cluster::boot_default(0));
    for command in split_script(SCRIPT) {
        shell.run(&command);
        shell.cluster_mut().run_for(SETTLE);
    }
}
