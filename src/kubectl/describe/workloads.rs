//! Controllers as `kubectl describe` prints them: Deployments (with their old and new ReplicaSets),
//! ReplicaSets, DaemonSets and StatefulSets (with the phases of the pods they own), Jobs and CronJobs.

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::Env;
use super::pod::{controlled_by, template};
use super::writer::{Writer, format_label_selector, format_map, rfc1123z};
use crate::api::duration::human_duration;
use crate::api::labels::Selector;
use crate::api::{Kind, Object};

/// `getPodStatusForController`: Running / Waiting (Pending) / Succeeded / Failed among the pods the
/// selector matches that `uid` controls.
fn pod_phases(env: &mut Env<'_>, ns: &str, selector: Option<&LabelSelector>, uid: &str) -> String {
    let sel = selector.and_then(|s| Selector::from_label_selector(s).ok());
    let mut counts = [0usize; 4];
    for p in env.pods(Some(ns), sel, None) {
        let owned = p.metadata.owner_references.iter().flatten().any(|r| r.controller == Some(true) && r.uid == uid);
        if !owned {
            continue;
        }
        match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
            Some("Running") => counts[0] += 1,
            Some("Pending") => counts[1] += 1,
            Some("Succeeded") => counts[2] += 1,
            Some("Failed") => counts[3] += 1,
            _ => {}
        }
    }
    format!("{} Running / {} Waiting / {} Succeeded / {} Failed", counts[0], counts[1], counts[2], counts[3])
}

fn int_or_string(v: Option<&IntOrString>) -> String {
    match v {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => String::new(),
    }
}

fn head(w: &mut Writer, obj: &Object) {
    w.write(0, &format!("Name:\t{}\n", obj.name()));
    w.write(0, &format!("Namespace:\t{}\n", obj.namespace().unwrap_or("")));
}

/// Deployment and ReplicaSet conditions: `Type Status Reason`.
fn conditions(w: &mut Writer, conds: &[(String, String, String)]) {
    if conds.is_empty() {
        return;
    }
    w.write(0, "Conditions:\n  Type\tStatus\tReason\n");
    w.write(1, "----\t------\t------\n");
    for (t, s, r) in conds {
        w.write(1, &format!("{t} \t{s}\t{r}\n"));
    }
}

pub fn describe(env: &mut Env<'_>, obj: &Object) -> String {
    let mut w = Writer::new(env.now_ms);
    let meta = obj.meta();
    let ns = obj.namespace().unwrap_or("").to_string();
    match obj {
        Object::Deployment(d) => {
            let spec = d.spec.clone().unwrap_or_default();
            let st = d.status.clone().unwrap_or_default();
            head(&mut w, obj);
            w.write(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(meta.creation_timestamp.as_ref())));
            w.labels("Labels", meta.labels.as_ref());
            w.annotations("Annotations", meta.annotations.as_ref());
            w.write(0, &format!("Selector:\t{}\n", format_label_selector(Some(&spec.selector))));
            w.write(
                0,
                &format!(
                    "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
                    spec.replicas.unwrap_or(1),
                    st.updated_replicas.unwrap_or(0),
                    st.replicas.unwrap_or(0),
                    st.available_replicas.unwrap_or(0),
                    st.unavailable_replicas.unwrap_or(0)
                ),
            );
            let strategy = spec.strategy.clone().unwrap_or_default();
            w.write(0, &format!("StrategyType:\t{}\n", strategy.type_.as_deref().unwrap_or("")));
            w.write(0, &format!("MinReadySeconds:\t{}\n", spec.min_ready_seconds.unwrap_or(0)));
            if let Some(ru) = &strategy.rolling_update {
                w.write(
                    0,
                    &format!(
                        "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
                        int_or_string(ru.max_unavailable.as_ref()),
                        int_or_string(ru.max_surge.as_ref())
                    ),
                );
            }
            template(&mut w, Some(&spec.template));
            let conds: Vec<_> = st
                .conditions
                .iter()
                .flatten()
                .map(|c| (c.type_.clone(), c.status.clone(), c.reason.clone().unwrap_or_default()))
                .collect();
            conditions(&mut w, &conds);
            let (old, new) = replica_sets(env, obj, &spec.template);
            if !old.is_empty() || !new.is_empty() {
                w.write(0, &format!("OldReplicaSets:\t{}\n", rs_list(&old)));
                w.write(0, &format!("NewReplicaSet:\t{}\n", rs_list(&new)));
            }
        }
        Object::ReplicaSet(rs) => {
            let spec = rs.spec.clone().unwrap_or_default();
            let st = rs.status.clone().unwrap_or_default();
            head(&mut w, obj);
            w.write(0, &format!("Selector:\t{}\n", format_label_selector(Some(&spec.selector))));
            w.labels("Labels", meta.labels.as_ref());
            w.annotations("Annotations", meta.annotations.as_ref());
            if let Some(c) = controlled_by(meta) {
                w.write(0, &format!("Controlled By:\t{c}\n"));
            }
            w.write(0, &format!("Replicas:\t{} current / {} desired\n", st.replicas, spec.replicas.unwrap_or(1)));
            let phases = pod_phases(env, &ns, Some(&spec.selector), obj.uid());
            w.write(0, &format!("Pods Status:\t{phases}\n"));
            template(&mut w, spec.template.as_ref());
            let conds: Vec<_> = st
                .conditions
                .iter()
                .flatten()
                .map(|c| (c.type_.clone(), c.status.clone(), c.reason.clone().unwrap_or_default()))
                .collect();
            conditions(&mut w, &conds);
        }
        Object::DaemonSet(ds) => {
            let spec = ds.spec.clone().unwrap_or_default();
            let st = ds.status.clone().unwrap_or_default();
            head(&mut w, obj);
            w.write(0, &format!("Selector:\t{}\n", format_label_selector(Some(&spec.selector))));
            let node_selector = spec.template.spec.as_ref().and_then(|s| s.node_selector.as_ref());
            w.write(0, &format!("Node-Selector:\t{}\n", format_map(node_selector)));
            w.labels("Labels", meta.labels.as_ref());
            w.annotations("Annotations", meta.annotations.as_ref());
            w.write(0, &format!("Desired Number of Nodes Scheduled: {}\n", st.desired_number_scheduled));
            w.write(0, &format!("Current Number of Nodes Scheduled: {}\n", st.current_number_scheduled));
            w.write(
                0,
                &format!(
                    "Number of Nodes Scheduled with Up-to-date Pods: {}\n",
                    st.updated_number_scheduled.unwrap_or(0)
                ),
            );
            w.write(
                0,
                &format!("Number of Nodes Scheduled with Available Pods: {}\n", st.number_available.unwrap_or(0)),
            );
            w.write(0, &format!("Number of Nodes Misscheduled: {}\n", st.number_misscheduled));
            let phases = pod_phases(env, &ns, Some(&spec.selector), obj.uid());
            w.write(0, &format!("Pods Status:\t{phases}\n"));
            template(&mut w, Some(&spec.template));
        }
        Object::StatefulSet(ss) => {
            let spec = ss.spec.clone().unwrap_or_default();
            let st = ss.status.clone().unwrap_or_default();
            head(&mut w, obj);
            w.write(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(meta.creation_timestamp.as_ref())));
            w.write(0, &format!("Selector:\t{}\n", format_label_selector(Some(&spec.selector))));
            w.labels("Labels", meta.labels.as_ref());
            w.annotations("Annotations", meta.annotations.as_ref());
            if let Some(s) = spec.service_name.as_deref().filter(|s| !s.is_empty()) {
                w.write(0, &format!("Service Name:\t{s}\n"));
            }
            if let Some(p) = spec.pod_management_policy.as_deref().filter(|s| !s.is_empty()) {
                w.write(0, &format!("Pod Management Policy:\t{p}\n"));
            }
            w.write(0, &format!("Replicas:\t{} desired | {} total\n", spec.replicas.unwrap_or(1), st.replicas));
            let strategy = spec.update_strategy.clone().unwrap_or_default();
            w.write(0, &format!("Update Strategy:\t{}\n", strategy.type_.as_deref().unwrap_or("")));
            if let Some(p) = strategy.rolling_update.as_ref().and_then(|r| r.partition) {
                w.write(1, &format!("Partition:\t{p}\n"));
                if let Some(mu) = strategy.rolling_update.as_ref().and_then(|r| r.max_unavailable.as_ref()) {
                    w.write(1, &format!("MaxUnavailable:\t{}\n", int_or_string(Some(mu))));
                }
            }
            if let Some(p) = &spec.persistent_volume_claim_retention_policy {
                w.write(0, "Persistent Volume Claim Retention Policy:\n");
                w.write(1, &format!("WhenDeleted:\t{}\n", p.when_deleted.as_deref().unwrap_or("")));
                w.write(1, &format!("WhenScaled:\t{}\n", p.when_scaled.as_deref().unwrap_or("")));
            }
            let phases = pod_phases(env, &ns, Some(&spec.selector), obj.uid());
            w.write(0, &format!("Pods Status:\t{phases}\n"));
            template(&mut w, Some(&spec.template));
            let claims = spec.volume_claim_templates.as_deref().unwrap_or_default();
            if claims.is_empty() {
                w.write(0, "Volume Claims:\t<none>\n");
            } else {
                w.write(0, "Volume Claims:\n");
                for c in claims {
                    let cs = c.spec.clone().unwrap_or_default();
                    w.write(1, &format!("Name:\t{}\n", c.metadata.name.as_deref().unwrap_or("")));
                    w.write(1, &format!("StorageClass:\t{}\n", cs.storage_class_name.as_deref().unwrap_or("")));
                    w.labels_indent("  ", "Labels", "\t", c.metadata.labels.as_ref());
                    w.labels_indent("  ", "Annotations", "\t", c.metadata.annotations.as_ref());
                    let cap = cs
                        .resources
                        .as_ref()
                        .and_then(|r| r.requests.as_ref())
                        .and_then(|r| r.get("storage"))
                        .map(super::writer::quantity)
                        .unwrap_or_else(|| "<default>".into());
                    w.write(1, &format!("Capacity:\t{cap}\n"));
                    w.write(1, &format!("Access Modes:\t[{}]\n", cs.access_modes.unwrap_or_default().join(" ")));
                }
            }
        }
        Object::Job(job) => {
            let spec = job.spec.clone().unwrap_or_default();
            let st = job.status.clone().unwrap_or_default();
            head(&mut w, obj);
            w.write(0, &format!("Selector:\t{}\n", format_label_selector(spec.selector.as_ref())));
            w.labels("Labels", meta.labels.as_ref());
            w.annotations("Annotations", meta.annotations.as_ref());
            if let Some(c) = controlled_by(meta) {
                w.write(0, &format!("Controlled By:\t{c}\n"));
            }
            if let Some(p) = spec.parallelism {
                w.write(0, &format!("Parallelism:\t{p}\n"));
            }
            match spec.completions {
                Some(c) => w.write(0, &format!("Completions:\t{c}\n")),
                None => w.write(0, "Completions:\t<unset>\n"),
            }
            if let Some(m) = &spec.completion_mode {
                w.write(0, &format!("Completion Mode:\t{m}\n"));
            }
            if let Some(s) = spec.suspend {
                w.write(0, &format!("Suspend:\t{s}\n"));
            }
            if let Some(b) = spec.backoff_limit {
                w.write(0, &format!("Backoff Limit:\t{b}\n"));
            }
            if let Some(t) = spec.ttl_seconds_after_finished {
                w.write(0, &format!("TTL Seconds After Finished:\t{t}\n"));
            }
            if st.start_time.is_some() {
                w.write(0, &format!("Start Time:\t{}\n", rfc1123z(st.start_time.as_ref())));
            }
            if st.completion_time.is_some() {
                w.write(0, &format!("Completed At:\t{}\n", rfc1123z(st.completion_time.as_ref())));
            }
            if let (Some(s), Some(c)) = (&st.start_time, &st.completion_time) {
                let d = c.0.as_millisecond() - s.0.as_millisecond();
                w.write(0, &format!("Duration:\t{}\n", human_duration(d)));
            }
            if let Some(a) = spec.active_deadline_seconds {
                w.write(0, &format!("Active Deadline Seconds:\t{a}s\n"));
            }
            let (active, succeeded, failed) =
                (st.active.unwrap_or(0), st.succeeded.unwrap_or(0), st.failed.unwrap_or(0));
            match st.ready {
                None => {
                    w.write(0, &format!("Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n"))
                }
                Some(r) => w.write(
                    0,
                    &format!("Pods Statuses:\t{active} Active ({r} Ready) / {succeeded} Succeeded / {failed} Failed\n"),
                ),
            }
            template(&mut w, Some(&spec.template));
        }
        Object::CronJob(cj) => {
            let spec = cj.spec.clone();
            let st = cj.status.clone().unwrap_or_default();
            head(&mut w, obj);
            w.labels("Labels", meta.labels.as_ref());
            w.annotations("Annotations", meta.annotations.as_ref());
            w.write(0, &format!("Schedule:\t{}\n", spec.schedule));
            w.write(0, &format!("Concurrency Policy:\t{}\n", spec.concurrency_policy.as_deref().unwrap_or("")));
            let suspend = match spec.suspend {
                Some(true) => "True",
                Some(false) => "False",
                None => "<unset>",
            };
            w.write(0, &format!("Suspend:\t{suspend}\n"));
            let unset = |v: Option<String>| v.unwrap_or_else(|| "<unset>".into());
            w.write(0, &format!("Time Zone:\t{}\n", unset(spec.time_zone.clone())));
            let ok = spec.successful_jobs_history_limit.map(|v| v.to_string());
            w.write(0, &format!("Successful Job History Limit:\t{}\n", unset(ok)));
            let failed = spec.failed_jobs_history_limit.map(|v| v.to_string());
            w.write(0, &format!("Failed Job History Limit:\t{}\n", unset(failed)));
            let deadline = spec.starting_deadline_seconds.map(|v| format!("{v}s"));
            w.write(0, &format!("Starting Deadline Seconds:\t{}\n", unset(deadline)));
            let jt = spec.job_template.spec.clone().unwrap_or_default();
            match &jt.selector {
                Some(s) => w.write(0, &format!("Selector:\t{}\n", format_label_selector(Some(s)))),
                None => w.write(0, "Selector:\t<unset>\n"),
            }
            w.write(0, &format!("Parallelism:\t{}\n", unset(jt.parallelism.map(|v| v.to_string()))));
            w.write(0, &format!("Completions:\t{}\n", unset(jt.completions.map(|v| v.to_string()))));
            if let Some(a) = jt.active_deadline_seconds {
                w.write(0, &format!("Active Deadline Seconds:\t{a}s\n"));
            }
            template(&mut w, Some(&jt.template));
            match &st.last_schedule_time {
                Some(t) => w.write(0, &format!("Last Schedule Time:\t{}\n", rfc1123z(Some(t)))),
                None => w.write(0, "Last Schedule Time:\t<unset>\n"),
            }
            w.write(0, "Active Jobs:\t");
            let active: Vec<String> = st.active.iter().flatten().filter_map(|r| r.name.clone()).collect();
            if active.is_empty() {
                w.line("<none>");
            } else {
                w.line(&active.join(", "));
            }
        }
        _ => {}
    }
    if let Some(events) = env.events(obj) {
        w.events(&events);
    }
    w.finish()
}

/// The deployment's ReplicaSets: (old, new), the new one being the one whose template matches.
fn replica_sets(
    env: &mut Env<'_>,
    obj: &Object,
    tmpl: &k8s_openapi::api::core::v1::PodTemplateSpec,
) -> (Vec<ReplicaSet>, Vec<ReplicaSet>) {
    let ns = obj.namespace().unwrap_or("");
    let mut owned: Vec<ReplicaSet> = env
        .list(Kind::ReplicaSet, Some(ns), None)
        .into_iter()
        .filter_map(|o| match o {
            Object::ReplicaSet(rs) => Some((*rs).clone()),
            _ => None,
        })
        .filter(|rs| {
            rs.metadata.owner_references.iter().flatten().any(|r| r.controller == Some(true) && r.uid == obj.uid())
        })
        .collect();
    let strip = |t: &k8s_openapi::api::core::v1::PodTemplateSpec| {
        let mut t = t.clone();
        if let Some(l) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
            l.remove("pod-template-hash");
        }
        t
    };
    let want = strip(tmpl);
    let new_idx =
        owned.iter().position(|rs| rs.spec.as_ref().and_then(|s| s.template.as_ref()).map(strip) == Some(want.clone()));
    let new: Vec<ReplicaSet> = new_idx.map(|i| owned.remove(i)).into_iter().collect();
    (owned, new)
}

/// `printReplicaSetsByLabels`.
fn rs_list(list: &[ReplicaSet]) -> String {
    let items: Vec<String> = list
        .iter()
        .map(|rs| {
            format!(
                "{} ({}/{} replicas created)",
                rs.metadata.name.as_deref().unwrap_or(""),
                rs.status.as_ref().map(|s| s.replicas).unwrap_or(0),
                rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
            )
        })
        .collect();
    if items.is_empty() { "<none>".into() } else { items.join(", ") }
}
