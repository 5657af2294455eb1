//! What kube-proxy v1.36 writes to its container log when it starts: the node informer's sync, the
//! node IP, conntrack sizing, the warning about unset `nodePortAddresses`, the proxier it uses and,
//! in ipvs mode, the deprecation error and the default-scheduler notice (for IPv4 and IPv6, as on a
//! dual-stack-capable host), then its version and the config controllers starting and syncing.
//! Lines, sources and spacing follow a real v1.36.1 kube-proxy in ipvs mode; the iptables-mode
//! lines (`Using iptables proxy`, `Using iptables Proxier`, route_localnet) keep v1.35.0's wording
//! with their source lines moved by the one line v1.36 added above them, which no v1.36 log read so
//! far confirms.

use super::proxy_config::{ProxyConfig, ProxyMode};
use crate::sim::klog::{Severity, line};

/// What kube-proxy logs, and records as a Warning event on its Node, when it starts in ipvs mode.
pub const IPVS_DEPRECATION: &str =
    "The ipvs proxier is now deprecated and may be removed in a future release. Please use 'nftables' instead.";

/// conntrack's `maxPerCore` default and its floor (`min`).
const CONNTRACK_PER_CORE: u64 = 32_768;
const CONNTRACK_MIN: u64 = 131_072;

/// One line: microseconds after the line before it (the real logs' spacing), severity, source and
/// message.
type Entry = (i64, Severity, &'static str, String);

/// How long after the process starts the node informer starts waiting.
const LEAD_MICROS: i64 = 66_363;

fn informers() -> Vec<Entry> {
    use Severity::Info;
    let waiting = |c: &str| format!("\"Waiting for caches to sync\" controller=\"{c}\"");
    let synced = |c: &str| format!("\"Caches are synced\" controller=\"{c}\"");
    vec![
        (6_806, Info, "config.go:200", "\"Starting service config controller\"".into()),
        (24, Info, "shared_informer.go:381", waiting("service config")),
        (34, Info, "config.go:106", "\"Starting endpoint slice config controller\"".into()),
        (7, Info, "shared_informer.go:381", waiting("endpoint slice config")),
        (8, Info, "config.go:403", "\"Starting serviceCIDR config controller\"".into()),
        (5, Info, "shared_informer.go:381", waiting("serviceCIDR config")),
        (626, Info, "config.go:309", "\"Starting node config controller\"".into()),
        (19, Info, "shared_informer.go:381", waiting("node config")),
        (6, Info, "shared_informer.go:388", synced("node config")),
        (102_977, Info, "shared_informer.go:388", synced("serviceCIDR config")),
        (22, Info, "shared_informer.go:388", synced("endpoint slice config")),
        // Written by another goroutine a little earlier, as the real log shows it.
        (-18, Info, "shared_informer.go:388", synced("service config")),
    ]
}

/// The proxier's own lines for `config`, and the pause after them before the version line.
fn proxier(config: &ProxyConfig) -> (Vec<Entry>, i64) {
    use Severity::{Error, Info};
    match config.mode {
        ProxyMode::Ipvs => {
            let mut lines = vec![
                (44_544, Info, "server_linux.go:194", "\"Using ipvs Proxier\"".to_string()),
                (56, Error, "server_linux.go:196", format!("\"{IPVS_DEPRECATION}\"")),
            ];
            if config.scheduler.is_empty() {
                for (after, family) in [(593, "IPv4"), (212, "IPv6")] {
                    lines.push((
                        after,
                        Info,
                        "proxier.go:351",
                        format!("\"IPVS scheduler not specified, use rr by default\" ipFamily=\"{family}\""),
                    ));
                }
            }
            for (after, name) in [(20, "LOAD-BALANCER-SOURCE-CIDR"), (40, "NODE-PORT-LOCAL-SCTP-HASH")] {
                let full = format!("KUBE-6-{name}");
                let cut = full.get(..31).unwrap_or(&full).to_string();
                lines.push((
                    after,
                    Info,
                    "ipset.go:117",
                    format!("\"Ipset name truncated\" ipSetName=\"{full}\" truncatedName=\"{cut}\""),
                ));
            }
            (lines, 199)
        }
        ProxyMode::IpTables => (
            vec![
            (29, Info, "server_linux.go:137", "\"Using iptables Proxier\"".into()),
            (
                3_542,
                Info,
                "proxier.go:242",
                "\"Setting route_localnet=1 to allow node-ports on localhost; to change this either disable iptables.localhostNodePorts (--iptables-localhost-nodeports) or set nodePortAddresses (--nodeport-addresses) to filter loopback addresses\" ipFamily=\"IPv4\"".into(),
            ),
            ],
            16_509,
        ),
        ProxyMode::NfTables => (Vec::new(), 44_544),
    }
}

/// The startup lines of kube-proxy `version` on a node with address `node_ip` and `cpus` cores,
/// started at `start_unix_ms`: each with the calendar milliseconds it was written at.
pub fn startup(
    config: &ProxyConfig,
    version: &str,
    node_ip: &str,
    cpus: u64,
    start_unix_ms: i64,
) -> Vec<(i64, String)> {
    use Severity::{Error, Info};
    let mut entries: Vec<Entry> = Vec::new();
    if config.mode_defaulted {
        entries.push((0, Info, "server_linux.go:54", "\"Using iptables proxy\"".into()));
    }
    let conntrack = (CONNTRACK_PER_CORE * cpus.max(1)).max(CONNTRACK_MIN);
    entries.extend([
        (LEAD_MICROS, Info, "shared_informer.go:402", "\"Waiting for caches to sync\"".to_string()),
        (101_546, Info, "shared_informer.go:409", "\"Caches are synced\"".into()),
        (589, Info, "server.go:228", format!("\"Successfully retrieved NodeIPs\" NodeIPs=[\"{node_ip}\"]")),
        (2_627, Info, "sysctls.go:147", format!("\"Setting nf_conntrack_max\" nfConntrackMax={conntrack}")),
        (
            537,
            Error,
            "server.go:265",
            "\"Kube-proxy configuration may be incomplete or incorrect\" err=\"nodePortAddresses is unset; NodePort connections will be accepted on all local IPs. Consider using `--nodeport-addresses primary`\"".into(),
        ),
        (67_326, Info, "server.go:274", "\"kube-proxy running in dual-stack mode\" primary ipFamily=\"IPv4\"".into()),
    ]);
    let (lines, pause) = proxier(config);
    entries.extend(lines);
    entries.extend([
        (pause, Info, "server.go:539", format!("\"Version info\" version=\"{version}\"")),
        (28, Info, "server.go:541", "\"Golang settings\" GOGC=\"\" GOMAXPROCS=\"\" GOTRACEBACK=\"\"".into()),
    ]);
    entries.extend(informers());
    let mut micros = start_unix_ms * 1000;
    entries
        .into_iter()
        .map(|(after, severity, source, message)| {
            micros += after;
            (micros.div_euclid(1000), line(severity, micros, source, &message))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipvs_mode_logs_the_deprecation() {
        let config = ProxyConfig { mode: ProxyMode::Ipvs, mode_defaulted: false, ..Default::default() };
        let lines: Vec<String> =
            startup(&config, "v1.36.3", "172.18.0.3", 4, 1_767_225_600_000).into_iter().map(|l| l.1).collect();
        assert_eq!(lines[0], "I0101 00:00:00.066363       1 shared_informer.go:402] \"Waiting for caches to sync\"");
        assert!(lines.contains(&"E0101 00:00:00.283588       1 server_linux.go:196] \"The ipvs proxier is now deprecated and may be removed in a future release. Please use 'nftables' instead.\"".to_string()));
        assert!(
            lines.iter().any(|l| l.ends_with("\"IPVS scheduler not specified, use rr by default\" ipFamily=\"IPv6\""))
        );
        assert!(lines.iter().any(|l| l.contains("truncatedName=\"KUBE-6-NODE-PORT-LOCAL-SCTP-HAS\"")));
        assert!(lines.iter().any(|l| l.contains("nfConntrackMax=131072")));
        assert!(!lines.iter().any(|l| l.contains("iptables")));
    }

    #[test]
    fn iptables_mode_says_so_first() {
        let lines = startup(&ProxyConfig::default(), "v1.36.3", "172.18.0.3", 8, 1_767_225_600_000);
        assert_eq!(lines[0].1, "I0101 00:00:00.000000       1 server_linux.go:54] \"Using iptables proxy\"");
        assert!(lines.iter().any(|l| l.1.contains("nfConntrackMax=262144")));
        assert!(!lines.iter().any(|l| l.1.contains("ipvs")));
    }
}
