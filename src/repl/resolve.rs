//! From names to what they are, without side effects: a path of names is read
//! with raw table reads (no metamethods, no calls); past a userdata value the
//! path goes on through the types the stubs declare (`l.master` is a Link).

use std::rc::Rc;

use mlua::{Lua, Value};

use crate::engine;
use crate::lua::MODULES;
use crate::stubs::{self, Func};

/// What a path names.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// A value read from the VM.
    Value(Value),
    /// A value of this class, known from the stubs only.
    Class(String),
}

/// The class of an nlua object ("Link"), if `v` is one.
pub fn class_of(v: &Value) -> Option<String> {
    match v {
        Value::UserData(_) => Some(crate::lua::opts::type_name(v)).filter(|n| n != "userdata"),
        _ => None,
    }
}

impl Resolved {
    /// The object class, if the path names an object.
    pub fn class(&self) -> Option<String> {
        match self {
            Resolved::Value(v) => class_of(v),
            Resolved::Class(c) => Some(c.clone()),
        }
    }
}

/// Read `a.b.c` without side effects.
pub fn path(lua: &Lua, names: &[String]) -> Option<Resolved> {
    let (first, rest) = names.split_first()?;
    let mut cur = Resolved::Value(lua.globals().raw_get::<Value>(first.as_str()).ok()?);
    for name in rest {
        cur = match &cur {
            Resolved::Value(Value::Table(t)) => Resolved::Value(t.raw_get::<Value>(name.as_str()).ok()?),
            other => {
                let class = other.class()?;
                let f = stubs::get().fields(&class).into_iter().find(|f| &f.name == name)?;
                Resolved::Class(stubs::get().object_class(&f.ty)?.to_string())
            }
        };
        if matches!(cur, Resolved::Value(Value::Nil)) {
            return None;
        }
    }
    Some(cur)
}

/// The module op `link_add` stands for on a Handle or Netns: ("link", "add").
pub fn handle_op(method: &str) -> Option<(&'static str, &'static str)> {
    MODULES.iter().find_map(|m| {
        let op = method.strip_prefix(m.name)?.strip_prefix('_')?;
        m.ops.iter().find(|o| o.name == op).map(|o| (m.name, o.name))
    })
}

/// A documented function, as a call path names it.
pub struct Target {
    pub func: Func,
    /// The name to show: `link.add`, `Link:set`, `Netns:link_add`.
    pub shown: String,
    /// Arguments before the documented ones (self, when a method is called with `.`).
    pub shift: usize,
    /// The object the method is called on.
    pub receiver: Option<Value>,
}

/// The documented function a call path names (`link.add`, `l:set`, `red:link_add`).
pub fn func(lua: &Lua, callee: &[String], colon: bool) -> Option<Target> {
    let s = stubs::get();
    let (member, prefix) = callee.split_last()?;
    if prefix.is_empty() {
        let f = s.func(member)?;
        return Some(Target { func: f.clone(), shown: member.clone(), shift: 0, receiver: None });
    }
    let owner = path(lua, prefix)?;
    let receiver = match &owner {
        Resolved::Value(v @ Value::UserData(_)) => Some(v.clone()),
        _ => None,
    };
    if let Some(class) = owner.class() {
        let shown = format!("{class}:{member}");
        let own = s.func(&shown).filter(|f| !f.is_bare());
        // Handle and Netns methods named <module>_<op> are the module's op.
        let op = || {
            matches!(class.as_str(), "Handle" | "Netns")
                .then(|| handle_op(member))
                .flatten()
                .and_then(|(m, o)| s.func(&format!("{m}.{o}")))
        };
        let f = own.or_else(op).or_else(|| s.func(&shown))?;
        return Some(Target { func: f.clone(), shown, shift: usize::from(!colon), receiver });
    }
    if colon {
        return None;
    }
    // A module function: the stubs know the module by its global name.
    let [module] = prefix else { return None };
    if !matches!(owner, Resolved::Value(Value::Table(_))) {
        return None;
    }
    let name = format!("{module}.{member}");
    let f = s.func(&name)?;
    Some(Target { func: f.clone(), shown: name, shift: 0, receiver: None })
}

/// The netlink handle a call acts through: its receiver's, else the current one.
pub fn handle_for_call(lua: &Lua, receiver: Option<&Value>) -> Option<Rc<engine::Handle>> {
    if let Some(Value::UserData(ud)) = receiver {
        if let Ok(l) = ud.borrow::<crate::lua::link::Link>() {
            return Some(l.h.clone());
        }
        if let Ok(h) = ud.borrow::<crate::lua::handle::Handle>() {
            return Some(h.0.clone());
        }
        if let Ok(n) = ud.borrow::<crate::lua::netns::Netns>() {
            return crate::runtime::handle_for(lua, n.info().ok()?).ok();
        }
    }
    crate::runtime::current_handle(lua).ok()
}
