//! The scenario's file form: YAML with `apiVersion: kubarium/v1` and `kind: Scenario`, for scenarios too
//! long for a link and for teachers who write them by hand (`kubarium run scenario.yaml`).

use super::model::{API_VERSION, KIND, Scenario, ScenarioError};

/// The largest scenario file read (a 5,000-node topology fits with room to spare).
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

/// Why a scenario file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    TooLarge(usize),
    Yaml(String),
    Invalid(ScenarioError),
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileError::TooLarge(n) => write!(f, "scenario file is {n} bytes, over the {MAX_FILE_BYTES} allowed"),
            FileError::Yaml(e) => write!(f, "error parsing scenario: {e}"),
            FileError::Invalid(e) => write!(f, "invalid scenario: {e}"),
        }
    }
}

impl std::error::Error for FileError {}

/// Whether `text` looks like a scenario file rather than a script: a YAML document of kind Scenario.
pub fn is_scenario(text: &str) -> bool {
    text.lines().any(|l| l.trim_end() == format!("kind: {KIND}"))
        && text.lines().any(|l| l.trim_end() == format!("apiVersion: {API_VERSION}"))
}

/// The scenario in `text`, checked.
pub fn from_yaml(text: &str) -> Result<Scenario, FileError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge(text.len()));
    }
    let scenario: Scenario = serde_norway::from_str(text).map_err(|e| FileError::Yaml(e.to_string()))?;
    scenario.setup().map_err(FileError::Invalid)?;
    Ok(scenario)
}

/// `scenario` as a file, with its `apiVersion` and `kind`.
pub fn to_yaml(scenario: &Scenario) -> Result<String, FileError> {
    let stamped = Scenario { api_version: Some(API_VERSION.into()), kind: Some(KIND.into()), ..scenario.clone() };
    serde_norway::to_string(&stamped).map_err(|e| FileError::Yaml(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::model::TimedCommand;

    #[test]
    fn a_file_round_trips_and_reads_like_a_manifest() {
        let s = Scenario {
            seed: 3,
            commands: vec![
                TimedCommand { at: None, run: "kubectl create deployment web --image=nginx".into() },
                TimedCommand { at: Some(30_000), run: "cat <<EOF | kubectl apply -f -\nkind: Namespace\nEOF".into() },
            ],
            ..Default::default()
        };
        let text = to_yaml(&s).unwrap();
        assert!(text.starts_with("apiVersion: kubarium/v1\nkind: Scenario\nseed: 3\n"), "{text}");
        assert!(is_scenario(&text));
        let back = from_yaml(&text).unwrap();
        assert_eq!(back.commands, s.commands);
        assert!(!is_scenario("kubectl get pods\n"));
    }

    #[test]
    fn hand_written_files_take_numbers_and_strings() {
        let text = "apiVersion: kubarium/v1\nkind: Scenario\nnodes:\n- name: a\n  cpu: 2\n  memory: 4Gi\n  pods: 20\n  zone: z1\n  labels: {disk: ssd}\n  taints: [\"x=y:NoSchedule\"]\nimages:\n- image: shop/web:1.0\n  like: nginx\ncommands:\n- run: kubectl get nodes\n";
        let s = from_yaml(text).unwrap();
        let setup = s.setup().unwrap();
        assert_eq!((setup.topology.nodes[0].cpu_millis, setup.topology.nodes[0].pods), (2000, 20));
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let err = |t: &str| from_yaml(t).unwrap_err().to_string();
        assert!(err("seed: [").starts_with("error parsing scenario: "));
        assert!(err("sede: 1").contains("unknown field `sede`"), "{}", err("sede: 1"));
        assert_eq!(err("nodes: []"), "invalid scenario: a scenario needs at least one node");
        assert_eq!(err("apiVersion: v1\nkind: Scenario"), "invalid scenario: apiVersion \"v1\" is not kubarium/v1");
        for junk in
            ["", "- a\n- b", "42", "!!binary AAAA", "commands: {a: 1}", "seed: -1", "nodes: [{name: a, cpu: {}}]"]
        {
            let _ = from_yaml(junk);
        }
    }
}
