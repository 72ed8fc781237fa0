//! `Netns` userdata and the `netns` module.

use std::rc::Rc;

use mlua::{IntoLua, AnyUserData, Function, Lua, MetaMethod, MultiValue, Table, UserData, UserDataFields, UserDataMethods, Value};

use super::args::{describe, seconds};
use super::error::{input, raise};
use super::handle::Handle;
use super::process::Process;
use super::{MODULES, Module, call_op, check_commands, check_writable, guard};
use crate::engine::{self, NsInfo};
use crate::process::{Cmd, Output, RunOpts};
use crate::runtime::{handle_for, note_namespace, set_current_handle};

/// A network namespace: named (under /run/netns), opened by path or pid, or
/// anonymous (`netns.temp()`, gone when closed or collected).
pub struct Netns {
    ns: Option<NsInfo>,
}

impl Netns {
    /// Wrap a namespace (and remember it for namespace-id lookups).
    pub fn new(lua: &Lua, ns: NsInfo) -> Netns {
        note_namespace(lua, &ns);
        Netns { ns: Some(ns) }
    }

    /// The namespace, or an error if this object was closed. Its identity
    /// (name, path, inode) stays readable after the namespace was deleted.
    pub fn info(&self) -> mlua::Result<&NsInfo> {
        self.ns.as_ref().ok_or_else(|| input("Netns", "this namespace was closed"))
    }

    /// The namespace, to act in: an error naming `func` if it was deleted or
    /// closed.
    pub fn live(&self, func: &str) -> mlua::Result<&NsInfo> {
        let ns = self.info()?;
        ns.check_live().map_err(|e| raise(e.with_op(func)))?;
        Ok(ns)
    }

    fn handle(&self, lua: &Lua, func: &str) -> mlua::Result<Rc<engine::Handle>> {
        handle_for(lua, self.live(func)?)
    }
}

/// A namespace argument: a Netns or a name. Returns the namespace info.
pub fn netns_arg(func: &str, field: &str, v: &Value) -> mlua::Result<Option<NsInfo>> {
    match v {
        Value::Nil => Ok(None),
        Value::String(s) => {
            let name = s.to_str().map_err(|_| input(func, format!("{field}: expected Netns or namespace name")))?;
            crate::netns::open(&name).map(Some).map_err(|e| raise(e.with_op(func.to_string())))
        }
        Value::UserData(ud) => match ud.borrow::<Netns>() {
            Ok(n) => Ok(Some(n.live(func)?.clone())),
            Err(_) => Err(input(func, format!("{field}: expected Netns or namespace name, got {}", describe(v)))),
        },
        _ => Err(input(func, format!("{field}: expected Netns or namespace name, got {}", describe(v)))),
    }
}

fn cmd_arg(func: &str, v: &Value) -> mlua::Result<Cmd> {
    match v {
        Value::String(s) => Ok(Cmd::Shell(s.to_str()?.to_string())),
        Value::Table(t) => {
            let mut argv = Vec::new();
            for x in t.sequence_values::<Value>() {
                match x? {
                    Value::String(s) => argv.push(s.to_str()?.to_string()),
                    Value::Integer(i) => argv.push(i.to_string()),
                    Value::Number(n) => argv.push(n.to_string()),
                    other => return Err(input(func, format!("argument #1: expected strings in the argv table, got {}", describe(&other)))),
                }
            }
            if argv.is_empty() {
                return Err(input(func, "argument #1: empty command"));
            }
            Ok(Cmd::Argv(argv))
        }
        other => Err(input(func, format!("argument #1: expected argv table or shell string, got {}", describe(other)))),
    }
}

/// Options of exec/spawn: stdin, env, cwd, timeout (+ check, output).
fn run_opts(func: &str, t: &Option<Table>, extra: &[&str]) -> mlua::Result<RunOpts> {
    let mut o = RunOpts::default();
    let Some(t) = t else { return Ok(o) };
    for pair in t.pairs::<String, Value>() {
        let (k, v) = pair?;
        match (k.as_str(), &v) {
            ("stdin", Value::String(s)) => o.stdin = Some(s.as_bytes().to_vec()),
            ("cwd", Value::String(s)) => o.cwd = Some(s.to_str()?.to_string()),
            ("timeout", Value::Integer(_) | Value::Number(_)) => {
                let bad = || input(func, format!("field 'timeout': expected seconds > 0, got {}", describe(&v)));
                o.timeout = Some(seconds(func, "field 'timeout'", &v).map_err(|_| bad())?.filter(|d| !d.is_zero()).ok_or_else(bad)?);
            }
            ("env", Value::Table(e)) => {
                for kv in e.pairs::<String, String>() {
                    o.env.push(kv?);
                }
            }
            (k, _) if extra.contains(&k) => {}
            (k @ ("stdin" | "cwd" | "timeout" | "env"), v) => {
                let what = match k {
                    "env" => "table of strings",
                    "timeout" => "seconds",
                    _ => "string",
                };
                return Err(input(func, format!("field '{k}': expected {what}, got {}", describe(v))));
            }
            (k, _) => {
                let known = ["stdin", "env", "cwd", "timeout"].iter().chain(extra).copied();
                return Err(input(func, engine::schema::unknown_option(k, known)));
            }
        }
    }
    Ok(o)
}

fn outcome_table(lua: &Lua, o: &crate::process::Outcome) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set("ok", o.ok())?;
    t.set("code", o.code)?;
    t.set("signal", o.signal)?;
    t.set("stdout", lua.create_string(&o.stdout)?)?;
    t.set("stderr", lua.create_string(&o.stderr)?)?;
    t.set("timed_out", o.timed_out)?;
    Ok(t)
}

/// `ns:run(fn, ...)` is this Lua function around `_run`, which switches,
/// calls fn through pcall and switches back: the Lua side re-raises the
/// original error value unchanged.
const RUN_LUA: &str = r#"
local function rethrow(ok, ...)
  if ok then return ... end
  error((...), 0)
end
return function(self, fn, ...) return rethrow(self:_run(fn, ...)) end
"#;

fn run_wrapper(lua: &Lua) -> mlua::Result<Function> {
    if let Some(f) = lua.named_registry_value::<Option<Function>>("nlua.netns.run")? {
        return Ok(f);
    }
    let f: Function = lua.load(RUN_LUA).set_name("=nlua.netns").eval()?;
    lua.set_named_registry_value("nlua.netns.run", f.clone())?;
    Ok(f)
}

impl UserData for Netns {
    fn add_fields<F: UserDataFields<Self>>(f: &mut F) {
        f.add_field_method_get("name", |_, s| Ok(s.info()?.name.clone()));
        f.add_field_method_get("path", |_, s| Ok(s.info()?.path.clone()));
        f.add_field_method_get("inode", |_, s| Ok(s.info()?.inode));
        // As the current namespace numbers this one, assigned on demand.
        f.add_field_method_get("nsid", |lua, s| {
            let ns = s.live("Netns.nsid")?;
            let cur = crate::runtime::current_handle(lua)?;
            if cur.ns() == ns {
                return Ok(None);
            }
            cur.nsid_assign(ns).map(Some).map_err(raise)
        });
    }

    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("handle", |lua, s, ()| Ok(Handle(s.handle(lua, "Netns.handle")?)));
        m.add_method("link", |lua, s, id: Value| {
            let h = s.handle(lua, "Netns.link")?;
            let op = &super::link::MODULE.ops.iter().find(|o| o.name == "get").unwrap();
            call_op(lua, "link", op, &h, MultiValue::from_iter([id]))
        });
        m.add_method("links", |lua, s, filter: Value| {
            let h = s.handle(lua, "Netns.links")?;
            let op = &super::link::MODULE.ops.iter().find(|o| o.name == "list").unwrap();
            call_op(lua, "link", op, &h, MultiValue::from_iter([filter]))
        });
        m.add_method("_run", |lua, s, (f, args): (Value, MultiValue)| {
            guard("Netns.run", || {
                let f = super::args::function("Netns.run", "argument #1", f)?;
                crate::runtime::send_batch(lua); // os.execute in there sees it
                let h = s.handle(lua, "Netns.run")?;
                let entered = crate::netns::enter(s.live("Netns.run")?).map_err(|e| raise(e.with_op("Netns.run")))?;
                let prev = set_current_handle(lua, Some(h));
                let pcall: Function = lua.globals().get("pcall")?;
                let mut all = MultiValue::new();
                all.push_back(Value::Function(f));
                all.extend(args);
                let r = pcall.call::<MultiValue>(all);
                set_current_handle(lua, prev);
                drop(entered);
                r
            })
        });
        m.add_method("exec", |lua, s, (cmd, opts): (Value, Option<Table>)| {
            guard("Netns.exec", || {
                check_commands(lua, "Netns.exec")?;
                check_writable(lua, "Netns.exec")?;
                let cmd = cmd_arg("Netns.exec", &cmd)?;
                let ro = run_opts("Netns.exec", &opts, &["check"])?;
                let check = match opts.as_ref().map(|t| t.get::<Value>("check")).transpose()? {
                    None | Some(Value::Nil) => false,
                    Some(Value::Boolean(b)) => b,
                    Some(v) => return Err(input("Netns.exec", format!("field 'check': expected boolean, got {}", describe(&v)))),
                };
                let ns = s.live("Netns.exec")?;
                crate::runtime::send_batch(lua); // the program sees what was asked for before it
                trace_exec(lua, ns, &cmd, false);
                let o = crate::process::exec(&cmd, &ro, Some(ns)).map_err(raise)?;
                if check && !o.ok() {
                    // The error carries the output: err.stdout, err.stderr, err.status...
                    return Err(mlua::Error::external(crate::process::Failed::new(&cmd, o)));
                }
                outcome_table(lua, &o)
            })
        });
        m.add_method("spawn", |lua, s, (cmd, opts): (Value, Option<Table>)| {
            guard("Netns.spawn", || {
                check_commands(lua, "Netns.spawn")?;
                check_writable(lua, "Netns.spawn")?;
                let cmd = cmd_arg("Netns.spawn", &cmd)?;
                let ro = run_opts("Netns.spawn", &opts, &["output"])?;
                let output = match opts.as_ref().map(|t| t.get::<Value>("output")).transpose()? {
                    None | Some(Value::Nil) => Output::Capture,
                    Some(Value::String(x)) => match x.to_str()?.as_ref() {
                        "capture" => Output::Capture,
                        "null" => Output::Null,
                        "inherit" => Output::Inherit,
                        path => Output::File(path.to_string()),
                    },
                    Some(v) => {
                        return Err(input("Netns.spawn", format!("field 'output': expected \"capture\", \"null\", \"inherit\" or a file path, got {}", describe(&v))));
                    }
                };
                let ns = s.live("Netns.spawn")?;
                crate::runtime::send_batch(lua); // the program sees what was asked for before it
                trace_exec(lua, ns, &cmd, true);
                let p = crate::process::Process::spawn(&cmd, &ro, Some(ns), output).map_err(raise)?;
                if let Some(j) = crate::runtime::journal(lua) {
                    j.append(crate::journal::Record::Process { pid: p.pid, start: p.start_time, cmd: cmd.text() });
                }
                Process::register(lua, p)
            })
        });
        m.add_method("del", |lua, s, ()| {
            guard("Netns.del", || {
                check_writable(lua, "Netns.del")?;
                let name = s.info()?.name.clone().ok_or_else(|| input("Netns.del", "this namespace has no name (close it instead)"))?;
                delete(lua, &name)
            })
        });
        // Closing a temporary (anonymous) namespace ends it for every object
        // of it; closing a named one lets go of this object's hold only.
        m.add_method_mut("close", |lua, s, ()| {
            crate::runtime::send_batch(lua);
            if let Some(ns) = s.ns.take()
                && ns.path.is_none() && ns.name.is_none() {
                    crate::runtime::end_namespace(lua, &ns, "closed");
                }
            Ok(())
        });
        m.add_meta_method(MetaMethod::ToString, |_, s, ()| {
            Ok(match &s.ns {
                None => "Netns(closed)".to_string(),
                Some(n) => {
                    let id = n.name.clone().unwrap_or_else(|| format!("inode {}", n.inode));
                    match n.fd.ended() {
                        Some((_, why)) => format!("Netns({id}, {why})"),
                        None => format!("Netns({id})"),
                    }
                }
            })
        });
        m.add_meta_method(MetaMethod::Eq, |_, s, o: AnyUserData| {
            Ok(o.borrow::<Netns>().is_ok_and(|o| matches!((&o.ns, &s.ns), (Some(a), Some(b)) if a == b)))
        });
        // `ns:run` is Lua (see RUN_LUA); `ns:<module>_<op>(...)` forwards to
        // the namespace's handle, so every module works here without a list.
        m.add_meta_method(MetaMethod::Index, |lua, _, key: String| {
            if key == "run" {
                return Ok(Value::Function(run_wrapper(lua)?));
            }
            for module in MODULES {
                for op in module.ops {
                    if key.strip_prefix(module.name).and_then(|r| r.strip_prefix('_')) == Some(op.name) {
                        let name = module.name;
                        let f = lua.create_function(move |lua, (ud, args): (AnyUserData, MultiValue)| {
                            let h = ud.borrow::<Netns>()?.handle(lua, "Netns")?;
                            call_op(lua, name, op, &h, args)
                        })?;
                        return Ok(Value::Function(f));
                    }
                }
            }
            Ok(Value::Nil)
        });
    }
}

/// `--trace` line for a command run inside a namespace.
fn trace_exec(lua: &Lua, ns: &NsInfo, cmd: &Cmd, background: bool) {
    let Some(j) = crate::runtime::journal(lua) else { return };
    let words = match cmd {
        Cmd::Argv(a) => a.iter().map(|w| crate::journal::trace::sh_quote(w)).collect::<Vec<_>>().join(" "),
        Cmd::Shell(s) => format!("sh -c {}", crate::journal::trace::sh_quote(s)),
    };
    use crate::journal::NsKey;
    let key = NsKey::of(ns, j.initial);
    let line = match &key {
        NsKey::Initial => words,
        NsKey::Name(n) => format!("ip netns exec {n} {words}"),
        other => format!("nsenter --net={} {words}", other.netns_word()),
    };
    crate::journal::trace::emit(&j, &key, &if background { format!("{line} &") } else { line });
}

/// `--trace` line for `ip netns del` (the journal hears of it once done).
fn journal_netns_del(lua: &Lua, name: &str) {
    if let Some(j) = crate::runtime::journal(lua) {
        crate::journal::trace::emit(&j, &crate::journal::NsKey::Initial, &format!("ip netns del {name}"));
    }
}

/// Delete namespace `name` (like `ip netns del`) and end this run's hold on
/// the namespace the name had (see `runtime::end_namespace`).
fn delete(lua: &Lua, name: &str) -> mlua::Result<()> {
    crate::runtime::send_batch(lua); // what an open batch queued for it goes first
    let ns = crate::netns::open(name).ok();
    journal_netns_del(lua, name);
    crate::netns::del(name).map_err(raise)?;
    if let Some(j) = crate::runtime::journal(lua) {
        j.netns_deleted(name);
    }
    if let Some(ns) = ns {
        crate::runtime::end_namespace(lua, &ns, "deleted");
    }
    Ok(())
}

fn name_arg(func: &str, v: &Value) -> mlua::Result<String> {
    match v {
        Value::String(s) => Ok(s.to_str()?.to_string()),
        other => Err(input(func, format!("argument #1: expected namespace name, got {}", describe(other)))),
    }
}

/// `netns.add{"a", "b", ...}`: the namespaces made together
/// ([`crate::netns::add_many`]), returned as a list in the same order.
fn add_many(lua: &Lua, list: &Table) -> mlua::Result<Value> {
    let n = super::args::list_len(lua, "netns.add", "argument #1", list)?;
    let mut names = Vec::with_capacity(n);
    for i in 1..=n {
        match list.raw_get::<Value>(i)? {
            Value::String(s) => names.push(s.to_str()?.to_string()),
            other => return Err(input("netns.add", format!("argument #1: entry {i}: expected namespace name, got {}", describe(&other)))),
        }
    }
    let j = crate::runtime::journal(lua);
    if let Some(j) = &j {
        for name in &names {
            crate::journal::trace::emit(j, &crate::journal::NsKey::Initial, &format!("ip netns add {name}"));
        }
    }
    let made = crate::netns::add_many(&names).map_err(raise)?;
    if let Some(j) = &j {
        for name in names {
            j.append(crate::journal::Record::NetnsAdd { name });
        }
    }
    let out = lua.create_table_with_capacity(made.len(), 0)?;
    for ns in made {
        out.raw_push(Netns::new(lua, ns))?;
    }
    Ok(Value::Table(out))
}

fn extra(lua: &Lua, t: &Table) -> mlua::Result<()> {
    t.set(
        "add",
        lua.create_function(|lua, v: Value| {
            guard("netns.add", || {
                check_writable(lua, "netns.add")?;
                if let Value::Table(t) = &v {
                    return add_many(lua, t);
                }
                let name = name_arg("netns.add", &v)?;
                let j = crate::runtime::journal(lua);
                if let Some(j) = &j {
                    crate::journal::trace::emit(j, &crate::journal::NsKey::Initial, &format!("ip netns add {name}"));
                }
                let ns = crate::netns::add(&name).map_err(raise)?;
                if let Some(j) = &j {
                    j.append(crate::journal::Record::NetnsAdd { name: name.clone() });
                }
                Netns::new(lua, ns).into_lua(lua)
            })
        })?,
    )?;
    t.set(
        "del",
        lua.create_function(|lua, v: Value| {
            guard("netns.del", || {
                check_writable(lua, "netns.del")?;
                let name = match &v {
                    Value::UserData(ud) => ud.borrow::<Netns>().ok().and_then(|n| n.ns.as_ref().and_then(|i| i.name.clone())),
                    _ => None,
                };
                let name = match name {
                    Some(n) => n,
                    None => name_arg("netns.del", &v)?,
                };
                delete(lua, &name)
            })
        })?,
    )?;
    t.set(
        "list",
        lua.create_function(|lua, ()| {
            guard("netns.list", || {
                let out = lua.create_table()?;
                for name in crate::netns::list().map_err(raise)? {
                    // A stale file (no namespace mounted on it) is skipped: there is no
                    // namespace to return (`ip netns list` prints its name all the same).
                    if let Ok(ns) = crate::netns::open(&name) {
                        out.raw_push(Netns::new(lua, ns))?;
                    }
                }
                Ok(out)
            })
        })?,
    )?;
    t.set(
        "open",
        lua.create_function(|lua, v: Value| guard("netns.open", || Ok(Netns::new(lua, crate::netns::open(&name_arg("netns.open", &v)?).map_err(raise)?))))?,
    )?;
    t.set(
        "path",
        lua.create_function(|lua, v: Value| {
            guard("netns.path", || {
                let p = match &v {
                    Value::String(s) => s.to_str()?.to_string(),
                    other => return Err(input("netns.path", format!("argument #1: expected a path, got {}", describe(other)))),
                };
                Ok(Netns::new(lua, crate::netns::open_path(&p).map_err(raise)?))
            })
        })?,
    )?;
    t.set(
        "pid",
        lua.create_function(|lua, v: Value| {
            guard("netns.pid", || {
                let pid = match v {
                    Value::Integer(i) => i,
                    Value::Number(n) if n.fract() == 0.0 => n as i64,
                    other => return Err(input("netns.pid", format!("argument #1: expected a process id, got {}", describe(&other)))),
                };
                Ok(Netns::new(lua, crate::netns::open_pid(pid).map_err(raise)?))
            })
        })?,
    )?;
    t.set(
        "current",
        lua.create_function(|lua, ()| {
            guard("netns.current", || {
                let h = crate::runtime::current_handle(lua)?;
                let mut ns = h.ns().clone();
                // Name it if it is one of the named ones.
                if ns.name.is_none() {
                    ns.name = crate::netns::list().unwrap_or_default().into_iter().find(|n| crate::netns::open(n).is_ok_and(|x| x == ns));
                }
                Ok(Netns::new(lua, ns))
            })
        })?,
    )?;
    t.set(
        "temp",
        lua.create_function(|lua, ()| {
            guard("netns.temp", || {
                check_writable(lua, "netns.temp")?;
                Ok(Netns::new(lua, crate::netns::temp().map_err(raise)?))
            })
        })?,
    )?;
    t.set(
        "enter",
        lua.create_function(|lua, v: Value| {
            guard("netns.enter", || {
                check_commands(lua, "netns.enter")?;
                let ns = netns_arg("netns.enter", "argument #1", &v)?.ok_or_else(|| input("netns.enter", "argument #1: expected Netns or namespace name, got nil"))?;
                let h = handle_for(lua, &ns)?;
                crate::netns::enter_for_good(&ns).map_err(|e| raise(e.with_op("netns.enter")))?;
                set_current_handle(lua, Some(h));
                Ok(Netns::new(lua, ns))
            })
        })?,
    )?;
    Ok(())
}

/// The `netns` module (its functions are not handle ops: namespaces are not
/// objects inside a namespace).
pub static MODULE: Module = Module { name: "netns", ops: &[], extra: Some(extra) };
