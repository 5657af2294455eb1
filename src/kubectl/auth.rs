//! `kubectl auth can-i VERB TYPE[/NAME] [--subresource=S]` (a SelfSubjectAccessReview: `yes`
//! with status 0 or `no` with status 1) and `kubectl auth whoami` (the requester's user and groups).

use super::context::Kubectl;
use super::flags::Flag;
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
    if p.has("list") {
        return k.error("--list is not simulated in Kubarium; ask about one verb and resource");
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
