//! Share links: a scenario as `#s=<version>.<data>` in a URL's fragment, where the data is the
//! scenario's compact JSON, raw-deflated and base64url-encoded. The fragment never reaches a server, so
//! a link needs none. Decoding trusts nothing: it bounds the link and what it inflates to, checks the
//! version, and validates the scenario before anything boots.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::model::{Scenario, ScenarioError};

/// The encoding this build writes and reads. A later format gets a new number; old links keep
/// opening in builds that still read their version.
pub const VERSION: u32 = 1;
/// The longest fragment value a link may carry (browsers and chat apps cut longer URLs).
pub const MAX_FRAGMENT: usize = 8 * 1024;
/// What a link's data may inflate to: far above any real scenario, far below what hurts a tab.
const MAX_INFLATED: usize = 1024 * 1024;

/// Why a link could not be opened (or made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    NoScenario,
    TooLong(usize),
    UnknownVersion(String),
    NotBase64,
    NotDeflate,
    TooLarge,
    NotAScenario(String),
    Invalid(ScenarioError),
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::NoScenario => write!(f, "the link holds no scenario (no #s= in it)"),
            LinkError::TooLong(n) => write!(
                f,
                "the scenario is {n} characters long, over the {MAX_FRAGMENT} a link can carry; share it as a file instead"
            ),
            LinkError::UnknownVersion(v) => {
                write!(
                    f,
                    "the link is of version \"{v}\", which this playground cannot read (it reads version {VERSION})"
                )
            }
            LinkError::NotBase64 => write!(f, "the link is corrupted: its data is not base64url"),
            LinkError::NotDeflate => write!(f, "the link is corrupted: its data does not decompress"),
            LinkError::TooLarge => write!(f, "the link's data expands beyond {MAX_INFLATED} bytes"),
            LinkError::NotAScenario(e) => write!(f, "the link is corrupted: {e}"),
            LinkError::Invalid(e) => write!(f, "the link's scenario is invalid: {e}"),
        }
    }
}

impl std::error::Error for LinkError {}

/// The fragment value (`1.<data>`) for `scenario`.
pub fn encode(scenario: &Scenario) -> Result<String, LinkError> {
    let json = serde_json::to_vec(scenario).map_err(|e| LinkError::NotAScenario(e.to_string()))?;
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
    let value = format!("{VERSION}.{}", URL_SAFE_NO_PAD.encode(packed));
    if value.len() > MAX_FRAGMENT {
        return Err(LinkError::TooLong(value.len()));
    }
    Ok(value)
}

/// `base` with the scenario in its fragment: `http://localhost:8080/#s=1.<data>`.
pub fn url(base: &str, scenario: &Scenario) -> Result<String, LinkError> {
    let base = base.split('#').next().unwrap_or(base);
    Ok(format!("{base}#s={}", encode(scenario)?))
}

/// The fragment value of a link: accepts a whole URL, a fragment (`#s=...&lang=zh-CN`) or the value.
pub fn fragment_value(link: &str) -> Result<&str, LinkError> {
    let link = link.trim();
    let fragment = match link.split_once('#') {
        Some((_, f)) => f,
        None if link.contains("://") => return Err(LinkError::NoScenario),
        None => link,
    };
    let value = fragment.split('&').find_map(|kv| kv.strip_prefix("s=")).or_else(|| {
        // A bare value: `1.<data>`.
        (!fragment.contains('=') && fragment.contains('.')).then_some(fragment)
    });
    value.filter(|v| !v.is_empty()).ok_or(LinkError::NoScenario)
}

/// The scenario a link carries, checked.
pub fn decode(link: &str) -> Result<Scenario, LinkError> {
    let value = fragment_value(link)?;
    if value.len() > MAX_FRAGMENT {
        return Err(LinkError::TooLong(value.len()));
    }
    let (version, data) = value.split_once('.').ok_or_else(|| LinkError::UnknownVersion(String::new()))?;
    if version != VERSION.to_string() {
        return Err(LinkError::UnknownVersion(version.chars().take(16).collect()));
    }
    let packed = URL_SAFE_NO_PAD.decode(data).map_err(|_| LinkError::NotBase64)?;
    let json =
        miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_INFLATED).map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => LinkError::TooLarge,
            _ => LinkError::NotDeflate,
        })?;
    let scenario: Scenario = serde_json::from_slice(&json).map_err(|e| LinkError::NotAScenario(e.to_string()))?;
    scenario.setup().map_err(LinkError::Invalid)?;
    Ok(scenario)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::model::TimedCommand;

    fn sample() -> Scenario {
        Scenario {
            seed: 42,
            commands: vec![
                TimedCommand { at: Some(0), run: "kubectl create deployment web --image=nginx --replicas=3".into() },
                TimedCommand { at: Some(12_500), run: "kubectl get pods -o wide".into() },
            ],
            ..Default::default()
        }
    }

    #[test]
    fn a_link_round_trips_from_any_of_its_forms() {
        let link = url("http://localhost:8080/?embed=1#old", &sample()).unwrap();
        assert!(link.starts_with("http://localhost:8080/?embed=1#s=1."), "{link}");
        assert_eq!(decode(&link).unwrap(), sample());
        let value = encode(&sample()).unwrap();
        assert_eq!(decode(&format!("#lang=zh-CN&s={value}")).unwrap(), sample());
        assert_eq!(decode(&value).unwrap(), sample());
        assert!(value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)), "{value}");
    }

    #[test]
    fn bad_links_say_why() {
        let value = encode(&sample()).unwrap();
        assert_eq!(decode("http://localhost:8080/"), Err(LinkError::NoScenario));
        assert_eq!(decode("#lang=en"), Err(LinkError::NoScenario));
        assert_eq!(decode(&value.replacen("1.", "9.", 1)), Err(LinkError::UnknownVersion("9".into())));
        assert_eq!(decode("#s=1.@@@"), Err(LinkError::NotBase64));
        assert_eq!(decode("#s=1.AAAA"), Err(LinkError::NotDeflate));
        let truncated = &value[..value.len() - 6];
        assert!(matches!(decode(truncated), Err(LinkError::NotDeflate | LinkError::NotBase64)));
        let long = format!("#s=1.{}", "A".repeat(MAX_FRAGMENT));
        assert!(matches!(decode(&long), Err(LinkError::TooLong(_))));
        let not_scenario = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(b"{\"seed\":\"x\"}", 9));
        assert!(matches!(decode(&format!("1.{not_scenario}")), Err(LinkError::NotAScenario(_))));
        let invalid = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(b"{\"nodes\":[]}", 9));
        assert_eq!(
            decode(&format!("1.{invalid}")).unwrap_err().to_string(),
            "the link's scenario is invalid: a scenario needs at least one node"
        );
    }

    #[test]
    fn a_bomb_is_refused_before_it_expands() {
        let bomb = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&vec![b' '; 4 * MAX_INFLATED], 9));
        assert!(bomb.len() < MAX_FRAGMENT, "{}", bomb.len());
        assert_eq!(decode(&format!("1.{bomb}")), Err(LinkError::TooLarge));
    }

    #[test]
    fn junk_never_panics() {
        let mut rng = crate::sim::Rng::derive(7, "link-fuzz");
        let good = encode(&sample()).unwrap().into_bytes();
        for _ in 0..2_000 {
            let mut bytes = good.clone();
            for _ in 0..=rng.below(4) {
                let i = rng.below(bytes.len() as u64) as usize;
                bytes[i] = b"AZaz09-_.=&#%"[rng.below(13) as usize];
            }
            let _ = decode(&String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn a_long_session_is_offered_as_a_file() {
        let commands = (0..3_000)
            .map(|i| TimedCommand { at: None, run: format!("kubectl create namespace ns-{i}-{}", i * 7919) })
            .collect();
        let s = Scenario { commands, ..Default::default() };
        assert!(matches!(encode(&s), Err(LinkError::TooLong(_))));
    }
}
