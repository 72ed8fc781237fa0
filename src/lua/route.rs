//! `Route` userdata and the `route` module.

use std::net::IpAddr;
use std::cell::OnceCell;
use std::rc::Rc;

use mlua::{AnyUserData, IntoLuaMulti, Lua, MetaMethod, MultiValue, Table, UserData, UserDataFields, UserDataMethods, Value};

use super::args::Args;
use super::error::{input, raise};
use super::opts::{opt_to_lua, table_to_map};
use super::{Module, Op, check_writable, guard};
use crate::engine::route::{DstMatch, RouteVerb, type_name};
use crate::engine::route_opts::{proto_opt, table_opt, tos_opt, type_opt};
use crate::engine::schema::Fields;
use crate::engine::schema::route as S;
use crate::engine::{self, Opt, RouteFilter, RouteQuery, RouteSpec};
use crate::show::route::{RtNames, route_json, route_text};
use crate::show::{LinkTable, Names};
use crate::units;

const AF_INET: u8 = 2;

/// What printing needs besides the object: link names and iproute2 name
/// files, shared by every object of a listing and read once, when first
/// needed (a listing that is counted, not printed, reads neither).
pub struct Ctx {
    h: Rc<engine::Handle>,
    links: OnceCell<Vec<engine::Link>>,
    names: OnceCell<RtNames>,
}

impl Ctx {
    /// Read the links of `h` and the name files now.
    pub fn load(h: &Rc<engine::Handle>) -> mlua::Result<Rc<Ctx>> {
        let c = Ctx::lazy(h);
        let _ = c.links.set(h.link_list(&Default::default()).map_err(raise)?);
        Ok(c)
    }

    /// With these links and name tables (a monitor keeps them current).
    pub fn with(h: &Rc<engine::Handle>, links: Vec<engine::Link>, names: RtNames) -> Rc<Ctx> {
        Rc::new(Ctx { h: h.clone(), links: OnceCell::from(links), names: OnceCell::from(names) })
    }

    /// Read them when first needed.
    pub fn lazy(h: &Rc<engine::Handle>) -> Rc<Ctx> {
        Rc::new(Ctx { h: h.clone(), links: OnceCell::new(), names: OnceCell::new() })
    }

    /// The iproute2 name tables.
    pub fn names(&self) -> &RtNames {
        self.names.get_or_init(RtNames::load)
    }

    /// The links (none if they cannot be read: devices show as "ifN").
    fn links(&self) -> &[engine::Link] {
        self.links.get_or_init(|| self.h.link_list(&Default::default()).unwrap_or_default())
    }
}

impl Names for Ctx {
    fn link_name(&self, index: u32) -> Option<String> {
        LinkTable(self.links()).link_name(index)
    }
    fn link_up(&self, index: u32) -> Option<bool> {
        LinkTable(self.links()).link_up(index)
    }
}

/// A route, with the handle it was read through: listed routes keep the
/// kernel's message (in the listing's buffers) and decode it when first read.
pub struct Route {
    /// Link names and name files, shared by every object of one listing;
    /// also the handle (namespace) the route was read through.
    pub ctx: Rc<Ctx>,
    listed: Option<(Rc<engine::route_msg::RouteMsgs>, u32)>,
    decoded: OnceCell<Box<engine::Route>>,
}

impl Route {
    /// A route already decoded.
    pub fn new(r: engine::Route, ctx: Rc<Ctx>) -> Route {
        Route { ctx, listed: None, decoded: OnceCell::from(Box::new(r)) }
    }

    /// The handle (namespace) it was read through.
    pub fn h(&self) -> &Rc<engine::Handle> {
        &self.ctx.h
    }

    /// The route (decoded on first use).
    pub fn r(&self) -> &engine::Route {
        self.decoded.get_or_init(|| {
            let (msgs, i) = self.listed.as_ref().expect("a route keeps its message until decoded");
            Box::new(msgs.decode(*i as usize))
        })
    }

    fn dev(&self, i: Option<u32>) -> Option<String> {
        i.filter(|i| *i != 0).map(|i| crate::show::dev_name(&*self.ctx, i))
    }
}

fn verb_func(v: RouteVerb) -> &'static str {
    match v {
        RouteVerb::Add => "route.add",
        RouteVerb::Replace => "route.replace",
        RouteVerb::Change => "route.change",
        RouteVerb::Append => "route.append",
        RouteVerb::Prepend => "route.prepend",
        RouteVerb::Del => "route.del",
    }
}

/// Read a list filter. The table defaults to main, as for `ip route`;
/// `table="all"` lists every table.
pub fn filter_from(h: &engine::Handle, t: Option<Table>, func: &str, link: Option<&engine::Link>) -> mlua::Result<RouteFilter> {
    let mut f = RouteFilter { table: Some(S::RT_TABLE_MAIN), oif: link.map(|l| l.index), ..Default::default() };
    let Some(t) = t else { return Ok(f) };
    let map = table_to_map(&t, "").map_err(|e| input(func, e))?;
    let e = |x| input(func, x);
    let mut r = Fields::new(&map, "");
    f.family = r.parsed("family", "\"inet\" or \"inet6\"", units::parse_family).map_err(e)?.unwrap_or(0);
    f.table = match map.iter().find(|(k, _)| k == "table") {
        Some((_, Opt::Str(s))) if s == "all" => {
            r.allow("table");
            None
        }
        // Table 0 ("unspec") is every table, as for `ip route show table 0`.
        _ => match table_opt(&mut r, "table").map_err(e)? {
            Some(0) => None,
            t => t.or(Some(S::RT_TABLE_MAIN)),
        },
    };
    if link.is_none() {
        f.oif = match r.ifindex("dev", h).map_err(e)? {
            Some(i) => Some(i),
            None => r.ifindex("oif", h).map_err(e)?,
        };
    }
    f.protocol = proto_opt(&mut r, "proto").map_err(e)?;
    f.rtype = type_opt(&mut r, "type").map_err(e)?;
    f.scope = r.parsed("scope", "scope like \"link\" or \"global\"", units::parse_scope).map_err(e)?;
    f.metric = r.u32("metric").map_err(e)?;
    f.gateway = r.ip("gw").map_err(e)?;
    let fam = (f.family != 0).then_some(f.family);
    let what = "prefix like \"10.0.0.0/24\" or \"default\"";
    let given: Vec<&str> = ["dst", "root", "match"].into_iter().filter(|k| map.iter().any(|(x, _)| x == k)).collect();
    if given.len() > 1 {
        return Err(input(func, format!("field '{}': give only one of 'dst', 'root', 'match'", given[1])));
    }
    for (k, mk) in [("dst", DstMatch::Exact as fn(_) -> _), ("root", DstMatch::Root), ("match", DstMatch::Match)] {
        let key: &'static str = k;
        // "default" without a family names the default route of both families.
        let any_default = fam.is_none() && map.iter().any(|(x, v)| x == k && v.as_str().is_some_and(is_default_word));
        if let Some(n) = r.parsed(key, what, |s| units::parse_dst(s, fam)).map_err(e)? {
            f.dst = match (any_default, key) {
                (true, "root") => None,
                (true, _) => Some(DstMatch::Default),
                _ => Some(mk(n)),
            };
        }
    }
    r.finish([]).map_err(e)?;
    Ok(f)
}

fn is_default_word(s: &str) -> bool {
    matches!(s, "default" | "all" | "any")
}

/// List routes through `h` (through `link` only, when given) as a Lua array.
pub fn list_for(
    lua: &Lua,
    h: &Rc<engine::Handle>,
    link: Option<&engine::Link>,
    t: Option<Table>,
    func: &str,
) -> mlua::Result<Table> {
    let f = filter_from(h, t, func, link)?;
    let ctx = Ctx::lazy(h);
    // Nothing made here is garbage: the collector pauses while the listing
    // is built (50,000 objects would otherwise be marked over and over).
    let _paused = GcPause::new(lua);
    let routes = Rc::new(h.route_list_msgs(&f).map_err(raise)?);
    let n = routes.len() as u32;
    lua.create_sequence_from((0..n).map(|i| Route { ctx: ctx.clone(), listed: Some((routes.clone(), i)), decoded: OnceCell::new() }))
}

/// The garbage collector stopped until this is dropped (unless the script
/// had stopped it already).
struct GcPause<'a>(Option<&'a Lua>);

impl<'a> GcPause<'a> {
    /// Stop the collector of `lua` while this lives.
    fn new(lua: &'a Lua) -> GcPause<'a> {
        if lua.gc_is_running() {
            lua.gc_stop();
            GcPause(Some(lua))
        } else {
            GcPause(None)
        }
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(lua) = self.0 {
            lua.gc_restart();
        }
    }
}

fn list(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("route.list", args);
    list_for(lua, h, None, a.opt_table(0)?, a.func)?.into_lua_multi(lua)
}

fn spec_from(h: &Rc<engine::Handle>, func: &str, t: &Table) -> mlua::Result<RouteSpec> {
    let map = table_to_map(t, "").map_err(|e| input(func, e))?;
    RouteSpec::from_opts(&map, &**h).map_err(|e| input(func, e))
}

fn modify(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue, verb: RouteVerb) -> mlua::Result<MultiValue> {
    let func = verb_func(verb);
    let a = Args::new(func, args);
    if verb == RouteVerb::Del
        && let Value::UserData(ud) = a.get(0)
        && let Ok(r) = ud.borrow::<Route>()
    {
        r.h().route_del_route(r.r()).map_err(raise)?;
        return ().into_lua_multi(lua);
    }
    let t = match a.get(0) {
        Value::Table(t) => t.clone(),
        _ => {
            return Err(
                a.bad(0, if verb == RouteVerb::Del { "table of route options or Route" } else { "table of route options" })
            );
        }
    };
    if let Value::Table(_) = t.raw_get::<Value>(1)? {
        return super::route_batch::modify_many(lua, h, func, &t, verb);
    }
    if let Value::Table(dsts) = t.raw_get::<Value>("dst")? {
        return super::route_batch::modify_each_dst(lua, h, func, &t, &dsts, verb);
    }
    let spec = spec_from(h, func, &t)?;
    h.route_modify(&spec, verb).map_err(raise)?;
    ().into_lua_multi(lua)
}

fn add(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, RouteVerb::Add)
}
fn replace(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, RouteVerb::Replace)
}
fn change(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, RouteVerb::Change)
}
fn append(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, RouteVerb::Append)
}
fn prepend(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, RouteVerb::Prepend)
}
fn del(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, RouteVerb::Del)
}

/// route.flush{table=, dev=, proto=, ...}: a filter is required, as for ip.
fn flush(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("route.flush", args);
    let t = a.table(0)?;
    if t.pairs::<Value, Value>().next().is_none() {
        return Err(input(a.func, "give a filter, e.g. {table=100} or {dev=\"v0\"} (an empty one would flush table main)"));
    }
    let mut f = filter_from(h, Some(t), a.func, None)?;
    // As `ip route flush`: within one table and without a family, IPv4 only,
    // so flushing a device's routes does not take its IPv6 link-local route.
    if f.family == 0 && f.table.is_some() {
        f.family = AF_INET;
    }
    h.route_flush(&f).map_err(raise)?.into_lua_multi(lua)
}

/// route.get("8.8.8.8", {from=, iif=, oif=, mark=, uid=, tos=, ipproto=, sport=, dport=, fibmatch=})
fn get(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("route.get", args);
    let d = a.string(0, "address like \"192.0.2.1\"")?;
    let dst: IpAddr = match units::parse_prefix(&d) {
        Ok((addr, len)) if len == if addr.is_ipv4() { 32 } else { 128 } => addr,
        _ => return Err(a.bad(0, "address like \"192.0.2.1\"")),
    };
    let mut q = RouteQuery::new(dst);
    if let Some(t) = a.opt_table(1)? {
        let map = table_to_map(&t, "").map_err(|e| input(a.func, e))?;
        let e = |x| input(a.func, x);
        let mut r = Fields::new(&map, "");
        q.from = r.ip("from").map_err(e)?;
        if let Some(f) = q.from
            && units::family_of(&f) != units::family_of(&dst)
        {
            return Err(input(a.func, format!("field 'from': {f} is not the family of {dst}")));
        }
        q.iif = r.ifindex("iif", &**h).map_err(e)?;
        q.oif = match r.ifindex("oif", &**h).map_err(e)? {
            Some(i) => Some(i),
            None => r.ifindex("dev", &**h).map_err(e)?,
        };
        q.mark = r.u32("mark").map_err(e)?;
        q.uid = r.u32("uid").map_err(e)?;
        q.tos = tos_opt(&mut r).map_err(e)?.unwrap_or(0);
        q.ipproto = match r.take("ipproto") {
            None => None,
            Some(Opt::Str(p)) => {
                Some(engine::rule::parse_ip_proto(p).map_err(|x| input(a.func, format!("field 'ipproto': {x}")))?)
            }
            Some(v) => Some(
                v.as_int()
                    .filter(|n| (0..=255).contains(n))
                    .ok_or_else(|| input(a.func, r.expected("ipproto", "protocol number or name", v)))? as u8,
            ),
        };
        q.sport = r.int("sport", 0, 65535).map_err(e)?.map(|p| p as u16);
        q.dport = r.int("dport", 0, 65535).map_err(e)?.map(|p| p as u16);
        q.fibmatch = r.bool("fibmatch").map_err(e)?.unwrap_or(false);
        r.finish([]).map_err(e)?;
    }
    let route = h.route_get(&q).map_err(raise)?;
    Route::new(route, Ctx::load(h)?).into_lua_multi(lua)
}

/// The `route` module.
pub static MODULE: Module = Module {
    name: "route",
    ops: &[
        Op { name: "list", f: list, mutates: false },
        Op { name: "get", f: get, mutates: false },
        Op { name: "add", f: add, mutates: true },
        Op { name: "replace", f: replace, mutates: true },
        Op { name: "change", f: change, mutates: true },
        Op { name: "append", f: append, mutates: true },
        Op { name: "prepend", f: prepend, mutates: true },
        Op { name: "del", f: del, mutates: true },
        Op { name: "flush", f: flush, mutates: true },
    ],
    extra: None,
};

fn ip_str(a: Option<IpAddr>) -> Option<String> {
    a.map(|a| a.to_string())
}

fn nexthops_table(lua: &Lua, s: &Route) -> mlua::Result<Option<Table>> {
    if s.r().nexthops.is_empty() {
        return Ok(None);
    }
    let t = lua.create_table()?;
    for (i, n) in s.r().nexthops.iter().enumerate() {
        let x = lua.create_table()?;
        x.set("gw", ip_str(n.gateway))?;
        x.set("via", ip_str(n.via))?;
        x.set("dev", s.dev(Some(n.ifindex)))?;
        x.set("weight", n.weight)?;
        x.set("onlink", n.flags as u32 & S::RTNH_F_ONLINK != 0)?;
        if let Some(e) = &n.encap {
            x.set("encap", opt_to_lua(lua, &e.to_opt())?)?;
        }
        if let Some(r) = n.realms {
            x.set("realms", r)?;
        }
        t.raw_set(i + 1, x)?;
    }
    Ok(Some(t))
}

fn metrics_table(lua: &Lua, s: &Route) -> mlua::Result<Value> {
    let Some(m) = s.r().attrs.nested(S::RTA_METRICS) else { return Ok(Value::Nil) };
    let t = match opt_to_lua(lua, &m.to_opt())? {
        Value::Table(t) => t,
        _ => lua.create_table()?,
    };
    t.set("lock", Value::Nil)?;
    let locked = s.r().locked_metrics();
    if !locked.is_empty() {
        t.set("lock", locked)?;
    }
    Ok(Value::Table(t))
}

impl UserData for Route {
    fn add_fields<F: UserDataFields<Self>>(f: &mut F) {
        f.add_field_method_get("family", |_, s| Ok(units::family_name(s.r().family)));
        f.add_field_method_get("dst", |_, s| Ok(s.r().prefix()));
        f.add_field_method_get("dst_len", |_, s| Ok(s.r().dst_len));
        f.add_field_method_get("from", |_, s| Ok(s.r().from_prefix()));
        f.add_field_method_get("src", |_, s| Ok(ip_str(s.r().prefsrc)));
        f.add_field_method_get("gw", |_, s| Ok(ip_str(s.r().gateway)));
        f.add_field_method_get("via", |_, s| Ok(ip_str(s.r().via)));
        f.add_field_method_get("dev", |_, s| Ok(s.dev(s.r().oif)));
        f.add_field_method_get("oif", |_, s| Ok(s.r().oif));
        f.add_field_method_get("iif", |_, s| Ok(s.dev(s.r().iif)));
        f.add_field_method_get("table", |_, s| Ok(s.r().table));
        f.add_field_method_get("metric", |_, s| Ok(s.r().metric));
        f.add_field_method_get("scope", |_, s| Ok(units::scope_name(s.r().scope)));
        f.add_field_method_get("proto", |_, s| Ok(s.ctx.names().proto(s.r().protocol)));
        f.add_field_method_get("type", |_, s| Ok(type_name(s.r().rtype)));
        f.add_field_method_get("tos", |_, s| Ok(s.r().tos));
        f.add_field_method_get("onlink", |_, s| Ok(s.r().flags & S::RTNH_F_ONLINK != 0));
        f.add_field_method_get("flags", |_, s| Ok(s.r().flag_names()));
        f.add_field_method_get("pref", |_, s| Ok(s.r().pref.map(crate::show::route::pref_word)));
        f.add_field_method_get("expires", |_, s| Ok(s.r().expires()));
        f.add_field_method_get("mark", |_, s| Ok(s.r().mark));
        f.add_field_method_get("uid", |_, s| Ok(s.r().uid));
        f.add_field_method_get("realms", |_, s| Ok(s.r().realms));
        f.add_field_method_get("nhid", |_, s| Ok(s.r().nhid));
        f.add_field_method_get("metrics", metrics_table);
        f.add_field_method_get("nexthops", nexthops_table);
        f.add_field_method_get("encap", |lua, s| match &s.r().encap {
            Some(e) => opt_to_lua(lua, &e.to_opt()),
            None => Ok(Value::Nil),
        });
        f.add_field_method_get("handle", |_, s| Ok(super::handle::Handle(s.h().clone())));
    }

    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("del", |lua, s, ()| {
            guard("Route.del", || {
                check_writable(lua, "Route.del")?;
                s.h().route_del_route(s.r()).map_err(raise)
            })
        });
        m.add_method("json", |_, s, ()| Ok(route_json(s.r(), &*s.ctx, s.ctx.names()).to_string_compact()));
        m.add_meta_method("__json", |_, s, ()| Ok(route_json(s.r(), &*s.ctx, s.ctx.names()).to_string_compact()));
        m.add_meta_method(MetaMethod::ToString, |_, s, ()| Ok(route_text(s.r(), &*s.ctx, s.ctx.names())));
        m.add_meta_method(MetaMethod::Eq, |_, s, o: AnyUserData| {
            Ok(o.borrow::<Route>().is_ok_and(|o| {
                let key = |r: &engine::Route| (r.family, r.table, r.dst_net(), r.tos, r.metric, r.rtype, r.from_prefix());
                key(o.r()) == key(s.r()) && o.h().ns() == s.h().ns()
            }))
        });
    }
}
