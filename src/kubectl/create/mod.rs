//! `kubectl create`: from manifests (`-f FILE|-`) or from one of the generators, each its own module
//! named as upstream's `create_<generator>.go`. Every generator shares `subcommand`: kubectl's flags,
//! checks, dry-run strategies and printers.

pub mod configmap;
pub mod cronjob;
pub mod deployment;
pub mod filename;
pub mod ingress;
pub mod job;
pub mod namespace;
pub mod pdb;
pub mod priorityclass;
pub mod quota;
pub mod role;
pub mod rolebinding;
pub mod secret;
pub mod secret_docker;
pub mod secret_tls;
pub mod service;
pub mod serviceaccount;
pub mod subcommand;

use super::context::Kubectl;

/// The generators `kubectl create` knows, by their own names (for Tab completion).
pub const GENERATORS: &[&str] = &[
    "clusterrole",
    "clusterrolebinding",
    "configmap",
    "cronjob",
    "deployment",
    "ingress",
    "job",
    "namespace",
    "poddisruptionbudget",
    "priorityclass",
    "quota",
    "role",
    "rolebinding",
    "secret",
    "service",
    "serviceaccount",
];

/// Runs `kubectl create ARGS`.
pub fn run(k: &mut Kubectl<'_>, args: &[String]) {
    let Some(first) = args.first().filter(|a| !a.starts_with('-')) else {
        return filename::run(k, args);
    };
    let sub: fn(&mut Kubectl<'_>, &[String]) = match first.as_str() {
        "deployment" | "deploy" => deployment::run,
        "service" | "svc" => service::run,
        "job" => job::run,
        "cronjob" | "cj" => cronjob::run,
        "namespace" | "ns" => namespace::run,
        "configmap" | "cm" => configmap::run,
        "secret" => secret::run,
        "serviceaccount" | "sa" => serviceaccount::run,
        "role" => role::run_role,
        "clusterrole" => role::run_cluster_role,
        "rolebinding" => rolebinding::run_role_binding,
        "clusterrolebinding" => rolebinding::run_cluster_role_binding,
        "priorityclass" | "pc" => priorityclass::run,
        "poddisruptionbudget" | "pdb" => pdb::run,
        "quota" | "resourcequota" => quota::run,
        "ingress" | "ing" => ingress::run,
        _ => return filename::run(k, args),
    };
    k.command = format!("create {}", canonical(first));
    sub(k, &args[1..]);
}

/// The generator's own name, as kubectl's usage hints spell it whatever alias was typed.
fn canonical(alias: &str) -> &str {
    match alias {
        "deploy" => "deployment",
        "svc" => "service",
        "cj" => "cronjob",
        "ns" => "namespace",
        "cm" => "configmap",
        "sa" => "serviceaccount",
        "pc" => "priorityclass",
        "pdb" => "poddisruptionbudget",
        "resourcequota" => "quota",
        "ing" => "ingress",
        other => other,
    }
}
