//! `link.wait` and `addr.wait`: block until the kernel reports a state,
//! through the engine's waits (subscribe, read, then sleep on notifications).

use std::net::IpAddr;
use std::rc::Rc;

use mlua::{IntoLuaMulti, Lua, MultiValue, Value};

use super::addr::Addr;
use super::args::{Args, seconds};
use super::error::{input, raise};
use super::link::{Link, link_arg};
use crate::engine::wait::LinkState;
use crate::engine::{self, LinkId};

/// `link.wait(link, state, timeout)`: state "up" (the default), "present" or
/// "gone"; returns the Link, or true once it is gone.
pub fn link_wait(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("link.wait", args);
    let state = match a.get(1) {
        Value::Nil => LinkState::Up,
        Value::String(s) => LinkState::from_name(&s.to_string_lossy()).ok_or_else(|| a.bad(1, "\"up\", \"present\" or \"gone\""))?,
        _ => return Err(a.bad(1, "\"up\", \"present\" or \"gone\"")),
    };
    let timeout = seconds(a.func, "argument #3", a.get(2))?;
    // A Link waits in its own namespace, by index; a name may not exist yet.
    let (h, id): (Rc<engine::Handle>, LinkId) = match a.get(0) {
        Value::UserData(ud) => match ud.borrow::<Link>() {
            Ok(l) => (l.h.clone(), LinkId::Index(l.l.index)),
            Err(_) => return Err(a.bad(0, "link name, index or Link")),
        },
        Value::String(s) => {
            let name = s.to_str().map_err(|_| a.bad(0, "link name, index or Link"))?.to_string();
            if !engine::link::valid_ifname(&name) {
                return Err(a.bad(0, "link name (1..15 characters without '/', ':' or spaces)"));
            }
            (h.clone(), LinkId::Name(name))
        }
        Value::Integer(n) if *n > 0 && *n <= u32::MAX as i64 => (h.clone(), LinkId::Index(*n as u32)),
        _ => return Err(a.bad(0, "link name, index or Link")),
    };
    match h.link_wait(id, state, timeout).map_err(raise)? {
        Some(l) => Link::new(&h, l).into_lua_multi(lua),
        None => true.into_lua_multi(lua),
    }
}

/// `addr.wait(dev, "2001:db8::1[/64]", timeout)`: until the address is on
/// `dev` and past duplicate address detection; returns the Addr.
pub fn addr_wait(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("addr.wait", args);
    let timeout = seconds(a.func, "argument #3", a.get(2))?;
    let what = "address like \"2001:db8::1\" or \"2001:db8::1/64\"";
    let (ip, plen): (IpAddr, Option<u8>) = match a.get(1) {
        Value::String(s) => {
            let s = s.to_str().map_err(|_| a.bad(1, what))?.to_string();
            match s.split_once('/') {
                Some(_) => crate::units::parse_prefix(&s).map(|(ip, p)| (ip, Some(p))).map_err(|e| input(a.func, format!("argument #2: expected {e}")))?,
                None => (s.parse().map_err(|_| a.bad(1, what))?, None),
            }
        }
        Value::UserData(ud) => match ud.borrow::<Addr>() {
            Ok(x) => (x.a.addr().ok_or_else(|| a.bad(1, what))?, Some(x.a.prefixlen)),
            Err(_) => return Err(a.bad(1, what)),
        },
        _ => return Err(a.bad(1, what)),
    };
    let (h, l) = link_arg(h, &a, 0)?;
    let found = h.addr_wait(l.index, ip, plen, timeout).map_err(raise)?;
    Addr { h: h.clone(), a: found, dev: l.name }.into_lua_multi(lua)
}
