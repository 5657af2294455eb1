//! `kubectl auth can-i VERB TYPE[/NAME] [--subresource=S]` (a SelfSubjectAccessReview: `yes`
//! with status 0 or `no` with status 1), `kubectl auth can-i --list` (a SelfSubjectRulesReview,
//! printed as upstream's rules table) and `kubectl auth whoami` (the requester's user and groups).

use k8s_openapi::api::rbac::v1::PolicyRule;

use super::context::Kubectl;
use super::flags::{Flag, Parsed};
use super::printers::tabwriter::format_rows;
use crate::api::resource::resolve;

const CAN_I_FLAGS: &[Flag] = &[
    Flag::bool("quiet", Some('q')),
    Flag::string("subresource", None),
    Flag::bool("list", None),
    Flag::bool("no-headers", None),
];

const WHOAMI_FLAGS: &[Flag] = &[];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    match args.first().map(String::as_str) {
        Some("can-i") => {
            k.command = "auth can-i".into();
            can_i(k, &args[1..]);
        }
        Some("whoami") => {
            k.command = "auth whoami".into();
            whoami(k, &args[1..]);
        }
        Some(other) => k.help_error(&format!("unknown command \"{other}\" for \"kubectl auth\"")),
        None => k.out.fail("Inspect authorization.\n\nAvailable Commands:\n  can-i         Check whether an action is allowed\n  reconcile     Reconciles rules for RBAC role, role binding, cluster role, and cluster role binding objects\n  whoami        Experimental: Check self subject attributes\n\nUsage:\n  kubectl auth [flags] [options]\n"),
    }
}

fn can_i(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(CAN_I_FLAGS, args) else { return };
    if p.bool("list") {
        return list(k, &p);
    }
    let [verb, target] = p.args.as_slice() else {
        return k.out.fail(
            "error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples.\n",
        );
    };
    let (resource, name) = target.split_once('/').unwrap_or((target.as_str(), ""));
    let who = Kubectl::identity(&p);
    let all = p.has("all-namespaces");
    let namespace = Kubectl::namespace(&p);
    let allowed = match resolve(resource) {
        Some(kind) => {
            let subresource = p.get("subresource").filter(|s| !s.is_empty());
            let ns = (!all).then_some(namespace.as_str());
            k.cluster.api_mut().self_subject_access_review(&who, verb, kind, subresource, ns, name)
        }
        None => {
            k.out.err(format!("Warning: the server doesn't have a resource type '{resource}'\n"));
            // Only a user allowed everything may act on a resource the server does not know.
            who.in_group("system:masters")
        }
    };
    if !p.has("quiet") {
        k.out.out(if allowed { "yes\n" } else { "no\n" });
    }
    if !allowed {
        k.out.exit_code = 1;
    }
}

fn whoami(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(p) = k.parse(WHOAMI_FLAGS, args) else { return };
    let who = Kubectl::identity(&p);
    let groups = format!("[{}]", who.groups.join(" "));
    let rows = [("ATTRIBUTE", "VALUE"), ("Username", who.user.as_str()), ("Groups", groups.as_str())];
    let width = rows.iter().map(|(a, _)| a.len()).max().unwrap_or(0) + 3;
    let text: String = rows.iter().map(|(a, v)| format!("{a:<width$}{v}\n")).collect();
    k.out.out(text);
}

/// `--list`: the review's rules broken down to one group, resource and name (or URL) each, rules that
/// differ only in verbs merged, sorted as upstream sorts them (by the rule's Go `String()`, so by
/// verbs first), under the header `Resources  Non-Resource URLs  Resource Names  Verbs`.
fn list(k: &mut Kubectl<'_>, p: &Parsed) {
    let who = Kubectl::identity(p);
    let namespace = Kubectl::namespace(p);
    let rules = k.cluster.api_mut().self_subject_rules_review(&who, &namespace);
    let mut broken: Vec<PolicyRule> = rules.iter().flat_map(breakdown).collect();
    broken = compact(broken);
    broken.sort_by_cached_key(go_string);
    let mut rows: Vec<Vec<String>> = Vec::new();
    if !p.bool("no-headers") {
        rows.push(["Resources", "Non-Resource URLs", "Resource Names", "Verbs"].map(String::from).to_vec());
    }
    for r in &broken {
        rows.push(vec![
            combine_resource_group(r),
            go_list(r.non_resource_urls.as_deref()),
            go_list(r.resource_names.as_deref()),
            go_list(Some(&r.verbs)),
        ]);
    }
    k.out.out(format_rows(&rows));
}

/// Go's `%v` of a `[]string`.
fn go_list(v: Option<&[String]>) -> String {
    format!("[{}]", v.unwrap_or_default().join(" "))
}

/// rbac's `BreakdownRule`: one rule per group, resource and resource name, and per non-resource URL.
fn breakdown(rule: &PolicyRule) -> Vec<PolicyRule> {
    let one = |s: &String| Some(vec![s.clone()]);
    let mut out = Vec::new();
    for group in rule.api_groups.iter().flatten() {
        for resource in rule.resources.iter().flatten() {
            let base = PolicyRule {
                verbs: rule.verbs.clone(),
                api_groups: one(group),
                resources: one(resource),
                ..PolicyRule::default()
            };
            match rule.resource_names.as_deref() {
                Some(names) if !names.is_empty() => {
                    out.extend(names.iter().map(|n| PolicyRule { resource_names: one(n), ..base.clone() }))
                }
                _ => out.push(base),
            }
        }
    }
    for url in rule.non_resource_urls.iter().flatten() {
        out.push(PolicyRule { verbs: rule.verbs.clone(), non_resource_urls: one(url), ..PolicyRule::default() });
    }
    out
}

/// rbac's `CompactRules`: rules on the same single group, resource and name gather their verbs.
fn compact(rules: Vec<PolicyRule>) -> Vec<PolicyRule> {
    let mut out: Vec<PolicyRule> = Vec::new();
    let mut simple: std::collections::BTreeMap<(String, String, Option<String>), usize> = Default::default();
    for rule in rules {
        let names = rule.resource_names.as_deref().unwrap_or_default();
        let key = match (rule.api_groups.as_deref().unwrap_or_default(), rule.resources.as_deref().unwrap_or_default())
        {
            ([g], [r]) if rule.non_resource_urls.is_none() && names.len() <= 1 && !rule.verbs.is_empty() => {
                Some((g.clone(), r.clone(), names.first().cloned()))
            }
            _ => None,
        };
        match key {
            Some(key) => match simple.get(&key) {
                Some(&i) => {
                    if let Some(existing) = out.get_mut(i) {
                        existing.verbs.extend(rule.verbs);
                    }
                }
                None => {
                    simple.insert(key, out.len());
                    out.push(rule);
                }
            },
            None => out.push(rule),
        }
    }
    out
}

/// The generated `PolicyRule.String()` upstream sorts by.
fn go_string(r: &PolicyRule) -> String {
    format!(
        "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
        go_list(Some(&r.verbs)),
        go_list(r.api_groups.as_deref()),
        go_list(r.resources.as_deref()),
        go_list(r.resource_names.as_deref()),
        go_list(r.non_resource_urls.as_deref())
    )
}

/// describe's `CombineResourceGroup`: `resource.group/subresource`.
fn combine_resource_group(r: &PolicyRule) -> String {
    let Some(resource) = r.resources.as_deref().and_then(<[String]>::first) else { return String::new() };
    let (name, sub) = match resource.split_once('/') {
        Some((n, s)) => (n, Some(s)),
        None => (resource.as_str(), None),
    };
    let mut out = name.to_string();
    if let Some(group) = r.api_groups.as_deref().and_then(<[String]>::first).filter(|g| !g.is_empty()) {
        out.push('.');
        out.push_str(group);
    }
    if let Some(sub) = sub {
        out.push('/');
        out.push_str(sub);
    }
    out
}
