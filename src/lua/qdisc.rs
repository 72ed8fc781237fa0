//! `Qdisc` userdata and the `qdisc` module, plus the helpers the `class` and
//! `filter` bindings share (option tables whose `dev` is a Link act in that
//! Link's namespace).

use std::rc::Rc;

use mlua::{AnyUserData, IntoLuaMulti, Lua, MetaMethod, MultiValue, Table, UserData, UserDataFields, UserDataMethods, Value};

use super::args::Args;
use super::error::{input, raise};
use super::link::Link;
use super::opts::{opt_to_lua, table_to_map};
use super::{Module, Op, check_writable, guard};
use crate::engine::tc::qdisc::QdiscFilter;
use crate::engine::tc::{QdiscSpec, Verb};
use crate::engine::{self, Opt};
use crate::show;

/// A qdisc: the handle it was read through, the device's name, the last read.
pub struct Qdisc {
    /// The handle (namespace) it was read through.
    pub h: Rc<engine::Handle>,
    /// The engine's qdisc.
    pub q: engine::tc::Qdisc,
    /// Its device's name.
    pub dev: String,
}

/// A handle and an option table to apply through it.
pub(crate) type HandleAndOpts = (Rc<engine::Handle>, Vec<(String, Opt)>);

/// The handle an option table acts through (its `dev` Link's, if it is one)
/// and the table as options.
pub(crate) fn tc_table(h: &Rc<engine::Handle>, t: &Table, func: &str) -> mlua::Result<HandleAndOpts> {
    let dev: Value = t.raw_get("dev")?;
    let h = match &dev {
        Value::UserData(ud) => ud.borrow::<Link>().map(|l| l.h.clone()).unwrap_or_else(|_| h.clone()),
        _ => h.clone(),
    };
    let map = table_to_map(t, "").map_err(|e| input(func, e))?;
    Ok((h, map))
}

/// `map` with the keys of `over` replacing its own (for `q:change{...}`).
pub(crate) fn merged(mut map: Vec<(String, Opt)>, over: Vec<(String, Opt)>) -> Vec<(String, Opt)> {
    for (k, v) in over {
        match map.iter_mut().find(|(x, _)| *x == k) {
            Some(slot) => slot.1 = v,
            None => map.push((k, v)),
        }
    }
    map
}

/// The name of device `ifindex` through `h` (its index when it is gone).
pub(crate) fn dev_of(h: &engine::Handle, ifindex: u32) -> String {
    h.link_get(ifindex).map(|l| l.name).unwrap_or_else(|_| ifindex.to_string())
}

/// Stats as a Lua table.
pub(crate) fn stats_table(lua: &Lua, s: &engine::tc::Stats, extra: &[(&'static str, i64)]) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    for (k, v) in s.fields() {
        t.raw_set(k, v as i64)?;
    }
    for (k, v) in extra {
        t.raw_set(*k, *v)?;
    }
    Ok(t)
}

/// An option list as a Lua table.
pub(crate) fn opts_table(lua: &Lua, m: Vec<(String, Opt)>) -> mlua::Result<Value> {
    opt_to_lua(lua, &Opt::Map(m))
}

fn verb_func(verb: Verb) -> &'static str {
    match verb {
        Verb::Add => "qdisc.add",
        Verb::Replace => "qdisc.replace",
        Verb::Change => "qdisc.change",
        Verb::Del => "qdisc.del",
    }
}

/// Read back the qdisc a spec names (None when it is not there).
fn read_back(h: &Rc<engine::Handle>, s: &QdiscSpec) -> mlua::Result<Option<Qdisc>> {
    let f = QdiscFilter { ifindex: Some(s.ifindex), parent: Some(s.parent), handle: (s.handle != 0).then_some(s.handle), kind: None };
    let found = h.qdisc_list(&f).map_err(raise)?.into_iter().next();
    Ok(found.map(|q| Qdisc { dev: dev_of(h, q.ifindex), h: h.clone(), q }))
}

/// Apply `verb` to the qdisc an option map describes; returns it read back.
pub(crate) fn apply_map(h: &Rc<engine::Handle>, map: &[(String, Opt)], verb: Verb, func: &str) -> mlua::Result<Option<Qdisc>> {
    let spec = QdiscSpec::from_opts(map, verb, &**h).map_err(|e| input(func, e))?;
    h.qdisc_apply(&spec, verb).map_err(raise)?;
    if verb == Verb::Del { Ok(None) } else { read_back(h, &spec) }
}

fn modify(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue, verb: Verb) -> mlua::Result<MultiValue> {
    let func = verb_func(verb);
    let a = Args::new(func, args);
    if let (Verb::Del, Value::UserData(ud)) = (verb, a.get(0))
        && let Ok(q) = ud.borrow::<Qdisc>() {
            q.h.qdisc_del(&QdiscSpec::from_qdisc(&q.q)).map_err(raise)?;
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

/// List qdiscs through `h` (of `link` only when given) as a Lua table.
pub fn list_for(lua: &Lua, h: &Rc<engine::Handle>, link: Option<u32>, t: Option<Table>, func: &str) -> mlua::Result<Table> {
    let mut f = QdiscFilter::default();
    let mut h = h.clone();
    if let Some(t) = t {
        let (h2, map) = tc_table(&h, &t, func)?;
        h = h2;
        f = QdiscFilter::from_opts(&map, &*h).map_err(|e| input(func, e))?;
    }
    if link.is_some() {
        f.ifindex = link;
    }
    let qs = h.qdisc_list(&f).map_err(raise)?;
    let links = h.link_list(&Default::default()).map_err(raise)?;
    let out = lua.create_table_with_capacity(qs.len(), 0)?;
    for (i, q) in qs.into_iter().enumerate() {
        let dev = links.iter().find(|l| l.index == q.ifindex).map(|l| l.name.clone()).unwrap_or_else(|| q.ifindex.to_string());
        out.raw_set(i + 1, Qdisc { h: h.clone(), q, dev })?;
    }
    Ok(out)
}

fn list(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("qdisc.list", args);
    list_for(lua, h, None, a.opt_table(0)?, a.func)?.into_lua_multi(lua)
}

/// `l:qdisc_add{...}` and friends: the table with `dev` set to the link.
pub fn link_modify(lua: &Lua, l: &Link, t: Table, verb: Verb) -> mlua::Result<Value> {
    let func = verb_func(verb);
    check_writable(lua, func)?;
    let mut map = table_to_map(&t, "").map_err(|e| input(func, e))?;
    map.retain(|(k, _)| k != "dev");
    map.push(("dev".into(), Opt::Int(l.l.index as i64)));
    match apply_map(&l.h, &map, verb, func)? {
        Some(q) => Ok(Value::UserData(lua.create_userdata(q)?)),
        None => Ok(Value::Nil),
    }
}

/// The `qdisc` module.
pub static MODULE: Module = Module {
    name: "qdisc",
    ops: &[
        Op { name: "list", f: list, mutates: false },
        Op { name: "add", f: add, mutates: true },
        Op { name: "replace", f: replace, mutates: true },
        Op { name: "change", f: change, mutates: true },
        Op { name: "del", f: del, mutates: true },
    ],
    extra: None,
};

impl Qdisc {
    fn options(&self) -> Vec<(String, Opt)> {
        self.q.to_opts(&self.dev, &*self.h)
    }

    fn refresh(&mut self) -> mlua::Result<()> {
        let f = QdiscFilter { ifindex: Some(self.q.ifindex), handle: Some(self.q.handle), parent: Some(self.q.parent), kind: None };
        let who = || format!("Qdisc({} {} dev {})", self.q.kind, self.q.handle_name(), self.dev);
        match self.h.qdisc_list(&f).map_err(|e| raise(e.with_op(who())))?.into_iter().next() {
            Some(q) => {
                self.q = q;
                Ok(())
            }
            None => Err(raise(engine::Error::kernel(nix::libc::ENOENT, Some("no such qdisc".into()), who()))),
        }
    }

    fn redo(&mut self, lua: &Lua, t: Table, verb: Verb) -> mlua::Result<()> {
        let func = if verb == Verb::Change { "Qdisc.change" } else { "Qdisc.replace" };
        check_writable(lua, func)?;
        let over = table_to_map(&t, "").map_err(|e| input(func, e))?;
        let map = merged(self.options(), over);
        let spec = QdiscSpec::from_opts(&map, verb, &*self.h).map_err(|e| input(func, e))?;
        self.h.qdisc_apply(&spec, verb).map_err(raise)?;
        self.refresh()
    }
}

impl UserData for Qdisc {
    fn add_fields<F: UserDataFields<Self>>(f: &mut F) {
        f.add_field_method_get("dev", |_, s| Ok(s.dev.clone()));
        f.add_field_method_get("ifindex", |_, s| Ok(s.q.ifindex));
        f.add_field_method_get("kind", |_, s| Ok(s.q.kind.clone()));
        f.add_field_method_get("handle", |_, s| Ok(s.q.handle_name()));
        f.add_field_method_get("parent", |_, s| Ok(s.q.parent_name()));
        f.add_field_method_get("refcnt", |_, s| Ok(s.q.refcnt));
        f.add_field_method_get("options", |lua, s| opts_table(lua, s.options()));
        f.add_field_method_get("stats", |lua, s| stats_table(lua, &s.q.stats, &[]));
    }

    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("del", |lua, s, ()| {
            guard("Qdisc.del", || {
                check_writable(lua, "Qdisc.del")?;
                s.h.qdisc_del(&QdiscSpec::from_qdisc(&s.q)).map_err(raise)
            })
        });
        m.add_function("change", |lua, (ud, t): (AnyUserData, Table)| {
            guard("Qdisc.change", || {
                ud.borrow_mut::<Qdisc>()?.redo(lua, t, Verb::Change)?;
                Ok(ud)
            })
        });
        m.add_function("replace", |lua, (ud, t): (AnyUserData, Table)| {
            guard("Qdisc.replace", || {
                ud.borrow_mut::<Qdisc>()?.redo(lua, t, Verb::Replace)?;
                Ok(ud)
            })
        });
        m.add_function("refresh", |_, ud: AnyUserData| {
            guard("Qdisc.refresh", || {
                ud.borrow_mut::<Qdisc>()?.refresh()?;
                Ok(ud)
            })
        });
        m.add_method("show", |_, s, opts: Option<Table>| {
            let [stats] = super::args::flags("Qdisc.show", opts.as_ref(), ["stats"])?;
            Ok(show::tc::qdisc_text(&s.q, &*s.h, stats))
        });
        m.add_method("json", |_, s, ()| Ok(show::tc::qdisc_json(&s.q, &*s.h).to_string_compact()));
        m.add_meta_method("__json", |_, s, ()| Ok(show::tc::qdisc_json(&s.q, &*s.h).to_string_compact()));
        m.add_meta_method(MetaMethod::ToString, |_, s, ()| Ok(show::tc::qdisc_text(&s.q, &*s.h, false).trim_end().to_string()));
        m.add_meta_method(MetaMethod::Eq, |_, s, o: AnyUserData| {
            Ok(o.borrow::<Qdisc>().is_ok_and(|o| {
                o.q.ifindex == s.q.ifindex && o.q.handle == s.q.handle && o.q.parent == s.q.parent && o.h.ns() == s.h.ns()
            }))
        });
    }
}
