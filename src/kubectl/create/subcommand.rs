//! What every `kubectl create <generator>` shares (upstream's `CreateSubcommandOptions`): the flags
//! (`--dry-run`, `-o`, `--save-config`, `--field-manager`, ...), the order kubectl checks things in
//! (flags, required flags, the NAME argument, the dry-run strategy, the printer), and the end of every
//! generator: set the namespace, record the last-applied configuration, send the object to the
//! api-server (or not, for `--dry-run=client`) and print it.

use serde_json::Value;

use crate::api::{Kind, Object};
use crate::apiserver::WriteOptions;
use crate::kubectl::context::Kubectl;
use crate::kubectl::flags::{Flag, FlagType, Parsed};
use crate::kubectl::printers::json::{print_json_typed, to_json_typed_compact};
use crate::kubectl::printers::{go_template, jsonpath, yaml::to_yaml};
use crate::kubectl::resources::qualified_name;

/// The flags of every create generator (and of `create -f` and `run`).
pub const COMMON_FLAGS: &[Flag] = &[
    Flag::bool("allow-missing-template-keys", None),
    Flag::optional("dry-run", None, "unchanged"),
    Flag::string("field-manager", None),
    Flag::string("output", Some('o')),
    Flag::bool("save-config", None),
    Flag::bool("show-managed-fields", None),
    Flag::string("template", None),
    Flag::optional("validate", None, "strict"),
];

/// The annotation `--save-config` writes and `kubectl apply` reads.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

const FORMATS: &str =
    "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,yaml";

/// `--dry-run`: where the object goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DryRun {
    /// Created for real.
    None,
    /// Printed without being sent.
    Client,
    /// Sent with `dryRun=All`: validated and defaulted, not stored.
    Server,
}

/// How the result prints: kubectl's `created` line, or an object printer.
pub enum Printer {
    Success,
    Name,
    Yaml,
    Json,
    JsonPath(jsonpath::Template),
    /// `-o go-template=...` (or `template=...`).
    GoTemplate(go_template::Template),
}

/// A generator's parsed command line and the common options.
pub struct Options {
    pub p: Parsed,
    pub name: String,
    pub dry_run: DryRun,
    pub printer: Printer,
}

/// The dry-run strategy from `--dry-run` (kubectl's GetDryRunStrategy), warning about the deprecated
/// boolean forms as kubectl does.
pub fn dry_run(k: &mut Kubectl<'_>, p: &Parsed) -> Option<DryRun> {
    match p.get("dry-run").unwrap_or("none") {
        "none" => Some(DryRun::None),
        "client" => Some(DryRun::Client),
        "server" => Some(DryRun::Server),
        "unchanged" => {
            warn(k, "helpers.go:719", "--dry-run is deprecated and can be replaced with --dry-run=client.");
            Some(DryRun::Client)
        }
        "true" => {
            warn(
                k,
                "helpers.go:733",
                "--dry-run=true is deprecated (boolean value) and can be replaced with --dry-run=client.",
            );
            Some(DryRun::Client)
        }
        "false" => {
            warn(
                k,
                "helpers.go:736",
                "--dry-run=false is deprecated (boolean value) and can be replaced with --dry-run=none.",
            );
            Some(DryRun::None)
        }
        other => {
            k.error(&format!("Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."));
            None
        }
    }
}

/// A klog warning line as kubectl writes it (`W1122 03:28:40.017053    5169 helpers.go:719] ...`), at
/// the cluster's virtual time and with process id 1, so that a replay prints the same line.
fn warn(k: &mut Kubectl<'_>, source: &str, msg: &str) {
    use crate::sim::klog::{Severity, line};
    k.out.err(format!("{}\n", line(Severity::Warning, k.now_ms() * 1000, source, msg)));
}

/// The printer `-o` asks for; the error is kubectl's.
pub fn printer(k: &mut Kubectl<'_>, p: &Parsed) -> Option<Printer> {
    let o = p.get("output").unwrap_or("");
    let printer = match o {
        "" => Printer::Success,
        "name" => Printer::Name,
        "yaml" => Printer::Yaml,
        "json" => Printer::Json,
        _ if o.starts_with("jsonpath=") || o == "jsonpath" => {
            let template = o.strip_prefix("jsonpath=").or(p.get("template")).unwrap_or("");
            match jsonpath::parse(template) {
                Ok(t) => Printer::JsonPath(t.allow_missing_keys(p.get("allow-missing-template-keys") != Some("false"))),
                Err(e) => {
                    k.out.fail(e.kubectl_message());
                    return None;
                }
            }
        }
        _ if ["go-template", "template"].iter().any(|f| o == *f || o.starts_with(&format!("{f}="))) => {
            let template = o.split_once('=').map(|(_, t)| t).or(p.get("template")).unwrap_or("");
            match go_template::parse(template) {
                Ok(t) => {
                    Printer::GoTemplate(t.allow_missing_keys(p.get("allow-missing-template-keys") != Some("false")))
                }
                Err(e) => {
                    k.out.fail(e.kubectl_message());
                    return None;
                }
            }
        }
        "kyaml" | "jsonpath-as-json" | "jsonpath-file" | "go-template-file" | "templatefile" => {
            k.error(&format!(
                "output format \"{o}\" is not available in the simulation; use yaml, json, name or jsonpath"
            ));
            return None;
        }
        _ if o.contains('=') && FORMATS.split(',').any(|f| o.starts_with(&format!("{f}="))) => {
            k.error(&format!(
                "output format \"{o}\" is not available in the simulation; use yaml, json, name or jsonpath"
            ));
            return None;
        }
        _ => {
            k.error(&format!(
                "unable to match a printer suitable for the output format \"{o}\", allowed formats are: {FORMATS}"
            ));
            return None;
        }
    };
    Some(printer)
}

/// Parses a generator's command line in kubectl's order: flags, required flags, exactly one NAME,
/// `--dry-run`, `-o`. Prints the first problem and returns None.
pub fn prepare(k: &mut Kubectl<'_>, flags: &[Flag], args: &[String], required: &[&str]) -> Option<Options> {
    let mut all = flags.to_vec();
    all.extend_from_slice(COMMON_FLAGS);
    let p = k.parse(&all, args)?;
    check_int32(k, &p, flags)?;
    let missing: Vec<String> = required.iter().filter(|f| !p.has(f)).map(|f| format!("\"{f}\"")).collect();
    if !missing.is_empty() {
        k.error(&format!("required flag(s) {} not set", missing.join(", ")));
        return None;
    }
    let name = match p.before_dash() {
        [name] => name.clone(),
        names => {
            k.help_error(&format!("exactly one NAME is required, got {}", names.len()));
            return None;
        }
    };
    let dry_run = dry_run(k, &p)?;
    let printer = printer(k, &p)?;
    Some(Options { p, name, dry_run, printer })
}

/// kubectl's numeric generator flags are Go `int32`s: a value beyond that range is pflag's "value out
/// of range" error.
fn check_int32(k: &mut Kubectl<'_>, p: &Parsed, flags: &[Flag]) -> Option<()> {
    for f in flags.iter().filter(|f| f.ty == FlagType::Int) {
        if let Some(v) = p.get(f.long)
            && v.parse::<i32>().is_err()
        {
            let shown = match f.short {
                Some(c) => format!("-{c}, --{}", f.long),
                None => format!("--{}", f.long),
            };
            k.usage_error(&format!(
                "invalid argument \"{v}\" for \"{shown}\" flag: strconv.ParseInt: parsing \"{v}\": value out of range"
            ));
            return None;
        }
    }
    Some(())
}

/// Sets `metadata.namespace` when `-n` was given (kubectl's EnforceNamespace) on a namespaced kind.
pub fn enforce_namespace(value: &mut Value, kind: Kind, p: &Parsed) {
    if kind.namespaced()
        && let Some(ns) = p.get("namespace").filter(|n| !n.is_empty())
        && let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut)
    {
        meta.insert("namespace".into(), Value::String(ns.to_string()));
    }
}

/// `--save-config`: the object's own JSON, as encoding/json writes it, in its annotations.
pub fn save_config(value: &mut Value, kind: Kind, typed: bool) {
    let mut json = if typed {
        to_json_typed_compact(value, kind.as_str())
    } else {
        crate::kubectl::printers::json::to_json_compact_sorted(value)
    };
    json.push('\n');
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        let annotations = meta.entry("annotations").or_insert_with(|| Value::Object(Default::default()));
        if let Some(a) = annotations.as_object_mut() {
            a.insert(LAST_APPLIED.into(), Value::String(json));
        }
    }
}

/// The end of every generator: namespace, `--save-config`, then create (or not) and print.
pub fn finish(k: &mut Kubectl<'_>, o: &Options, kind: Kind, mut value: Value) {
    enforce_namespace(&mut value, kind, &o.p);
    if o.p.bool("save-config") {
        save_config(&mut value, kind, true);
    }
    let _ = create_and_print(k, &o.p, o.dry_run, &o.printer, kind, value, None, true);
}

/// Sends `value` to the api-server unless `--dry-run=client`, then prints the result. `source` names
/// the manifest for `-f` errors (`error when creating "STDIN": ...`). `typed` says whether kubectl holds
/// a typed object (a generator, whose typed client also decodes the server's answer) or an unstructured
/// one (`-f`), which decides the JSON key order: Go struct order, or sorted.
/// Returns false if the server refused it.
#[allow(clippy::too_many_arguments)]
pub fn create_and_print(
    k: &mut Kubectl<'_>,
    p: &Parsed,
    dry_run: DryRun,
    printer: &Printer,
    kind: Kind,
    value: Value,
    source: Option<&str>,
    typed: bool,
) -> bool {
    let shown = match dry_run {
        DryRun::Client => value,
        DryRun::None | DryRun::Server => {
            let obj = match Object::from_value(kind, value) {
                Ok(o) => o,
                Err(e) => {
                    k.error(&format!(
                        "unable to decode {}: {e}",
                        source.map(|s| format!("\"{s}\"")).unwrap_or_else(|| kind.as_str().to_string())
                    ));
                    return false;
                }
            };
            let who = Kubectl::identity(p);
            let mut obj = obj;
            if kind.namespaced() && obj.namespace().is_none() {
                obj.meta_mut().namespace = Some(Kubectl::namespace(p));
            }
            let opts = WriteOptions { dry_run: dry_run == DryRun::Server };
            match k.cluster.api_mut().create(&who, obj, &opts) {
                Ok(created) => created.to_value(),
                Err(e) => {
                    match source {
                        Some(s) => k.out.fail(format!(
                            "Error from server ({}): error when creating \"{s}\": {}\n",
                            e.reason.as_str(),
                            e.message
                        )),
                        None => k.server_error(&e),
                    }
                    return false;
                }
            }
        }
    };
    print(k, printer, dry_run, kind, &shown, typed);
    true
}

/// Prints one object as `-o` asks, or kubectl's `created` line.
pub fn print(k: &mut Kubectl<'_>, printer: &Printer, dry_run: DryRun, kind: Kind, value: &Value, typed: bool) {
    let name = value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    match printer {
        Printer::Success => {
            let suffix = match dry_run {
                DryRun::None => "",
                DryRun::Client => " (dry run)",
                DryRun::Server => " (server dry run)",
            };
            k.out.out(format!("{} created{suffix}\n", qualified_name(kind, name)));
        }
        Printer::Name => k.out.out(format!("{}\n", qualified_name(kind, name))),
        Printer::Yaml => match to_yaml(value) {
            Ok(y) => k.out.out(y),
            Err(e) => k.error(&e.to_string()),
        },
        Printer::Json if typed => k.out.out(print_json_typed(value, kind.as_str())),
        Printer::Json => k.out.out(crate::kubectl::printers::json::print_json(value)),
        Printer::JsonPath(t) => match t.execute(value) {
            Ok(s) => k.out.out(s),
            Err(e) => k.out.fail(e.kubectl_message()),
        },
        Printer::GoTemplate(t) => {
            let raw = if typed {
                to_json_typed_compact(value, kind.as_str())
            } else {
                crate::kubectl::printers::json::to_json_compact_sorted(value)
            };
            print_go_template(k, t, value, &raw);
        }
    }
}

/// Runs a go-template over one value (an object or a List) as kubectl prints it: the output, or what
/// was printed before the failure and kubectl's debugging text on stdout and the error on stderr.
pub fn print_go_template(k: &mut Kubectl<'_>, t: &go_template::Template, value: &Value, raw_json: &str) {
    match t.execute(value, raw_json) {
        Ok(s) => k.out.out(s),
        Err(e) => {
            k.out.out(e.printed());
            k.out.fail(e.kubectl_message());
        }
    }
}
