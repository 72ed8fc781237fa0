//! Which Lua standard library a runtime gets: the `lua` interpreter's
//! ([`Stdlib::Full`]), a preset for untrusted hook scripts ([`Stdlib::Safe`]),
//! or a chosen set of mlua's [`StdLib`] flags.

use mlua::{Lua, LuaOptions, StdLib, Value};

/// The Lua standard library of a runtime (see [`Builder::stdlib`](super::Builder::stdlib)).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Stdlib {
    /// What the `lua` interpreter gives: every library, `debug` and C modules
    /// included. The default, and what the `nlua` command uses.
    #[default]
    Full,
    /// For untrusted hook scripts: `string`, `table`, `math`, `utf8`,
    /// `coroutine`, the base functions without `dofile` and `loadfile`,
    /// `load` of text only, `os` reduced to `clock`, `date`, `time` and
    /// `difftime`, and `require` of the modules nlua ships (`nlua.inspect`)
    /// only. No `io`, no `debug`, no `package.loadlib`, no C modules, no
    /// file search paths; and `Netns:exec`, `Netns:spawn` and `netns.enter`
    /// are refused (they run commands or move the host's thread).
    Safe,
    /// Exactly these libraries. Without `StdLib::DEBUG` the state is one of
    /// mlua's safe ones (no C modules); with it, anything goes.
    Only(StdLib),
}

impl From<StdLib> for Stdlib {
    fn from(libs: StdLib) -> Stdlib {
        Stdlib::Only(libs)
    }
}

/// What the safe preset keeps of `os`.
const SAFE_OS: &[&str] = &["clock", "date", "time", "difftime"];

impl Stdlib {
    /// Whether scripts may run commands (`Netns:exec`, `Netns:spawn`) and
    /// move the thread for good (`netns.enter`).
    pub fn allows_commands(&self) -> bool {
        *self != Stdlib::Safe
    }

    /// A new Lua state with these libraries.
    pub(super) fn new_lua(&self) -> mlua::Result<Lua> {
        match *self {
            // SAFETY: the interpreter's library is what scripts run by the
            // `nlua` command expect (debug.traceback, C modules); mlua's own
            // invariants do not depend on scripts not using it.
            Stdlib::Full => Ok(unsafe { Lua::unsafe_new_with(StdLib::ALL_SAFE | StdLib::DEBUG, LuaOptions::default()) }),
            // SAFETY: as above; the caller asked for the debug library.
            Stdlib::Only(libs) if libs.contains(StdLib::DEBUG) => Ok(unsafe { Lua::unsafe_new_with(libs, LuaOptions::default()) }),
            Stdlib::Only(libs) => Lua::new_with(libs, LuaOptions::default()),
            Stdlib::Safe => {
                let libs = StdLib::COROUTINE | StdLib::TABLE | StdLib::STRING | StdLib::UTF8 | StdLib::MATH | StdLib::OS | StdLib::PACKAGE;
                let lua = Lua::new_with(libs, LuaOptions::default())?;
                restrict(&lua)?;
                Ok(lua)
            }
        }
    }
}

/// Trim a state to the safe preset (see [`Stdlib::Safe`]).
fn restrict(lua: &Lua) -> mlua::Result<()> {
    let g = lua.globals();
    g.set("dofile", Value::Nil)?;
    g.set("loadfile", Value::Nil)?;
    // Text chunks only: a crafted binary chunk can break the VM.
    let load: mlua::Function = lua
        .load("local load = ... return function(chunk, name, _, env) return load(chunk, name, 't', env) end")
        .set_name("=nlua.safe")
        .call(g.get::<mlua::Function>("load")?)?;
    g.set("load", load)?;
    let os: mlua::Table = g.get("os")?;
    let names: Vec<String> = os.pairs::<String, Value>().filter_map(|kv| kv.ok().map(|(k, _)| k)).collect();
    for k in names.iter().filter(|k| !SAFE_OS.contains(&k.as_str())) {
        os.set(k.as_str(), Value::Nil)?;
    }
    // require finds only what is preloaded (nlua's own library).
    let package: mlua::Table = g.get("package")?;
    package.set("loadlib", Value::Nil)?;
    package.set("path", "")?;
    package.set("cpath", "")?;
    let searchers: mlua::Table = package.get("searchers")?;
    while searchers.raw_len() > 1 {
        searchers.raw_remove(searchers.raw_len())?;
    }
    Ok(())
}
