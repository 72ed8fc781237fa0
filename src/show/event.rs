//! Events as `ip monitor` prints them (`tc monitor` for qdiscs, classes and
//! filters) and as JSON lines: `{"action":"new","kind":"link","object":{...}}`
//! with the object as `ip -j` reports it.

use super::route::RtNames;
use super::{Json, Names, addr, dev_name, link, neigh, route, rule, tc, tc_filter};
use crate::engine::message::{NLM_F_CREATE, NLM_F_EXCL};
use crate::engine::monitor::{Action, Family, Object};
use crate::engine::{Handle, Link};

/// Names for printing an event: the links as the monitor last saw them (so a
/// link that is already gone still has its name), namespaces through a handle.
pub struct EventNames<'a> {
    /// The links, for names.
    pub links: &'a [Link],
    /// The handle events are read through.
    pub handle: &'a Handle,
}

impl Names for EventNames<'_> {
    fn link_name(&self, index: u32) -> Option<String> {
        super::LinkTable(self.links).link_name(index)
    }
    fn link_up(&self, index: u32) -> Option<bool> {
        super::LinkTable(self.links).link_up(index)
    }
    fn netns_name(&self, nsid: i32) -> Option<String> {
        self.handle.netns_name(nsid)
    }
}

/// The `[LINK]` label `ip monitor all` puts before each event.
pub fn label(f: Family) -> &'static str {
    match f {
        Family::Link => "[LINK]",
        Family::Addr => "[ADDR]",
        Family::Route => "[ROUTE]",
        Family::Rule => "[RULE]",
        Family::Neigh => "[NEIGH]",
        Family::Qdisc => "[QDISC]",
        Family::Class => "[CLASS]",
        Family::Filter => "[FILTER]",
    }
}

/// The event as `ip monitor` / `tc monitor` prints it. `flags` are the
/// notification's NLM_F_* (tc tells added from replaced filters by them).
pub fn event_text(action: Action, o: &Object, flags: u16, n: &dyn Names, rt: &RtNames) -> String {
    let del = action == Action::Del;
    let deleted = if del { "Deleted " } else { "" };
    match o {
        Object::Link(l) => {
            // ip monitor prints a link as `ip addr` does, without the queue
            // length (ip's filter.showqueue is off in monitor mode).
            let text = link::link_text(l, n, false).replacen(&format!("qlen {}\n", l.txqlen), "\n", 1);
            format!("{deleted}{text}")
        }
        Object::Addr(a) => format!("{deleted}{}: {}{}", a.index, dev_name(n, a.index), addr::addr_text(a)),
        Object::Route(r) => format!("{deleted}{}", route::route_text(r, n, rt)),
        Object::Rule(r) => format!("{deleted}{}", rule::rule_text(r, rt)),
        Object::Neigh(x) => format!("{deleted}{}", neigh::neigh_text(x, n, rt)),
        Object::Qdisc(q) => format!("{}{}", if del { "deleted " } else { "" }, tc::qdisc_text(q, n, false)),
        Object::Class(c) => format!("{}{}", if del { "deleted " } else { "" }, tc::class_text(c, n, false)),
        Object::Filter(x) => {
            let verb = match (del, flags & NLM_F_CREATE != 0, flags & NLM_F_EXCL != 0) {
                (true, _, _) => "deleted ",
                (false, true, true) => "added ",
                (false, true, false) => "replaced ",
                (false, false, _) => "",
            };
            format!("{verb}{}", tc_filter::filter_text(x, n, false))
        }
    }
}

/// The object as `ip -j` / `tc -j` reports it (an address with its device).
pub fn object_json(o: &Object, n: &dyn Names, rt: &RtNames) -> Json {
    match o {
        Object::Link(l) => link::link_json(l, n),
        Object::Addr(a) => {
            let mut j = addr::addr_json(a);
            j.set("ifindex", a.index).set("dev", dev_name(n, a.index));
            j
        }
        Object::Route(r) => route::route_json(r, n, rt),
        Object::Rule(r) => rule::rule_json(r, rt),
        Object::Neigh(x) => neigh::neigh_json(x, n, rt),
        Object::Qdisc(q) => tc::qdisc_json(q, n),
        Object::Class(c) => tc::class_json(c, n),
        Object::Filter(x) => tc_filter::filter_json(x, n),
    }
}

/// One JSON line: `{"action":"new","kind":"route","object":{...}}`.
pub fn event_json(action: Action, o: &Object, n: &dyn Names, rt: &RtNames) -> Json {
    let mut j = Json::obj();
    j.set("action", action.name()).set("kind", o.family().name()).set("object", object_json(o, n, rt));
    j
}
