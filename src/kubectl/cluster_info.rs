//! `kubectl cluster-info`: the control plane's address and the cluster services of `kube-system`
//! (those labelled `kubernetes.io/cluster-service=true`), printed without colour as kubectl does
//! when its output is not a terminal.

use super::config::SERVER;
use super::context::Kubectl;
use super::flags::Flag;
use crate::api::labels::Selector;
use crate::api::{Kind, Object};
use crate::apiserver::ListOptions;

const FLAGS: &[Flag] = &[];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    if args.first().is_some_and(|a| a == "dump") {
        return k.error("cluster-info dump is not simulated");
    }
    let Some(p) = k.parse(FLAGS, args) else { return };
    let ns = p.get("namespace").filter(|n| !n.is_empty()).unwrap_or("kube-system").to_string();
    let who = Kubectl::identity(&p);
    let options = ListOptions {
        label_selector: Selector::parse("kubernetes.io/cluster-service=true").ok(),
        ..Default::default()
    };
    let services = match k.cluster.api_mut().list(&who, Kind::Service, Some(&ns), &options) {
        Ok(l) => l.items,
        Err(e) => return k.server_error(&e),
    };
    let mut text = format!("Kubernetes control plane is running at {SERVER}\n");
    for obj in &services {
        let Object::Service(svc) = obj else { continue };
        let spec = svc.spec.clone().unwrap_or_default();
        let lb = svc.status.as_ref().and_then(|s| s.load_balancer.as_ref()).and_then(|l| l.ingress.as_ref());
        let link = match lb.and_then(|i| i.first()) {
            Some(ing) => {
                let ip = ing.ip.clone().or_else(|| ing.hostname.clone()).unwrap_or_default();
                spec.ports.iter().flatten().map(|p| format!("http://{ip}:{} ", p.port)).collect::<String>()
            }
            None => {
                let mut name = obj.name().to_string();
                if let Some(port) = spec.ports.as_ref().and_then(|p| p.first()) {
                    let pname = port.name.clone().unwrap_or_default();
                    let scheme = if pname == "https" || port.port == 443 { "https" } else { "" };
                    // utilnet.JoinSchemeNamePort: scheme and port name only when set.
                    name = match (scheme.is_empty(), pname.is_empty()) {
                        (true, true) => name,
                        (true, false) => format!("{name}:{pname}"),
                        (false, true) => format!("{scheme}:{name}:"),
                        (false, false) => format!("{scheme}:{name}:{pname}"),
                    };
                }
                format!("{SERVER}/api/v1/namespaces/{}/services/{name}/proxy", obj.namespace().unwrap_or(""))
            }
        };
        let label = obj.meta().labels.as_ref().and_then(|l| l.get("kubernetes.io/name")).cloned();
        let label = label.filter(|l| !l.is_empty()).unwrap_or_else(|| obj.name().to_string());
        text.push_str(&format!("{label} is running at {link}\n"));
    }
    text.push_str("\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n");
    k.out.out(text);
}
