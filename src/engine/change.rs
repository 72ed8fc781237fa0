//! Every mutation the engine sends, described for observers: the journal
//! (undo records, `--trace`) watches changes through [`Observer`] without the
//! object families knowing about it.

use super::addr::AddrSpec;
use super::error::Result;
use super::handle::Handle;
use super::link::{Link, LinkChange, LinkSpec};
use super::neigh::{NeighSpec, NeighVerb};
use super::route::{Route, RouteVerb};
use super::route_spec::RouteSpec;
use super::rule::{Rule, RuleSpec};
use super::tc::{self, class::ClassSpec, filter::FilterSpec, qdisc::QdiscSpec};

/// What an address request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrVerb {
    /// Add (EEXIST if it is there).
    Add,
    /// Add, or replace what is there.
    Replace,
    /// Delete.
    Del,
}

/// What the kernel told about a link it created, filled in while the
/// change runs (from the echo of the request): observers read the new
/// link's ifindex here instead of asking the kernel again.
#[derive(Debug, Default)]
pub struct LinkMade {
    /// The new link as the kernel echoed it (when it was made in the
    /// handle's own namespace and the kernel echoes creations, 6.3+).
    pub link: std::cell::RefCell<Option<Link>>,
    /// The ifindex of a veth's peer, in the namespace the peer was made in.
    pub peer_index: std::cell::Cell<Option<u32>>,
}

impl LinkMade {
    /// The new link's ifindex, when the kernel said it.
    pub fn index(&self) -> Option<u32> {
        self.link.borrow().as_ref().map(|l| l.index)
    }
}

/// A mutation about to be sent through a handle.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    /// A link created, and what the kernel echoed of it (its index, its peer's).
    LinkAdd(&'a LinkSpec, &'a LinkMade),
    /// A link changed: the link as it was, and the change.
    LinkSet(&'a Link, &'a LinkChange),
    /// A link deleted by index; `link` when the caller had it read.
    LinkDel {
        /// Its index.
        index: u32,
        /// Its name.
        name: &'a str,
        /// The link as read, when the caller had it.
        link: Option<&'a Link>,
    },
    /// An address added, replaced or deleted.
    Addr(AddrVerb, &'a AddrSpec),
    /// A route added, replaced, changed or deleted.
    Route(RouteVerb, &'a RouteSpec),
    /// Exactly this route (as listed) deleted.
    RouteDel(&'a Route),
    /// `true` adds, `false` deletes the first rule matching the spec.
    Rule(bool, &'a RuleSpec),
    /// Exactly this rule (as listed) deleted.
    RuleDel(&'a Rule),
    /// A neighbour or FDB entry added, changed or deleted.
    Neigh(NeighVerb, &'a NeighSpec),
    /// A qdisc added, replaced, changed or deleted.
    Qdisc(tc::Verb, &'a QdiscSpec),
    /// A class added, replaced, changed or deleted.
    Class(tc::Verb, &'a ClassSpec),
    /// A filter added, replaced, changed or deleted.
    Filter(tc::Verb, &'a FilterSpec),
}

/// Sees every mutation of the handles it is attached to.
pub trait Observer: Send + Sync + std::fmt::Debug {
    /// Wrap one mutation: look before (old state, a trace line), `run` it,
    /// record after. Must return `run`'s result.
    fn around(&self, h: &Handle, c: &Change<'_>, run: &mut dyn FnMut() -> Result<()>) -> Result<()>;

    /// Wrap a pipelined batch (one result per change, in order).
    fn around_many(&self, h: &Handle, cs: &[Change<'_>], run: &mut dyn FnMut() -> Vec<Result<()>>) -> Vec<Result<()>>;

    /// Whether additions (which need nothing read before them) may be shown
    /// to [`Observer::around_many`] only once the kernel has answered them,
    /// while a sending thread holds the handle's socket: true when the
    /// observer then reads nothing through the handle.
    fn sees_additions_late(&self) -> bool {
        false
    }

    /// For a change queued by an open batch (sent later, see
    /// [`super::deferred`]): do what [`Observer::around`] does before the
    /// change and prepare what it records after, as if it succeeds. None
    /// when the observer must see the change as it is sent: it is then sent
    /// at once, through [`Observer::around`].
    fn prepare(&self, _h: &Handle, _c: &Change<'_>) -> Option<super::deferred::Prepared> {
        None
    }

    /// The queued change `p` was prepared for succeeded.
    fn commit(&self, _p: super::deferred::Prepared) {}

    /// The queued changes these were prepared for succeeded, in this order.
    fn commit_many(&self, ps: Vec<super::deferred::Prepared>) {
        for p in ps {
            self.commit(p);
        }
    }
}

impl Handle {
    /// Send a mutation through the observer, if one is attached.
    pub(crate) fn observed(&self, c: Change<'_>, mut run: impl FnMut() -> Result<()>) -> Result<()> {
        self.links_changing(&c);
        if let Some(queued) = self.defer(&c, &mut run) {
            return queued;
        }
        self.send_deferred();
        match self.observer() {
            Some(o) => o.around(self, &c, &mut run),
            None => run(),
        }
    }

    /// Whether a long batch of additions may go through a sending thread
    /// ([`Handle::batch_pipelined`]), the observer seeing each chunk late.
    pub(crate) fn may_pipeline_additions(&self) -> bool {
        self.observer().is_none_or(|o| o.sees_additions_late())
    }

    /// Send a batch of mutations through the observer, if one is attached.
    pub(crate) fn observed_many(&self, cs: &[Change<'_>], mut run: impl FnMut() -> Vec<Result<()>>) -> Vec<Result<()>> {
        self.send_deferred();
        match self.observer() {
            Some(o) => o.around_many(self, cs, &mut run),
            None => run(),
        }
    }
}

/// The one device a change request acts on, read from the request itself
/// (as the journal keeps it): the ifindex in the header of an address,
/// neighbour or tc request, a single-path route's RTA_OIF. None for other
/// requests, a multipath route, or index 0.
pub fn request_ifindex(ty: u16, payload: &[u8]) -> Option<u32> {
    use super::message::{NLA_TYPE_MASK, attrs};
    use super::schema::route::{RTA_MULTIPATH, RTA_OIF};
    let u32_at = |b: &[u8], off: usize| b.get(off..off + 4).map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
    let index = match ty {
        // ifa_index, ndm_ifindex and tcm_ifindex: at offset 4 of the header.
        super::addr::RTM_NEWADDR | super::addr::RTM_DELADDR => u32_at(payload, 4),
        super::neigh::RTM_NEWNEIGH | super::neigh::RTM_DELNEIGH => u32_at(payload, 4),
        tc::RTM_NEWQDISC | tc::RTM_DELQDISC | tc::RTM_NEWTCLASS | tc::RTM_DELTCLASS | tc::RTM_NEWTFILTER | tc::RTM_DELTFILTER => u32_at(payload, 4),
        // After the 12-byte rtmsg.
        super::route::RTM_NEWROUTE | super::route::RTM_DELROUTE => {
            let mut oif = None;
            for (t, d) in attrs(payload.get(12..)?) {
                match t & NLA_TYPE_MASK {
                    RTA_OIF => oif = u32_at(d, 0),
                    RTA_MULTIPATH => return None,
                    _ => {}
                }
            }
            oif
        }
        _ => None,
    };
    index.filter(|i| *i != 0)
}
