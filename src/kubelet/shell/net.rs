//! The shell's door to the network. Commands that talk to it (`wget`, `curl`, `nslookup`,
//! `iptables-save`) and the files it writes (`/etc/resolv.conf`) are answered by whoever runs the
//! shell with a network at hand (`network::PodNetwork` for `kubectl exec`); without one the shell
//! knows nothing of them. The kubelet stays below the network in the module order: it only names
//! this trait.

/// What a network command printed (stdout and stderr interleaved, as a terminal shows them) and its
/// exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetOutput {
    pub text: String,
    pub status: i32,
}

/// The network as one container sees it.
pub trait NetworkAccess {
    /// Runs `argv` if it is a network tool this container's image has; None otherwise.
    fn run(&self, argv: &[String]) -> Option<NetOutput>;
    /// Whether the image has the network tool `name` (`wget`, `/usr/bin/curl`, ...).
    fn has_tool(&self, name: &str) -> bool;
    /// The container's `/etc/resolv.conf`.
    fn resolv_conf(&self) -> Option<String>;
}

impl std::fmt::Debug for dyn NetworkAccess + '_ {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NetworkAccess")
    }
}
