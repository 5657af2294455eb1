//! A step's check: declarative conditions over the cluster's objects and its control-plane components,
//! evaluated without a request. The UI evaluates checks continuously and share links rely on the trace
//! being the same with or without them, so evaluating reads through `peek`/`peek_list` only: no trace
//! entry, no clock advance, no shell history.

use crate::api::labels::Selector;
use crate::api::{Kind, Object};
use crate::cluster::{Cluster, ControlPlane};
use crate::kubectl::printers::jsonpath::Template;

/// Every condition must hold for the step to be done.
#[derive(Debug, Clone, Default)]
pub struct Check {
    pub conditions: Vec<Condition>,
}

/// One thing that must be true of the cluster.
#[derive(Debug, Clone)]
pub enum Condition {
    /// Objects of a kind, narrowed by name or label selector, of which `quantifier` many pass `wheres`.
    Objects(ObjectCondition),
    /// A control-plane component is running (or stopped, by `kubarium component stop`).
    Component { which: ControlPlane, running: bool },
}

#[derive(Debug, Clone)]
pub struct ObjectCondition {
    pub kind: Kind,
    /// None for cluster-scoped kinds.
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub selector: Option<(String, Selector)>,
    pub wheres: Vec<Where>,
    pub quantifier: Quantifier,
}

/// A test on one field of an object, read with a kubectl JSONPath template such as `{.status.phase}`.
#[derive(Debug, Clone)]
pub struct Where {
    pub field: String,
    pub template: Template,
    pub test: FieldTest,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldTest {
    Equals(String),
    NotEquals(String),
    Contains(String),
    /// The template prints something (true) or nothing (false).
    Exists(bool),
    /// The template prints a number at least this large.
    AtLeast(f64),
}

/// How many of the selected objects must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// At least one.
    Any,
    /// At least one, and every selected object.
    All,
    /// Not one (also true when nothing is selected).
    None,
    AtLeast(usize),
    Exactly(usize),
}

impl Check {
    /// Ok when every condition holds; otherwise why the first one that fails does not hold yet.
    pub fn evaluate(&self, cluster: &Cluster) -> Result<(), String> {
        self.conditions.iter().try_for_each(|c| c.evaluate(cluster))
    }
}

impl Condition {
    fn evaluate(&self, cluster: &Cluster) -> Result<(), String> {
        match self {
            Condition::Component { which, running } => {
                if cluster.component_running(*which) == *running {
                    Ok(())
                } else {
                    let want = if *running { "running" } else { "stopped" };
                    Err(format!("{} is not {want} yet", which.name()))
                }
            }
            Condition::Objects(c) => c.evaluate(cluster),
        }
    }
}

impl ObjectCondition {
    fn evaluate(&self, cluster: &Cluster) -> Result<(), String> {
        let api = cluster.api();
        let ns = self.namespace.as_deref();
        let selected: Vec<Object> = match &self.name {
            Some(name) => api.peek(self.kind, ns, name).into_iter().collect(),
            None => api
                .peek_list(self.kind, ns)
                .into_iter()
                .filter(|o| {
                    self.selector
                        .as_ref()
                        .is_none_or(|(_, s)| s.matches(o.meta().labels.as_ref().unwrap_or(&Default::default())))
                })
                .cloned()
                .collect(),
        };
        let passing = selected.iter().filter(|o| self.passes(o)).count();
        let ok = match self.quantifier {
            Quantifier::Any => passing >= 1,
            Quantifier::All => passing >= 1 && passing == selected.len(),
            Quantifier::None => passing == 0,
            Quantifier::AtLeast(n) => passing >= n,
            Quantifier::Exactly(n) => passing == n,
        };
        if ok {
            return Ok(());
        }
        Err(format!("{}: {passing} of {} match", self.describe(), selected.len()))
    }

    fn passes(&self, object: &Object) -> bool {
        if self.wheres.is_empty() {
            return true;
        }
        let value = object.to_value();
        self.wheres.iter().all(|w| {
            let printed = w.template.execute(&value).unwrap_or_default();
            w.test.passes(&printed)
        })
    }

    /// What the condition wants, in a line: `want at least 3 pod(s) in default with app=web where ...`.
    fn describe(&self) -> String {
        let count = match self.quantifier {
            Quantifier::Any => "a".to_string(),
            Quantifier::All => "every".to_string(),
            Quantifier::None => "no".to_string(),
            Quantifier::AtLeast(n) => format!("at least {n}"),
            Quantifier::Exactly(n) => format!("exactly {n}"),
        };
        let mut s = format!("want {count} {}", self.kind.as_str().to_lowercase());
        if let Some(name) = &self.name {
            s.push_str(&format!(" {name:?}"));
        }
        if let Some(ns) = &self.namespace {
            s.push_str(&format!(" in {ns}"));
        }
        if let Some((raw, _)) = &self.selector {
            s.push_str(&format!(" with {raw}"));
        }
        for (i, w) in self.wheres.iter().enumerate() {
            s.push_str(if i == 0 { " where " } else { " and " });
            s.push_str(&w.field);
            s.push_str(&w.test.describe());
        }
        s
    }
}

impl FieldTest {
    fn passes(&self, printed: &str) -> bool {
        match self {
            FieldTest::Equals(v) => printed == v,
            FieldTest::NotEquals(v) => printed != v,
            FieldTest::Contains(v) => printed.contains(v.as_str()),
            FieldTest::Exists(want) => printed.is_empty() != *want,
            FieldTest::AtLeast(min) => printed.trim().parse::<f64>().is_ok_and(|n| n >= *min),
        }
    }

    fn describe(&self) -> String {
        match self {
            FieldTest::Equals(v) => format!(" = {v:?}"),
            FieldTest::NotEquals(v) => format!(" != {v:?}"),
            FieldTest::Contains(v) => format!(" contains {v:?}"),
            FieldTest::Exists(true) => " is set".to_string(),
            FieldTest::Exists(false) => " is empty".to_string(),
            FieldTest::AtLeast(n) => format!(" >= {n}"),
        }
    }
}
