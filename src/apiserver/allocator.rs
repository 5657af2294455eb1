//! The Service address allocators the api-server owns: cluster IPs from the service CIDR (kubeadm's
//! 10.96.0.0/12) and node ports from 30000-32767. As upstream's range allocators do, each range is
//! split in two: a low "static" band that dynamic allocation touches only once the upper band is
//! full (so that people who pick addresses by hand, like `kube-dns` = 10.96.0.10, rarely collide),
//! and the upper band, where a dynamic allocation starts at a random offset (from the api-server's
//! seeded stream) and takes the first free value after it. An address is released when its Service
//! is deleted or stops needing it.

use std::collections::BTreeSet;
use std::sync::Arc;

use k8s_openapi::api::core::v1::Service;

use super::field::FieldError;
use crate::sim::Rng;

/// kubeadm's default `serviceSubnet`.
pub const SERVICE_CIDR: &str = "10.96.0.0/12";
const SERVICE_NET: u32 = 0x0a60_0000;
const SERVICE_PREFIX: u32 = 12;
/// The default `--service-node-port-range`.
pub const NODE_PORT_BASE: u32 = 30000;
pub const NODE_PORT_SIZE: u32 = 2768;

/// Upstream's `calculateRangeOffset`: the size of the static band of a range of `size` values.
fn static_band(size: u32) -> u32 {
    const MIN: u32 = 16;
    const MAX: u32 = 256;
    const STEP: u32 = 16;
    if size < MIN {
        return 0;
    }
    (size / STEP).clamp(MIN, MAX)
}

/// Why a value cannot be taken; the texts are upstream's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllocError {
    Allocated,
    OutOfRange,
    Full,
}

/// One contiguous range of values (IP offsets or ports).
#[derive(Debug, Clone)]
struct Range {
    base: u32,
    size: u32,
    used: BTreeSet<u32>,
}

impl Range {
    fn contains(&self, v: u32) -> bool {
        v >= self.base && v - self.base < self.size
    }

    fn allocate(&mut self, v: u32) -> Result<(), AllocError> {
        if !self.contains(v) {
            return Err(AllocError::OutOfRange);
        }
        if !self.used.insert(v) {
            return Err(AllocError::Allocated);
        }
        Ok(())
    }

    /// The first free value from a random point of the upper band, then the static band.
    fn allocate_next(&mut self, rng: &mut Rng) -> Result<u32, AllocError> {
        let band = static_band(self.size);
        let dynamic = self.size - band;
        let start = band + u32::try_from(rng.below(u64::from(dynamic.max(1)))).unwrap_or(0);
        let free =
            |used: &BTreeSet<u32>, from: u32, to: u32| (from..to).map(|o| self.base + o).find(|v| !used.contains(v));
        let found = free(&self.used, start, self.size)
            .or_else(|| free(&self.used, band, start))
            .or_else(|| free(&self.used, 0, band))
            .ok_or(AllocError::Full)?;
        self.used.insert(found);
        Ok(found)
    }

    fn release(&mut self, v: u32) {
        self.used.remove(&v);
    }
}

fn parse_ipv4(s: &str) -> Option<u32> {
    let mut out = 0u32;
    let mut parts = 0;
    for p in s.split('.') {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out = (out << 8) | p.parse::<u8>().ok().map(u32::from)?;
        parts += 1;
    }
    (parts == 4).then_some(out)
}

pub fn format_ipv4(v: u32) -> String {
    format!("{}.{}.{}.{}", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff)
}

/// The cluster-IP and node-port allocators.
#[derive(Debug, Clone)]
pub struct ServiceAllocators {
    ips: Range,
    ports: Range,
}

impl Default for ServiceAllocators {
    fn default() -> Self {
        // The network and broadcast addresses are never handed out.
        let ips = Range { base: SERVICE_NET + 1, size: (1u32 << (32 - SERVICE_PREFIX)) - 2, used: BTreeSet::new() };
        let ports = Range { base: NODE_PORT_BASE, size: NODE_PORT_SIZE, used: BTreeSet::new() };
        ServiceAllocators { ips, ports }
    }
}

fn needs_cluster_ip(svc: &Service) -> bool {
    let spec = svc.spec.as_ref();
    spec.and_then(|s| s.type_.as_deref()) != Some("ExternalName")
        && spec.and_then(|s| s.cluster_ip.as_deref()) != Some("None")
}

fn needs_node_ports(svc: &Service) -> bool {
    let spec = svc.spec.as_ref();
    match spec.and_then(|s| s.type_.as_deref()) {
        Some("NodePort") => true,
        Some("LoadBalancer") => spec.and_then(|s| s.allocate_load_balancer_node_ports).unwrap_or(true),
        _ => false,
    }
}

/// The cluster IP a Service holds in the range, if any.
fn held_ip(svc: &Service) -> Option<u32> {
    svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()).and_then(parse_ipv4)
}

fn held_ports(svc: &Service) -> Vec<u32> {
    let ports = svc.spec.as_ref().and_then(|s| s.ports.as_ref());
    ports.into_iter().flatten().filter_map(|p| p.node_port).filter_map(|p| u32::try_from(p).ok()).collect()
}

/// What one `assign` changed, so that a write that fails afterwards (or a dry run) can undo it.
#[derive(Debug, Default)]
pub struct Receipt {
    ips: Vec<u32>,
    ports: Vec<u32>,
    released_ips: Vec<u32>,
    released_ports: Vec<u32>,
}

impl ServiceAllocators {
    /// Fills `svc`'s addresses on create (or on an update from `old`): keeps what `old` held, takes
    /// requested values, allocates the rest, and releases what the Service no longer needs. On error
    /// nothing stays changed; on success the receipt can undo it.
    pub fn assign(
        &mut self,
        svc: &mut Arc<Service>,
        old: Option<&Service>,
        rng: &mut Rng,
    ) -> Result<Receipt, Vec<FieldError>> {
        let mut r = Receipt::default();
        if let Some(old) = old {
            carry_allocated(svc, old);
            if let Some(ip) = held_ip(old).filter(|_| needs_cluster_ip(old)) {
                self.ips.release(ip);
                r.released_ips.push(ip);
            }
            for p in held_ports(old) {
                self.ports.release(p);
                r.released_ports.push(p);
            }
        }
        let errors = self.fill(Arc::make_mut(svc), rng, &mut r);
        if errors.is_empty() {
            Ok(r)
        } else {
            self.undo(r);
            Err(errors)
        }
    }

    fn fill(&mut self, svc: &mut Service, rng: &mut Rng, r: &mut Receipt) -> Vec<FieldError> {
        let needs_ip = needs_cluster_ip(svc);
        let needs_ports = needs_node_ports(svc);
        let mut errors = Vec::new();
        let Some(spec) = svc.spec.as_mut() else { return errors };
        if spec.type_.as_deref() == Some("ExternalName") {
            spec.cluster_ip = None;
            spec.cluster_ips = None;
        } else {
            spec.ip_families.get_or_insert_with(|| vec!["IPv4".into()]);
            spec.ip_family_policy.get_or_insert_with(|| "SingleStack".into());
        }
        if needs_ip {
            match spec.cluster_ip.clone().filter(|ip| !ip.is_empty()) {
                Some(ip) => match parse_ipv4(&ip) {
                    None => errors.push(FieldError::invalid(
                        "spec.clusterIPs[0]",
                        &ip,
                        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                    )),
                    Some(v) => match self.ips.allocate(v) {
                        Ok(()) => r.ips.push(v),
                        Err(e) => {
                            let why = match e {
                                AllocError::OutOfRange => format!(
                                    "failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is {SERVICE_CIDR}"
                                ),
                                _ => format!("failed to allocate IP {ip}: provided IP is already allocated"),
                            };
                            errors.push(FieldError::invalid_raw(
                                "spec.clusterIPs",
                                format!("[]string{{\"{ip}\"}}"),
                                &why,
                            ));
                        }
                    },
                },
                None => match self.ips.allocate_next(rng) {
                    Ok(v) => {
                        r.ips.push(v);
                        spec.cluster_ip = Some(format_ipv4(v));
                    }
                    Err(_) => errors.push(FieldError::invalid_raw(
                        "spec.clusterIPs",
                        "[]string{}",
                        "failed to allocate a serviceIP: range is full",
                    )),
                },
            }
            spec.cluster_ips = spec.cluster_ip.clone().map(|ip| vec![ip]);
        } else if spec.cluster_ip.as_deref() == Some("None") {
            spec.cluster_ips = Some(vec!["None".into()]);
        }
        for (i, p) in spec.ports.iter_mut().flatten().enumerate() {
            if !needs_ports {
                p.node_port = None;
                continue;
            }
            match p.node_port.filter(|n| *n != 0) {
                Some(n) => {
                    let taken = u32::try_from(n)
                        .map_err(|_| AllocError::OutOfRange)
                        .and_then(|v| self.ports.allocate(v).map(|()| v));
                    match taken {
                        Ok(v) => r.ports.push(v),
                        Err(e) => {
                            let why = match e {
                                AllocError::OutOfRange => format!(
                                    "provided port is not in the valid range. The range of valid ports is {NODE_PORT_BASE}-{}",
                                    NODE_PORT_BASE + NODE_PORT_SIZE - 1
                                ),
                                _ => "provided port is already allocated".to_string(),
                            };
                            errors.push(FieldError::invalid_raw(&format!("spec.ports[{i}].nodePort"), n, &why));
                        }
                    }
                }
                None => match self.ports.allocate_next(rng) {
                    Ok(v) => {
                        r.ports.push(v);
                        p.node_port = i32::try_from(v).ok();
                    }
                    Err(_) => errors.push(FieldError::invalid_raw(
                        &format!("spec.ports[{i}].nodePort"),
                        0,
                        "failed to allocate a nodePort: range is full",
                    )),
                },
            }
        }
        errors
    }

    /// Reverts an `assign` whose write did not happen.
    pub fn undo(&mut self, r: Receipt) {
        for v in r.ips {
            self.ips.release(v);
        }
        for v in r.ports {
            self.ports.release(v);
        }
        self.ips.used.extend(r.released_ips);
        self.ports.used.extend(r.released_ports);
    }

    /// Releases what a deleted Service held.
    pub fn release(&mut self, svc: &Service) {
        if needs_cluster_ip(svc)
            && let Some(ip) = held_ip(svc)
        {
            self.ips.release(ip);
        }
        for p in held_ports(svc) {
            self.ports.release(p);
        }
    }
}

/// Upstream's `patchAllocatedValues`: an update that leaves out the cluster IP or a node port keeps
/// the one already allocated.
fn carry_allocated(svc: &mut Arc<Service>, old: &Service) {
    let svc = Arc::make_mut(svc);
    let (Some(spec), Some(old_spec)) = (svc.spec.as_mut(), old.spec.as_ref()) else { return };
    if spec.cluster_ip.as_deref().is_none_or(str::is_empty) && needs_cluster_ip(old) {
        spec.cluster_ip = old_spec.cluster_ip.clone();
    }
    for p in spec.ports.iter_mut().flatten() {
        if p.node_port.is_none_or(|n| n == 0) {
            let same = old_spec.ports.iter().flatten().find(|o| o.port == p.port && o.protocol == p.protocol);
            p.node_port = same.and_then(|o| o.node_port);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{ServicePort, ServiceSpec};

    fn svc(type_: &str, ip: Option<&str>, node_port: Option<i32>) -> Arc<Service> {
        Arc::new(Service {
            spec: Some(ServiceSpec {
                type_: Some(type_.into()),
                cluster_ip: ip.map(str::to_string),
                ports: Some(vec![ServicePort { port: 80, node_port, ..Default::default() }]),
                ..Default::default()
            }),
            ..Default::default()
        })
    }

    #[test]
    fn bands_and_explicit_addresses() {
        assert_eq!(static_band(1 << 20), 256);
        assert_eq!(static_band(NODE_PORT_SIZE), 173);
        let mut a = ServiceAllocators::default();
        let mut rng = Rng::new(1);
        let mut dns = svc("ClusterIP", Some("10.96.0.10"), None);
        a.assign(&mut dns, None, &mut rng).unwrap();
        let mut again = svc("ClusterIP", Some("10.96.0.10"), None);
        let err = a.assign(&mut again, None, &mut rng).unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "spec.clusterIPs: Invalid value: []string{\"10.96.0.10\"}: failed to allocate IP 10.96.0.10: provided IP is already allocated"
        );
        let mut outside = svc("ClusterIP", Some("10.0.0.5"), None);
        assert!(a.assign(&mut outside, None, &mut rng).unwrap_err()[0].detail.contains("not in the valid range"));
        let mut dynamic = svc("NodePort", None, None);
        a.assign(&mut dynamic, None, &mut rng).unwrap();
        let ip = parse_ipv4(dynamic.spec.as_ref().unwrap().cluster_ip.as_deref().unwrap()).unwrap();
        assert!(ip > SERVICE_NET + 256, "dynamic IPs come from the upper band");
        let port = dynamic.spec.as_ref().unwrap().ports.as_ref().unwrap()[0].node_port.unwrap();
        assert!((30173..=32767).contains(&port));
        let mut clash = svc("NodePort", None, Some(port));
        assert_eq!(
            a.assign(&mut clash, None, &mut rng).unwrap_err()[0].to_string(),
            format!("spec.ports[0].nodePort: Invalid value: {port}: provided port is already allocated")
        );
        a.release(&dynamic);
        let mut reuse = svc("NodePort", None, Some(port));
        a.assign(&mut reuse, None, &mut rng).unwrap();
        let mut headless = svc("ClusterIP", Some("None"), None);
        a.assign(&mut headless, None, &mut rng).unwrap();
        assert_eq!(headless.spec.as_ref().unwrap().cluster_ips, Some(vec!["None".to_string()]));
    }
}
