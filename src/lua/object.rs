//! Engine objects handed to Lua by a host program: an engine [`Link`]
//! (`Addr`, `Route`, ...) becomes the same userdata a script gets from
//! `link.list()`, bound to the namespace it lives in, so a hook can read it
//! and call its methods (`link:addrs()`).
//!
//! ```no_run
//! # fn main() -> mlua::Result<()> {
//! let rt = nlua::Runtime::new()?;
//! rt.lua().load("function on_link(l) print(l.name, l.mtu) end").exec()?;
//! let h = nlua::engine::Handle::new().map_err(mlua::Error::external)?;
//! let lo = h.link_get("lo").map_err(mlua::Error::external)?;
//! rt.call::<_, ()>("on_link", lo.clone())?;                             // the runtime's namespace
//! rt.call::<_, ()>("on_link", nlua::lua::object::Bound::new(h.ns(), lo))?; // a named one
//! # Ok(()) }
//! ```
//!
//! [`Link`]: crate::engine::Link

use std::rc::Rc;

use mlua::{AnyUserData, IntoLua, Lua, Value};

use super::addr::Addr;
use super::class::Class;
use super::filter::Filter;
use super::link::Link;
use super::neigh::Neigh;
use super::qdisc::Qdisc;
use super::route::{Ctx, Route};
use super::rule::Rule;
use crate::engine::monitor::Object;
use crate::engine::{self, NsInfo, tc};
use crate::runtime::{current_handle, handle_for};
use crate::show::route::RtNames;

/// An engine object that has a Lua userdata.
pub trait ToUserData {
    /// The userdata scripts see for it, bound to handle `h` (its namespace).
    fn to_userdata(self, lua: &Lua, h: &Rc<engine::Handle>) -> mlua::Result<AnyUserData>;
}

/// The name of link `index` in `h`'s namespace (its number when gone).
fn dev_name(h: &engine::Handle, index: u32) -> String {
    h.link_get(index).map(|l| l.name).unwrap_or_else(|_| index.to_string())
}

impl ToUserData for engine::Link {
    fn to_userdata(self, lua: &Lua, h: &Rc<engine::Handle>) -> mlua::Result<AnyUserData> {
        lua.create_userdata(Link::new(h, self))
    }
}

impl ToUserData for engine::Addr {
    fn to_userdata(self, lua: &Lua, h: &Rc<engine::Handle>) -> mlua::Result<AnyUserData> {
        lua.create_userdata(Addr { dev: dev_name(h, self.index), h: h.clone(), a: self })
    }
}

impl ToUserData for engine::Route {
    fn to_userdata(self, lua: &Lua, h: &Rc<engine::Handle>) -> mlua::Result<AnyUserData> {
        lua.create_userdata(Route::new(self, Ctx::lazy(h)))
    }
}

impl ToUserData for engine::Rule {
    fn to_userdata(self, lua: &Lua, h: &Rc<engine::Handle>) -> mlua::Result<AnyUserData> {
        lua.create_userdata(Rule { h: h.clone(), r: self, names: Rc::new(RtNames::load()) })
    }
}

impl ToUserData for engine::Neigh {
    fn to_userdata(self, lua: &Lua, h: &Rc<engine::Handle>) -> mlua::Result<AnyUserData> {
        lua.create_userdata(Neigh { ctx: Ctx::load(h)?, h: h.clone(), n: self })
    }
}

impl ToUserData for tc::Qdisc {
    fn to_userdata(self, lua: &Lua, h: &Rc<engine::Handle>) -> mlua::Result<AnyUserData> {
        lua.create_userdata(Qdisc { dev: dev_name(h, self.ifindex), h: h.clone(), q: self })
    }
}

impl ToUserData for tc::Class {
    fn to_userdata(self, lua: &Lua, h: &Rc<engine::Handle>) -> mlua::Result<AnyUserData> {
        lua.create_userdata(Class { dev: dev_name(h, self.ifindex), h: h.clone(), c: self })
    }
}

impl ToUserData for tc::Filter {
    fn to_userdata(self, lua: &Lua, h: &Rc<engine::Handle>) -> mlua::Result<AnyUserData> {
        lua.create_userdata(Filter { dev: dev_name(h, self.ifindex), h: h.clone(), x: self })
    }
}

impl ToUserData for Object {
    fn to_userdata(self, lua: &Lua, h: &Rc<engine::Handle>) -> mlua::Result<AnyUserData> {
        match self {
            Object::Link(x) => x.to_userdata(lua, h),
            Object::Addr(x) => x.to_userdata(lua, h),
            Object::Route(x) => x.to_userdata(lua, h),
            Object::Rule(x) => x.to_userdata(lua, h),
            Object::Neigh(x) => x.to_userdata(lua, h),
            Object::Qdisc(x) => x.to_userdata(lua, h),
            Object::Class(x) => x.to_userdata(lua, h),
            Object::Filter(x) => x.to_userdata(lua, h),
        }
    }
}

/// An engine object and the namespace it was read in: given to Lua (as a
/// hook's argument, say) it becomes the userdata scripts see, bound to that
/// namespace through the runtime's shared handle for it.
///
/// An engine object given to Lua on its own is bound to the runtime's current
/// namespace (its `.netns(...)`, or the caller's); wrap one read elsewhere
/// — from a monitor on another namespace — in `Bound`.
pub struct Bound<T> {
    ns: Option<NsInfo>,
    value: T,
}

impl<T: ToUserData> Bound<T> {
    /// `value`, read in namespace `ns` (`handle.ns()`, a monitor's `ns(source)`).
    pub fn new(ns: &NsInfo, value: T) -> Bound<T> {
        Bound { ns: Some(ns.clone()), value }
    }

    /// `value`, read in the runtime's current namespace.
    pub fn current(value: T) -> Bound<T> {
        Bound { ns: None, value }
    }
}

impl<T: ToUserData> IntoLua for Bound<T> {
    fn into_lua(self, lua: &Lua) -> mlua::Result<Value> {
        if lua.app_data_ref::<crate::runtime::State>().is_none() {
            return Err(mlua::Error::runtime("nlua object: this Lua state has no nlua runtime (see nlua::register)"));
        }
        let h = match &self.ns {
            Some(ns) => handle_for(lua, ns)?,
            None => current_handle(lua)?,
        };
        self.value.to_userdata(lua, &h).map(Value::UserData)
    }
}

macro_rules! into_lua_in_current_netns {
    ($($t:ty),*) => {$(
        impl IntoLua for $t {
            fn into_lua(self, lua: &Lua) -> mlua::Result<Value> {
                Bound::current(self).into_lua(lua)
            }
        }
    )*};
}

into_lua_in_current_netns!(
    engine::Link,
    engine::Addr,
    engine::Route,
    engine::Rule,
    engine::Neigh,
    tc::Qdisc,
    tc::Class,
    tc::Filter,
    Object
);
