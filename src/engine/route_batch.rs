//! Route changes many at a time: lists sent pipelined (several requests per
//! datagram, long lists of additions by a sending thread, see
//! [`Handle::batch_pipelined`]), flushes, and the words of a route request
//! read back from it.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::ops::Range;

use nix::libc;

use super::change::Change;
use super::error::{Error, Result};
use super::handle::Handle;
use super::message::MsgBuilder;
use super::route::{Route, RouteFilter, RouteVerb, table_name};
use super::route_spec::RouteSpec;

/// Changes per observed chunk of a pipelined batch, here and in a flush of
/// an open batch ([`super::deferred`]): about one 64 KiB datagram of IPv4
/// routes, whose journal records are written together.
pub(super) const BATCH_CHUNK: usize = 1400;

/// The operation a route request amounts to ("route add 10.0.0.0/24 dev v0
/// table 100"), read back from the request, devices named through `h`.
pub fn request_text(h: &Handle, m: &MsgBuilder) -> Option<String> {
    let verb = RouteVerb::from_wire(m.msg_type(), m.flags())?;
    let r = Route::parse(m.payload()).ok()?;
    Some(RouteSpec::from_route(&r).op(verb.word(), &|i| h.ifname_or_index(i)))
}

/// Device names for the texts of failed requests, each looked up once (a
/// batch of 50,000 that all fail names its device once, not 50,000 times).
#[derive(Default)]
struct NameCache(std::cell::RefCell<std::collections::HashMap<u32, String>>);

impl NameCache {
    fn name(&self, h: &Handle, i: u32) -> String {
        self.0.borrow_mut().entry(i).or_insert_with(|| h.ifname_or_index(i)).clone()
    }

    /// `r`, its error (if any) given the text of `verb` on `s`.
    fn named(&self, h: &Handle, r: Result<()>, s: &RouteSpec, verb: RouteVerb) -> Result<()> {
        r.map_err(|e| Error { op: s.op(verb.word(), &|i| self.name(h, i)), ..e })
    }
}

impl Handle {
    /// Many changes pipelined (several requests per sendmsg); one result per
    /// spec, in order. 50,000 routes go in a few hundred system calls. They
    /// pass the observer a chunk at a time, so a journal records each chunk
    /// as soon as the kernel has acknowledged it (a run killed meanwhile
    /// loses at most the chunk in flight from its journal).
    pub fn route_batch(&self, specs: &[RouteSpec], verb: RouteVerb) -> Vec<Result<()>> {
        self.route_batch_with(specs.len(), |r| Cow::Borrowed(&specs[r]), verb)
    }

    /// [`Handle::route_batch`] of `total` specs that `specs_of` makes a
    /// chunk (a range of places) at a time, as they are sent: a list of
    /// 50,000 prefixes never has all 50,000 specs made at once, and the
    /// kernel is never left waiting while the next are made.
    pub fn route_batch_with<'a>(
        &self,
        total: usize,
        mut specs_of: impl FnMut(Range<usize>) -> Cow<'a, [RouteSpec]>,
        verb: RouteVerb,
    ) -> Vec<Result<()>> {
        let (ty, flags) = verb.wire();
        let mut out = Vec::with_capacity(total);
        let range = |k: usize| k * BATCH_CHUNK..((k + 1) * BATCH_CHUNK).min(total);
        let chunks = total.div_ceil(BATCH_CHUNK);
        let adds = matches!(verb, RouteVerb::Add | RouteVerb::Append | RouteVerb::Prepend);
        if adds && total > 2 * BATCH_CHUNK && self.may_pipeline_additions() {
            // Long lists of additions: a sending thread keeps the kernel busy
            // while the next chunk is made and encoded and the last one
            // recorded. (An addition needs nothing read before it, so the
            // observer can see each chunk once it is answered.) Chunks are
            // answered in order; each waits here until it is.
            let in_flight = RefCell::new(VecDeque::new());
            let mut failed: Vec<(usize, RouteSpec)> = Vec::new();
            let sent = self.batch_pipelined(
                chunks,
                |k| {
                    let specs = specs_of(range(k));
                    let msgs = specs.iter().map(|s| (s.message(ty, flags), String::new())).collect();
                    in_flight.borrow_mut().push_back(specs);
                    msgs
                },
                |k, rs| {
                    let specs = in_flight.borrow_mut().pop_front().expect("a chunk answered was sent");
                    let changes: Vec<Change<'_>> = specs.iter().map(|s| Change::Route(verb, s)).collect();
                    let mut rs = Some(rs);
                    let at = out.len();
                    out.extend(self.observed_many(&changes, || rs.take().unwrap_or_default()));
                    // Kept to name the failures once the socket is back.
                    failed.extend(out[at..].iter().zip(specs.iter()).enumerate().filter(|(_, (r, _))| r.is_err()).map(|(i, (_, s))| (range(k).start + i, s.clone())));
                },
            );
            if let Err(e) = sent {
                return (0..total).map(|_| Err(e.clone())).collect();
            }
            // Operation texts only for the requests that fail, once the socket is back.
            let names = NameCache::default();
            for (i, s) in failed {
                let r = std::mem::replace(&mut out[i], Ok(()));
                out[i] = names.named(self, r, &s, verb);
            }
            return out;
        }
        let names = NameCache::default();
        for k in 0..chunks {
            let chunk = specs_of(range(k));
            let changes: Vec<Change<'_>> = chunk.iter().map(|s| Change::Route(verb, s)).collect();
            out.extend(self.observed_many(&changes, || {
                // Operation texts only for the requests that fail (see route_modify).
                let rs = self.batch_iter(chunk.iter().map(|s| (s.message(ty, flags), String::new())));
                rs.into_iter().zip(chunk.iter()).map(|(r, s)| names.named(self, r, s, verb)).collect()
            }));
        }
        out
    }

    /// Delete every route `f` selects, pipelined; returns how many went.
    /// Routes that vanished meanwhile (ESRCH/ENOENT) are not errors. The
    /// deletions are made from the dumped bytes; routes are decoded only for
    /// an observer (each deletion goes through it, so it can be undone), a
    /// chunk at a time, and to name a failure.
    pub fn route_flush(&self, f: &RouteFilter) -> Result<usize> {
        let msgs = self.route_list_msgs(f)?;
        let observed = self.observer().is_some();
        let mut n = 0;
        // Every deletion is tried; the first failure is the answer.
        let mut failed = None;
        for k in 0..msgs.len().div_ceil(BATCH_CHUNK) {
            let range = k * BATCH_CHUNK..((k + 1) * BATCH_CHUNK).min(msgs.len());
            let routes: Vec<Route> = if observed { range.clone().map(|i| msgs.decode(i)).collect() } else { Vec::new() };
            let changes: Vec<Change<'_>> = routes.iter().map(Change::RouteDel).collect();
            let results = self.observed_many(&changes, || self.batch_iter(range.clone().map(|i| (msgs.delete_message(i), String::new()))));
            for (i, r) in range.zip(results) {
                match r {
                    Ok(()) => n += 1,
                    Err(e) if e.errno == libc::ESRCH || e.errno == libc::ENOENT => {}
                    Err(e) => {
                        if failed.is_none() {
                            let r = msgs.decode(i);
                            failed = Some(Error { op: format!("route del {} table {}", r.prefix(), table_name(r.table)), ..e });
                        }
                    }
                }
            }
        }
        failed.map_or(Ok(n), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every verb is read back from the request it makes (header flags as
    /// sent, NLM_F_REQUEST and NLM_F_ACK included), as `request_text` reads it.
    #[test]
    fn each_verb_is_read_back_from_its_request() {
        use RouteVerb::*;
        for v in [Add, Replace, Change, Append, Prepend, Del] {
            let (ty, flags) = v.wire();
            let mut m = MsgBuilder::new(ty, flags);
            m.add_flags(crate::engine::message::NLM_F_ACK);
            assert_eq!(RouteVerb::from_wire(m.msg_type(), m.flags()), Some(v));
        }
        assert_eq!(RouteVerb::from_wire(crate::engine::route::RTM_GETROUTE, 0), None);
    }
}
