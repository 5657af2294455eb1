//! What the commands that change objects share: their flag groups (printing, files, dry run), the
//! success line kubectl's name printer writes with an operation (`deployment.apps/web scaled`, with
//! ` (dry run)` or ` (server dry run)`), and writing an edited object back through the api-server.

use serde_json::Value;

use super::builder::{Info, server_message};
use super::context::Kubectl;
use super::create::subcommand::{self, DryRun, Printer};
use super::flags::{Flag, Parsed};
use super::resources::qualified_name;
use crate::api::{Kind, Object};
use crate::apiserver::patch::Patch;
use crate::apiserver::{ApiError, ApiServer, Identity, PatchOptions, WriteOptions};

/// kubectl's PrintFlags: `-o` and the template options that go with it.
pub const PRINT_FLAGS: &[Flag] = &[
    Flag::string("output", Some('o')),
    Flag::string("template", None),
    Flag::bool("allow-missing-template-keys", None),
    Flag::bool("show-managed-fields", None),
];

/// kubectl's FilenameOptions.
pub const FILE_FLAGS: &[Flag] =
    &[Flag::array("filename", Some('f')), Flag::string("kustomize", Some('k')), Flag::bool("recursive", Some('R'))];

/// `--dry-run` and `--field-manager`.
pub const WRITE_FLAGS: &[Flag] = &[Flag::optional("dry-run", None, "unchanged"), Flag::string("field-manager", None)];

/// Joins flag groups into one list for the parser.
pub fn flags(groups: &[&[Flag]]) -> Vec<Flag> {
    groups.iter().flat_map(|g| g.iter().copied()).collect()
}

/// ` (dry run)` / ` (server dry run)`.
pub fn dry_run_suffix(dry_run: DryRun) -> &'static str {
    match dry_run {
        DryRun::None => "",
        DryRun::Client => " (dry run)",
        DryRun::Server => " (server dry run)",
    }
}

/// Prints an object after an operation: the name printer's `kind.group/name <operation>` line, or the
/// object as `-o` asks.
pub fn print_op(k: &mut Kubectl<'_>, printer: &Printer, dry_run: DryRun, kind: Kind, value: &Value, op: &str) {
    print_op_typed(k, printer, dry_run, kind, value, op, false);
}

/// As `print_op`, for a command that holds a typed object (its JSON in Go field order).
pub fn print_op_typed(
    k: &mut Kubectl<'_>,
    printer: &Printer,
    dry_run: DryRun,
    kind: Kind,
    value: &Value,
    op: &str,
    typed: bool,
) {
    match printer {
        Printer::Success => {
            let name = value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
            k.out.out(format!("{} {op}{}\n", qualified_name(kind, name), dry_run_suffix(dry_run)));
        }
        other => subcommand::print(k, other, dry_run, kind, value, typed),
    }
}

/// The dry-run strategy (none unless `--dry-run` was given); None when refused (printed).
pub fn dry_run_flag(k: &mut Kubectl<'_>, p: &Parsed) -> Option<DryRun> {
    if p.has("dry-run") { subcommand::dry_run(k, p) } else { Some(DryRun::None) }
}

/// The dry-run strategy and the printer, in kubectl's order; None when either was refused (printed).
pub fn dry_run_and_printer(k: &mut Kubectl<'_>, p: &Parsed) -> Option<(DryRun, Printer)> {
    let dry_run = dry_run_flag(k, p)?;
    let printer = subcommand::printer(k, p)?;
    Some((dry_run, printer))
}

/// Sends a patch for `info` (unless a client dry run) and returns the object as the server (or the
/// client) has it after the patch.
pub fn send_patch(
    k: &mut Kubectl<'_>,
    p: &Parsed,
    info: &Info,
    patch: Patch,
    dry_run: DryRun,
    status: bool,
) -> Result<Value, String> {
    if dry_run == DryRun::Client {
        return crate::apiserver::patch::apply_patch(info.kind, &info.value, &patch).map_err(|e| server_message(&e));
    }
    let who = Kubectl::identity(p);
    let opts = PatchOptions { status, dry_run: dry_run == DryRun::Server };
    k.cluster
        .api_mut()
        .patch(&who, info.kind, info.namespace.as_deref(), &info.name, &patch, &opts)
        .map(|o| o.to_value())
        .map_err(|e| server_message(&e))
}

/// Replaces `info`'s object with `value` (a PUT, with the resourceVersion it was read at).
pub fn send_update(
    k: &mut Kubectl<'_>,
    p: &Parsed,
    kind: Kind,
    value: Value,
    dry_run: DryRun,
) -> Result<Value, String> {
    if dry_run == DryRun::Client {
        return Ok(value);
    }
    let obj = Object::from_value(kind, value).map_err(|e| e.to_string())?;
    send_write(k, p, dry_run, |api, who, opts| api.update(who, obj, opts))
}

/// Creates the object `value` describes (for commands that generate one: expose, autoscale); a
/// client dry run returns it unsent.
pub fn send_create(
    k: &mut Kubectl<'_>,
    p: &Parsed,
    kind: Kind,
    value: Value,
    dry_run: DryRun,
) -> Result<Value, String> {
    if dry_run == DryRun::Client {
        return Ok(value);
    }
    let obj = Object::from_value(kind, value).map_err(|e| format!("error: {e}"))?;
    send_write(k, p, dry_run, |api, who, opts| api.create(who, obj, opts))
}

/// Sends one write as the requester (`--as`), a server dry run when asked, and answers with the
/// object the server returned or its error as kubectl prints it.
fn send_write(
    k: &mut Kubectl<'_>,
    p: &Parsed,
    dry_run: DryRun,
    write: impl FnOnce(&mut ApiServer, &Identity, &WriteOptions) -> Result<Object, ApiError>,
) -> Result<Value, String> {
    let who = Kubectl::identity(p);
    let opts = WriteOptions { dry_run: dry_run == DryRun::Server };
    write(k.cluster.api_mut(), &who, &opts).map(|o| o.to_value()).map_err(|e| server_message(&e))
}
