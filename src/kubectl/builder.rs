//! The objects a mutating command acts on, found as kubectl's resource builder finds them: `TYPE NAME...`,
//! `TYPE/NAME...`, `-f -` (manifests on standard input), `-l SELECTOR`, `--all`, `-A`, each object read
//! from the server (or taken as given with `--local`). Errors are kept, not printed, so that a command
//! reports them after the objects that worked, as kubectl's ContinueOnError visitor does.

use serde_json::Value;

use super::context::Kubectl;
use super::flags::Parsed;
use super::manifest;
use super::resources::{self, qualified_name};
use crate::api::fields::FieldSelector;
use crate::api::labels::Selector;
use crate::api::{Kind, Object};
use crate::apiserver::{ApiError, ListOptions};

/// One object to act on.
#[derive(Debug, Clone)]
pub struct Info {
    pub kind: Kind,
    /// None for cluster-scoped kinds.
    pub namespace: Option<String>,
    pub name: String,
    /// The object as JSON: the server's copy, or the manifest's with `--local`.
    pub value: Value,
    /// `STDIN` when the object came from `-f -`.
    pub source: Option<&'static str>,
}

impl Info {
    /// `deployment.apps/web`.
    pub fn qualified(&self) -> String {
        qualified_name(self.kind, &self.name)
    }

    /// The typed object, when the JSON decodes.
    pub fn object(&self) -> Option<Object> {
        Object::from_value(self.kind, self.value.clone()).ok()
    }
}

/// What a command lets the builder accept.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `--local`: take `-f` objects as they are, without asking the server.
    pub local: bool,
    /// Whether `TYPE` alone lists every object (with `-l` or `--all`); otherwise a name is required.
    pub allow_listing: bool,
}

/// The result of a look-up: the objects found and the errors to report after them.
#[derive(Debug, Default)]
pub struct Found {
    pub infos: Vec<Info>,
    pub errors: Vec<String>,
}

/// The builder's message when nothing names a resource.
pub const NO_RESOURCES: &str = "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";

/// A server error as kubectl prints it.
pub fn server_message(e: &ApiError) -> String {
    format!("Error from server ({}): {}", e.reason.as_str(), e.message)
}

/// Prints the errors kept during a visit, one a line with kubectl's `error: ` prefix unless the
/// message has one (or is a server error), and sets the exit status.
pub fn report_errors(k: &mut Kubectl<'_>, errors: &[String]) {
    for e in errors {
        let line = if e.starts_with("Error from server") || e.starts_with("error: ") {
            e.clone()
        } else {
            format!("error: {e}")
        };
        k.out.fail(if line.ends_with('\n') { line } else { format!("{line}\n") });
    }
}

/// Reads standard input for `-f -`; other paths do not exist in the simulation.
pub fn read_files(k: &mut Kubectl<'_>, files: &[String]) -> Result<Vec<manifest::Document>, String> {
    let mut docs = Vec::new();
    for f in files {
        if f != "-" {
            return Err(format!("the path \"{f}\" does not exist"));
        }
        docs.extend(manifest::parse(k.stdin.unwrap_or(""), "STDIN").map_err(|e| e.to_string())?);
    }
    Ok(docs)
}

fn list_options(p: &Parsed) -> Result<ListOptions, String> {
    let mut options = ListOptions::default();
    if let Some(l) = p.get("selector") {
        options.label_selector = Some(Selector::parse(l).map_err(|e| e.to_string())?);
    }
    if let Some(f) = p.get("field-selector").filter(|f| !f.is_empty()) {
        options.field_selector = Some(FieldSelector::parse(f).map_err(|e| e.to_string())?);
    }
    Ok(options)
}

/// Finds the objects `args` and the flags name. `Err` is a fatal message (printed with `error: `) that
/// stops the command before anything happens.
pub fn find(k: &mut Kubectl<'_>, p: &Parsed, args: &[String], opts: Options) -> Result<Found, String> {
    let files = p.all("filename");
    let namespace = Kubectl::namespace(p);
    let all_namespaces = p.bool("all-namespaces");
    let who = Kubectl::identity(p);
    let mut found = Found::default();
    if !files.is_empty() {
        if !args.is_empty() {
            return Err(format!("Unexpected args: [{}]", args.join(" ")));
        }
        let docs = read_files(k, &files)?;
        let explicit_ns = p.get("namespace").filter(|n| !n.is_empty());
        for doc in docs {
            let ns = doc.kind.namespaced().then(|| doc.namespace().unwrap_or(&namespace).to_string());
            if let (Some(want), Some(obj_ns)) = (explicit_ns, doc.namespace())
                && doc.kind.namespaced()
                && want != obj_ns
            {
                return Err(format!(
                    "the namespace from the provided object \"{obj_ns}\" does not match the namespace \"{want}\". You must pass '--namespace={obj_ns}' to perform this operation."
                ));
            }
            let name = doc.name().to_string();
            if opts.local {
                found.infos.push(Info { kind: doc.kind, namespace: ns, name, value: doc.value, source: Some("STDIN") });
                continue;
            }
            match k.cluster.api_mut().get(&who, doc.kind, ns.as_deref(), &name) {
                Ok(obj) => found.infos.push(Info {
                    kind: doc.kind,
                    namespace: ns,
                    name,
                    value: obj.to_value(),
                    source: Some("STDIN"),
                }),
                Err(e) => found.errors.push(server_message(&e)),
            }
        }
        return Ok(found);
    }
    if opts.local {
        return Err("one or more files must be specified as -f rsrc.yaml or --filename=rsrc.json".into());
    }
    let requests = resources::parse(args).map_err(|e| e.to_string())?;
    if requests.is_empty() {
        return Err(NO_RESOURCES.into());
    }
    let select_all = p.bool("all");
    let has_selector =
        p.get("selector").is_some_and(|s| !s.is_empty()) || p.get("field-selector").is_some_and(|s| !s.is_empty());
    let options = list_options(p)?;
    for req in requests {
        let ns = req.kind.namespaced().then(|| namespace.clone());
        if req.names.is_empty() {
            if !opts.allow_listing || !(select_all || has_selector) {
                return Err("resource(s) were provided, but no name was specified".into());
            }
            let list_ns = if all_namespaces { None } else { ns.as_deref() };
            match k.cluster.api_mut().list(&who, req.kind, list_ns, &options) {
                Ok(list) => found.infos.extend(list.items.into_iter().map(|o| Info {
                    kind: req.kind,
                    namespace: o.namespace().map(str::to_string),
                    name: o.name().to_string(),
                    value: o.to_value(),
                    source: None,
                })),
                Err(e) => found.errors.push(server_message(&e)),
            }
            continue;
        }
        if select_all || has_selector {
            return Err("name cannot be provided when a selector is specified".into());
        }
        for name in req.names {
            match k.cluster.api_mut().get(&who, req.kind, ns.as_deref(), &name) {
                Ok(o) => found.infos.push(Info {
                    kind: req.kind,
                    namespace: ns.clone(),
                    name,
                    value: o.to_value(),
                    source: None,
                }),
                Err(e) => found.errors.push(server_message(&e)),
            }
        }
    }
    Ok(found)
}
