//! What every kubectl command works with: the cluster, standard input, the output, who it acts as
//! (`--as`, `--as-group`), the namespace (`-n`, else the context's `default`), and the flags common to
//! every command, so that each command parses its own flags plus these in one pass, as cobra does
//! (also when they come before the command).

use super::config::KubeConfig;
use super::flags::{self, Flag, FlagType, Parsed};
use super::output::Output;
use crate::apiserver::{ApiError, Identity};
use crate::cluster::Cluster;

/// kubectl's global flags (those a simulated cluster can give meaning to, and those it accepts and
/// ignores because they only matter for a real connection).
pub const GLOBAL_FLAGS: &[Flag] = &[
    Flag::string("namespace", Some('n')),
    Flag::string("as", None),
    Flag::array("as-group", None),
    Flag::string("as-uid", None),
    Flag::string("context", None),
    Flag::string("cluster", None),
    Flag::string("user", None),
    Flag::string("kubeconfig", None),
    Flag::string("request-timeout", None),
    Flag::string("server", Some('s')),
    Flag::string("token", None),
    Flag::string("v", Some('v')),
    Flag::bool("insecure-skip-tls-verify", None),
    Flag::bool("match-server-version", None),
    Flag::bool("warnings-as-errors", None),
    Flag::string("cache-dir", None),
    Flag::string("certificate-authority", None),
    Flag::string("client-certificate", None),
    Flag::string("client-key", None),
    Flag::string("tls-server-name", None),
    Flag::bool("disable-compression", None),
    Flag::string("profile", None),
    Flag::string("profile-output", None),
    Flag::string("log-flush-frequency", None),
];

/// `args` with the global flags given before the command moved after its words (before a `--`
/// that ends them), as cobra finds the command and its subcommands past them (`kubectl -n
/// kube-system rollout restart ds x`); the command's parser then reads them with its own. Leading
/// words that are no global flag are left where they are.
pub fn global_flags_last(args: &[String]) -> Vec<String> {
    let mut i = 0;
    while let Some(arg) = args.get(i).filter(|a| a.starts_with('-') && a.len() > 1 && *a != "--") {
        let (flag, inline) = match arg.strip_prefix("--") {
            Some(long) => {
                let name = long.split('=').next().unwrap_or(long);
                (GLOBAL_FLAGS.iter().find(|f| f.long == name), long.contains('='))
            }
            None => {
                let short = arg.chars().nth(1);
                (GLOBAL_FLAGS.iter().find(|f| f.short.is_some() && f.short == short), arg.len() > 2)
            }
        };
        let Some(flag) = flag else { break };
        i += if flag.ty == FlagType::Bool || inline { 1 } else { 2 };
    }
    if i == 0 || i >= args.len() {
        return args.to_vec();
    }
    let (flags, words) = args.split_at(i);
    let end = words.iter().position(|w| w == "--").unwrap_or(words.len());
    let mut moved = words[..end].to_vec();
    moved.extend_from_slice(flags);
    moved.extend_from_slice(&words[end..]);
    moved
}

/// A command's view of the world.
pub struct Kubectl<'a> {
    pub cluster: &'a mut Cluster,
    pub stdin: Option<&'a str>,
    pub out: &'a mut Output,
    /// The command path for usage hints (`get`, `create deployment`).
    pub command: String,
    /// The kubeconfig's state that commands can change.
    pub config: &'a mut KubeConfig,
}

impl<'a> Kubectl<'a> {
    /// Parses `args` with the command's flags plus the global ones; on error prints pflag's message
    /// and the usage hint, and returns None.
    pub fn parse(&mut self, command_flags: &[Flag], args: &[String]) -> Option<Parsed> {
        let mut all: Vec<Flag> = command_flags.to_vec();
        all.extend_from_slice(GLOBAL_FLAGS);
        match flags::parse(&all, args) {
            Ok(mut p) => {
                p.context_namespace = self.config.namespace.clone();
                Some(p)
            }
            Err(e) => {
                self.usage_error(&e.to_string());
                None
            }
        }
    }

    /// `error: <msg>` and `See 'kubectl <cmd> --help' for usage.`
    pub fn usage_error(&mut self, msg: &str) {
        let cmd = self.command.clone();
        self.out.fail(format!("error: {msg}\nSee 'kubectl {cmd} --help' for usage.\n"));
    }

    /// `error: <msg>` and `See 'kubectl <cmd> -h' for help and examples` (cobra's UsageErrorf).
    pub fn help_error(&mut self, msg: &str) {
        let cmd = self.command.clone();
        self.out.fail(format!("error: {msg}\nSee 'kubectl {cmd} -h' for help and examples\n"));
    }

    /// `error: <msg>`.
    pub fn error(&mut self, msg: &str) {
        self.out.fail(format!("error: {msg}\n"));
    }

    /// A server error as kubectl prints it: `Error from server (<Reason>): <message>`.
    pub fn server_error(&mut self, e: &ApiError) {
        self.out.fail(format!("Error from server ({}): {}\n", e.reason.as_str(), e.message));
    }

    /// The identity requests go out as.
    pub fn identity(p: &Parsed) -> Identity {
        match p.get("as") {
            Some(user) if !user.is_empty() => Identity::impersonated(user, &p.all("as-group")),
            _ => Identity::admin(),
        }
    }

    /// The namespace of the request: `-n`, else the context's, else `default`.
    pub fn namespace(p: &Parsed) -> String {
        p.get("namespace")
            .filter(|n| !n.is_empty())
            .or(p.context_namespace.as_deref().filter(|n| !n.is_empty()))
            .unwrap_or("default")
            .to_string()
    }

    /// The current instant as Unix milliseconds (for ages).
    pub fn now_ms(&self) -> i64 {
        let clock = self.cluster.clock();
        clock.unix_millis(clock.now())
    }
}

#[cfg(test)]
mod tests {
    use super::global_flags_last;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn global_flags_before_the_command_move_after_it() {
        assert_eq!(global_flags_last(&words("-n kube-system get pods")), words("get pods -n kube-system"));
        assert_eq!(
            global_flags_last(&words("--namespace=kube-system --insecure-skip-tls-verify rollout restart ds x")),
            words("rollout restart ds x --namespace=kube-system --insecure-skip-tls-verify")
        );
        assert_eq!(
            global_flags_last(&words("-nkube-system exec ds/x -- ipvsadm -Ln")),
            words("exec ds/x -nkube-system -- ipvsadm -Ln")
        );
        assert_eq!(global_flags_last(&words("get pods -n x")), words("get pods -n x"));
        assert_eq!(global_flags_last(&words("--bogus get")), words("--bogus get"));
        assert_eq!(global_flags_last(&words("-n")), words("-n"));
        assert_eq!(global_flags_last(&words("-v 2 -n")), words("-v 2 -n"));
    }
}
