//! `kubectl create secret docker-registry NAME --docker-username=U --docker-password=P
//! [--docker-server=S] [--docker-email=E]`: a `kubernetes.io/dockerconfigjson` Secret whose
//! `.dockerconfigjson` is `{"auths":{SERVER:{"username","password","email","auth"}}}`.

use serde_json::json;

use super::secret::base64;
use super::subcommand;
use crate::api::Kind;
use crate::kubectl::context::Kubectl;
use crate::kubectl::flags::Flag;
use crate::kubectl::printers::json::write_string;

const FLAGS: &[Flag] = &[
    Flag::string("docker-username", None),
    Flag::string("docker-password", None),
    Flag::string("docker-server", None),
    Flag::string("docker-email", None),
    Flag::slice("from-file", None),
    Flag::bool("append-hash", None),
];

const DEFAULT_SERVER: &str = "https://index.docker.io/v1/";

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = subcommand::prepare(k, FLAGS, args, &[]) else { return };
    let user = o.p.get("docker-username").unwrap_or("");
    let password = o.p.get("docker-password").unwrap_or("");
    let server = o.p.get("docker-server").unwrap_or(DEFAULT_SERVER);
    let email = o.p.get("docker-email").unwrap_or("");
    let files = o.p.all("from-file");
    if files.is_empty() && (user.is_empty() || password.is_empty() || server.is_empty()) {
        return k.error(
            "either --from-file or the combination of --docker-username, --docker-password and --docker-server is required",
        );
    }
    if o.p.bool("append-hash") {
        return k.error("--append-hash is not available in the simulation");
    }
    if let Some(f) = files.first() {
        let path = f.split_once('=').map(|(_, p)| p).unwrap_or(f);
        return k.error(&format!("error reading {path}: no such file or directory"));
    }
    // encoding/json of DockerConfigJSON: struct order, email omitted when empty.
    let mut config = String::from("{\"auths\":{");
    write_string(&mut config, server);
    config.push_str(":{\"username\":");
    write_string(&mut config, user);
    config.push_str(",\"password\":");
    write_string(&mut config, password);
    if !email.is_empty() {
        config.push_str(",\"email\":");
        write_string(&mut config, email);
    }
    config.push_str(",\"auth\":");
    write_string(&mut config, &base64(format!("{user}:{password}").as_bytes()));
    config.push_str("}}}");
    let value = json!({
        "kind": "Secret",
        "apiVersion": "v1",
        "metadata": {"name": o.name},
        "data": {".dockerconfigjson": base64(config.as_bytes())},
        "type": "kubernetes.io/dockerconfigjson"
    });
    subcommand::finish(k, &o, Kind::Secret, value);
}
