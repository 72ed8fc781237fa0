//! `Process` userdata: a command started with `ns:spawn`.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use mlua::{Lua, MetaMethod, UserData, UserDataFields, UserDataMethods, Value};
use nix::sys::signal::Signal;

use super::args::describe;
use super::error::{input, raise};
use super::{check_writable, guard};
use crate::process;

/// A background process; the runtime keeps a reference too, to report (and,
/// with the journal, stop) processes still running when the run ends.
pub struct Process(pub Rc<RefCell<process::Process>>);

impl Process {
    /// Wrap a started process and register it with the runtime.
    pub fn register(lua: &Lua, p: process::Process) -> mlua::Result<Process> {
        let p = Rc::new(RefCell::new(p));
        let st = crate::runtime::state(lua);
        let mut ps = st.processes.borrow_mut();
        // Forget the ended ones no script object refers to any more.
        ps.retain(|q| Rc::strong_count(q) > 1 || q.try_borrow_mut().map_or(true, |mut q| q.running()));
        ps.push(p.clone());
        Ok(Process(p))
    }
}

fn signal_arg(v: &Value) -> mlua::Result<Signal> {
    let bad = || input("Process.kill", format!("argument #1: expected a signal like \"TERM\", \"KILL\" or 15, got {}", describe(v)));
    match v {
        Value::Nil => Ok(Signal::SIGTERM),
        Value::Integer(n) => Signal::try_from(*n as i32).map_err(|_| bad()),
        Value::String(s) => {
            let s = s.to_str()?.to_uppercase();
            let name = if s.starts_with("SIG") { s.to_string() } else { format!("SIG{s}") };
            name.parse::<Signal>().map_err(|_| bad())
        }
        _ => Err(bad()),
    }
}

fn timeout_arg(v: &Value) -> mlua::Result<Option<Duration>> {
    super::monitor::seconds("Process.wait", "argument #1", v)
}

impl UserData for Process {
    fn add_fields<F: UserDataFields<Self>>(f: &mut F) {
        f.add_field_method_get("pid", |_, s| Ok(s.0.borrow().pid));
        f.add_field_method_get("cmd", |_, s| Ok(s.0.borrow().cmd.text()));
        f.add_field_method_get("start_time", |_, s| Ok(s.0.borrow().start_time));
    }

    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("running", |_, s, ()| Ok(s.0.borrow_mut().running()));
        // Wait for the end (up to `timeout` seconds): the outcome table, or nil
        // if it is still running then.
        m.add_method("wait", |lua, s, t: Value| {
            guard("Process.wait", || {
                let t = timeout_arg(&t)?;
                match s.0.borrow_mut().wait(t).map_err(raise)? {
                    None => Ok(Value::Nil),
                    Some(o) => {
                        let r = lua.create_table()?;
                        r.set("ok", o.ok())?;
                        r.set("code", o.code)?;
                        r.set("signal", o.signal)?;
                        r.set("stdout", lua.create_string(&o.stdout)?)?;
                        r.set("stderr", lua.create_string(&o.stderr)?)?;
                        Ok(Value::Table(r))
                    }
                }
            })
        });
        m.add_method("kill", |lua, s, sig: Value| {
            guard("Process.kill", || {
                check_writable(lua, "Process.kill")?;
                s.0.borrow_mut().kill(signal_arg(&sig)?).map_err(raise)
            })
        });
        m.add_meta_method(MetaMethod::ToString, |_, s, ()| {
            let p = s.0.borrow();
            Ok(format!("Process({} {})", p.pid, p.cmd.text()))
        });
        m.add_meta_method(MetaMethod::Eq, |_, s, o: mlua::AnyUserData| Ok(o.borrow::<Process>().is_ok_and(|o| Rc::ptr_eq(&o.0, &s.0))));
    }
}
