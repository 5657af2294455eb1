//! The API object model over k8s-openapi (kinds, the resource table, objects) and its small
//! vocabulary, shared by the api-server, controllers and kubectl: label and field selectors, resource
//! quantities, object names (validation and `generateName`), cron schedules and the ages kubectl prints. Each follows
//! apimachinery's behaviour and error messages for Kubernetes v1.36.

pub mod cron;
pub mod duration;
pub mod fields;
pub mod labels;
pub mod names;
pub mod object;
pub mod parts;
pub mod quantity;
pub mod resource;

pub use object::{Kind, Object};
