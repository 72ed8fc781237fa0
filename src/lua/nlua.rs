//! The `nlua` module: version, JSON, the current handle.

use std::rc::Rc;

use mlua::{Lua, MultiValue, Table, Value};

use super::Module;
use super::args::function;
use super::error::input;
use crate::engine;
use crate::show::Json;

/// Serialize a Lua value as JSON. Userdata serialize through their `__json`
/// metamethod (the keys `ip -j` uses); tables with keys 1..n are arrays, other
/// tables objects with sorted keys.
pub fn to_json(lua: &Lua, v: &Value, depth: usize) -> mlua::Result<Json> {
    if depth > 64 {
        return Err(input("nlua.json", "value is nested too deeply (a cycle?)"));
    }
    Ok(match v {
        Value::Nil => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::Integer(i) => Json::Int(*i),
        Value::Number(n) => Json::Num(*n),
        Value::String(s) => Json::Str(s.to_string_lossy()),
        Value::Table(t) => table_json(lua, t, depth)?,
        Value::UserData(ud) => {
            let f: Option<mlua::Function> = ud.metatable().ok().and_then(|mt| mt.get("__json").ok());
            match f {
                Some(f) => Json::Raw(f.call::<String>(ud.clone())?),
                None => return Err(input("nlua.json", format!("cannot serialize {}", super::opts::type_name(v)))),
            }
        }
        other => return Err(input("nlua.json", format!("cannot serialize a {}", other.type_name()))),
    })
}

fn table_json(lua: &Lua, t: &Table, depth: usize) -> mlua::Result<Json> {
    let len = t.raw_len();
    let mut pairs = Vec::new();
    for p in t.pairs::<Value, Value>() {
        pairs.push(p?);
    }
    if pairs.is_empty() {
        return Ok(Json::Arr(Vec::new()));
    }
    if len == pairs.len() {
        let mut a = Vec::with_capacity(len);
        for i in 1..=len {
            a.push(to_json(lua, &t.raw_get::<Value>(i)?, depth + 1)?);
        }
        return Ok(Json::Arr(a));
    }
    let mut o = Vec::new();
    for (k, v) in pairs {
        let key = match k {
            Value::String(s) => s.to_string_lossy(),
            Value::Integer(i) => i.to_string(),
            other => return Err(input("nlua.json", format!("cannot use a {} as an object key", other.type_name()))),
        };
        o.push((key, to_json(lua, &v, depth + 1)?));
    }
    o.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Json::Obj(o))
}

fn extra(lua: &Lua, t: &Table) -> mlua::Result<()> {
    t.set("version", env!("CARGO_PKG_VERSION"))?;
    t.set("monitor", lua.create_function(super::monitor::monitor)?)?;
    t.set(
        "batch",
        lua.create_function(|lua, (f, args): (Value, MultiValue)| super::batch::batch(lua, (function("nlua.batch", "argument #1", f)?, args)))?,
    )?;
    t.set("json", lua.create_function(|lua, v: Value| Ok(to_json(lua, &v, 0)?.to_string_compact()))?)?;
    t.set(
        "defer",
        lua.create_function(|lua, f: Value| {
            let f = function("nlua.defer", "argument #1", f)?;
            let st = crate::runtime::state(lua);
            if st.defers.borrow().is_empty()
                && let Some(j) = &st.journal {
                    j.append(crate::journal::Record::Defer);
                }
            st.defers.borrow_mut().push(f);
            Ok(())
        })?,
    )?;
    // The class of nlua's objects ("Link"), else type(v): the printer and the
    // REPL ask it, since object metatables are closed to Lua.
    t.set(
        "type",
        lua.create_function(|_, v: Value| {
            Ok(match v {
                Value::UserData(_) => super::opts::type_name(&v),
                Value::Integer(_) | Value::Number(_) => "number".to_string(),
                Value::LightUserData(_) => "userdata".to_string(),
                other => other.type_name().to_string(),
            })
        })?,
    )?;
    t.set(
        "handle",
        lua.create_function(|lua, ()| {
            let h: Rc<engine::Handle> = crate::runtime::current_handle(lua)?;
            Ok(super::handle::Handle(h))
        })?,
    )?;
    Ok(())
}

/// The `nlua` module.
pub static MODULE: Module = Module { name: "nlua", ops: &[], extra: Some(extra) };
