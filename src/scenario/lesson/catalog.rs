//! The built-in lessons, embedded at compile time so the browser needs no fetch. Order is the order the
//! lesson list shows.

/// `(file name, contents)` of every built-in lesson.
pub(super) const FILES: &[(&str, &str)] = &[
    ("01-journey.yaml", include_str!("../../../lessons/01-journey.yaml")),
    ("02-pods.yaml", include_str!("../../../lessons/02-pods.yaml")),
    ("03-self-healing.yaml", include_str!("../../../lessons/03-self-healing.yaml")),
    ("04-scheduling.yaml", include_str!("../../../lessons/04-scheduling.yaml")),
    ("05-services.yaml", include_str!("../../../lessons/05-services.yaml")),
    ("06-workloads.yaml", include_str!("../../../lessons/06-workloads.yaml")),
    ("07-rollouts.yaml", include_str!("../../../lessons/07-rollouts.yaml")),
    ("08-namespaces-rbac.yaml", include_str!("../../../lessons/08-namespaces-rbac.yaml")),
    ("09-autoscaling.yaml", include_str!("../../../lessons/09-autoscaling.yaml")),
    ("10-storage.yaml", include_str!("../../../lessons/10-storage.yaml")),
];
