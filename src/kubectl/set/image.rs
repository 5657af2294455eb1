//! `kubectl set image RESOURCE CONTAINER=IMAGE...` (`*` for every container): "image updated".

use serde_json::Value;

use super::{LOCAL_SERVER_DRY_RUN, aggregate, containers_mut, validate_common};
use crate::kubectl::context::Kubectl;
use crate::kubectl::create::subcommand::DryRun;

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = super::parse(k, &[], args) else { return };
    let (images, resources): (Vec<String>, Vec<String>) = o.p.args.iter().cloned().partition(|a| a.contains('='));
    let pairs: Vec<(String, String)> =
        images.iter().filter_map(|a| a.split_once('=').map(|(c, i)| (c.to_string(), i.to_string()))).collect();
    let Some(found) = super::find(k, &o, &resources) else { return };
    let mut errors = validate_common(&o, &resources);
    if pairs.is_empty() {
        errors.push("at least one image update is required".into());
    } else if pairs.len() > 1 && pairs.iter().any(|(c, _)| c == "*") {
        errors.push(
            "all containers are already specified by *, but saw more than one container_name=container_image pairs"
                .into(),
        );
    }
    if o.local && o.dry_run == DryRun::Server {
        errors.push(LOCAL_SERVER_DRY_RUN.into());
    }
    if !errors.is_empty() {
        return k.error(&aggregate(&errors));
    }
    super::apply(k, &o, found, "image updated", |info, value, errors| {
        for (name, image) in &pairs {
            let mut hit = false;
            for c in containers_mut(info, value)? {
                if name == "*" || c.get("name").and_then(Value::as_str) == Some(name.as_str()) {
                    c.insert("image".into(), Value::String(image.clone()));
                    hit = true;
                }
            }
            if !hit {
                errors.push(format!("error: unable to find container named \"{name}\""));
            }
        }
        Ok(())
    });
}
