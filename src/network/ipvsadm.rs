//! `ipvsadm` 1.31 (the version Debian and Alpine ship) over a node's IPVS table: `-L|-l` lists it
//! (`-n` numeric, `-t|-u|--sctp-service ADDR:PORT` one virtual service, `--sort` a no-op, and
//! `--nosort` the same sorted order, since the kernel's hash order depends on where its memory
//! lies), `-S` saves it as rules, `--timeout` and `--daemon` report what kube-proxy leaves as is,
//! `-v` and `-h` print the version and usage. Options are read the way popt reads them (clusters of
//! short options, `--long[=value]`, arguments anywhere), the first one must be a command, and errors
//! are ipvsadm's own words and exit codes. Listing and saving print what ipvsadm prints, column for
//! column: services and servers sorted by libipvs, `%-4s` protocol names, addresses cut at 33 and
//! 28 characters, the `Masq` forwarding of kube-proxy's real servers. Everything that would change
//! the table, and the counters views (`--stats`, `--rate`, `-c`, ...), are answered as not
//! simulated. Without `-n`, ports print as their /etc/services names and addresses as numbers (no
//! cluster address has a reverse record on the node).

use super::ipvs::VirtualServer;

const VERSION_LINE: &str = "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)";
const HEADER: &str = "IP Virtual Server version 1.2.1 (size=4096)\n";
const TITLE: &str =
    "Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

/// What one run of ipvsadm printed (stdout and stderr in order) and its exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub text: String,
    pub status: i32,
}

fn ok(text: String) -> Output {
    Output { text, status: 0 }
}

/// `fail()`: the message and exit status 2.
fn fail(msg: &str) -> Output {
    Output { text: format!("{msg}\n"), status: 2 }
}

fn not_simulated(what: &str) -> Output {
    Output { text: format!("ipvsadm: {what} is not simulated\n"), status: 1 }
}

/// ipvsadm's answer when it cannot talk to IPVS without CAP_NET_ADMIN.
pub fn permission_denied() -> Output {
    fail(
        "Can't initialize ipvs: Permission denied (you must be root)\nAre you sure that IP Virtual Server is built in the kernel or as module?",
    )
}

/// The commands (the first option), by long name and short letter.
const COMMANDS: &[(&str, Option<char>)] = &[
    ("add-service", Some('A')),
    ("edit-service", Some('E')),
    ("delete-service", Some('D')),
    ("clear", Some('C')),
    ("list", Some('L')),
    ("list", Some('l')),
    ("zero", Some('Z')),
    ("add-server", Some('a')),
    ("edit-server", Some('e')),
    ("delete-server", Some('d')),
    ("set", None),
    ("help", Some('h')),
    ("version", Some('v')),
    ("restore", Some('R')),
    ("save", Some('S')),
    ("start-daemon", None),
    ("stop-daemon", None),
];

/// The other options: long name, short letter, whether it takes an argument, and its name in
/// ipvsadm's option table (`optnames`) when that differs from the long name (empty: none).
const OPTIONS: &[(&str, Option<char>, bool, &str)] = &[
    ("tcp-service", Some('t'), true, "service-address"),
    ("udp-service", Some('u'), true, "service-address"),
    ("sctp-service", None, true, "service-address"),
    ("fwmark-service", Some('f'), true, "service-address"),
    ("scheduler", Some('s'), true, "scheduler"),
    ("persistent", Some('p'), false, "persistent"),
    ("netmask", Some('M'), true, "netmask"),
    ("real-server", Some('r'), true, "real-server"),
    ("masquerading", Some('m'), false, "forwarding-method"),
    ("ipip", Some('i'), false, "forwarding-method"),
    ("gatewaying", Some('g'), false, "forwarding-method"),
    ("weight", Some('w'), true, "weight"),
    ("u-threshold", Some('x'), true, "u-threshold"),
    ("l-threshold", Some('y'), true, "l-threshold"),
    ("numeric", Some('n'), false, "numeric"),
    ("connection", Some('c'), false, "connection"),
    ("mcast-interface", None, true, "mcast-interface"),
    ("syncid", None, true, "syncid"),
    ("timeout", None, false, "timeout"),
    ("daemon", None, false, "daemon"),
    ("stats", None, false, "stats"),
    ("rate", None, false, "rate"),
    ("thresholds", None, false, "thresholds"),
    ("persistent-conn", None, false, "persistent-conn"),
    ("nosort", None, false, "nosort"),
    ("sort", None, false, ""),
    ("exact", Some('X'), false, "exact"),
    ("ipv6", Some('6'), false, ""),
    ("ops", Some('o'), false, "ops"),
    ("pe", None, true, "pe"),
    ("sched-flags", Some('b'), true, "sched-flags"),
    ("mcast-group", None, true, "mcast-group"),
    ("mcast-port", None, true, "mcast-port"),
    ("mcast-ttl", None, true, "mcast-ttl"),
    ("sync-maxlen", None, true, "sync-maxlen"),
    ("tun-info", None, false, "tun-info"),
    ("tun-type", None, true, "tun-type"),
    ("tun-port", None, true, "tun-port"),
    ("tun-nocsum", None, false, "tun-nocsum"),
    ("tun-csum", None, false, "tun-csum"),
    ("tun-remcsum", None, false, "tun-remcsum"),
];

/// `commands_v_options`' list row: options a listing accepts, the exclusive ones (only one may be
/// given), in `optnames` order; every other option is illegal with it.
const LIST_OPTIONAL: &[&str] =
    &["numeric", "stats", "rate", "thresholds", "persistent-conn", "nosort", "syncid", "exact", "tun-info"];
const LIST_EXCLUSIVE: &[&str] = &["connection", "service-address", "timeout", "daemon"];
/// `optnames`, the order ipvsadm checks options in.
const OPTNAMES: &[&str] = &[
    "numeric",
    "connection",
    "service-address",
    "scheduler",
    "persistent",
    "netmask",
    "real-server",
    "forwarding-method",
    "weight",
    "u-threshold",
    "l-threshold",
    "mcast-interface",
    "timeout",
    "daemon",
    "stats",
    "rate",
    "thresholds",
    "persistent-conn",
    "nosort",
    "syncid",
    "exact",
    "ops",
    "pe",
    "sched-flags",
    "mcast-group",
    "mcast-port",
    "mcast-ttl",
    "sync-maxlen",
    "tun-info",
    "tun-type",
    "tun-port",
    "tun-nocsum",
    "tun-csum",
    "tun-remcsum",
];

/// One option as popt hands it over.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Opt {
    /// A command, with the option as it was typed.
    Command(&'static str, String),
    Option {
        long: &'static str,
        name: &'static str,
        value: Option<String>,
    },
}

/// popt's failures, with the option as it was typed.
enum ParseError {
    Unknown(String),
    MissingArgument(String),
}

/// Splits `args` as popt does: options in order, and the arguments that are not options.
fn parse(args: &[String]) -> (Vec<Result<Opt, ParseError>>, Vec<String>) {
    let mut opts = Vec::new();
    let mut rest = Vec::new();
    let mut it = args.iter().peekable();
    let option = |long: &'static str, typed: String, value: Option<String>| -> Opt {
        if let Some((name, _)) = COMMANDS.iter().find(|(n, _)| *n == long) {
            return Opt::Command(name, typed);
        }
        let name = OPTIONS.iter().find(|o| o.0 == long).map_or("", |o| o.3);
        Opt::Option { long, name, value }
    };
    while let Some(arg) = it.next() {
        if arg == "--" {
            rest.extend(it.by_ref().cloned());
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, attached) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let command = COMMANDS.iter().find(|(n, _)| *n == name).map(|(n, _)| (*n, false));
            let Some((long, takes)) = command.or_else(|| OPTIONS.iter().find(|o| o.0 == name).map(|o| (o.0, o.2)))
            else {
                opts.push(Err(ParseError::Unknown(arg.clone())));
                continue;
            };
            let takes = takes || matches!(long, "start-daemon" | "stop-daemon");
            let value = match attached {
                Some(v) => Some(v),
                None if takes => match it.next() {
                    Some(v) => Some(v.clone()),
                    None => {
                        opts.push(Err(ParseError::MissingArgument(arg.clone())));
                        continue;
                    }
                },
                None => None,
            };
            opts.push(Ok(option(long, format!("--{name}"), value)));
            continue;
        }
        let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty()) else {
            rest.push(arg.clone());
            continue;
        };
        for (i, c) in cluster.char_indices() {
            let command = COMMANDS.iter().find(|(_, s)| *s == Some(c)).map(|(n, _)| (*n, false));
            let Some((long, takes)) = command.or_else(|| OPTIONS.iter().find(|o| o.1 == Some(c)).map(|o| (o.0, o.2)))
            else {
                opts.push(Err(ParseError::Unknown(format!("-{c}"))));
                break;
            };
            if !takes {
                opts.push(Ok(option(long, format!("-{c}"), None)));
                continue;
            }
            let attached = &cluster[i + c.len_utf8()..];
            let value = if attached.is_empty() { it.next().cloned() } else { Some(attached.to_string()) };
            match value {
                Some(v) => opts.push(Ok(option(long, format!("-{c}"), Some(v)))),
                None => opts.push(Err(ParseError::MissingArgument(format!("-{c}")))),
            }
            break;
        }
    }
    (opts, rest)
}

/// `--tcp-service 10.96.0.1:443` and its kin: protocol, address and port (0 when none is given).
fn parse_service(long: &str, value: &str) -> Option<(String, String, i32)> {
    let protocol = match long {
        "tcp-service" => "TCP",
        "udp-service" => "UDP",
        _ => "SCTP",
    };
    let (addr, port) = match value.rsplit_once(':') {
        Some((a, p)) => (a, p.parse::<i32>().ok().filter(|p| (0..=65535).contains(p)).or_else(|| port_number(p))?),
        None => (value, 0),
    };
    super::is_ipv4(addr).then(|| (protocol.to_string(), addr.to_string(), port))
}

/// The /etc/services names of the ports a cluster's services use most.
const SERVICES: &[(i32, &str)] = &[(22, "ssh"), (53, "domain"), (80, "http"), (443, "https"), (8080, "http-alt")];

fn port_number(name: &str) -> Option<i32> {
    SERVICES.iter().find(|(_, n)| *n == name).map(|(p, _)| *p)
}

fn addrport(ip: &str, port: i32, numeric: bool) -> String {
    match SERVICES.iter().find(|(p, _)| *p == port).filter(|_| !numeric) {
        Some((_, name)) => format!("{ip}:{name}"),
        None => format!("{ip}:{port}"),
    }
}

/// The first `n` characters of `s` (ipvsadm cuts its columns with a NUL).
fn cut(s: &str, n: usize) -> &str {
    s.get(..n).unwrap_or(s)
}

/// The service line's scheduler flags: kube-proxy sets the source-hash flag for `mh`, which
/// ipvsadm names `mh-port`.
fn sched_flags(vs: &VirtualServer) -> &'static str {
    if vs.scheduler == "mh" { " (mh-port)" } else { "" }
}

/// One virtual service and its real servers, as `-L` prints them.
fn list_entry(vs: &VirtualServer, numeric: bool, out: &mut String) {
    let name = format!("{:<4} {}", vs.protocol, addrport(&vs.ip, vs.port, numeric));
    out.push_str(&format!("{} {}{}", cut(&name, 33), vs.scheduler, sched_flags(vs)));
    if let Some(timeout) = vs.persistent {
        out.push_str(&format!(" persistent {timeout}"));
    }
    out.push('\n');
    for rs in &vs.real_servers {
        let dname = addrport(&rs.ip, rs.port, numeric);
        out.push_str(&format!(
            "  -> {:<28} {:<7} {:<6} {:<10} {:<10}\n",
            cut(&dname, 28),
            "Masq",
            rs.weight,
            rs.active,
            rs.inactive
        ));
    }
}

/// One virtual service and its real servers, as `-S` writes them.
fn save_entry(vs: &VirtualServer, numeric: bool, out: &mut String) {
    let flag = match vs.protocol.as_str() {
        "TCP" => "-t",
        "UDP" => "-u",
        _ => "--sctp-service",
    };
    let name = format!("{flag} {}", addrport(&vs.ip, vs.port, numeric));
    out.push_str(&format!("-A {name} -s {}", vs.scheduler));
    if let Some(timeout) = vs.persistent {
        out.push_str(&format!(" -p {timeout}"));
    }
    if vs.scheduler == "mh" {
        out.push_str(" -b mh-port");
    }
    out.push('\n');
    for rs in &vs.real_servers {
        out.push_str(&format!("-a {name} -r {} -m -w {}\n", addrport(&rs.ip, rs.port, numeric), rs.weight));
    }
}

/// What a run asked for.
#[derive(Debug, Default)]
struct Request {
    command: Option<&'static str>,
    /// `optnames` entries given.
    given: Vec<&'static str>,
    numeric: bool,
    service: Option<(String, String, i32)>,
}

impl Request {
    fn has(&self, name: &str) -> bool {
        self.given.contains(&name)
    }

    /// `generic_opt_check`: each option given, in `optnames` order, against the command's row.
    fn check(&self, command: &str, optional: &[&str], exclusive: &[&str]) -> Result<(), Output> {
        let mut first: Option<&str> = None;
        for name in OPTNAMES.iter().filter(|n| self.has(n)) {
            if exclusive.contains(name) {
                if let Some(first) = first {
                    return Err(fail(&format!(
                        "The option '{name}' conflicts with the '{first}' option in the '{command}' command"
                    )));
                }
                first = Some(name);
            } else if !optional.contains(name) {
                return Err(fail(&format!("Illegal '{name}' option with the '{command}' command")));
            }
        }
        Ok(())
    }
}

/// Runs `ipvsadm ARGS` (invoked as `program`) against `table`, the IPVS table of the network
/// namespace it runs in.
pub fn run(program: &str, args: &[String], table: &[VirtualServer]) -> Output {
    let tryhelp =
        Output { text: format!("Try `{program} -h' or '{program} --help' for more information.\n"), status: 255 };
    if args.is_empty() {
        return ok(list_all(table, false));
    }
    let (opts, rest) = parse(args);
    let mut req = Request::default();
    for (i, opt) in opts.into_iter().enumerate() {
        match opt {
            Err(_) if i == 0 => return tryhelp,
            Err(ParseError::Unknown(o)) => return Output { text: format!("{o}: unknown option\n"), status: 255 },
            Err(ParseError::MissingArgument(o)) => {
                return Output { text: format!("{o}: missing argument\n"), status: 255 };
            }
            Ok(Opt::Command(c, _)) if i == 0 => req.command = Some(c),
            Ok(Opt::Command(_, typed)) => return fail(&format!("invalid option `{typed}'")),
            Ok(Opt::Option { .. }) if i == 0 => return tryhelp,
            Ok(Opt::Option { long, name, value }) => {
                if !name.is_empty() && req.given.contains(&name) {
                    return fail(&format!("multiple '{name}' options specified"));
                }
                if !name.is_empty() {
                    req.given.push(name);
                }
                match (long, value) {
                    ("numeric", _) => req.numeric = true,
                    ("tcp-service" | "udp-service" | "sctp-service", Some(v)) => match parse_service(long, &v) {
                        Some(s) => req.service = Some(s),
                        None => return fail("illegal virtual server address[:port] specified"),
                    },
                    _ => {}
                }
            }
        }
    }
    match req.command {
        Some("version") => ok(format!("{VERSION_LINE}\n")),
        Some("help") => ok(format!("{VERSION_LINE}\n{}", usage(program))),
        Some("list") => list(&req, &rest, table),
        Some("save") => {
            if let Err(e) = req.check("save", &["numeric"], &[]) {
                return e;
            }
            if let Some(arg) = rest.first() {
                return fail(&format!("unexpected argument {arg}"));
            }
            let mut out = String::new();
            for vs in table {
                save_entry(vs, req.numeric, &mut out);
            }
            ok(out)
        }
        Some(other) => not_simulated(&format!("the {other} command")),
        None => tryhelp,
    }
}

/// The listing commands, after ipvsadm's check of the options against the list command.
fn list(req: &Request, rest: &[String], table: &[VirtualServer]) -> Output {
    if let Err(e) = req.check("list", LIST_OPTIONAL, LIST_EXCLUSIVE) {
        return e;
    }
    if let Some(arg) = rest.first() {
        return fail(&format!("unexpected argument {arg}"));
    }
    let has = |n: &str| req.has(n);
    if (has("connection") || has("timeout") || has("daemon")) && (has("stats") || has("rate") || has("thresholds"))
        || (has("timeout") || has("daemon")) && has("persistent-conn")
    {
        return fail("options conflicts in the list command");
    }
    if let Some(view) =
        ["stats", "rate", "thresholds", "persistent-conn", "tun-info", "connection"].into_iter().find(|v| has(v))
    {
        return not_simulated(&format!("--{view}"));
    }
    if has("timeout") {
        return ok("Timeout (tcp tcpfin udp): 900 120 300\n".into());
    }
    if has("daemon") {
        return ok(String::new());
    }
    match &req.service {
        Some(key) => {
            let Some(vs) = table.iter().find(|v| (&v.protocol, &v.ip, v.port) == (&key.0, &key.1, key.2)) else {
                return Output { text: "No such service\n".into(), status: 1 };
            };
            let mut out = TITLE.to_string();
            list_entry(vs, req.numeric, &mut out);
            ok(out)
        }
        None => ok(list_all(table, req.numeric)),
    }
}

fn list_all(table: &[VirtualServer], numeric: bool) -> String {
    let mut out = format!("{HEADER}{TITLE}");
    for vs in table {
        list_entry(vs, numeric, &mut out);
    }
    out
}

fn usage(p: &str) -> String {
    let commands = [
        "-A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]",
        "-D virtual-service",
        "-C",
        "-R",
        "-S [-n]",
        "-a|e virtual-service -r server-address [options]",
        "-d virtual-service -r server-address",
        "-L|l [virtual-service] [options]",
        "-Z [virtual-service]",
        "--set tcp tcpfin udp",
        "--start-daemon {master|backup} [daemon-options]",
        "--stop-daemon {master|backup}",
        "-h",
    ];
    let mut out = String::from("Usage:\n");
    for c in commands {
        out.push_str(&format!("  {p} {c}\n"));
    }
    out.push('\n');
    out.push_str(USAGE_BODY);
    out
}

/// ipvsadm's usage after the synopsis (schedulers and persistence engines as 1.31 builds them).
const USAGE_BODY: &str = "Commands:
Either long or short options are allowed.
  --add-service     -A        add virtual service with options
  --edit-service    -E        edit virtual service with options
  --delete-service  -D        delete virtual service
  --clear           -C        clear the whole table
  --restore         -R        restore rules from stdin
  --save            -S        save rules to stdout
  --add-server      -a        add real server with options
  --edit-server     -e        edit real server with options
  --delete-server   -d        delete real server
  --list            -L|-l     list the table
  --zero            -Z        zero counters in a service or all services
  --set tcp tcpfin udp        set connection timeout values
  --start-daemon              start connection sync daemon
  --stop-daemon               stop connection sync daemon
  --help            -h        display this help message

virtual-service:
  --tcp-service|-t  service-address   service-address is host[:port]
  --udp-service|-u  service-address   service-address is host[:port]
  --sctp-service    service-address   service-address is host[:port]
  --fwmark-service|-f fwmark          fwmark is an integer greater than zero

Options:
  --ipv6         -6                   fwmark entry uses IPv6
  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh,
                                      the default scheduler is wlc.
  --pe            engine              alternate persistence engine may be sip,
                                      not set by default.
  --persistent   -p [timeout]         persistent service
  --netmask      -M netmask           persistent granularity mask
  --real-server  -r server-address    server-address is host (and port)
  --gatewaying   -g                   gatewaying (direct routing) (default)
  --ipip         -i                   ipip encapsulation (tunneling)
  --masquerading -m                   masquerading (NAT)
  --tun-type      type                one of ipip|gue|gre,
                                      the default tunnel type is ipip.
  --tun-port      port                tunnel destination port
  --tun-nocsum                        tunnel encapsulation without checksum
  --tun-csum                          tunnel encapsulation with checksum
  --tun-remcsum                       tunnel encapsulation with remote checksum
  --weight       -w weight            capacity of real server
  --u-threshold  -x uthreshold        upper threshold of connections
  --l-threshold  -y lthreshold        lower threshold of connections
  --connection   -c                   output of current IPVS connections
  --timeout                           output of timeout (tcp tcpfin udp)
  --daemon                            output of daemon information
  --stats                             output of statistics information
  --rate                              output of rate information
  --exact                             expand numbers (display exact values)
  --thresholds                        output of thresholds information
  --persistent-conn                   output of persistent connection info
  --tun-info                          output of tunnel information
  --nosort                            disable sorting output of service/server entries
  --sort                              does nothing, for backwards compatibility
  --ops          -o                   one-packet scheduling
  --numeric      -n                   numeric output of addresses and ports
  --sched-flags  -b flags             scheduler flags (comma-separated)
Daemon Options:
  --syncid sid                        syncid for connection sync (default=255)
  --sync-maxlen length                Max sync message length (default=1472)
  --mcast-interface interface         multicast interface for connection sync
  --mcast-group address               IPv4/IPv6 group (default=224.0.0.81)
  --mcast-port port                   UDP port (default=8848)
  --mcast-ttl ttl                     Multicast TTL (default=1)
";
