//! `Neigh` userdata and the `neigh` module (IP neighbours and bridge FDB).

use std::rc::Rc;

use mlua::{AnyUserData, IntoLuaMulti, Lua, MetaMethod, MultiValue, Table, UserData, UserDataFields, UserDataMethods, Value};

use super::args::Args;
use super::error::{input, raise};
use super::opts::table_to_map;
use super::route::Ctx;
use super::{Module, Op, check_writable, guard};
use crate::engine::neigh::{AF_BRIDGE, NeighVerb};
use crate::engine::schema::Fields;
use crate::engine::schema::neigh as S;
use crate::engine::{self, NeighFilter, NeighSpec, Opt};
use crate::show::neigh::{neigh_json, neigh_text};
use crate::units;

/// A neighbour or FDB entry, with the handle it was read through.
pub struct Neigh {
    /// The handle (namespace) it was read through.
    pub h: Rc<engine::Handle>,
    /// The engine's neighbour.
    pub n: engine::Neigh,
    /// Link names and name files, shared by every object of one listing.
    pub ctx: Rc<Ctx>,
}

impl Neigh {
    fn dev(&self, i: Option<u32>) -> Option<String> {
        i.filter(|i| *i != 0).map(|i| crate::show::dev_name(&*self.ctx, i))
    }
}

fn state_mask(v: &Opt) -> Option<u32> {
    let one = |s: &str| -> Option<u32> {
        match s {
            "all" => Some(u32::MAX),
            "none" => Some(0x100),
            // bridge words
            "static" => Some(S::NUD_NOARP as u32),
            "dynamic" => Some(S::NUD_REACHABLE as u32),
            _ => S::NUD_NAMES.iter().find(|(_, n)| *n == s).map(|(b, _)| *b as u32),
        }
    };
    match v {
        Opt::Str(s) => one(s),
        Opt::List(l) => l.iter().try_fold(0u32, |acc, x| Some(acc | one(x.as_str()?)?)),
        _ => None,
    }
}

/// Read a list/flush filter; `link` fixes the device.
pub fn filter_from(h: &engine::Handle, t: Option<Table>, func: &str, link: Option<&engine::Link>) -> mlua::Result<NeighFilter> {
    let mut f = NeighFilter { index: link.map(|l| l.index), ..Default::default() };
    let Some(t) = t else { return Ok(f) };
    let map = table_to_map(&t, "").map_err(|e| input(func, e))?;
    let e = |x| input(func, x);
    let mut r = Fields::new(&map, "");
    f.family = r.parsed("family", "\"inet\", \"inet6\" or \"bridge\"", units::parse_family).map_err(e)?.unwrap_or(0);
    if link.is_none() {
        f.index = r.ifindex("dev", h).map_err(e)?;
    }
    f.master = r.ifindex("master", h).map_err(e)?;
    f.state = match r.take("state") {
        None => None,
        Some(v) => Some(
            state_mask(v)
                .ok_or_else(|| input(func, r.expected("state", "a state like \"reachable\", a list of them, or \"all\"", v)))?,
        ),
    };
    f.proxy = r.bool("proxy").map_err(e)?.unwrap_or(false);
    f.vlan = r.int("vlan", 0, 4095).map_err(e)?.map(|v| v as u16);
    f.dst = r.parsed("dst", "prefix like \"10.0.0.0/24\"", |s| units::parse_dst(s, None)).map_err(e)?;
    r.finish([]).map_err(e)?;
    Ok(f)
}

/// List entries through `h` (of `link` only, when given).
pub fn list_for(
    lua: &Lua,
    h: &Rc<engine::Handle>,
    link: Option<&engine::Link>,
    t: Option<Table>,
    func: &str,
) -> mlua::Result<Table> {
    let f = filter_from(h, t, func, link)?;
    let all = h.neigh_list(&f).map_err(raise)?;
    let ctx = Ctx::load(h)?;
    let out = lua.create_table_with_capacity(all.len(), 0)?;
    for (i, n) in all.into_iter().enumerate() {
        out.raw_set(i + 1, Neigh { h: h.clone(), n, ctx: ctx.clone() })?;
    }
    Ok(out)
}

fn list(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("neigh.list", args);
    list_for(lua, h, None, a.opt_table(0)?, a.func)?.into_lua_multi(lua)
}

fn modify(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue, verb: NeighVerb, func: &'static str) -> mlua::Result<MultiValue> {
    let a = Args::new(func, args);
    if verb == NeighVerb::Del
        && let Value::UserData(ud) = a.get(0)
        && let Ok(x) = ud.borrow::<Neigh>()
    {
        x.h.neigh_del(&NeighSpec::from_neigh(&x.n)).map_err(raise)?;
        return ().into_lua_multi(lua);
    }
    let Value::Table(t) = a.get(0) else {
        return Err(
            a.bad(0, if verb == NeighVerb::Del { "table of neighbour options or Neigh" } else { "table of neighbour options" })
        );
    };
    let map = table_to_map(t, "").map_err(|e| input(func, e))?;
    let spec = NeighSpec::from_opts(&map, &**h).map_err(|e| input(func, e))?;
    match verb {
        NeighVerb::Add => h.neigh_add(&spec),
        NeighVerb::Replace => h.neigh_replace(&spec),
        NeighVerb::Change => h.neigh_change(&spec),
        NeighVerb::Append => h.neigh_append(&spec),
        NeighVerb::Del => h.neigh_del(&spec),
    }
    .map_err(raise)?;
    ().into_lua_multi(lua)
}

fn add(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, NeighVerb::Add, "neigh.add")
}
fn replace(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, NeighVerb::Replace, "neigh.replace")
}
fn change(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, NeighVerb::Change, "neigh.change")
}
fn append(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, NeighVerb::Append, "neigh.append")
}
fn del(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, NeighVerb::Del, "neigh.del")
}

/// neigh.flush{dev=, ...}: a device is required, as for ip.
fn flush(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("neigh.flush", args);
    let f = filter_from(h, Some(a.table(0)?), a.func, None)?;
    if f.index.is_none() && f.dst.is_none() {
        return Err(input(a.func, "field 'dev' is required (or 'dst')"));
    }
    h.neigh_flush(&f).map_err(raise)?.into_lua_multi(lua)
}

/// The `neigh` module.
pub static MODULE: Module = Module {
    name: "neigh",
    ops: &[
        Op { name: "list", f: list, mutates: false },
        Op { name: "add", f: add, mutates: true },
        Op { name: "replace", f: replace, mutates: true },
        Op { name: "change", f: change, mutates: true },
        Op { name: "append", f: append, mutates: true },
        Op { name: "del", f: del, mutates: true },
        Op { name: "flush", f: flush, mutates: true },
    ],
    extra: None,
};

impl UserData for Neigh {
    fn add_fields<F: UserDataFields<Self>>(f: &mut F) {
        f.add_field_method_get("family", |_, s| Ok(units::family_name(s.n.family)));
        f.add_field_method_get("dst", |_, s| Ok(s.n.dst.map(|a| a.to_string())));
        f.add_field_method_get("lladdr", |_, s| Ok(s.n.lladdr.as_deref().map(units::format_mac)));
        f.add_field_method_get("dev", |_, s| Ok(s.dev(Some(s.n.ifindex))));
        f.add_field_method_get("index", |_, s| Ok(s.n.ifindex));
        f.add_field_method_get("state", |_, s| Ok(s.n.state_word()));
        f.add_field_method_get("states", |_, s| Ok(s.n.state_names()));
        f.add_field_method_get("flags", |_, s| Ok(s.n.flag_names()));
        f.add_field_method_get("router", |_, s| Ok(s.n.flags & S::NTF_ROUTER != 0));
        f.add_field_method_get("proxy", |_, s| Ok(s.n.flags & S::NTF_PROXY != 0));
        f.add_field_method_get("extern_learn", |_, s| Ok(s.n.flags & S::NTF_EXT_LEARNED != 0));
        f.add_field_method_get("managed", |_, s| Ok(s.n.flags_ext & S::NTF_EXT_MANAGED != 0));
        f.add_field_method_get("self", |_, s| Ok(s.n.flags & S::NTF_SELF != 0));
        f.add_field_method_get("master", |_, s| Ok(s.n.flags & S::NTF_MASTER != 0));
        f.add_field_method_get("sticky", |_, s| Ok(s.n.flags & S::NTF_STICKY != 0));
        f.add_field_method_get("bridge", |_, s| Ok(if s.n.family == AF_BRIDGE { s.dev(s.n.master) } else { None }));
        f.add_field_method_get("proto", |_, s| Ok(s.n.protocol.map(|p| s.ctx.names().proto(p))));
        f.add_field_method_get("vlan", |_, s| Ok(s.n.vlan));
        f.add_field_method_get("port", |_, s| Ok(s.n.port));
        f.add_field_method_get("vni", |_, s| Ok(s.n.vni));
        f.add_field_method_get("src_vni", |_, s| Ok(s.n.src_vni));
        f.add_field_method_get("via", |_, s| Ok(s.dev(s.n.via)));
        f.add_field_method_get("nhid", |_, s| Ok(s.n.nhid));
        f.add_field_method_get("handle", |_, s| Ok(super::handle::Handle(s.h.clone())));
    }

    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("del", |lua, s, ()| {
            guard("Neigh.del", || {
                check_writable(lua, "Neigh.del")?;
                s.h.neigh_del(&NeighSpec::from_neigh(&s.n)).map_err(raise)
            })
        });
        m.add_method("json", |_, s, ()| Ok(neigh_json(&s.n, &*s.ctx, s.ctx.names()).to_string_compact()));
        m.add_meta_method("__json", |_, s, ()| Ok(neigh_json(&s.n, &*s.ctx, s.ctx.names()).to_string_compact()));
        m.add_meta_method(MetaMethod::ToString, |_, s, ()| Ok(neigh_text(&s.n, &*s.ctx, s.ctx.names())));
        m.add_meta_method(MetaMethod::Eq, |_, s, o: AnyUserData| {
            Ok(o.borrow::<Neigh>().is_ok_and(|o| {
                let key = |n: &engine::Neigh| {
                    (
                        n.family,
                        n.ifindex,
                        n.dst,
                        if n.is_fdb() { n.lladdr.clone() } else { None },
                        n.vlan,
                        n.flags & (S::NTF_SELF | S::NTF_MASTER | S::NTF_PROXY),
                    )
                };
                key(&o.n) == key(&s.n) && o.h.ns() == s.h.ns()
            }))
        });
    }
}
