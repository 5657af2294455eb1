//! Controller tests on a whole simulated cluster. No scheduler or kubelet runs here: `fake` plays
//! their part (binding pods, reporting them Running and Ready, finishing graceful deletions) so that
//! each test controls exactly when pods become available.

mod fake;
mod gc_tests;
mod hpa_tests;
mod namespace_tests;
mod node_lifecycle_tests;
mod podgc_tests;
mod cloud_tests;
mod daemonset_tests;
mod deployment_tests;
mod endpoints_tests;
mod replicaset_tests;
mod live;
mod job_tests;
mod statefulset_tests;
mod cronjob_tests;
mod ttl_tests;
mod serviceaccount_disruption_tests;
mod volume_tests;
