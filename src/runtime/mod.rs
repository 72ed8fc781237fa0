//! Builds a Lua VM with nlua's modules: registration, runtime state (the
//! current handle), error values with fields, the embedded `lua/` library, and
//! running chunks with a traceback for uncaught errors.

use std::cell::RefCell;
use std::rc::Rc;

use mlua::{AppDataRef, Function, Lua, MultiValue, Value};

use crate::engine;
use crate::lua::error;

pub mod interrupt;
mod options;
mod stdlib;

pub use options::{NsRef, Options, register};
pub use stdlib::Stdlib;

/// A namespace this run opened, held weakly.
struct KnownNs {
    dev: u64,
    inode: u64,
    name: Option<String>,
    path: Option<String>,
    fd: std::sync::Weak<engine::NsFd>,
}

/// Per-VM state, kept in mlua app data (no globals in Rust).
pub struct State {
    /// Mutations are refused.
    pub read_only: bool,
    /// Commands (`Netns:exec`, `Netns:spawn`) and `netns.enter` are allowed.
    pub commands: bool,
    /// The handle module functions act on; opened on first use.
    handle: RefCell<Option<Rc<engine::Handle>>>,
    /// One handle per namespace (by nsfs device and inode), shared by every
    /// object read through it.
    handles: RefCell<std::collections::HashMap<(u64, u64), std::rc::Weak<engine::Handle>>>,
    /// Namespaces this run has opened (for resolving namespace ids); weak so a
    /// temporary namespace still goes away when its last object does.
    namespaces: RefCell<std::collections::HashMap<usize, KnownNs>>,
    /// Background processes started by this run.
    pub processes: RefCell<Vec<Rc<RefCell<crate::process::Process>>>>,
    /// The run's journal (undo records, --trace), when it keeps one.
    pub journal: Option<std::sync::Arc<crate::journal::Journal>>,
    /// Cleanups registered with nlua.defer, oldest first.
    pub defers: RefCell<Vec<mlua::Function>>,
    /// The open `nlua.batch`, whose queue every handle of the run uses.
    batch: RefCell<Option<Rc<engine::Deferred>>>,
}

/// The journal, if this run keeps one.
pub fn journal(lua: &Lua) -> Option<std::sync::Arc<crate::journal::Journal>> {
    state(lua).journal.clone()
}

/// Attach the run's journal (and an open batch) to a handle this run made.
fn adopt(lua: &Lua, h: &Rc<engine::Handle>) {
    if let Some(j) = journal(lua) {
        h.set_observer(Some(j as std::sync::Arc<dyn engine::change::Observer>));
    }
    if let Some(b) = state(lua).batch.borrow().as_ref() {
        b.attach(h);
    }
}

/// Every handle of this run that is still open.
fn all_handles(lua: &Lua) -> Vec<Rc<engine::Handle>> {
    let st = state(lua);
    let mut hs: Vec<Rc<engine::Handle>> = st.handles.borrow().values().filter_map(|w| w.upgrade()).collect();
    hs.extend(st.handle.borrow().clone());
    hs
}

/// Open a batch (see `nlua.batch`): every handle of this run queues the
/// changes that can wait. None if one is open already.
pub fn open_batch(lua: &Lua) -> Option<Rc<engine::Deferred>> {
    let weak = lua.weak();
    let d = engine::Deferred::open(move || weak.try_upgrade().map(|l| call_site(&l)).unwrap_or_default())?;
    *state(lua).batch.borrow_mut() = Some(d.clone());
    for h in all_handles(lua) {
        d.attach(&h);
    }
    Some(d)
}

/// Send what the open batch queued and close it.
pub fn close_batch(lua: &Lua) {
    if let Some(d) = state(lua).batch.borrow_mut().take() {
        d.close();
    }
}

/// Send what the open batch queued (if any), before something the queue
/// must not be behind: running a program, entering or deleting a namespace.
pub fn send_batch(lua: &Lua) {
    let d = state(lua).batch.borrow().clone();
    if let Some(d) = d {
        d.flush();
    }
}

/// Where the running Lua code is: "file:line" of the innermost Lua frame.
pub fn call_site(lua: &Lua) -> String {
    // Called from a Rust function: the innermost Lua frame is its caller.
    position_from(lua, 0).trim_end_matches(": ").to_string()
}

/// Run the nlua.defer cleanups, newest first; errors are printed, not raised.
pub fn run_defers(lua: &Lua) {
    let fs: Vec<mlua::Function> = state(lua).defers.borrow_mut().drain(..).collect();
    for f in fs.into_iter().rev() {
        if let Err(e) = f.call::<()>(()) {
            eprintln!("nlua: deferred cleanup failed: {}", error::message(&e));
        }
    }
}

/// This VM's state.
pub fn state(lua: &Lua) -> AppDataRef<'_, State> {
    lua.app_data_ref::<State>().expect("nlua state is set when the runtime is built (or by nlua::register)")
}

/// The handle module functions act on (the current namespace's).
pub fn current_handle(lua: &Lua) -> mlua::Result<Rc<engine::Handle>> {
    let st = state(lua);
    if let Some(h) = st.handle.borrow().as_ref() {
        return Ok(h.clone());
    }
    let h = Rc::new(engine::Handle::new().map_err(error::raise)?);
    drop(st);
    adopt(lua, &h);
    *state(lua).handle.borrow_mut() = Some(h.clone());
    Ok(h)
}

/// The handle for namespace `ns`: the current one if it is that namespace,
/// else one shared by every object of `ns` (opened on a thread inside it).
pub fn handle_for(lua: &Lua, ns: &engine::NsInfo) -> mlua::Result<Rc<engine::Handle>> {
    ns.check_live().map_err(error::raise)?;
    let cur = current_handle(lua)?;
    if cur.ns() == ns {
        return Ok(cur);
    }
    let st = state(lua);
    let mut hs = st.handles.borrow_mut();
    // (A handle of an ended namespace equals nothing: its inode may number a new one.)
    if let Some(h) = hs.get(&(ns.dev, ns.inode)).and_then(|w| w.upgrade()).filter(|h| h.ns() == ns) {
        return Ok(h);
    }
    // Forget closed handles now and then (amortized: when the map doubles).
    if hs.len() >= 64 && hs.len().is_power_of_two() {
        hs.retain(|_, w| w.strong_count() > 0);
    }
    let h = Rc::new(engine::Handle::new_in(ns).map_err(error::raise)?);
    hs.insert((ns.dev, ns.inode), Rc::downgrade(&h));
    drop(hs);
    drop(st);
    adopt(lua, &h);
    Ok(h)
}

/// Remember a namespace this run opened, for resolving namespace ids and for
/// [`end_namespace`]. Held weakly, so a temporary namespace still goes away
/// when its last object does.
pub fn note_namespace(lua: &Lua, ns: &engine::NsInfo) {
    let st = state(lua);
    let mut v = st.namespaces.borrow_mut();
    // Keyed by the shared descriptor: one entry per open namespace, found in
    // one step (a run of 500 namespaces must not scan them all each time).
    let key = std::sync::Arc::as_ptr(&ns.fd) as usize;
    if v.get(&key).is_some_and(|k| k.fd.upgrade().is_some()) {
        return;
    }
    if v.len() >= 64 && v.len().is_power_of_two() {
        v.retain(|_, k| k.fd.upgrade().is_some_and(|fd| fd.ended().is_none()));
    }
    v.insert(key, KnownNs { dev: ns.dev, inode: ns.inode, name: ns.name.clone(), path: ns.path.clone(), fd: std::sync::Arc::downgrade(&ns.fd) });
}

/// End this run's hold on namespace `ns` (`why`: "deleted" by name, or a
/// temporary one "closed"), as `ip netns del` ends a name: every handle and
/// object of it fails with the reason from now on, and nothing nlua holds keeps
/// the namespace alive (processes inside it still do).
pub fn end_namespace(lua: &Lua, ns: &engine::NsInfo, why: &'static str) {
    let same = |dev: u64, inode: u64| dev == ns.dev && inode == ns.inode;
    for h in all_handles(lua).iter().filter(|h| same(h.ns().dev, h.ns().inode)) {
        h.close(why);
    }
    let st = state(lua);
    for k in st.namespaces.borrow().values().filter(|k| same(k.dev, k.inode)) {
        if let Some(fd) = k.fd.upgrade() {
            fd.end(why);
        }
    }
    ns.end(why);
}

/// Namespaces this run knows that are still open, plus the named ones.
pub fn known_namespaces(lua: &Lua) -> Vec<engine::NsInfo> {
    let st = state(lua);
    let mut out: Vec<engine::NsInfo> = Vec::new();
    for k in st.namespaces.borrow().values() {
        let Some(fd) = k.fd.upgrade() else { continue };
        let ns = engine::NsInfo { dev: k.dev, inode: k.inode, fd, name: k.name.clone(), path: k.path.clone() };
        // (An ended namespace equals nothing, so it is never pushed.)
        if ns.check_live().is_ok() && !out.contains(&ns) {
            out.push(ns);
        }
    }
    for name in crate::netns::list().unwrap_or_default() {
        if let Ok(ns) = crate::netns::open(&name)
            && !out.contains(&ns) {
                out.push(ns);
            }
    }
    out
}

/// Make `h` the current handle; returns the previous one (to restore).
pub fn set_current_handle(lua: &Lua, h: Option<Rc<engine::Handle>>) -> Option<Rc<engine::Handle>> {
    state(lua).handle.replace(h)
}

/// The Lua library shipped inside the binary (`lua/nlua/*.lua`), by module name.
pub static LUA_LIBRARY: &[(&str, &str)] = &[
    ("nlua.inspect", include_str!("../../lua/nlua/inspect.lua")),
    ("nlua.test", include_str!("../../lua/nlua/test.lua")),
];

/// Chooses what a runtime has: modules, read-only mode, the Lua standard
/// library, the namespace it acts in, a journal.
///
/// ```no_run
/// // A read-only view of namespace "red" for untrusted hooks.
/// let rt = nlua::Runtime::builder()
///     .modules(["link", "addr", "route"])
///     .read_only(true)
///     .stdlib(nlua::Stdlib::Safe)
///     .netns("red")
///     .build()?;
/// # Ok::<(), mlua::Error>(())
/// ```
#[derive(Default)]
pub struct Builder {
    opts: Options,
    stdlib: Stdlib,
}

impl Builder {
    /// Register only these modules (`nlua` is always there).
    pub fn modules<I: IntoIterator<Item = S>, S: Into<String>>(mut self, m: I) -> Builder {
        self.opts = self.opts.modules(m);
        self
    }

    /// Refuse every call that would change the system, with an error naming
    /// the call (`link.add: refused: this runtime is read-only`); reads work.
    pub fn read_only(mut self, yes: bool) -> Builder {
        self.opts = self.opts.read_only(yes);
        self
    }

    /// The Lua standard library: [`Stdlib::Full`] (the default),
    /// [`Stdlib::Safe`] for untrusted scripts, or [`mlua::StdLib`] flags.
    pub fn stdlib(mut self, libs: impl Into<Stdlib>) -> Builder {
        self.stdlib = libs.into();
        self
    }

    /// Keep a journal of every change (undo on failure, --down, --trace).
    pub fn journal(mut self, j: std::sync::Arc<crate::journal::Journal>) -> Builder {
        self.opts = self.opts.journal(j);
        self
    }

    /// Bind the current handle to a namespace — an [`engine::NsInfo`] or the
    /// name of one under `/run/netns`: module functions (`link.list()`) act
    /// there. The host's thread does not move (`ns:run` moves it for a call).
    pub fn netns(mut self, ns: impl Into<NsRef>) -> Builder {
        self.opts = self.opts.netns(ns);
        self
    }

    /// Act through this handle (bind the runtime to its namespace).
    pub fn handle(mut self, h: engine::Handle) -> Builder {
        self.opts = self.opts.handle(h);
        self
    }

    /// Build the runtime.
    pub fn build(self) -> mlua::Result<Runtime> {
        let lua = self.stdlib.new_lua()?;
        let mut opts = self.opts;
        opts.commands &= self.stdlib.allows_commands();
        register(&lua, opts)?;
        Ok(Runtime { lua })
    }
}

fn install_library(lua: &Lua) -> mlua::Result<()> {
    let Ok(package) = lua.globals().get::<mlua::Table>("package") else { return Ok(()) };
    let preload: mlua::Table = package.get("preload")?;
    let dev_dir = std::env::var("NLUA_RUNTIME").ok();
    for (name, src) in LUA_LIBRARY {
        let (name, src) = (*name, *src);
        let dev_dir = dev_dir.clone();
        let loader = lua.create_function(move |lua, ()| {
            // NLUA_RUNTIME=./lua loads the library from disk while developing.
            let file = format!("{}.lua", name.replace('.', "/"));
            let (code, chunk) = match &dev_dir {
                Some(d) => {
                    let path = std::path::Path::new(d).join(&file);
                    (std::fs::read_to_string(&path).map_err(mlua::Error::external)?, format!("@{}", path.display()))
                }
                None => (src.to_string(), format!("@lua/{file}")),
            };
            lua.load(code).set_name(chunk).call::<Value>(())
        })?;
        preload.set(name, loader)?;
    }
    Ok(())
}

/// A Lua VM with nlua's modules.
pub struct Runtime {
    lua: Lua,
}

impl Runtime {
    /// A runtime with every module, acting in the caller's namespace.
    pub fn new() -> mlua::Result<Runtime> {
        Builder::default().build()
    }

    /// Choose modules, read-only mode, stdlib, namespace.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The Lua state, to add functions or load code.
    pub fn lua(&self) -> &Lua {
        &self.lua
    }

    /// Load a script file as a function (chunk name `@path`; a `#!` line is skipped).
    pub fn load_file(&self, path: &str) -> mlua::Result<Function> {
        let src = std::fs::read(path).map_err(|e| error::raise(engine::Error::io(&e, format!("cannot open {path}"))))?;
        self.load_source(&src, &format!("@{path}"))
    }

    /// Load source text as a function; `name` is the chunk name (`@file`, `=(command line)`).
    pub fn load_source(&self, src: &[u8], name: &str) -> mlua::Result<Function> {
        let src = strip_shebang(src);
        self.lua.load(src).set_name(name).into_function()
    }

    /// Call `f` with a message handler that records where an uncaught error
    /// happened: Err holds `file:line: message` and a stack traceback.
    pub fn call_traced(&self, f: &Function, args: MultiValue) -> Result<MultiValue, String> {
        let traced = self
            .lua
            .create_function(|lua, err: Value| Ok(traceback(lua, &err)))
            .map_err(|e| e.to_string())?;
        // A Rust panic that escaped a callback resumes when handed to Rust;
        // report it from Lua rather than failing inside the handler.
        let handler: Function = self
            .lua
            .load(
                "local traced = ... return function(e) local ok, m = pcall(traced, e) if ok then return m end
                 return 'internal error: ' .. tostring(m) .. (debug and debug.traceback('', 2) or '') end",
            )
            .set_name("=nlua.traceback")
            .call(traced)
            .map_err(|e| e.to_string())?;
        let xpcall: Function = self.lua.globals().get("xpcall").map_err(|e| e.to_string())?;
        let mut all = MultiValue::new();
        all.push_back(Value::Function(f.clone()));
        all.push_back(Value::Function(handler));
        all.extend(args);
        let mut res = xpcall.call::<MultiValue>(all).map_err(|e| error::message(&e))?;
        match res.pop_front() {
            Some(Value::Boolean(true)) => Ok(res),
            _ => Err(match res.pop_front() {
                Some(Value::String(s)) => s.to_string_lossy().trim_end_matches("\n\t[C]: in function 'xpcall'").to_string(),
                Some(v) => format!("{v:?}"),
                None => "unknown error".into(),
            }),
        }
    }

    /// Background processes this run started that are still running: (pid, command).
    pub fn running_processes(&self) -> Vec<(u32, String)> {
        let st = state(&self.lua);
        let ps = st.processes.borrow();
        ps.iter()
            .filter_map(|p| {
                let mut p = p.try_borrow_mut().ok()?;
                p.running().then(|| (p.pid, p.cmd.text()))
            })
            .collect()
    }

    /// Call the global function `name` (a hook) with `args`.
    pub fn call<A: mlua::IntoLuaMulti, R: mlua::FromLuaMulti>(&self, name: &str, args: A) -> mlua::Result<R> {
        let f: Function = self.lua.globals().get(name)?;
        f.call(args)
    }
}

fn strip_shebang(src: &[u8]) -> Vec<u8> {
    if src.starts_with(b"#") {
        // Keep the newline so line numbers stay right.
        let end = src.iter().position(|b| *b == b'\n').unwrap_or(src.len());
        let mut v = b"--".to_vec();
        v.extend_from_slice(&src[end..]);
        v
    } else {
        src.to_vec()
    }
}

/// Stack levels between the message handler and the failed function: the
/// handler runs under `pcall` inside its Lua wrapper (see `call_traced`).
const HANDLER_LEVELS: usize = 3;

/// The position of the innermost Lua frame below the message handler.
fn position(lua: &Lua) -> String {
    position_from(lua, HANDLER_LEVELS)
}

/// The position of the innermost Lua frame from stack level `start` on:
/// "file:line: ".
fn position_from(lua: &Lua, start: usize) -> String {
    for level in start..start + 32 {
        let found = lua.inspect_stack(level, |d| {
            let src = d.source();
            match (src.what, d.current_line()) {
                ("C", _) | (_, None) => None,
                (_, Some(line)) => Some(format!("{}:{line}: ", src.short_src.as_deref().unwrap_or("?"))),
            }
        });
        match found {
            Some(Some(p)) => return p,
            Some(None) => continue,
            None => break,
        }
    }
    String::new()
}

/// The message and traceback for an uncaught error value.
fn traceback(lua: &Lua, err: &Value) -> String {
    let msg = match err {
        // error("x") already carries its position.
        Value::String(s) => s.to_string_lossy(),
        Value::Error(e) => format!("{}{}", position(lua), error::message(e)),
        // Like lua: an object that cannot say what it is gets named by its type.
        Value::Table(t) if !t.metatable().is_some_and(|m| m.contains_key("__tostring").unwrap_or(false)) => {
            format!("{}(error object is a table value)", position(lua))
        }
        other @ (Value::Table(_) | Value::UserData(_)) => match other.to_string() {
            Ok(s) => format!("{}{s}", position(lua)),
            Err(_) => format!("{}(error object is a {} value)", position(lua), other.type_name()),
        },
        // error(42): lua converts numbers to text (and error() adds no position)
        Value::Integer(i) => i.to_string(),
        Value::Number(n) => Value::Number(*n).to_string().unwrap_or_default(),
        other => format!("{}(error object is a {} value)", position(lua), other.type_name()),
    };
    match lua.traceback(Some(&msg), HANDLER_LEVELS) {
        // The last frame is the xpcall that runs the chunk: not the user's.
        Ok(t) => t.to_string_lossy().trim_end_matches("\n\t[C]: in function 'xpcall'").to_string(),
        Err(_) => msg,
    }
}
