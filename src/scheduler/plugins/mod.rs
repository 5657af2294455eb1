//! The in-tree plugins of the default profile, one module each, named as upstream names them, and
//! the registry that builds them for a profile.

pub mod default_binder;
pub mod default_preemption;
pub mod helper;
pub mod image_locality;
pub mod inter_pod_affinity;
pub mod node_affinity;
pub mod node_name;
pub mod node_ports;
pub mod node_resources_balanced_allocation;
pub mod node_resources_fit;
pub mod node_unschedulable;
pub mod node_volume_limits;
pub mod pod_topology_spread;
pub mod priority_sort;
pub mod scheduling_gates;
pub mod taint_toleration;
pub mod volume_binding;
pub mod volume_restrictions;
pub mod volume_zone;

use super::config::Profile;
use super::framework::Plugin;

/// Builds the plugin `name` with the profile's arguments; `None` for an unknown name.
pub fn new_plugin(name: &str, profile: &Profile) -> Option<Box<dyn Plugin>> {
    Some(match name {
        "SchedulingGates" => Box::new(scheduling_gates::SchedulingGates),
        "PrioritySort" => Box::new(priority_sort::PrioritySort),
        "NodeUnschedulable" => Box::new(node_unschedulable::NodeUnschedulable),
        "NodeName" => Box::new(node_name::NodeName),
        "TaintToleration" => Box::new(taint_toleration::TaintToleration),
        "NodeAffinity" => Box::new(node_affinity::NodeAffinity),
        "NodePorts" => Box::new(node_ports::NodePorts),
        "NodeResourcesFit" => Box::new(node_resources_fit::NodeResourcesFit::new(profile.fit.clone())),
        "VolumeRestrictions" => Box::new(volume_restrictions::VolumeRestrictions),
        "NodeVolumeLimits" => Box::new(node_volume_limits::NodeVolumeLimits),
        "VolumeBinding" => Box::new(volume_binding::VolumeBinding),
        "VolumeZone" => Box::new(volume_zone::VolumeZone),
        "PodTopologySpread" => Box::new(pod_topology_spread::PodTopologySpread),
        "InterPodAffinity" => Box::new(inter_pod_affinity::InterPodAffinity {
            hard_pod_affinity_weight: profile.hard_pod_affinity_weight,
        }),
        "DefaultPreemption" => Box::new(default_preemption::DefaultPreemption),
        "NodeResourcesBalancedAllocation" => {
            Box::new(node_resources_balanced_allocation::BalancedAllocation::new(&profile.balanced_resources))
        }
        "ImageLocality" => Box::new(image_locality::ImageLocality),
        "DefaultBinder" => Box::new(default_binder::DefaultBinder),
        _ => return None,
    })
}
