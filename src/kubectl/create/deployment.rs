//! `kubectl create deployment NAME --image=IMAGE... [--replicas=N] [--port=P] [-- COMMAND...]`: a
//! Deployment labelled and selected by `app=NAME`, one container per image.

use serde_json::{Value, json};

use super::subcommand::{self, Options};
use crate::api::Kind;
use crate::kubectl::context::Kubectl;
use crate::kubectl::flags::Flag;

const FLAGS: &[Flag] = &[Flag::slice("image", None), Flag::int("port", None), Flag::int("replicas", Some('r'))];

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = subcommand::prepare(k, FLAGS, args, &["image"]) else { return };
    let images = o.p.all("image");
    let command = o.p.after_dash().to_vec();
    if images.len() > 1 && !command.is_empty() {
        return k.error("cannot specify multiple --image options and command");
    }
    let value = generate(&o, &images, &command);
    subcommand::finish(k, &o, Kind::Deployment, value);
}

fn generate(o: &Options, images: &[String], command: &[String]) -> Value {
    let labels = json!({"app": o.name});
    let port = o.p.int("port").unwrap_or(-1);
    let containers: Vec<Value> = images
        .iter()
        .enumerate()
        .map(|(i, image)| {
            let mut c = json!({"name": container_name(image), "resources": {}});
            // Container.image is `omitempty`.
            if !image.is_empty() {
                c["image"] = json!(image);
            }
            if !command.is_empty() {
                c["command"] = json!(command);
            }
            // Only the first container gets the port, as kubectl does.
            if i == 0 && port >= 0 {
                c["ports"] = json!([{"containerPort": port}]);
            }
            c
        })
        .collect();
    json!({
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": {"name": o.name, "labels": labels},
        "spec": {
            "replicas": o.p.int("replicas").unwrap_or(1),
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": containers}},
            "strategy": {}
        },
        "status": {}
    })
}

/// The container name kubectl derives from an image: its last path segment without tag or digest.
/// kubectl makes a name with `_` valid by replacing it and adding five random characters; the
/// simulation derives those characters from the name, so that a script replays identically.
pub fn container_name(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let name = last.split(':').next().unwrap_or(last);
    let name = name.split('@').next().unwrap_or(name);
    if !name.contains('_') {
        return name.to_string();
    }
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h: u64 = 0xcbf29ce484222325;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    let suffix: String = (0..5)
        .map(|i| ALPHABET.get(((h >> (i * 8)) % ALPHABET.len() as u64) as usize).map(|b| *b as char).unwrap_or('x'))
        .collect();
    format!("{}-{suffix}", name.replace('_', "-"))
}
