//! Waiting for a link or an address to reach a state. Each wait subscribes
//! first, then reads the current state, then waits for notifications: a change
//! between the read and the wait cannot be missed, and the wait ends as soon
//! as the kernel reports the change — nothing polls.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use nix::libc;

use super::addr::{Addr, AddrFilter};
use super::error::{Error, ErrorKind, Result};
use super::handle::Handle;
use super::link::{IFF_UP, Link, LinkId};
use super::monitor::{Action, Event, Family, Monitor, MonitorOpts, Object, deadline_after};

/// A wait only needs to hear that something changed; an overrun makes it
/// read the state again, so a small buffer is enough.
const WAIT_RCVBUF: usize = 1 << 20;

const IF_OPER_UNKNOWN: u8 = 0;
const IF_OPER_UP: u8 = 6;
const IFA_F_DADFAILED: u32 = 0x08;
const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;

/// The state [`Handle::link_wait`] waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Operationally up: operstate UP, or UNKNOWN with IFF_UP (lo, tun and
    /// other devices that do not report carrier).
    Up,
    /// The link exists.
    Present,
    /// The link no longer exists.
    Gone,
}

impl LinkState {
    /// "up", "present" or "gone".
    pub fn from_name(s: &str) -> Option<LinkState> {
        match s {
            "up" => Some(LinkState::Up),
            "present" => Some(LinkState::Present),
            "gone" => Some(LinkState::Gone),
            _ => None,
        }
    }

    /// The word for it: `"up"`, `"present"` or `"gone"`.
    pub fn name(self) -> &'static str {
        match self {
            LinkState::Up => "up",
            LinkState::Present => "present",
            LinkState::Gone => "gone",
        }
    }
}

/// Operationally up, as [`LinkState::Up`] defines it.
pub fn link_is_up(l: &Link) -> bool {
    l.operstate == IF_OPER_UP || (l.operstate == IF_OPER_UNKNOWN && l.flags & IFF_UP != 0)
}

fn timed_out(after: Option<Duration>, op: String) -> Error {
    let after = after.map(|d| format!(" after {d:?}")).unwrap_or_default();
    Error { kind: ErrorKind::System, errno: libc::ETIMEDOUT, message: format!("timed out{after}"), op }
}

fn left(deadline: Option<Instant>) -> Option<Duration> {
    deadline.map(|d| d.saturating_duration_since(Instant::now()))
}

impl Handle {
    fn wait_monitor(&self, families: &[Family]) -> Result<Monitor> {
        Monitor::open(&MonitorOpts { families: families.to_vec(), namespaces: vec![self.ns().clone()], rcvbuf: WAIT_RCVBUF })
    }

    /// Wait until link `id` (a name or an index) is up, present or gone.
    /// Returns the link (None for [`LinkState::Gone`]); ETIMEDOUT when
    /// `timeout` (None: no limit) passes first.
    pub fn link_wait(&self, id: impl Into<LinkId>, state: LinkState, timeout: Option<Duration>) -> Result<Option<Link>> {
        let id = id.into();
        let op = || format!("link wait {} {}", match &id { LinkId::Name(n) => n.clone(), LinkId::Index(i) => i.to_string() }, state.name());
        let deadline = deadline_after(timeout);
        let mut mon = self.wait_monitor(&[Family::Link])?;
        let mut index = match id {
            LinkId::Index(i) => Some(i),
            LinkId::Name(_) => None,
        };
        loop {
            let cur = match self.link_get(id.clone()) {
                Ok(l) => Some(l),
                Err(e) if e.is_not_found() => None,
                Err(e) => return Err(e),
            };
            if let Some(l) = &cur {
                index = Some(l.index);
            }
            let done = match state {
                LinkState::Up => cur.as_ref().is_some_and(link_is_up),
                LinkState::Present => cur.is_some(),
                LinkState::Gone => cur.is_none(),
            };
            if done {
                return Ok(cur);
            }
            // Sleep until the kernel says something about this link (or
            // dropped notifications), then read it again.
            loop {
                match mon.next(left(deadline))? {
                    None => return Err(timed_out(timeout, op())),
                    Some(Event::Overrun { .. }) => break,
                    Some(Event::Object { object: Object::Link(l), .. })
                        if Some(l.index) == index || matches!(&id, LinkId::Name(n) if *n == l.name) =>
                    {
                        break;
                    }
                    Some(_) => {}
                }
            }
        }
    }

    /// Wait until `addr` is on link `ifindex` and no longer tentative (IPv6
    /// duplicate address detection is over). `prefixlen`, when given, must
    /// match too. Fails with EADDRNOTAVAIL when DAD finds a duplicate, ENODEV
    /// when the link goes away, ETIMEDOUT when `timeout` passes first.
    pub fn addr_wait(&self, ifindex: u32, addr: IpAddr, prefixlen: Option<u8>, timeout: Option<Duration>) -> Result<Addr> {
        let shown = match prefixlen {
            Some(p) => format!("{addr}/{p}"),
            None => addr.to_string(),
        };
        let op = || format!("addr wait {shown} dev {ifindex}");
        let deadline = deadline_after(timeout);
        let mut mon = self.wait_monitor(&[Family::Addr, Family::Link])?;
        let family = if addr.is_ipv4() { AF_INET } else { AF_INET6 };
        let filter = AddrFilter { family, index: Some(ifindex), ..Default::default() };
        let wanted = |a: &Addr| a.index == ifindex && a.addr() == Some(addr) && prefixlen.is_none_or(|p| p == a.prefixlen);
        let gone = || Error { kind: ErrorKind::System, errno: libc::ENODEV, message: "the link went away".into(), op: op() };
        loop {
            let list = match self.addr_list(&filter) {
                Ok(l) => l,
                Err(e) if e.errno == libc::ENODEV => return Err(gone()),
                Err(e) => return Err(e),
            };
            if let Some(a) = list.into_iter().find(|a| wanted(a)) {
                if a.flags & IFA_F_DADFAILED != 0 {
                    let message = "duplicate address detection failed: another host has this address".to_string();
                    return Err(Error { kind: ErrorKind::System, errno: libc::EADDRNOTAVAIL, message, op: op() });
                }
                if !a.is_tentative() {
                    return Ok(a);
                }
            }
            loop {
                match mon.next(left(deadline))? {
                    None => return Err(timed_out(timeout, op())),
                    Some(Event::Overrun { .. }) => break,
                    Some(Event::Object { object: Object::Addr(a), .. }) if wanted(&a) => break,
                    Some(Event::Object { action: Action::Del, object: Object::Link(l), .. }) if l.index == ifindex => {
                        return Err(gone());
                    }
                    Some(_) => {}
                }
            }
        }
    }
}
