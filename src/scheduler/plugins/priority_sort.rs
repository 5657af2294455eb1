//! PrioritySort (QueueSort): the active queue pops the pod with the highest priority first, and
//! among equals the one that entered the queue first.

use crate::scheduler::framework::{Plugin, points};
use crate::sim::Time;

pub const NAME: &str = "PrioritySort";

pub struct PrioritySort;

impl Plugin for PrioritySort {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u32 {
        points::QUEUE_SORT
    }
}

/// The sort key of a queued pod: smaller pops first.
pub fn sort_key(priority: i32, queued_at: Time, seq: u64) -> (std::cmp::Reverse<i32>, Time, u64) {
    (std::cmp::Reverse(priority), queued_at, seq)
}
