//! The explanation of a scheduling attempt, kept per pod for `kubarium explain pod NAME` and the UI:
//! every examined node's Filter verdict (the plugin that rejected it and why), each plugin's raw,
//! normalised and weighted score on the feasible nodes, and what the cycle decided.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::sync::Arc;

use super::framework::{Code, ScoreTable, Status};
use crate::sim::Time;

/// One node's Filter rejection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeVerdict {
    /// The node's index into `Attempt::nodes`.
    pub node: usize,
    /// The plugin that rejected the node.
    pub plugin: &'static str,
    pub code: Code,
    pub reasons: Vec<String>,
}

/// What the cycle decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Bound(String),
    /// No node fits: the FailedScheduling message; `nominated` if preemption made room.
    Unschedulable {
        message: String,
        nominated: Option<String>,
        victims: Vec<String>,
    },
    Error(String),
}

/// One scheduling attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub at: Time,
    pub pod: String,
    pub profile: String,
    pub nodes_total: usize,
    /// The scheduler cache's node names by index, as the cycle saw them.
    pub nodes: Arc<[Arc<str>]>,
    /// Nodes Filter rejected, in the order examined. The nodes it passed are `feasible`: listing
    /// them twice cost a tenth of a 5,000-node cycle. Sampling stops early on large clusters.
    pub rejected: Vec<NodeVerdict>,
    pub pre_filter: Option<Status>,
    /// The feasible nodes' indexes, in the order of the score table's columns.
    pub feasible: Vec<usize>,
    pub scores: Option<ScoreTable>,
    pub decision: Decision,
}

impl Attempt {
    /// The name of the node at `idx`.
    pub fn node_name(&self, idx: usize) -> &str {
        self.nodes.get(idx).map(|n| &**n).unwrap_or("")
    }

    /// How many nodes Filter examined.
    pub fn examined(&self) -> usize {
        self.rejected.len() + self.feasible.len()
    }

    /// The feasible nodes' names, in the score table's order.
    pub fn feasible_names(&self) -> impl Iterator<Item = &str> {
        self.feasible.iter().map(|&i| self.node_name(i))
    }

    /// Renders the attempt as text tables.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ =
            writeln!(out, "Pod {} (profile {}), {} node(s) in the cluster", self.pod, self.profile, self.nodes_total);
        if let Some(s) = &self.pre_filter {
            let _ = writeln!(out, "PreFilter {} rejected the pod: {}", s.plugin, s.message());
        }
        if self.examined() > 0 {
            let _ = writeln!(out, "\nFILTER\n{:<24} {:<22} REASON", "NODE", "PLUGIN");
            for v in &self.rejected {
                let _ = writeln!(out, "{:<24} {:<22} {}", self.node_name(v.node), v.plugin, v.reasons.join(", "));
            }
            for n in self.feasible_names() {
                let _ = writeln!(out, "{n:<24} {:<22} passed", "-");
            }
        }
        if let Some(t) = &self.scores {
            let _ = writeln!(out, "\nSCORE (raw / normalised x weight)");
            let mut header = format!("{:<34}", "PLUGIN");
            for n in self.feasible_names() {
                let _ = write!(header, " {:>16}", n);
            }
            let _ = writeln!(out, "{header}");
            for (p, (name, weight)) in t.plugins.iter().enumerate() {
                let mut line = format!("{:<34}", format!("{name} (x{weight})"));
                for n in 0..self.feasible.len() {
                    let (raw, norm) = t.score(p, n);
                    let _ = write!(line, " {:>16}", format!("{raw}/{norm}={}", norm * weight));
                }
                let _ = writeln!(out, "{line}");
            }
            let mut line = format!("{:<34}", "TOTAL");
            for total in &t.totals {
                let _ = write!(line, " {:>16}", total);
            }
            let _ = writeln!(out, "{line}");
        }
        let _ = match &self.decision {
            Decision::Bound(n) => writeln!(out, "\nChosen: {n}"),
            Decision::Unschedulable { message, nominated, victims } => {
                let _ = writeln!(out, "\nUnschedulable: {message}");
                match nominated {
                    Some(n) => writeln!(out, "Nominated node: {n} (preempting {})", victims.join(", ")),
                    None => Ok(()),
                }
            }
            Decision::Error(e) => writeln!(out, "\nError: {e}"),
        };
        out
    }
}

/// The last attempts, a bounded number of pods (a 5,000-node attempt is large).
#[derive(Debug, Default)]
pub struct Explanations {
    by_pod: BTreeMap<String, Attempt>,
    order: VecDeque<String>,
    limit: usize,
}

impl Explanations {
    pub fn new(limit: usize) -> Self {
        Explanations { limit, ..Default::default() }
    }

    pub fn record(&mut self, attempt: Attempt) {
        if self.limit == 0 {
            return;
        }
        let key = attempt.pod.clone();
        if self.by_pod.insert(key.clone(), attempt).is_none() {
            self.order.push_back(key);
        }
        while self.by_pod.len() > self.limit {
            let Some(old) = self.order.pop_front() else { break };
            self.by_pod.remove(&old);
        }
    }

    pub fn get(&self, key: &str) -> Option<&Attempt> {
        self.by_pod.get(key)
    }
}
