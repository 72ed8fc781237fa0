//! Explicit batching (`nlua.batch`): while a [`Deferred`] is open on a
//! thread, changes sent through the handles attached to it that need no
//! answer from the kernel (addresses, routes, neighbours, rules, link
//! changes) are queued instead of sent; anything else sent through those
//! handles (a read, a change that needs its answer) first sends the queue.
//! A flush sends the queue in order, pipelined: each run of requests for
//! one handle goes out several per datagram, and each request's error comes
//! back attributed to it. An observer (the journal) prepares its records
//! when a change is queued and keeps them only for the requests that
//! succeeded.
//!
//! The open batch belongs to the thread that opened it (the Lua VM's), so
//! a handle stays `Send`: it holds no reference to the batch; the batch
//! knows its handles.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::sync::Arc;

use nix::libc;

use super::change::{Change, Observer};
use super::error::{Error, Result};
use super::handle::Handle;
use super::message::MsgBuilder;
use super::route_batch::BATCH_CHUNK;

/// What an observer prepared for a queued change, kept until its answer.
pub type Prepared = Box<dyn Any>;


/// A queued request.
struct Queued {
    h: Weak<Handle>,
    msg: MsgBuilder,
    /// The operation in iproute2 words, when the change gave it.
    op: String,
    /// Where the change was asked for (a script's `file:line`).
    site: String,
    prepared: Option<(Arc<dyn Observer>, Prepared)>,
}

/// A queued change the kernel refused.
#[derive(Debug, Clone)]
pub struct Failed {
    /// Where it was asked for (`topo.lua:12`).
    pub site: String,
    /// What the kernel said.
    pub error: Error,
}

thread_local! {
    /// The batch open on this thread.
    static OPEN: RefCell<Option<Rc<Deferred>>> = const { RefCell::new(None) };
}

/// A queue of changes shared by the handles it is attached to.
pub struct Deferred {
    /// The handles taking part, by address.
    handles: RefCell<HashMap<usize, Weak<Handle>>>,
    queue: RefCell<Vec<Queued>>,
    failed: RefCell<Vec<Failed>>,
    /// How many changes were queued since the last [`Deferred::take_outcome`].
    queued: std::cell::Cell<usize>,
    /// Where the change being queued was asked for.
    site: Box<dyn Fn() -> String>,
    /// Link indexes by (handle, name), looked up once per batch: a change
    /// to links forgets them.
    names: RefCell<HashMap<(usize, String), u32>>,
    /// A queued change renames, changes or deletes a link: it is sent
    /// before a name is looked up.
    links_queued: std::cell::Cell<bool>,
    /// A name lookup is under way: it does not send the queue (nothing in
    /// it changes what the name gives).
    looking_up: std::cell::Cell<bool>,
}

impl std::fmt::Debug for Deferred {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deferred").field("queued", &self.queue.borrow().len()).finish()
    }
}

/// Whether a change can wait in the queue: one request whose answer nothing
/// needs at once. (A link move, a new link, a rule deleted by its keys and
/// traffic control are sent at once: what comes after needs their answer,
/// or their error is explained from the state they leave.)
fn can_wait(c: &Change<'_>) -> bool {
    match c {
        Change::Addr(..) | Change::Route(..) | Change::RouteDel(_) | Change::Neigh(..) | Change::RuleDel(_) | Change::LinkDel { .. } => true,
        Change::Rule(add, _) => *add,
        Change::LinkSet(_, ch) => ch.netns.is_none(),
        Change::LinkAdd(..) | Change::Qdisc(..) | Change::Class(..) | Change::Filter(..) => false,
    }
}

impl Deferred {
    /// Open a batch on this thread; `site()` says where the change being
    /// queued was asked for. None if one is open already.
    pub fn open(site: impl Fn() -> String + 'static) -> Option<Rc<Deferred>> {
        let d = Rc::new(Deferred {
            handles: RefCell::new(HashMap::new()),
            queue: RefCell::new(Vec::new()),
            failed: RefCell::new(Vec::new()),
            queued: 0.into(),
            site: Box::new(site),
            names: RefCell::new(HashMap::new()),
            links_queued: false.into(),
            looking_up: false.into(),
        });
        OPEN.with(|o| {
            let mut o = o.borrow_mut();
            if o.is_some() {
                return None;
            }
            *o = Some(d.clone());
            Some(d)
        })
    }

    /// The batch open on this thread that `h` takes part in.
    fn of(h: &Handle) -> Option<(Rc<Deferred>, Weak<Handle>)> {
        let d = OPEN.with(|o| o.borrow().clone())?;
        let w = d.handles.borrow().get(&(h as *const Handle as usize)).cloned()?;
        // (A handle freed since may have left its address to a new one.)
        if w.upgrade().is_some_and(|x| std::ptr::eq(&*x, h)) { Some((d, w)) } else { None }
    }

    /// Queue the changes sent through `h` from now on.
    pub fn attach(&self, h: &Rc<Handle>) {
        self.handles.borrow_mut().insert(Rc::as_ptr(h) as usize, Rc::downgrade(h));
    }

    /// Send what is queued and close the batch.
    pub fn close(&self) {
        self.flush();
        OPEN.with(|o| {
            let mut o = o.borrow_mut();
            if o.as_ref().is_some_and(|d| std::ptr::eq(&**d, self)) {
                *o = None;
            }
        });
        self.handles.borrow_mut().clear();
    }

    /// Send everything queued, in order. Failures are kept for
    /// [`Deferred::take_outcome`].
    pub fn flush(&self) {
        self.links_queued.set(false);
        let queue = std::mem::take(&mut *self.queue.borrow_mut());
        let mut rest = queue.into_iter().peekable();
        while let Some(first) = rest.next() {
            // A run of requests for one handle goes out pipelined.
            let mut run = vec![first];
            while rest.peek().is_some_and(|q| q.h.ptr_eq(&run[0].h)) {
                run.extend(rest.next());
            }
            let Some(h) = run[0].h.upgrade() else {
                let e = Error::system(libc::EBADF, "netlink socket closed");
                self.failed.borrow_mut().extend(run.into_iter().map(|q| Failed { site: q.site, error: e.clone().with_op(q.op) }));
                continue;
            };
            // A chunk at a time: its records are written together, as soon
            // as the kernel has answered it.
            let mut run = run.into_iter().peekable();
            while run.peek().is_some() {
                let chunk: Vec<Queued> = run.by_ref().take(BATCH_CHUNK).collect();
                let results = h.batch_iter(chunk.iter().map(|q| (q.msg.clone(), q.op.clone())));
                let mut done: Vec<(Arc<dyn Observer>, Prepared)> = Vec::new();
                for (q, r) in chunk.into_iter().zip(results) {
                    match r {
                        Ok(()) => done.extend(q.prepared),
                        Err(mut e) => {
                            if e.op.is_empty() {
                                e.op = super::route_batch::request_text(&h, &q.msg).unwrap_or_default();
                            }
                            self.failed.borrow_mut().push(Failed { site: q.site, error: e });
                        }
                    }
                }
                // One observer (the journal) for all of them, in order.
                if let Some((o, _)) = done.first() {
                    let o = o.clone();
                    o.commit_many(done.into_iter().map(|(_, p)| p).collect());
                }
            }
        }
    }

    /// How many changes were queued, and those the kernel refused, since
    /// the last call (flush first).
    pub fn take_outcome(&self) -> (usize, Vec<Failed>) {
        (self.queued.replace(0), std::mem::take(&mut *self.failed.borrow_mut()))
    }
}

impl Handle {
    /// Send what is queued before this handle talks to the kernel itself (a
    /// read, or a change that cannot wait).
    pub(crate) fn send_deferred(&self) {
        if self.capture.borrow().is_some() {
            return;
        }
        if let Some((d, _)) = Deferred::of(self)
            && !d.looking_up.get()
            && !d.queue.borrow().is_empty()
        {
            d.flush();
        }
    }

    /// A link's index by name while a batch is open: looked up once per
    /// batch, without sending the queue unless it holds a link change (a
    /// rename or deletion it must see). None outside a batch.
    pub(crate) fn batch_ifindex(&self, name: &str) -> Option<Result<u32>> {
        let (d, _) = Deferred::of(self)?;
        let key = (self as *const Handle as usize, name.to_string());
        if let Some(i) = d.names.borrow().get(&key) {
            return Some(Ok(*i));
        }
        if d.links_queued.get() {
            d.flush();
        }
        d.looking_up.set(true);
        let r = self.link_index(name);
        d.looking_up.set(false);
        if let Ok(i) = r {
            d.names.borrow_mut().insert(key, i);
        }
        Some(r)
    }

    /// A link change goes through this handle: names looked up in the open
    /// batch may not hold any more.
    pub(crate) fn links_changing(&self, c: &Change<'_>) {
        if matches!(c, Change::LinkAdd(..) | Change::LinkSet(..) | Change::LinkDel { .. })
            && let Some((d, _)) = Deferred::of(self)
        {
            d.names.borrow_mut().clear();
        }
    }

    /// Queue change `c` if a batch is open and it can wait: the observer
    /// prepares what to record, `run` is carried out with its request
    /// captured. None when `c` is to be sent now.
    pub(crate) fn defer(&self, c: &Change<'_>, run: &mut dyn FnMut() -> Result<()>) -> Option<Result<()>> {
        let (d, me) = Deferred::of(self)?;
        if !can_wait(c) {
            return None;
        }
        if matches!(c, Change::LinkSet(..) | Change::LinkDel { .. }) {
            d.links_queued.set(true);
        }
        let prepared = match self.observer() {
            None => None,
            Some(o) => match o.prepare(self, c) {
                Some(p) => Some((o, p)),
                None => return None,
            },
        };
        *self.capture.borrow_mut() = Some(Vec::new());
        // Capturing ends however `run` ends (a panic, caught as a Lua error,
        // would otherwise leave every later request of the handle captured).
        let capturing = Capturing(self);
        let r = run();
        let captured = self.capture.borrow_mut().take().unwrap_or_default();
        drop(capturing);
        if let Err(e) = r {
            return Some(Err(e)); // refused before anything was sent
        }
        let site = (d.site)();
        let mut q = d.queue.borrow_mut();
        let n = captured.len();
        let mut prepared = prepared;
        for (i, (msg, op)) in captured.into_iter().enumerate() {
            // The observer's records go with the change's last request.
            let p = if i + 1 == n { prepared.take() } else { None };
            q.push(Queued { h: me.clone(), msg, op, site: site.clone(), prepared: p });
        }
        d.queued.set(d.queued.get() + 1);
        Some(Ok(()))
    }

    /// While a change is being queued, its request is kept instead of sent.
    pub(crate) fn captured(&self, msg: &MsgBuilder, op: &dyn Fn() -> String) -> bool {
        if self.capture.borrow().is_none() {
            return false;
        }
        // Worded before the queue is borrowed: `op` may ask the handle for names.
        let op = op();
        if let Some(v) = self.capture.borrow_mut().as_mut() {
            v.push((msg.clone(), op));
        }
        true
    }
}

/// Ends a change's capture when dropped.
struct Capturing<'h>(&'h Handle);

impl Drop for Capturing<'_> {
    fn drop(&mut self) {
        self.0.capture.borrow_mut().take();
    }
}
