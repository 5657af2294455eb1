//! `kubectl create secret tls NAME --cert=PATH --key=PATH`. The simulation has no file system, so
//! once both are given the certificate cannot be read, as kubectl reports for a missing file.

use super::subcommand;
use crate::kubectl::context::Kubectl;
use crate::kubectl::flags::Flag;

const FLAGS: &[Flag] = &[Flag::string("cert", None), Flag::string("key", None), Flag::bool("append-hash", None)];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = subcommand::prepare(k, FLAGS, args, &[]) else { return };
    let cert = o.p.get("cert").unwrap_or("");
    let key = o.p.get("key").unwrap_or("");
    if cert.is_empty() || key.is_empty() {
        return k.error("key and cert must be specified");
    }
    k.error(&format!("Cannot read file {cert}, open {cert}: no such file or directory"));
}
