//! The node's CNI IP allocation (host-local IPAM as kindnet/flannel configure it): pod IPs come from
//! the node's `spec.podCIDR` /24, `.1` being the bridge gateway, handed out in order and reused once
//! released. hostNetwork pods use the node's own address and take nothing from here.

use std::collections::BTreeSet;

/// Allocator for one /24.
#[derive(Debug, Clone, Default)]
pub struct Ipam {
    /// `10.244.1.` for `10.244.1.0/24`; empty when the node has no podCIDR.
    prefix: String,
    used: BTreeSet<u8>,
    next: u8,
}

/// Why no address could be given (the CNI ADD error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpamError {
    NoCidr,
    Exhausted(String),
}

impl std::fmt::Display for IpamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IpamError::NoCidr => f.write_str("no podCIDR assigned to the node"),
            IpamError::Exhausted(cidr) => {
                write!(f, "failed to allocate for range 0: no IP addresses available in range set: {cidr}")
            }
        }
    }
}

impl Ipam {
    /// An allocator for `cidr` (only /24s of IPv4 are modelled; anything else gives no addresses).
    pub fn new(cidr: &str) -> Self {
        let prefix = cidr
            .strip_suffix(".0/24")
            .filter(|p| p.split('.').count() == 3 && p.split('.').all(|o| o.parse::<u8>().is_ok()))
            .map(|p| format!("{p}."))
            .unwrap_or_default();
        Ipam { prefix, used: BTreeSet::new(), next: 2 }
    }

    /// Records an address already in use (pods that were running before the kubelet started).
    pub fn mark_used(&mut self, ip: &str) {
        if let Some(last) = ip.strip_prefix(self.prefix.as_str()).filter(|_| !self.prefix.is_empty())
            && let Ok(n) = last.parse::<u8>()
        {
            self.used.insert(n);
        }
    }

    pub fn allocate(&mut self) -> Result<String, IpamError> {
        if self.prefix.is_empty() {
            return Err(IpamError::NoCidr);
        }
        for _ in 0..253 {
            let n = self.next;
            self.next = if self.next >= 254 { 2 } else { self.next + 1 };
            if self.used.insert(n) {
                return Ok(format!("{}{n}", self.prefix));
            }
        }
        Err(IpamError::Exhausted(format!("{}0/24", self.prefix)))
    }

    pub fn release(&mut self, ip: &str) {
        if let Some(last) = ip.strip_prefix(self.prefix.as_str()).filter(|_| !self.prefix.is_empty())
            && let Ok(n) = last.parse::<u8>()
        {
            self.used.remove(&n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocates_skips_used_and_reuses() {
        let mut ipam = Ipam::new("10.244.1.0/24");
        ipam.mark_used("10.244.1.2");
        assert_eq!(ipam.allocate().unwrap(), "10.244.1.3");
        assert_eq!(ipam.allocate().unwrap(), "10.244.1.4");
        ipam.release("10.244.1.3");
        assert!(Ipam::new("bogus").allocate().is_err());
        let mut small = Ipam::new("10.0.0.0/24");
        for _ in 0..253 {
            small.allocate().unwrap();
        }
        assert!(small.allocate().is_err());
    }
}
