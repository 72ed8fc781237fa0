//! nlua: script Linux networking in Lua — and a netlink library for Rust.
//!
//! Two layers are public:
//!
//! - [`engine`]: a synchronous rtnetlink library with no Lua in it. A
//!   [`engine::Handle`] is a NETLINK_ROUTE socket bound to one network
//!   namespace; links, addresses, routes, rules, neighbours, qdiscs, classes
//!   and filters are listed, added, changed and deleted through it, events
//!   come from an [`engine::Monitor`], and every failure is an
//!   [`engine::Error`] with the errno, the kernel's extack message and the
//!   operation in `ip` words. [`netns`] makes, opens and enters namespaces.
//! - [`Runtime`]: a Lua 5.4 VM (mlua) with the `link`, `addr`, `route`, ...
//!   modules registered — all or some, read-only if wanted, with the
//!   interpreter's standard library or a safe one for untrusted hooks
//!   ([`Stdlib::Safe`]), bound to a namespace. [`register`] adds the same
//!   modules to a `mlua::Lua` a host already has, and engine objects passed to
//!   Lua ([`Bound`]) become the userdata scripts see.
//!
//! ```no_run
//! use nlua::engine::{Handle, LinkChange};
//!
//! let h = Handle::new()?;                        // the calling thread's namespace
//! for l in h.link_list(&Default::default())? {
//!     println!("{}: {} mtu {}", l.index, l.name, l.mtu);
//! }
//! let lo = h.link_get("lo")?;
//! h.link_set(&lo, &LinkChange { up: Some(true), ..Default::default() })?;
//! # Ok::<(), nlua::engine::Error>(())
//! ```
//!
//! ```no_run
//! // A read-only view of namespace "red" for a user's hooks.
//! let rt = nlua::Runtime::builder().read_only(true).stdlib(nlua::Stdlib::Safe).netns("red").build()?;
//! rt.lua().load("function on_link(l) print(l.name, #l:addrs()) end").exec()?;
//! let h = nlua::engine::Handle::new_in(&nlua::netns::open("red").map_err(mlua::Error::external)?)
//!     .map_err(mlua::Error::external)?;
//! let eth0 = h.link_get("eth0").map_err(mlua::Error::external)?;
//! rt.call::<_, ()>("on_link", eth0)?;
//! # Ok::<(), mlua::Error>(())
//! ```
//!
//! The Lua API is described in `docs/reference.md`, embedding in
//! `docs/embedding.md`; `examples/hooks.rs` and `examples/topology.rs` are
//! complete programs.

#![deny(missing_docs)]

pub mod engine;
pub mod journal;
pub mod lua;
pub mod monitor;
pub mod netns;
pub mod process;
pub mod reference;
pub mod repl;
pub mod runtime;
pub mod sandbox;
pub mod show;
pub mod stubs;
pub mod testrun;
pub mod units;

pub use lua::object::Bound;
pub use runtime::{Builder, NsRef, Options, Runtime, Stdlib, register};
