//! `kubectl set serviceaccount RESOURCE NAME`: the pod template's `serviceAccountName`.

use serde_json::Value;

use super::{LOCAL_SERVER_DRY_RUN, aggregate};
use crate::kubectl::context::Kubectl;
use crate::kubectl::create::subcommand::DryRun;
use crate::kubectl::typed::pod_spec_path;

pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(o) = super::parse(k, &[], args) else { return };
    if o.local && o.dry_run == DryRun::Server {
        return k.error(LOCAL_SERVER_DRY_RUN);
    }
    let Some((account, resources)) = o.p.args.split_last() else {
        return k.error("serviceaccount is required");
    };
    let errors = super::validate_common(&o, resources);
    if !errors.is_empty() {
        return k.error(&aggregate(&errors));
    }
    let account = account.clone();
    let Some(found) = super::find(k, &o, resources) else { return };
    super::apply(k, &o, found, "serviceaccount updated", |info, value, _| {
        let path = pod_spec_path(info.kind).ok_or_else(|| {
            format!("the object is not a pod or does not have a pod template: {}", info.kind.as_str())
        })?;
        if let Some(spec) = value.pointer_mut(path).and_then(Value::as_object_mut) {
            spec.insert("serviceAccountName".into(), Value::String(account.clone()));
        }
        Ok(())
    });
}
