//! ipvsadm over hand-built IPVS tables: the listing's columns and order for a three-endpoint
//! service, a NodePort, ClientIP persistence and a service without endpoints; saving; the empty table
//! of iptables mode; and ipvsadm's answers to options it does not take.

use super::ipvsadm::run;
use super::proxy_config::ProxyMode;
use super::rules::{EndpointInfo, Rules, ServicePortRule};

const HEAD: &str = "IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

fn endpoint(ip: &str, port: i32) -> EndpointInfo {
    EndpointInfo {
        ip: ip.into(),
        port,
        node: Some("node-02".into()),
        ready: true,
        serving: true,
        terminating: false,
        pod: None,
    }
}

fn port(service: &str, cluster_ip: &str, port: i32, endpoints: Vec<EndpointInfo>) -> ServicePortRule {
    ServicePortRule {
        namespace: "default".into(),
        service: service.into(),
        port_name: String::new(),
        protocol: "TCP".into(),
        cluster_ip: Some(cluster_ip.into()),
        external_ips: Vec::new(),
        load_balancer_ips: Vec::new(),
        port,
        node_port: None,
        affinity_seconds: None,
        endpoints,
    }
}

/// node-01's table in ipvs mode with `ports`.
fn rules(ports: Vec<ServicePortRule>) -> Rules {
    let mut r = Rules::default();
    r.node = "node-01".into();
    r.node_ip = "172.18.0.3".into();
    r.pod_cidr = "10.244.1.0/24".into();
    r.set_mode(ProxyMode::Ipvs, "");
    for p in ports {
        let service = p.service.clone();
        r.set_service("default", &service, vec![p]);
    }
    r
}

fn ipvsadm(r: &Rules, line: &str) -> (String, i32) {
    let args: Vec<String> = line.split_whitespace().map(String::from).collect();
    let o = run("ipvsadm", &args, &r.ipvs_table(0));
    (o.text, o.status)
}

fn whoami() -> ServicePortRule {
    let eps = ["10.244.3.3", "10.244.1.3", "10.244.2.3"].map(|ip| endpoint(ip, 80)).to_vec();
    port("who", "10.105.111.247", 80, eps)
}

#[test]
fn three_endpoints_list_sorted_with_ipvsadm_columns() {
    let r = rules(vec![whoami()]);
    let expected = format!(
        "{HEAD}TCP  10.105.111.247:80 rr\n{}{}{}",
        "  -> 10.244.1.3:80                Masq    1      0          0         \n",
        "  -> 10.244.2.3:80                Masq    1      0          0         \n",
        "  -> 10.244.3.3:80                Masq    1      0          0         \n",
    );
    assert_eq!(ipvsadm(&r, "-Ln"), (expected.clone(), 0));
    assert_eq!(ipvsadm(&r, "-L -n"), (expected.clone(), 0));
    assert_eq!(ipvsadm(&r, "--list --numeric --sort"), (expected.clone(), 0));
    // Without -n, well-known ports print by name.
    assert!(ipvsadm(&r, "-L").0.contains("TCP  10.105.111.247:http rr\n  -> 10.244.1.3:http "));
    // One service, without the version line.
    let (one, code) = ipvsadm(&r, "-Ln -t 10.105.111.247:80");
    assert_eq!((one.as_str(), code), (&expected["IP Virtual Server version 1.2.1 (size=4096)\n".len()..], 0));
    assert_eq!(ipvsadm(&r, "-Ln -t 10.105.111.247:81"), ("No such service\n".into(), 1));
}

#[test]
fn node_ports_listen_on_every_node_address_and_sort_first() {
    let mut web = port("web", "10.99.198.210", 80, vec![endpoint("10.244.2.4", 8080)]);
    web.node_port = Some(30080);
    let r = rules(vec![web, port("kubernetes", "10.96.0.1", 443, vec![endpoint("172.18.0.2", 6443)])]);
    let (out, _) = ipvsadm(&r, "-Ln");
    let services: Vec<&str> = out.lines().filter(|l| l.starts_with("TCP")).collect();
    // libipvs's signed comparison puts 172.18.0.3 before the 10.x addresses.
    assert_eq!(
        services,
        ["TCP  172.18.0.3:30080 rr", "TCP  10.96.0.1:443 rr", "TCP  10.99.198.210:80 rr", "TCP  10.244.1.1:30080 rr"]
    );
    assert!(
        out.contains("TCP  10.96.0.1:443 rr\n  -> 172.18.0.2:6443              Masq    1      0          0         \n")
    );
}

#[test]
fn client_ip_affinity_is_persistence() {
    let mut sticky = whoami();
    sticky.affinity_seconds = Some(10800);
    let r = rules(vec![sticky]);
    assert!(ipvsadm(&r, "-Ln").0.contains("\nTCP  10.105.111.247:80 rr persistent 10800\n  -> 10.244.1.3:80 "));
    assert!(
        ipvsadm(&r, "-S -n")
            .0
            .starts_with("-A -t 10.105.111.247:80 -s rr -p 10800\n-a -t 10.105.111.247:80 -r 10.244.1.3:80 -m -w 1\n")
    );
}

#[test]
fn a_service_without_endpoints_has_a_virtual_server_alone() {
    let r = rules(vec![port("empty", "10.96.5.5", 80, Vec::new())]);
    assert_eq!(ipvsadm(&r, "-Ln").0, format!("{HEAD}TCP  10.96.5.5:80 rr\n"));
}

#[test]
fn connections_linger_as_inactive_and_schedulers_keep_their_names() {
    let mut r = rules(vec![whoami()]);
    let vs = r.ipvs_service("10.105.111.247", 80, "TCP", 0).unwrap();
    for _ in 0..4 {
        r.ipvs.schedule(&vs, "10.244.1.9", 1_000);
    }
    let lines: Vec<String> = r.ipvs_table(60_000)[0].real_servers.iter().map(|s| s.inactive.to_string()).collect();
    assert_eq!(lines, ["2", "1", "1"]);
    assert!(r.ipvs_table(121_001)[0].real_servers.iter().all(|s| s.inactive == 0));
    r.set_mode(ProxyMode::Ipvs, "mh");
    assert!(ipvsadm(&r, "-Ln").0.contains("TCP  10.105.111.247:80 mh (mh-port)\n"));
}

#[test]
fn iptables_mode_leaves_the_table_empty() {
    let mut r = rules(vec![whoami()]);
    r.set_mode(ProxyMode::IpTables, "");
    assert_eq!(ipvsadm(&r, "-Ln"), (HEAD.to_string(), 0));
    assert_eq!(ipvsadm(&r, ""), (HEAD.to_string(), 0));
}

#[test]
fn options_ipvsadm_refuses() {
    let r = rules(vec![whoami()]);
    let tryhelp = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n";
    for (line, text, code) in [
        ("-nL", tryhelp, 255),
        ("--bogus", tryhelp, 255),
        ("-Q", tryhelp, 255),
        ("-L --bogus", "--bogus: unknown option\n", 255),
        ("-Lq", "-q: unknown option\n", 255),
        ("-L -t", "-t: missing argument\n", 255),
        ("-L -L", "invalid option `-L'\n", 2),
        ("-Ln -n", "multiple 'numeric' options specified\n", 2),
        ("-L -s rr", "Illegal 'scheduler' option with the 'list' command\n", 2),
        ("-L -c --timeout", "The option 'timeout' conflicts with the 'connection' option in the 'list' command\n", 2),
        ("-Ln extra", "unexpected argument extra\n", 2),
        ("-Ln -t not-an-address", "illegal virtual server address[:port] specified\n", 2),
        ("-S --stats", "Illegal 'stats' option with the 'save' command\n", 2),
        ("-Ln --stats", "ipvsadm: --stats is not simulated\n", 1),
        ("-C", "ipvsadm: the clear command is not simulated\n", 1),
        ("-L --timeout", "Timeout (tcp tcpfin udp): 900 120 300\n", 0),
        ("-v", "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n", 0),
    ] {
        assert_eq!(ipvsadm(&r, line), (text.to_string(), code), "ipvsadm {line}");
    }
    assert!(ipvsadm(&r, "--help").0.contains("\n  ipvsadm -L|l [virtual-service] [options]\n"));
}
