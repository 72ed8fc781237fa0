//! Positional arguments of a call, read with errors that name the function and
//! the argument.

use std::time::Duration;

use mlua::{Function, MultiValue, Table, Value};

use super::error::input;
use super::opts::type_name;

/// The arguments of one call to `func`.
pub struct Args {
    /// The function name errors name (`link.add`).
    pub func: &'static str,
    v: Vec<Value>,
}

impl Args {
    /// Wrap the arguments of `func`.
    pub fn new(func: &'static str, args: MultiValue) -> Args {
        Args { func, v: args.into_iter().collect() }
    }

    /// Argument `i` (0-based), nil when absent.
    pub fn get(&self, i: usize) -> &Value {
        self.v.get(i).unwrap_or(&Value::Nil)
    }

    /// Number of arguments given.
    pub fn len(&self) -> usize {
        self.v.len()
    }

    /// True when no arguments were given.
    pub fn is_empty(&self) -> bool {
        self.v.is_empty()
    }

    /// The error "argument #n: expected WHAT, got TYPE".
    pub fn bad(&self, i: usize, what: &str) -> mlua::Error {
        input(self.func, format!("argument #{}: expected {what}, got {}", i + 1, describe(self.get(i))))
    }

    /// An optional table argument.
    pub fn opt_table(&self, i: usize) -> mlua::Result<Option<Table>> {
        match self.get(i) {
            Value::Nil => Ok(None),
            Value::Table(t) => Ok(Some(t.clone())),
            _ => Err(self.bad(i, "table")),
        }
    }

    /// A required table argument.
    pub fn table(&self, i: usize) -> mlua::Result<Table> {
        self.opt_table(i)?.ok_or_else(|| self.bad(i, "table"))
    }

    /// A required string argument.
    pub fn string(&self, i: usize, what: &str) -> mlua::Result<String> {
        match self.get(i) {
            Value::String(s) => Ok(s.to_str().map_err(|_| self.bad(i, what))?.to_string()),
            _ => Err(self.bad(i, what)),
        }
    }
}

/// Seconds >= 0 from a Lua number (nil: None): the timeouts of waits,
/// monitors and processes. Too large for a Duration is bad input, not a panic.
pub fn seconds(func: &str, field: &str, v: &Value) -> mlua::Result<Option<Duration>> {
    let secs = match v {
        Value::Nil => return Ok(None),
        Value::Integer(i) => *i as f64,
        Value::Number(n) => *n,
        _ => f64::NAN,
    };
    if !(secs >= 0.0 && secs.is_finite()) {
        return Err(input(func, format!("{field}: expected seconds >= 0, got {}", describe(v))));
    }
    // Capped at ~136 years: longer means "no limit" just as well, and a
    // deadline that far off still fits an Instant (adding more would panic).
    Ok(Some(Duration::from_secs_f64(secs.min(u32::MAX as f64))))
}

/// A function argument of `func` (`what`: "argument #1"), or an error naming both.
pub fn function(func: &str, what: &str, v: Value) -> mlua::Result<Function> {
    match v {
        Value::Function(f) => Ok(f),
        other => Err(input(func, format!("{what}: expected a function, got {}", describe(&other)))),
    }
}

/// The boolean options `names` of an option table (absent: false). Any other
/// key, or a value that is not a boolean, is an error naming it.
pub fn flags<const N: usize>(func: &str, t: Option<&Table>, names: [&str; N]) -> mlua::Result<[bool; N]> {
    let mut out = [false; N];
    let Some(t) = t else { return Ok(out) };
    for pair in t.pairs::<Value, Value>() {
        let (k, v) = pair?;
        let Value::String(key) = &k else {
            return Err(input(func, format!("expected named options, got a {} key", k.type_name())));
        };
        let key = key.to_string_lossy();
        let Some(i) = names.iter().position(|n| *n == key) else {
            return Err(input(func, crate::engine::schema::unknown_option(&key, names)));
        };
        out[i] = match v {
            Value::Boolean(b) => b,
            other => return Err(input(func, format!("field '{key}': expected boolean, got {}", describe(&other)))),
        };
    }
    Ok(out)
}

/// The length of `t` when it is a list (keys 1..n and nothing else); an
/// error naming `what` otherwise. The keys are counted through Lua's C API,
/// so a list of 50,000 costs no value converted.
pub fn list_len(lua: &mlua::Lua, func: &str, what: &str, t: &Table) -> mlua::Result<usize> {
    use mlua::ffi;
    let n = t.raw_len();
    // SAFETY: lua_next over the argument (index 1), which is not changed
    // meanwhile; each value is popped, the key left for the next call (the
    // last lua_next pops it); the count then replaces the table as the one
    // result (exec_raw checks for 3 free slots: 2 are used).
    let keys = unsafe {
        lua.exec_raw::<usize>(t, |state| {
            let mut keys = 0usize;
            ffi::lua_pushnil(state);
            while ffi::lua_next(state, 1) != 0 {
                keys += 1;
                ffi::lua_pop(state, 1);
            }
            ffi::lua_pushinteger(state, keys as ffi::lua_Integer);
            ffi::lua_replace(state, 1);
        })?
    };
    if keys != n {
        return Err(input(func, format!("{what}: expected a list (keys 1..n)")));
    }
    Ok(n)
}

/// A value for "got ..." in messages: strings quoted, others by type.
pub fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{:?}", s.to_string_lossy()),
        Value::Integer(i) => i.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Nil => "nil".to_string(),
        other => type_name(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list is keys 1..n and nothing else: holes, extra keys and a hash
    /// part are refused, naming the field.
    #[test]
    fn list_len_takes_lists_only() {
        let lua = mlua::Lua::new();
        let t = |src: &str| -> Table { lua.load(src).eval().unwrap() };
        assert_eq!(list_len(&lua, "f", "x", &t("return {}")).unwrap(), 0);
        assert_eq!(list_len(&lua, "f", "x", &t("return {'a', 'b', 3}")).unwrap(), 3);
        for bad in ["return {'a', k = 1}", "return {[1] = 'a', [3] = 'c'}", "return {k = 1}"] {
            let e = list_len(&lua, "f", "field 'x'", &t(bad)).unwrap_err().to_string();
            assert!(e.contains("f: field 'x': expected a list (keys 1..n)"), "{bad}: {e}");
        }
    }

    /// Every number a script can pass is a Duration or a clear error: none
    /// panics (Duration::from_secs_f64 would on 1e30, inf or NaN); a finite
    /// one too long for a clock is capped (it means "no limit" just as well).
    #[test]
    fn seconds_take_what_a_duration_holds_and_refuse_the_rest() {
        let s = |v: Value| seconds("f", "field 'timeout'", &v).map_err(|e| super::super::error::message(&e));
        assert_eq!(s(Value::Nil), Ok(None));
        assert_eq!(s(Value::Integer(2)), Ok(Some(Duration::from_secs(2))));
        assert_eq!(s(Value::Number(0.25)), Ok(Some(Duration::from_millis(250))));
        assert_eq!(s(Value::Integer(-1)), Err("f: field 'timeout': expected seconds >= 0, got -1".to_string()));
        assert_eq!(s(Value::Number(1e30)), Ok(Some(Duration::from_secs(u32::MAX as u64))));
        for bad in [f64::INFINITY, f64::NAN, -0.5] {
            let e = s(Value::Number(bad)).expect_err("refused");
            assert!(e.starts_with("f: field 'timeout': expected seconds >= 0, got "), "{e}");
        }
        assert!(s(Value::Boolean(true)).is_err());
    }

    #[test]
    fn flags_are_booleans_by_name() {
        let lua = mlua::Lua::new();
        let t = |src: &str| lua.load(src).eval::<Table>().unwrap();
        let f = |t: Option<&Table>| flags("l:show", t, ["addrs", "brief"]).map_err(|e| super::super::error::message(&e));
        assert_eq!(f(None), Ok([false, false]));
        assert_eq!(f(Some(&t("return {brief = true}"))), Ok([false, true]));
        assert_eq!(f(Some(&t("return {addrs = true, brief = false}"))), Ok([true, false]));
        assert_eq!(f(Some(&t("return {adrs = true}"))), Err("l:show: unknown option 'adrs' (did you mean 'addrs'?)".to_string()));
        assert_eq!(f(Some(&t("return {brief = 'yes'}"))), Err("l:show: field 'brief': expected boolean, got \"yes\"".to_string()));
        assert_eq!(f(Some(&t("return {true}"))), Err("l:show: expected named options, got a integer key".to_string()));
    }
}
