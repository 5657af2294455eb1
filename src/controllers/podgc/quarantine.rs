//! `orphaned_pods_nodes`: the names of nodes that pods are bound to but the node informer does not
//! hold. A name waits quarantineTime before the controller asks the api-server whether that node is
//! really gone, because an informer that has not caught up with a new node would otherwise cost its
//! pods. Like client-go's delaying queue, adding a name that already waits keeps the earlier time.

use std::collections::BTreeMap;

use crate::sim::Time;

/// Node names waiting out their quarantine.
#[derive(Debug, Default)]
pub struct Quarantine {
    until: BTreeMap<String, Time>,
}

impl Quarantine {
    /// `AddAfter`: `node` waits until `at` unless it already waits; whether it is new.
    pub fn add(&mut self, node: &str, at: Time) -> bool {
        match self.until.get_mut(node) {
            Some(t) => {
                *t = (*t).min(at);
                false
            }
            None => {
                self.until.insert(node.to_string(), at);
                true
            }
        }
    }

    /// Takes the names whose quarantine is over at `now`, in name order.
    pub fn take_due(&mut self, now: Time) -> Vec<String> {
        let mut due = Vec::new();
        self.until.retain(|node, at| {
            let over = *at <= now;
            if over {
                due.push(node.clone());
            }
            !over
        });
        due
    }

    pub fn clear(&mut self) {
        self.until.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Duration;

    #[test]
    fn a_name_is_due_once_from_its_first_addition() {
        let mut q = Quarantine::default();
        let t0 = Time::ZERO;
        assert!(q.add("node-02", t0.after(Duration::from_secs(40))));
        assert!(!q.add("node-02", t0.after(Duration::from_secs(60))));
        assert!(q.take_due(t0.after(Duration::from_secs(39))).is_empty());
        assert_eq!(q.take_due(t0.after(Duration::from_secs(40))), ["node-02"]);
        assert!(q.take_due(t0.after(Duration::from_secs(100))).is_empty());
        assert!(q.add("node-02", t0.after(Duration::from_secs(140))));
    }
}
