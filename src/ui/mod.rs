//! The web playground (wasm32 only): Yew function components over the shared shell. The UI draws only
//! from what the shell and the cluster report (API objects read without requests, and the trace); it
//! never simulates anything itself. One component per file; state in `state`, texts in `i18n`.

mod app;
mod architecture;
mod captions;
mod cluster_view;
pub mod explain_schema;
mod fault_actions;
mod header;
mod i18n;
mod inspector;
mod lesson_panel;
mod model;
mod node_actions;
mod resources;
mod session;
mod share;
mod state;
mod terminal;
mod theme;
mod time_controls;
mod timeline;
mod warm_up;

pub use app::{App, AppProps};
