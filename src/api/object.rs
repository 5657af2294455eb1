//! The object model: one `Object` enum over the k8s-openapi types of every kind Kubarium serves, so
//! that the store, the api-server and the informers can handle any kind generically while controllers
//! and the scheduler read typed fields without decoding. Each variant holds an `Arc` of its typed
//! object: an `Object` is two words, cloning it shares the object (the store, the watch events and
//! every informer cache point at one copy), and a change is copy-on-write (`meta_mut`, `make_mut`).

use k8s_openapi::api::{
    apps, autoscaling, batch, coordination, core, discovery, networking, node, policy, rbac, scheduling, storage,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;
use std::sync::Arc;

macro_rules! objects {
    ($( $variant:ident($ty:ty) ),* $(,)?) => {
        /// Every kind the api-server serves.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Kind {
            $( $variant, )*
        }

        impl Kind {
            /// All kinds, in the order `kubectl api-resources` groups them (core first).
            pub const ALL: &'static [Kind] = &[ $( Kind::$variant, )* ];

            /// The `kind` string, e.g. `Deployment`.
            pub fn as_str(self) -> &'static str {
                match self { $( Kind::$variant => <$ty as k8s_openapi::Resource>::KIND, )* }
            }

            /// The API group (`""` for core).
            pub fn group(self) -> &'static str {
                match self { $( Kind::$variant => <$ty as k8s_openapi::Resource>::GROUP, )* }
            }

            /// `group/version`, or `v1` for core.
            pub fn api_version(self) -> &'static str {
                match self { $( Kind::$variant => <$ty as k8s_openapi::Resource>::API_VERSION, )* }
            }

            /// The resource name in URLs, e.g. `deployments`.
            pub fn plural(self) -> &'static str {
                match self { $( Kind::$variant => <$ty as k8s_openapi::Resource>::URL_PATH_SEGMENT, )* }
            }
        }

        /// An API object of any served kind.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Object {
            $( $variant(Arc<$ty>), )*
        }

        impl Object {
            pub fn kind(&self) -> Kind {
                match self { $( Object::$variant(_) => Kind::$variant, )* }
            }

            pub fn meta(&self) -> &ObjectMeta {
                match self { $( Object::$variant(o) => &o.metadata, )* }
            }

            pub fn meta_mut(&mut self) -> &mut ObjectMeta {
                match self { $( Object::$variant(o) => &mut Arc::make_mut(o).metadata, )* }
            }

            /// The object as JSON, with `apiVersion` and `kind`, keys in sorted order.
            pub fn to_value(&self) -> Value {
                let v = match self { $( Object::$variant(o) => serde_json::to_value(&**o), )* };
                // k8s-openapi types always serialize; an error here would be a bug in the types.
                v.unwrap_or(Value::Null)
            }

            /// Decodes `value` as an object of `kind`. `apiVersion`/`kind` in the value are not checked
            /// here: the caller resolved them to `kind` already.
            pub fn from_value(kind: Kind, value: Value) -> Result<Object, serde_json::Error> {
                Ok(match kind { $( Kind::$variant => Object::$variant(Arc::new(serde_json::from_value(value)?)), )* })
            }

            /// An empty object of `kind`, as a base for building one in code.
            pub fn empty(kind: Kind) -> Object {
                match kind { $( Kind::$variant => Object::$variant(Arc::new(<$ty>::default())), )* }
            }
        }
    };
}

objects! {
    Namespace(core::v1::Namespace),
    Node(core::v1::Node),
    Pod(core::v1::Pod),
    Service(core::v1::Service),
    Endpoints(core::v1::Endpoints),
    Event(core::v1::Event),
    ConfigMap(core::v1::ConfigMap),
    Secret(core::v1::Secret),
    ServiceAccount(core::v1::ServiceAccount),
    PersistentVolume(core::v1::PersistentVolume),
    PersistentVolumeClaim(core::v1::PersistentVolumeClaim),
    ResourceQuota(core::v1::ResourceQuota),
    LimitRange(core::v1::LimitRange),
    Deployment(apps::v1::Deployment),
    ReplicaSet(apps::v1::ReplicaSet),
    DaemonSet(apps::v1::DaemonSet),
    StatefulSet(apps::v1::StatefulSet),
    ControllerRevision(apps::v1::ControllerRevision),
    Job(batch::v1::Job),
    CronJob(batch::v1::CronJob),
    EndpointSlice(discovery::v1::EndpointSlice),
    Ingress(networking::v1::Ingress),
    IngressClass(networking::v1::IngressClass),
    NetworkPolicy(networking::v1::NetworkPolicy),
    Lease(coordination::v1::Lease),
    HorizontalPodAutoscaler(autoscaling::v2::HorizontalPodAutoscaler),
    PriorityClass(scheduling::v1::PriorityClass),
    StorageClass(storage::v1::StorageClass),
    RuntimeClass(node::v1::RuntimeClass),
    Role(rbac::v1::Role),
    ClusterRole(rbac::v1::ClusterRole),
    RoleBinding(rbac::v1::RoleBinding),
    ClusterRoleBinding(rbac::v1::ClusterRoleBinding),
    PodDisruptionBudget(policy::v1::PodDisruptionBudget),
}

impl Object {
    pub fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or("")
    }

    pub fn namespace(&self) -> Option<&str> {
        self.meta().namespace.as_deref()
    }

    pub fn uid(&self) -> &str {
        self.meta().uid.as_deref().unwrap_or("")
    }

    /// The stored resourceVersion as a number (0 when unset or malformed).
    pub fn resource_version(&self) -> i64 {
        self.meta().resource_version.as_deref().and_then(|rv| rv.parse().ok()).unwrap_or(0)
    }

    pub fn as_pod(&self) -> Option<&core::v1::Pod> {
        match self {
            Object::Pod(p) => Some(p),
            _ => None,
        }
    }

    pub fn as_node(&self) -> Option<&core::v1::Node> {
        match self {
            Object::Node(n) => Some(n),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json_with_type_meta() {
        let mut obj = Object::empty(Kind::Deployment);
        obj.meta_mut().name = Some("web".into());
        let v = obj.to_value();
        assert_eq!(v["apiVersion"], "apps/v1");
        assert_eq!(v["kind"], "Deployment");
        assert_eq!(v["metadata"]["name"], "web");
        let back = Object::from_value(Kind::Deployment, v).unwrap();
        assert_eq!(back, obj);
        assert_eq!(back.name(), "web");
    }

    #[test]
    fn wrong_shapes_are_errors_not_panics() {
        let v = serde_json::json!({"spec": {"replicas": "three"}});
        assert!(Object::from_value(Kind::Deployment, v).is_err());
        assert!(Object::from_value(Kind::Pod, Value::Null).is_err());
    }
}
