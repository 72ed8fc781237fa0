//! `Handle`: one netlink socket bound to the network namespace it was opened in,
//! with the three exchanges everything else is made of — a request answered by an
//! ack, a request answered by one object, and a dump — plus pipelined batches.

use std::cell::{Cell, RefCell};

use nix::libc;

use super::error::{Error, Result};
use super::message::{self, Msg, MsgBuilder, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLMSG_DONE, NLMSG_ERROR};
use super::socket::NlSocket;

/// How many times a dump interrupted by a concurrent change (NLM_F_DUMP_INTR) is
/// restarted before the caller gets EINTR.
pub const DUMP_RETRIES: usize = 10;

/// Largest datagram a batch packs before starting a new sendmsg.
const BATCH_BYTES: usize = 64 << 10;

/// A synchronous netlink handle bound to one network namespace.
///
/// Methods take `&self`: the socket, sequence counter and receive buffer sit
/// behind cells so a handle can be shared (`Rc<Handle>`) by every object that
/// came from it. A handle is `Send` but not `Sync`.
#[derive(Debug)]
pub struct Handle {
    sock: NlSocket,
    seq: Cell<u32>,
    buf: RefCell<Vec<u8>>,
    ns: super::NsInfo,
    /// Dumps restarted because the kernel flagged them NLM_F_DUMP_INTR.
    dump_restarts: Cell<u64>,
}

impl Handle {
    /// Open a handle in the calling thread's current network namespace.
    pub fn new() -> Result<Handle> {
        let ns = super::NsInfo::current()?;
        Ok(Handle { sock: NlSocket::open()?, seq: Cell::new(1), buf: RefCell::new(Vec::new()), ns, dump_restarts: Cell::new(0) })
    }

    /// Open a handle from a socket that was opened elsewhere (e.g. on a thread
    /// that entered another namespace) together with that namespace's identity.
    pub fn from_socket(sock: NlSocket, ns: super::NsInfo) -> Handle {
        Handle { sock, seq: Cell::new(1), buf: RefCell::new(Vec::new()), ns, dump_restarts: Cell::new(0) }
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

    /// The underlying socket.
    pub fn socket(&self) -> &NlSocket {
        &self.sock
    }

    fn next_seq(&self) -> u32 {
        let s = self.seq.get();
        self.seq.set(s.wrapping_add(1).max(1));
        s
    }

    /// Send `msg` with NLM_F_ACK and wait for its ack.
    pub fn request(&self, mut msg: MsgBuilder, op: &dyn Fn() -> String) -> Result<()> {
        msg.add_flags(NLM_F_ACK);
        let seq = self.next_seq();
        self.sock.send(&msg.finish(seq)).map_err(|e| e.with_op(op()))?;
        self.read_until(seq, op, |_| Ok(false))?;
        Ok(())
    }

    /// Send `msg` and return the payload of the one object the kernel answers with
    /// (RTM_GET* for a single object, or a create with NLM_F_ECHO).
    pub fn request_reply(&self, mut msg: MsgBuilder, op: &dyn Fn() -> String) -> Result<Vec<u8>> {
        msg.add_flags(NLM_F_ACK);
        let seq = self.next_seq();
        let want = msg.msg_type();
        self.sock.send(&msg.finish(seq)).map_err(|e| e.with_op(op()))?;
        let mut reply = None;
        self.read_until(seq, op, |m| {
            if reply.is_none() && m.ty != want {
                reply = Some(m.payload.to_vec());
            }
            Ok(false)
        })?;
        reply.ok_or_else(|| Error::kernel(libc::ENOMSG, Some("the kernel sent no object".into()), op()))
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
        for _ in 0..=DUMP_RETRIES {
            let mut m = msg.clone();
            m.add_flags(NLM_F_DUMP);
            let seq = self.next_seq();
            self.sock.send(&m.finish(seq)).map_err(|e| e.with_op(op()))?;
            let mut out = Vec::new();
            let mut intr = false;
            self.read_until(seq, op, |m| {
                intr |= m.flags & NLM_F_DUMP_INTR != 0;
                if !intr {
                    if let Some(t) = f(m)? {
                        out.push(t);
                    }
                }
                Ok(false)
            })?;
            if !intr {
                return Ok(out);
            }
            self.dump_restarts.set(self.dump_restarts.get() + 1);
        }
        Err(Error::kernel(libc::EINTR, Some(format!("dump kept changing; gave up after {DUMP_RETRIES} retries")), op()))
    }

    /// Read messages for `seq` until its ack / NLMSG_DONE, handing every other
    /// message with that sequence number to `each`.
    fn read_until(
        &self,
        seq: u32,
        op: &dyn Fn() -> String,
        mut each: impl FnMut(&Msg<'_>) -> Result<bool>,
    ) -> Result<()> {
        let mut buf = self.buf.borrow_mut();
        loop {
            let n = self.sock.recv(&mut buf).map_err(|e| e.with_op(op()))?;
            for m in message::messages(&buf[..n]) {
                let m = m.map_err(|s| Error::kernel(libc::EPROTO, Some(s.into()), op()))?;
                if m.seq != seq {
                    continue; // a late answer to an earlier, abandoned request
                }
                match m.ty {
                    NLMSG_ERROR => {
                        let ack = message::parse_ack(&m);
                        return if ack.errno == 0 { Ok(()) } else { Err(Error::kernel(ack.errno, ack.extack, op())) };
                    }
                    NLMSG_DONE => {
                        // A dump that failed part-way carries a negative errno here.
                        if m.payload.len() >= 4 {
                            let e = i32::from_ne_bytes(m.payload[0..4].try_into().unwrap());
                            if e < 0 {
                                let extack = message::parse_ack(&Msg { payload: &[], ..m }).extack;
                                return Err(Error::kernel(-e, extack, op()));
                            }
                        }
                        // Success acks for dumps can follow DONE only when ACK was
                        // requested, which dumps here never do.
                        return Ok(());
                    }
                    _ => {
                        if each(&m)? {
                            return Ok(());
                        }
                    }
                }
            }
        }
    }

    /// Send many requests pipelined — several per sendmsg — and collect one result
    /// per request, in order. The kernel processes them in order and keeps going
    /// past a failed one, so each error is attributed to its own request.
    pub fn batch(&self, msgs: Vec<(MsgBuilder, String)>) -> Vec<Result<()>> {
        let mut results: Vec<Option<Result<()>>> = (0..msgs.len()).map(|_| None).collect();
        let first_seq = self.seq.get();
        let mut ops = Vec::with_capacity(msgs.len());
        let mut out = Vec::with_capacity(BATCH_BYTES);
        let mut pending = 0usize;
        let mut send_err: Option<Error> = None;
        for (i, (mut m, op)) in msgs.into_iter().enumerate() {
            m.add_flags(NLM_F_ACK);
            let seq = self.next_seq();
            debug_assert_eq!(seq.wrapping_sub(first_seq) as usize, i);
            let bytes = m.finish(seq);
            if !out.is_empty() && out.len() + bytes.len() > BATCH_BYTES {
                if let Err(e) = self.sock.send(&out) {
                    send_err = Some(e);
                    break;
                }
                out.clear();
                // Drain acks for what was sent so the receive queue never overflows.
                self.collect_acks(first_seq, &ops, &mut results, &mut pending, 0);
            }
            out.extend_from_slice(&bytes);
            ops.push(op);
            pending += 1;
        }
        if send_err.is_none() && !out.is_empty() {
            if let Err(e) = self.sock.send(&out) {
                send_err = Some(e);
            }
        }
        if send_err.is_none() {
            self.collect_acks(first_seq, &ops, &mut results, &mut pending, 0);
        }
        results
            .into_iter()
            .enumerate()
            .map(|(i, r)| match r {
                Some(r) => r,
                None => Err(send_err.clone().map(|e| e.with_op(ops.get(i).cloned().unwrap_or_default())).unwrap_or_else(
                    || Error::kernel(libc::EPROTO, Some("no answer to a batched request".into()), ops.get(i).cloned().unwrap_or_default()),
                )),
            })
            .collect()
    }

    fn collect_acks(&self, first: u32, ops: &[String], results: &mut [Option<Result<()>>], pending: &mut usize, keep: usize) {
        let mut buf = self.buf.borrow_mut();
        while *pending > keep {
            let n = match self.sock.recv(&mut buf) {
                Ok(n) => n,
                Err(_) => return,
            };
            for m in message::messages(&buf[..n]).flatten() {
                if m.ty != NLMSG_ERROR {
                    continue;
                }
                let i = m.seq.wrapping_sub(first) as usize;
                if i >= ops.len() || results[i].is_some() {
                    continue;
                }
                let ack = message::parse_ack(&m);
                results[i] =
                    Some(if ack.errno == 0 { Ok(()) } else { Err(Error::kernel(ack.errno, ack.extack, ops[i].clone())) });
                *pending -= 1;
            }
        }
    }
}
