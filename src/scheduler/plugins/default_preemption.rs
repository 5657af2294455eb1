//! DefaultPreemption (PostFilter): marks the profile as preempting; the algorithm (candidates,
//! victims, node choice) lives in `scheduler::preemption`, because it drives the api-server.

use crate::scheduler::framework::{Plugin, points};

pub const NAME: &str = "DefaultPreemption";

pub struct DefaultPreemption;

impl Plugin for DefaultPreemption {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::POST_FILTER
    }
}
