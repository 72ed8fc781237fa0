//! nlua: script Linux networking in Lua.
//!
//! Two layers are public: [`engine`], a synchronous netlink library usable
//! without Lua, and [`Runtime`], a Lua 5.4 VM with the `link`, `addr`, ...
//! modules registered.

pub mod engine;
pub mod journal;
pub mod lua;
pub mod monitor;
pub mod netns;
pub mod process;
pub mod reference;
pub mod repl;
pub mod runtime;
pub mod show;
pub mod stubs;
pub mod units;

pub use lua::object::Bound;
pub use runtime::{Builder, NsRef, Options, Runtime, Stdlib, register};
