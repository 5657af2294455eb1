//! kube-proxy's configuration as a kubeadm cluster keeps it: the `kube-proxy` ConfigMap in
//! kube-system with `config.conf` (a KubeProxyConfiguration, v1alpha1, every field written out as
//! kubeadm marshals it, `mode: ""`) and `kubeconfig.conf`, mounted at `/var/lib/kube-proxy`. kube-proxy
//! reads the file once, when it starts: the mode (`""` is iptables on Linux), the IPVS scheduler and
//! the cluster CIDR. A changed ConfigMap takes effect when the kube-proxy pods restart.

use std::fmt;

use serde_json::{Value, json};

use super::hash::sha256;
use crate::api::{Kind, Object};
use crate::apiserver::ApiServer;

pub const NAMESPACE: &str = "kube-system";
pub const CONFIGMAP: &str = "kube-proxy";
/// kubeadm's `KubeProxyConfigMapKey`: the file kube-proxy's `--config` names.
pub const CONFIG_KEY: &str = "config.conf";
const KUBECONFIG_KEY: &str = "kubeconfig.conf";
/// kubeadm's podSubnet in the default cluster, written as `clusterCIDR`.
pub const CLUSTER_CIDR: &str = "10.244.0.0/16";

/// The proxy modes of Linux kube-proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProxyMode {
    #[default]
    IpTables,
    Ipvs,
    /// Accepted as upstream does; its nftables rules are not simulated (see `KubeProxy`).
    NfTables,
}

impl ProxyMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ProxyMode::IpTables => "iptables",
            ProxyMode::Ipvs => "ipvs",
            ProxyMode::NfTables => "nftables",
        }
    }
}

/// What kube-proxy takes from its configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyConfig {
    pub mode: ProxyMode,
    /// Whether `mode` was blank (kube-proxy then logs that it defaults to iptables).
    pub mode_defaulted: bool,
    /// `ipvs.scheduler`, empty when unset (kube-proxy then uses rr).
    pub scheduler: String,
    pub cluster_cidr: String,
}

impl Default for ProxyConfig {
    fn default() -> Self {
        ProxyConfig {
            mode: ProxyMode::IpTables,
            mode_defaulted: true,
            scheduler: String::new(),
            cluster_cidr: CLUSTER_CIDR.to_string(),
        }
    }
}

/// Why kube-proxy would refuse its configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    Parse(String),
    InvalidMode(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Parse(e) => write!(f, "failed to decode {CONFIG_KEY}: {e}"),
            // pkg/proxy/apis/config/validation: validateProxyModeLinux.
            ConfigError::InvalidMode(m) => write!(
                f,
                "KubeProxyConfiguration.ProxyMode: Invalid value: {m:?}: must be iptables, ipvs, nftables or blank (blank means the best-available proxy [currently iptables])"
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

impl ProxyConfig {
    /// Reads a KubeProxyConfiguration document; unset fields keep their defaults.
    pub fn parse(text: &str) -> Result<ProxyConfig, ConfigError> {
        let doc: Value = serde_norway::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        let text_of = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
        let mode_name = text_of(doc.get("mode"));
        let mode = match mode_name.as_str() {
            "" | "iptables" => ProxyMode::IpTables,
            "ipvs" => ProxyMode::Ipvs,
            "nftables" => ProxyMode::NfTables,
            other => return Err(ConfigError::InvalidMode(other.to_string())),
        };
        let cluster_cidr = text_of(doc.get("clusterCIDR"));
        Ok(ProxyConfig {
            mode,
            mode_defaulted: mode_name.is_empty(),
            scheduler: text_of(doc.pointer("/ipvs/scheduler")),
            cluster_cidr,
        })
    }

    /// The file the `kube-proxy` ConfigMap projects at `/var/lib/kube-proxy/config.conf`; a cluster
    /// without the ConfigMap (component tests) runs with kubeadm's defaults.
    pub fn read(api: &ApiServer) -> Result<ProxyConfig, ConfigError> {
        let Some(Object::ConfigMap(cm)) = api.peek(Kind::ConfigMap, Some(NAMESPACE), CONFIGMAP) else {
            return Ok(ProxyConfig::default());
        };
        match cm.data.as_ref().and_then(|d| d.get(CONFIG_KEY)) {
            Some(text) => ProxyConfig::parse(text),
            None => Ok(ProxyConfig::default()),
        }
    }
}

/// `config.conf` as kubeadm v1.36 writes it: the v1alpha1 KubeProxyConfiguration marshalled with
/// every field, kubeadm's defaults filled in (bind address, kubeconfig path, cluster CIDR).
fn kubeadm_config_conf(cluster_cidr: &str) -> String {
    format!(
        r#"apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: ""
  burst: 0
  contentType: ""
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: {cluster_cidr}
configSyncPeriod: 0s
conntrack:
  maxPerCore: null
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
  udpStreamTimeout: 0s
  udpTimeout: 0s
detectLocal:
  bridgeInterface: ""
  interfaceNamePrefix: ""
detectLocalMode: ""
enableProfiling: false
healthzBindAddress: ""
hostnameOverride: ""
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: ""
  strictARP: false
  syncPeriod: 0s
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
metricsBindAddress: ""
mode: ""
nftables:
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
nodePortAddresses: null
oomScoreAdj: null
portRange: ""
showHiddenMetricsForVersion: ""
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: ""
  rootHnsEndpointName: ""
  sourceVip: """#
    )
}

/// `kubeconfig.conf`: the in-cluster service account token against the control plane endpoint.
fn kubeadm_kubeconfig(server: &str) -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    server: {server}
  name: default
contexts:
- context:
    cluster: default
    namespace: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token"
    )
}

/// The `kube-proxy` ConfigMap kubeadm's proxy addon creates, signed with kubeadm's
/// `component-config.hash` annotation (SHA-256 over the values in key order).
pub fn kubeadm_configmap(apiserver: &str) -> Value {
    let config = kubeadm_config_conf(CLUSTER_CIDR);
    let kubeconfig = kubeadm_kubeconfig(&format!("https://{apiserver}:6443"));
    let digest: String =
        sha256(format!("{config}{kubeconfig}").as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": CONFIGMAP, "namespace": NAMESPACE, "labels": {"app": "kube-proxy"},
            "annotations": {"kubeadm.kubernetes.io/component-config.hash": format!("sha256:{digest}")}},
        "data": {CONFIG_KEY: config, KUBECONFIG_KEY: kubeconfig}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeadm_file_is_iptables_by_default() {
        let cm = kubeadm_configmap("172.18.0.2");
        let text = cm["data"][CONFIG_KEY].as_str().unwrap();
        let config = ProxyConfig::parse(text).unwrap();
        assert_eq!(config, ProxyConfig::default());
        assert!(cm["data"][KUBECONFIG_KEY].as_str().unwrap().contains("server: https://172.18.0.2:6443"));
        assert!(
            cm["metadata"]["annotations"]["kubeadm.kubernetes.io/component-config.hash"]
                .as_str()
                .unwrap()
                .starts_with("sha256:")
        );
    }

    #[test]
    fn modes_scheduler_and_errors() {
        let ipvs = ProxyConfig::parse("mode: ipvs\nipvs:\n  scheduler: lc\n").unwrap();
        assert_eq!((ipvs.mode, ipvs.mode_defaulted, ipvs.scheduler.as_str()), (ProxyMode::Ipvs, false, "lc"));
        assert_eq!(ProxyConfig::parse("mode: nftables").unwrap().mode, ProxyMode::NfTables);
        assert_eq!(
            ProxyConfig::parse("mode: userspace").unwrap_err().to_string(),
            "KubeProxyConfiguration.ProxyMode: Invalid value: \"userspace\": must be iptables, ipvs, nftables or blank (blank means the best-available proxy [currently iptables])"
        );
        assert!(matches!(ProxyConfig::parse("mode: [").unwrap_err(), ConfigError::Parse(_)));
    }
}
