//! A host program that runs a user's Lua hooks on link events: it loads
//! `hooks.lua` into a read-only runtime with the safe standard library (no
//! `io`, no `os.execute`, no C modules, no commands) and calls the script's
//! `on_link_up(link)` each time a link comes up, with the same `Link` userdata
//! a script gets from `link.list()` — bound to the namespace it is in.
//!
//! ```sh
//! cargo run --example hooks -- examples/hooks.lua                  # this namespace
//! cargo run --example hooks -- --netns red --events 3 hooks.lua    # named namespace, stop after 3 calls
//! ```
//!
//! The events come from the engine's monitor (`nlua::engine::Monitor`); the
//! hook is called through `Runtime::call` with an engine `Link` wrapped in
//! `nlua::Bound` (its namespace). An error in a hook is printed and the host
//! goes on; the hook cannot change the system (`link:set{}` raises
//! `Link.set: refused: this runtime is read-only`).

use std::collections::HashSet;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use nlua::engine::monitor::{Action, Event, Family, Monitor, MonitorOpts, Object};
use nlua::engine::{Handle, NsInfo};
use nlua::{Bound, Runtime, Stdlib};

struct Args {
    netns: Option<String>,
    events: Option<usize>,
    timeout: Option<Duration>,
    script: String,
}

fn args() -> Result<Args, String> {
    let mut a = Args { netns: None, events: None, timeout: None, script: String::new() };
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        let mut value = |what: &str| it.next().ok_or_else(|| format!("{what} needs a value"));
        match x.as_str() {
            "--netns" => a.netns = Some(value("--netns")?),
            "--events" => a.events = Some(value("--events")?.parse().map_err(|e| format!("--events: {e}"))?),
            "--timeout" => {
                let secs: f64 = value("--timeout")?.parse().map_err(|e| format!("--timeout: {e}"))?;
                a.timeout = Some(Duration::try_from_secs_f64(secs).map_err(|e| format!("--timeout: {e}"))?);
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            s => a.script = s.to_string(),
        }
    }
    if a.script.is_empty() {
        return Err("usage: hooks [--netns NAME] [--events N] [--timeout SECS] HOOKS.lua".into());
    }
    Ok(a)
}

fn run(a: Args) -> Result<(), String> {
    let text = |e: mlua::Error| nlua::lua::error::message(&e);
    // The namespace to watch, and a runtime bound to it: read-only, safe stdlib.
    let ns = match &a.netns {
        Some(name) => nlua::netns::open(name).map_err(|e| e.to_string())?,
        None => NsInfo::current().map_err(|e| e.to_string())?,
    };
    let rt = Runtime::builder().read_only(true).stdlib(Stdlib::Safe).netns(&ns).build().map_err(text)?;
    let chunk = rt.load_file(&a.script).map_err(text)?;
    rt.call_traced(&chunk, mlua::MultiValue::new())?;
    let hook: Option<mlua::Function> = rt.lua().globals().get("on_link_up").map_err(text)?;
    if hook.is_none() {
        return Err(format!("{}: defines no on_link_up(link)", a.script));
    }

    // Subscribe first, then read which links are up: no event is missed.
    let mut opts = MonitorOpts::new(&[Family::Link]);
    opts.namespaces = vec![ns.clone()];
    let mut monitor = Monitor::open(&opts).map_err(|e| e.to_string())?;
    let h = Handle::new_in(&ns).map_err(|e| e.to_string())?;
    let up_now = |h: &Handle| -> Result<HashSet<u32>, String> {
        Ok(h.link_list(&Default::default()).map_err(|e| e.to_string())?.into_iter().filter(|l| l.is_up()).map(|l| l.index).collect())
    };
    let mut up = up_now(&h)?;
    println!("hooks: watching links in {} ({} up)", ns.label(), up.len());
    std::io::stdout().flush().ok();

    let mut calls = 0;
    while a.events.is_none_or(|n| calls < n) {
        let Some(ev) = monitor.next(a.timeout).map_err(|e| e.to_string())? else { break };
        match ev {
            Event::Object { source, action, object: Object::Link(l), .. } => {
                if action == Action::Del || !l.is_up() {
                    up.remove(&l.index);
                } else if up.insert(l.index) {
                    // Came up: the hook gets it as the Link scripts see.
                    calls += 1;
                    if let Err(e) = rt.call::<_, ()>("on_link_up", Bound::new(monitor.ns(source), l)) {
                        eprintln!("hooks: on_link_up failed: {}", text(e));
                    }
                }
            }
            Event::Object { .. } => {}
            // Events were lost: read the state again.
            Event::Overrun { .. } => up = up_now(&h)?,
        }
    }
    println!("hooks: {calls} calls");
    Ok(())
}

fn main() -> ExitCode {
    match args().and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hooks: {e}");
            ExitCode::FAILURE
        }
    }
}
