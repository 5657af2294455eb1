//! The simulation kernel: virtual time, durations, and (as the kernel grows) the event queue, seeded
//! random streams and the trace. Everything above this module is deterministic because of it.

pub mod clock;
pub mod duration;

pub use clock::{Clock, Time};
pub use duration::Duration;
