//! `nlua.monitor` and the `Monitor` userdata: events as tables
//! `{action=, kind=, object=, netns=}` whose `object` is the userdata a list
//! returns, bound to the namespace the event came from.

use std::rc::Rc;
use std::time::{Duration, Instant};

use mlua::{AnyUserData, Function, Lua, MetaMethod, MultiValue, Table, UserData, UserDataFields, UserDataMethods, Value};

use super::addr::Addr;
use super::args::{describe, seconds};
use super::class::Class;
use super::error::{input, raise};
use super::filter::Filter;
use super::link::Link;
use super::neigh::Neigh;
use super::netns::{Netns, netns_arg};
use super::qdisc::Qdisc;
use super::route::{Ctx, Route};
use super::rule::Rule;
use crate::engine::monitor::{Event, Family, MONITOR_RCVBUF, MonitorOpts, Object};
use crate::engine::{self, NsInfo};
use crate::runtime::{current_handle, handle_for};
use crate::show::route::RtNames;

const FUNC: &str = "nlua.monitor";

/// What `nlua.monitor{...}` asked for.
struct MonitorArgs {
    families: Vec<Family>,
    namespaces: Vec<NsInfo>,
    timeout: Option<Duration>,
    rcvbuf: usize,
    callback: Option<Function>,
}

fn family_list() -> String {
    Family::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
}

fn rcvbuf_arg(v: &Value) -> mlua::Result<usize> {
    let what = "bytes (an integer or a size like \"4mb\")";
    let n = match v {
        Value::Integer(i) if *i > 0 => *i as u64,
        Value::String(s) => {
            let s = s.to_str().map_err(|_| input(FUNC, format!("field 'rcvbuf': expected {what}")))?;
            crate::units::parse_size(&s).map_err(|e| input(FUNC, format!("field 'rcvbuf': expected {e}")))? as u64
        }
        _ => return Err(input(FUNC, format!("field 'rcvbuf': expected {what}, got {}", describe(v)))),
    };
    // The kernel doubles the value into an int.
    if n == 0 || n > (i32::MAX / 2) as u64 {
        return Err(input(FUNC, format!("field 'rcvbuf': expected {what} between 1 and 1gb, got {}", describe(v))));
    }
    Ok(n as usize)
}

fn parse_args(lua: &Lua, t: Option<&Table>) -> mlua::Result<MonitorArgs> {
    let mut a = MonitorArgs { families: Vec::new(), namespaces: Vec::new(), timeout: None, rcvbuf: MONITOR_RCVBUF, callback: None };
    let mut items: Vec<(i64, Value)> = Vec::new();
    if let Some(t) = t {
        for pair in t.pairs::<Value, Value>() {
            let (k, v) = pair?;
            match &k {
                Value::Integer(i) => items.push((*i, v)),
                Value::String(s) => match &*s.to_str()? {
                    "netns" => match &v {
                        Value::Table(list) => {
                            for (i, x) in list.sequence_values::<Value>().enumerate() {
                                if let Some(ns) = netns_arg(FUNC, &format!("field 'netns[{}]'", i + 1), &x?)? {
                                    a.namespaces.push(ns);
                                }
                            }
                            if a.namespaces.is_empty() {
                                return Err(input(FUNC, "field 'netns': expected Netns, namespace name or a list of them, got an empty table"));
                            }
                        }
                        _ => a.namespaces.extend(netns_arg(FUNC, "field 'netns'", &v)?),
                    },
                    "timeout" => a.timeout = seconds(FUNC, "field 'timeout'", &v)?,
                    "rcvbuf" => a.rcvbuf = rcvbuf_arg(&v)?,
                    other => return Err(input(FUNC, engine::schema::unknown_option(other, ["netns", "timeout", "rcvbuf"]))),
                },
                other => return Err(input(FUNC, format!("expected family names, a callback and named options, got a {} key", other.type_name()))),
            }
        }
    }
    items.sort_by_key(|(i, _)| *i);
    for (i, v) in items {
        match v {
            Value::String(s) => {
                let name = s.to_string_lossy();
                let f = Family::from_name(&name).ok_or_else(|| {
                    let hint = engine::schema::did_you_mean(&name, Family::ALL.iter().map(|f| f.name()))
                        .map(|s| format!(" (did you mean \"{s}\"?)"))
                        .unwrap_or_default();
                    input(FUNC, format!("family #{i}: unknown family {name:?}{hint}; expected one of {}", family_list()))
                })?;
                if !a.families.contains(&f) {
                    a.families.push(f);
                }
            }
            Value::Function(f) if a.callback.is_none() => a.callback = Some(f),
            Value::Function(_) => return Err(input(FUNC, format!("item #{i}: only one callback function is allowed"))),
            other => {
                return Err(input(FUNC, format!("item #{i}: expected a family name ({}) or a callback function, got {}", family_list(), describe(&other))));
            }
        }
    }
    if a.families.is_empty() {
        a.families = Family::ALL.to_vec();
    }
    if a.namespaces.is_empty() {
        a.namespaces.push(current_handle(lua)?.ns().clone());
    }
    Ok(a)
}

/// Per-namespace state of a monitor: the handle objects are bound to and the
/// printing context routes and neighbours share (rebuilt when links change).
struct Source {
    h: Option<Rc<engine::Handle>>,
    ctx: Option<(u64, Rc<Ctx>)>,
}

/// A running monitor: an iterator of events until closed or its time is up.
pub struct Monitor {
    inner: Option<engine::Monitor>,
    deadline: Option<Instant>,
    sources: Vec<Source>,
    names: Rc<RtNames>,
    families: Vec<Family>,
}

impl Monitor {
    fn open(a: &MonitorArgs) -> mlua::Result<Monitor> {
        let opts = MonitorOpts { families: a.families.clone(), namespaces: a.namespaces.clone(), rcvbuf: a.rcvbuf };
        let inner = engine::Monitor::open(&opts).map_err(|e| raise(e.with_op(FUNC)))?;
        Ok(Monitor {
            sources: (0..inner.len()).map(|_| Source { h: None, ctx: None }).collect(),
            inner: Some(inner),
            deadline: a.timeout.map(|t| Instant::now() + t),
            names: Rc::new(RtNames::load()),
            families: a.families.clone(),
        })
    }

    /// The next event as a table, or nil when closed or the time is up.
    /// `timeout` bounds this call (within the monitor's own deadline).
    fn next_event(&mut self, lua: &Lua, timeout: Option<Duration>) -> mlua::Result<Value> {
        let Some(inner) = self.inner.as_mut() else { return Ok(Value::Nil) };
        let left = self.deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let wait = match (left, timeout) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match inner.next(wait).map_err(raise)? {
            None => Ok(Value::Nil),
            Some(ev) => self.event_table(lua, ev).map(Value::Table),
        }
    }

    fn handle(&mut self, lua: &Lua, i: usize) -> mlua::Result<Rc<engine::Handle>> {
        if let Some(h) = &self.sources[i].h {
            return Ok(h.clone());
        }
        let ns = self.inner.as_ref().expect("open while handing out events").ns(i).clone();
        let h = handle_for(lua, &ns)?;
        self.sources[i].h = Some(h.clone());
        Ok(h)
    }

    fn ctx(&mut self, i: usize, h: &Rc<engine::Handle>) -> Rc<Ctx> {
        let inner = self.inner.as_ref().expect("open while handing out events");
        let generation = inner.links_generation(i);
        match &self.sources[i].ctx {
            Some((g, c)) if *g == generation => c.clone(),
            _ => {
                let c = Ctx::with(h, inner.links(i).to_vec(), (*self.names).clone());
                self.sources[i].ctx = Some((generation, c.clone()));
                c
            }
        }
    }

    fn dev(&self, i: usize, index: u32) -> String {
        let inner = self.inner.as_ref().expect("open while handing out events");
        inner.links(i).iter().find(|l| l.index == index).map(|l| l.name.clone()).unwrap_or_else(|| index.to_string())
    }

    fn event_table(&mut self, lua: &Lua, ev: Event) -> mlua::Result<Table> {
        let i = ev.source();
        let t = lua.create_table()?;
        let ns = self.inner.as_ref().expect("open while handing out events").ns(i).clone();
        t.set("netns", Netns::new(lua, ns))?;
        let Event::Object { action, object, .. } = ev else {
            t.set("action", "overrun")?;
            return Ok(t);
        };
        t.set("action", action.name())?;
        t.set("kind", object.family().name())?;
        let h = self.handle(lua, i)?;
        let ud = match object {
            Object::Link(l) => lua.create_userdata(Link::new(&h, l))?,
            Object::Addr(a) => lua.create_userdata(Addr { dev: self.dev(i, a.index), h, a })?,
            Object::Route(r) => lua.create_userdata(Route::new(r, self.ctx(i, &h)))?,
            Object::Rule(r) => lua.create_userdata(Rule { h, r, names: self.names.clone() })?,
            Object::Neigh(n) => lua.create_userdata(Neigh { ctx: self.ctx(i, &h), h, n })?,
            Object::Qdisc(q) => lua.create_userdata(Qdisc { dev: self.dev(i, q.ifindex), h, q })?,
            Object::Class(c) => lua.create_userdata(Class { dev: self.dev(i, c.ifindex), h, c })?,
            Object::Filter(x) => lua.create_userdata(Filter { dev: self.dev(i, x.ifindex), h, x })?,
        };
        t.set("object", ud)?;
        Ok(t)
    }

    fn close(&mut self) {
        self.inner = None;
        self.sources.clear();
    }
}

/// `nlua.monitor{"link", "addr", netns=, timeout=, rcvbuf=}` returns the
/// monitor (an iterator, closed when a generic `for` ends); with a function
/// among the items it calls it with each event until it returns false and
/// returns that event (nil when the time is up).
pub fn monitor(lua: &Lua, t: Value) -> mlua::Result<MultiValue> {
    crate::runtime::send_batch(lua); // events follow what was asked for before
    let t = match t {
        Value::Nil => None,
        Value::Table(t) => Some(t),
        other => {
            return Err(input(FUNC, format!("argument #1: expected a table like {{\"link\", \"addr\", netns=, timeout=}}, got {}", describe(&other))));
        }
    };
    let a = parse_args(lua, t.as_ref())?;
    let mut m = Monitor::open(&a)?;
    let Some(f) = a.callback else {
        let ud = lua.create_userdata(m)?;
        // iterator, state, control, closing value: `for ev in nlua.monitor{}`
        // closes the monitor when the loop ends, by break or error too.
        return Ok(MultiValue::from_iter([Value::UserData(ud.clone()), Value::Nil, Value::Nil, Value::UserData(ud)]));
    };
    loop {
        let ev = m.next_event(lua, None)?;
        if ev.is_nil() {
            return Ok(MultiValue::from_iter([Value::Nil]));
        }
        if let Value::Boolean(false) = f.call::<Value>(ev.clone())? {
            m.close();
            return Ok(MultiValue::from_iter([ev]));
        }
    }
}

impl UserData for Monitor {
    fn add_fields<F: UserDataFields<Self>>(f: &mut F) {
        f.add_field_method_get("families", |_, s| Ok(s.families.iter().map(|f| f.name()).collect::<Vec<_>>()));
        f.add_field_method_get("closed", |_, s| Ok(s.inner.is_none()));
        f.add_field_method_get("netns", |lua, s| {
            let Some(m) = &s.inner else { return Ok(None) };
            Ok(Some((0..m.len()).map(|i| Netns::new(lua, m.ns(i).clone())).collect::<Vec<_>>()))
        });
        f.add_field_method_get("overruns", |_, s| Ok(s.inner.as_ref().map(|m| (0..m.len()).map(|i| m.overruns(i)).sum::<u64>()).unwrap_or(0)));
        f.add_field_method_get("rcvbuf", |_, s| match &s.inner {
            Some(m) => m.rcvbuf().map(Some).map_err(raise),
            None => Ok(None),
        });
    }

    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method_mut("next", |lua, s, timeout: Value| {
            super::guard("Monitor.next", || {
                let t = seconds("Monitor.next", "argument #1", &timeout)?;
                s.next_event(lua, t)
            })
        });
        m.add_method_mut("close", |_, s, ()| {
            s.close();
            Ok(())
        });
        // The generic `for` calls the monitor with (state, control): ignored.
        m.add_meta_method_mut(MetaMethod::Call, |lua, s, _: MultiValue| super::guard("Monitor", || s.next_event(lua, None)));
        m.add_meta_method_mut(MetaMethod::Close, |_, s, _: MultiValue| {
            s.close();
            Ok(())
        });
        m.add_meta_method(MetaMethod::ToString, |_, s, ()| {
            let fams = s.families.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ");
            Ok(match &s.inner {
                None => format!("Monitor({fams}; closed)"),
                Some(m) => {
                    let where_ = (0..m.len()).map(|i| m.ns(i).label()).collect::<Vec<_>>().join(", ");
                    format!("Monitor({fams}; netns {where_})")
                }
            })
        });
        m.add_meta_function(MetaMethod::Eq, |_, (a, b): (AnyUserData, AnyUserData)| Ok(a == b));
    }
}
