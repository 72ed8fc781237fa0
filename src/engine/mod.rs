//! The netlink engine: pure Rust, no Lua. A [`Handle`] is a NETLINK_ROUTE socket
//! bound to one network namespace; each object family adds its operations to it
//! in its own file (`link.rs`, `addr.rs`, ...). The wire format lives in
//! [`schema`] and [`message`].
//!
//! ```no_run
//! let h = nlua::engine::Handle::new()?;
//! for l in h.link_list(&Default::default())? {
//!     println!("{} {}", l.index, l.name);
//! }
//! # Ok::<(), nlua::engine::Error>(())
//! ```

pub mod addr;
pub mod change;
pub mod deferred;
pub mod encap;
pub mod error;
pub mod handle;
pub mod link;
pub mod link_spec;
pub mod message;
pub mod monitor;
pub mod neigh;
pub mod ns;
pub mod nsid;
pub mod pipeline;
pub mod route;
pub mod route_batch;
pub mod route_msg;
pub mod route_opts;
pub mod route_spec;
pub mod rule;
pub mod schema;
pub mod socket;
pub mod tc;
pub mod tuntap;
pub mod wait;

pub use addr::{Addr, AddrFilter, AddrSpec};
pub use deferred::Deferred;
pub use error::{Error, ErrorKind, Result};
pub use handle::Handle;
pub use link::{Link, LinkChange, LinkFilter, LinkId, LinkSpec, NetnsTarget};
pub use monitor::{Event, Family, Monitor, MonitorOpts};
pub use neigh::{Neigh, NeighFilter, NeighSpec};
pub use ns::{NsFd, NsInfo};
pub use route::{Route, RouteFilter, RouteQuery, RouteVerb};
pub use route_spec::RouteSpec;
pub use rule::{Rule, RuleFilter, RuleSpec};
pub use schema::Opt;

/// Read a native-endian struct field (the kernel's headers are host order).
pub(crate) fn ne_u32(b: &[u8], off: usize) -> u32 {
    b.get(off..off + 4).map(|s| u32::from_ne_bytes(s.try_into().unwrap())).unwrap_or(0)
}

/// Read a native-endian u16.
pub(crate) fn ne_u16(b: &[u8], off: usize) -> u16 {
    b.get(off..off + 2).map(|s| u16::from_ne_bytes(s.try_into().unwrap())).unwrap_or(0)
}
