//! Long pipelined batches with a second thread. The kernel carries out a
//! netlink request inside the sendmsg that delivers it, so on one thread the
//! kernel's work and ours (encoding the next requests, recording the last
//! ones in a journal) take turns. Here a sending thread owns the socket and
//! waits in sendmsg while the calling thread prepares the next chunk and
//! hands the answered one to its caller. The answers are the same as
//! [`Handle::batch`]'s: one per request, errors matched by sequence number.

use std::sync::mpsc;

use nix::libc;

use super::error::{Error, Result};
use super::handle::Handle;
use super::message::{self, MsgBuilder, NLM_F_ACK, NLMSG_ERROR};
use super::socket::NlSocket;

/// Largest datagram packed (as [`Handle::batch`]).
const DATAGRAM_BYTES: usize = 64 << 10;

/// One chunk, packed: datagrams whose last request asks for an ack, and the
/// sequence number of each request.
struct Packed {
    datagrams: Vec<(Vec<u8>, u32)>,
    seqs: Vec<u32>,
    ops: Vec<String>,
}

impl Handle {
    /// Send `chunks` chunks of requests pipelined. `make(k)` gives chunk
    /// `k`'s requests (called on this thread while the kernel works through
    /// the chunk before); `done(k, results)` gets one result per request of
    /// chunk `k`, in order, as soon as the kernel has answered them all.
    /// Meanwhile the sending thread owns this handle's socket: a request made
    /// through this handle from `make` or `done` fails (EBUSY) instead of
    /// mixing its answers with the batch's.
    pub fn batch_pipelined(
        &self,
        chunks: usize,
        mut make: impl FnMut(usize) -> Vec<(MsgBuilder, String)>,
        mut done: impl FnMut(usize, Vec<Result<()>>),
    ) -> Result<()> {
        // Given back however this ends (a panic in `make` or `done` too).
        let lent = Lent { h: self, sock: Some(self.lend_socket()?) };
        let sock = lent.sock.as_ref().expect("just lent");
        std::thread::scope(|sc| {
            // A few chunks wait ready while one is in the kernel, so the
            // sending thread never waits for this one.
            let (jobs, todo) = mpsc::sync_channel::<(usize, Packed)>(4);
            let (answers, answered) = mpsc::channel::<(usize, Vec<Result<()>>)>();
            let s = sock;
            sc.spawn(move || {
                let mut buf = Vec::new();
                for (k, p) in todo {
                    if answers.send((k, send_packed(s, &mut buf, p))).is_err() {
                        break;
                    }
                }
            });
            for k in 0..chunks {
                let packed = self.pack(make(k));
                if jobs.send((k, packed)).is_err() {
                    break;
                }
                while let Ok((j, rs)) = answered.try_recv() {
                    done(j, rs);
                }
            }
            drop(jobs);
            for (j, rs) in answered {
                done(j, rs);
            }
        });
        Ok(())
    }

    /// Number the requests and pack them into datagrams.
    fn pack(&self, reqs: Vec<(MsgBuilder, String)>) -> Packed {
        let mut p = Packed { datagrams: Vec::new(), seqs: Vec::with_capacity(reqs.len()), ops: Vec::with_capacity(reqs.len()) };
        let mut out: Vec<u8> = Vec::with_capacity(DATAGRAM_BYTES);
        let (mut last_off, mut last_seq) = (0, 0);
        for (m, op) in reqs {
            let seq = self.next_seq();
            let bytes = m.finish(seq);
            if !out.is_empty() && out.len() + bytes.len() > DATAGRAM_BYTES {
                p.datagrams.push((ack_last(std::mem::take(&mut out), last_off), last_seq));
            }
            last_off = out.len();
            last_seq = seq;
            out.extend_from_slice(&bytes);
            p.seqs.push(seq);
            p.ops.push(op);
        }
        if !out.is_empty() {
            p.datagrams.push((ack_last(out, last_off), last_seq));
        }
        p
    }
}

/// Ask for an ack on the request at `off` (the datagram's last).
fn ack_last(mut out: Vec<u8>, off: usize) -> Vec<u8> {
    let f = u16::from_ne_bytes([out[off + 6], out[off + 7]]) | NLM_F_ACK;
    out[off + 6..off + 8].copy_from_slice(&f.to_ne_bytes());
    out
}

/// A socket lent to a pipelined batch, given back to its handle when dropped.
struct Lent<'h> {
    h: &'h Handle,
    sock: Option<NlSocket>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(s) = self.sock.take() {
            self.h.return_socket(s);
        }
    }
}

/// Send a packed chunk and collect its answers (on the sending thread). The
/// kernel answers failed requests with their error and handles requests in
/// order, so once a datagram's last request is acked, every request of it
/// without an error succeeded.
fn send_packed(sock: &NlSocket, buf: &mut Vec<u8>, p: Packed) -> Vec<Result<()>> {
    let mut results: Vec<Option<Result<()>>> = (0..p.seqs.len()).map(|_| None).collect();
    let first = p.seqs.first().copied().unwrap_or(0);
    let index = |seq: u32| Some(super::handle::seq_index(first, seq)).filter(|i| p.seqs.get(*i) == Some(&seq));
    let mut failed = None;
    'datagrams: for (bytes, last) in &p.datagrams {
        if let Err(e) = sock.send(bytes) {
            failed = Some(e);
            break;
        }
        loop {
            let n = match sock.recv_small(buf) {
                Ok(n) => n,
                Err(e) => {
                    failed = Some(e);
                    break 'datagrams;
                }
            };
            let mut acked = false;
            for m in message::messages(&buf[..n]).flatten() {
                let Some(i) = index(m.seq).filter(|_| m.ty == NLMSG_ERROR) else { continue };
                if results[i].is_none() {
                    let ack = message::parse_ack(&m);
                    results[i] = Some(if ack.errno == 0 { Ok(()) } else { Err(Error::kernel(ack.errno, ack.extack, p.ops[i].clone())) });
                }
                acked |= m.seq == *last;
            }
            if acked {
                let end = index(*last).map_or(0, |i| i + 1);
                for r in results[..end].iter_mut().filter(|r| r.is_none()) {
                    *r = Some(Ok(()));
                }
                break;
            }
        }
    }
    results
        .into_iter()
        .zip(&p.ops)
        .map(|(r, op)| match r {
            Some(r) => r,
            None => Err(match &failed {
                Some(e) => e.clone().with_op(op.clone()),
                None => Error::kernel(libc::EPROTO, Some("no answer to a batched request".into()), op.clone()),
            }),
        })
        .collect()
}
