//! Events: NETLINK_ROUTE sockets joined to the rtnetlink multicast groups of
//! one or more namespaces, each notification decoded with the family parsers
//! into the same typed objects a list returns.
//!
//! Nothing is lost silently: NETLINK_NO_ENOBUFS stays off, so when a receive
//! queue overflows the kernel makes the next read fail with ENOBUFS and the
//! monitor reports [`Event::Overrun`] for that namespace — the caller then
//! knows to resync with a list. The receive buffer is large by default
//! ([`MONITOR_RCVBUF`]) and set with SO_RCVBUFFORCE when privileged.
//!
//! ```no_run
//! use nlua::engine::monitor::{Event, Family, Monitor, MonitorOpts};
//! let mut m = Monitor::open(&MonitorOpts::new(&[Family::Link, Family::Addr]))?;
//! while let Some(ev) = m.next(Some(std::time::Duration::from_secs(5)))? {
//!     if let Event::Object { action, object, .. } = ev {
//!         println!("{} {}", action.name(), object.family().name());
//!     }
//! }
//! # Ok::<(), nlua::engine::Error>(())
//! ```

use std::collections::VecDeque;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::libc;

use super::addr::{Addr, RTM_DELADDR, RTM_NEWADDR};
use super::error::{Error, Result};
use super::handle::Handle;
use super::link::{Link, RTM_DELLINK, RTM_NEWLINK};
use super::message::{self, NLM_F_REPLACE};
use super::neigh::{Neigh, RTM_DELNEIGH, RTM_NEWNEIGH};
use super::ns::NsInfo;
use super::route::{RTM_DELROUTE, RTM_NEWROUTE, Route};
use super::rule::{RTM_DELRULE, RTM_NEWRULE, Rule};
use super::socket::NlSocket;
use super::tc::{self, Class, Filter, Qdisc};

/// rtnetlink multicast groups (enum rtnetlink_groups in linux/rtnetlink.h).
pub const RTNLGRP_LINK: u32 = 1;
/// `RTNLGRP_NEIGH`: rtnetlink multicast group (`<linux/rtnetlink.h>`).
pub const RTNLGRP_NEIGH: u32 = 3;
/// `RTNLGRP_TC`: rtnetlink multicast group (`<linux/rtnetlink.h>`).
pub const RTNLGRP_TC: u32 = 4;
/// `RTNLGRP_IPV4_IFADDR`: rtnetlink multicast group (`<linux/rtnetlink.h>`).
pub const RTNLGRP_IPV4_IFADDR: u32 = 5;
/// `RTNLGRP_IPV4_ROUTE`: rtnetlink multicast group (`<linux/rtnetlink.h>`).
pub const RTNLGRP_IPV4_ROUTE: u32 = 7;
/// `RTNLGRP_IPV4_RULE`: rtnetlink multicast group (`<linux/rtnetlink.h>`).
pub const RTNLGRP_IPV4_RULE: u32 = 8;
/// `RTNLGRP_IPV6_IFADDR`: rtnetlink multicast group (`<linux/rtnetlink.h>`).
pub const RTNLGRP_IPV6_IFADDR: u32 = 9;
/// `RTNLGRP_IPV6_ROUTE`: rtnetlink multicast group (`<linux/rtnetlink.h>`).
pub const RTNLGRP_IPV6_ROUTE: u32 = 11;
/// `RTNLGRP_IPV6_RULE`: rtnetlink multicast group (`<linux/rtnetlink.h>`).
pub const RTNLGRP_IPV6_RULE: u32 = 19;

/// Default receive buffer of a monitor socket (the kernel doubles it): room
/// for tens of thousands of notifications queued while the caller is busy.
pub const MONITOR_RCVBUF: usize = 32 << 20;

/// ifi_change of an RTM_NEWLINK for a link that just appeared (registered or
/// moved into this namespace): the kernel reports every flag as changed.
const IFI_CHANGE_ALL: u32 = u32::MAX;

/// Datagrams read from one socket before handing events out.
const READ_BURST: usize = 256;

/// What a monitor watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// Links (RTM_*LINK).
    Link,
    /// Addresses (RTM_*ADDR).
    Addr,
    /// Routes (RTM_*ROUTE).
    Route,
    /// Policy routing rules (RTM_*RULE).
    Rule,
    /// Neighbours and FDB entries (RTM_*NEIGH).
    Neigh,
    /// Qdiscs (RTM_*QDISC).
    Qdisc,
    /// Classes (RTM_*TCLASS).
    Class,
    /// Filters (RTM_*TFILTER).
    Filter,
}

impl Family {
    /// Every family, in the order `nlua --monitor` lists them.
    pub const ALL: &'static [Family] =
        &[Family::Link, Family::Addr, Family::Route, Family::Rule, Family::Neigh, Family::Qdisc, Family::Class, Family::Filter];

    /// The word scripts use: "link", "addr", ...
    pub fn name(self) -> &'static str {
        match self {
            Family::Link => "link",
            Family::Addr => "addr",
            Family::Route => "route",
            Family::Rule => "rule",
            Family::Neigh => "neigh",
            Family::Qdisc => "qdisc",
            Family::Class => "class",
            Family::Filter => "filter",
        }
    }

    /// The family a word names (ip's longer words too: "address", "neighbor").
    pub fn from_name(s: &str) -> Option<Family> {
        Some(match s {
            "link" => Family::Link,
            "addr" | "address" => Family::Addr,
            "route" => Family::Route,
            "rule" => Family::Rule,
            "neigh" | "neighbor" | "neighbour" => Family::Neigh,
            "qdisc" => Family::Qdisc,
            "class" => Family::Class,
            "filter" => Family::Filter,
            _ => return None,
        })
    }

    /// The multicast groups carrying this family's notifications.
    pub fn groups(self) -> &'static [u32] {
        match self {
            Family::Link => &[RTNLGRP_LINK],
            Family::Addr => &[RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR],
            Family::Route => &[RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE],
            Family::Rule => &[RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE],
            Family::Neigh => &[RTNLGRP_NEIGH],
            Family::Qdisc | Family::Class | Family::Filter => &[RTNLGRP_TC],
        }
    }
}

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A new object (or, for families that do not tell a change apart, a changed one).
    New,
    /// An existing object changed. Told for links (ifi_change) and routes
    /// (NLM_F_REPLACE); the kernel does not tell it for the other families,
    /// whose changes arrive as `New`.
    Change,
    /// An object deleted.
    Del,
}

impl Action {
    /// "new", "change" or "del".
    pub fn name(self) -> &'static str {
        match self {
            Action::New => "new",
            Action::Change => "change",
            Action::Del => "del",
        }
    }
}

/// A decoded notification: the same typed object a list returns.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    /// A link.
    Link(Link),
    /// An address.
    Addr(Addr),
    /// A route.
    Route(Route),
    /// A rule.
    Rule(Rule),
    /// A neighbour or FDB entry.
    Neigh(Neigh),
    /// A qdisc.
    Qdisc(Qdisc),
    /// A class.
    Class(Class),
    /// A filter.
    Filter(Filter),
}

impl Object {
    /// The family this object belongs to.
    pub fn family(&self) -> Family {
        match self {
            Object::Link(_) => Family::Link,
            Object::Addr(_) => Family::Addr,
            Object::Route(_) => Family::Route,
            Object::Rule(_) => Family::Rule,
            Object::Neigh(_) => Family::Neigh,
            Object::Qdisc(_) => Family::Qdisc,
            Object::Class(_) => Family::Class,
            Object::Filter(_) => Family::Filter,
        }
    }
}

/// What a monitor reports. `source` indexes the namespaces it was opened on.
// Nearly every event is an Object; boxing it would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// An object changed.
    Object {
        /// Index of the namespace it came from ([`Monitor::ns`]).
        source: usize,
        /// What happened.
        action: Action,
        /// The object, as a list returns it.
        object: Object,
        /// The notification's header flags (NLM_F_*): tc monitor prints
        /// "added"/"replaced" filters from them.
        flags: u16,
    },
    /// The kernel dropped notifications for namespace `source` (its queue was
    /// full): what a caller knows is stale until it lists again.
    Overrun {
        /// Index of the namespace whose events were lost.
        source: usize,
    },
}

impl Event {
    /// The namespace (index into the monitor's) the event came from.
    pub fn source(&self) -> usize {
        match self {
            Event::Object { source, .. } | Event::Overrun { source } => *source,
        }
    }
}

/// Decode one notification: (action, object), or None for message types and
/// objects a monitor does not report (cloned routes, as `ip monitor` skips them).
pub fn decode(m: &message::Msg<'_>) -> Option<(Action, Object)> {
    let p = m.payload;
    let new_or = |del: bool| if del { Action::Del } else { Action::New };
    Some(match m.ty {
        RTM_NEWLINK | RTM_DELLINK => {
            let action = match m.ty {
                RTM_DELLINK => Action::Del,
                _ if super::ne_u32(p, 12) == IFI_CHANGE_ALL => Action::New,
                _ => Action::Change,
            };
            (action, Object::Link(Link::parse(p).ok()?))
        }
        RTM_NEWADDR | RTM_DELADDR => (new_or(m.ty == RTM_DELADDR), Object::Addr(Addr::parse(p).ok()?)),
        RTM_NEWROUTE | RTM_DELROUTE => {
            let r = Route::parse(p).ok()?;
            if r.is_cloned() {
                return None;
            }
            let action = match m.ty {
                RTM_DELROUTE => Action::Del,
                _ if m.flags & NLM_F_REPLACE != 0 => Action::Change,
                _ => Action::New,
            };
            (action, Object::Route(r))
        }
        RTM_NEWRULE | RTM_DELRULE => (new_or(m.ty == RTM_DELRULE), Object::Rule(Rule::parse(p).ok()?)),
        RTM_NEWNEIGH | RTM_DELNEIGH => (new_or(m.ty == RTM_DELNEIGH), Object::Neigh(Neigh::parse(p).ok()?)),
        tc::RTM_NEWQDISC | tc::RTM_DELQDISC => (new_or(m.ty == tc::RTM_DELQDISC), Object::Qdisc(Qdisc::parse(p).ok()?)),
        tc::RTM_NEWTCLASS | tc::RTM_DELTCLASS => (new_or(m.ty == tc::RTM_DELTCLASS), Object::Class(Class::parse(p).ok()?)),
        tc::RTM_NEWTFILTER | tc::RTM_DELTFILTER => (new_or(m.ty == tc::RTM_DELTFILTER), Object::Filter(Filter::parse(p).ok()?)),
        _ => return None,
    })
}

/// When a wait of `timeout` ends; None (no deadline) for no timeout, or one
/// so long that no Instant can hold its end.
pub(crate) fn deadline_after(timeout: Option<Duration>) -> Option<Instant> {
    timeout.and_then(|t| Instant::now().checked_add(t))
}

/// What to watch, where, with how much buffer.
#[derive(Debug, Clone)]
pub struct MonitorOpts {
    /// Families to watch.
    pub families: Vec<Family>,
    /// Namespaces to watch; empty means the calling thread's.
    pub namespaces: Vec<NsInfo>,
    /// Receive buffer per socket, in bytes (the kernel doubles it).
    pub rcvbuf: usize,
}

impl MonitorOpts {
    /// Watch `families` in the calling thread's namespace.
    pub fn new(families: &[Family]) -> MonitorOpts {
        MonitorOpts { families: families.to_vec(), namespaces: Vec::new(), rcvbuf: MONITOR_RCVBUF }
    }
}

/// One watched namespace.
struct Source {
    sock: NlSocket,
    /// A request socket in the same namespace: reads the link table.
    handle: Handle,
    /// The links as the notifications so far describe them (names for
    /// printing, and for objects whose link is already gone).
    links: Vec<Link>,
    /// Bumped whenever `links` changes.
    links_gen: u64,
    overruns: u64,
}

/// A decoded notification waiting to be handed out.
struct Pending {
    source: usize,
    /// None: the kernel dropped notifications here (ENOBUFS).
    event: Option<(Action, Object, u16)>,
}

/// Watches rtnetlink notifications in one or more namespaces.
pub struct Monitor {
    sources: Vec<Source>,
    families: Vec<Family>,
    queue: VecDeque<Pending>,
    buf: Vec<u8>,
}

fn open_sockets(families: &[Family], rcvbuf: usize) -> Result<(NlSocket, NlSocket)> {
    let sock = NlSocket::open()?;
    sock.set_rcvbuf(rcvbuf)?;
    sock.set_no_enobufs(false)?;
    sock.set_nonblocking()?;
    // Links are always joined: the monitor keeps each namespace's link table
    // current from them, for names.
    let mut groups = vec![RTNLGRP_LINK];
    for f in families {
        groups.extend_from_slice(f.groups());
    }
    groups.sort_unstable();
    groups.dedup();
    for g in groups {
        sock.join_group(g)?;
    }
    Ok((sock, NlSocket::open()?))
}

impl Monitor {
    /// Subscribe, then read each namespace's links. Subscribing first means
    /// nothing that happens after `open` returns can be missed.
    pub fn open(opts: &MonitorOpts) -> Result<Monitor> {
        if opts.families.is_empty() {
            return Err(Error::input("monitor", "no family to watch"));
        }
        let here = NsInfo::current()?;
        let namespaces = if opts.namespaces.is_empty() { vec![here.clone()] } else { opts.namespaces.clone() };
        let mut sources = Vec::with_capacity(namespaces.len());
        for ns in namespaces {
            let (fams, rcvbuf) = (opts.families.clone(), opts.rcvbuf);
            let (sock, req) = if ns == here {
                open_sockets(&fams, rcvbuf)?
            } else {
                ns.run_on_thread(move || open_sockets(&fams, rcvbuf))?
            };
            let handle = Handle::from_socket(req, ns);
            let links = handle.link_list(&Default::default())?;
            sources.push(Source { sock, handle, links, links_gen: 0, overruns: 0 });
        }
        Ok(Monitor { sources, families: opts.families.clone(), queue: VecDeque::new(), buf: Vec::new() })
    }

    /// How many namespaces it watches.
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    /// True when it watches nothing (never, once open).
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Namespace `source`.
    pub fn ns(&self, source: usize) -> &NsInfo {
        self.sources[source].handle.ns()
    }

    /// A request handle in namespace `source` (to resync after an overrun).
    pub fn handle(&self, source: usize) -> &Handle {
        &self.sources[source].handle
    }

    /// The links of namespace `source` as of the last event handed out.
    pub fn links(&self, source: usize) -> &[Link] {
        &self.sources[source].links
    }

    /// Changes whenever [`Monitor::links`] of `source` does.
    pub fn links_generation(&self, source: usize) -> u64 {
        self.sources[source].links_gen
    }

    /// Overruns reported so far for namespace `source`.
    pub fn overruns(&self, source: usize) -> u64 {
        self.sources[source].overruns
    }

    /// The receive buffer the kernel gave each socket, in bytes.
    pub fn rcvbuf(&self) -> Result<usize> {
        self.sources[0].sock.rcvbuf()
    }

    /// The next event, waiting up to `timeout` (None: forever). Ok(None) when
    /// the time is up.
    pub fn next(&mut self, timeout: Option<Duration>) -> Result<Option<Event>> {
        let deadline = deadline_after(timeout);
        loop {
            while let Some(p) = self.queue.pop_front() {
                if let Some(ev) = self.hand_out(p)? {
                    return Ok(Some(ev));
                }
            }
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if !self.wait_readable(left)? {
                return Ok(None);
            }
            self.read_ready()?;
        }
    }

    /// Apply a pending notification to the link table; the event, when it is
    /// one the caller asked for.
    fn hand_out(&mut self, p: Pending) -> Result<Option<Event>> {
        let Pending { source, event } = p;
        let Some((action, object, flags)) = event else {
            let s = &mut self.sources[source];
            s.overruns += 1;
            // Link notifications may be among the lost: read the table again.
            s.links = s.handle.link_list(&Default::default())?;
            s.links_gen += 1;
            return Ok(Some(Event::Overrun { source }));
        };
        if let Object::Link(l) = &object {
            let s = &mut self.sources[source];
            s.links.retain(|x| x.index != l.index);
            if action != Action::Del {
                s.links.push(l.clone());
            }
            s.links_gen += 1;
        }
        Ok(self.families.contains(&object.family()).then_some(Event::Object { source, action, object, flags }))
    }

    /// Poll every socket; false on timeout.
    fn wait_readable(&self, timeout: Option<Duration>) -> Result<bool> {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        let mut fds: Vec<PollFd<'_>> = self.sources.iter().map(|s| PollFd::new(s.sock.as_fd(), PollFlags::POLLIN)).collect();
        let t = match timeout {
            None => PollTimeout::NONE,
            // Round up so a short wait does not spin with a zero timeout.
            Some(d) => PollTimeout::try_from(d.as_nanos().div_ceil(1_000_000).min(i32::MAX as u128) as i32).unwrap_or(PollTimeout::MAX),
        };
        loop {
            match poll(&mut fds, t) {
                Ok(n) => return Ok(n > 0),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(Error::nix(e, "monitor poll")),
            }
        }
    }

    /// Read what the ready sockets hold into the queue (a bounded number of
    /// datagrams each, so one busy namespace cannot starve the others or grow
    /// the queue without bound while the kernel keeps writing).
    fn read_ready(&mut self) -> Result<()> {
        for i in 0..self.sources.len() {
            for _ in 0..READ_BURST {
                match self.sources[i].sock.recv(&mut self.buf) {
                    Ok(n) => {
                        for m in message::messages(&self.buf[..n]).flatten() {
                            if let Some((action, object)) = decode(&m) {
                                self.queue.push_back(Pending { source: i, event: Some((action, object, m.flags)) });
                            }
                        }
                    }
                    Err(e) if e.errno == libc::EAGAIN => break,
                    Err(e) if e.errno == libc::ENOBUFS => self.queue.push_back(Pending { source: i, event: None }),
                    Err(e) => return Err(e.with_op(format!("monitor {}", self.ns(i).label()))),
                }
            }
        }
        Ok(())
    }
}
