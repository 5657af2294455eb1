//! `kubectl config view|current-context|get-contexts|use-context|set-context`: the one kubeconfig of
//! the playground, named as kubeadm names its admin.conf (cluster `kubernetes`, user
//! `kubernetes-admin`, context `kubernetes-admin@kubernetes`). Its context's namespace can be set, as
//! tutorials do with `kubectl config set-context --current --namespace=X`; the session keeps it.
//! Credentials are never real, so they always print as omitted.

use serde_json::json;

use super::context::Kubectl;
use super::flags::Flag;
use super::printers::{json::print_json, tabwriter::format_rows, yaml::to_yaml};

/// Where kubectl reaches the api-server.
pub const SERVER: &str = "https://127.0.0.1:6443";
pub const CLUSTER: &str = "kubernetes";
pub const USER: &str = "kubernetes-admin";
pub const CONTEXT: &str = "kubernetes-admin@kubernetes";

/// What commands can change in the kubeconfig: the context's namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KubeConfig {
    pub namespace: Option<String>,
}

const FLAGS: &[Flag] = &[
    Flag::string("output", Some('o')),
    Flag::bool("current", None),
    Flag::bool("minify", None),
    Flag::bool("raw", None),
    Flag::bool("flatten", None),
    Flag::bool("merge", None),
    Flag::bool("no-headers", None),
];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some((sub, rest)) = args.split_first() else {
        return k.help_error(
            "Modify kubeconfig files using subcommands like \"kubectl config set current-context my-context\"",
        );
    };
    k.command = format!("config {sub}");
    let Some(p) = k.parse(FLAGS, rest) else { return };
    match sub.as_str() {
        "view" => {
            let mut context = json!({"cluster": CLUSTER, "user": USER});
            if let Some(ns) = &k.config.namespace {
                context["namespace"] = json!(ns);
            }
            let config = json!({
                "apiVersion": "v1",
                "clusters": [{"cluster": {"certificate-authority-data": "DATA+OMITTED", "server": SERVER}, "name": CLUSTER}],
                "contexts": [{"context": context, "name": CONTEXT}],
                "current-context": CONTEXT,
                "kind": "Config",
                "preferences": {},
                "users": [{"name": USER, "user": {"client-certificate-data": "DATA+OMITTED", "client-key-data": "DATA+OMITTED"}}],
            });
            match p.get("output").unwrap_or("yaml") {
                "json" => k.out.out(print_json(&config)),
                jsonpath if jsonpath.starts_with("jsonpath=") => {
                    let printed = super::printers::jsonpath::parse(&jsonpath["jsonpath=".len()..])
                        .and_then(|t| t.execute(&config));
                    match printed {
                        Ok(text) => k.out.out(text),
                        Err(e) => k.error(&e.kubectl_message()),
                    }
                }
                "yaml" | "" => match to_yaml(&config) {
                    Ok(y) => k.out.out(y),
                    Err(e) => k.error(&e.to_string()),
                },
                other => k.error(&format!(
                    "unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,yaml"
                )),
            }
        }
        "current-context" => k.out.out(format!("{CONTEXT}\n")),
        "get-contexts" => {
            if let Some(name) = p.args.first().filter(|n| n.as_str() != CONTEXT) {
                return k.error(&format!("context {name} not found"));
            }
            if p.get("output") == Some("name") {
                return k.out.out(format!("{CONTEXT}\n"));
            }
            let mut rows: Vec<Vec<String>> = Vec::new();
            if !p.bool("no-headers") {
                rows.push(["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"].map(String::from).to_vec());
            }
            let namespace = k.config.namespace.clone().unwrap_or_default();
            rows.push(vec!["*".into(), CONTEXT.into(), CLUSTER.into(), USER.into(), namespace]);
            k.out.out(format_rows(&rows));
        }
        "get-clusters" => k.out.out(format!("NAME\n{CLUSTER}\n")),
        "get-users" => k.out.out(format!("NAME\n{USER}\n")),
        "use-context" => match p.args.first() {
            Some(c) if c == CONTEXT => k.out.out(format!("Switched to context \"{CONTEXT}\".\n")),
            Some(c) => k.error(&format!("no context exists with the name: \"{c}\"")),
            None => k.help_error("Unexpected args: []"),
        },
        "set-context" => {
            let name = match (p.args.as_slice(), p.bool("current")) {
                ([], true) => CONTEXT,
                ([name], false) => name.as_str(),
                ([_], true) => return k.error("you cannot specify both a context name and --current"),
                _ => return k.help_error("Unexpected args: []"),
            };
            if name != CONTEXT {
                // Upstream would create a new context; the playground has one cluster and one user.
                return k.error(&format!("no context exists with the name: \"{name}\""));
            }
            if let Some(ns) = p.get("namespace") {
                k.config.namespace = Some(ns.to_string()).filter(|n| !n.is_empty());
            }
            k.out.out(format!("Context \"{CONTEXT}\" modified.\n"));
        }
        other => k.error(&format!("unknown command \"{other}\" for \"kubectl config\"")),
    }
}
