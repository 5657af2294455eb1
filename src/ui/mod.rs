//! The web playground (wasm32 only): Yew function components over the shared shell. The UI draws only
//! from what the shell and the cluster report; it never simulates anything itself.

mod app;
mod terminal;

pub use app::App;
