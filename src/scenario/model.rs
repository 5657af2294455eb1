//! The scenario: everything needed to rebuild a session exactly. The seed, the machines, the
//! scheduler's configuration and added images fix the cluster a session boots; the commands, each with
//! the virtual time it ran at, replay what the user did. The same value travels as a YAML file and, as
//! compact JSON, inside a share link; both are checked here before anything boots.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cluster::topology::{NodeSpec, NodeSpecError};
use crate::cluster::{Setup, Topology};
use crate::kubelet::images::{AdditionError, Catalog, ImageAddition};
use crate::scheduler::config::{Config, ConfigError};

/// The file form's `apiVersion` and `kind`.
pub const API_VERSION: &str = "kubarium/v1";
pub const KIND: &str = "Scenario";

/// Bounds that keep a hostile scenario from exhausting the tab: the 5,000-node clusters fit.
pub const MAX_NODES: usize = 5_000;
pub const MAX_COMMANDS: usize = 5_000;
pub const MAX_IMAGES: usize = 200;
pub const MAX_COMMAND_BYTES: usize = 64 * 1024;
/// A scenario runs for at most a virtual week.
pub const MAX_AT_MS: u64 = 7 * 24 * 3600 * 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Scenario {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// None: the default cluster (a control-plane node and three workers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<Vec<NodeEntry>>,
    /// A `KubeSchedulerConfiguration` document; None: v1.36's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<ImageEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<TimedCommand>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<LessonRef>,
}

fn default_seed() -> u64 {
    1
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            api_version: None,
            kind: None,
            seed: default_seed(),
            nodes: None,
            scheduler: None,
            images: Vec::new(),
            commands: Vec::new(),
            lesson: None,
        }
    }
}

/// A node of the topology, in the words of `kubarium node add`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeEntry {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Amount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Amount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<Amount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// `key[=value]:Effect`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taints: Vec<String>,
    /// kubeadm's control-plane node (its static pods run there); tainted NoSchedule unless `taints` says
    /// otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub control_plane: bool,
}

/// A quantity as people write it in YAML: `4`, `"3500m"`, `8Gi`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Amount {
    Number(serde_json::Number),
    Text(String),
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Amount::Number(n) => write!(f, "{n}"),
            Amount::Text(t) => f.write_str(t),
        }
    }
}

/// An image the scenario adds to the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ImageEntry {
    /// As a pod spec names it: `shop/web:1.0`.
    pub image: String,
    /// Compressed size in bytes (pull time follows it).
    #[serde(default = "default_image_size")]
    pub size: u64,
    /// The catalog image it behaves like: `nginx`, `busybox`, ...
    pub like: String,
}

fn default_image_size() -> u64 {
    50_000_000
}

/// A command as typed, and when it ran (milliseconds of virtual time since the scenario began).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimedCommand {
    /// None: right after the previous command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<u64>,
    pub run: String,
}

/// The lesson a scenario opens, at which step (0-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonRef {
    pub id: String,
    #[serde(default)]
    pub step: usize,
}

/// Why a scenario cannot be booted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioError {
    WrongApiVersion(String),
    WrongKind(String),
    NoNodes,
    TooMany { what: &'static str, count: usize, max: usize },
    DuplicateNode(String),
    Node { name: String, error: NodeSpecError },
    Image(AdditionError),
    Scheduler(ConfigError),
    CommandTooLong { index: usize, bytes: usize },
    TimeOutOfOrder { index: usize },
    TimeTooLate { index: usize },
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScenarioError::WrongApiVersion(v) => write!(f, "apiVersion \"{v}\" is not {API_VERSION}"),
            ScenarioError::WrongKind(k) => write!(f, "kind \"{k}\" is not {KIND}"),
            ScenarioError::NoNodes => write!(f, "a scenario needs at least one node"),
            ScenarioError::TooMany { what, count, max } => write!(f, "{count} {what} is more than the {max} allowed"),
            ScenarioError::DuplicateNode(n) => write!(f, "node \"{n}\" is listed twice"),
            ScenarioError::Node { name, error } => write!(f, "node \"{name}\": {error}"),
            ScenarioError::Image(e) => write!(f, "images: {e}"),
            ScenarioError::Scheduler(e) => write!(f, "scheduler: {e}"),
            ScenarioError::CommandTooLong { index, bytes } => {
                write!(f, "command {} is {bytes} bytes long; the limit is {MAX_COMMAND_BYTES}", index + 1)
            }
            ScenarioError::TimeOutOfOrder { index } => {
                write!(f, "command {} runs earlier than the command before it", index + 1)
            }
            ScenarioError::TimeTooLate { index } => {
                write!(f, "command {} runs later than a week of virtual time", index + 1)
            }
        }
    }
}

impl std::error::Error for ScenarioError {}

impl NodeEntry {
    fn spec(&self) -> Result<NodeSpec, NodeSpecError> {
        let mut spec = NodeSpec::named(&self.name)?;
        if self.control_plane {
            spec = NodeSpec::control_plane(&self.name);
            if !self.taints.is_empty() {
                spec.taints.clear();
            }
        }
        if let Some(v) = &self.cpu {
            spec.set_cpu(&v.to_string())?;
        }
        if let Some(v) = &self.memory {
            spec.set_memory(&v.to_string())?;
        }
        if let Some(v) = &self.pods {
            spec.set_pods(&v.to_string())?;
        }
        spec.zone = self.zone.clone();
        for (k, v) in &self.labels {
            spec.add_label(&format!("{k}={v}"))?;
        }
        for t in &self.taints {
            spec.add_taint(t)?;
        }
        Ok(spec)
    }
}

impl Scenario {
    /// Checks everything and returns what the cluster boots from.
    pub fn setup(&self) -> Result<Setup, ScenarioError> {
        if let Some(v) = self.api_version.as_deref().filter(|v| *v != API_VERSION) {
            return Err(ScenarioError::WrongApiVersion(v.to_string()));
        }
        if let Some(k) = self.kind.as_deref().filter(|k| *k != KIND) {
            return Err(ScenarioError::WrongKind(k.to_string()));
        }
        bound("nodes", self.nodes.as_ref().map_or(0, Vec::len), MAX_NODES)?;
        bound("commands", self.commands.len(), MAX_COMMANDS)?;
        bound("images", self.images.len(), MAX_IMAGES)?;
        let topology = match &self.nodes {
            None => Topology::default(),
            Some(nodes) if nodes.is_empty() => return Err(ScenarioError::NoNodes),
            Some(nodes) => {
                let mut seen = std::collections::BTreeSet::new();
                let mut specs = Vec::with_capacity(nodes.len());
                for n in nodes {
                    if !seen.insert(n.name.as_str()) {
                        return Err(ScenarioError::DuplicateNode(n.name.clone()));
                    }
                    specs.push(n.spec().map_err(|error| ScenarioError::Node { name: n.name.clone(), error })?);
                }
                Topology { nodes: specs }
            }
        };
        let scheduler =
            self.scheduler.as_ref().map(Config::from_value).transpose().map_err(ScenarioError::Scheduler)?;
        let additions = self
            .images
            .iter()
            .map(|i| ImageAddition::new(&i.image, i.size, &i.like))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ScenarioError::Image)?;
        let mut last = 0;
        for (index, c) in self.commands.iter().enumerate() {
            if c.run.len() > MAX_COMMAND_BYTES {
                return Err(ScenarioError::CommandTooLong { index, bytes: c.run.len() });
            }
            if let Some(at) = c.at {
                if at < last {
                    return Err(ScenarioError::TimeOutOfOrder { index });
                }
                if at > MAX_AT_MS {
                    return Err(ScenarioError::TimeTooLate { index });
                }
                last = at;
            }
        }
        Ok(Setup { topology, scheduler, catalog: Catalog::with_additions(additions) })
    }

    /// The scenario without its commands: what a session starts from.
    pub fn origin(&self) -> Scenario {
        Scenario { commands: Vec::new(), ..self.clone() }
    }
}

fn bound(what: &'static str, count: usize, max: usize) -> Result<(), ScenarioError> {
    if count > max { Err(ScenarioError::TooMany { what, count, max }) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str) -> NodeEntry {
        NodeEntry {
            name: name.into(),
            cpu: None,
            memory: None,
            pods: None,
            zone: None,
            labels: BTreeMap::new(),
            taints: Vec::new(),
            control_plane: false,
        }
    }

    #[test]
    fn the_default_scenario_boots_the_default_cluster() {
        let setup = Scenario::default().setup().unwrap();
        assert_eq!(setup.topology, Topology::default());
        assert!(setup.scheduler.is_none());
    }

    #[test]
    fn nodes_take_kubarium_node_add_words() {
        let mut big = node("big");
        big.cpu = Some(Amount::Number(16.into()));
        big.memory = Some(Amount::Text("64Gi".into()));
        big.zone = Some("zone-a".into());
        big.taints = vec!["gpu=true:NoSchedule".into()];
        let mut cp = node("cp");
        cp.control_plane = true;
        let s = Scenario { nodes: Some(vec![cp, big]), ..Default::default() };
        let t = s.setup().unwrap().topology;
        assert_eq!(t.nodes[0].taints[0].0, "node-role.kubernetes.io/control-plane");
        assert_eq!((t.nodes[1].cpu_millis, t.nodes[1].memory_bytes), (16_000, 64 << 30));
        assert_eq!(t.nodes[1].taints, vec![("gpu".into(), "true".into(), "NoSchedule".into())]);
    }

    #[test]
    fn bad_scenarios_say_what_is_wrong() {
        let err = |s: Scenario| s.setup().unwrap_err().to_string();
        assert_eq!(err(Scenario { nodes: Some(vec![]), ..Default::default() }), "a scenario needs at least one node");
        assert_eq!(
            err(Scenario { nodes: Some(vec![node("a"), node("a")]), ..Default::default() }),
            "node \"a\" is listed twice"
        );
        let mut bad = node("Bad_Name");
        assert!(
            err(Scenario { nodes: Some(vec![bad.clone()]), ..Default::default() })
                .starts_with("node \"Bad_Name\": invalid node name")
        );
        bad.name = "ok".into();
        bad.cpu = Some(Amount::Text("-1".into()));
        assert_eq!(
            err(Scenario { nodes: Some(vec![bad]), ..Default::default() }),
            "node \"ok\": invalid cpu \"-1\": must be greater than zero"
        );
        let image = ImageEntry { image: "shop/web:1.0".into(), size: 1, like: "no-such-image".into() };
        assert_eq!(
            err(Scenario { images: vec![image], ..Default::default() }),
            "images: image \"no-such-image\" to behave like is not in the catalog"
        );
        let late = vec![TimedCommand { at: Some(5), run: "a".into() }, TimedCommand { at: Some(4), run: "b".into() }];
        assert_eq!(
            err(Scenario { commands: late, ..Default::default() }),
            "command 2 runs earlier than the command before it"
        );
        assert_eq!(err(Scenario { kind: Some("Pod".into()), ..Default::default() }), "kind \"Pod\" is not Scenario");
        let scheduler =
            Some(serde_json::json!({"profiles": [{"plugins": {"score": {"enabled": [{"name": "Nope"}]}}}]}));
        assert!(err(Scenario { scheduler, ..Default::default() }).starts_with("scheduler: "));
    }

    #[test]
    fn added_images_resolve_like_their_model() {
        let image = ImageEntry { image: "shop/web:1.0".into(), size: 7_000_000, like: "nginx".into() };
        let setup = Scenario { images: vec![image], ..Default::default() }.setup().unwrap();
        let reference = crate::kubelet::images::ImageRef::parse("shop/web:1.0").unwrap();
        let resolved = setup.catalog.resolve(&reference).unwrap();
        assert_eq!(resolved.tagged(), "docker.io/shop/web:1.0");
        assert_eq!(resolved.size, 7_000_000);
        assert_eq!(resolved.spec.repository, "docker.io/library/nginx");
        assert!(Catalog::default().resolve(&reference).is_err());
    }
}
