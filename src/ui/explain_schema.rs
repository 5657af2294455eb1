//! Fetches the API schema `kubectl explain` prints (assets/explain.json, copied next to the wasm by
//! Trunk) once after start-up, so the wasm binary does not carry its 400 KB. Until it arrives,
//! explain says the schema is still loading.

use gloo::events::EventListener;
use web_sys::XmlHttpRequest;

/// Where index.html has Trunk copy the file.
const URL: &str = "explain.json";

/// Starts the request; the listener installs the schema when it loads and then drops itself.
pub fn load() {
    let Ok(xhr) = XmlHttpRequest::new() else { return };
    if xhr.open("GET", URL).is_err() {
        return;
    }
    let request = xhr.clone();
    EventListener::once(&xhr, "load", move |_| {
        if let Ok(Some(text)) = request.response_text() {
            // A broken file leaves explain reporting the schema as not loaded.
            let _ = crate::kubectl::explain::install(text.as_bytes());
        }
    })
    .forget();
    let _ = xhr.send();
}
