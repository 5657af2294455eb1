//! Replaying a scenario: boot its cluster, then run each command at the virtual time it first ran at.
//! The commands were recorded by the shell, so the replay meets the same state (and the same trace)
//! the session that made the scenario had.

use super::model::{Scenario, ScenarioError};
use crate::cluster::Cluster;
use crate::sim::{Duration, Time};
use crate::terminal::{Shell, split_script, transcript};

/// A shell over the scenario's cluster after its commands, and their transcript.
pub fn replay(scenario: &Scenario) -> Result<(Shell, String), ScenarioError> {
    let setup = scenario.setup()?;
    let mut shell = Shell::with_origin(Cluster::boot_setup(scenario.seed, setup), scenario.clone());
    let mut out = String::new();
    for command in &scenario.commands {
        advance_to(&mut shell, command.at);
        for c in split_script(&command.run) {
            let result = shell.run(&c);
            transcript::append(&mut out, &c, &result.output);
        }
    }
    Ok((shell, out))
}

/// Lets virtual time pass up to `at` (milliseconds since the scenario began), when a command ran later
/// than the previous one ended.
pub fn advance_to(shell: &mut Shell, at: Option<u64>) {
    if let Some(at) = at {
        let at = Time::ZERO.after(Duration::from_millis(at));
        if at > shell.cluster().now() {
            shell.cluster_mut().run_until(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::link;

    fn get_pods(shell: &mut Shell) -> String {
        shell.run_script("kubectl get pods -o wide")
    }

    #[test]
    fn a_shared_session_replays_to_the_same_state_and_trace() {
        let mut original = Shell::new(Cluster::boot_default(9));
        original.run_script("kubectl create deployment web --image=nginx --replicas=3");
        // The web UI's clock moves the cluster in small slices between commands.
        for _ in 0..150 {
            original.cluster_mut().run_for(Duration::from_millis(100));
        }
        original.run_script("kubectl scale deployment web --replicas=4\nsleep 20\nkubarium node stop node-02");
        original.cluster_mut().run_for(Duration::from_millis(1_234));
        let scenario = link::decode(&link::url("http://x/", &original.scenario()).unwrap()).unwrap();
        assert_eq!(scenario.seed, 9);
        let (mut copy, transcript) = replay(&scenario).unwrap();
        assert!(transcript.contains("$ kubectl scale deployment web --replicas=4\n"), "{transcript}");
        copy.cluster_mut().run_until(original.cluster().now());
        assert_eq!(copy.cluster().api().trace().hash(), original.cluster().api().trace().hash());
        assert_eq!(get_pods(&mut copy), get_pods(&mut original));
        // The copy records what it replayed: sharing it again gives the same scenario.
        assert_eq!(copy.scenario().commands, original.scenario().commands[..copy.scenario().commands.len()]);
    }

    #[test]
    fn reset_and_seed_start_the_scenario_over_and_share_is_not_recorded() {
        let mut shell = Shell::new(Cluster::boot_default(1));
        shell.run_script("kubectl create namespace a\nkubarium share\nkubarium seed 5\nkubectl create namespace b");
        let s = shell.scenario();
        assert_eq!(s.seed, 5);
        assert_eq!(s.commands.len(), 1);
        assert_eq!(s.commands[0].run, "kubectl create namespace b");
        shell.run_script("kubarium reset");
        assert!(shell.scenario().commands.is_empty());
    }

    #[test]
    fn share_prints_a_link_and_a_file() {
        let mut shell = Shell::new(Cluster::boot_default(1));
        let t = shell.run_script("kubectl create deployment web --image=nginx\nkubarium share\nkubarium share -o yaml");
        assert!(t.contains("$ kubarium share\nhttp://localhost:8080/#s=1."), "{t}");
        assert!(t.contains("apiVersion: kubarium/v1\nkind: Scenario\nseed: 1\ncommands:\n- run: kubectl create deployment web --image=nginx\n"), "{t}");
        assert!(shell.run_script("kubarium share -o json").contains("usage: kubarium share [-o yaml]"));
    }
}
