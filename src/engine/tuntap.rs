//! tun/tap devices: the kernel refuses to create them over rtnetlink, so they are
//! made with /dev/net/tun (TUNSETIFF + TUNSETPERSIST), inside the handle's
//! namespace, and then configured like any other link.

use std::os::fd::{AsRawFd, OwnedFd};

use nix::fcntl::{OFlag, open};
use nix::libc;
use nix::sys::stat::Mode;

use super::error::{Error, Result};
use super::handle::Handle;
use super::link::{LinkChange, LinkSpec};
use super::ns::NsInfo;
use super::schema::Opt;

const TUNSETIFF: libc::c_ulong = 0x4004_54ca;
const TUNSETPERSIST: libc::c_ulong = 0x4004_54cb;
const TUNSETOWNER: libc::c_ulong = 0x4004_54cc;
const TUNSETGROUP: libc::c_ulong = 0x4004_54ce;
const IFF_TUN: i16 = 0x0001;
const IFF_TAP: i16 = 0x0002;
const IFF_NO_PI: i16 = 0x1000;
const IFF_MULTI_QUEUE: i16 = 0x0100;
const IFF_VNET_HDR: i16 = 0x4000;

#[repr(C)]
struct IfReq {
    name: [u8; 16],
    flags: i16,
    _pad: [u8; 22],
}

fn opt_bool(opts: &[(String, Opt)], k: &str) -> Result<bool> {
    match opts.iter().find(|(n, _)| n == k).map(|(_, v)| v) {
        None => Ok(false),
        Some(Opt::Bool(b)) => Ok(*b),
        Some(v) => Err(Error::input("link.add", format!("field '{k}': expected boolean, got {}", v.describe()))),
    }
}

fn opt_id(opts: &[(String, Opt)], k: &str) -> Result<Option<u32>> {
    match opts.iter().find(|(n, _)| n == k).map(|(_, v)| v) {
        None => Ok(None),
        Some(v) => match v.as_int() {
            Some(n) if (0..=u32::MAX as i64).contains(&n) => Ok(Some(n as u32)),
            _ => Err(Error::input("link.add", format!("field '{k}': expected integer id, got {}", v.describe()))),
        },
    }
}

fn ioctl(fd: &OwnedFd, req: libc::c_ulong, arg: libc::c_ulong, what: &str) -> Result<()> {
    // SAFETY: fd is a valid /dev/net/tun descriptor; arg is an integer or a
    // pointer to a live IfReq, as each request expects.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), req as _, arg) };
    if r < 0 { Err(Error::system(nix::errno::Errno::last_raw(), what.to_string())) } else { Ok(()) }
}

/// Create a persistent tun or tap in `h`'s namespace and apply the common fields.
pub fn create(h: &Handle, s: &LinkSpec) -> Result<()> {
    let name = s.name.clone().ok_or_else(|| Error::input("link.add", "field 'name' is required"))?;
    let mut flags = if s.kind == "tap" { IFF_TAP } else { IFF_TUN };
    if !opt_bool(&s.options, "pi")? {
        flags |= IFF_NO_PI;
    }
    if opt_bool(&s.options, "multi_queue")? {
        flags |= IFF_MULTI_QUEUE;
    }
    if opt_bool(&s.options, "vnet_hdr")? {
        flags |= IFF_VNET_HDR;
    }
    let user = opt_id(&s.options, "user")?;
    let group = opt_id(&s.options, "group")?;
    let make = move || -> Result<()> {
        let fd = open("/dev/net/tun", OFlag::O_RDWR | OFlag::O_CLOEXEC, Mode::empty())
            .map_err(|e| Error::nix(e, "open /dev/net/tun"))?;
        let mut req = IfReq { name: [0; 16], flags, _pad: [0; 22] };
        req.name[..name.len()].copy_from_slice(name.as_bytes());
        ioctl(&fd, TUNSETIFF, &mut req as *mut IfReq as libc::c_ulong, "TUNSETIFF")?;
        if let Some(u) = user {
            ioctl(&fd, TUNSETOWNER, u as libc::c_ulong, "TUNSETOWNER")?;
        }
        if let Some(g) = group {
            ioctl(&fd, TUNSETGROUP, g as libc::c_ulong, "TUNSETGROUP")?;
        }
        ioctl(&fd, TUNSETPERSIST, 1, "TUNSETPERSIST")
    };
    // The device is born in the namespace of the thread that opens /dev/net/tun.
    if *h.ns() == NsInfo::current()? { make()? } else { h.ns().run_on_thread(make)? }
    let link = h.link_get(s.name.as_deref().unwrap_or_default())?;
    let change = LinkChange {
        mtu: s.mtu,
        mac: s.mac.clone(),
        txqlen: s.txqlen,
        alias: s.alias.clone(),
        group: s.group,
        master: s.master.map(Some),
        up: if s.up { Some(true) } else { None },
        netns: s.netns.clone(),
        ..Default::default()
    };
    if !change.is_empty()
        && let Err(e) = h.link_set(&link, &change) {
            // Leave nothing half-made behind.
            let _ = h.link_del(&link);
            return Err(e);
        }
    Ok(())
}
