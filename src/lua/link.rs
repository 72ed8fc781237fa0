//! `Link` userdata and the `link` module.

use std::rc::Rc;

use mlua::{AnyUserData, IntoLuaMulti, Lua, MetaMethod, MultiValue, Table, UserData, UserDataFields, UserDataMethods, Value};

use super::args::Args;
use super::error::{input, raise};
use super::opts::{opt_to_lua, table_to_map};
use super::{Module, Op, check_writable, guard};
use crate::engine::tc::Verb;
use crate::engine::{self, LinkChange, LinkFilter, LinkSpec, Opt};
use crate::show;

/// A link: the handle (namespace) it lives in, its index, and the attributes
/// of the last read. Operations go through the engine by index.
pub struct Link {
    pub h: Rc<engine::Handle>,
    pub l: engine::Link,
}

impl Link {
    /// Wrap an engine link read through `h`.
    pub fn new(h: &Rc<engine::Handle>, l: engine::Link) -> Link {
        Link { h: h.clone(), l }
    }

    /// Read the link again by index; a link that is gone gives a clear error.
    pub fn refresh(&mut self) -> mlua::Result<()> {
        self.l = self.h.link_get(self.l.index).map_err(|e| {
            let who = format!("Link(ifindex {} {})", self.l.index, self.l.name);
            raise(e.with_op(who))
        })?;
        Ok(())
    }

    /// Apply a change, then re-read.
    pub fn apply(&mut self, lua: &Lua, func: &str, c: &LinkChange) -> mlua::Result<()> {
        check_writable(lua, func)?;
        self.h.link_set(&self.l, c).map_err(raise)?;
        self.refresh()
    }

    fn related(&self, lua: &Lua, index: Option<u32>) -> mlua::Result<Value> {
        match index {
            Some(i) if i != 0 => match self.h.link_get(i) {
                Ok(l) => lua.create_userdata(Link::new(&self.h, l)).map(Value::UserData),
                Err(_) => Ok(Value::Nil),
            },
            _ => Ok(Value::Nil),
        }
    }
}

/// A link argument: a name, an index or a Link (which brings its own handle).
pub fn link_arg(h: &Rc<engine::Handle>, args: &Args, i: usize) -> mlua::Result<(Rc<engine::Handle>, engine::Link)> {
    match args.get(i) {
        Value::UserData(ud) => match ud.borrow::<Link>() {
            Ok(l) => Ok((l.h.clone(), l.l.clone())),
            Err(_) => Err(args.bad(i, "link name, index or Link")),
        },
        Value::String(s) => {
            let name = s.to_str().map_err(|_| args.bad(i, "link name, index or Link"))?.to_string();
            Ok((h.clone(), h.link_get(name.as_str()).map_err(raise)?))
        }
        Value::Integer(n) if *n > 0 && *n <= u32::MAX as i64 => Ok((h.clone(), h.link_get(*n as u32).map_err(raise)?)),
        _ => Err(args.bad(i, "link name, index or Link")),
    }
}

/// Option maps with the namespace key taken out (namespaces are objects, not
/// options). Namespace objects arrive with the Netns type; until then a
/// `netns` key is refused with a clear message.
fn take_netns(func: &str, map: &mut Vec<(String, Opt)>, path: &str) -> mlua::Result<()> {
    if let Some(pos) = map.iter().position(|(k, _)| k == "netns") {
        let (_, v) = map.remove(pos);
        return Err(input(func, format!("field '{path}netns': expected Netns, got {}", v.describe())));
    }
    Ok(())
}

fn links_table(lua: &Lua, h: &Rc<engine::Handle>, links: Vec<engine::Link>) -> mlua::Result<Table> {
    let t = lua.create_table_with_capacity(links.len(), 0)?;
    for (i, l) in links.into_iter().enumerate() {
        t.raw_set(i + 1, Link::new(h, l))?;
    }
    Ok(t)
}

fn list(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("link.list", args);
    let mut f = LinkFilter::default();
    if let Some(t) = a.opt_table(0)? {
        let map = table_to_map(&t, "").map_err(|e| input(a.func, e))?;
        let mut r = engine::schema::Fields::new(&map, "");
        f.kind = r.str("kind").map_err(|e| input(a.func, e))?;
        f.master = r.ifindex("master", &**h).map_err(|e| input(a.func, e))?;
        f.up = r.bool("up").map_err(|e| input(a.func, e))?;
        r.finish([]).map_err(|e| input(a.func, e))?;
    }
    let links = h.link_list(&f).map_err(raise)?;
    links_table(lua, h, links)?.into_lua_multi(lua)
}

fn get(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("link.get", args);
    let (h, l) = link_arg(h, &a, 0)?;
    Link::new(&h, l).into_lua_multi(lua)
}

fn add(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("link.add", args);
    let t = a.table(0)?;
    let mut map = table_to_map(&t, "").map_err(|e| input(a.func, e))?;
    take_netns(a.func, &mut map, "")?;
    if let Some((_, Opt::Map(pm))) = map.iter_mut().find(|(k, _)| k == "peer") {
        take_netns(a.func, pm, "peer.")?;
    }
    let spec = LinkSpec::from_opts(&map, &**h).map_err(|e| input(a.func, e))?;
    h.link_add(&spec).map_err(raise)?;
    let name = spec.name.as_deref().unwrap_or_default();
    let main = h.link_get(name).map_err(raise)?;
    let mut out = vec![Value::UserData(lua.create_userdata(Link::new(h, main))?)];
    if let Some(p) = &spec.peer {
        let pl = h.link_get(p.name.as_deref().unwrap_or_default()).map_err(raise)?;
        // A peer cannot be set up in the request that creates it in another
        // namespace (ENOTCONN), so it is brought up afterwards.
        let mut peer = Link::new(h, pl);
        if p.up {
            peer.apply(lua, a.func, &LinkChange { up: Some(true), ..Default::default() })?;
        }
        out.push(Value::UserData(lua.create_userdata(peer)?));
    }
    Ok(MultiValue::from_iter(out))
}

fn del(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("link.del", args);
    let (h, l) = link_arg(h, &a, 0)?;
    h.link_del(&l).map_err(raise)?;
    ().into_lua_multi(lua)
}

fn set(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("link.set", args);
    let (h, l) = link_arg(h, &a, 0)?;
    let mut link = Link::new(&h, l);
    let t = a.table(1)?;
    let change = change_from_table(&link, "link.set", &t)?;
    link.apply(lua, a.func, &change)?;
    link.into_lua_multi(lua)
}

fn change_from_table(link: &Link, func: &str, t: &Table) -> mlua::Result<LinkChange> {
    let mut map = table_to_map(t, "").map_err(|e| input(func, e))?;
    take_netns(func, &mut map, "")?;
    LinkChange::from_opts(&map, link.l.kind.as_deref(), &*link.h).map_err(|e| input(func, e))
}

/// The `link` module.
pub static MODULE: Module = Module {
    name: "link",
    ops: &[
        Op { name: "list", f: list, mutates: false, sig: "link.list{kind=, master=, up=} --> {Link...}" },
        Op { name: "get", f: get, mutates: false, sig: "link.get(name_or_index) --> Link" },
        Op { name: "add", f: add, mutates: true, sig: "link.add{name=, kind=, mtu=, mac=, master=, peer={name=}, ...} --> Link[, peer]" },
        Op { name: "del", f: del, mutates: true, sig: "link.del(link)" },
        Op { name: "set", f: set, mutates: true, sig: "link.set(link, {mtu=, name=, mac=, master=, up=, ...}) --> Link" },
    ],
    extra: None,
};

fn stats_table(lua: &Lua, l: &engine::Link) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    for (k, v) in l.stats() {
        t.raw_set(k, v as i64)?;
    }
    Ok(t)
}

impl UserData for Link {
    fn add_fields<F: UserDataFields<Self>>(f: &mut F) {
        f.add_field_method_get("name", |_, s| Ok(s.l.name.clone()));
        f.add_field_method_get("index", |_, s| Ok(s.l.index));
        f.add_field_method_get("kind", |_, s| Ok(s.l.kind.clone()));
        f.add_field_method_get("slave_kind", |_, s| Ok(s.l.slave_kind.clone()));
        f.add_field_method_get("mtu", |_, s| Ok(s.l.mtu));
        f.add_field_method_get("min_mtu", |_, s| Ok(s.l.min_mtu));
        f.add_field_method_get("max_mtu", |_, s| Ok(s.l.max_mtu));
        f.add_field_method_get("mac", |_, s| Ok(s.l.mac.as_deref().map(crate::units::format_mac)));
        f.add_field_method_get("broadcast", |_, s| Ok(s.l.broadcast.as_deref().map(crate::units::format_mac)));
        f.add_field_method_get("type", |_, s| Ok(show::link::ll_type_name(s.l.link_type)));
        f.add_field_method_get("flags", |_, s| Ok(s.l.flag_names()));
        // `l:up()` is the method, so the state is `is_up` (DESIGN's `l.up` field
        // would shadow it).
        f.add_field_method_get("is_up", |_, s| Ok(s.l.is_up()));
        f.add_field_method_get("carrier", |_, s| Ok(s.l.flags & engine::link::IFF_LOWER_UP != 0));
        f.add_field_method_get("operstate", |_, s| Ok(s.l.operstate_name()));
        f.add_field_method_get("promiscuity", |_, s| Ok(s.l.promiscuity));
        f.add_field_method_get("promisc", |_, s| Ok(s.l.promiscuity > 0));
        f.add_field_method_get("allmulti", |_, s| Ok(s.l.allmulti));
        f.add_field_method_get("txqlen", |_, s| Ok(s.l.txqlen));
        f.add_field_method_get("qdisc", |_, s| Ok(s.l.qdisc.clone()));
        f.add_field_method_get("group", |_, s| Ok(s.l.group));
        f.add_field_method_get("alias", |_, s| Ok(s.l.alias.clone()));
        f.add_field_method_get("altnames", |_, s| Ok(s.l.altnames.clone()));
        f.add_field_method_get("link_netnsid", |_, s| Ok(s.l.link_netnsid));
        f.add_field_method_get("stats", |lua, s| stats_table(lua, &s.l));
        f.add_field_method_get("master", |lua, s| s.related(lua, s.l.master));
        // The veth peer or the parent of a vlan/macvlan, when it is in this namespace.
        f.add_field_method_get("peer", |lua, s| {
            if s.l.link_netnsid.is_some() { Ok(Value::Nil) } else { s.related(lua, s.l.link) }
        });
        f.add_field_method_get("data", |lua, s| match s.l.kind_data() {
            Some(d) => opt_to_lua(lua, &d.to_opt()),
            None => Ok(Value::Nil),
        });
        f.add_field_method_get("slave", |lua, s| match s.l.slave_data() {
            Some(d) => opt_to_lua(lua, &d.to_opt()),
            None => Ok(Value::Nil),
        });
        f.add_field_method_get("handle", |_, s| Ok(super::handle::Handle(s.h.clone())));
    }

    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_function("up", |lua, ud: AnyUserData| {
            guard("Link.up", || {
                ud.borrow_mut::<Link>()?.apply(lua, "Link.up", &LinkChange { up: Some(true), ..Default::default() })?;
                Ok(ud)
            })
        });
        m.add_function("down", |lua, ud: AnyUserData| {
            guard("Link.down", || {
                ud.borrow_mut::<Link>()?.apply(lua, "Link.down", &LinkChange { up: Some(false), ..Default::default() })?;
                Ok(ud)
            })
        });
        m.add_function("set", |lua, (ud, t): (AnyUserData, Value)| {
            guard("Link.set", || {
                let Value::Table(t) = t else {
                    return Err(input("Link.set", format!("argument #1: expected table, got {}", super::args::describe(&t))));
                };
                let mut l = ud.borrow_mut::<Link>()?;
                let c = change_from_table(&l, "Link.set", &t)?;
                l.apply(lua, "Link.set", &c)?;
                drop(l);
                Ok(ud)
            })
        });
        m.add_method("del", |lua, s, ()| {
            guard("Link.del", || {
                check_writable(lua, "Link.del")?;
                s.h.link_del(&s.l).map_err(raise)
            })
        });
        m.add_function("refresh", |_, ud: AnyUserData| {
            guard("Link.refresh", || {
                ud.borrow_mut::<Link>()?.refresh()?;
                Ok(ud)
            })
        });
        m.add_method("addrs", |lua, s, opts: Option<Table>| {
            guard("Link.addrs", || super::addr::list_for(lua, &s.h, Some(&s.l), opts, "Link.addrs"))
        });
        m.add_method("routes", |lua, s, opts: Option<Table>| {
            guard("Link.routes", || super::route::list_for(lua, &s.h, Some(&s.l), opts, "Link.routes"))
        });
        m.add_method("neighs", |lua, s, opts: Option<Table>| {
            guard("Link.neighs", || super::neigh::list_for(lua, &s.h, Some(&s.l), opts, "Link.neighs"))
        });
        m.add_method("addr_add", |lua, s, (addr, opts): (Value, Option<Table>)| {
            guard("Link.addr_add", || super::addr::modify_for(lua, s, addr, 1, opts, super::addr::Verb::Add))
        });
        m.add_method("addr_replace", |lua, s, (addr, opts): (Value, Option<Table>)| {
            guard("Link.addr_replace", || super::addr::modify_for(lua, s, addr, 1, opts, super::addr::Verb::Replace))
        });
        m.add_method("addr_del", |lua, s, addr: Value| {
            guard("Link.addr_del", || super::addr::modify_for(lua, s, addr, 1, None, super::addr::Verb::Del))
        });
        m.add_method("addr_flush", |lua, s, opts: Option<Table>| {
            guard("Link.addr_flush", || super::addr::flush_for(lua, &s.h, &s.l, opts, "Link.addr_flush"))
        });
        m.add_method("qdiscs", |lua, s, opts: Option<Table>| {
            guard("Link.qdiscs", || super::qdisc::list_for(lua, &s.h, Some(s.l.index), opts, "Link.qdiscs"))
        });
        m.add_method("qdisc_add", |lua, s, t: Table| guard("Link.qdisc_add", || super::qdisc::link_modify(lua, s, t, Verb::Add)));
        m.add_method("qdisc_replace", |lua, s, t: Table| guard("Link.qdisc_replace", || super::qdisc::link_modify(lua, s, t, Verb::Replace)));
        m.add_method("classes", |lua, s, a: MultiValue| {
            guard("Link.classes", || super::class::list_for(lua, &s.h, Some(s), &super::args::Args::new("Link.classes", a), 0))
        });
        m.add_method("class_add", |lua, s, t: Table| guard("Link.class_add", || super::class::link_modify(lua, s, t, Verb::Add)));
        m.add_method("filters", |lua, s, a: MultiValue| {
            guard("Link.filters", || super::filter::list_for(lua, &s.h, Some(s), &super::args::Args::new("Link.filters", a), 0))
        });
        m.add_method("filter_add", |lua, s, t: Table| guard("Link.filter_add", || super::filter::link_modify(lua, s, t, Verb::Add)));
        // `l:show()` is the `ip link show` block; `l:show{addrs=true}` the `ip addr show` block.
        m.add_method("show", |_, s, opts: Option<Table>| {
            guard("Link.show", || {
                let addrs = match &opts {
                    Some(t) => t.get::<Option<bool>>("addrs")?.unwrap_or(false),
                    None => false,
                };
                if !addrs {
                    return Ok(show::link::link_text(&s.l, &*s.h, true));
                }
                let mut out = show::link::link_text(&s.l, &*s.h, false);
                let f = engine::AddrFilter { index: Some(s.l.index), ..Default::default() };
                for a in s.h.addr_list(&f).map_err(raise)? {
                    out.push('\n');
                    out.push_str(&show::addr::addr_text(&a));
                }
                Ok(out)
            })
        });
        m.add_method("json", |_, s, ()| Ok(show::link::link_json(&s.l, &*s.h).to_string_compact()));
        m.add_meta_method("__json", |_, s, ()| Ok(show::link::link_json(&s.l, &*s.h).to_string_compact()));
        m.add_meta_method(MetaMethod::ToString, |_, s, ()| Ok(show::link::link_text(&s.l, &*s.h, true)));
        m.add_meta_method(MetaMethod::Eq, |_, s, o: AnyUserData| {
            Ok(o.borrow::<Link>().is_ok_and(|o| o.l.index == s.l.index && o.h.ns() == s.h.ns()))
        });
    }
}
