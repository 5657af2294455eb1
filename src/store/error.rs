//! Why a store operation failed. The api-server turns these into Kubernetes `Status` errors
//! (AlreadyExists, NotFound, Conflict, Gone/Expired); the messages here are the storage layer's own,
//! worded as k8s.io/apiserver's storage errors are.

use std::fmt;

/// A failed store operation. A failure never changes the store: no revision is consumed and no
/// event is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreError {
    /// `create` of a key that already exists.
    KeyExists,
    /// `update` or `delete` of a key that does not exist.
    NotFound,
    /// A compare-and-swap lost: the key was modified since the caller read it. Carries the current
    /// `mod_revision` so the caller can tell the user which version won.
    Conflict { current_mod_revision: i64 },
    /// A watch asked for changes after `requested`, but history from there has been compacted or
    /// has fallen out of the ring; `oldest` is the oldest revision a watch can still start from.
    /// The api-server answers this with 410 Gone, and informers relist.
    Compacted { requested: i64, oldest: i64 },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::KeyExists => f.write_str("key exists"),
            StoreError::NotFound => f.write_str("key not found"),
            StoreError::Conflict { current_mod_revision } => {
                write!(f, "resource version conflicts: current mod revision is {current_mod_revision}")
            }
            // The api-server's watch cache wording, which kubectl and client-go print verbatim.
            StoreError::Compacted { requested, oldest } => {
                write!(f, "too old resource version: {requested} ({oldest})")
            }
        }
    }
}

impl std::error::Error for StoreError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages() {
        assert_eq!(StoreError::KeyExists.to_string(), "key exists");
        assert_eq!(StoreError::NotFound.to_string(), "key not found");
        assert_eq!(
            StoreError::Conflict { current_mod_revision: 7 }.to_string(),
            "resource version conflicts: current mod revision is 7"
        );
        assert_eq!(
            StoreError::Compacted { requested: 5, oldest: 120 }.to_string(),
            "too old resource version: 5 (120)"
        );
    }
}
