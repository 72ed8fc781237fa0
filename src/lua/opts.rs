//! Lua values to option trees ([`Opt`]) and back. Option tables are converted
//! generically; the engine decides what each name means.

use mlua::{Lua, Table, Value};

use crate::engine::Opt;

/// Convert a Lua value; `nil` gives None. A Link object stands for its ifindex.
pub fn to_opt(v: &Value, path: &str) -> Result<Option<Opt>, String> {
    Ok(Some(match v {
        Value::Nil => return Ok(None),
        Value::Boolean(b) => Opt::Bool(*b),
        Value::Integer(i) => Opt::Int(*i),
        Value::Number(n) => Opt::Num(*n),
        Value::String(s) => match s.to_str() {
            Ok(s) => Opt::Str(s.to_string()),
            Err(_) => Opt::Bytes(s.as_bytes().to_vec()),
        },
        Value::Table(t) => table_to_opt(t, path)?,
        Value::UserData(ud) => {
            if let Ok(l) = ud.borrow::<super::link::Link>() {
                Opt::Int(l.l.index as i64)
            } else {
                return Err(format!("field '{path}': expected a plain value, got {}", type_name(v)));
            }
        }
        other => return Err(format!("field '{path}': expected a plain value, got {}", type_name(other))),
    }))
}

/// The Lua type name (userdata by its class: "Link").
pub fn type_name(v: &Value) -> String {
    match v {
        Value::UserData(ud) => ud
            .metatable()
            .and_then(|mt| mt.get::<String>("__name"))
            .unwrap_or_else(|_| "userdata".to_string()),
        other => other.type_name().to_string(),
    }
}

fn table_to_opt(t: &Table, path: &str) -> Result<Opt, String> {
    let len = t.raw_len();
    let mut n = 0usize;
    for pair in t.pairs::<Value, Value>() {
        pair.map_err(|e| e.to_string())?;
        n += 1;
    }
    if len > 0 && n == len {
        let mut items = Vec::with_capacity(len);
        for i in 1..=len {
            let v: Value = t.raw_get(i).map_err(|e| e.to_string())?;
            let p = format!("{path}[{i}]");
            items.extend(to_opt(&v, &p)?);
        }
        return Ok(Opt::List(items));
    }
    Ok(Opt::Map(table_to_map(t, path)?))
}

/// Convert an option table to name → value pairs sorted by name (so errors and
/// encodings do not depend on Lua's hash order). `path` prefixes field names.
pub fn table_to_map(t: &Table, path: &str) -> Result<Vec<(String, Opt)>, String> {
    let mut out = Vec::new();
    for pair in t.pairs::<Value, Value>() {
        let (k, v) = pair.map_err(|e| e.to_string())?;
        let key = match &k {
            Value::String(s) => s.to_str().map_err(|e| e.to_string())?.to_string(),
            other => {
                let shown = match other {
                    Value::Integer(i) => format!("[{i}]"),
                    o => o.type_name().to_string(),
                };
                return Err(format!("expected named options (key = value), got a positional value at {shown}"));
            }
        };
        let p = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
        if let Some(o) = to_opt(&v, &p)? {
            out.push((key, o));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// An option tree as a Lua value (maps and lists become tables).
pub fn opt_to_lua(lua: &Lua, o: &Opt) -> mlua::Result<Value> {
    Ok(match o {
        Opt::Bool(b) => Value::Boolean(*b),
        Opt::Int(i) => Value::Integer(*i),
        Opt::Num(n) => Value::Number(*n),
        Opt::Str(s) => Value::String(lua.create_string(s)?),
        Opt::Bytes(b) => Value::String(lua.create_string(b)?),
        Opt::List(l) => {
            let t = lua.create_table_with_capacity(l.len(), 0)?;
            for (i, x) in l.iter().enumerate() {
                t.raw_set(i + 1, opt_to_lua(lua, x)?)?;
            }
            Value::Table(t)
        }
        Opt::Map(m) => {
            let t = lua.create_table_with_capacity(0, m.len())?;
            for (k, x) in m {
                t.raw_set(k.as_str(), opt_to_lua(lua, x)?)?;
            }
            Value::Table(t)
        }
    })
}
