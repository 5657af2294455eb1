//! The scheduler's configuration, shaped like `KubeSchedulerConfiguration` (kubescheduler.config.k8s.io/v1):
//! profiles by schedulerName, plugins enabled and disabled per extension point (or `multiPoint`),
//! score weights, NodeResourcesFit's scoring strategy, percentageOfNodesToScore and the backoffs.
//! The defaults are v1.36's `default_plugins.go` and `defaults.go`.

use serde_json::Value;

use super::DEFAULT_SCHEDULER_NAME;

/// Why a configuration document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    Parse(String),
    UnknownPlugin(String),
    UnknownExtensionPoint(String),
    InvalidWeight { resource: String, weight: i64 },
    InvalidPercentage(i64),
    InvalidStrategy(String),
    DuplicateProfile(String),
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Parse(e) => write!(f, "cannot parse configuration: {e}"),
            ConfigError::UnknownPlugin(p) => write!(f, "plugin {p:?} does not exist"),
            ConfigError::UnknownExtensionPoint(p) => write!(f, "unknown extension point {p:?}"),
            ConfigError::InvalidWeight { resource, weight } => {
                write!(f, "resource weight of {resource} should be in range [1, 100], got {weight}")
            }
            ConfigError::InvalidPercentage(p) => write!(f, "percentageOfNodesToScore must be in [0, 100], got {p}"),
            ConfigError::InvalidStrategy(s) => write!(f, "scoring strategy {s:?} is not supported"),
            ConfigError::DuplicateProfile(p) => write!(f, "duplicate profile with scheduler name {p:?}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// NodeResourcesFit's scoring strategy type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScoringStrategy {
    LeastAllocated,
    MostAllocated,
    /// The broken-linear shape as (utilization 0..=100, score 0..=10) points.
    RequestedToCapacityRatio(Vec<(i64, i64)>),
}

/// NodeResourcesFit's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FitArgs {
    pub strategy: ScoringStrategy,
    /// (resource name, weight).
    pub resources: Vec<(String, i64)>,
}

impl Default for FitArgs {
    fn default() -> Self {
        FitArgs { strategy: ScoringStrategy::LeastAllocated, resources: vec![("cpu".into(), 1), ("memory".into(), 1)] }
    }
}

/// The default plugins in the order every extension point runs them, with their score weights
/// (0 for plugins that do not score).
pub const DEFAULT_PLUGINS: &[(&str, i64)] = &[
    ("SchedulingGates", 0),
    ("PrioritySort", 0),
    ("NodeUnschedulable", 0),
    ("NodeName", 0),
    ("TaintToleration", 3),
    ("NodeAffinity", 2),
    ("NodePorts", 0),
    ("NodeResourcesFit", 1),
    ("VolumeRestrictions", 0),
    ("NodeVolumeLimits", 0),
    ("VolumeBinding", 0),
    ("VolumeZone", 0),
    ("PodTopologySpread", 2),
    ("InterPodAffinity", 2),
    ("DefaultPreemption", 0),
    ("NodeResourcesBalancedAllocation", 1),
    ("ImageLocality", 1),
    ("DefaultBinder", 0),
];

/// One enabled plugin of a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginSet {
    pub name: String,
    pub weight: i64,
    /// Extension points it is disabled at (bits of `framework::points`).
    pub disabled_points: u32,
}

/// A scheduling profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub scheduler_name: String,
    pub plugins: Vec<PluginSet>,
    pub fit: FitArgs,
    pub balanced_resources: Vec<(String, i64)>,
    pub hard_pod_affinity_weight: i64,
    pub min_candidate_nodes_percentage: i64,
    pub min_candidate_nodes_absolute: i64,
    /// Overrides the global setting when set.
    pub percentage_of_nodes_to_score: Option<i32>,
}

impl Profile {
    pub fn default_named(name: &str) -> Self {
        Profile {
            scheduler_name: name.to_string(),
            plugins: DEFAULT_PLUGINS
                .iter()
                .map(|(n, w)| PluginSet { name: (*n).to_string(), weight: *w, disabled_points: 0 })
                .collect(),
            fit: FitArgs::default(),
            balanced_resources: vec![("cpu".into(), 1), ("memory".into(), 1)],
            hard_pod_affinity_weight: 1,
            min_candidate_nodes_percentage: 10,
            min_candidate_nodes_absolute: 100,
            percentage_of_nodes_to_score: None,
        }
    }
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub profiles: Vec<Profile>,
    /// 0 = adaptive.
    pub percentage_of_nodes_to_score: i32,
    pub pod_initial_backoff_seconds: u64,
    pub pod_max_backoff_seconds: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            profiles: vec![Profile::default_named(DEFAULT_SCHEDULER_NAME)],
            percentage_of_nodes_to_score: 0,
            pod_initial_backoff_seconds: 1,
            pod_max_backoff_seconds: 10,
        }
    }
}

fn int(v: &Value, field: &str) -> Option<i64> {
    v.get(field).and_then(Value::as_i64)
}

fn weights(list: Option<&Value>) -> Result<Option<Vec<(String, i64)>>, ConfigError> {
    let Some(list) = list.and_then(Value::as_array) else { return Ok(None) };
    let mut out = Vec::new();
    for r in list {
        let name = r.get("name").and_then(Value::as_str).unwrap_or("").to_string();
        // The v1 API defaults a weight of 0 to 1; validation then wants 1..=100.
        let weight = int(r, "weight").filter(|w| *w != 0).unwrap_or(1);
        if !(1..=100).contains(&weight) {
            return Err(ConfigError::InvalidWeight { resource: name, weight });
        }
        out.push((name, weight));
    }
    Ok(Some(out))
}

impl Config {
    /// Reads a KubeSchedulerConfiguration document (YAML or JSON).
    pub fn from_yaml(text: &str) -> Result<Config, ConfigError> {
        let doc: Value = serde_norway::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        Self::from_value(&doc)
    }

    pub fn from_value(doc: &Value) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        if let Some(p) = int(doc, "percentageOfNodesToScore") {
            if !(0..=100).contains(&p) {
                return Err(ConfigError::InvalidPercentage(p));
            }
            config.percentage_of_nodes_to_score = i32::try_from(p).unwrap_or(0);
        }
        if let Some(b) = int(doc, "podInitialBackoffSeconds").filter(|b| *b > 0) {
            config.pod_initial_backoff_seconds = b.unsigned_abs();
        }
        if let Some(b) = int(doc, "podMaxBackoffSeconds").filter(|b| *b > 0) {
            config.pod_max_backoff_seconds = b.unsigned_abs();
        }
        if let Some(profiles) = doc.get("profiles").and_then(Value::as_array) {
            config.profiles.clear();
            for p in profiles {
                let profile = Self::profile(p)?;
                if config.profiles.iter().any(|x| x.scheduler_name == profile.scheduler_name) {
                    return Err(ConfigError::DuplicateProfile(profile.scheduler_name));
                }
                config.profiles.push(profile);
            }
            if config.profiles.is_empty() {
                config.profiles.push(Profile::default_named(DEFAULT_SCHEDULER_NAME));
            }
        }
        Ok(config)
    }

    fn profile(p: &Value) -> Result<Profile, ConfigError> {
        let name = p.get("schedulerName").and_then(Value::as_str).unwrap_or(DEFAULT_SCHEDULER_NAME);
        let mut profile = Profile::default_named(name);
        if let Some(pct) = int(p, "percentageOfNodesToScore") {
            if !(0..=100).contains(&pct) {
                return Err(ConfigError::InvalidPercentage(pct));
            }
            profile.percentage_of_nodes_to_score = i32::try_from(pct).ok();
        }
        if let Some(plugins) = p.get("plugins").and_then(Value::as_object) {
            for (point_name, set) in plugins {
                let point = super::framework::points::by_name(point_name)
                    .ok_or_else(|| ConfigError::UnknownExtensionPoint(point_name.clone()))?;
                for d in set.get("disabled").and_then(Value::as_array).into_iter().flatten() {
                    let n = d.get("name").and_then(Value::as_str).unwrap_or("");
                    for ps in profile.plugins.iter_mut().filter(|ps| n == "*" || ps.name == n) {
                        ps.disabled_points |= point;
                    }
                }
                for e in set.get("enabled").and_then(Value::as_array).into_iter().flatten() {
                    let n = e.get("name").and_then(Value::as_str).unwrap_or("").to_string();
                    if !DEFAULT_PLUGINS.iter().any(|(d, _)| *d == n) {
                        return Err(ConfigError::UnknownPlugin(n));
                    }
                    let weight = int(e, "weight");
                    match profile.plugins.iter_mut().find(|ps| ps.name == n) {
                        Some(ps) => {
                            ps.disabled_points &= !point;
                            if let Some(w) = weight {
                                ps.weight = w;
                            }
                        }
                        None => profile.plugins.push(PluginSet {
                            name: n,
                            weight: weight.unwrap_or(1),
                            disabled_points: !point,
                        }),
                    }
                }
            }
        }
        for pc in p.get("pluginConfig").and_then(Value::as_array).into_iter().flatten() {
            let args = pc.get("args").cloned().unwrap_or(Value::Null);
            match pc.get("name").and_then(Value::as_str).unwrap_or("") {
                "NodeResourcesFit" => {
                    if let Some(s) = args.get("scoringStrategy") {
                        if let Some(r) = weights(s.get("resources"))? {
                            profile.fit.resources = r;
                        }
                        profile.fit.strategy = match s.get("type").and_then(Value::as_str).unwrap_or("LeastAllocated") {
                            "LeastAllocated" => ScoringStrategy::LeastAllocated,
                            "MostAllocated" => ScoringStrategy::MostAllocated,
                            "RequestedToCapacityRatio" => {
                                let shape = s
                                    .pointer("/requestedToCapacityRatio/shape")
                                    .and_then(Value::as_array)
                                    .map(|pts| {
                                        pts.iter()
                                            .map(|pt| {
                                                (int(pt, "utilization").unwrap_or(0), int(pt, "score").unwrap_or(0))
                                            })
                                            .collect()
                                    })
                                    // Upstream's default shape favours packing: 0% → 0, 100% → 10.
                                    .unwrap_or_else(|| vec![(0, 0), (100, 10)]);
                                ScoringStrategy::RequestedToCapacityRatio(shape)
                            }
                            other => return Err(ConfigError::InvalidStrategy(other.to_string())),
                        };
                    }
                }
                "NodeResourcesBalancedAllocation" => {
                    if let Some(r) = weights(args.get("resources"))? {
                        profile.balanced_resources = r;
                    }
                }
                "InterPodAffinity" => {
                    if let Some(w) = int(&args, "hardPodAffinityWeight") {
                        profile.hard_pod_affinity_weight = w;
                    }
                }
                "DefaultPreemption" => {
                    if let Some(v) = int(&args, "minCandidateNodesPercentage") {
                        profile.min_candidate_nodes_percentage = v;
                    }
                    if let Some(v) = int(&args, "minCandidateNodesAbsolute") {
                        profile.min_candidate_nodes_absolute = v;
                    }
                }
                _ => {}
            }
        }
        Ok(profile)
    }
}
