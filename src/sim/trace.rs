//! The trace: the single stream the UI animates and the determinism tests hash. Every API request and
//! response, every stage inside the api-server, every watch delivery and every component decision is
//! one entry. Entries are structured (captions are rendered from them, in either language, only when
//! shown), kept in a bounded ring, and folded into a running hash as they are recorded, so a replay
//! can be compared byte for byte even when the ring has dropped old entries.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;

use super::clock::Time;

/// A participant: the `from` and `to` of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Component {
    Kubectl,
    ApiServer,
    Etcd,
    /// `controller-manager/<controller>`, e.g. `controller-manager/deployment`.
    ControllerManager(&'static str),
    Scheduler,
    Kubelet(Arc<str>),
    /// The node's container runtime (containerd).
    Runtime(Arc<str>),
    KubeProxy(Arc<str>),
    CoreDns,
    CloudControllerManager,
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Component::Kubectl => f.write_str("kubectl"),
            Component::ApiServer => f.write_str("api-server"),
            Component::Etcd => f.write_str("etcd"),
            Component::ControllerManager(c) => write!(f, "controller-manager/{c}"),
            Component::Scheduler => f.write_str("scheduler"),
            Component::Kubelet(n) => write!(f, "kubelet/{n}"),
            Component::Runtime(n) => write!(f, "containerd/{n}"),
            Component::KubeProxy(n) => write!(f, "kube-proxy/{n}"),
            Component::CoreDns => f.write_str("coredns"),
            Component::CloudControllerManager => f.write_str("cloud-controller-manager"),
        }
    }
}

impl Component {
    /// Folds the component into a running hash without formatting it.
    fn fold(&self, h: u64) -> u64 {
        let (tag, name): (u8, &str) = match self {
            Component::Kubectl => (0, ""),
            Component::ApiServer => (1, ""),
            Component::Etcd => (2, ""),
            Component::ControllerManager(c) => (3, c),
            Component::Scheduler => (4, ""),
            Component::Kubelet(n) => (5, n),
            Component::Runtime(n) => (6, n),
            Component::KubeProxy(n) => (7, n),
            Component::CoreDns => (8, ""),
            Component::CloudControllerManager => (9, ""),
        };
        fnv(mix(h, u64::from(tag)), name.as_bytes())
    }
}

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A client's API request (`verb` is create, get, list, update, patch, delete, watch, ...).
    Request,
    /// The api-server's answer (`verb` repeats the request's; `note` holds the error, if any).
    Response,
    /// A step inside the api-server: authentication, authorization, admission, validation.
    Stage,
    /// The api-server's write to etcd, or etcd's answer.
    Storage,
    /// A watch notification (`verb` is ADDED, MODIFIED or DELETED).
    Watch,
    /// A component's own decision: a reconcile, a scheduling cycle, a kubelet sync, a runtime call.
    Decision,
}

/// The object an entry is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ObjectRef {
    pub kind: &'static str,
    /// Shared, because one request's reference is copied into every entry it causes.
    pub namespace: Arc<str>,
    pub name: Arc<str>,
}

impl ObjectRef {
    pub fn new(kind: &'static str, namespace: &str, name: &str) -> Self {
        ObjectRef { kind, namespace: Arc::from(namespace), name: Arc::from(name) }
    }
}

/// One trace entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Position in the whole history (not reset when the ring drops entries).
    pub seq: u64,
    pub t: Time,
    pub from: Component,
    pub to: Component,
    pub kind: EntryKind,
    pub verb: &'static str,
    pub object: ObjectRef,
    pub resource_version: i64,
    /// Free detail in English (an error message, a decision's summary); static for the common notes
    /// (status codes), so that recording them allocates nothing.
    pub note: Cow<'static, str>,
    /// The `seq` of the user command this entry descends from, for journey mode.
    pub root: u64,
}

impl Entry {
    /// An entry from `from` to `to`; the time, `seq` and root are filled in when it is recorded.
    pub fn new(from: Component, to: Component, kind: EntryKind, verb: &'static str, object: ObjectRef) -> Self {
        Entry {
            seq: 0,
            t: Time::ZERO,
            from,
            to,
            kind,
            verb,
            object,
            resource_version: 0,
            note: Cow::Borrowed(""),
            root: 0,
        }
    }

    pub fn rv(mut self, resource_version: i64) -> Self {
        self.resource_version = resource_version;
        self
    }

    pub fn note(mut self, note: impl Into<Cow<'static, str>>) -> Self {
        self.note = note.into();
        self
    }
}

/// The bounded trace with its running hash.
#[derive(Debug, Clone)]
pub struct Trace {
    entries: VecDeque<Entry>,
    capacity: usize,
    dropped: u64,
    next_seq: u64,
    hash: u64,
}

/// Default ring size: enough for the journey of a large deployment in the UI, small enough that a
/// 150,000-pod benchmark does not hold gigabytes of history.
pub const DEFAULT_CAPACITY: usize = 50_000;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    // Eight bytes a step (little-endian on every target, so native and wasm agree): the trace hash is
    // folded on every api-server request, and a byte-at-a-time FNV showed in the idle-cluster profile.
    // Fixed-size conversions and a byte loop for the tail, since a slice copy of unknown length is a
    // `memcpy` call per field.
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        h = mix(h, u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
    }
    let tail = chunks.remainder().iter().rev().fold(0u64, |w, &b| (w << 8) | u64::from(b));
    mix(h, tail ^ ((bytes.len() as u64) << 56))
}

/// One step of the trace hash: xor the word in, multiply, fold the high bits down.
fn mix(h: u64, word: u64) -> u64 {
    let h = (h ^ word).wrapping_mul(FNV_PRIME ^ 0x9e37_79b9_7f4a_7c15);
    h ^ (h >> 29)
}

impl Trace {
    pub fn new(capacity: usize) -> Self {
        Trace { entries: VecDeque::new(), capacity, dropped: 0, next_seq: 1, hash: FNV_OFFSET }
    }

    /// Records an entry, assigning its `seq`; returns that `seq`.
    pub fn record(&mut self, mut entry: Entry) -> u64 {
        entry.seq = self.next_seq;
        self.next_seq += 1;
        if entry.root == 0 {
            entry.root = entry.seq;
        }
        self.hash = Self::fold(self.hash, &entry);
        if self.capacity == 0 {
            self.dropped += 1;
            return entry.seq;
        }
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
            self.dropped += 1;
        }
        let seq = entry.seq;
        self.entries.push_back(entry);
        seq
    }

    fn fold(mut h: u64, e: &Entry) -> u64 {
        h = mix(h, e.seq);
        h = mix(h, e.t.as_millis());
        h = e.from.fold(h);
        h = e.to.fold(h);
        h = mix(h, e.kind as u64);
        h = fnv(h, e.verb.as_bytes());
        h = fnv(h, e.object.kind.as_bytes());
        h = fnv(h, e.object.namespace.as_bytes());
        h = fnv(h, e.object.name.as_bytes());
        h = mix(h, e.resource_version as u64);
        h = fnv(h, e.note.as_bytes());
        mix(h, e.root)
    }

    /// Forgets everything recorded so far (the cluster's boot is not part of a scenario's history).
    pub fn clear(&mut self) {
        *self = Trace::new(self.capacity);
    }

    /// The `seq` the next recorded entry will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// A hash over every entry ever recorded, dropped ones included.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// How many entries the ring no longer holds.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &Entry> + ExactSizeIterator {
        self.entries.iter()
    }

    /// Entries with `seq >= from`, for a UI that polls for what is new.
    pub fn since(&self, from: u64) -> impl Iterator<Item = &Entry> {
        let skip = self.entries.front().map_or(0, |first| from.saturating_sub(first.seq) as usize);
        self.entries.iter().skip(skip)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Default for Trace {
    fn default() -> Self {
        Trace::new(DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(verb: &'static str, t: u64) -> Entry {
        Entry {
            seq: 0,
            t: Time(t),
            from: Component::Kubectl,
            to: Component::ApiServer,
            kind: EntryKind::Request,
            verb,
            object: ObjectRef::new("Pod", "default", "web"),
            resource_version: 0,
            note: "".into(),
            root: 0,
        }
    }

    #[test]
    fn ring_drops_oldest_but_hash_covers_everything() {
        let mut a = Trace::new(2);
        let mut b = Trace::new(100);
        for (i, verb) in ["create", "get", "list"].into_iter().enumerate() {
            a.record(entry(verb, i as u64));
            b.record(entry(verb, i as u64));
        }
        assert_eq!(a.len(), 2);
        assert_eq!(a.dropped(), 1);
        assert_eq!(a.entries().next().map(|e| e.verb), Some("get"));
        assert_eq!(a.hash(), b.hash());
        assert_eq!(a.since(3).count(), 1);
        let mut c = Trace::new(100);
        for (i, verb) in ["create", "get", "watch"].into_iter().enumerate() {
            c.record(entry(verb, i as u64));
        }
        assert_ne!(b.hash(), c.hash());
    }

    #[test]
    fn component_names_follow_the_design() {
        assert_eq!(Component::ControllerManager("deployment").to_string(), "controller-manager/deployment");
        assert_eq!(Component::Kubelet("node-01".into()).to_string(), "kubelet/node-01");
        assert_eq!(Component::ApiServer.to_string(), "api-server");
    }
}
