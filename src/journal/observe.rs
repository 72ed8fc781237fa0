//! The journal as an engine observer: for each change, what to read before it
//! (the old state of something that existed) and which undo record to write
//! once it succeeded. Undo requests are built with each family's own message
//! builders, so replaying them needs no knowledge of the family.

use std::rc::Rc;

use nix::libc;

use super::record::{LinkKey, LinkOld, NsKey, Record};
use super::{Journal, trace};
use crate::engine::addr::{AddrFilter, AddrSpec, RTM_DELADDR, RTM_NEWADDR};
use crate::engine::change::{AddrVerb, Change, Observer};
use crate::engine::deferred::Prepared;
use crate::engine::message::{MsgBuilder, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE};
use crate::engine::neigh::{NeighFilter, NeighVerb};
use crate::engine::route::{RTM_DELROUTE, RTM_NEWROUTE};
use crate::engine::rule::{RTM_DELRULE, RTM_NEWRULE};
use crate::engine::neigh::{RTM_DELNEIGH, RTM_NEWNEIGH};
use crate::engine::route::{DstMatch, RouteFilter, RouteVerb};
use crate::engine::route_spec::RouteSpec;
use crate::engine::rule::RuleFilter;
use crate::engine::tc::{self, class::ClassSpec, filter::FilterSpec, qdisc::QdiscFilter, qdisc::QdiscSpec};
use crate::engine::{Handle, Link, NetnsTarget, NsInfo, Result};

/// What was read before a change, to restore it.
enum Before {
    Nothing,
    /// The link, its addresses (when it moves) and the routes through it
    /// (when it goes down, which takes them away).
    Link(Box<Link>, Vec<String>, Vec<RouteSpec>),
    Addr(Option<AddrSpec>),
    Routes(Vec<RouteSpec>),
    Rules(Vec<crate::engine::rule::Rule>),
    Neigh(Option<crate::engine::neigh::NeighSpec>),
    Qdisc(Option<tc::qdisc::Qdisc>),
    Class(Option<tc::class::Class>),
    Filter(Option<tc::filter::Filter>),
    /// The prios in use where a filter goes that the kernel gives one.
    Prios(Vec<u16>),
}

/// What a queued change records once it succeeded.
enum Later {
    Records(Vec<Record>),
    /// A link this run made was deleted: forget what was recorded about it.
    LinkDeleted(NsKey, u32),
}

fn msg(ns: &NsKey, m: MsgBuilder, text: String) -> Record {
    Record::Msg { ns: ns.clone(), ty: m.msg_type(), flags: m.flags(), payload: m.payload().to_vec(), text: Some(text) }
}

/// A request record whose text is derived from the request when printed
/// (addresses, routes, neighbours): no device is named now.
fn request(ns: &NsKey, m: MsgBuilder) -> Record {
    Record::Msg { ns: ns.clone(), ty: m.msg_type(), flags: m.flags(), payload: m.payload().to_vec(), text: None }
}

/// The namespace a link is sent to, as an identity the journal can keep.
fn target_ns(t: &NetnsTarget) -> Option<NsInfo> {
    match t {
        NetnsTarget::Ns(ns) => Some(ns.clone()),
        NetnsTarget::Fd(fd) => NsInfo::open_path(&format!("/proc/self/fd/{fd}"), None).ok(),
        NetnsTarget::Pid(p) => NsInfo::open_path(&format!("/proc/{p}/ns/net"), None).ok(),
    }
}

/// A handle in `ns`: `h` itself when it is that namespace.
fn handle_in(h: &Handle, ns: &NsInfo) -> Option<Rc<Handle>> {
    if h.ns() == ns {
        return None;
    }
    Handle::new_in(ns).ok().map(Rc::new)
}

fn lookup(h: &Handle, ns: Option<&NsInfo>, name: &str) -> Option<u32> {
    match ns.and_then(|n| handle_in(h, n)) {
        Some(other) => other.link_index(name).ok(),
        None => h.link_index(name).ok(),
    }
}

/// A link's addresses as "10.0.0.1/24", without the IPv6 link-local ones the
/// kernel makes itself.
fn addr_prefixes(h: &Handle, index: u32) -> Result<Vec<String>> {
    Ok(h.addr_list(&AddrFilter { index: Some(index), ..Default::default() })?
        .iter()
        .filter(|a| !(a.family == libc::AF_INET6 as u8 && a.scope == 253))
        .map(|a| a.prefix())
        .collect())
}

/// The routes through link `index` that someone made (not the kernel's own
/// for its addresses, nor the local table's), in every table.
fn own_routes(h: &Handle, index: u32) -> Result<Vec<RouteSpec>> {
    let f = RouteFilter { oif: Some(index), ..Default::default() };
    Ok(h.route_list(&f)?.iter().filter(|r| r.protocol != 2 && r.table != 255).map(RouteSpec::from_route).collect())
}

/// Requests that add `routes` back (an EEXIST on undo means it is back already).
fn readd_routes(ns: &NsKey, routes: &[RouteSpec]) -> Vec<Record> {
    routes.iter().map(|r| request(ns, r.message(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL))).collect()
}

fn dev_name(h: &Handle, index: u32) -> String {
    h.link_get(index).map(|l| l.name).unwrap_or_else(|_| format!("if{index}"))
}

impl Journal {
    fn key(&self, ns: &NsInfo) -> NsKey {
        NsKey::of(ns, self.initial)
    }

    /// Will undoing the run take away what `c` changes, whatever it is: it
    /// acts in a namespace the run made (deleted whole) or on a link the run
    /// made (deleted with what is on it)? Then nothing is read before it
    /// and no record is written. A link made or moved elsewhere is recorded,
    /// and so is renaming a link the run made (its deletion finds it by name).
    fn goes_anyway(&self, here: &NsKey, c: &Change<'_>) -> bool {
        let in_made_ns = self.made_ns(here);
        let on_made = |i: u32| self.made_link(here, i);
        match c {
            Change::LinkAdd(..) => false,
            Change::LinkSet(l, ch) => ch.netns.is_none() && (in_made_ns || (ch.name.is_none() && on_made(l.index))),
            Change::LinkDel { .. } => in_made_ns,
            Change::Addr(_, s) => in_made_ns || on_made(s.index),
            // A replace or change matches the route by destination, not by
            // device: through a made link it may overwrite a route that was
            // there before (a default route), which undo must put back.
            Change::Route(RouteVerb::Replace | RouteVerb::Change, _) => in_made_ns,
            Change::Route(_, s) => in_made_ns || (s.nexthops.is_empty() && s.oif.is_some_and(on_made)),
            Change::RouteDel(r) => in_made_ns || (r.nexthops.is_empty() && r.oif.is_some_and(on_made)),
            Change::Rule(..) | Change::RuleDel(_) => in_made_ns,
            Change::Neigh(_, s) => in_made_ns || on_made(s.ifindex),
            Change::Qdisc(_, s) => in_made_ns || on_made(s.ifindex),
            Change::Class(_, s) => in_made_ns || on_made(s.ifindex),
            Change::Filter(_, s) => in_made_ns || on_made(s.ifindex),
        }
    }

    fn before(&self, h: &Handle, c: &Change<'_>) -> Result<Before> {
        Ok(match c {
            Change::LinkSet(l, ch) => {
                // A move to another namespace takes the link down, out of its
                // master and drops its addresses: remember those too.
                let addrs = if ch.netns.is_some() { addr_prefixes(h, l.index)? } else { Vec::new() };
                let now = h.link_get(l.index)?;
                // Down takes the link's routes with it (IPv4 and IPv6 alike).
                let routes = if ch.up == Some(false) && now.is_up() { own_routes(h, l.index)? } else { Vec::new() };
                Before::Link(Box::new(now), addrs, routes)
            }
            // A link this run made goes with what is recorded about it.
            Change::LinkDel { index, .. } if self.made_link(&self.key(h.ns()), *index) => Before::Nothing,
            Change::LinkDel { index, .. } => Before::Link(Box::new(h.link_get(*index)?), addr_prefixes(h, *index)?, own_routes(h, *index)?),
            Change::Addr(AddrVerb::Add, _) => Before::Nothing,
            Change::Addr(_, s) => {
                let f = AddrFilter { index: Some(s.index), ..Default::default() };
                let old = h.addr_list(&f)?.into_iter().find(|a| a.addr() == Some(s.addr) && a.prefixlen == s.prefixlen);
                Before::Addr(old.as_ref().and_then(AddrSpec::from_addr))
            }
            Change::Route(RouteVerb::Replace | RouteVerb::Change | RouteVerb::Del, s) => {
                let f = RouteFilter {
                    family: s.family,
                    table: Some(s.table_or_default()),
                    dst: Some(DstMatch::Exact(s.dst)),
                    ..Default::default()
                };
                let olds = h.route_list(&f)?.into_iter().filter(|r| r.tos == s.tos && (s.metric.is_none() || r.metric == s.metric));
                Before::Routes(olds.map(|r| RouteSpec::from_route(&r)).collect())
            }
            Change::Rule(false, s) => Before::Rules(h.rule_list(&RuleFilter { family: s.family, ..Default::default() })?),
            Change::Neigh(NeighVerb::Replace | NeighVerb::Change | NeighVerb::Del, s) => {
                let f = NeighFilter { family: s.family, index: Some(s.ifindex), state: Some(u32::MAX), ..Default::default() };
                let old = h.neigh_list(&f)?.into_iter().find(|n| n.dst == s.dst && (s.dst.is_some() || n.lladdr == s.lladdr));
                // from_neigh leaves the lladdr out (a delete has none); a re-add needs it.
                Before::Neigh(old.as_ref().map(crate::engine::neigh::NeighSpec::restoring))
            }
            Change::Qdisc(tc::Verb::Replace | tc::Verb::Change | tc::Verb::Del, s) => {
                let f = QdiscFilter { ifindex: Some(s.ifindex), ..Default::default() };
                let old = h.qdisc_list(&f)?.into_iter().find(|q| (s.handle != 0 && q.handle == s.handle) || q.parent == s.parent);
                Before::Qdisc(old)
            }
            Change::Class(tc::Verb::Replace | tc::Verb::Change | tc::Verb::Del, s) => {
                Before::Class(h.class_list(s.ifindex, None)?.into_iter().find(|x| x.classid == s.classid))
            }
            // The kernel picks the prio: the new one is the one not in use now.
            Change::Filter(tc::Verb::Add | tc::Verb::Replace, s) if s.prio == 0 => {
                Before::Prios(h.filter_list(s.ifindex, Some(s.parent))?.iter().map(|f| f.prio).collect())
            }
            Change::Filter(tc::Verb::Replace | tc::Verb::Change | tc::Verb::Del, s) => Before::Filter(
                h.filter_list(s.ifindex, Some(s.parent))?.into_iter().find(|x| x.prio == s.prio && x.handle == s.handle && x.handle != 0),
            ),
            _ => Before::Nothing,
        })
    }

    /// The undo records of a change that succeeded, or, when what it
    /// replaced could not be read first, a note that it is not undone (a
    /// guess could undo it by deleting what existed before).
    fn recorded(&self, h: &Handle, c: &Change<'_>, before: Result<Before>, names: &dyn Fn(u32) -> String) -> Vec<Record> {
        match before {
            Ok(b) => self.after(h, c, b, names),
            Err(e) => vec![unread(&trace::command(h, &self.key(h.ns()), c, self.initial), &e)],
        }
    }

    /// The undo records of a change that succeeded.
    fn after(&self, h: &Handle, c: &Change<'_>, before: Before, names: &dyn Fn(u32) -> String) -> Vec<Record> {
        let here = self.key(h.ns());
        let ip = |words: String| format!("ip {}{words}", here.ip_prefix());
        let tcw = |words: String| format!("tc {}{words}", here.ip_prefix());
        match (c, before) {
            (Change::LinkAdd(s, made), _) => {
                // The kernel's echo of the creation names the new link and a
                // veth's peer; only without it are they looked up.
                let name = s.name.clone().unwrap_or_default();
                let target = s.netns.as_ref().and_then(target_ns);
                let ns = target.as_ref().map(|t| self.key(t)).unwrap_or_else(|| here.clone());
                let Some(index) = made.index().or_else(|| lookup(h, target.as_ref(), &name)) else {
                    return vec![Record::Note { text: format!("link {name} was created but could not be found to record it") }];
                };
                let peer = s.peer.as_ref().and_then(|p| {
                    let pname = p.name.clone()?;
                    let ptarget = p.netns.as_ref().and_then(target_ns);
                    let pns = ptarget.as_ref().map(|t| self.key(t)).unwrap_or_else(|| here.clone());
                    let pindex = made.peer_index.get().or_else(|| lookup(h, ptarget.as_ref(), &pname))?;
                    Some(LinkKey { ns: pns, index: pindex, name: pname })
                });
                vec![Record::LinkAdd { link: LinkKey { ns, index, name }, peer, kind: s.kind.clone() }]
            }
            (Change::LinkSet(_, ch), Before::Link(old, addrs, routes)) => {
                let moved = ch.netns.as_ref().and_then(target_ns);
                let name_now = ch.name.clone().unwrap_or_else(|| old.name.clone());
                let (ns_now, index_now) = match &moved {
                    Some(t) if t != h.ns() => (self.key(t), lookup(h, Some(t), &name_now).unwrap_or(0)),
                    _ => (here.clone(), old.index),
                };
                // A link this run made goes anyway; only a move or rename
                // must be undone for its deletion to find it.
                if self.made_link(&here, old.index) && moved.is_none() && ch.name.is_none() {
                    return Vec::new();
                }
                let mut o = LinkOld::default();
                if ch.name.is_some() {
                    o.name = Some(old.name.clone());
                }
                if ch.mtu.is_some() {
                    o.mtu = Some(old.mtu);
                }
                if ch.mac.is_some() {
                    o.mac = old.mac.as_deref().map(crate::units::format_mac);
                }
                if ch.master.is_some() {
                    o.master = Some(old.master.map(names));
                }
                if ch.up.is_some() {
                    o.up = Some(old.is_up());
                }
                if ch.txqlen.is_some() {
                    o.txqlen = Some(old.txqlen);
                }
                if ch.alias.is_some() {
                    o.alias = Some(old.alias.clone().unwrap_or_default());
                }
                if ch.promisc.is_some() {
                    o.promisc = Some(old.flags & crate::engine::link::IFF_PROMISC != 0);
                }
                if ch.allmulticast.is_some() {
                    o.allmulticast = Some(old.flags & crate::engine::link::IFF_ALLMULTI != 0);
                }
                if ch.arp.is_some() {
                    o.arp = Some(old.flags & crate::engine::link::IFF_NOARP == 0);
                }
                if ch.group.is_some() {
                    o.group = Some(old.group);
                }
                if moved.as_ref().is_some_and(|t| t != h.ns()) {
                    o.netns = Some(here.clone());
                    o.index = Some(old.index);
                    o.up = Some(old.is_up());
                    o.master = Some(old.master.map(names));
                    o.addrs = addrs;
                }
                // Undone newest first: the link comes back up, then its routes.
                let mut recs = readd_routes(&here, &routes);
                recs.push(Record::LinkRestore { now: LinkKey { ns: ns_now, index: index_now, name: name_now }, old: Box::new(o) });
                if !ch.options.is_empty() {
                    recs.push(Record::Note { text: format!("the {} options changed on {} are not restored", old.kind.as_deref().unwrap_or("link"), old.name) });
                }
                recs
            }
            (Change::LinkDel { index, .. }, _) if self.made_link(&here, *index) => {
                self.link_deleted(&here, *index);
                Vec::new()
            }
            (Change::LinkDel { .. }, Before::Link(old, addrs, routes)) => match trace::recreate_opts(h, &old) {
                Some(opts) => {
                    let text = ip(format!("link add {} type {}", old.name, old.kind.as_deref().unwrap_or("?")));
                    let mut recs = readd_routes(&here, &routes);
                    recs.push(Record::LinkRecreate { ns: here, opts, addrs, text });
                    recs
                }
                None => vec![Record::Note {
                    text: format!("link {} ({}) was deleted and cannot be recreated", old.name, old.kind.as_deref().unwrap_or("a device")),
                }],
            },
            (Change::Addr(AddrVerb::Add, s), _) => vec![request(&here, s.message(RTM_DELADDR, 0))],
            (Change::Addr(verb, s), Before::Addr(old)) => match (verb, old) {
                (_, Some(o)) => {
                    let flags = if *verb == AddrVerb::Del { NLM_F_CREATE | NLM_F_EXCL } else { NLM_F_CREATE | NLM_F_REPLACE };
                    vec![request(&here, o.message(RTM_NEWADDR, flags))]
                }
                (AddrVerb::Replace, None) => vec![request(&here, s.message(RTM_DELADDR, 0))],
                _ => Vec::new(),
            },
            (Change::Route(verb, s), before) => {
                let olds = match before {
                    Before::Routes(v) => v,
                    _ => Vec::new(),
                };
                match verb {
                    RouteVerb::Add | RouteVerb::Append | RouteVerb::Prepend => vec![request(&here, s.message(RTM_DELROUTE, 0))],
                    RouteVerb::Replace | RouteVerb::Change => match olds.into_iter().next() {
                        Some(o) => vec![request(&here, o.message(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE))],
                        None => vec![request(&here, s.message(RTM_DELROUTE, 0))],
                    },
                    RouteVerb::Del => olds.into_iter().take(1).map(|o| request(&here, o.message(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL))).collect(),
                }
            }
            (Change::RouteDel(r), _) => vec![request(&here, RouteSpec::from_route(r).message(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL))],
            (Change::Rule(true, s), _) => vec![msg(&here, s.message(RTM_DELRULE, 0), ip(s.op("del")))],
            (Change::Rule(false, s), Before::Rules(old)) => {
                match h.rule_list(&RuleFilter { family: s.family, ..Default::default() }) {
                    Ok(now) => old.iter().filter(|r| !now.contains(r)).take(1).map(|r| readd_rule(&here, r)).collect(),
                    Err(e) => vec![unread(&trace::command(h, &here, c, self.initial), &e)],
                }
            }
            (Change::RuleDel(r), _) => vec![readd_rule(&here, r)],
            (Change::Neigh(verb, s), before) => {
                let old = match before {
                    Before::Neigh(o) => o,
                    _ => None,
                };
                match (verb, old) {
                    (NeighVerb::Add | NeighVerb::Append, _) | (NeighVerb::Replace, None) => vec![request(&here, s.message(RTM_DELNEIGH, 0))],
                    (_, Some(o)) => vec![request(&here, o.message(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE))],
                    _ => Vec::new(),
                }
            }
            (Change::Qdisc(verb, s), before) => {
                let old = match before {
                    Before::Qdisc(o) => o,
                    _ => None,
                };
                match (verb, old) {
                    (tc::Verb::Add, _) | (tc::Verb::Replace, None) => vec![msg(&here, qdisc_del(s), tcw(s.words(h, tc::Verb::Del)))],
                    // The default qdisc comes back by deleting what replaced it.
                    (tc::Verb::Replace | tc::Verb::Change, Some(o)) if o.handle == 0 => {
                        vec![msg(&here, qdisc_del(s), tcw(s.words(h, tc::Verb::Del)))]
                    }
                    (_, Some(o)) => {
                        let v = if *verb == tc::Verb::Del { tc::Verb::Add } else { tc::Verb::Replace };
                        // Re-encoded from its options, as `qdisc.add(q.options)` does: a
                        // dump holds attributes an add refuses. Unknown kinds go raw.
                        let spec = QdiscSpec::from_opts(&o.to_opts(&names(o.ifindex), h), v, h).unwrap_or_else(|_| QdiscSpec::from_qdisc(&o));
                        vec![msg(&here, spec.message(v), tcw(spec.words(h, v)))]
                    }
                    _ => Vec::new(),
                }
            }
            (Change::Class(verb, s), before) => {
                let old = match before {
                    Before::Class(o) => o,
                    _ => None,
                };
                match (verb, old) {
                    (tc::Verb::Add, _) | (tc::Verb::Replace, None) => vec![msg(&here, s.message(tc::Verb::Del), tcw(s.words(h, tc::Verb::Del)))],
                    (_, Some(o)) => {
                        let v = if *verb == tc::Verb::Del { tc::Verb::Add } else { tc::Verb::Replace };
                        let spec = ClassSpec::from_opts(&o.to_opts(&names(o.ifindex), h), v, h).unwrap_or_else(|_| ClassSpec::from_class(&o));
                        vec![msg(&here, spec.message(v), tcw(spec.words(h, v)))]
                    }
                    _ => Vec::new(),
                }
            }
            (Change::Filter(verb, s), before) => {
                let (old, prios) = match before {
                    Before::Filter(o) => (o, Vec::new()),
                    Before::Prios(p) => (None, p),
                    _ => (None, Vec::new()),
                };
                match (verb, old) {
                    (tc::Verb::Add, _) | (tc::Verb::Replace, None) => {
                        // The kernel picks a filter's handle and prio when the
                        // request leaves them out (a new band, not always the
                        // highest): undo deletes the band that was not there
                        // before, as `tc filter del ... prio N` does.
                        let mut del = FilterSpec::clone(s);
                        if del.prio == 0 {
                            let now = h.filter_list(s.ifindex, Some(s.parent));
                            match now.as_ref().map(|now| now.iter().map(|f| f.prio).find(|p| !prios.contains(p))) {
                                Ok(Some(p)) => del.prio = p,
                                Ok(None) => return vec![Record::Note { text: format!("{}: the prio the kernel gave it was not found", trace::command(h, &here, c, self.initial)) }],
                                Err(e) => return vec![unread(&trace::command(h, &here, c, self.initial), e)],
                            }
                        }
                        vec![msg(&here, del.message(tc::Verb::Del), tcw(del.words(h, tc::Verb::Del)))]
                    }
                    (_, Some(o)) => {
                        let v = if *verb == tc::Verb::Del { tc::Verb::Add } else { tc::Verb::Replace };
                        let spec = FilterSpec::from_opts(&o.to_opts(&names(o.ifindex), h), v, h).unwrap_or_else(|_| FilterSpec::from_filter(&o));
                        vec![msg(&here, spec.message(v), tcw(spec.words(h, v)))]
                    }
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }
}

/// The note for a change whose old state could not be read.
fn unread(command: &str, e: &crate::engine::Error) -> Record {
    Record::Note { text: format!("{command}: what it changed could not be read first ({e})") }
}

fn qdisc_del(s: &QdiscSpec) -> MsgBuilder {
    s.message(tc::Verb::Del)
}

/// The request that adds a rule back (its listed attributes, as a NEWRULE).
fn readd_rule(ns: &NsKey, r: &crate::engine::rule::Rule) -> Record {
    let d = r.delete_message();
    Record::Msg {
        ns: ns.clone(),
        ty: RTM_NEWRULE,
        flags: NLM_F_CREATE | NLM_F_EXCL,
        payload: d.payload().to_vec(),
        // `ip rule` prints "500:\tfrom 1.2.3.0/24 lookup 7": the same words add it back.
        text: Some({
            let shown = crate::show::rule::rule_text(r, &crate::show::route::RtNames::load());
            let words = shown.split_once(":\t").map(|(_, w)| w).unwrap_or(&shown).trim_end();
            format!("ip {}rule add {words} priority {}", ns.ip_prefix(), r.priority)
        }),
    }
}

impl Observer for Journal {
    fn around(&self, h: &Handle, c: &Change<'_>, run: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        trace::print(self, h, c);
        if self.goes_anyway(&self.key(h.ns()), c) {
            return run();
        }
        // Reading the old state must never stop the change itself.
        let before = self.before(h, c);
        let r = run();
        if r.is_ok() {
            self.append_many(self.recorded(h, c, before, &|i| dev_name(h, i)));
        }
        r
    }

    /// A queued change (`nlua.batch`): the trace line and the old state now,
    /// in the order the changes were asked for; the records once it
    /// succeeded. A change whose records need what it leaves behind is sent
    /// at once.
    fn prepare(&self, h: &Handle, c: &Change<'_>) -> Option<Prepared> {
        let here = self.key(h.ns());
        let later = match c {
            Change::LinkAdd(..) | Change::Rule(false, _) | Change::Filter(..) => return None,
            Change::LinkSet(_, ch) if ch.netns.is_some() => return None,
            _ if self.goes_anyway(&here, c) => Later::Records(Vec::new()),
            // Deleting a link this run made forgets what was recorded about it.
            Change::LinkDel { index, .. } if self.made_link(&here, *index) => Later::LinkDeleted(here, *index),
            _ => {
                let before = self.before(h, c);
                Later::Records(self.recorded(h, c, before, &|i| dev_name(h, i)))
            }
        };
        trace::print(self, h, c);
        Some(Box::new(later))
    }

    fn commit(&self, p: Prepared) {
        self.commit_many(vec![p]);
    }

    /// In order, the records of many in one write.
    fn commit_many(&self, ps: Vec<Prepared>) {
        let mut recs = Vec::new();
        for p in ps {
            match p.downcast::<Later>().map(|b| *b) {
                Ok(Later::Records(r)) => recs.extend(r),
                Ok(Later::LinkDeleted(ns, index)) => {
                    self.append_many(std::mem::take(&mut recs));
                    self.link_deleted(&ns, index);
                }
                Err(_) => {}
            }
        }
        self.append_many(recs);
    }

    /// Additions need nothing read before them and record their undo from
    /// the request alone; only a trace names devices (through the handle).
    fn sees_additions_late(&self) -> bool {
        self.trace == super::Trace::Off
    }

    fn around_many(&self, h: &Handle, cs: &[Change<'_>], run: &mut dyn FnMut() -> Vec<Result<()>>) -> Vec<Result<()>> {
        for c in cs {
            trace::print(self, h, c);
        }
        let here = self.key(h.ns());
        let skip: Vec<bool> = cs.iter().map(|c| self.goes_anyway(&here, c)).collect();
        // Adds need nothing read before; anything else may replace what existed.
        let befores: Vec<Result<Before>> = cs
            .iter()
            .zip(&skip)
            .map(|(c, skip)| match c {
                _ if *skip => Ok(Before::Nothing),
                Change::Route(RouteVerb::Add | RouteVerb::Append | RouteVerb::Prepend, _) => Ok(Before::Nothing),
                c => self.before(h, c),
            })
            .collect();
        let rs = run();
        // At most one dump of the names for the whole batch (request records
        // name nothing), and one write of its records.
        let names: std::cell::OnceCell<std::collections::HashMap<u32, String>> = std::cell::OnceCell::new();
        let name = |i: u32| {
            let names = names.get_or_init(|| h.link_list(&Default::default()).unwrap_or_default().into_iter().map(|l| (l.index, l.name)).collect());
            names.get(&i).cloned().unwrap_or_else(|| format!("if{i}"))
        };
        let mut recs = Vec::new();
        for (((c, r), before), skip) in cs.iter().zip(&rs).zip(befores).zip(skip) {
            if r.is_ok() && !skip {
                recs.extend(self.recorded(h, c, before, &name));
            }
        }
        self.append_many(recs);
        rs
    }
}
