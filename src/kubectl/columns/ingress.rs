//! Rows of Ingresses and IngressClasses, as upstream's printIngress and printIngressClass print them.

use k8s_openapi::api::networking::v1::{Ingress, IngressClass};

use super::{Cells, RowCtx, age};

/// `loadBalancerWidth`: addresses are clipped to this many bytes unless `-o wide`.
const LOAD_BALANCER_WIDTH: usize = 16;

/// `formatHosts`: the first three hosts, then ` + N more...`; `*` when no rule names a host.
fn hosts(ing: &Ingress) -> String {
    let rules = ing.spec.as_ref().and_then(|s| s.rules.as_deref()).unwrap_or_default();
    let mut list: Vec<&str> = Vec::new();
    let mut more = false;
    for rule in rules {
        more |= list.len() == 3;
        match rule.host.as_deref() {
            Some(h) if !more && !h.is_empty() => list.push(h),
            _ => {}
        }
    }
    match (list.is_empty(), more) {
        (true, _) => "*".into(),
        (false, true) => format!("{} + {} more...", list.join(","), rules.len() - 3),
        (false, false) => list.join(","),
    }
}

/// The load balancer's IPs (or hostnames), sorted and de-duplicated as a string set, clipped.
fn address(ing: &Ingress, wide: bool) -> String {
    let mut set: Vec<String> = ing
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|i| {
            i.ip.clone().filter(|ip| !ip.is_empty()).or_else(|| i.hostname.clone().filter(|h| !h.is_empty()))
        })
        .collect();
    set.sort();
    set.dedup();
    let joined = set.join(",");
    match joined.get(..LOAD_BALANCER_WIDTH - 3) {
        Some(head) if !wide && joined.len() > LOAD_BALANCER_WIDTH => format!("{head}..."),
        _ => joined,
    }
}

pub fn ingress_cells(ing: &Ingress, ctx: &RowCtx) -> Cells {
    let spec = ing.spec.as_ref();
    let tls = spec.and_then(|s| s.tls.as_ref()).is_some_and(|t| !t.is_empty());
    vec![
        ing.metadata.name.clone().unwrap_or_default(),
        spec.and_then(|s| s.ingress_class_name.clone()).unwrap_or_else(|| "<none>".into()),
        hosts(ing),
        address(ing, ctx.wide),
        if tls { "80, 443".into() } else { "80".into() },
        age(&ing.metadata, ctx),
    ]
}

pub fn class_cells(class: &IngressClass, ctx: &RowCtx) -> Cells {
    let spec = class.spec.as_ref();
    let parameters = spec.and_then(|s| s.parameters.as_ref()).map_or_else(
        || "<none>".to_string(),
        |p| match &p.api_group {
            Some(group) => format!("{}.{group}/{}", p.kind, p.name),
            None => format!("{}/{}", p.kind, p.name),
        },
    );
    vec![
        class.metadata.name.clone().unwrap_or_default(),
        spec.and_then(|s| s.controller.clone()).unwrap_or_default(),
        parameters,
        age(&class.metadata, ctx),
    ]
}
