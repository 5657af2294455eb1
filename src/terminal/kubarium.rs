//! The playground's own verbs (`kubarium node|component|explain|share|reset|speed|seed`), kept apart
//! from kubectl so that kubectl stays faithful.

use crate::cluster::Cluster;
use crate::kubectl::Output;

/// Runs `kubarium ARGS...`.
pub fn run(args: &[String], cluster: &mut Cluster, out: &mut Output) {
    match args.first().map(String::as_str) {
        Some("seed") => out.out(format!("{}\n", cluster.seed())),
        Some(other) => out.fail(format!(
            "error: unknown command \"{other}\" for \"kubarium\"\nRun 'help' for the commands this shell knows.\n"
        )),
        None => out.fail("error: a kubarium verb is required (node, component, explain, share, reset, speed, seed)\n"),
    }
}
