//! describe's output primitives: the prefix writer over the describe tabwriter (each write indented
//! two spaces per level, as upstream's `PrefixWriter`), and the multi-line helpers every describer
//! shares — labels, annotations, taints, tolerations, RFC 1123 times, resource lists and the Events
//! table with its `x3 over 5m` ages.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Event, ResourceRequirements, Taint, Toleration};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, Time};

use crate::api::duration::translate_timestamp_since_millis;
use crate::api::labels::Selector;
use crate::kubectl::printers::tabwriter::TabWriter;

/// The annotation describe never shows.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// Annotations longer than this print on their own lines, cut at this length.
const MAX_ANNOTATION_LEN: usize = 140;

/// Upstream's `PrefixWriter` over `tabbedString`'s tabwriter (minwidth 0, tabwidth 8, padding 2).
pub struct Writer {
    tw: TabWriter,
    out: String,
    /// The current instant in Unix milliseconds, for ages.
    pub now_ms: i64,
}

impl Writer {
    pub fn new(now_ms: i64) -> Self {
        Writer { tw: TabWriter::for_describe(), out: String::new(), now_ms }
    }

    /// `Write(level, ...)`: two spaces per level before the text (not before each line of it).
    pub fn write(&mut self, level: usize, text: &str) {
        let mut s = "  ".repeat(level);
        s.push_str(text);
        self.tw.write(&s);
    }

    /// `WriteLine(text)`: the text and a newline.
    pub fn line(&mut self, text: &str) {
        self.tw.write(text);
        self.tw.write("\n");
    }

    /// Ends the current alignment block, as `Flush` before the events table does.
    pub fn flush(&mut self) {
        let s = self.tw.flush();
        self.out.push_str(&s);
    }

    pub fn finish(mut self) -> String {
        self.flush();
        self.out
    }

    /// An age since `t`, `<unknown>` without one.
    pub fn since(&self, t: Option<&Time>) -> String {
        translate_timestamp_since_millis(t.map(|t| t.0.as_millisecond()), self.now_ms)
    }

    /// `printLabelsMultiline`.
    pub fn labels(&mut self, title: &str, labels: Option<&BTreeMap<String, String>>) {
        self.labels_indent("", title, "\t", labels);
    }

    /// `printLabelsMultilineWithIndent`.
    pub fn labels_indent(
        &mut self,
        initial: &str,
        title: &str,
        inner: &str,
        labels: Option<&BTreeMap<String, String>>,
    ) {
        self.write(0, &format!("{initial}{title}:{inner}"));
        let lines: Vec<String> = labels.into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
        self.multiline(initial, inner, &lines);
    }

    /// The first item after the title, the others under it, `<none>` without any.
    fn multiline(&mut self, initial: &str, inner: &str, items: &[String]) {
        if items.is_empty() {
            self.line("<none>");
            return;
        }
        for (i, item) in items.iter().enumerate() {
            if i != 0 {
                self.write(0, &format!("{initial}{inner}"));
            }
            self.write(0, &format!("{item}\n"));
        }
    }

    /// `printAnnotationsMultiline`: sorted, without last-applied-configuration, long values on lines
    /// of their own.
    pub fn annotations(&mut self, title: &str, annotations: Option<&BTreeMap<String, String>>) {
        self.write(0, &format!("{title}:\t"));
        let items: Vec<(&String, &String)> =
            annotations.into_iter().flatten().filter(|(k, _)| k.as_str() != LAST_APPLIED).collect();
        if items.is_empty() {
            self.line("<none>");
            return;
        }
        for (i, (key, value)) in items.into_iter().enumerate() {
            if i != 0 {
                self.write(0, "\t");
            }
            let value = value.strip_suffix('\n').unwrap_or(value);
            if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
                self.write(0, &format!("{key}:\n"));
                for s in value.split('\n') {
                    self.write(0, &format!("\t  {}\n", shorten(s, MAX_ANNOTATION_LEN - 2)));
                }
            } else {
                self.write(0, &format!("{key}: {value}\n"));
            }
        }
    }

    /// `printNodeTaintsMultiline`: sorted by effect then key.
    pub fn taints(&mut self, title: &str, taints: &[Taint]) {
        self.write(0, &format!("{title}:\t"));
        let mut sorted: Vec<&Taint> = taints.iter().collect();
        sorted.sort_by(|a, b| (a.effect.as_str(), a.key.as_str()).cmp(&(b.effect.as_str(), b.key.as_str())));
        let items: Vec<String> = sorted.into_iter().map(taint_string).collect();
        self.multiline("", "\t", &items);
    }

    /// `printTolerationsMultilineWithIndent`: sorted by key.
    pub fn tolerations(&mut self, initial: &str, title: &str, tolerations: Option<&Vec<Toleration>>) {
        self.write(0, &format!("{initial}{title}:\t"));
        let mut sorted: Vec<&Toleration> = tolerations.into_iter().flatten().collect();
        sorted.sort_by(|a, b| a.key.cmp(&b.key));
        let items: Vec<String> = sorted.into_iter().map(toleration_string).collect();
        self.multiline(initial, "\t", &items);
    }

    /// `describeResources`: Limits then Requests, names sorted.
    pub fn resources(&mut self, r: Option<&ResourceRequirements>, level: usize) {
        let Some(r) = r else { return };
        for (title, list) in [("Limits", &r.limits), ("Requests", &r.requests)] {
            let Some(list) = list.as_ref().filter(|l| !l.is_empty()) else { continue };
            self.write(level, &format!("{title}:\n"));
            for (name, q) in list {
                self.write(level + 1, &format!("{name}:\t{}\n", quantity(q)));
            }
        }
    }

    /// `DescribeEvents`: `Events: <none>`, or the table sorted by last timestamp.
    pub fn events(&mut self, events: &[Event]) {
        if events.is_empty() {
            self.write(0, "Events:\t<none>\n");
            return;
        }
        self.flush();
        let mut sorted: Vec<&Event> = events.iter().collect();
        sorted.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0));
        self.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
        self.write(1, "----\t------\t----\t----\t-------\n");
        for e in sorted {
            let first = match &e.event_time {
                Some(t) => translate_timestamp_since_millis(Some(t.0.as_millisecond()), self.now_ms),
                None => self.since(e.first_timestamp.as_ref()),
            };
            let count = e.count.unwrap_or(0);
            let interval = match &e.series {
                Some(s) => format!(
                    "{} (x{} over {first})",
                    translate_timestamp_since_millis(
                        s.last_observed_time.as_ref().map(|t| t.0.as_millisecond()),
                        self.now_ms
                    ),
                    s.count.unwrap_or(0)
                ),
                None if count > 1 => format!("{} (x{count} over {first})", self.since(e.last_timestamp.as_ref())),
                None => first,
            };
            let source = e
                .source
                .as_ref()
                .and_then(|s| s.component.clone())
                .filter(|c| !c.is_empty())
                .or_else(|| e.reporting_component.clone())
                .unwrap_or_default();
            let mut message = e.message.as_deref().unwrap_or("").trim().to_string();
            if let Some(fp) = e.involved_object.field_path.as_deref().filter(|f| !f.is_empty()) {
                message = format!("{fp}: {message}");
            }
            self.write(1, &format!("{}\t{}\t{interval}\t{source}\t{message}\n", opt(&e.type_), opt(&e.reason)));
        }
    }
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) if s.len() > max => format!("{}...", &s[..i]),
        _ => s.to_string(),
    }
}

/// `Taint.ToString`: `key=value:Effect`, `key:Effect` without a value.
pub fn taint_string(t: &Taint) -> String {
    match t.value.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => format!("{}={v}:{}", t.key, t.effect),
        None => format!("{}:{}", t.key, t.effect),
    }
}

fn toleration_string(t: &Toleration) -> String {
    let key = t.key.as_deref().unwrap_or("");
    let value = t.value.as_deref().unwrap_or("");
    let effect = t.effect.as_deref().unwrap_or("");
    let mut s = key.to_string();
    if !value.is_empty() {
        s.push_str(&format!("={value}"));
    }
    if !effect.is_empty() {
        s.push_str(&format!(":{effect}"));
    }
    if t.operator.as_deref() == Some("Exists") && value.is_empty() {
        s.push_str(if !key.is_empty() || !effect.is_empty() { " op=Exists" } else { "op=Exists" });
    }
    if let Some(secs) = t.toleration_seconds {
        s.push_str(&format!(" for {secs}s"));
    }
    s
}

/// Go's `time.RFC1123Z` in UTC: `Mon, 02 Jan 2006 15:04:05 +0000`.
pub fn rfc1123z(t: Option<&Time>) -> String {
    // Go formats a missing time as its zero value.
    let ts = t
        .map(|t| t.0)
        .unwrap_or_else(|| k8s_openapi::jiff::Timestamp::from_second(-62_135_596_800).unwrap_or_default());
    ts.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// A quantity as `Quantity.String()` prints it (the stored form is already canonical).
pub fn quantity(q: &ApiQuantity) -> String {
    crate::api::quantity::Quantity::from_api(q).map(|q| q.to_string()).unwrap_or_else(|_| q.0.clone())
}

/// `metav1.FormatLabelSelector`: `<none>` for nil or empty.
pub fn format_label_selector(s: Option<&LabelSelector>) -> String {
    match s {
        Some(s) if s.match_labels.as_ref().is_some_and(|m| !m.is_empty()) || s.match_expressions.is_some() => {
            match Selector::from_label_selector(s) {
                Ok(sel) if !sel.is_empty() => sel.to_string(),
                Ok(_) => "<none>".into(),
                Err(_) => "<error>".into(),
            }
        }
        _ => "<none>".into(),
    }
}

/// `labels.FormatLabels` of a plain map: `k=v,...`, `<none>` when empty.
pub fn format_map(m: Option<&BTreeMap<String, String>>) -> String {
    crate::api::labels::format_labels(&m.cloned().unwrap_or_default())
}

/// `<none>` for an empty string.
pub fn or_none(s: &str) -> String {
    if s.is_empty() { "<none>".into() } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_alignment() {
        let mut w = Writer::new(0);
        w.write(0, "Name:\tweb\n");
        w.write(0, "Namespace:\tdefault\n");
        let mut l = BTreeMap::new();
        l.insert("app".to_string(), "web".to_string());
        l.insert("tier".to_string(), "x".to_string());
        w.labels("Labels", Some(&l));
        w.annotations("Annotations", None);
        assert_eq!(
            w.finish(),
            "Name:         web\nNamespace:    default\nLabels:       app=web\n              tier=x\nAnnotations:  <none>\n"
        );
    }

    #[test]
    fn time_format() {
        let t = Time(k8s_openapi::jiff::Timestamp::from_second(1_767_225_600).unwrap());
        assert_eq!(rfc1123z(Some(&t)), "Thu, 01 Jan 2026 00:00:00 +0000");
    }
}
