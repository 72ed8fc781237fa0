//! `Handle`: one netlink socket bound to the network namespace it was opened in,
//! with the three exchanges everything else is made of — a request answered by an
//! ack, a request answered by one object, and a dump — plus pipelined batches.

use std::cell::{Cell, Ref, RefCell};

use nix::libc;

use super::error::{Error, Result};
use super::message::{self, Msg, MsgBuilder, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_ECHO, NLMSG_DONE, NLMSG_ERROR};
use super::socket::NlSocket;

/// How many times a dump interrupted by a concurrent change (NLM_F_DUMP_INTR) is
/// restarted before the caller gets EINTR.
pub const DUMP_RETRIES: usize = 10;

/// Largest datagram a batch packs before starting a new sendmsg.
const BATCH_BYTES: usize = 64 << 10;

/// A synchronous netlink handle bound to one network namespace.
///
/// Methods take `&self`: the socket and sequence counter sit behind cells so
/// a handle can be shared (`Rc<Handle>`) by every object that came from it;
/// replies are read into a buffer of the calling thread's (`RecvBuf`). A
/// handle is `Send` but not `Sync`.
#[derive(Debug)]
pub struct Handle {
    /// None once closed ([`Handle::close`]).
    sock: RefCell<Option<NlSocket>>,
    seq: Cell<u32>,
    ns: super::NsInfo,
    /// Dumps restarted because the kernel flagged them NLM_F_DUMP_INTR.
    dump_restarts: Cell<u64>,
    observer: RefCell<Option<std::sync::Arc<dyn super::change::Observer>>>,
    /// The socket is lent to a sending thread ([`Handle::batch_pipelined`]).
    lent: Cell<bool>,
    /// The requests of a change being queued by an open batch (see
    /// [`super::deferred`]).
    pub(super) capture: RefCell<Option<Vec<(MsgBuilder, String)>>>,
}

impl Handle {
    /// Open a handle in the calling thread's current network namespace.
    pub fn new() -> Result<Handle> {
        let ns = super::NsInfo::current()?;
        Ok(Handle::from_socket(NlSocket::open()?, ns))
    }

    /// Open a handle from a socket that was opened elsewhere (e.g. on a thread
    /// that entered another namespace) together with that namespace's identity.
    pub fn from_socket(sock: NlSocket, ns: super::NsInfo) -> Handle {
        Handle { sock: RefCell::new(Some(sock)), seq: Cell::new(1), ns, dump_restarts: Cell::new(0), observer: RefCell::new(None), lent: Cell::new(false), capture: RefCell::new(None) }
    }

    /// The namespace this handle's socket lives in.
    pub fn ns(&self) -> &super::NsInfo {
        &self.ns
    }

    /// How many dumps through this handle the kernel interrupted (a concurrent
    /// change, NLM_F_DUMP_INTR) and [`Handle::dump`] restarted.
    pub fn dump_restarts(&self) -> u64 {
        self.dump_restarts.get()
    }

    /// Attach (or detach) an observer that sees every mutation (the journal).
    pub fn set_observer(&self, o: Option<std::sync::Arc<dyn super::change::Observer>>) {
        *self.observer.borrow_mut() = o;
    }

    /// The attached observer.
    pub fn observer(&self) -> Option<std::sync::Arc<dyn super::change::Observer>> {
        self.observer.borrow().clone()
    }

    /// The underlying socket; an error once the handle was closed or its
    /// namespace deleted.
    pub fn socket(&self) -> Result<Ref<'_, NlSocket>> {
        self.ns.check_live()?;
        if self.lent.get() {
            return Err(Error::system(libc::EBUSY, "netlink socket busy with a pipelined batch"));
        }
        Ref::filter_map(self.sock.borrow(), Option::as_ref).map_err(|_| Error::system(libc::EBADF, "netlink socket closed"))
    }

    /// Close the socket now and end this handle's hold on its namespace (it
    /// was deleted, or a temporary one closed): every later request fails
    /// with that reason, and nothing here keeps the namespace alive.
    pub fn close(&self, why: &'static str) {
        // (Never borrowed across a call out of the engine; should it be, the
        // socket goes with the handle instead, and requests fail already.)
        if let Ok(mut s) = self.sock.try_borrow_mut() {
            s.take();
        }
        self.ns.end(why);
    }

    /// The next sequence number (also for [`Handle::batch_pipelined`]).
    pub(super) fn next_seq(&self) -> u32 {
        let s = self.seq.get();
        self.seq.set(s.wrapping_add(1).max(1));
        s
    }


    /// Take the socket out for a sending thread; until it is returned, every
    /// request through this handle fails with EBUSY.
    pub(super) fn lend_socket(&self) -> Result<NlSocket> {
        self.send_deferred();
        self.ns.check_live()?;
        let mut slot = self.sock.try_borrow_mut().map_err(|_| Error::system(libc::EBUSY, "netlink socket busy"))?;
        let s = slot.take().ok_or_else(|| Error::system(libc::EBADF, "netlink socket closed"))?;
        self.lent.set(true);
        Ok(s)
    }

    /// Put back a socket taken with [`Handle::lend_socket`] (unless the
    /// handle was closed meanwhile: then it goes).
    pub(super) fn return_socket(&self, s: NlSocket) {
        self.lent.set(false);
        if self.ns.check_live().is_ok() {
            *self.sock.borrow_mut() = Some(s);
        }
    }

    /// Send `msg` with NLM_F_ACK and wait for its ack.
    pub fn request(&self, mut msg: MsgBuilder, op: &dyn Fn() -> String) -> Result<()> {
        if self.captured(&msg, op) {
            return Ok(()); // queued by an open batch
        }
        self.send_deferred();
        msg.add_flags(NLM_F_ACK);
        let seq = self.next_seq();
        self.socket().and_then(|s| s.send(&msg.finish(seq))).map_err(|e| e.with_op(op()))?;
        // `op` is only called once the receive buffer is released: it may
        // itself ask the handle for names.
        let r = self.read_skipping_cut(seq, |_| Ok(()));
        r.map_err(|e| e.into_error(op()))
    }

    /// Send `msg` and return the payload of the one object the kernel answers with
    /// (RTM_GET* for a single object, or a change sent with NLM_F_ECHO).
    pub fn request_reply(&self, mut msg: MsgBuilder, op: &dyn Fn() -> String) -> Result<Vec<u8>> {
        self.send_deferred();
        msg.add_flags(NLM_F_ACK);
        // A reply too big for the buffer is lost; the buffer has grown, and
        // asking again (a read) is safe.
        for _ in 0..3 {
            let seq = self.next_seq();
            self.socket().and_then(|s| s.send(&msg.clone().finish(seq))).map_err(|e| e.with_op(op()))?;
            let mut reply = None;
            let r = self.read_until(seq, |m| {
                if reply.is_none() {
                    reply = Some(m.payload.to_vec());
                }
                Ok(())
            });
            match r {
                Err(Failure::Cut) => continue,
                r => r.map_err(|e| e.into_error(op()))?,
            }
            return reply.ok_or_else(|| Error::kernel(libc::ENOMSG, Some("the kernel sent no object".into()), op()));
        }
        Err(Error::kernel(libc::EMSGSIZE, Some("the reply kept outgrowing the receive buffer".into()), op()))
    }

    /// Send `msg` with NLM_F_ACK | NLM_F_ECHO and return the payloads the
    /// kernel echoed before its ack: the object a creation made, on kernels
    /// that echo it (none on those that do not).
    pub fn request_echo(&self, mut msg: MsgBuilder, op: &dyn Fn() -> String) -> Result<Vec<Vec<u8>>> {
        self.send_deferred();
        msg.add_flags(NLM_F_ACK | NLM_F_ECHO);
        let seq = self.next_seq();
        self.socket().and_then(|s| s.send(&msg.finish(seq))).map_err(|e| e.with_op(op()))?;
        let mut echoed = Vec::new();
        // (An echo cut short is lost: the caller reads the object instead.)
        let r = self.read_skipping_cut(seq, |m| {
            echoed.push(m.payload.to_vec());
            Ok(())
        });
        r.map_err(|e| e.into_error(op()))?;
        Ok(echoed)
    }

    /// Run a dump (NLM_F_DUMP), mapping each object message with `f` (None skips
    /// it). A dump the kernel marks inconsistent (NLM_F_DUMP_INTR) is restarted up
    /// to [`DUMP_RETRIES`] times so the result is always one consistent snapshot.
    pub fn dump<T>(
        &self,
        msg: MsgBuilder,
        op: &dyn Fn() -> String,
        mut f: impl FnMut(&Msg<'_>) -> Result<Option<T>>,
    ) -> Result<Vec<T>> {
        self.send_deferred();
        for _ in 0..=DUMP_RETRIES {
            let mut m = msg.clone();
            m.add_flags(NLM_F_DUMP);
            let seq = self.next_seq();
            self.socket().and_then(|s| s.send(&m.finish(seq))).map_err(|e| e.with_op(op()))?;
            let mut out = Vec::new();
            let mut intr = false;
            let r = self.read_until(seq, |m| {
                intr |= m.flags & NLM_F_DUMP_INTR != 0;
                if !intr
                    && let Some(t) = f(m).map_err(Failure::Done)? {
                        out.push(t);
                    }
                Ok(())
            });
            match r {
                // A datagram too big for the buffer was lost; it has grown: start again.
                Err(Failure::Cut) => continue,
                r => r.map_err(|e| e.into_error(op()))?,
            }
            if !intr {
                return Ok(out);
            }
            self.dump_restarts.set(self.dump_restarts.get() + 1);
        }
        Err(Error::kernel(libc::EINTR, Some(format!("dump kept changing; gave up after {DUMP_RETRIES} retries")), op()))
    }

    /// Read messages for `seq` until its ack / NLMSG_DONE, handing every other
    /// message with that sequence number to `each`.
    /// One system call per datagram (no peek first): a datagram bigger than
    /// the buffer is lost, the buffer grows and the caller gets
    /// [`Failure::Cut`] to ask again.
    fn read_until(&self, seq: u32, mut each: impl FnMut(&Msg<'_>) -> std::result::Result<(), Failure>) -> std::result::Result<(), Failure> {
        let mut buf = RecvBuf::take();
        loop {
            let n = self.socket().and_then(|s| s.recv_one(&mut buf)).map_err(Failure::Done)?;
            if n > buf.len() {
                buf.resize(n.next_power_of_two(), 0);
                return Err(Failure::Cut);
            }
            for m in message::messages(&buf[..n]) {
                let m = m.map_err(|s| Failure::Kernel(libc::EPROTO, Some(s.into())))?;
                if m.seq != seq {
                    continue; // a late answer to an earlier, abandoned request
                }
                match m.ty {
                    NLMSG_ERROR => {
                        let ack = message::parse_ack(&m);
                        return if ack.errno == 0 { Ok(()) } else { Err(Failure::Kernel(ack.errno, ack.extack)) };
                    }
                    NLMSG_DONE => {
                        // A dump that failed carries a negative errno here, and
                        // the kernel's extack text after it.
                        let done = message::parse_done(&m);
                        return if done.errno > 0 { Err(Failure::Kernel(done.errno, done.extack)) } else { Ok(()) };
                    }
                    _ => each(&m)?,
                }
            }
        }
    }

    /// [`Handle::read_until`] for an exchange whose answer is an ack: a
    /// datagram cut short cannot be that ack (acks are small), so it is
    /// skipped and reading goes on.
    fn read_skipping_cut(&self, seq: u32, mut each: impl FnMut(&Msg<'_>) -> std::result::Result<(), Failure>) -> std::result::Result<(), Failure> {
        loop {
            match self.read_until(seq, &mut each) {
                Err(Failure::Cut) => continue,
                r => return r,
            }
        }
    }

    /// Send many requests pipelined — several per sendmsg — and collect one result
    /// per request, in order. Only the last request of each sendmsg asks for an
    /// ack: the kernel answers every failed request with its error anyway and
    /// handles requests in order, so when that ack arrives every result of the
    /// chunk is known. Each error is attributed to its request by sequence number.
    pub fn batch(&self, msgs: Vec<(MsgBuilder, String)>) -> Vec<Result<()>> {
        self.batch_iter(msgs)
    }

    /// [`Handle::batch`] of requests made as they are packed: a batch of
    /// 50,000 never holds 50,000 encoded requests at once.
    pub fn batch_iter(&self, msgs: impl IntoIterator<Item = (MsgBuilder, String)>) -> Vec<Result<()>> {
        self.send_deferred();
        let msgs = msgs.into_iter();
        let mut results: Vec<Option<Result<()>>> = Vec::with_capacity(msgs.size_hint().0);
        let first_seq = self.seq.get();
        let mut ops = Vec::with_capacity(msgs.size_hint().0);
        let mut out = Vec::with_capacity(BATCH_BYTES);
        let mut last_off = 0;
        let mut failed: Option<Error> = None;
        for (m, op) in msgs {
            let bytes = m.finish(self.next_seq());
            if !out.is_empty() && out.len() + bytes.len() > BATCH_BYTES
                && let Err(e) = self.flush_chunk(&mut out, last_off, first_seq, &ops, &mut results) {
                    failed = Some(e);
                    break;
                }
            last_off = out.len();
            out.extend_from_slice(&bytes);
            ops.push(op);
            results.push(None);
        }
        if failed.is_none() && !out.is_empty()
            && let Err(e) = self.flush_chunk(&mut out, last_off, first_seq, &ops, &mut results) {
                failed = Some(e);
            }
        results
            .into_iter()
            .enumerate()
            .map(|(i, r)| match r {
                Some(r) => r,
                None => {
                    let op = ops.get(i).cloned().unwrap_or_default();
                    Err(match &failed {
                        Some(e) => e.clone().with_op(op),
                        None => Error::kernel(libc::EPROTO, Some("no answer to a batched request".into()), op),
                    })
                }
            })
            .collect()
    }

    /// Send one chunk of a batch (its last request, at `last_off`, asks for an
    /// ack) and read until that ack; the chunk's requests with no error are then
    /// known to have succeeded. Acking only each chunk's last request also keeps
    /// the receive queue from overflowing.
    fn flush_chunk(&self, out: &mut Vec<u8>, last_off: usize, first: u32, ops: &[String], results: &mut [Option<Result<()>>]) -> Result<()> {
        let f = u16::from_ne_bytes([out[last_off + 6], out[last_off + 7]]) | NLM_F_ACK;
        out[last_off + 6..last_off + 8].copy_from_slice(&f.to_ne_bytes());
        self.socket()?.send(out)?;
        out.clear();
        let last = ops.len() - 1;
        let mut buf = RecvBuf::take();
        loop {
            let n = self.socket()?.recv_small(&mut buf)?;
            for m in message::messages(&buf[..n]).flatten() {
                if m.ty != NLMSG_ERROR {
                    continue;
                }
                let i = seq_index(first, m.seq);
                if i >= ops.len() || results[i].is_some() {
                    continue;
                }
                let ack = message::parse_ack(&m);
                results[i] =
                    Some(if ack.errno == 0 { Ok(()) } else { Err(Error::kernel(ack.errno, ack.extack, ops[i].clone())) });
                if i == last {
                    for r in results.iter_mut().take(last) {
                        if r.is_none() {
                            *r = Some(Ok(()));
                        }
                    }
                    return Ok(());
                }
            }
        }
    }
}

/// The place of `seq` in a batch numbered by [`Handle::next_seq`] from
/// `first`: consecutive numbers, but for 0, skipped when they wrap.
pub(super) fn seq_index(first: u32, seq: u32) -> usize {
    let i = seq.wrapping_sub(first) as usize;
    if seq < first { i.wrapping_sub(1) } else { i }
}

thread_local! {
    /// The receive buffer of this thread's handles. One per thread, not one
    /// per handle: a lab keeps a handle per namespace, and 500 handles with
    /// 32 KiB each were 16 MB of memory (and 4,000 page faults) for nothing.
    static RECV_BUF: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// This thread's receive buffer, taken while a reply is read and put back
/// when dropped. A read nested inside another (a callback reading through
/// another handle) finds it taken and uses a buffer of its own.
struct RecvBuf(Vec<u8>);

impl RecvBuf {
    fn take() -> RecvBuf {
        // (try_with: a thread being torn down reads with a buffer of its own.)
        RecvBuf(RECV_BUF.try_with(|b| b.take()).unwrap_or_default())
    }
}

impl Drop for RecvBuf {
    fn drop(&mut self) {
        let mine = std::mem::take(&mut self.0);
        // Keep the bigger one (a buffer grown for a big datagram stays grown).
        let _ = RECV_BUF.try_with(|b| {
            let theirs = b.take();
            b.set(if mine.len() >= theirs.len() { mine } else { theirs });
        });
    }
}

impl std::ops::Deref for RecvBuf {
    type Target = Vec<u8>;
    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

impl std::ops::DerefMut for RecvBuf {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }
}

/// A failure seen while the receive buffer is borrowed; turned into an
/// [`Error`] (with its operation text) only after the borrow ends.
enum Failure {
    Kernel(i32, Option<String>),
    Done(Error),
    /// A datagram was bigger than the receive buffer and is lost (the buffer
    /// has grown since).
    Cut,
}

impl Failure {
    fn into_error(self, op: String) -> Error {
        match self {
            Failure::Kernel(errno, extack) => Error::kernel(errno, extack, op),
            Failure::Done(e) if e.op.is_empty() || e.op.starts_with("netlink ") => e.with_op(op),
            Failure::Done(e) => e,
            Failure::Cut => Error::kernel(libc::EMSGSIZE, Some("a reply outgrew the receive buffer".into()), op),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{RecvBuf, seq_index};

    /// Places in a batch whose numbers wrap past u32::MAX (0 is skipped).
    #[test]
    fn a_batch_numbered_across_the_wrap_finds_each_place() {
        let first = u32::MAX - 1;
        assert_eq!([first, u32::MAX, 1, 2].map(|s| seq_index(first, s)), [0, 1, 2, 3]);
        assert_eq!([5, 6, 7].map(|s| seq_index(5, s)), [0, 1, 2]);
        assert!(seq_index(5, 4) > 1 << 31, "an earlier request's number is out of the batch");
    }

    /// The thread's buffer is lent to one reader at a time; a nested reader
    /// gets one of its own, and the bigger of the two is kept.
    #[test]
    fn the_receive_buffer_is_lent_and_the_bigger_one_kept() {
        let mut outer = RecvBuf::take();
        outer.resize(32 << 10, 0);
        {
            let mut inner = RecvBuf::take();
            assert!(inner.is_empty(), "a nested reader does not get the lent buffer");
            inner.resize(64 << 10, 7);
        }
        drop(outer);
        let again = RecvBuf::take();
        assert_eq!((again.len(), again[0]), (64 << 10, 7), "the grown one stays");
    }
}
