//! ConfigMaps, Secrets, ServiceAccounts, HorizontalPodAutoscalers, PersistentVolumeClaims and
//! PersistentVolumes as `kubectl describe` prints them, and a plain describer (name, namespace,
//! labels, annotations, events) for the kinds without one of their own here.

use super::Env;
use super::writer::{Writer, quantity, rfc1123z};
use crate::api::Object;

fn head(w: &mut Writer, obj: &Object) {
    w.write(0, &format!("Name:\t{}\n", obj.name()));
    if let Some(ns) = obj.namespace() {
        w.write(0, &format!("Namespace:\t{ns}\n"));
    }
    w.labels("Labels", obj.meta().labels.as_ref());
    w.annotations("Annotations", obj.meta().annotations.as_ref());
}

/// `GetAccessModesAsString`: RWO, ROX, RWX, RWOP, comma-separated.
fn access_modes(modes: Option<&Vec<String>>) -> String {
    let mut out: Vec<&str> = Vec::new();
    for (long, short) in
        [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")]
    {
        if modes.is_some_and(|m| m.iter().any(|x| x == long)) {
            out.push(short);
        }
    }
    out.join(",")
}

/// Go's `%v` of a string slice: `[a b]`.
fn go_list(items: Option<&Vec<String>>) -> String {
    format!("[{}]", items.map(|v| v.join(" ")).unwrap_or_default())
}

pub fn describe(env: &mut Env<'_>, obj: &Object) -> String {
    let mut w = Writer::new(env.now_ms);
    match obj {
        Object::ConfigMap(cm) => {
            head(&mut w, obj);
            w.write(0, "\nData\n====\n");
            for (k, v) in cm.data.iter().flatten() {
                w.write(0, &format!("{k}:\n----\n"));
                w.write(0, &format!("{v}\n"));
                w.write(0, "\n");
            }
            w.write(0, "\nBinaryData\n====\n");
            for (k, v) in cm.binary_data.iter().flatten() {
                w.write(0, &format!("{k}: {} bytes\n", v.0.len()));
            }
            w.write(0, "\n");
        }
        Object::Secret(s) => {
            head(&mut w, obj);
            let ty = s.type_.as_deref().unwrap_or("");
            w.write(0, &format!("\nType:\t{ty}\n"));
            w.write(0, "\nData\n====\n");
            for (k, v) in s.data.iter().flatten() {
                if k == "token" && ty == "kubernetes.io/service-account-token" {
                    w.write(0, &format!("{k}:\t{}\n", String::from_utf8_lossy(&v.0)));
                } else {
                    w.write(0, &format!("{k}:\t{} bytes\n", v.0.len()));
                }
            }
            // Secrets are described without events.
            return w.finish();
        }
        Object::ServiceAccount(sa) => {
            head(&mut w, obj);
            let pulls: Vec<String> = sa.image_pull_secrets.iter().flatten().map(|s| s.name.clone()).collect();
            if pulls.is_empty() {
                w.write(0, "Image pull secrets:\t<none>\n");
            } else {
                let mut prefix = "Image pull secrets:";
                for name in &pulls {
                    w.write(0, &format!("{prefix}\t{name}\n"));
                    prefix = "                   ";
                }
            }
        }
        Object::HorizontalPodAutoscaler(hpa) => {
            let spec = hpa.spec.clone();
            let st = hpa.status.clone().unwrap_or_default();
            head(&mut w, obj);
            w.write(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(obj.meta().creation_timestamp.as_ref())));
            let target = &spec.scale_target_ref;
            w.write(0, &format!("Reference:\t{}/{}\n", target.kind, target.name));
            w.write(0, "Metrics:\t( current / target )\n");
            let current = st.current_metrics.unwrap_or_default();
            for (i, m) in spec.metrics.iter().flatten().enumerate() {
                let Some(r) = &m.resource else {
                    w.write(1, &format!("<unknown metric type {:?}>\n", m.type_));
                    continue;
                };
                w.write(1, &format!("resource {} on pods", r.name));
                let cur = current.get(i).and_then(|c| c.resource.as_ref()).map(|c| &c.current);
                if let Some(avg) = &r.target.average_value {
                    let c = cur.and_then(|c| c.average_value.as_ref()).map(quantity);
                    w.write(0, &format!(":\t{} / {}\n", c.unwrap_or_else(|| "<unknown>".into()), quantity(avg)));
                } else {
                    let c = cur.and_then(|c| {
                        c.average_utilization.map(|u| {
                            format!("{u}% ({})", c.average_value.as_ref().map(quantity).unwrap_or_else(|| "0".into()))
                        })
                    });
                    let t = r.target.average_utilization.map_or("<auto>".to_string(), |u| format!("{u}%"));
                    w.write(
                        1,
                        &format!("(as a percentage of request):\t{} / {t}\n", c.unwrap_or_else(|| "<unknown>".into())),
                    );
                }
            }
            let min = spec.min_replicas.map_or("<unset>".to_string(), |m| m.to_string());
            w.write(0, &format!("Min replicas:\t{min}\n"));
            w.write(0, &format!("Max replicas:\t{}\n", spec.max_replicas));
            w.write(0, &format!("{} pods:\t", target.kind));
            w.write(0, &format!("{} current / {} desired\n", st.current_replicas.unwrap_or(0), st.desired_replicas));
            if let Some(conds) = st.conditions.as_ref().filter(|c| !c.is_empty()) {
                w.write(0, "Conditions:\n");
                w.write(1, "Type\tStatus\tReason\tMessage\n");
                w.write(1, "----\t------\t------\t-------\n");
                for c in conds {
                    w.write(
                        1,
                        &format!(
                            "{}\t{}\t{}\t{}\n",
                            c.type_,
                            c.status,
                            c.reason.as_deref().unwrap_or(""),
                            c.message.as_deref().unwrap_or("")
                        ),
                    );
                }
            }
        }
        Object::PersistentVolumeClaim(pvc) => {
            let spec = pvc.spec.clone().unwrap_or_default();
            let st = pvc.status.clone().unwrap_or_default();
            let meta = obj.meta();
            w.write(0, &format!("Name:\t{}\n", obj.name()));
            w.write(0, &format!("Namespace:\t{}\n", obj.namespace().unwrap_or("")));
            w.write(0, &format!("StorageClass:\t{}\n", spec.storage_class_name.as_deref().unwrap_or("")));
            if meta.deletion_timestamp.is_some() {
                let lasts = w.since(meta.deletion_timestamp.as_ref());
                w.write(0, &format!("Status:\tTerminating (lasts {lasts})\n"));
            } else {
                w.write(0, &format!("Status:\t{}\n", st.phase.as_deref().unwrap_or("")));
            }
            let volume = spec.volume_name.clone().unwrap_or_default();
            w.write(0, &format!("Volume:\t{volume}\n"));
            w.labels("Labels", meta.labels.as_ref());
            w.annotations("Annotations", meta.annotations.as_ref());
            w.write(0, &format!("Finalizers:\t{}\n", go_list(meta.finalizers.as_ref())));
            let (capacity, modes) = if volume.is_empty() {
                (String::new(), String::new())
            } else {
                let cap =
                    st.capacity.as_ref().and_then(|c| c.get("storage")).map(quantity).unwrap_or_else(|| "0".into());
                (cap, access_modes(st.access_modes.as_ref()))
            };
            w.write(0, &format!("Capacity:\t{capacity}\n"));
            w.write(0, &format!("Access Modes:\t{modes}\n"));
            if let Some(m) = &spec.volume_mode {
                w.write(0, &format!("VolumeMode:\t{m}\n"));
            }
            let ns = obj.namespace().unwrap_or("").to_string();
            let mut users: Vec<String> = env
                .pods(Some(&ns), None, None)
                .into_iter()
                .filter(|p| {
                    p.spec
                        .iter()
                        .flat_map(|s| s.volumes.iter().flatten())
                        .any(|v| v.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name == obj.name()))
                })
                .filter_map(|p| p.metadata.name)
                .collect();
            users.sort();
            w.write(0, "Used By:\t");
            if users.is_empty() {
                w.line("<none>");
            } else {
                for (i, u) in users.iter().enumerate() {
                    if i != 0 {
                        w.write(0, "\t");
                    }
                    w.write(0, &format!("{u}\n"));
                }
            }
        }
        Object::PersistentVolume(pv) => {
            let spec = pv.spec.clone().unwrap_or_default();
            let meta = obj.meta();
            w.write(0, &format!("Name:\t{}\n", obj.name()));
            w.labels("Labels", meta.labels.as_ref());
            w.annotations("Annotations", meta.annotations.as_ref());
            w.write(0, &format!("Finalizers:\t{}\n", go_list(meta.finalizers.as_ref())));
            w.write(0, &format!("StorageClass:\t{}\n", spec.storage_class_name.as_deref().unwrap_or("")));
            let phase = pv.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
            if meta.deletion_timestamp.is_some() {
                let lasts = w.since(meta.deletion_timestamp.as_ref());
                w.write(0, &format!("Status:\tTerminating (lasts {lasts})\n"));
            } else {
                w.write(0, &format!("Status:\t{phase}\n"));
            }
            let claim = spec.claim_ref.as_ref().map_or(String::new(), |c| {
                format!("{}/{}", c.namespace.as_deref().unwrap_or(""), c.name.as_deref().unwrap_or(""))
            });
            w.write(0, &format!("Claim:\t{claim}\n"));
            let policy = spec.persistent_volume_reclaim_policy.clone().unwrap_or_default();
            w.write(0, &format!("Reclaim Policy:\t{policy}\n"));
            w.write(0, &format!("Access Modes:\t{}\n", access_modes(spec.access_modes.as_ref())));
            if let Some(m) = &spec.volume_mode {
                w.write(0, &format!("VolumeMode:\t{m}\n"));
            }
            let cap = spec.capacity.as_ref().and_then(|c| c.get("storage")).map(quantity).unwrap_or_else(|| "0".into());
            w.write(0, &format!("Capacity:\t{cap}\n"));
            w.write(0, "Node Affinity:\t<none>\n");
            let message = pv.status.as_ref().and_then(|s| s.message.clone()).unwrap_or_default();
            w.write(0, &format!("Message:\t{message}\n"));
            w.write(0, "Source:\n");
            if let Some(h) = &spec.host_path {
                w.write(
                    2,
                    &format!(
                        "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
                        h.path,
                        h.type_.as_deref().unwrap_or("<none>")
                    ),
                );
            }
        }
        _ => head(&mut w, obj),
    }
    if let Some(events) = env.events(obj) {
        w.events(&events);
    }
    w.finish()
}
