//! The client runtime every component uses: informers (list + watch with a cache and indexes) and a
//! de-duplicating, rate-limited work queue, as client-go provides them.

pub mod cache;
pub mod events;
pub mod informer;
pub mod process;
pub mod workqueue;

pub use cache::{Cache, object_key};
pub use events::{EventType as EventKind, Recorder};
pub use informer::{Delta, Informer};
pub use process::{Ctx, Process};
pub use workqueue::WorkQueue;
