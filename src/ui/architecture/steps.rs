//! Which trace entries the architecture view plays: a command's causal chain (journey mode) or the
//! latest entries (live). Node heartbeats and leases are background noise in both, unless the command
//! was itself about nodes or leases.

use crate::sim::Time;
use crate::sim::trace::{Entry, Trace};
use crate::ui::model::heartbeat;

/// The longest journey shown; a command's chain keeps growing while the cluster runs.
pub const MAX_STEPS: usize = 400;
/// How many entries the live view keeps on screen.
const LIVE_ENTRIES: usize = 12;
/// How long a live entry stays on screen, in virtual milliseconds.
const LIVE_WINDOW_MS: u64 = 2_000;

fn background(e: &Entry, root_kind: &str) -> bool {
    heartbeat(e) && e.object.kind != root_kind
}

/// The steps of the chain that started at `root`.
pub fn journey(trace: &Trace, root: u64) -> Vec<Entry> {
    let root_kind = trace.since(root).next().filter(|e| e.seq == root).map_or("", |e| e.object.kind);
    trace.since(root).filter(|e| e.root == root && !background(e, root_kind)).take(MAX_STEPS).cloned().collect()
}

/// The latest entries of the last moments, oldest first.
pub fn live(trace: &Trace, now: Time) -> Vec<Entry> {
    let since = now.as_millis().saturating_sub(LIVE_WINDOW_MS);
    let mut recent: Vec<Entry> = trace
        .entries()
        .rev()
        .take_while(|e| e.t.as_millis() >= since)
        .filter(|e| !background(e, ""))
        .take(LIVE_ENTRIES)
        .cloned()
        .collect();
    recent.reverse();
    recent
}
