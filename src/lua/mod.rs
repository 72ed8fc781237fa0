//! The Lua-facing types: one file per type, registered from one list.
//!
//! Each module (`link`, `addr`, ...) is a [`Module`]: a table of [`Op`]s that act
//! on a netlink handle. An op becomes both a module function acting on the
//! current handle (`link.list{}`) and a `Handle` method bound to that handle's
//! namespace (`h:link_list{}`), so the two can never drift apart.

pub mod addr;
pub mod args;
pub mod batch;
pub mod class;
pub mod error;
pub mod filter;
pub mod handle;
pub mod link;
pub mod members;
pub mod monitor;
pub mod neigh;
pub mod netns;
pub mod nlua;
pub mod object;
pub mod opts;
pub mod process;
pub mod qdisc;
pub mod route;
pub mod route_batch;
pub mod rule;
pub mod wait;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use mlua::{Lua, MultiValue, Table};

use crate::engine;
use crate::runtime::state;

/// The signature of an op: the Lua state, the handle it acts on, its arguments.
pub type OpFn = fn(&Lua, &Rc<engine::Handle>, MultiValue) -> mlua::Result<MultiValue>;

/// One operation of a module.
pub struct Op {
    /// The op's name (`list`): `link.list` and `h:link_list`.
    pub name: &'static str,
    /// The function.
    pub f: OpFn,
    /// Changes the system (refused in read-only runtimes).
    pub mutates: bool,
}

/// A Lua module: its handle ops, plus anything else it registers itself.
pub struct Module {
    /// The module's global name (`link`).
    pub name: &'static str,
    /// The operations.
    pub ops: &'static [Op],
    /// Registers functions and fields that are not handle ops.
    pub extra: Option<fn(&Lua, &Table) -> mlua::Result<()>>,
}

/// Every module, in registration order. Adding a type adds one line here.
pub static MODULES: &[&Module] = &[
    &link::MODULE,
    &addr::MODULE,
    &route::MODULE,
    &rule::MODULE,
    &neigh::MODULE,
    &qdisc::MODULE,
    &class::MODULE,
    &filter::MODULE,
    &netns::MODULE,
    &nlua::MODULE,
];

/// Call an op, turning a panic in the binding into a Lua error instead of
/// unwinding through the VM, and refusing mutations in read-only runtimes.
pub fn call_op(lua: &Lua, module: &str, op: &Op, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    if op.mutates {
        check_writable(lua, &format!("{module}.{}", op.name))?;
    }
    guard(&format!("{module}.{}", op.name), || (op.f)(lua, h, args))
}

/// Run a binding body, converting a Rust panic into an nlua error.
pub fn guard<R>(what: &str, f: impl FnOnce() -> mlua::Result<R>) -> mlua::Result<R> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(error::raise(engine::Error {
                kind: engine::ErrorKind::System,
                errno: nix::libc::EFAULT,
                message: format!("internal error: {msg}"),
                op: what.to_string(),
            }))
        }
    }
}

/// Refuse `what` when the runtime is read-only.
pub fn check_writable(lua: &Lua, what: &str) -> mlua::Result<()> {
    if state(lua).read_only {
        return Err(error::raise(engine::Error::input(what, "refused: this runtime is read-only")));
    }
    Ok(())
}

/// Refuse `what` (a command, or moving the thread for good) when the runtime
/// does not allow commands (the safe stdlib).
pub fn check_commands(lua: &Lua, what: &str) -> mlua::Result<()> {
    if !state(lua).commands {
        return Err(error::raise(engine::Error::input(what, "refused: this runtime runs no commands (safe stdlib)")));
    }
    Ok(())
}

/// Register the modules in `names` (all when None) as globals.
pub fn register(lua: &Lua, names: Option<&[String]>) -> mlua::Result<()> {
    for m in MODULES {
        if m.name != "nlua" && names.is_some_and(|n| !n.iter().any(|x| x == m.name)) {
            continue;
        }
        let t = lua.create_table()?;
        for op in m.ops {
            let module = m.name;
            let f = lua.create_function(move |lua, args: MultiValue| {
                let h = crate::runtime::current_handle(lua)?;
                call_op(lua, module, op, &h, args)
            })?;
            t.set(op.name, f)?;
        }
        if let Some(extra) = m.extra {
            extra(lua, &t)?;
        }
        lua.globals().set(m.name, t)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boom(_: &Lua, _: &Rc<engine::Handle>, _: MultiValue) -> mlua::Result<MultiValue> {
        panic!("kaboom in a binding")
    }

    static BOOM: Op = Op { name: "boom", f: boom, mutates: false };

    /// A panic inside a binding becomes an ordinary Lua error: pcall catches it,
    /// the VM keeps working, and nothing unwinds into the caller.
    #[test]
    fn panic_in_a_binding_becomes_a_lua_error() {
        let rt = crate::Runtime::new().unwrap();
        let lua = rt.lua();
        let h = Rc::new(engine::Handle::new().unwrap());
        let f = lua.create_function(move |lua, args: MultiValue| call_op(lua, "test", &BOOM, &h, args)).unwrap();
        lua.globals().set("boom", f).unwrap();
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let (ok, msg, code): (bool, String, String) =
            lua.load("local ok, e = pcall(boom) return ok, tostring(e), e.code").eval().unwrap();
        std::panic::set_hook(prev);
        assert!(!ok);
        assert_eq!(msg, "test.boom: internal error: kaboom in a binding (EFAULT)");
        assert_eq!(code, "EFAULT");
        assert_eq!(lua.load("return 1 + 1").eval::<i64>().unwrap(), 2);
    }
}
