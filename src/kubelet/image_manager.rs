//! The node's images: which are present (reported in `node.status.images`, seen by the scheduler's
//! ImageLocality), the pull queue (serializeImagePulls=true: one pull at a time per node, as the
//! kubelet default), pull policies (Always, IfNotPresent, Never) and the back-off of failed pulls.
//! Pod workers ask for an image and hear back when its pull ends.

use std::collections::{BTreeMap, VecDeque};

use k8s_openapi::api::core::v1::ContainerImage;

use super::backoff::Backoff;
use super::images::{Catalog, ImageRef, PULL_OVERHEAD_MS, PullError, ResolvedImage};
use crate::sim::{Duration, Time};

/// nodeStatusMaxImages.
const MAX_REPORTED: usize = 50;

/// The answer to "I need this image".
#[derive(Debug, Clone)]
pub enum Ensure {
    /// Present and the policy allows using it as is.
    Present(ResolvedImage),
    /// A pull was queued (or one for the same image is under way); the worker hears at its end.
    Pulling,
    /// Cannot be had now: a waiting reason, its message, and when to try again (never, if None).
    Unavailable { reason: &'static str, message: String, retry_at: Option<Time> },
}

/// A pull that ended.
#[derive(Debug, Clone)]
pub struct PullDone {
    pub key: String,
    pub result: Result<ResolvedImage, PullError>,
    /// Pod workers waiting for it, with when each asked.
    pub waiters: BTreeMap<u32, Time>,
    pub started: Time,
    pub finished: Time,
}

#[derive(Debug, Clone)]
struct Pull {
    reference: ImageRef,
    waiters: BTreeMap<u32, Time>,
}

#[derive(Debug, Clone)]
struct Active {
    key: String,
    pull: Pull,
    result: Result<ResolvedImage, PullError>,
    started: Time,
    done_at: Time,
}

/// Per-node image state.
#[derive(Debug, Clone, Default)]
pub struct ImageManager {
    catalog: Catalog,
    present: BTreeMap<String, ResolvedImage>,
    queue: VecDeque<String>,
    pending: BTreeMap<String, Pull>,
    active: Option<Active>,
    failures: BTreeMap<String, (Backoff, Time)>,
    /// Set when the present set changed since the node status last reported it.
    pub dirty: bool,
}

/// The kubelet's rule: no policy given and tag `latest` (or none) means Always.
pub fn effective_policy<'a>(policy: Option<&'a str>, reference: &ImageRef) -> &'a str {
    match policy {
        Some(p @ ("Always" | "IfNotPresent" | "Never")) => p,
        _ if reference.digest.is_none() && reference.tag == "latest" => "Always",
        _ => "IfNotPresent",
    }
}

impl ImageManager {
    pub fn new(catalog: Catalog) -> Self {
        ImageManager { catalog, ..Default::default() }
    }

    /// Marks an image present without a pull (images of pods that were running before the kubelet
    /// started, the sandbox image).
    pub fn preload(&mut self, image: &str) {
        if let Ok(r) = ImageRef::parse(image)
            && let Ok(resolved) = self.catalog.resolve(&r)
        {
            self.present.insert(r.full(), resolved);
            self.dirty = true;
        }
    }

    pub fn is_present(&self, image: &str) -> bool {
        ImageRef::parse(image).is_ok_and(|r| self.present.contains_key(&r.full()))
    }

    /// Resolves an image already present (for adopted containers).
    pub fn resolved(&self, image: &str) -> Option<ResolvedImage> {
        ImageRef::parse(image).ok().and_then(|r| self.present.get(&r.full()).cloned())
    }

    /// Pod worker `pod` needs `image` under `policy`.
    pub fn ensure(&mut self, pod: u32, image: &str, policy: Option<&str>, now: Time) -> Ensure {
        let reference = match ImageRef::parse(image) {
            Ok(r) => r,
            Err(e) => {
                return Ensure::Unavailable { reason: "InvalidImageName", message: e.to_string(), retry_at: None };
            }
        };
        let key = reference.full();
        let policy = effective_policy(policy, &reference);
        if let Some(img) = self.present.get(&key)
            && policy != "Always"
        {
            return Ensure::Present(img.clone());
        }
        if policy == "Never" {
            return Ensure::Unavailable {
                reason: "ErrImageNeverPull",
                message: format!("Container image \"{image}\" is not present with pull policy of Never"),
                retry_at: None,
            };
        }
        if let Some((b, failed_at)) = self.failures.get(&key)
            && b.in_backoff_since(*failed_at, now)
        {
            let retry = failed_at.after(b.current().unwrap_or(Duration::ZERO));
            return Ensure::Unavailable { reason: "ImagePullBackOff", message: String::new(), retry_at: Some(retry) };
        }
        if let Some(a) = self.active.as_mut().filter(|a| a.key == key) {
            a.pull.waiters.entry(pod).or_insert(now);
            return Ensure::Pulling;
        }
        let pull = self.pending.entry(key.clone()).or_insert_with(|| Pull { reference, waiters: BTreeMap::new() });
        pull.waiters.entry(pod).or_insert(now);
        if !self.queue.contains(&key) {
            self.queue.push_back(key);
        }
        Ensure::Pulling
    }

    /// Starts the next queued pull if none is under way; returns when it will end.
    pub fn start_next(&mut self, now: Time) -> Option<Time> {
        if self.active.is_some() {
            return None;
        }
        let key = self.queue.pop_front()?;
        let pull = self.pending.remove(&key)?;
        let result = self.catalog.resolve(&pull.reference);
        // Layers already on the node are not downloaded again: only the manifest round trip.
        let millis = match &result {
            Ok(img) if self.present.contains_key(&key) => PULL_OVERHEAD_MS.min(img.pull_millis()),
            Ok(img) => img.pull_millis(),
            Err(_) => PULL_OVERHEAD_MS,
        };
        let done_at = now.after(Duration::from_millis(millis));
        self.active = Some(Active { key, pull, result, started: now, done_at });
        Some(done_at)
    }

    /// When the pull under way ends.
    pub fn active_until(&self) -> Option<Time> {
        self.active.as_ref().map(|a| a.done_at)
    }

    /// Ends the pull under way if it is due.
    pub fn finish(&mut self, now: Time) -> Option<PullDone> {
        if self.active.as_ref().is_none_or(|a| a.done_at > now) {
            return None;
        }
        let a = self.active.take()?;
        match &a.result {
            Ok(img) => {
                self.present.insert(a.key.clone(), img.clone());
                self.failures.remove(&a.key);
                self.dirty = true;
            }
            Err(_) => {
                let entry = self.failures.entry(a.key.clone()).or_insert((Backoff::default(), now));
                entry.0.next(now);
                entry.1 = now;
            }
        }
        Some(PullDone {
            key: a.key,
            result: a.result,
            waiters: a.pull.waiters,
            started: a.started,
            finished: a.done_at,
        })
    }

    /// Forgets a pod worker's interest (its pod went away).
    pub fn forget(&mut self, pod: u32) {
        for p in self.pending.values_mut() {
            p.waiters.remove(&pod);
        }
        if let Some(a) = self.active.as_mut() {
            a.pull.waiters.remove(&pod);
        }
    }

    /// `node.status.images`: largest first, at most 50, each named by digest and by tag.
    pub fn node_images(&self) -> Vec<ContainerImage> {
        let mut by_id: BTreeMap<String, (u64, Vec<String>)> = BTreeMap::new();
        for (key, img) in &self.present {
            let e = by_id.entry(img.image_id()).or_insert((img.size, Vec::new()));
            e.1.push(key.clone());
        }
        let mut list: Vec<(u64, String, Vec<String>)> =
            by_id.into_iter().map(|(id, (size, tags))| (size, id, tags)).collect();
        list.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        list.into_iter()
            .take(MAX_REPORTED)
            .map(|(size, id, tags)| {
                let mut names = vec![id];
                names.extend(tags);
                ContainerImage { names: Some(names), size_bytes: i64::try_from(size).ok() }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pulls_are_serialized_and_cached() {
        let mut m = ImageManager::default();
        let t0 = Time(0);
        assert!(matches!(m.ensure(1, "nginx:1.27", Some("IfNotPresent"), t0), Ensure::Pulling));
        assert!(matches!(m.ensure(2, "redis:7", Some("IfNotPresent"), t0), Ensure::Pulling));
        let done = m.start_next(t0).unwrap();
        assert!(m.start_next(t0).is_none(), "one pull at a time");
        let d = m.finish(done).unwrap();
        assert!(d.result.is_ok());
        assert!(matches!(m.ensure(3, "nginx:1.27", None, done), Ensure::Present(_)));
        let next = m.start_next(done).unwrap();
        assert!(next > done);
        assert_eq!(m.node_images()[0].names.as_ref().unwrap()[1], "docker.io/library/nginx:1.27");
    }

    #[test]
    fn misses_back_off_and_policies_apply() {
        let mut m = ImageManager::default();
        assert!(matches!(m.ensure(1, "tomcat8", None, Time(0)), Ensure::Pulling));
        let done = m.start_next(Time(0)).unwrap();
        assert!(m.finish(done).unwrap().result.is_err());
        match m.ensure(1, "tomcat8", None, done.after(Duration::from_secs(1))) {
            Ensure::Unavailable { reason: "ImagePullBackOff", retry_at: Some(t), .. } => {
                assert_eq!(t, done.after(Duration::from_secs(10)))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            m.ensure(1, "busybox", Some("Never"), Time(0)),
            Ensure::Unavailable { reason: "ErrImageNeverPull", .. }
        ));
        assert!(matches!(
            m.ensure(1, "Bad Name", None, Time(0)),
            Ensure::Unavailable { reason: "InvalidImageName", .. }
        ));
    }
}
