//! The web entry: Trunk builds this for wasm32 and it mounts the playground into the page.

#[cfg(target_arch = "wasm32")]
fn main() {
    kubarium::ui::explain_schema::load();
    yew::Renderer::<kubarium::ui::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("kubarium-web runs in a browser: `make serve`, then open http://127.0.0.1:8080");
    std::process::exit(2);
}
