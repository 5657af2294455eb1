//! The simulation kernel: virtual time, durations, the event queue (a timer heap) and seeded random
//! streams, the latency model, the trace, and klog's line header for the logs components write.
//! Everything above this module is deterministic because of it.

pub mod clock;
pub mod duration;
pub mod klog;
pub mod latency;
pub mod queue;
pub mod rng;
pub mod trace;

pub use clock::{Clock, Time};
pub use duration::Duration;
pub use queue::EventQueue;
pub use rng::Rng;
