//! `kubectl version`: the client's build (kubectl v1.36.3 with its bundled kustomize) and the
//! api-server's `/version`.

use super::output::Output;
use crate::cluster::Cluster;

/// The kubectl release Kubarium reproduces, byte for byte where it prints offline.
pub const CLIENT_GIT_VERSION: &str = "v1.36.3";
pub const KUSTOMIZE_VERSION: &str = "v5.8.1";
const CLIENT_GIT_COMMIT: &str = "0f29094e5b73085e3802ecc1298ecae13866bfe6";
const CLIENT_BUILD_DATE: &str = "2026-07-22T18:10:35Z";
const GO_VERSION: &str = "go1.26.5";

/// One `version.Info` block, in Go's field order (what `-o json` prints).
fn info_fields(git_version: &str, server: bool) -> Vec<(&'static str, String)> {
    let mut fields = vec![("major", "1".to_string()), ("minor", "36".to_string())];
    if server {
        fields.push(("emulationMajor", "1".into()));
        fields.push(("emulationMinor", "36".into()));
        fields.push(("minCompatibilityMajor", "1".into()));
        fields.push(("minCompatibilityMinor", "35".into()));
    }
    fields.extend([
        ("gitVersion", git_version.to_string()),
        ("gitCommit", CLIENT_GIT_COMMIT.to_string()),
        ("gitTreeState", "clean".into()),
        ("buildDate", CLIENT_BUILD_DATE.to_string()),
        ("goVersion", GO_VERSION.to_string()),
        ("compiler", "gc".into()),
        ("platform", "linux/amd64".into()),
    ]);
    fields
}

fn json_block(out: &mut String, name: &str, fields: &[(&str, String)]) {
    out.push_str(&format!("  \"{name}\": {{\n"));
    for (i, (k, v)) in fields.iter().enumerate() {
        let comma = if i + 1 < fields.len() { "," } else { "" };
        out.push_str(&format!("    \"{k}\": \"{v}\"{comma}\n"));
    }
    out.push_str("  }");
}

fn yaml_block(out: &mut String, name: &str, fields: &[(&str, String)]) {
    out.push_str(&format!("{name}:\n"));
    let mut sorted = fields.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    for (k, v) in sorted {
        // go-yaml quotes strings that would otherwise read as numbers or dates.
        let quoted = v.parse::<f64>().is_ok() || k == "buildDate";
        if quoted {
            out.push_str(&format!("  {k}: \"{v}\"\n"));
        } else {
            out.push_str(&format!("  {k}: {v}\n"));
        }
    }
}

/// Runs `kubectl version [--client] [-o yaml|json]`.
pub fn run(args: &[String], cluster: &Cluster, out: &mut Output) {
    let mut client_only = false;
    let mut format: Option<String> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--client" | "--client=true" => client_only = true,
            "--client=false" => client_only = false,
            "-o" | "--output" => match it.next() {
                Some(v) => format = Some(v.clone()),
                None => {
                    let name = if arg == "-o" { "'o' in -o".to_string() } else { "--output".into() };
                    out.fail(format!(
                        "error: flag needs an argument: {name}\nSee 'kubectl version --help' for usage.\n"
                    ));
                    return;
                }
            },
            a if a.starts_with("--output=") => format = Some(a["--output=".len()..].to_string()),
            a if a.starts_with("-o=") => format = Some(a[3..].to_string()),
            a if a.starts_with("-o") && a.len() > 2 => format = Some(a[2..].to_string()),
            a if a.starts_with("--") => {
                let name = a.split('=').next().unwrap_or(a);
                out.fail(format!("error: unknown flag: {name}\nSee 'kubectl version --help' for usage.\n"));
                return;
            }
            a if a.starts_with('-') && a.len() > 1 => {
                let c = a.chars().nth(1).unwrap_or('-');
                out.fail(format!(
                    "error: unknown shorthand flag: '{c}' in {a}\nSee 'kubectl version --help' for usage.\n"
                ));
                return;
            }
            _ => {}
        }
    }
    let server_version = cluster.server_git_version();
    match format.as_deref() {
        None => {
            out.out(format!("Client Version: {CLIENT_GIT_VERSION}\n"));
            out.out(format!("Kustomize Version: {KUSTOMIZE_VERSION}\n"));
            if !client_only {
                out.out(format!("Server Version: {server_version}\n"));
            }
        }
        Some("json") => {
            let mut s = String::from("{\n");
            json_block(&mut s, "clientVersion", &info_fields(CLIENT_GIT_VERSION, false));
            s.push_str(&format!(",\n  \"kustomizeVersion\": \"{KUSTOMIZE_VERSION}\""));
            if !client_only {
                s.push_str(",\n");
                json_block(&mut s, "serverVersion", &info_fields(server_version, true));
            }
            s.push_str("\n}\n");
            out.out(s);
        }
        Some("yaml") => {
            let mut s = String::new();
            yaml_block(&mut s, "clientVersion", &info_fields(CLIENT_GIT_VERSION, false));
            s.push_str(&format!("kustomizeVersion: {KUSTOMIZE_VERSION}\n"));
            if !client_only {
                yaml_block(&mut s, "serverVersion", &info_fields(server_version, true));
            }
            out.out(s);
        }
        Some(_) => out.fail("error: --output must be 'yaml' or 'json'\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(args: &[&str]) -> Output {
        let cluster = Cluster::default();
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let mut out = Output::default();
        run(&args, &cluster, &mut out);
        out
    }

    #[test]
    fn prints_client_kustomize_and_server_lines() {
        let out = version(&[]);
        assert_eq!(out.stdout(), "Client Version: v1.36.3\nKustomize Version: v5.8.1\nServer Version: v1.36.3\n");
        assert_eq!(out.exit_code, 0);
    }

    #[test]
    fn client_only_yaml_matches_kubectl() {
        let out = version(&["--client", "-o", "yaml"]);
        assert_eq!(
            out.stdout(),
            "clientVersion:\n  buildDate: \"2026-07-22T18:10:35Z\"\n  compiler: gc\n  gitCommit: 0f29094e5b73085e3802ecc1298ecae13866bfe6\n  gitTreeState: clean\n  gitVersion: v1.36.3\n  goVersion: go1.26.5\n  major: \"1\"\n  minor: \"36\"\n  platform: linux/amd64\nkustomizeVersion: v5.8.1\n"
        );
    }

    #[test]
    fn bad_output_and_flags_fail() {
        let out = version(&["-o", "wide"]);
        assert_eq!(out.stderr(), "error: --output must be 'yaml' or 'json'\n");
        assert_eq!(out.exit_code, 1);
        let out = version(&["--foo"]);
        assert_eq!(out.stderr(), "error: unknown flag: --foo\nSee 'kubectl version --help' for usage.\n");
    }
}
