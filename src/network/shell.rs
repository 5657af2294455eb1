//! The network tools a container can run, worded as their real binaries print them: busybox `wget`
//! (`-q`, `-O-`, `-T`, `--header`), curl (`-s`, `-S`, `-H`, `-i`), busybox `nslookup`,
//! `iptables-save` in the kube-proxy image and `ipvsadm` in nicolaka/netshoot's (the kube-proxy
//! image has no ipvsadm). Which tool an image has follows the image (busybox and alpine have
//! busybox's applets, Debian-based images curl). ipvsadm reads the IPVS table of the pod's network
//! namespace — the node's with `hostNetwork`, an empty one otherwise — and needs CAP_NET_ADMIN
//! (a privileged container, or the capability added). `PodNetwork` is the container's view of
//! the network the kubelet's shell calls through `NetworkAccess`; `exec` runs a whole command line
//! with it, as `kubectl exec` will.

use std::cell::RefCell;

use super::answer::HttpResponse;
use super::http::{Exchange, HttpRequest, NetError, http_request};
use super::{Network, dns, iptables, ipvsadm};
use crate::api::{Kind, Object};
use crate::apiserver::ApiServer;
use crate::kubelet::images::ImageRef;
use crate::kubelet::shell::builtins::date;
use crate::kubelet::shell::{Machine, NetOutput, NetworkAccess, Surroundings, Yield, exec as compile_argv};
use crate::sim::Rng;
use crate::sim::trace::{Component, Entry, EntryKind, ObjectRef};

/// curl's version in the Debian-based images.
const CURL_UA: &str = "curl/8.14.1";

/// Which network tools an image's filesystem has.
fn tools(repository: &str) -> &'static [&'static str] {
    match repository {
        "docker.io/library/busybox" | "docker.io/library/alpine" => &["wget", "nslookup"],
        "docker.io/library/nginx" | "docker.io/library/httpd" | "docker.io/library/tomcat" => &["curl"],
        "docker.io/library/python"
        | "docker.io/library/node"
        | "docker.io/library/perl"
        | "gcr.io/k8s-minikube/kubernetes-bootcamp"
        | "docker.io/jocatalin/kubernetes-bootcamp" => &["curl", "wget"],
        "registry.k8s.io/hpa-example" => &["curl"],
        "registry.k8s.io/kube-proxy" => &["iptables-save"],
        "docker.io/nicolaka/netshoot" => &["curl", "wget", "ipvsadm"],
        _ => &[],
    }
}

struct Inner<'a> {
    api: &'a mut ApiServer,
    net: &'a Network,
    rng: &'a mut Rng,
    namespace: String,
    pod: String,
    repository: String,
    /// The pod shares its node's network namespace.
    host_network: bool,
    /// The container may administer the network (CAP_NET_ADMIN).
    net_admin: bool,
}

/// One container's view of the network.
pub struct PodNetwork<'a> {
    inner: RefCell<Inner<'a>>,
}

impl<'a> PodNetwork<'a> {
    /// The network as container `container` of pod `namespace/pod` sees it (its image decides which
    /// tools exist); requests draw from `rng`.
    pub fn new(
        api: &'a mut ApiServer,
        net: &'a Network,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
        rng: &'a mut Rng,
    ) -> Self {
        let found = match api.peek(Kind::Pod, Some(namespace), pod) {
            Some(Object::Pod(p)) => Some(p),
            _ => None,
        };
        let spec = found.as_ref().and_then(|p| p.spec.as_ref());
        let c = spec.and_then(|s| s.containers.iter().find(|c| container.is_none_or(|n| n == c.name)));
        let repository = c
            .and_then(|c| c.image.as_deref())
            .and_then(|i| ImageRef::parse(i).ok())
            .and_then(|r| net.catalog.resolve(&r).ok())
            .map(|r| r.spec.repository.to_string())
            .unwrap_or_default();
        let security = c.and_then(|c| c.security_context.as_ref());
        let added = security.and_then(|s| s.capabilities.as_ref()).and_then(|c| c.add.as_ref());
        let net_admin = security.and_then(|s| s.privileged).unwrap_or(false)
            || added.is_some_and(|a| a.iter().any(|c| matches!(c.as_str(), "NET_ADMIN" | "CAP_NET_ADMIN" | "ALL")));
        let host_network = spec.and_then(|s| s.host_network).unwrap_or(false);
        let inner = Inner {
            api,
            net,
            rng,
            namespace: namespace.to_string(),
            pod: pod.to_string(),
            repository,
            host_network,
            net_admin,
        };
        PodNetwork { inner: RefCell::new(inner) }
    }
}

impl NetworkAccess for PodNetwork<'_> {
    fn run(&self, argv: &[String]) -> Option<NetOutput> {
        let cmd = argv.first()?;
        let base = cmd.rsplit('/').next().unwrap_or(cmd);
        let mut inner = self.inner.borrow_mut();
        if !tools(&inner.repository).contains(&base) {
            return None;
        }
        let args = argv.get(1..).unwrap_or_default();
        Some(match base {
            "wget" => inner.wget(args),
            "curl" => inner.curl(args),
            "nslookup" => inner.nslookup(args),
            "ipvsadm" => inner.ipvsadm(cmd, args),
            _ => inner.iptables_save(args),
        })
    }

    fn resolv_conf(&self) -> Option<String> {
        Some(dns::resolv_conf(&self.inner.borrow().namespace))
    }

    fn has_tool(&self, name: &str) -> bool {
        tools(&self.inner.borrow().repository).contains(&name.rsplit('/').next().unwrap_or(name))
    }
}

fn out(text: String, status: i32) -> NetOutput {
    NetOutput { text, status }
}

/// Splits `Name: value`.
fn header(h: &str) -> Option<(String, String)> {
    let (k, v) = h.split_once(':')?;
    Some((k.trim().to_string(), v.trim().to_string()))
}

impl Inner<'_> {
    fn request(&mut self, url: &str, headers: Vec<(String, String)>) -> Result<Exchange, NetError> {
        let req = HttpRequest { url: url.to_string(), headers };
        let (ns, pod) = (self.namespace.clone(), self.pod.clone());
        http_request(self.api, self.net, &ns, &pod, &req, self.rng)
    }

    /// busybox wget.
    fn wget(&mut self, args: &[String]) -> NetOutput {
        let (mut quiet, mut to_stdout, mut url, mut headers) = (false, false, None, Vec::new());
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "-q" => quiet = true,
                "-O-" | "-qO-" | "-O" | "-qO" => {
                    quiet |= a.starts_with("-q");
                    if a.ends_with('O') {
                        to_stdout = it.next().is_some_and(|f| f == "-");
                    } else {
                        to_stdout = true;
                    }
                }
                "-T" => {
                    it.next();
                }
                "--header" => headers.extend(it.next().and_then(|h| header(h))),
                s if s.starts_with('-') => {}
                s => url = Some(s.to_string()),
            }
        }
        let Some(url) = url else {
            return out("BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n".into(), 1);
        };
        headers.insert(0, ("User-Agent".into(), "Wget".into()));
        headers.push(("Connection".into(), "close".into()));
        let url = if url.contains("://") { url } else { format!("http://{url}") };
        match self.request(&url, headers) {
            Ok(x) if (200..400).contains(&x.response.status) => {
                let mut text = String::new();
                if !quiet {
                    text.push_str(&format!("Connecting to {} ({}:{})\n", x.host, x.ip, x.port));
                    text.push_str(if to_stdout { "writing to stdout\n" } else { "saving to 'index.html'\n" });
                }
                if to_stdout {
                    text.push_str(&x.response.body);
                }
                if !quiet {
                    let name = if to_stdout { "-" } else { "index.html" };
                    text.push_str(&format!(
                        "{name:<20}100% |{}| {:>5}  0:00:00 ETA\n",
                        "*".repeat(32),
                        x.response.body.len()
                    ));
                    text.push_str(if to_stdout { "written to stdout\n" } else { "'index.html' saved\n" });
                }
                out(text, 0)
            }
            Ok(x) => {
                let connecting =
                    if quiet { String::new() } else { format!("Connecting to {} ({}:{})\n", x.host, x.ip, x.port) };
                let status = format!("{} {}", x.response.status, x.response.reason);
                out(format!("{connecting}wget: server returned error: HTTP/1.1 {}\n", status.trim_end()), 1)
            }
            Err(e) => {
                let text = match &e {
                    NetError::BadAddress(h) => format!("wget: bad address '{h}'\n"),
                    NetError::Refused { ip, port } => {
                        format!(
                            "{}wget: can't connect to remote host ({ip}): Connection refused\n",
                            self.connecting(&url, ip, *port, quiet)
                        )
                    }
                    NetError::TimedOut { ip, port } => format!(
                        "{}wget: can't connect to remote host ({ip}): Connection timed out\n",
                        self.connecting(&url, ip, *port, quiet)
                    ),
                    NetError::NotHttp { .. } => "wget: error getting response: Connection reset by peer\n".into(),
                    NetError::BadUrl(u) => format!("wget: bad address '{u}'\n"),
                    NetError::NoSource(_) => "wget: bad address\n".into(),
                };
                out(text, 1)
            }
        }
    }

    fn connecting(&self, url: &str, ip: &str, port: i32, quiet: bool) -> String {
        if quiet {
            return String::new();
        }
        let host = super::http::parse_url(url).map(|(h, _, _)| h).unwrap_or_default();
        format!("Connecting to {host} ({ip}:{port})\n")
    }

    /// curl.
    fn curl(&mut self, args: &[String]) -> NetOutput {
        let (mut silent, mut show_error, mut include, mut url, mut headers) = (false, false, false, None, Vec::new());
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "-H" | "--header" => headers.extend(it.next().and_then(|h| header(h))),
                "-o" | "-m" | "--max-time" | "--connect-timeout" | "-X" => {
                    it.next();
                }
                s if s.starts_with("--") => {
                    silent |= s == "--silent";
                    show_error |= s == "--show-error";
                    include |= s == "--include";
                }
                s if s.starts_with('-') => {
                    silent |= s.contains('s');
                    show_error |= s.contains('S');
                    include |= s.contains('i');
                }
                s => url = Some(s.to_string()),
            }
        }
        let Some(url) = url else {
            return out("curl: try 'curl --help' or 'curl --manual' for more information\n".into(), 2);
        };
        let mut sent = vec![("User-Agent".to_string(), CURL_UA.to_string()), ("Accept".to_string(), "*/*".to_string())];
        for (k, v) in headers {
            match sent.iter_mut().find(|(h, _)| h.eq_ignore_ascii_case(&k)) {
                Some(h) => h.1 = v,
                None => sent.push((k, v)),
            }
        }
        let url = if url.contains("://") { url } else { format!("http://{url}") };
        let quiet_errors = silent && !show_error;
        match self.request(&url, sent) {
            Ok(Exchange { response, .. }) => out(curl_body(&response, include), 0),
            Err(e) => {
                let (code, text) = match e {
                    NetError::BadAddress(h) => (6, format!("curl: (6) Could not resolve host: {h}\n")),
                    NetError::Refused { ip, port } => (
                        7,
                        format!(
                            "curl: (7) Failed to connect to {ip} port {port} after 0 ms: Couldn't connect to server\n"
                        ),
                    ),
                    NetError::TimedOut { ip, port } => (
                        28,
                        format!(
                            "curl: (28) Failed to connect to {ip} port {port} after 135000 ms: Couldn't connect to server\n"
                        ),
                    ),
                    NetError::NotHttp { .. } => (52, "curl: (52) Empty reply from server\n".to_string()),
                    NetError::BadUrl(u) => (3, format!("curl: (3) URL rejected: Bad hostname {u}\n")),
                    NetError::NoSource(_) => (7, "curl: (7) Couldn't connect to server\n".to_string()),
                };
                out(if quiet_errors { String::new() } else { text }, code)
            }
        }
    }

    fn nslookup(&mut self, args: &[String]) -> NetOutput {
        let Some(name) = args.iter().find(|a| !a.starts_with('-')) else {
            return out("BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any\n".into(), 1);
        };
        let text = dns::nslookup(&self.net.dns, name, &self.namespace);
        self.trace("nslookup", Component::CoreDns, name.to_string());
        out(text, 0)
    }

    /// The node the pod runs on.
    fn node(&self) -> String {
        match self.api.peek(Kind::Pod, Some(&self.namespace), &self.pod) {
            Some(Object::Pod(p)) => p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default(),
            _ => String::new(),
        }
    }

    fn iptables_save(&mut self, args: &[String]) -> NetOutput {
        let node = self.node();
        let table = args.windows(2).find(|w| w[0] == "-t").map(|w| w[1].as_str()).unwrap_or("nat");
        let Some(rules) = self.net.proxies.get(&node) else { return out(String::new(), 0) };
        if table != "nat" {
            return out(format!("iptables-save v1.8.11 (nf_tables): Table '{table}' is not simulated\n"), 1);
        }
        let when = date(self.api.clock().unix_millis(self.api.now())).replace(" UTC", "");
        let text = iptables::save_nat(&rules.snapshot(), &when);
        self.trace("iptables-save", Component::KubeProxy(node.as_str().into()), "nat table".into());
        out(text, 0)
    }

    /// ipvsadm, invoked as `program`: the node's IPVS table for a host-network pod, an empty one
    /// (the pod's own network namespace) otherwise.
    fn ipvsadm(&mut self, program: &str, args: &[String]) -> NetOutput {
        if !self.net_admin {
            let o = ipvsadm::permission_denied();
            return out(o.text, o.status);
        }
        let node = self.node();
        let now_ms = self.api.clock().unix_millis(self.api.now());
        let table = match self.net.proxies.get(&node).filter(|_| self.host_network) {
            Some(rules) => rules.lock().ipvs_table(now_ms),
            None => Vec::new(),
        };
        let o = ipvsadm::run(program, args, &table);
        if self.host_network {
            let note = format!("IPVS table: {} virtual server(s)", table.len());
            self.trace("ipvsadm", Component::KubeProxy(node.as_str().into()), note);
        }
        out(o.text, o.status)
    }

    fn trace(&mut self, verb: &'static str, to: Component, note: String) {
        let object = ObjectRef::new("Pod", &self.namespace, &self.pod);
        self.api.record(Entry::new(Component::Kubectl, to, EntryKind::Decision, verb, object).note(note));
    }
}

/// What curl prints for a response (`-i` adds the status line and headers).
fn curl_body(r: &HttpResponse, include: bool) -> String {
    if !include {
        return r.body.clone();
    }
    let server = if r.pod.is_none() { "Server: nginx\n" } else { "" };
    format!("HTTP/1.1 {} {}\n{server}Content-Length: {}\n\n{}", r.status, r.reason, r.body.len(), r.body)
}

/// Runs `argv` in container `container` of `namespace/pod` with the network at hand, as `kubectl exec`
/// does; returns what it printed and its exit status. Sleeps inside pass at once.
pub fn exec(
    api: &mut ApiServer,
    net: &Network,
    namespace: &str,
    pod: &str,
    container: Option<&str>,
    argv: &[String],
    rng: &mut Rng,
) -> (String, i32) {
    let now_unix_ms = api.clock().unix_millis(api.now());
    let access = PodNetwork::new(api, net, namespace, pod, container, rng);
    let env = Surroundings { hostname: pod.to_string(), now_unix_ms, net: Some(&access) };
    let mut machine = Machine::new(compile_argv(argv), Default::default(), "sh");
    let mut lines = Vec::new();
    for _ in 0..64 {
        if let Yield::Exit(code) = machine.run(&env, &mut lines) {
            let mut text = lines.join("\n");
            if !text.is_empty() {
                text.push('\n');
            }
            return (text, code);
        }
    }
    (lines.join("\n"), 0)
}
