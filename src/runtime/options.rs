//! Adding nlua to a Lua state: the options a [`Builder`](super::Builder)
//! and [`register`] share, and the namespace a runtime is bound to.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use mlua::Lua;

use super::State;
use crate::engine::{self, NsInfo};
use crate::journal::Journal;
use crate::lua::error;

/// A network namespace to bind a runtime to: an open one, or a name under
/// `/run/netns` (as `ip netns` names them).
#[derive(Clone, Debug)]
pub enum NsRef {
    /// A namespace already open (`nlua::netns::open`, a monitor's `ns(i)`...).
    Info(NsInfo),
    /// A named namespace, opened when the runtime is built.
    Name(String),
}

impl NsRef {
    /// Open it.
    pub fn open(&self) -> engine::Result<NsInfo> {
        match self {
            NsRef::Info(ns) => Ok(ns.clone()),
            NsRef::Name(name) => crate::netns::open(name),
        }
    }
}

impl From<NsInfo> for NsRef {
    fn from(ns: NsInfo) -> NsRef {
        NsRef::Info(ns)
    }
}

impl From<&NsInfo> for NsRef {
    fn from(ns: &NsInfo) -> NsRef {
        NsRef::Info(ns.clone())
    }
}

impl From<&str> for NsRef {
    fn from(name: &str) -> NsRef {
        NsRef::Name(name.to_string())
    }
}

impl From<String> for NsRef {
    fn from(name: String) -> NsRef {
        NsRef::Name(name)
    }
}

/// What [`register`] adds to a Lua state. `Options::default()` is every
/// module, writable, acting in the caller's namespace, commands allowed.
#[derive(Clone)]
pub struct Options {
    modules: Option<Vec<String>>,
    read_only: bool,
    netns: Option<NsRef>,
    /// A handle given ready-made ([`Builder::handle`](super::Builder::handle)).
    handle: Option<Rc<engine::Handle>>,
    pub(super) commands: bool,
    journal: Option<Arc<Journal>>,
}

impl Default for Options {
    fn default() -> Options {
        Options { modules: None, read_only: false, netns: None, handle: None, commands: true, journal: None }
    }
}

impl Options {
    /// Register only these modules (`nlua` is always there).
    pub fn modules<I: IntoIterator<Item = S>, S: Into<String>>(mut self, m: I) -> Options {
        self.modules = Some(m.into_iter().map(Into::into).collect());
        self
    }

    /// Refuse every call that would change the system, with an error naming
    /// the call (`link.add: refused: this runtime is read-only`).
    pub fn read_only(mut self, yes: bool) -> Options {
        self.read_only = yes;
        self
    }

    /// Make module functions act in this namespace (an [`NsInfo`] or a name).
    pub fn netns(mut self, ns: impl Into<NsRef>) -> Options {
        self.handle = None;
        self.netns = Some(ns.into());
        self
    }

    /// Allow (the default) or refuse commands: `Netns:exec`, `Netns:spawn`
    /// and `netns.enter`.
    pub fn commands(mut self, yes: bool) -> Options {
        self.commands = yes;
        self
    }

    /// Keep a journal of every change.
    pub fn journal(mut self, j: Arc<Journal>) -> Options {
        self.journal = Some(j);
        self
    }

    /// Act through this handle (in its namespace).
    pub fn handle(mut self, h: engine::Handle) -> Options {
        self.netns = None;
        self.handle = Some(Rc::new(h));
        self
    }
}

/// Add nlua's modules (`link`, `addr`, ..., `nlua`) to a Lua state the host
/// already has, as globals, with error values that have fields and the
/// embedded `nlua.*` library in `package.preload` (when the state has
/// `package`). The runtime's state lives in the Lua's app data; a state can be
/// registered once.
///
/// ```no_run
/// let lua = mlua::Lua::new();
/// nlua::register(&lua, nlua::Options::default().read_only(true))?;
/// let n: i64 = lua.load("return #link.list()").eval()?;
/// # Ok::<(), mlua::Error>(())
/// ```
pub fn register(lua: &Lua, opts: Options) -> mlua::Result<()> {
    if lua.app_data_ref::<State>().is_some() {
        return Err(mlua::Error::runtime("nlua::register: this Lua state already has nlua's modules"));
    }
    let bound = match (&opts.netns, &opts.handle) {
        (_, Some(h)) => Some((h.ns().clone(), h.clone())),
        (Some(r), None) => {
            let ns = r.open().map_err(|e| error::raise(e.with_op("nlua::register: netns")))?;
            let h = engine::Handle::new_in(&ns).map_err(|e| error::raise(e.with_op(format!("nlua::register: netns {}", ns.label()))))?;
            Some((ns, Rc::new(h)))
        }
        (None, None) => None,
    };
    lua.set_app_data(State {
        read_only: opts.read_only,
        commands: opts.commands,
        handle: RefCell::new(bound.as_ref().map(|(_, h)| h.clone())),
        handles: RefCell::new(Default::default()),
        namespaces: RefCell::new(Default::default()),
        processes: RefCell::new(Vec::new()),
        journal: opts.journal.clone(),
        defers: RefCell::new(Vec::new()),
        batch: RefCell::new(None),
    });
    if let Some((ns, h)) = &bound {
        super::adopt(lua, h);
        super::note_namespace(lua, ns);
    }
    error::install(lua)?;
    crate::lua::register(lua, opts.modules.as_deref())?;
    super::install_library(lua)
}
