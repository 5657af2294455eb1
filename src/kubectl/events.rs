//! `kubectl events`: the events of a namespace (or all, `-A`), oldest first, optionally only those of
//! one object (`--for TYPE/NAME`) or of some types (`--types Warning`), in kubectl's events table.
//! `-w` prints the list and returns (a script cannot stream).

use k8s_openapi::api::core::v1::Event;

use super::context::Kubectl;
use super::flags::Flag;
use super::printers::tabwriter::format_rows;
use crate::api::duration::translate_timestamp_since_millis;
use crate::api::fields::FieldSelector;
use crate::api::{Kind, Object, resource};
use crate::apiserver::ListOptions;

const FLAGS: &[Flag] = &[
    Flag::bool("all-namespaces", Some('A')),
    Flag::string("for", None),
    Flag::slice("types", None),
    Flag::bool("no-headers", None),
    Flag::bool("watch", Some('w')),
    Flag::string("output", Some('o')),
    Flag::string("chunk-size", None),
];

/// The instant an event sorts by: its series' last observation, else lastTimestamp, else eventTime.
fn event_time(e: &Event) -> i64 {
    e.series
        .as_ref()
        .and_then(|s| s.last_observed_time.as_ref())
        .map(|t| t.0.as_millisecond())
        .or_else(|| e.last_timestamp.as_ref().map(|t| t.0.as_millisecond()))
        .or_else(|| e.event_time.as_ref().map(|t| t.0.as_millisecond()))
        .unwrap_or(i64::MIN)
}

/// `getInterval`: `5s`, or `5s (x3 over 2m)` for a repeated event.
pub fn interval(e: &Event, now_ms: i64) -> String {
    let since = |ms: Option<i64>| translate_timestamp_since_millis(ms, now_ms);
    let first = match &e.event_time {
        Some(t) => since(Some(t.0.as_millisecond())),
        None => since(e.first_timestamp.as_ref().map(|t| t.0.as_millisecond())),
    };
    if let Some(s) = &e.series {
        let last = since(s.last_observed_time.as_ref().map(|t| t.0.as_millisecond()));
        return format!("{last} (x{} over {first})", s.count.unwrap_or(0));
    }
    match e.count {
        Some(c) if c > 1 => {
            format!("{} (x{c} over {first})", since(e.last_timestamp.as_ref().map(|t| t.0.as_millisecond())))
        }
        _ => first,
    }
}

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(FLAGS, args) else { return };
    let all = p.bool("all-namespaces");
    let ns = Kubectl::namespace(&p);
    let who = Kubectl::identity(&p);
    let mut types = p.all("types");
    if types.iter().any(|t| !t.eq_ignore_ascii_case("Normal") && !t.eq_ignore_ascii_case("Warning")) {
        return k.error("valid --types are Normal or Warning");
    }
    types.sort();
    types.dedup();
    let mut options = ListOptions::default();
    if let Some(f) = p.get("for").filter(|f| !f.is_empty()) {
        let Some((t, name)) = f.split_once('/') else { return k.error("--for must be in resource/name form") };
        if name.contains('/') {
            return k.error("arguments in resource/name form may not have more than one slash");
        }
        let Some(kind) = resource::resolve(t) else {
            return k.error(&format!("the server doesn't have a resource type \"{t}\""));
        };
        let sel = format!(
            "involvedObject.kind={},involvedObject.apiVersion={},involvedObject.name={name}",
            kind.as_str(),
            kind.api_version()
        );
        options.field_selector = FieldSelector::parse(&sel).ok();
    }
    let list_ns = if all { None } else { Some(ns.as_str()) };
    let items = match k.cluster.api_mut().list(&who, Kind::Event, list_ns, &options) {
        Ok(l) => l.items,
        Err(e) => return k.server_error(&e),
    };
    let mut events: Vec<Event> = items
        .into_iter()
        .filter_map(|o| match o {
            Object::Event(e) => Some((*e).clone()),
            _ => None,
        })
        .filter(|e| {
            types.is_empty() || types.iter().any(|t| e.type_.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(t)))
        })
        .collect();
    if events.is_empty() {
        if all {
            k.out.err("No events found.\n");
        } else {
            k.out.err(format!("No events found in {ns} namespace.\n"));
        }
        return;
    }
    events.sort_by_key(event_time);
    let now = k.now_ms();
    let mut rows: Vec<Vec<String>> = Vec::new();
    if !p.bool("no-headers") {
        let mut h: Vec<String> = Vec::new();
        if all {
            h.push("NAMESPACE".into());
        }
        h.extend(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"].map(String::from));
        rows.push(h);
    }
    for e in &events {
        let mut row: Vec<String> = Vec::new();
        if all {
            row.push(e.metadata.namespace.clone().unwrap_or_default());
        }
        let io = &e.involved_object;
        row.extend([
            interval(e, now),
            e.type_.clone().unwrap_or_default(),
            e.reason.clone().unwrap_or_default(),
            format!("{}/{}", io.kind.as_deref().unwrap_or(""), io.name.as_deref().unwrap_or("")),
            e.message.as_deref().unwrap_or("").trim().to_string(),
        ]);
        rows.push(row);
    }
    k.out.out(format_rows(&rows));
}
