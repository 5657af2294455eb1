//! `kubectl create secret generic|tls|docker-registry NAME`: the generic form from literals (files and
//! env files fail: the simulation has no file system); `tls` and `docker-registry` are their own
//! modules.

use serde_json::{Value, json};

use super::{configmap, secret_docker, secret_tls, subcommand};
use crate::api::Kind;
use crate::kubectl::context::Kubectl;
use crate::kubectl::flags::Flag;

/// What `kubectl create secret` alone prints (to stderr, failing).
const HELP: &str = "Create a secret with specified type.\n\n A docker-registry type secret is for accessing a container registry.\n\n A generic type secret indicate an Opaque secret type.\n\n A tls type secret holds TLS certificate and its associated key.\n\nAvailable Commands:\n  docker-registry   Create a secret for use with a Docker registry\n  generic           Create a secret from a local file, directory, or literal value\n  tls               Create a TLS secret\n\nUsage:\n  kubectl create secret (docker-registry | generic | tls) [options]\n\nUse \"kubectl create secret <command> --help\" for more information about a given command.\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n";

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(sub) = args.first() else {
        k.out.fail(HELP);
        return;
    };
    k.command = format!("create secret {sub}");
    match sub.as_str() {
        "generic" => generic(k, &args[1..]),
        "tls" => secret_tls::run(k, &args[1..]),
        "docker-registry" => secret_docker::run(k, &args[1..]),
        _ => {
            k.command = "create secret".into();
            let words: Vec<&str> = args.iter().take_while(|a| !a.starts_with('-')).map(String::as_str).collect();
            k.help_error(&format!("unknown command \"{}\"", words.join(" ")));
        }
    }
}

fn generic(k: &mut Kubectl<'_>, args: &[String]) {
    let mut flags = configmap::FLAGS.to_vec();
    flags.push(Flag::string("type", None));
    let Some(o) = subcommand::prepare(k, &flags, args, &[]) else { return };
    let data = match configmap::sources(&o.p, &o.name, true) {
        Ok(d) => d,
        Err(e) => return k.error(&e),
    };
    let mut value = json!({"kind": "Secret", "apiVersion": "v1", "metadata": {"name": o.name}});
    if !data.is_empty() {
        let encoded =
            data.into_iter().map(|(k, v)| (k, Value::String(base64(v.as_str().unwrap_or("").as_bytes())))).collect();
        value["data"] = Value::Object(encoded);
    }
    if let Some(t) = o.p.get("type").filter(|t| !t.is_empty()) {
        value["type"] = json!(t);
    }
    subcommand::finish(k, &o, Kind::Secret, value);
}

/// Standard base64 with padding, as a Secret's `data` holds bytes in JSON.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_go() {
        assert_eq!(super::base64(b"admin"), "YWRtaW4=");
        assert_eq!(super::base64(b"u:p"), "dTpw");
        assert_eq!(super::base64(b"ab"), "YWI=");
        assert_eq!(super::base64(b""), "");
    }
}
