//! `Addr` userdata and the `addr` module.

use std::rc::Rc;

use mlua::{AnyUserData, IntoLuaMulti, Lua, MetaMethod, MultiValue, Table, UserData, UserDataFields, UserDataMethods, Value};

use super::args::Args;
use super::error::{input, raise};
use super::link::{Link, link_arg};
use super::opts::table_to_map;
use super::{Module, Op, check_writable, guard};
use crate::engine::{self, AddrFilter, AddrSpec, Opt};
use crate::show;
use crate::units;

/// An address, with the handle it was read through and its device's name.
pub struct Addr {
    /// The handle (namespace) it was read through.
    pub h: Rc<engine::Handle>,
    /// The engine's address.
    pub a: engine::Addr,
    /// Its device's name.
    pub dev: String,
}

/// What to do with an address.
#[derive(Clone, Copy)]
pub enum Verb {
    /// Add (EEXIST if it is there).
    Add,
    /// Add, or replace what is there.
    Replace,
    /// Delete.
    Del,
}

impl Verb {
    fn func(self) -> &'static str {
        match self {
            Verb::Add => "addr.add",
            Verb::Replace => "addr.replace",
            Verb::Del => "addr.del",
        }
    }
}

fn filter_from(h: &engine::Handle, t: Option<Table>, func: &str, link: Option<&engine::Link>) -> mlua::Result<AddrFilter> {
    let mut f = AddrFilter { index: link.map(|l| l.index), ..Default::default() };
    if let Some(t) = t {
        let map = table_to_map(&t, "").map_err(|e| input(func, e))?;
        let mut r = engine::schema::Fields::new(&map, "");
        let e = |x| input(func, x);
        if link.is_none() {
            f.index = r.ifindex("dev", h).map_err(e)?;
        }
        f.family = r.parsed("family", "\"inet\" or \"inet6\"", units::parse_family).map_err(e)?.unwrap_or(0);
        f.scope = r.parsed("scope", "scope like \"global\" or \"link\"", units::parse_scope).map_err(e)?;
        f.label = r.str("label").map_err(e)?;
        r.finish([]).map_err(e)?;
    }
    Ok(f)
}

/// List addresses through `h` (of `link` only, when given).
pub fn list_for(lua: &Lua, h: &Rc<engine::Handle>, link: Option<&engine::Link>, t: Option<Table>, func: &str) -> mlua::Result<Table> {
    let f = filter_from(h, t, func, link)?;
    let addrs = h.addr_list(&f).map_err(raise)?;
    let links = if link.is_some() { Vec::new() } else { h.link_list(&Default::default()).map_err(raise)? };
    let out = lua.create_table_with_capacity(addrs.len(), 0)?;
    for (i, a) in addrs.into_iter().enumerate() {
        let dev = match link {
            Some(l) => l.name.clone(),
            None => links.iter().find(|l| l.index == a.index).map(|l| l.name.clone()).unwrap_or_default(),
        };
        out.raw_set(i + 1, Addr { h: h.clone(), a, dev })?;
    }
    Ok(out)
}

fn do_verb(h: &engine::Handle, spec: &AddrSpec, dev: &str, verb: Verb) -> mlua::Result<()> {
    match verb {
        Verb::Add => h.addr_add(spec, dev),
        Verb::Replace => h.addr_replace(spec, dev),
        Verb::Del => h.addr_del(spec, dev),
    }
    .map_err(raise)
}

/// `l:addr_add(addr, opts)` and friends: act on link `l`.
/// `argn` is the position of `addr` in the caller's arguments (for messages).
pub fn modify_for(lua: &Lua, l: &Link, addr: Value, argn: usize, opts: Option<Table>, verb: Verb) -> mlua::Result<()> {
    let func = verb.func();
    check_writable(lua, func)?;
    let mut map = match opts {
        Some(t) => table_to_map(&t, "").map_err(|e| input(func, e))?,
        None => Vec::new(),
    };
    let a = match addr {
        Value::String(s) => s.to_str().map_err(|_| input(func, format!("argument #{argn}: expected address string")))?.to_string(),
        Value::UserData(ud) => match ud.borrow::<Addr>() {
            Ok(x) => x.a.prefix(),
            Err(_) => return Err(input(func, format!("argument #{argn}: expected address like \"10.0.0.1/24\""))),
        },
        other => {
            let got = super::args::describe(&other);
            return Err(input(func, format!("argument #{argn}: expected address like \"10.0.0.1/24\", got {got}")));
        }
    };
    map.retain(|(k, _)| k != "dev" && k != "address");
    map.push(("dev".into(), Opt::Int(l.l.index as i64)));
    map.push(("address".into(), Opt::Str(a)));
    let spec = AddrSpec::from_opts(&map, &*l.h).map_err(|e| input(func, e))?;
    do_verb(&l.h, &spec, &l.l.name, verb)
}

/// Flush the addresses of one link.
pub fn flush_for(lua: &Lua, h: &Rc<engine::Handle>, l: &engine::Link, t: Option<Table>, func: &str) -> mlua::Result<usize> {
    check_writable(lua, func)?;
    let f = filter_from(h, t, func, Some(l))?;
    h.addr_flush(&f).map_err(raise)
}

/// addr.add("v0", "10.0.0.1/24", {opts}) or addr.add{dev=, address=, ...}.
fn modify(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue, verb: Verb) -> mlua::Result<MultiValue> {
    let func = verb.func();
    let a = Args::new(func, args);
    if let Value::Table(t) = a.get(0) {
        let map = table_to_map(t, "").map_err(|e| input(func, e))?;
        let spec = AddrSpec::from_opts(&map, &**h).map_err(|e| input(func, e))?;
        let dev = h.link_get(spec.index).map(|l| l.name).unwrap_or_else(|_| spec.index.to_string());
        do_verb(h, &spec, &dev, verb)?;
        return ().into_lua_multi(lua);
    }
    if let Value::UserData(ud) = a.get(0)
        && let Ok(x) = ud.borrow::<Addr>() {
            // addr.del(addrobj): the object names itself.
            let spec = AddrSpec::from_addr(&x.a).ok_or_else(|| input(func, "argument #1: address has no IP"))?;
            do_verb(&x.h, &spec, &x.dev, verb)?;
            return ().into_lua_multi(lua);
        }
    let (lh, l) = link_arg(h, &a, 0)?;
    let opts = a.opt_table(2)?;
    modify_for(lua, &Link::new(&lh, l), a.get(1).clone(), 2, opts, verb)?;
    ().into_lua_multi(lua)
}

fn add(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, Verb::Add)
}
fn replace(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, Verb::Replace)
}
fn del(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, Verb::Del)
}

fn list(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("addr.list", args);
    list_for(lua, h, None, a.opt_table(0)?, a.func)?.into_lua_multi(lua)
}

/// addr.flush("v0", {family=}) or addr.flush{dev=, family=}.
fn flush(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("addr.flush", args);
    if let Value::Table(t) = a.get(0) {
        let f = filter_from(h, Some(t.clone()), a.func, None)?;
        if f.index.is_none() {
            return Err(input(a.func, "field 'dev' is required"));
        }
        return h.addr_flush(&f).map_err(raise)?.into_lua_multi(lua);
    }
    let (lh, l) = link_arg(h, &a, 0)?;
    flush_for(lua, &lh, &l, a.opt_table(1)?, a.func)?.into_lua_multi(lua)
}

/// The `addr` module.
pub static MODULE: Module = Module {
    name: "addr",
    ops: &[
        Op { name: "list", f: list, mutates: false },
        Op { name: "add", f: add, mutates: true },
        Op { name: "replace", f: replace, mutates: true },
        Op { name: "del", f: del, mutates: true },
        Op { name: "flush", f: flush, mutates: true },
        Op { name: "wait", f: super::wait::addr_wait, mutates: false },
    ],
    extra: None,
};

impl UserData for Addr {
    fn add_fields<F: UserDataFields<Self>>(f: &mut F) {
        f.add_field_method_get("address", |_, s| Ok(s.a.addr().map(|a| a.to_string())));
        f.add_field_method_get("prefixlen", |_, s| Ok(s.a.prefixlen));
        f.add_field_method_get("prefix", |_, s| Ok(s.a.prefix()));
        f.add_field_method_get("family", |_, s| Ok(units::family_name(s.a.family)));
        f.add_field_method_get("dev", |_, s| Ok(s.dev.clone()));
        f.add_field_method_get("index", |_, s| Ok(s.a.index));
        f.add_field_method_get("scope", |_, s| Ok(units::scope_name(s.a.scope)));
        f.add_field_method_get("label", |_, s| Ok(s.a.label.clone()));
        f.add_field_method_get("broadcast", |_, s| Ok(s.a.broadcast.map(|a| a.to_string())));
        f.add_field_method_get("peer", |_, s| Ok(s.a.peer().map(|a| a.to_string())));
        f.add_field_method_get("flags", |_, s| Ok(s.a.flag_names()));
        f.add_field_method_get("tentative", |_, s| Ok(s.a.is_tentative()));
        f.add_field_method_get("metric", |_, s| Ok(s.a.metric));
        f.add_field_method_get("valid_lft", |_, s| Ok(s.a.valid_lft));
        f.add_field_method_get("preferred_lft", |_, s| Ok(s.a.preferred_lft));
    }

    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("del", |lua, s, ()| {
            guard("Addr.del", || {
                check_writable(lua, "Addr.del")?;
                let spec = AddrSpec::from_addr(&s.a).ok_or_else(|| input("Addr.del", "address has no IP"))?;
                s.h.addr_del(&spec, &s.dev).map_err(raise)
            })
        });
        m.add_method("json", |_, s, ()| guard("Addr.json", || Ok(show::addr::addr_json(&s.a).to_string_compact())));
        m.add_meta_method("__json", |_, s, ()| guard("Addr.json", || Ok(show::addr::addr_json(&s.a).to_string_compact())));
        m.add_meta_method(MetaMethod::ToString, |_, s, ()| {
            guard("Addr.tostring", || Ok(show::addr::addr_text(&s.a).trim_start().to_string()))
        });
        m.add_meta_method(MetaMethod::Eq, |_, s, o: AnyUserData| {
            Ok(o.borrow::<Addr>().is_ok_and(|o| {
                o.a.index == s.a.index && o.a.addr() == s.a.addr() && o.a.prefixlen == s.a.prefixlen && o.h.ns() == s.h.ns()
            }))
        });
    }
}
