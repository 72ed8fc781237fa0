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

/// A mutation about to be sent through a handle.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    /// A link created.
    LinkAdd(&'a LinkSpec),
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
}

impl Handle {
    /// Send a mutation through the observer, if one is attached.
    pub(crate) fn observed(&self, c: Change<'_>, mut run: impl FnMut() -> Result<()>) -> Result<()> {
        match self.observer() {
            Some(o) => o.around(self, &c, &mut run),
            None => run(),
        }
    }

    /// Send a batch of mutations through the observer, if one is attached.
    pub(crate) fn observed_many(&self, cs: &[Change<'_>], mut run: impl FnMut() -> Vec<Result<()>>) -> Vec<Result<()>> {
        match self.observer() {
            Some(o) => o.around_many(self, cs, &mut run),
            None => run(),
        }
    }
}
