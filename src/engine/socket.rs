//! A NETLINK_ROUTE socket opened with nix, with the options every request wants:
//! extended acks, strict dump checking, capped acks, and large buffers.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use nix::libc;
use nix::sys::socket::{
    self, AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType, sockopt,
};

use super::error::{Error, Result};

const SOL_NETLINK: libc::c_int = 270;
const NETLINK_ADD_MEMBERSHIP: libc::c_int = 1;
const NETLINK_NO_ENOBUFS: libc::c_int = 5;
const NETLINK_CAP_ACK: libc::c_int = 10;
const NETLINK_EXT_ACK: libc::c_int = 11;
const NETLINK_GET_STRICT_CHK: libc::c_int = 12;

/// Default receive buffer: big enough that a burst of acks for a pipelined batch
/// is not dropped (the kernel default holds only ~256 acks).
pub const DEFAULT_RCVBUF: usize = 8 << 20;

/// An open NETLINK_ROUTE socket, bound, with its port id.
#[derive(Debug)]
pub struct NlSocket {
    fd: OwnedFd,
    pid: u32,
}

fn setsockopt_int(fd: BorrowedFd<'_>, level: libc::c_int, opt: libc::c_int, val: libc::c_int) -> nix::Result<()> {
    // SAFETY: fd is a valid socket for the duration of the call; val outlives it.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            opt,
            &val as *const libc::c_int as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    nix::errno::Errno::result(r).map(drop)
}

impl NlSocket {
    /// Open a NETLINK_ROUTE socket in the calling thread's network namespace.
    pub fn open() -> Result<NlSocket> {
        let fd = socket::socket(
            AddressFamily::Netlink,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkRoute,
        )
        .map_err(|e| Error::nix(e, "netlink socket"))?;
        let b = fd.as_fd();
        // Optional features: an old kernel without them still works, with less detail.
        let _ = setsockopt_int(b, SOL_NETLINK, NETLINK_EXT_ACK, 1);
        let _ = setsockopt_int(b, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
        let _ = setsockopt_int(b, SOL_NETLINK, NETLINK_CAP_ACK, 1);
        let _ = socket::setsockopt(&fd, sockopt::SndBuf, &(1 << 20));
        // RCVBUFFORCE passes the rmem_max cap when we have CAP_NET_ADMIN.
        if socket::setsockopt(&fd, sockopt::RcvBufForce, &DEFAULT_RCVBUF).is_err() {
            let _ = socket::setsockopt(&fd, sockopt::RcvBuf, &DEFAULT_RCVBUF);
        }
        socket::bind(fd.as_raw_fd(), &NetlinkAddr::new(0, 0)).map_err(|e| Error::nix(e, "netlink bind"))?;
        let addr: NetlinkAddr =
            socket::getsockname(fd.as_raw_fd()).map_err(|e| Error::nix(e, "netlink getsockname"))?;
        Ok(NlSocket { fd, pid: addr.pid() })
    }

    /// The port id the kernel assigned.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Join a multicast group (RTNLGRP_*), for monitors.
    pub fn join_group(&self, group: u32) -> Result<()> {
        setsockopt_int(self.fd.as_fd(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group as libc::c_int)
            .map_err(|e| Error::nix(e, format!("netlink join group {group}")))
    }

    /// Set the receive buffer size (forced when privileged).
    pub fn set_rcvbuf(&self, bytes: usize) -> Result<()> {
        if socket::setsockopt(&self.fd, sockopt::RcvBufForce, &bytes).is_err() {
            socket::setsockopt(&self.fd, sockopt::RcvBuf, &bytes).map_err(|e| Error::nix(e, "netlink SO_RCVBUF"))?;
        }
        Ok(())
    }

    /// The receive buffer the kernel actually gave (it doubles what was asked).
    pub fn rcvbuf(&self) -> Result<usize> {
        socket::getsockopt(&self.fd, sockopt::RcvBuf).map_err(|e| Error::nix(e, "netlink SO_RCVBUF"))
    }

    /// NETLINK_NO_ENOBUFS: when off (the default, and what monitors want), a
    /// full receive queue makes the next recv fail with ENOBUFS instead of
    /// dropping notifications silently.
    pub fn set_no_enobufs(&self, on: bool) -> Result<()> {
        setsockopt_int(self.fd.as_fd(), SOL_NETLINK, NETLINK_NO_ENOBUFS, on as libc::c_int)
            .map_err(|e| Error::nix(e, "netlink NETLINK_NO_ENOBUFS"))
    }

    /// Make recv return EAGAIN instead of blocking (monitors poll first).
    pub fn set_nonblocking(&self) -> Result<()> {
        use nix::fcntl::{FcntlArg, OFlag, fcntl};
        let fl = fcntl(&self.fd, FcntlArg::F_GETFL).map_err(|e| Error::nix(e, "netlink F_GETFL"))?;
        fcntl(&self.fd, FcntlArg::F_SETFL(OFlag::from_bits_truncate(fl) | OFlag::O_NONBLOCK))
            .map_err(|e| Error::nix(e, "netlink F_SETFL"))?;
        Ok(())
    }

    /// Send one datagram (one or many messages) to the kernel.
    pub fn send(&self, buf: &[u8]) -> Result<()> {
        let kernel = NetlinkAddr::new(0, 0);
        loop {
            match socket::sendto(self.fd.as_raw_fd(), buf, &kernel, MsgFlags::empty()) {
                Ok(_) => return Ok(()),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(Error::nix(e, "netlink send")),
            }
        }
    }

    /// Receive one datagram into `buf`, growing it so nothing is ever truncated:
    /// peek with MSG_TRUNC to learn the real size first.
    pub fn recv(&self, buf: &mut Vec<u8>) -> Result<usize> {
        loop {
            if buf.len() < 4096 {
                buf.resize(32 << 10, 0);
            }
            let n = match socket::recv(self.fd.as_raw_fd(), buf, MsgFlags::MSG_PEEK | MsgFlags::MSG_TRUNC) {
                Ok(n) => n,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(Error::nix(e, "netlink recv")),
            };
            if n > buf.len() {
                buf.resize(n.next_power_of_two(), 0);
            }
            match socket::recv(self.fd.as_raw_fd(), buf, MsgFlags::empty()) {
                Ok(n) => return Ok(n),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(Error::nix(e, "netlink recv")),
            }
        }
    }

    /// Receive one datagram into `buf` (grown to 32 KiB first: what the
    /// kernel's dump datagrams fit in) with one system call. Returns the
    /// datagram's real length: more than `buf.len()` means it was cut short
    /// and lost, and the caller must grow `buf` and ask again.
    pub fn recv_one(&self, buf: &mut Vec<u8>) -> Result<usize> {
        if buf.len() < (32 << 10) {
            buf.resize(32 << 10, 0);
        }
        loop {
            match socket::recv(self.fd.as_raw_fd(), buf, MsgFlags::MSG_TRUNC) {
                Ok(n) => return Ok(n),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(Error::nix(e, "netlink recv")),
            }
        }
    }

    /// Receive one datagram known to be small (acks of a batch: no request in a
    /// batch asks for an object back), in one system call instead of two.
    pub fn recv_small(&self, buf: &mut Vec<u8>) -> Result<usize> {
        match self.recv_one(buf)? {
            n if n > buf.len() => Err(Error::system(libc::EMSGSIZE, "netlink recv: unexpected large message in a batch")),
            n => Ok(n),
        }
    }

    /// Wait up to `timeout` for data; false on timeout.
    pub fn poll_readable(&self, timeout: Option<std::time::Duration>) -> Result<bool> {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        let mut fds = [PollFd::new(self.fd.as_fd(), PollFlags::POLLIN)];
        let t = match timeout {
            None => PollTimeout::NONE,
            Some(d) => PollTimeout::try_from(d.as_millis().min(i32::MAX as u128) as i32).unwrap_or(PollTimeout::MAX),
        };
        loop {
            match poll(&mut fds, t) {
                Ok(n) => return Ok(n > 0),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(Error::nix(e, "netlink poll")),
            }
        }
    }
}

impl AsFd for NlSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
