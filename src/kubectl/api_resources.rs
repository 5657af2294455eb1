//! `kubectl api-resources` and `kubectl api-versions`: discovery as the simulated api-server serves
//! it, from the one resource table (only the kinds Kubarium serves are listed).

use std::collections::BTreeSet;

use super::context::Kubectl;
use super::flags::Flag;
use super::printers::tabwriter::format_rows;
use crate::api::Kind;

const FLAGS: &[Flag] = &[
    Flag::string("output", Some('o')),
    Flag::string("api-group", None),
    Flag::bool("namespaced", None),
    Flag::slice("verbs", None),
    Flag::string("sort-by", None),
    Flag::bool("cached", None),
    Flag::slice("categories", None),
    Flag::bool("no-headers", None),
];

pub fn api_resources(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(FLAGS, args) else { return };
    if !p.args.is_empty() {
        return k.help_error(&format!("unexpected arguments: [{}]", p.args.join(" ")));
    }
    let output = p.get("output").unwrap_or("");
    if !matches!(output, "" | "wide" | "name") {
        return k.error(&format!(
            "unable to match a printer suitable for the output format \"{output}\", allowed formats are: name,wide"
        ));
    }
    let sort = p.get("sort-by").unwrap_or("");
    if !matches!(sort, "" | "name" | "kind") {
        return k.error("--sort-by accepts only name or kind");
    }
    let verbs = p.all("verbs");
    let categories = p.all("categories");
    let mut kinds: Vec<Kind> = Kind::ALL
        .iter()
        .copied()
        .filter(|kind| !p.has("api-group") || p.get("api-group") == Some(kind.group()))
        .filter(|kind| !p.has("namespaced") || p.bool("namespaced") == kind.namespaced())
        .filter(|kind| verbs.iter().all(|v| kind.verbs().contains(&v.as_str())))
        .filter(|kind| categories.iter().all(|c| kind.info().categories.contains(&c.as_str())))
        .collect();
    kinds.sort_by(|a, b| {
        let key = |k: &Kind| match sort {
            "name" => k.plural().to_string(),
            "kind" => k.as_str().to_string(),
            _ => k.group().to_string(),
        };
        key(a).cmp(&key(b)).then_with(|| a.plural().cmp(b.plural()))
    });
    if output == "name" {
        let names: String = kinds.iter().map(|k| format!("{}\n", k.qualified_plural())).collect();
        return k.out.out(names);
    }
    let wide = output == "wide";
    let mut rows: Vec<Vec<String>> = Vec::new();
    if !p.bool("no-headers") {
        let mut h: Vec<String> = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"].map(String::from).to_vec();
        if wide {
            h.extend(["VERBS", "CATEGORIES"].map(String::from));
        }
        rows.push(h);
    }
    for kind in kinds {
        let info = kind.info();
        let mut row = vec![
            kind.plural().to_string(),
            info.short_names.join(","),
            kind.api_version().to_string(),
            info.namespaced.to_string(),
            kind.as_str().to_string(),
        ];
        if wide {
            row.push(kind.verbs().join(","));
            row.push(info.categories.join(","));
        }
        rows.push(row);
    }
    k.out.out(format_rows(&rows));
}

pub fn api_versions(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(&[], args) else { return };
    if !p.args.is_empty() {
        return k.help_error(&format!("unexpected arguments: [{}]", p.args.join(" ")));
    }
    let versions: BTreeSet<&str> = Kind::ALL.iter().map(|k| k.api_version()).collect();
    let text: String = versions.into_iter().map(|v| format!("{v}\n")).collect();
    k.out.out(text);
}
