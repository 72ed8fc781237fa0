//! `Class` userdata and the `class` module.

use std::rc::Rc;

use mlua::{AnyUserData, IntoLuaMulti, Lua, MetaMethod, MultiValue, Table, UserData, UserDataFields, UserDataMethods, Value};

use super::args::Args;
use super::error::{input, raise};
use super::link::{Link, link_arg};
use super::opts::table_to_map;
use super::qdisc::{dev_of, merged, opts_table, stats_table, tc_table};
use super::{Module, Op, check_writable, guard};
use crate::engine::tc::{ClassSpec, Verb};
use crate::engine::{self, Opt, schema};
use crate::show;
use crate::units;

/// A class: the handle it was read through, its device's name, the last read.
pub struct Class {
    /// The handle (namespace) it was read through.
    pub h: Rc<engine::Handle>,
    /// The engine's class.
    pub c: engine::tc::Class,
    /// Its device's name.
    pub dev: String,
}

fn verb_func(verb: Verb) -> &'static str {
    match verb {
        Verb::Add => "class.add",
        Verb::Replace => "class.replace",
        Verb::Change => "class.change",
        Verb::Del => "class.del",
    }
}

fn find(h: &Rc<engine::Handle>, ifindex: u32, classid: u32) -> mlua::Result<Option<Class>> {
    let c = h.class_list(ifindex, None).map_err(raise)?.into_iter().find(|c| c.classid == classid);
    Ok(c.map(|c| Class { dev: dev_of(h, ifindex), h: h.clone(), c }))
}

fn apply_map(h: &Rc<engine::Handle>, map: &[(String, Opt)], verb: Verb, func: &str) -> mlua::Result<Option<Class>> {
    let spec = ClassSpec::from_opts(map, verb, &**h).map_err(|e| input(func, e))?;
    h.class_apply(&spec, verb).map_err(raise)?;
    if verb == Verb::Del { Ok(None) } else { find(h, spec.ifindex, spec.classid) }
}

fn modify(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue, verb: Verb) -> mlua::Result<MultiValue> {
    let func = verb_func(verb);
    let a = Args::new(func, args);
    if let (Verb::Del, Value::UserData(ud)) = (verb, a.get(0))
        && let Ok(c) = ud.borrow::<Class>() {
            c.h.class_apply(&ClassSpec::from_class(&c.c), Verb::Del).map_err(raise)?;
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

/// List the classes of a device (`dev` name/index/Link, or {dev=, parent=}).
pub fn list_for(lua: &Lua, h: &Rc<engine::Handle>, link: Option<&Link>, a: &Args, first: usize) -> mlua::Result<Table> {
    let func = a.func;
    let (h, ifindex, qdisc) = match (link, a.get(first)) {
        (Some(l), Value::Nil) => (l.h.clone(), l.l.index, None),
        (Some(l), Value::Table(t)) => {
            let map = table_to_map(t, "").map_err(|e| input(func, e))?;
            let mut f = schema::Fields::new(&map, "");
            let q = f.parsed("parent", "a qdisc handle like \"1:\"", units::parse_classid).map_err(|e| input(func, e))?;
            f.finish([]).map_err(|e| input(func, e))?;
            (l.h.clone(), l.l.index, q)
        }
        (None, Value::Table(t)) => {
            let (h2, map) = tc_table(h, t, func)?;
            let mut f = schema::Fields::new(&map, "");
            let ifindex = f.ifindex("dev", &*h2).map_err(|e| input(func, e))?.ok_or_else(|| input(func, "field 'dev' is required"))?;
            let q = f.parsed("parent", "a qdisc handle like \"1:\"", units::parse_classid).map_err(|e| input(func, e))?;
            f.finish([]).map_err(|e| input(func, e))?;
            (h2, ifindex, q)
        }
        (None, _) => {
            let (h2, l) = link_arg(h, a, first)?;
            (h2, l.index, None)
        }
        (Some(_), _) => return Err(a.bad(first, "table {parent=}")),
    };
    let dev = dev_of(&h, ifindex);
    let cs = h.class_list(ifindex, qdisc).map_err(raise)?;
    let out = lua.create_table_with_capacity(cs.len(), 0)?;
    for (i, c) in cs.into_iter().enumerate() {
        out.raw_set(i + 1, Class { h: h.clone(), c, dev: dev.clone() })?;
    }
    Ok(out)
}

fn list(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("class.list", args);
    list_for(lua, h, None, &a, 0)?.into_lua_multi(lua)
}

/// `l:class_add{...}`: the table with `dev` set to the link.
pub fn link_modify(lua: &Lua, l: &Link, t: Table, verb: Verb) -> mlua::Result<Value> {
    let func = verb_func(verb);
    check_writable(lua, func)?;
    let mut map = table_to_map(&t, "").map_err(|e| input(func, e))?;
    map.retain(|(k, _)| k != "dev");
    map.push(("dev".into(), Opt::Int(l.l.index as i64)));
    match apply_map(&l.h, &map, verb, func)? {
        Some(c) => Ok(Value::UserData(lua.create_userdata(c)?)),
        None => Ok(Value::Nil),
    }
}

/// The `class` module.
pub static MODULE: Module = Module {
    name: "class",
    ops: &[
        Op { name: "list", f: list, mutates: false },
        Op { name: "add", f: add, mutates: true },
        Op { name: "replace", f: replace, mutates: true },
        Op { name: "change", f: change, mutates: true },
        Op { name: "del", f: del, mutates: true },
    ],
    extra: None,
};

impl Class {
    fn refresh(&mut self) -> mlua::Result<()> {
        let who = || format!("Class({} {} dev {})", self.c.kind, units::format_classid(self.c.classid), self.dev);
        match find(&self.h, self.c.ifindex, self.c.classid).map_err(|e| match super::error::engine_error(&e) {
            Some(x) => raise(x.clone().with_op(who())),
            None => e,
        })? {
            Some(c) => {
                self.c = c.c;
                Ok(())
            }
            None => Err(raise(engine::Error::kernel(nix::libc::ENOENT, Some("no such class".into()), who()))),
        }
    }

    fn redo(&mut self, lua: &Lua, t: Table, verb: Verb) -> mlua::Result<()> {
        let func = if verb == Verb::Change { "Class.change" } else { "Class.replace" };
        check_writable(lua, func)?;
        let over = table_to_map(&t, "").map_err(|e| input(func, e))?;
        let map = merged(self.c.to_opts(&self.dev, &*self.h), over);
        let spec = ClassSpec::from_opts(&map, verb, &*self.h).map_err(|e| input(func, e))?;
        self.h.class_apply(&spec, verb).map_err(raise)?;
        self.refresh()
    }
}

impl UserData for Class {
    fn add_fields<F: UserDataFields<Self>>(f: &mut F) {
        f.add_field_method_get("dev", |_, s| Ok(s.dev.clone()));
        f.add_field_method_get("ifindex", |_, s| Ok(s.c.ifindex));
        f.add_field_method_get("kind", |_, s| Ok(s.c.kind.clone()));
        f.add_field_method_get("classid", |_, s| Ok(units::format_classid(s.c.classid)));
        f.add_field_method_get("parent", |_, s| Ok(units::format_classid(s.c.parent)));
        f.add_field_method_get("leaf", |_, s| Ok((s.c.leaf != 0).then(|| units::format_qdisc_handle(s.c.leaf))));
        f.add_field_method_get("options", |lua, s| opts_table(lua, s.c.to_opts(&s.dev, &*s.h)));
        f.add_field_method_get("stats", |lua, s| stats_table(lua, &s.c.stats, &s.c.xstats()));
    }

    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("del", |lua, s, ()| {
            guard("Class.del", || {
                check_writable(lua, "Class.del")?;
                s.h.class_apply(&ClassSpec::from_class(&s.c), Verb::Del).map_err(raise)
            })
        });
        m.add_function("change", |lua, (ud, t): (AnyUserData, Table)| {
            guard("Class.change", || {
                ud.borrow_mut::<Class>()?.redo(lua, t, Verb::Change)?;
                Ok(ud)
            })
        });
        m.add_function("refresh", |_, ud: AnyUserData| {
            guard("Class.refresh", || {
                ud.borrow_mut::<Class>()?.refresh()?;
                Ok(ud)
            })
        });
        m.add_method("show", |_, s, opts: Option<Table>| {
            let [stats] = super::args::flags("Class.show", opts.as_ref(), ["stats"])?;
            Ok(show::tc::class_text(&s.c, &*s.h, stats))
        });
        m.add_method("json", |_, s, ()| Ok(show::tc::class_json(&s.c, &*s.h).to_string_compact()));
        m.add_meta_method("__json", |_, s, ()| Ok(show::tc::class_json(&s.c, &*s.h).to_string_compact()));
        m.add_meta_method(MetaMethod::ToString, |_, s, ()| Ok(show::tc::class_text(&s.c, &*s.h, false).trim_end().to_string()));
        m.add_meta_method(MetaMethod::Eq, |_, s, o: AnyUserData| {
            Ok(o.borrow::<Class>().is_ok_and(|o| o.c.ifindex == s.c.ifindex && o.c.classid == s.c.classid && o.h.ns() == s.h.ns()))
        });
    }
}
