//! `kubectl get`: one or many kinds and names, selected by label and field, printed as kubectl's tables
//! (with `-o wide`, `--show-labels`, `-L`, `--no-headers`, `-A`), or as YAML, JSON or names.

use serde_json::{Value, json};

use super::columns::{self, RowCtx};
use super::context::Kubectl;
use super::flags::{Flag, Parsed};
use super::printers::{json::print_json, tabwriter::format_rows, yaml::to_yaml};
use super::resources::{self, qualified_name};
use crate::api::fields::FieldSelector;
use crate::api::labels::Selector;
use crate::api::{Kind, Object};
use crate::apiserver::ListOptions;

const FLAGS: &[Flag] = &[
    Flag::string("output", Some('o')),
    Flag::bool("all-namespaces", Some('A')),
    Flag::string("selector", Some('l')),
    Flag::string("field-selector", None),
    Flag::bool("show-labels", None),
    Flag::slice("label-columns", Some('L')),
    Flag::bool("no-headers", None),
    Flag::bool("ignore-not-found", None),
    Flag::bool("show-kind", None),
    Flag::bool("show-managed-fields", None),
    Flag::string("chunk-size", None),
    Flag::bool("server-print", None),
    Flag::string("sort-by", None),
    Flag::bool("watch", Some('w')),
    Flag::bool("watch-only", None),
    Flag::bool("output-watch-events", None),
    Flag::string("template", None),
    Flag::bool("allow-missing-template-keys", None),
];

/// The formats `-o` accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    Table {
        wide: bool,
    },
    Yaml,
    Json,
    Name,
    /// `-o jsonpath=TEMPLATE`.
    JsonPath(String),
    /// `-o custom-columns=SPEC`.
    CustomColumns(String),
    /// `-o go-template=TEMPLATE`, `-o template=TEMPLATE`, or either with `--template`.
    GoTemplate(String),
}

pub const UNKNOWN_FORMAT: &str = "allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";

/// Parses `-o` (with `--template` for a bare `-o go-template`); the error is kubectl's.
pub fn parse_format(o: Option<&str>, template: Option<&str>) -> Result<Format, String> {
    match o.unwrap_or("") {
        "go-template" | "template" => Ok(Format::GoTemplate(template.unwrap_or("").to_string())),
        other if other.starts_with("go-template=") || other.starts_with("template=") => {
            Ok(Format::GoTemplate(other.split_once('=').map_or("", |(_, t)| t).to_string()))
        }
        "" => Ok(Format::Table { wide: false }),
        "wide" => Ok(Format::Table { wide: true }),
        "yaml" => Ok(Format::Yaml),
        "json" => Ok(Format::Json),
        "name" => Ok(Format::Name),
        other if other.starts_with("jsonpath=") => Ok(Format::JsonPath(other["jsonpath=".len()..].to_string())),
        other if other.starts_with("custom-columns=") => {
            Ok(Format::CustomColumns(other["custom-columns=".len()..].to_string()))
        }
        other => Err(format!("unable to match a printer suitable for the output format \"{other}\", {UNKNOWN_FORMAT}")),
    }
}

/// `kind: List` around several objects, as kubectl prints a list in YAML or JSON.
pub fn list_value(items: Vec<Value>) -> Value {
    json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
}

/// Prints objects as YAML or JSON: one object alone, or a List.
pub fn print_objects(k: &mut Kubectl<'_>, objects: &[Object], format: &Format, as_list: bool) {
    let mut values: Vec<Value> = objects.iter().map(Object::to_value).collect();
    let value = if !as_list && values.len() == 1 { values.remove(0) } else { list_value(values) };
    match format {
        Format::Json => k.out.out(print_json(&value)),
        _ => match to_yaml(&value) {
            Ok(y) => k.out.out(y),
            Err(e) => k.error(&e.to_string()),
        },
    }
}

/// One group of rows of a single kind, laid out with its own column widths.
pub struct TableOptions {
    pub wide: bool,
    pub with_namespace: bool,
    pub with_kind: bool,
    pub show_labels: bool,
    pub label_columns: Vec<String>,
    pub no_headers: bool,
}

/// The table options the command line asks for.
fn table_options(p: &Parsed, wide: bool, with_namespace: bool, with_kind: bool) -> TableOptions {
    TableOptions {
        wide,
        with_namespace,
        with_kind,
        show_labels: p.bool("show-labels"),
        label_columns: p.all("label-columns"),
        no_headers: p.bool("no-headers"),
    }
}

pub fn print_table(kind: Kind, objects: &[Object], opts: &TableOptions, now_ms: i64) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    if !opts.no_headers {
        rows.push(table_header(kind, opts));
    }
    rows.extend(objects.iter().map(|obj| table_row(kind, obj, opts, now_ms)));
    format_rows(&rows)
}

/// The header of a kind's table with these options.
pub fn table_header(kind: Kind, opts: &TableOptions) -> Vec<String> {
    let cols = columns::columns(kind);
    let mut header: Vec<String> = Vec::new();
    if opts.with_namespace {
        header.push("NAMESPACE".into());
    }
    header.extend(cols.iter().filter(|(_, wide)| opts.wide || !wide).map(|(h, _)| h.to_string()));
    for l in &opts.label_columns {
        header.push(l.rsplit('/').next().unwrap_or(l).to_uppercase());
    }
    if opts.show_labels {
        header.push("LABELS".into());
    }
    header
}

/// One object's row in its kind's table, with ages as of `now_ms`.
pub fn table_row(kind: Kind, obj: &Object, opts: &TableOptions, now_ms: i64) -> Vec<String> {
    let cols = columns::columns(kind);
    let ctx = RowCtx { now_ms, wide: opts.wide };
    let cells = columns::cells(obj, &ctx);
    let mut row: Vec<String> = Vec::new();
    if opts.with_namespace {
        row.push(obj.namespace().unwrap_or("").to_string());
    }
    for (i, cell) in cells.into_iter().enumerate() {
        let wide_only = cols.get(i).is_some_and(|(_, w)| *w);
        if opts.wide || !wide_only {
            row.push(cell);
        }
    }
    let name_col = usize::from(opts.with_namespace);
    if opts.with_kind
        && kind != Kind::Event
        && let Some(name) = row.get_mut(name_col)
    {
        *name = qualified_name(kind, name);
    }
    let labels = obj.meta().labels.clone().unwrap_or_default();
    for l in &opts.label_columns {
        row.push(labels.get(l).cloned().unwrap_or_default());
    }
    if opts.show_labels {
        row.push(crate::api::labels::format_labels(&labels));
    }
    row
}

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(FLAGS, args) else { return };
    let format = match parse_format(p.get("output"), p.get("template")) {
        Ok(f) => f,
        Err(e) => return k.error(&e),
    };
    let requests = match resources::parse(&p.args) {
        Ok(r) if r.is_empty() => {
            let cmd = k.command.clone();
            k.out.fail(format!("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl {cmd} -h' for help and examples\n"));
            return;
        }
        Ok(r) => r,
        Err(e) => return k.error(&e.to_string()),
    };
    let all_namespaces = p.bool("all-namespaces");
    let namespace = Kubectl::namespace(&p);
    let who = Kubectl::identity(&p);
    let mut options = ListOptions::default();
    if let Some(l) = p.get("selector") {
        match Selector::parse(l) {
            Ok(s) => options.label_selector = Some(s),
            Err(e) => return k.error(&e.to_string()),
        }
    }
    if let Some(f) = p.get("field-selector") {
        match FieldSelector::parse(f) {
            Ok(s) => options.field_selector = Some(s),
            Err(e) => return k.error(&e.to_string()),
        }
    }
    let any_names = requests.iter().any(|r| !r.names.is_empty());
    let with_kind =
        requests.iter().map(|r| r.kind).collect::<std::collections::BTreeSet<_>>().len() > 1 || p.bool("show-kind");
    let mut groups: Vec<(Kind, Vec<Object>)> = Vec::new();
    let mut failed = false;
    let mut namespaced_request = false;
    for req in &requests {
        let ns = if all_namespaces || !req.kind.namespaced() { None } else { Some(namespace.as_str()) };
        namespaced_request |= ns.is_some();
        let mut found = Vec::new();
        if req.names.is_empty() {
            match k.cluster.api_mut().list(&who, req.kind, ns, &options) {
                Ok(list) => found = list.items,
                Err(e) => {
                    k.server_error(&e);
                    failed = true;
                    continue;
                }
            }
        } else {
            let ns = if req.kind.namespaced() { Some(namespace.as_str()) } else { None };
            for name in &req.names {
                match k.cluster.api_mut().get(&who, req.kind, ns, name) {
                    Ok(o) => found.push(o),
                    Err(e) if p.bool("ignore-not-found") && e.reason == crate::apiserver::Reason::NotFound => {}
                    Err(e) => k.server_error(&e),
                }
            }
        }
        match groups.last_mut() {
            Some((kind, objs)) if *kind == req.kind => objs.extend(found),
            _ => groups.push((req.kind, found)),
        }
    }
    if let Some(field) = p.get("sort-by").filter(|f| !f.is_empty()) {
        let template = match super::sort_by::parse_field(field) {
            Ok(t) => t,
            Err(e) => return k.error(&e.to_string()),
        };
        for (_, objs) in groups.iter_mut() {
            let values: Vec<Value> = objs.iter().map(Object::to_value).collect();
            let order = super::sort_by::order(&template, &values);
            *objs = order.into_iter().filter_map(|i| objs.get(i).cloned()).collect();
        }
    }
    if p.bool("watch") || p.bool("watch-only") {
        let [(kind, initial)] = groups.as_slice() else {
            return k.error(
                "watch is only supported on individual resources and resource collections - more than 1 resource was found",
            );
        };
        let names: Vec<String> = requests.iter().flat_map(|r| r.names.iter().cloned()).collect();
        let ns = if all_namespaces || !kind.namespaced() { None } else { Some(namespace.as_str()) };
        let request = super::watch::Request { kind: *kind, namespace: ns, options: &options, names: &names, who: &who };
        let wide = matches!(format, Format::Table { wide: true });
        let printing = super::watch::Printing {
            format: &format,
            table: table_options(&p, wide, all_namespaces && kind.namespaced(), false),
            watch_only: p.bool("watch-only"),
            events: p.bool("output-watch-events"),
        };
        return super::watch::run(k, &request, &printing, initial);
    }
    let total: usize = groups.iter().map(|(_, o)| o.len()).sum();
    match &format {
        Format::Yaml | Format::Json => {
            let objects: Vec<Object> = groups.into_iter().flat_map(|(_, o)| o).collect();
            if total > 0 || !any_names {
                let single = any_names && total == 1 && requests.iter().map(|r| r.names.len()).sum::<usize>() == 1;
                print_objects(k, &objects, &format, !single);
            }
        }
        Format::JsonPath(_) | Format::CustomColumns(_) | Format::GoTemplate(_) => {
            let objects: Vec<Object> = groups.into_iter().flat_map(|(_, o)| o).collect();
            let single = any_names && total == 1 && requests.iter().map(|r| r.names.len()).sum::<usize>() == 1;
            let allow_missing = p.get("allow-missing-template-keys") != Some("false");
            print_template(k, &format, &objects, single, p.bool("no-headers"), allow_missing);
        }
        Format::Name => {
            for (kind, objs) in &groups {
                for o in objs {
                    k.out.out(format!("{}\n", qualified_name(*kind, o.name())));
                }
            }
        }
        Format::Table { wide } => {
            let opts = table_options(&p, *wide, all_namespaces, with_kind);
            let now = k.now_ms();
            let mut first = true;
            for (kind, objs) in &groups {
                if objs.is_empty() {
                    continue;
                }
                if !first {
                    k.out.out("\n");
                }
                first = false;
                let ns_col = opts.with_namespace && kind.namespaced();
                let group_opts =
                    TableOptions { with_namespace: ns_col, label_columns: opts.label_columns.clone(), ..opts };
                k.out.out(print_table(*kind, objs, &group_opts, now));
            }
        }
    }
    // As upstream, "No resources found" only when nothing failed: an error already said why.
    if total == 0
        && !any_names
        && !failed
        && matches!(format, Format::Table { .. } | Format::Name | Format::CustomColumns(_))
    {
        if all_namespaces || !namespaced_request {
            k.out.err("No resources found\n");
        } else {
            k.out.err(format!("No resources found in {namespace} namespace.\n"));
        }
    }
}

/// `-o jsonpath` and `-o go-template` (over the one object, or a List of them) and `-o custom-columns`
/// (one row each).
fn print_template(
    k: &mut Kubectl<'_>,
    format: &Format,
    objects: &[Object],
    single: bool,
    no_headers: bool,
    allow_missing: bool,
) {
    let values: Vec<Value> = objects.iter().map(Object::to_value).collect();
    match format {
        Format::JsonPath(t) => {
            let template = match super::printers::jsonpath::parse(t) {
                Ok(t) => t,
                Err(e) => return k.error(&e.kubectl_message()),
            };
            let value = match (single, values.first()) {
                (true, Some(v)) => v.clone(),
                _ => list_value(values),
            };
            match template.execute(&value) {
                Ok(s) => k.out.out(s),
                Err(e) => k.error(&e.kubectl_message()),
            }
        }
        Format::GoTemplate(t) => {
            let template = match super::printers::go_template::parse(t) {
                Ok(t) => t.allow_missing_keys(allow_missing),
                Err(e) => return k.out.fail(e.kubectl_message()),
            };
            let value = match (single, values.first()) {
                (true, Some(v)) => v.clone(),
                _ => list_value(values),
            };
            let raw = super::printers::json::to_json_compact_sorted(&value);
            super::create::subcommand::print_go_template(k, &template, &value, &raw);
        }
        Format::CustomColumns(spec) => {
            if objects.is_empty() {
                return;
            }
            match super::printers::custom_columns::parse_spec(spec).and_then(|c| c.print(&values, no_headers)) {
                Ok(s) => k.out.out(s),
                Err(super::printers::custom_columns::CustomColumnsError::Template { reason, printed }) => {
                    k.out.out(printed);
                    k.error(&reason);
                }
                Err(e) => k.error(&e.to_string()),
            }
        }
        _ => {}
    }
}
