//! Where a page's session comes from and where it goes. A share link in the address (`#s=1.<data>`)
//! wins; else the session this browser saved; else the default cluster. Either is replayed command by
//! command, at the virtual times the commands first ran, so the terminal shows them as typed. A link or
//! a saved session that cannot be opened leaves a notice over the default cluster, never a blank page.
//! After every command the session is saved again (`kubarium reset` saves the empty one).

use gloo::storage::{LocalStorage, Storage};

use super::state::Sim;
use crate::cluster::Cluster;
use crate::scenario::replay::advance_to;
use crate::scenario::{Scenario, ScenarioError, link};
use crate::terminal::Shell;

/// Where the session is kept (the version changes if the saved form ever does).
const SAVED_KEY: &str = "kubarium.session.v1";

/// Why the page started over the default cluster instead of what it was asked to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    BadLink(String),
    BadSave(String),
}

/// The page's first world.
pub struct Booted {
    pub sim: Sim,
    /// The last replayed command's causal chain, for journey mode.
    pub root: Option<u64>,
    pub notice: Option<Notice>,
}

/// The page's address without its fragment: what share links are built on.
pub fn link_base() -> String {
    let location = gloo::utils::window().location();
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    format!("{origin}{path}")
}

/// Whether the page runs embedded (`?embed=1`).
pub fn embedded() -> bool {
    let search = gloo::utils::window().location().search().unwrap_or_default();
    search.trim_start_matches('?').split('&').any(|kv| kv == "embed=1" || kv == "embed=true")
}

/// Boots from `link` (the `s` value of the fragment), else from the saved session, else fresh.
pub fn boot(link_value: Option<&str>) -> Booted {
    let fresh = |notice| Booted { sim: Sim::new(Cluster::boot_default(1)), root: None, notice };
    let mut booted = match link_value {
        Some(value) => match link::decode(value) {
            Ok(scenario) => replayed(&scenario).unwrap_or_else(|e| fresh(Some(Notice::BadLink(e.to_string())))),
            Err(e) => fresh(Some(Notice::BadLink(e.to_string()))),
        },
        None => match saved() {
            Ok(Some(scenario)) => replayed(&scenario).unwrap_or_else(|e| fresh(Some(Notice::BadSave(e.to_string())))),
            Ok(None) => fresh(None),
            Err(why) => fresh(Some(Notice::BadSave(why))),
        },
    };
    if booted.notice.is_some() {
        // What could not be opened is not kept: the page now holds the default cluster.
        LocalStorage::delete(SAVED_KEY);
    }
    booted.sim.shell.set_link_base(&link_base());
    save(&booted.sim.shell);
    booted
}

/// The saved session, if there is one (an unreadable one is an error, to be reported and dropped).
fn saved() -> Result<Option<Scenario>, String> {
    let Ok(text) = LocalStorage::get::<String>(SAVED_KEY) else { return Ok(None) };
    let scenario: Scenario = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok(Some(scenario))
}

/// A world that replayed an imported scenario, saved as the session from now on.
pub fn open(scenario: &Scenario) -> Result<Booted, ScenarioError> {
    let mut booted = replayed(scenario)?;
    booted.sim.shell.set_link_base(&link_base());
    save(&booted.sim.shell);
    Ok(booted)
}

/// A world that replayed `scenario`, its commands shown in the terminal.
fn replayed(scenario: &Scenario) -> Result<Booted, ScenarioError> {
    let setup = scenario.setup()?;
    let shell = Shell::with_origin(Cluster::boot_setup(scenario.seed, setup), scenario.clone());
    let mut sim = Sim::with_shell(shell);
    let mut root = None;
    for command in &scenario.commands {
        advance_to(&mut sim.shell, command.at);
        root = sim.run(&command.run).or(root);
    }
    Ok(Booted { sim, root, notice: None })
}

/// Keeps the session for the next visit (a full or disabled storage only means it is not kept).
pub fn save(shell: &Shell) {
    if let Ok(text) = serde_json::to_string(&shell.scenario()) {
        let _ = LocalStorage::set(SAVED_KEY, text);
    }
}
