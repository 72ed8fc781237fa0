//! `Link` userdata and the `link` module.

use std::rc::Rc;

use mlua::{AnyUserData, IntoLuaMulti, Lua, MetaMethod, MultiValue, Table, UserData, UserDataFields, UserDataMethods, Value};

use super::args::Args;
use super::error::{input, raise};
use super::opts::{opt_to_lua, table_to_map};
use super::netns::netns_arg;
use super::{Module, Op, check_writable, guard};
use crate::engine::tc::Verb;
use crate::engine::{self, LinkChange, LinkFilter, LinkSpec, NetnsTarget, NsInfo};
use crate::runtime::handle_for;
use crate::show;

/// How current a Link's attributes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// As last read.
    Fresh,
    /// Changed through this object since the last read: read again when a
    /// field is read (a script that changes and moves on pays no read).
    Stale,
    /// Never read: only the index and name are known (a veth peer the
    /// kernel named in its echo of the creation).
    Unread,
}

/// A link: the handle (namespace) it lives in, its index, and the attributes
/// of the last read. Operations go through the engine by index.
pub struct Link {
    /// The handle (namespace) it was read through.
    pub h: Rc<engine::Handle>,
    /// The engine's link.
    pub l: engine::Link,
    /// Whether `l` is current (see [`Read`]).
    pub read: Read,
}

impl Link {
    /// Wrap an engine link read through `h`.
    pub fn new(h: &Rc<engine::Handle>, l: engine::Link) -> Link {
        Link { h: h.clone(), l, read: Read::Fresh }
    }

    /// A link known by index and name only; read on first use.
    pub fn unread(h: &Rc<engine::Handle>, index: u32, name: &str) -> Link {
        let l = engine::Link { index, name: name.to_string(), ..Default::default() };
        Link { h: h.clone(), l, read: Read::Unread }
    }

    /// Read the link again by index; a link that is gone gives a clear error.
    pub fn refresh(&mut self) -> mlua::Result<()> {
        self.l = self.h.link_get(self.l.index).map_err(|e| {
            let who = format!("Link(ifindex {} {})", self.l.index, self.l.name);
            raise(e.with_op(who))
        })?;
        self.read = Read::Fresh;
        Ok(())
    }

    /// Make the attributes current before they are read. A link that changed
    /// and is gone now keeps its last attributes (as before the change); one
    /// never read has none to show, so that is an error.
    pub fn ensure_read(&mut self) -> mlua::Result<()> {
        match self.read {
            Read::Fresh => Ok(()),
            Read::Stale => {
                if self.refresh().is_err() {
                    self.read = Read::Fresh;
                }
                Ok(())
            }
            Read::Unread => self.refresh(),
        }
    }

    /// Apply a change; the attributes are read again when next used. A link
    /// moved to another namespace (`target`) is re-bound to that namespace's
    /// handle and found there by name.
    pub fn apply(&mut self, lua: &Lua, func: &str, c: &LinkChange, target: Option<&NsInfo>) -> mlua::Result<()> {
        check_writable(lua, func)?;
        self.h.link_set(&self.l, c).map_err(raise)?;
        match target {
            Some(ns) if ns != self.h.ns() => {
                let h = handle_for(lua, ns)?;
                let name = c.name.clone().unwrap_or_else(|| self.l.name.clone());
                self.l = h.link_get(name.as_str()).map_err(raise)?;
                self.h = h;
                self.read = Read::Fresh;
                Ok(())
            }
            _ => {
                if let Some(n) = &c.name {
                    self.l.name = n.clone();
                }
                if self.read == Read::Fresh {
                    self.read = Read::Stale;
                }
                Ok(())
            }
        }
    }

    fn related(&self, lua: &Lua, index: Option<u32>) -> mlua::Result<Value> {
        match index {
            Some(i) if i != 0 => match self.h.link_get(i) {
                Ok(l) => lua.create_userdata(Link::new(&self.h, l)).map(Value::UserData),
                Err(_) => Ok(Value::Nil),
            },
            _ => Ok(Value::Nil),
        }
    }
}

/// A link argument: a name, an index or a Link (which brings its own handle).
pub fn link_arg(h: &Rc<engine::Handle>, args: &Args, i: usize) -> mlua::Result<(Rc<engine::Handle>, engine::Link)> {
    match args.get(i) {
        Value::UserData(ud) => match ud.borrow::<Link>() {
            Ok(l) => Ok((l.h.clone(), l.l.clone())),
            Err(_) => Err(args.bad(i, "link name, index or Link")),
        },
        Value::String(s) => {
            let name = s.to_str().map_err(|_| args.bad(i, "link name, index or Link"))?.to_string();
            Ok((h.clone(), h.link_get(name.as_str()).map_err(raise)?))
        }
        Value::Integer(n) if *n > 0 && *n <= u32::MAX as i64 => Ok((h.clone(), h.link_get(*n as u32).map_err(raise)?)),
        _ => Err(args.bad(i, "link name, index or Link")),
    }
}

/// A copy of an option table without its `netns` key, and that namespace.
/// Namespaces are objects, not options, so they are taken out before the
/// table becomes an option tree.
fn split_netns(lua: &Lua, func: &str, t: &Table, path: &str) -> mlua::Result<(Table, Option<NsInfo>)> {
    let copy = lua.create_table()?;
    let mut ns = None;
    for pair in t.pairs::<Value, Value>() {
        let (k, v) = pair?;
        if matches!(&k, Value::String(s) if s == "netns") {
            ns = netns_arg(func, &format!("field '{path}netns'"), &v)?;
        } else {
            copy.raw_set(k, v)?;
        }
    }
    Ok((copy, ns))
}

fn links_table(lua: &Lua, h: &Rc<engine::Handle>, links: Vec<engine::Link>) -> mlua::Result<Table> {
    let t = lua.create_table_with_capacity(links.len(), 0)?;
    for (i, l) in links.into_iter().enumerate() {
        t.raw_set(i + 1, Link::new(h, l))?;
    }
    Ok(t)
}

fn list(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("link.list", args);
    let mut f = LinkFilter::default();
    if let Some(t) = a.opt_table(0)? {
        let map = table_to_map(&t, "").map_err(|e| input(a.func, e))?;
        let mut r = engine::schema::Fields::new(&map, "");
        f.kind = r.str("kind").map_err(|e| input(a.func, e))?;
        f.master = r.ifindex("master", &**h).map_err(|e| input(a.func, e))?;
        f.up = r.bool("up").map_err(|e| input(a.func, e))?;
        r.finish([]).map_err(|e| input(a.func, e))?;
    }
    let links = h.link_list(&f).map_err(raise)?;
    links_table(lua, h, links)?.into_lua_multi(lua)
}

fn get(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("link.get", args);
    let (h, l) = link_arg(h, &a, 0)?;
    let mut link = Link::new(&h, l);
    if let Value::UserData(_) = a.get(0) {
        // A Link is read again: its copy may predate a change, or be a
        // peer's placeholder that was never read.
        link.refresh()?;
    }
    link.into_lua_multi(lua)
}

fn add(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("link.add", args);
    let (t, target) = split_netns(lua, a.func, &a.table(0)?, "")?;
    let mut peer_target = None;
    if let Value::Table(p) = t.get::<Value>("peer")? {
        let (p2, pns) = split_netns(lua, a.func, &p, "peer.")?;
        t.set("peer", p2)?;
        peer_target = pns;
    }
    let map = table_to_map(&t, "").map_err(|e| input(a.func, e))?;
    let mut spec = LinkSpec::from_opts(&map, &**h).map_err(|e| input(a.func, e))?;
    // The descriptors stay open (target/peer_target) until the request is done.
    spec.netns = target.clone().map(NetnsTarget::Ns);
    if let (Some(p), Some(ns)) = (spec.peer.as_mut(), &peer_target) {
        p.netns = Some(NetnsTarget::Ns(ns.clone()));
    }
    let made = h.link_create(&spec).map_err(raise)?;
    // Each end is looked up in the namespace it was born in, never by name
    // here; the kernel's echo of the creation (when there is one) already
    // holds the new link and names a veth peer's ifindex.
    let main_h = match &target {
        Some(ns) => handle_for(lua, ns)?,
        None => h.clone(),
    };
    let name = spec.name.as_deref().unwrap_or_default();
    let main = match made.link.take() {
        Some(l) => l,
        None => main_h.link_get(name).map_err(raise)?,
    };
    let mut out = vec![Value::UserData(lua.create_userdata(Link::new(&main_h, main))?)];
    if let Some(p) = &spec.peer {
        let peer_h = match &peer_target {
            Some(ns) => handle_for(lua, ns)?,
            None => h.clone(),
        };
        let pname = p.name.as_deref().unwrap_or_default();
        // A peer cannot be set up in the request that creates it in another
        // namespace (ENOTCONN), so it is brought up afterwards.
        let mut peer = match made.peer_index.get() {
            Some(i) => Link::unread(&peer_h, i, pname),
            None => Link::new(&peer_h, peer_h.link_get(pname).map_err(raise)?),
        };
        if p.up {
            peer.apply(lua, a.func, &LinkChange { up: Some(true), ..Default::default() }, None)?;
        }
        out.push(Value::UserData(lua.create_userdata(peer)?));
    }
    Ok(MultiValue::from_iter(out))
}

fn del(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("link.del", args);
    let (h, l) = link_arg(h, &a, 0)?;
    h.link_del(&l).map_err(raise)?;
    ().into_lua_multi(lua)
}

fn set(lua: &Lua, h: &Rc<engine::Handle>, args: MultiValue) -> mlua::Result<MultiValue> {
    let a = Args::new("link.set", args);
    if let Value::UserData(ud) = a.get(0)
        && let Ok(mut l) = ud.borrow_mut::<Link>()
        && l.read == Read::Unread
    {
        let _ = l.refresh(); // kind options are read by the link's kind
    }
    let (h, l) = link_arg(h, &a, 0)?;
    let mut link = Link::new(&h, l);
    let t = a.table(1)?;
    let (change, target) = change_from_table(lua, &link, "link.set", &t)?;
    link.apply(lua, a.func, &change, target.as_ref())?;
    link.into_lua_multi(lua)
}

fn change_from_table(lua: &Lua, link: &Link, func: &str, t: &Table) -> mlua::Result<(LinkChange, Option<NsInfo>)> {
    let (t, target) = split_netns(lua, func, t, "")?;
    let map = table_to_map(&t, "").map_err(|e| input(func, e))?;
    let mut c = LinkChange::from_opts(&map, link.l.kind.as_deref(), &*link.h).map_err(|e| input(func, e))?;
    c.netns = target.clone().map(NetnsTarget::Ns);
    Ok((c, target))
}

/// The `link` module.
pub static MODULE: Module = Module {
    name: "link",
    ops: &[
        Op { name: "list", f: list, mutates: false },
        Op { name: "get", f: get, mutates: false },
        Op { name: "add", f: add, mutates: true },
        Op { name: "del", f: del, mutates: true },
        Op { name: "set", f: set, mutates: true },
        Op { name: "wait", f: super::wait::link_wait, mutates: false },
    ],
    extra: None,
};

fn stats_table(lua: &Lua, l: &engine::Link) -> mlua::Result<Table> {
    let stats = l.stats();
    // Sized once: 25 keys added one by one would rehash the table six times.
    let t = lua.create_table_with_capacity(0, stats.len())?;
    for (k, v) in stats {
        t.raw_set(k, v as i64)?;
    }
    Ok(t)
}

/// `f` of the link's current attributes: a link changed through this object
/// since its last read is read again first (see [`Read`]). Guarded: a panic
/// becomes a Lua error naming `what`.
fn read<R>(what: &str, ud: &AnyUserData, f: impl FnOnce(&Link) -> mlua::Result<R>) -> mlua::Result<R> {
    guard(what, || {
        ud.borrow_mut::<Link>()?.ensure_read()?;
        f(&*ud.borrow::<Link>()?)
    })
}

/// A field read from the link's current attributes (see [`read`]).
fn field<F: UserDataFields<Link>, R: mlua::IntoLua>(
    f: &mut F,
    name: &'static str,
    get: impl Fn(&Lua, &Link) -> mlua::Result<R> + 'static,
) {
    f.add_field_function_get(name, move |lua, ud: AnyUserData| read(&format!("Link.{name}"), &ud, |s| get(lua, s)));
}

impl UserData for Link {
    fn add_fields<F: UserDataFields<Self>>(f: &mut F) {
        f.add_field_method_get("name", |_, s| Ok(s.l.name.clone()));
        f.add_field_method_get("index", |_, s| Ok(s.l.index));
        field(f, "kind", |_, s| Ok(s.l.kind.clone()));
        field(f, "slave_kind", |_, s| Ok(s.l.slave_kind.clone()));
        field(f, "mtu", |_, s| Ok(s.l.mtu));
        field(f, "min_mtu", |_, s| Ok(s.l.min_mtu));
        field(f, "max_mtu", |_, s| Ok(s.l.max_mtu));
        field(f, "mac", |_, s| Ok(s.l.mac.as_deref().map(crate::units::format_mac)));
        field(f, "broadcast", |_, s| Ok(s.l.broadcast.as_deref().map(crate::units::format_mac)));
        field(f, "type", |_, s| Ok(show::link::ll_type_name(s.l.link_type)));
        field(f, "flags", |_, s| Ok(s.l.flag_names()));
        // `l:up()` is the method, so the state is `is_up` (DESIGN's `l.up` field
        // would shadow it).
        field(f, "is_up", |_, s| Ok(s.l.is_up()));
        field(f, "carrier", |_, s| Ok(s.l.flags & engine::link::IFF_LOWER_UP != 0));
        field(f, "operstate", |_, s| Ok(s.l.operstate_name()));
        field(f, "promiscuity", |_, s| Ok(s.l.promiscuity));
        field(f, "promisc", |_, s| Ok(s.l.promiscuity > 0));
        field(f, "allmulti", |_, s| Ok(s.l.allmulti));
        field(f, "txqlen", |_, s| Ok(s.l.txqlen));
        field(f, "qdisc", |_, s| Ok(s.l.qdisc.clone()));
        field(f, "group", |_, s| Ok(s.l.group));
        field(f, "alias", |_, s| Ok(s.l.alias.clone()));
        field(f, "altnames", |_, s| Ok(s.l.altnames.clone()));
        field(f, "link_netnsid", |_, s| Ok(s.l.link_netnsid));
        field(f, "stats", |lua, s| stats_table(lua, &s.l));
        field(f, "master", |lua, s| s.related(lua, s.l.master));
        // The veth peer or the parent of a vlan/macvlan, in whichever namespace
        // it lives (IFLA_LINK_NETNSID names that namespace).
        field(f, "peer", |lua, s| match (s.l.link_netnsid, s.l.link) {
            (None, index) => s.related(lua, index),
            (Some(_), None | Some(0)) => Ok(Value::Nil),
            (Some(id), Some(index)) => {
                let known = crate::runtime::known_namespaces(lua);
                let Some(ns) = s.h.ns_by_nsid(id, &known) else { return Ok(Value::Nil) };
                let h = handle_for(lua, ns)?;
                match h.link_get(index) {
                    Ok(l) => lua.create_userdata(Link::new(&h, l)).map(Value::UserData),
                    Err(_) => Ok(Value::Nil),
                }
            }
        });
        f.add_field_method_get("netns", |lua, s| Ok(super::netns::Netns::new(lua, s.h.ns().clone())));
        field(f, "data", |lua, s| match s.l.kind_data() {
            Some(d) => opt_to_lua(lua, &d.to_opt()),
            None => Ok(Value::Nil),
        });
        field(f, "slave", |lua, s| match s.l.slave_data() {
            Some(d) => opt_to_lua(lua, &d.to_opt()),
            None => Ok(Value::Nil),
        });
        f.add_field_method_get("handle", |_, s| Ok(super::handle::Handle(s.h.clone())));
    }

    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_function("up", |lua, ud: AnyUserData| {
            guard("Link.up", || {
                ud.borrow_mut::<Link>()?.apply(lua, "Link.up", &LinkChange { up: Some(true), ..Default::default() }, None)?;
                Ok(ud)
            })
        });
        m.add_function("down", |lua, ud: AnyUserData| {
            guard("Link.down", || {
                ud.borrow_mut::<Link>()?.apply(lua, "Link.down", &LinkChange { up: Some(false), ..Default::default() }, None)?;
                Ok(ud)
            })
        });
        m.add_function("set", |lua, (ud, t): (AnyUserData, Value)| {
            guard("Link.set", || {
                let Value::Table(t) = t else {
                    return Err(input("Link.set", format!("argument #1: expected table, got {}", super::args::describe(&t))));
                };
                let mut l = ud.borrow_mut::<Link>()?;
                if l.read == Read::Unread {
                    // Kind options are read by the link's kind; a link that
                    // cannot be read fails below with the change's own error.
                    let _ = l.refresh();
                }
                let (c, target) = change_from_table(lua, &l, "Link.set", &t)?;
                l.apply(lua, "Link.set", &c, target.as_ref())?;
                drop(l);
                Ok(ud)
            })
        });
        m.add_method("del", |lua, s, ()| {
            guard("Link.del", || {
                check_writable(lua, "Link.del")?;
                s.h.link_del(&s.l).map_err(raise)
            })
        });
        m.add_function("refresh", |_, ud: AnyUserData| {
            guard("Link.refresh", || {
                ud.borrow_mut::<Link>()?.refresh()?;
                Ok(ud)
            })
        });
        m.add_method("addrs", |lua, s, opts: Option<Table>| {
            guard("Link.addrs", || super::addr::list_for(lua, &s.h, Some(&s.l), opts, "Link.addrs"))
        });
        m.add_method("routes", |lua, s, opts: Option<Table>| {
            guard("Link.routes", || super::route::list_for(lua, &s.h, Some(&s.l), opts, "Link.routes"))
        });
        m.add_method("neighs", |lua, s, opts: Option<Table>| {
            guard("Link.neighs", || super::neigh::list_for(lua, &s.h, Some(&s.l), opts, "Link.neighs"))
        });
        m.add_method("addr_add", |lua, s, (addr, opts): (Value, Option<Table>)| {
            guard("Link.addr_add", || super::addr::modify_for(lua, s, addr, 1, opts, super::addr::Verb::Add))
        });
        m.add_method("addr_replace", |lua, s, (addr, opts): (Value, Option<Table>)| {
            guard("Link.addr_replace", || super::addr::modify_for(lua, s, addr, 1, opts, super::addr::Verb::Replace))
        });
        m.add_method("addr_del", |lua, s, addr: Value| {
            guard("Link.addr_del", || super::addr::modify_for(lua, s, addr, 1, None, super::addr::Verb::Del))
        });
        m.add_method("addr_flush", |lua, s, opts: Option<Table>| {
            guard("Link.addr_flush", || super::addr::flush_for(lua, &s.h, &s.l, opts, "Link.addr_flush"))
        });
        m.add_method("qdiscs", |lua, s, opts: Option<Table>| {
            guard("Link.qdiscs", || super::qdisc::list_for(lua, &s.h, Some(s.l.index), opts, "Link.qdiscs"))
        });
        m.add_method("qdisc_add", |lua, s, t: Table| guard("Link.qdisc_add", || super::qdisc::link_modify(lua, s, t, Verb::Add)));
        m.add_method("qdisc_replace", |lua, s, t: Table| guard("Link.qdisc_replace", || super::qdisc::link_modify(lua, s, t, Verb::Replace)));
        m.add_method("classes", |lua, s, a: MultiValue| {
            guard("Link.classes", || super::class::list_for(lua, &s.h, Some(s), &super::args::Args::new("Link.classes", a), 0))
        });
        m.add_method("class_add", |lua, s, t: Table| guard("Link.class_add", || super::class::link_modify(lua, s, t, Verb::Add)));
        m.add_method("filters", |lua, s, a: MultiValue| {
            guard("Link.filters", || super::filter::list_for(lua, &s.h, Some(s), &super::args::Args::new("Link.filters", a), 0))
        });
        m.add_method("filter_add", |lua, s, t: Table| guard("Link.filter_add", || super::filter::link_modify(lua, s, t, Verb::Add)));
        // `l:show()` is the `ip link show` block; `l:show{addrs=true}` the `ip addr show` block;
        // `l:show{brief=true}` the `ip -br link` line.
        m.add_function("show", |_, (ud, opts): (AnyUserData, Option<Table>)| {
            read("Link.show", &ud, |s| {
                let [addrs, brief] = super::args::flags("Link.show", opts.as_ref(), ["addrs", "brief"])?;
                if brief {
                    return Ok(show::link::link_brief(&s.l, &*s.h));
                }
                if !addrs {
                    return Ok(show::link::link_text(&s.l, &*s.h, true));
                }
                let mut out = show::link::link_text(&s.l, &*s.h, false);
                let f = engine::AddrFilter { index: Some(s.l.index), ..Default::default() };
                for a in s.h.addr_list(&f).map_err(raise)? {
                    out.push('\n');
                    out.push_str(&show::addr::addr_text(&a));
                }
                Ok(out)
            })
        });
        m.add_function("json", |_, ud: AnyUserData| read("Link.json", &ud, |s| Ok(show::link::link_json(&s.l, &*s.h).to_string_compact())));
        m.add_meta_function("__json", |_, ud: AnyUserData| read("Link.json", &ud, |s| Ok(show::link::link_json(&s.l, &*s.h).to_string_compact())));
        m.add_meta_function(MetaMethod::ToString, |_, ud: AnyUserData| read("Link.tostring", &ud, |s| Ok(show::link::link_text(&s.l, &*s.h, true))));
        m.add_meta_method(MetaMethod::Eq, |_, s, o: AnyUserData| {
            Ok(o.borrow::<Link>().is_ok_and(|o| o.l.index == s.l.index && o.h.ns() == s.h.ns()))
        });
    }
}

#[cfg(test)]
mod tests {
    /// `link.get(l)` reads `l` again: a copy changed through the object since
    /// (stale), and a veth peer known only by its index and name (unread),
    /// come back with the kernel's current attributes.
    #[test]
    fn get_of_a_link_reads_it_again() {
        std::thread::spawn(|| {
            nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET).expect("unshare(CLONE_NEWNET): tests need root");
            let rt = crate::Runtime::new().unwrap();
            let got: (u32, String, u32) = rt
                .lua()
                .load("local a, b = link.add{name = 'v0', kind = 'veth', peer = {name = 'v1'}} a:set{mtu = 1400}
                       return link.get(b).mtu, link.get(b).kind, link.get(a).mtu")
                .eval()
                .unwrap();
            assert_eq!(got, (1500, "veth".to_string(), 1400));
        })
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
    }
}
