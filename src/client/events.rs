//! The event recorder components use to leave `Event`s on objects (client-go's record.EventRecorder and
//! EventCorrelator): one core/v1 Event per new (object, type, reason, message), and for a repeat within
//! ten minutes the existing event's count and lastTimestamp go up instead. Like client-go's spam filter,
//! each object gets at most 25 events of a type in a burst, then one per five minutes: a ReplicaSet
//! creating 150,000 pods leaves 25 `SuccessfulCreate` events, not 150,000.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};

use crate::api::Object;
use crate::apiserver::strategy::timestamp;
use crate::apiserver::{ApiServer, Identity, WriteOptions};

/// How long a repeat is folded into the same event.
const AGGREGATION_WINDOW_MS: i64 = 10 * 60 * 1000;

/// `Normal` or `Warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventType {
    Normal,
    Warning,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// (namespace, uid, type, reason, message): what makes two events the same.
type SeenKey = (String, String, EventType, String, String);

/// client-go's defaultSpamBurst and defaultSpamQPS (one token per 300 s).
const SPAM_BURST: u32 = 25;
const SPAM_REFILL_MS: i64 = 300_000;

/// (uid, type): the spam filter's key (source and object; the source is this recorder).
type SpamKey = (String, EventType);

/// A component's recorder.
#[derive(Debug, Clone)]
pub struct Recorder {
    /// `source.component`, e.g. `deployment-controller`, `default-scheduler`, `kubelet`.
    component: String,
    /// `source.host`: the node, for kubelets.
    host: Option<String>,
    identity: Identity,
    /// (namespace, uid, type, reason, message) → (event name, first seen ms, count).
    seen: BTreeMap<SeenKey, (String, i64, i32)>,
    /// Keeps names unique among events recorded in the same millisecond.
    counter: u32,
    /// Token buckets of the spam filter: (tokens left, instant of the last refill).
    spam: BTreeMap<SpamKey, (u32, i64)>,
    /// Size above which the maps are pruned (doubled when pruning frees little, so pruning stays
    /// amortised constant per event).
    prune_at: usize,
}

/// A reference to `obj` as events carry it.
pub fn object_reference(obj: &Object) -> ObjectReference {
    let kind = obj.kind();
    ObjectReference {
        api_version: Some(kind.api_version().to_string()),
        kind: Some(kind.as_str().to_string()),
        name: Some(obj.name().to_string()),
        namespace: obj.namespace().map(str::to_string),
        uid: obj.meta().uid.clone(),
        resource_version: obj.meta().resource_version.clone(),
        field_path: None,
    }
}

impl Recorder {
    /// The spam filter: takes a token of the object's bucket, refilled one per five minutes up to
    /// the burst; false when the bucket is empty (the event is dropped, as client-go drops it).
    fn allow(&mut self, uid: &str, kind: EventType, now_ms: i64) -> bool {
        if self.spam.len() > self.prune_at {
            let full = i64::from(SPAM_BURST) * SPAM_REFILL_MS;
            self.spam.retain(|_, (tokens, last)| *tokens < SPAM_BURST && now_ms - *last < full);
            self.prune_at = self.prune_at.max(self.spam.len() * 2);
        }
        let (tokens, last) = self.spam.entry((uid.to_string(), kind)).or_insert((SPAM_BURST, now_ms));
        let refill = (now_ms - *last).max(0) / SPAM_REFILL_MS;
        if refill > 0 {
            *tokens = u32::try_from(i64::from(*tokens) + refill).unwrap_or(SPAM_BURST).min(SPAM_BURST);
            *last += refill * SPAM_REFILL_MS;
        }
        if *tokens == 0 {
            return false;
        }
        *tokens -= 1;
        true
    }

    pub fn new(component: &str, host: Option<&str>, identity: Identity) -> Self {
        Recorder {
            component: component.to_string(),
            host: host.map(str::to_string),
            identity,
            seen: BTreeMap::new(),
            counter: 0,
            spam: BTreeMap::new(),
            prune_at: 4096,
        }
    }

    /// Records an event about `regarding` (optionally about one of its containers: `field_path`).
    pub fn event(
        &mut self,
        api: &mut ApiServer,
        regarding: &Object,
        field_path: Option<&str>,
        kind: EventType,
        reason: &str,
        message: &str,
    ) {
        let now_ms = api.clock().unix_millis(api.now());
        if !self.allow(regarding.uid(), kind, now_ms) {
            return;
        }
        let namespace = regarding.namespace().unwrap_or("default").to_string();
        let key = (namespace.clone(), regarding.uid().to_string(), kind, reason.to_string(), message.to_string());
        if let Some((name, first, count)) = self.seen.get(&key).cloned()
            && now_ms - first < AGGREGATION_WINDOW_MS
            && let Some(Object::Event(existing)) = api.peek(crate::api::Kind::Event, Some(&namespace), &name)
        {
            let mut e = (*existing).clone();
            e.count = Some(count + 1);
            e.last_timestamp = Some(timestamp(now_ms));
            if api.update(&self.identity, Object::Event(Arc::new(e)), &WriteOptions::default()).is_ok() {
                self.seen.insert(key, (name, first, count + 1));
                return;
            }
        }
        let mut involved = object_reference(regarding);
        involved.field_path = field_path.map(str::to_string);
        self.counter = self.counter.wrapping_add(1);
        let nanos = i128::from(now_ms) * 1_000_000 + i128::from(self.counter % 1_000_000);
        if self.seen.len() > self.prune_at {
            self.seen.retain(|_, (_, first, _)| now_ms - *first < AGGREGATION_WINDOW_MS);
            self.prune_at = self.prune_at.max(self.seen.len() * 2);
        }
        let name = format!("{}.{:x}", regarding.name(), nanos);
        let event = Event {
            metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(namespace),
                ..Default::default()
            },
            involved_object: involved,
            reason: Some(reason.to_string()),
            message: Some(message.to_string()),
            source: Some(EventSource { component: Some(self.component.clone()), host: self.host.clone() }),
            first_timestamp: Some(timestamp(now_ms)),
            last_timestamp: Some(timestamp(now_ms)),
            count: Some(1),
            type_: Some(kind.as_str().to_string()),
            reporting_component: Some(self.component.clone()),
            reporting_instance: Some(self.host.clone().unwrap_or_default()),
            ..Default::default()
        };
        if api.create(&self.identity, Object::Event(Arc::new(event)), &WriteOptions::default()).is_ok() {
            self.seen.insert(key, (name, now_ms, 1));
        }
    }
}
