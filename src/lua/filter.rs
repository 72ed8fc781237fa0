//! `Filter` userdata and the `filter` module.

use std::rc::Rc;

use mlua::{AnyUserData, IntoLuaMulti, Lua, MetaMethod, MultiValue, Table, UserData, UserDataFields, UserDataMethods, Value};

use super::args::Args;
use super::error::{input, raise};
use super::link::{Link, link_arg};
use super::opts::table_to_map;
use super::qdisc::{dev_of, opts_table, stats_table, tc_table};
use super::{Module, Op, check_writable, guard};
use crate::engine::tc::filter::{FilterSpec, protocol_name};
use crate::engine::tc::{Obj, Verb, parse_parent};
use crate::engine::{self, Opt, schema};
use crate::show;

/// A filter: the handle it was read through, its device's name, the last read.
pub struct Filter {
    /// The handle (namespace) it was read through.
    pub h: Rc<engine::Handle>,
    /// The engine's filter.
    pub x: engine::tc::Filter,
    /// Its device's name.
    pub dev: String,
}

fn verb_func(verb: Verb) -> &'static str {
    match verb {
        Verb::Add => "filter.add",
        Verb::Replace => "filter.replace",
        Verb::Change => "filter.change",
        Verb::Del => "filter.del",
    }
}

/// The filter a spec most likely made: same parent, kind and protocol (and
/// prio and handle when given); among those, the newest node.
fn read_back(h: &Rc<engine::Handle>, s: &FilterSpec) -> mlua::Result<Option<Filter>> {
    let all = h.filter_list(s.ifindex, Some(s.parent)).map_err(raise)?;
    let kind = s.kind.clone().unwrap_or_default();
    let mut c: Vec<engine::tc::Filter> = all
        .into_iter()
        .filter(|x| x.kind == kind && x.protocol == s.protocol && x.options_value().is_some())
        .filter(|x| s.prio == 0 || x.prio == s.prio)
        .filter(|x| s.handle == 0 || x.handle == s.handle || (kind == "u32" && x.handle & 0xfff == s.handle & 0xfff))
        .filter(|x| !(kind == "u32" && x.handle & 0xfff == 0 && s.handle == 0))
        .collect();
    c.sort_by_key(|x| (std::cmp::Reverse(x.prio), x.handle));
    Ok(c.pop().map(|x| Filter { dev: dev_of(h, x.ifindex), h: h.clone(), x }))
}

fn apply_map(h: &Rc<engine::Handle>, map: &[(String, Opt)], verb: Verb, func: &str) -> mlua::Result<Option<Filter>> {
    let spec = FilterSpec::from_opts(map, verb, &**h).map_err(|e| input(func, e))?;
    h.filter_apply(&spec, verb).map_err(raise)?;
    if verb == Verb::Del { Ok(None) } else { read_back(h, &spec) }
}

fn modify(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue, verb: Verb) -> mlua::Result<MultiValue> {
    let func = verb_func(verb);
    let a = Args::new(func, args);
    if let (Verb::Del, Value::UserData(ud)) = (verb, a.get(0))
        && let Ok(x) = ud.borrow::<Filter>() {
            x.h.filter_apply(&FilterSpec::from_filter(&x.x), Verb::Del).map_err(raise)?;
            return ().into_lua_multi(lua);
        }
    let t = a.table(0)?;
    let (h, map) = tc_table(h, &t, func)?;
    apply_map(&h, &map, verb, func)?.into_lua_multi(lua)
}

fn add(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, Verb::Add)
}
fn replace(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, Verb::Replace)
}
fn change(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, Verb::Change)
}
fn del(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    modify(lua, h, args, Verb::Del)
}

/// List filters: `filter.list(dev)` or `filter.list{dev=, parent=}`; without a
/// parent, every qdisc's and class's filters.
pub fn list_for(lua: &Lua, h: &Rc<engine::Handle>, link: Option<&Link>, a: &Args, first: usize) -> mlua::Result<Table> {
    let func = a.func;
    let parent_of = |f: &mut schema::Fields<'_>| {
        f.parsed("parent", "a parent like \"1:\", \"ingress\" or \"egress\"", |s| parse_parent(s, Obj::Filter))
            .map_err(|e| input(func, e))
    };
    let (h, ifindex, parent) = match (link, a.get(first)) {
        (Some(l), Value::Nil) => (l.h.clone(), l.l.index, None),
        (Some(l), Value::Table(t)) => {
            let map = table_to_map(t, "").map_err(|e| input(func, e))?;
            let mut f = schema::Fields::new(&map, "");
            let p = parent_of(&mut f)?;
            f.finish([]).map_err(|e| input(func, e))?;
            (l.h.clone(), l.l.index, p)
        }
        (None, Value::Table(t)) => {
            let (h2, map) = tc_table(h, t, func)?;
            let mut f = schema::Fields::new(&map, "");
            let ifindex = f.ifindex("dev", &*h2).map_err(|e| input(func, e))?.ok_or_else(|| input(func, "field 'dev' is required"))?;
            let p = parent_of(&mut f)?;
            f.finish([]).map_err(|e| input(func, e))?;
            (h2, ifindex, p)
        }
        (None, _) => {
            let (h2, l) = link_arg(h, a, first)?;
            (h2, l.index, None)
        }
        (Some(_), _) => return Err(a.bad(first, "table {parent=}")),
    };
    let dev = dev_of(&h, ifindex);
    let xs = h.filter_list(ifindex, parent).map_err(raise)?;
    let out = lua.create_table_with_capacity(xs.len(), 0)?;
    for (i, x) in xs.into_iter().enumerate() {
        out.raw_set(i + 1, Filter { h: h.clone(), x, dev: dev.clone() })?;
    }
    Ok(out)
}

fn list(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("filter.list", args);
    list_for(lua, h, None, &a, 0)?.into_lua_multi(lua)
}

/// `l:filter_add{...}`: the table with `dev` set to the link.
pub fn link_modify(lua: &Lua, l: &Link, t: Table, verb: Verb) -> mlua::Result<Value> {
    let func = verb_func(verb);
    check_writable(lua, func)?;
    let mut map = table_to_map(&t, "").map_err(|e| input(func, e))?;
    map.retain(|(k, _)| k != "dev");
    map.push(("dev".into(), Opt::Int(l.l.index as i64)));
    match apply_map(&l.h, &map, verb, func)? {
        Some(x) => Ok(Value::UserData(lua.create_userdata(x)?)),
        None => Ok(Value::Nil),
    }
}

/// The `filter` module.
pub static MODULE: Module = Module {
    name: "filter",
    ops: &[
        Op { name: "list", f: list, mutates: false },
        Op { name: "add", f: add, mutates: true },
        Op { name: "replace", f: replace, mutates: true },
        Op { name: "change", f: change, mutates: true },
        Op { name: "del", f: del, mutates: true },
    ],
    extra: None,
};

impl UserData for Filter {
    fn add_fields<F: UserDataFields<Self>>(f: &mut F) {
        f.add_field_method_get("dev", |_, s| Ok(s.dev.clone()));
        f.add_field_method_get("ifindex", |_, s| Ok(s.x.ifindex));
        f.add_field_method_get("kind", |_, s| Ok(s.x.kind.clone()));
        f.add_field_method_get("handle", |_, s| Ok(s.x.handle_name()));
        f.add_field_method_get("parent", |_, s| Ok(s.x.parent_name()));
        f.add_field_method_get("prio", |_, s| Ok(s.x.prio));
        f.add_field_method_get("protocol", |_, s| Ok(protocol_name(s.x.protocol)));
        f.add_field_method_get("chain", |_, s| Ok(s.x.chain));
        f.add_field_method_get("options", |lua, s| opts_table(lua, s.x.to_opts(&s.dev, &*s.h)));
        f.add_field_method_get("stats", |lua, s| stats_table(lua, &s.x.stats, &[]));
    }

    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("del", |lua, s, ()| {
            guard("Filter.del", || {
                check_writable(lua, "Filter.del")?;
                s.h.filter_apply(&FilterSpec::from_filter(&s.x), Verb::Del).map_err(raise)
            })
        });
        m.add_method("show", |_, s, opts: Option<Table>| {
            let [stats] = super::args::flags("Filter.show", opts.as_ref(), ["stats"])?;
            Ok(show::tc_filter::filter_text(&s.x, &*s.h, stats))
        });
        m.add_method("json", |_, s, ()| Ok(show::tc_filter::filter_json(&s.x, &*s.h).to_string_compact()));
        m.add_meta_method("__json", |_, s, ()| Ok(show::tc_filter::filter_json(&s.x, &*s.h).to_string_compact()));
        m.add_meta_method(MetaMethod::ToString, |_, s, ()| Ok(show::tc_filter::filter_text(&s.x, &*s.h, false).trim_end().to_string()));
        m.add_meta_method(MetaMethod::Eq, |_, s, o: AnyUserData| {
            Ok(o.borrow::<Filter>().is_ok_and(|o| {
                o.x.ifindex == s.x.ifindex
                    && o.x.parent == s.x.parent
                    && o.x.prio == s.x.prio
                    && o.x.handle == s.x.handle
                    && o.x.kind == s.x.kind
                    && o.h.ns() == s.h.ns()
            }))
        });
    }
}
