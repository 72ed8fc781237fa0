//! `Rule` userdata and the `rule` module.

use std::rc::Rc;

use mlua::{AnyUserData, IntoLuaMulti, Lua, MetaMethod, MultiValue, UserData, UserDataFields, UserDataMethods, Value};

use super::args::Args;
use super::error::{input, raise};
use super::opts::table_to_map;
use super::{Module, Op, check_writable, guard};
use crate::engine::route_opts::table_opt;
use crate::engine::rule::ip_proto_name;
use crate::engine::schema::Fields;
use crate::engine::{self, RuleFilter, RuleSpec};
use crate::show::route::RtNames;
use crate::show::rule::{rule_json, rule_text};
use crate::units;

/// A rule, with the handle it was read through.
pub struct Rule {
    /// The handle (namespace) it was read through.
    pub h: Rc<engine::Handle>,
    /// The engine's object.
    pub r: engine::Rule,
    /// iproute2's name files, for printing.
    pub names: Rc<RtNames>,
}

fn list(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("rule.list", args);
    let mut f = RuleFilter::default();
    if let Some(t) = a.opt_table(0)? {
        let map = table_to_map(&t, "").map_err(|e| input(a.func, e))?;
        let e = |x| input(a.func, x);
        let mut r = Fields::new(&map, "");
        f.family = r.parsed("family", "\"inet\" or \"inet6\"", units::parse_family).map_err(e)?.unwrap_or(0);
        f.priority = r.u32("priority").map_err(e)?;
        f.table = table_opt(&mut r, "table").map_err(e)?;
        r.finish([]).map_err(e)?;
    }
    let rules = h.rule_list(&f).map_err(raise)?;
    let names = Rc::new(RtNames::load());
    let out = lua.create_table_with_capacity(rules.len(), 0)?;
    for (i, r) in rules.into_iter().enumerate() {
        out.raw_set(i + 1, Rule { h: h.clone(), r, names: names.clone() })?;
    }
    out.into_lua_multi(lua)
}

fn spec(h: &Rc<engine::Handle>, a: &Args) -> mlua::Result<RuleSpec> {
    let t = a.table(0)?;
    let map = table_to_map(&t, "").map_err(|e| input(a.func, e))?;
    RuleSpec::from_opts(&map, &|i| h.link_get(i).ok().map(|l| l.name)).map_err(|e| input(a.func, e))
}

fn add(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("rule.add", args);
    h.rule_add(&spec(h, &a)?).map_err(raise)?;
    ().into_lua_multi(lua)
}

/// rule.del{...selectors...} or rule.del(r).
fn del(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("rule.del", args);
    if let Value::UserData(ud) = a.get(0)
        && let Ok(r) = ud.borrow::<Rule>()
    {
        r.h.rule_del_rule(&r.r).map_err(raise)?;
        return ().into_lua_multi(lua);
    }
    if !matches!(a.get(0), Value::Table(_)) {
        return Err(a.bad(0, "table of rule selectors or Rule"));
    }
    h.rule_del(&spec(h, &a)?).map_err(raise)?;
    ().into_lua_multi(lua)
}

/// The `rule` module.
pub static MODULE: Module = Module {
    name: "rule",
    ops: &[
        Op { name: "list", f: list, mutates: false },
        Op { name: "add", f: add, mutates: true },
        Op { name: "del", f: del, mutates: true },
    ],
    extra: None,
};

impl UserData for Rule {
    fn add_fields<F: UserDataFields<Self>>(f: &mut F) {
        f.add_field_method_get("family", |_, s| Ok(units::family_name(s.r.family)));
        f.add_field_method_get("priority", |_, s| Ok(s.r.priority));
        f.add_field_method_get("from", |_, s| Ok(s.r.from_prefix().unwrap_or_else(|| "all".into())));
        f.add_field_method_get("to", |_, s| Ok(s.r.to_prefix()));
        f.add_field_method_get("not_", |_, s| Ok(s.r.is_not()));
        f.add_field_method_get("iif", |_, s| Ok(s.r.iif.clone()));
        f.add_field_method_get("oif", |_, s| Ok(s.r.oif.clone()));
        f.add_field_method_get("fwmark", |_, s| Ok(s.r.fwmark));
        f.add_field_method_get("mask", |_, s| Ok(s.r.fwmask));
        f.add_field_method_get("table", |_, s| Ok(s.r.table));
        f.add_field_method_get("action", |_, s| Ok(s.r.action_name()));
        f.add_field_method_get("goto", |_, s| Ok(s.r.goto));
        f.add_field_method_get("tos", |_, s| Ok(s.r.tos));
        f.add_field_method_get("realms", |_, s| Ok(s.r.realms));
        f.add_field_method_get("proto", |_, s| Ok(s.r.protocol.map(|p| s.names.proto(p))));
        f.add_field_method_get("suppress_prefixlength", |_, s| Ok(s.r.suppress_prefixlen.filter(|p| *p != -1)));
        f.add_field_method_get("suppress_ifgroup", |_, s| Ok(s.r.suppress_ifgroup.filter(|g| *g != -1)));
        f.add_field_method_get("l3mdev", |_, s| Ok(s.r.l3mdev));
        f.add_field_method_get("uidrange", |_, s| Ok(s.r.uid_range.map(|(a, b)| format!("{a}-{b}"))));
        f.add_field_method_get("ipproto", |_, s| Ok(s.r.ipproto.map(ip_proto_name)));
        // A single port reads as a number, a range as "1000-2000" (both are valid input).
        f.add_field_method_get("sport", |lua, s| port_value(lua, s.r.sport));
        f.add_field_method_get("dport", |lua, s| port_value(lua, s.r.dport));
        f.add_field_method_get("handle", |_, s| Ok(super::handle::Handle(s.h.clone())));
    }

    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("del", |lua, s, ()| {
            guard("Rule.del", || {
                check_writable(lua, "Rule.del")?;
                s.h.rule_del_rule(&s.r).map_err(raise)
            })
        });
        m.add_method("json", |_, s, ()| Ok(rule_json(&s.r, &s.names).to_string_compact()));
        m.add_meta_method("__json", |_, s, ()| Ok(rule_json(&s.r, &s.names).to_string_compact()));
        m.add_meta_method(MetaMethod::ToString, |_, s, ()| Ok(rule_text(&s.r, &s.names)));
        m.add_meta_method(MetaMethod::Eq, |_, s, o: AnyUserData| {
            Ok(o.borrow::<Rule>().is_ok_and(|o| o.r.attrs == s.r.attrs && o.r.header == s.r.header && o.h.ns() == s.h.ns()))
        });
    }
}

fn port_value(lua: &Lua, r: Option<(u16, u16)>) -> mlua::Result<Value> {
    Ok(match r {
        None => Value::Nil,
        Some((a, b)) if a == b => Value::Integer(a as i64),
        Some((a, b)) => Value::String(lua.create_string(format!("{a}-{b}"))?),
    })
}
