//! What an endpoint pod answers: which of its containers listen on a port (the image's server,
//! running, on the image's ports, or http-echo's `-listen`), and the response its image gives: nginx's
//! default index.html, httpd's `It works!`, Tomcat's 404 page, traefik/whoami's report of its host,
//! addresses and the request it received, hashicorp/http-echo's `-text`. Also the pages ingress-nginx
//! serves itself (404 without a matching rule, 503 without endpoints).

use k8s_openapi::api::core::v1::{Container, Pod};

use crate::kubelet::images::{Catalog, Http, ImageRef};

/// nginx's default `index.html` (615 bytes).
pub const NGINX_WELCOME: &str = "<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href=\"http://nginx.org/\">nginx.org</a>.<br/>
Commercial support is available at
<a href=\"http://nginx.com/\">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
";

const IT_WORKS: &str = "<html><body><h1>It works!</h1></body></html>\n";

const TOMCAT_404: &str = "<!doctype html><html lang=\"en\"><head><title>HTTP Status 404 – Not Found</title><style type=\"text/css\">body {font-family:Tahoma,Arial,sans-serif;} h1, h2, h3, b {color:white;background-color:#525D76;} h1 {font-size:22px;} h2 {font-size:16px;} h3 {font-size:14px;} p {font-size:12px;} a {color:black;} .line {height:1px;background-color:#525D76;border:none;}</style></head><body><h1>HTTP Status 404 – Not Found</h1><hr class=\"line\" /><p><b>Type</b> Status Report</p><p><b>Description</b> The origin server did not find a current representation for the target resource or is not willing to disclose that one exists.</p><hr class=\"line\" /><h3>Apache Tomcat/11.0.10</h3></body></html>";

/// A page nginx (here ingress-nginx) writes for an error status.
pub fn nginx_error_page(status: u16, reason: &str) -> String {
    format!(
        "<html>\n<head><title>{status} {reason}</title></head>\n<body>\n<center><h1>{status} {reason}</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n"
    )
}

/// A response as the client receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub reason: &'static str,
    pub body: String,
    /// `namespace/name` of the pod that answered (None for the ingress controller's own pages).
    pub pod: Option<String>,
}

impl HttpResponse {
    pub fn page(status: u16, reason: &'static str, body: String, pod: Option<String>) -> Self {
        HttpResponse { status, reason, body, pod }
    }
}

/// What the server saw: the request line's path, the headers in the order the client sent them
/// (Host first), and the peer address.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub remote: String,
}

/// A container of `pod` that listens on `port`, with its HTTP behaviour.
pub fn listener<'a>(pod: &'a Pod, port: i32, catalog: &Catalog) -> Option<(&'a Container, Http)> {
    let spec = pod.spec.as_ref()?;
    let running: Vec<&str> = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .filter(|c| c.state.as_ref().is_some_and(|s| s.running.is_some()))
        .map(|c| c.name.as_str())
        .collect();
    spec.containers.iter().filter(|c| running.contains(&c.name.as_str())).find_map(|c| {
        let image = catalog.resolve(&ImageRef::parse(c.image.as_deref().unwrap_or("")).ok()?).ok()?;
        let overridden = c.command.is_some();
        if overridden && !image.spec.server_binaries.iter().any(|b| c.command.iter().flatten().any(|a| a == b)) {
            return None;
        }
        let ports: Vec<i32> = match image.spec.http {
            Http::Echo => vec![echo_port(c)],
            _ => image.spec.ports.iter().map(|p| i32::from(*p)).collect(),
        };
        ports.contains(&port).then_some((c, image.spec.http))
    })
}

/// The value of a Go-style flag (`-name=value` or `-name value`) among the container's args.
fn flag(c: &Container, name: &str) -> Option<String> {
    let args: Vec<&String> = c.command.iter().flatten().chain(c.args.iter().flatten()).collect();
    for (i, a) in args.iter().enumerate() {
        let bare = a.trim_start_matches('-');
        if a.starts_with('-') {
            if let Some(v) = bare.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
                return Some(v.to_string());
            }
            if bare == name {
                return args.get(i + 1).map(|v| v.to_string());
            }
        }
    }
    None
}

fn echo_port(c: &Container) -> i32 {
    flag(c, "listen").and_then(|l| l.rsplit(':').next().and_then(|p| p.parse().ok())).unwrap_or(5678)
}

/// The IPv6 link-local address whoami lists for eth0, derived from the pod address as a veth MAC
/// would be.
fn link_local(ip: &str) -> String {
    let o: Vec<u8> = ip.split('.').filter_map(|p| p.parse().ok()).collect();
    let (c, d) = (o.get(2).copied().unwrap_or(0), o.get(3).copied().unwrap_or(0));
    format!("fe80::{:x}:{:x}ff:fe{:02x}:{:02x}{:02x}", 0xa8u16 << 8 | 0x31, 0x4d, c, d, c ^ d)
}

/// The response of container `c` (behaviour `http`) of `pod` to `req`.
pub fn respond(pod: &Pod, c: &Container, http: Http, req: &Received) -> HttpResponse {
    let who =
        format!("{}/{}", pod.metadata.namespace.as_deref().unwrap_or(""), pod.metadata.name.as_deref().unwrap_or(""));
    let ok = |body: String| HttpResponse::page(200, "OK", body, Some(who.clone()));
    match http {
        Http::NginxWelcome if req.path == "/" || req.path == "/index.html" => ok(NGINX_WELCOME.to_string()),
        Http::NginxWelcome => {
            HttpResponse::page(404, "Not Found", nginx_error_page(404, "Not Found"), Some(who.clone()))
        }
        Http::ItWorks => ok(IT_WORKS.to_string()),
        Http::TomcatNotFound => HttpResponse::page(404, "", TOMCAT_404.to_string(), Some(who.clone())),
        Http::Echo => ok(format!("{}\n", flag(c, "text").unwrap_or_default())),
        Http::Bootcamp => {
            let version = if c.image.as_deref().is_some_and(|i| i.ends_with(":v2")) { 2 } else { 1 };
            let host = pod.metadata.name.as_deref().unwrap_or("");
            ok(format!("Hello Kubernetes bootcamp! | Running on: {host} | v={version}\n"))
        }
        Http::PhpOk => ok("OK!".to_string()),
        Http::Whoami => {
            let ip = pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default();
            let hostname = pod.metadata.name.clone().unwrap_or_default();
            let mut body = format!(
                "Hostname: {hostname}\nIP: 127.0.0.1\nIP: ::1\nIP: {ip}\nIP: {}\nRemoteAddr: {}\nGET {} HTTP/1.1\n",
                link_local(&ip),
                req.remote,
                req.path
            );
            // Go's Request.Write: Host, User-Agent, then the other headers sorted by name.
            let get =
                |name: &str| req.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
            body.push_str(&format!("Host: {}\n", get("Host").unwrap_or_default()));
            if let Some(ua) = get("User-Agent") {
                body.push_str(&format!("User-Agent: {ua}\n"));
            }
            let mut rest: Vec<&(String, String)> = req
                .headers
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("Host") && !k.eq_ignore_ascii_case("User-Agent"))
                .collect();
            rest.sort_by(|a, b| a.0.cmp(&b.0));
            for (k, v) in rest {
                body.push_str(&format!("{k}: {v}\n"));
            }
            body.push('\n');
            ok(body)
        }
        Http::None => HttpResponse::page(0, "", String::new(), Some(who)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages() {
        assert_eq!(NGINX_WELCOME.len(), 615);
        assert!(nginx_error_page(404, "Not Found").contains("<center><h1>404 Not Found</h1></center>"));
        assert!(link_local("10.244.1.5").starts_with("fe80::"));
    }
}
