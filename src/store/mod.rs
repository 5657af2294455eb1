//! The etcd of the simulated cluster: an MVCC key-value store with one revision counter for all
//! keys, compare-and-swap writes, key-ordered ranges for lists, and an event history for watches
//! that resume from a revision. The api-server is its only client, exactly as in Kubernetes.
//!
//! Values are generic (the api-server stores `Arc` objects) and never serialised: the simulation
//! shares immutable objects instead of copying bytes.

pub mod error;
mod keyspace;
pub mod kv;
pub mod watch;

pub use error::StoreError;
pub use kv::{DEFAULT_HISTORY_CAPACITY, KeyValue, RangePage, Store};
pub use watch::{Event, EventKind};

#[cfg(test)]
mod tests;
