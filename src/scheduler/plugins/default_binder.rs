//! DefaultBinder (Bind): binds the pod through the api-server's `pods/binding` subresource. The
//! call itself is made by the scheduler's binding cycle, which holds the api-server.

use crate::scheduler::framework::{Plugin, points};

pub const NAME: &str = "DefaultBinder";

pub struct DefaultBinder;

impl Plugin for DefaultBinder {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::BIND
    }
}
