//! `kubectl edit`: the CLI has no editor to start (kubectl's `unable to launch the editor "vi"`, after
//! the objects are read); `apply_edit` is what edit does once an editor returns, for a front end that
//! has its own YAML editor: the edited text is compared with what was shown and sent as a strategic
//! merge patch ("edited"), or cancelled when nothing changed.

use serde_json::Value;

use super::apply::merge::three_way;
use super::builder::{self, Options, server_message};
use super::context::Kubectl;
use super::flags::Flag;
use super::mutate::{self, FILE_FLAGS, PRINT_FLAGS};
use crate::api::Kind;
use crate::apiserver::patch::Patch;
use crate::apiserver::{Identity, PatchOptions};
use crate::cluster::Cluster;

const FLAGS: &[Flag] = &[
    Flag::string("field-manager", None),
    Flag::bool("output-patch", None),
    Flag::bool("save-config", None),
    Flag::string("subresource", None),
    Flag::optional("validate", None, "strict"),
    Flag::bool("windows-line-endings", None),
];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(&mutate::flags(&[FLAGS, FILE_FLAGS, PRINT_FLAGS]), args) else { return };
    let found = match builder::find(k, &p, &p.args.clone(), Options { allow_listing: true, local: false }) {
        Ok(f) => f,
        Err(e) => return k.error(&e),
    };
    if !found.errors.is_empty() {
        return builder::report_errors(k, &found.errors);
    }
    if found.infos.is_empty() {
        return k.error("edit cancelled, no objects found");
    }
    k.error("unable to launch the editor \"vi\"");
}

/// What an edit came to: the success line to print, or the message kubectl gives instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOutcome {
    /// `deployment.apps/web edited`.
    Edited(String),
    /// `Edit cancelled, no changes made.` (kubectl prints it on stderr).
    Unchanged,
    /// The edited text or the server refused it; the message is kubectl's `error: ...` line.
    Failed(String),
}

/// Applies an edit: `original` is the YAML the editor was given, `edited` what it returned. The
/// object is identified by `kind`, `namespace` and `name` (kubectl refuses edits that change them).
pub fn apply_edit(
    cluster: &mut Cluster,
    kind: Kind,
    namespace: Option<&str>,
    name: &str,
    original: &str,
    edited: &str,
) -> EditOutcome {
    let strip = |s: &str| s.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n");
    if strip(original).trim() == strip(edited).trim() {
        return EditOutcome::Unchanged;
    }
    if strip(edited).trim().is_empty() {
        return EditOutcome::Failed("Edit cancelled, saved file was empty.".into());
    }
    let parse = |s: &str| serde_norway::from_str::<Value>(s);
    let (before, after) = match (parse(original), parse(edited)) {
        (Ok(b), Ok(a)) => (b, a),
        (_, Err(e)) => return EditOutcome::Failed(format!("error: error parsing edited-file: {e}")),
        (Err(e), _) => return EditOutcome::Failed(format!("error: {e}")),
    };
    for field in ["/apiVersion", "/kind", "/metadata/name"] {
        if before.pointer(field) != after.pointer(field) {
            return EditOutcome::Failed(format!(
                "error: At least one of apiVersion, kind and name was changed\nerror: {} \"{name}\" is invalid",
                kind.qualified_plural()
            ));
        }
    }
    let patch = three_way(&before, &after, &before);
    let who = Identity::admin();
    match cluster.api_mut().patch(&who, kind, namespace, name, &Patch::Strategic(patch), &PatchOptions::default()) {
        Ok(_) => {
            cluster.settle();
            EditOutcome::Edited(format!("{}/{name} edited", kind.lower_qualified_kind()))
        }
        Err(e) => EditOutcome::Failed(server_message(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::WriteOptions;

    #[test]
    fn an_edit_patches_the_object_or_cancels() {
        let mut cluster = Cluster::new(1);
        let cm = crate::api::Object::from_value(
            Kind::ConfigMap,
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"}, "data": {"a": "1"}}),
        )
        .expect("configmap");
        cluster.api_mut().create(&Identity::admin(), cm, &WriteOptions::default()).expect("create");
        let original =
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\ndata:\n  a: \"1\"\n";
        assert_eq!(
            apply_edit(&mut cluster, Kind::ConfigMap, Some("default"), "c", original, original),
            EditOutcome::Unchanged
        );
        let edited = original.replace("a: \"1\"", "b: \"2\"");
        assert_eq!(
            apply_edit(&mut cluster, Kind::ConfigMap, Some("default"), "c", original, &edited),
            EditOutcome::Edited("configmap/c edited".into())
        );
        let data = cluster.api().peek(Kind::ConfigMap, Some("default"), "c").map(|o| o.to_value()["data"].clone());
        assert_eq!(data, Some(serde_json::json!({"b": "2"})));
        let renamed = original.replace("name: c", "name: d");
        assert!(matches!(
            apply_edit(&mut cluster, Kind::ConfigMap, Some("default"), "c", original, &renamed),
            EditOutcome::Failed(_)
        ));
        assert!(matches!(
            apply_edit(&mut cluster, Kind::ConfigMap, Some("default"), "c", original, "a: [\n"),
            EditOutcome::Failed(_)
        ));
    }
}
