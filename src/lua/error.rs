//! Errors as values with fields. An engine error reaches Lua as mlua's wrapped
//! error userdata; [`install`] gives that userdata's metatable an `__index` so a
//! script can read `err.errno`, `err.code`, `err.message`, `err.op` (and, for
//! a command `ns:exec{..., check=true}` found failing, `err.stdout`,
//! `err.stderr`, `err.status`, `err.signal`, `err.timed_out`; for
//! `nlua.batch`, `err.errors`: each failed change), and a
//! `__tostring` that prints the one line (`link add v0 type veth: File exists
//! (EEXIST)`) without mlua's internal traceback.

use mlua::{Lua, Value};

use crate::engine;

/// Turn an engine error into a Lua error carrying it.
pub fn raise(e: engine::Error) -> mlua::Error {
    mlua::Error::external(e)
}

/// The message of one error standing for several failures of one call:
/// how many of `total` (`things`: "" or " changes") failed, the first ten
/// as `shown` words them, how many more. It ends "the first", so that the
/// first failure's own code, which the error keeps, reads as its.
pub fn many_failed(total: usize, things: &str, failed: usize, shown: impl Iterator<Item = String>) -> String {
    let shown: Vec<String> = shown.take(10).collect();
    let more = if failed > 10 { format!("; and {} more", failed - 10) } else { String::new() };
    format!("{failed} of {total}{things} failed: {}{more}; the first", shown.join("; "))
}

/// Bad input to `func` (`link.add`): the message names the field.
pub fn input(func: &str, msg: impl std::fmt::Display) -> mlua::Error {
    raise(engine::Error::input(func, msg.to_string()))
}

/// The Rust error of type `T` inside an mlua error, through the callback and
/// context layers mlua wraps it in.
fn find<T: std::error::Error + 'static>(e: &mlua::Error) -> Option<&T> {
    match e {
        mlua::Error::ExternalError(x) => x.downcast_ref::<T>(),
        mlua::Error::CallbackError { cause, .. } | mlua::Error::WithContext { cause, .. } => find(cause),
        _ => None,
    }
}

/// The nlua error inside an mlua error, if there is one (a failed command's
/// and a failed batch's too).
pub fn engine_error(e: &mlua::Error) -> Option<&engine::Error> {
    find::<engine::Error>(e)
        .or_else(|| find::<crate::process::Failed>(e).map(|f| &f.error))
        .or_else(|| find::<super::batch::BatchFailed>(e).map(|f| &f.error))
}

/// The innermost cause of an mlua error, for a one-line message.
pub fn root_cause(e: &mlua::Error) -> &mlua::Error {
    match e {
        mlua::Error::CallbackError { cause, .. } => root_cause(cause),
        mlua::Error::WithContext { cause, .. } => root_cause(cause),
        e => e,
    }
}

/// One line for any error: nlua errors as their Display, others by root cause.
pub fn message(e: &mlua::Error) -> String {
    match engine_error(e) {
        Some(x) => x.to_string(),
        None => match root_cause(e) {
            mlua::Error::RuntimeError(s) => s.clone(),
            // As the lua interpreter prints it: "file:1: unexpected symbol near '='".
            mlua::Error::SyntaxError { message, .. } => message.clone(),
            mlua::Error::ExternalError(x) => x.to_string(),
            other => other.to_string(),
        },
    }
}

/// The metatable mlua gives every wrapped error. It is protected
/// (`__metatable`), and a host's Lua may have no `debug` library, so it is
/// read through the C API.
fn error_metatable(lua: &Lua) -> mlua::Result<mlua::Table> {
    // Obtain one wrapped error to reach the shared metatable of all of them.
    let fail = lua.create_function(|_, ()| -> mlua::Result<()> { Err(mlua::Error::runtime("probe")) })?;
    let probe: mlua::Function =
        lua.load("local f = ...; local ok, e = pcall(f); return e").set_name("=nlua.errors").into_function()?;
    let err: Value = probe.call(fail)?;
    // SAFETY: the closure only reads the metatable of the value mlua pushed
    // (the wrapped error, at the top of the stack) and leaves it as the one
    // result; the stack has room for it (exec_raw checks for 3 slots).
    unsafe {
        lua.exec_raw::<mlua::Table>(err, |state| {
            if mlua::ffi::lua_getmetatable(state, -1) == 0 {
                mlua::ffi::lua_pushnil(state);
            }
            mlua::ffi::lua_replace(state, -2);
        })
    }
}

/// Give error values their fields (see the module docs).
pub fn install(lua: &Lua) -> mlua::Result<()> {
    let mt = error_metatable(lua)?;
    let index = lua.create_function(|lua, (err, key): (Value, String)| {
        let Value::Error(e) = err else { return Ok(Value::Nil) };
        let x = engine_error(&e);
        if let Some(f) = find::<crate::process::Failed>(&e) {
            // `ns:exec{..., check=true}` failed: what the command produced.
            let o = &f.outcome;
            match key.as_str() {
                "stdout" => return Ok(Value::String(lua.create_string(&o.stdout)?)),
                "stderr" => return Ok(Value::String(lua.create_string(&o.stderr)?)),
                "status" => return Ok(o.code.map_or(Value::Nil, |c| Value::Integer(c as i64))),
                "signal" => return Ok(o.signal.map_or(Value::Nil, |c| Value::Integer(c as i64))),
                "timed_out" => return Ok(Value::Boolean(o.timed_out)),
                _ => {}
            }
        }
        if let (Some(b), "errors") = (find::<super::batch::BatchFailed>(&e), key.as_str()) {
            // `nlua.batch`: each failed change, where it was asked for.
            let list = lua.create_table()?;
            for f in &b.failed {
                let t = lua.create_table()?;
                t.set("where", f.site.as_str())?;
                t.set("op", f.error.op.as_str())?;
                t.set("errno", f.error.errno)?;
                t.set("code", f.error.code())?;
                t.set("message", f.error.message.as_str())?;
                list.push(t)?;
            }
            return Ok(Value::Table(list));
        }
        Ok(match (key.as_str(), x) {
            ("errno", Some(x)) => Value::Integer(x.errno as i64),
            ("code", Some(x)) => Value::String(lua.create_string(x.code())?),
            ("message", Some(x)) => Value::String(lua.create_string(&x.message)?),
            ("op", Some(x)) => Value::String(lua.create_string(&x.op)?),
            ("kind", Some(x)) => Value::String(lua.create_string(match x.kind {
                engine::ErrorKind::Kernel => "kernel",
                engine::ErrorKind::Input => "input",
                engine::ErrorKind::System => "system",
            })?),
            ("message", None) => Value::String(lua.create_string(message(&e))?),
            _ => Value::Nil,
        })
    })?;
    let tostring = lua.create_function(|_, err: Value| {
        Ok(match err {
            Value::Error(e) => message(&e),
            other => other.to_string()?,
        })
    })?;
    // Panics share this metatable (mlua wraps a Rust panic in the same
    // userdata), and handing one to a Rust function resumes it. So the Rust
    // functions run under pcall: a panic object reads as its message (through
    // mlua's own __tostring, which does not resume it) and has no fields.
    let wrap: mlua::Function = lua
        .load(
            "local index, tostring_, original = ...
             return function(e, k) local ok, v = pcall(index, e, k) if ok then return v end end,
                    function(e) local ok, s = pcall(tostring_, e) if ok then return s end return original(s) end",
        )
        .set_name("=nlua.errors")
        .into_function()?;
    let original: Value = mt.raw_get("__tostring")?;
    let (index, tostring): (mlua::Function, mlua::Function) = wrap.call((index, tostring, original))?;
    mt.raw_set("__index", index)?;
    mt.raw_set("__tostring", tostring)?;
    Ok(())
}
