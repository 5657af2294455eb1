//! `kubectl create -f FILE|-`: every object of the manifests, created one by one; a failure is reported
//! and the rest still go through, the exit status telling that one failed. There is no file system in
//! the simulation: only `-` (standard input, which the shell fills from a pipe or heredoc) can be read.

use super::subcommand::{self, COMMON_FLAGS};
use crate::kubectl::context::Kubectl;
use crate::kubectl::flags::Flag;
use crate::kubectl::manifest::{self, ManifestError};

const FLAGS: &[Flag] = &[
    Flag::array("filename", Some('f')),
    Flag::string("kustomize", Some('k')),
    Flag::bool("recursive", Some('R')),
    Flag::string("selector", Some('l')),
    Flag::bool("edit", None),
    Flag::string("raw", None),
    Flag::bool("windows-line-endings", None),
];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let mut all = FLAGS.to_vec();
    all.extend_from_slice(COMMON_FLAGS);
    let Some(p) = k.parse(&all, args) else { return };
    let files = p.all("filename");
    if !p.args.is_empty() {
        let list = p.args.join(" ");
        return k.help_error(&format!("Unexpected args: [{list}]"));
    }
    if files.is_empty() && p.get("kustomize").is_none() {
        return k.error("must specify one of -f and -k");
    }
    if let Some(dir) = p.get("kustomize") {
        return k.error(&format!("must build at directory: not a valid directory: evalsymlink failure on '{dir}' : lstat {dir}: no such file or directory"));
    }
    let Some(dry_run) = subcommand::dry_run(k, &p) else { return };
    let Some(printer) = subcommand::printer(k, &p) else { return };
    let mut docs = Vec::new();
    for f in &files {
        if f != "-" {
            return k.error(&format!("the path \"{f}\" does not exist"));
        }
        match manifest::parse(k.stdin.unwrap_or(""), "STDIN") {
            Ok(d) => docs.extend(d),
            Err(e) => return report(k, &e),
        }
    }
    if docs.is_empty() {
        return k.error("no objects passed to create");
    }
    let namespace = p.get("namespace").filter(|n| !n.is_empty());
    let mut failed = false;
    for (i, doc) in docs.into_iter().enumerate() {
        let mut value = doc.value.clone();
        if doc.kind.namespaced()
            && let (Some(ns), Some(obj_ns)) = (namespace, doc.namespace())
            && ns != obj_ns
        {
            k.error(&format!("the namespace from the provided object \"{obj_ns}\" does not match the namespace \"{ns}\". You must pass '--namespace={obj_ns}' to perform this operation."));
            failed = true;
            continue;
        }
        if p.bool("save-config") {
            subcommand::save_config(&mut value, doc.kind, false);
        }
        if i > 0 && matches!(printer, subcommand::Printer::Yaml) {
            k.out.out("---\n");
        }
        let ok = subcommand::create_and_print(k, &p, dry_run, &printer, doc.kind, value, Some("STDIN"), false);
        failed |= !ok;
    }
    if failed {
        k.out.exit_code = 1;
    }
}

fn report(k: &mut Kubectl<'_>, e: &ManifestError) {
    k.error(&e.to_string());
}
