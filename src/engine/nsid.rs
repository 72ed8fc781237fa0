//! Namespace ids (RTM_GETNSID / RTM_NEWNSID): how one namespace numbers
//! another (IFLA_LINK_NETNSID refers to these), assigned on demand like
//! `ip netns set NAME auto`.

use nix::libc;

use super::error::{Error, Result};
use super::handle::Handle;
use super::message::{self, MsgBuilder};
use super::ns::NsInfo;

/// `RTM_NEWNSID`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_NEWNSID: u16 = 88;
/// `RTM_GETNSID`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_GETNSID: u16 = 90;
const NETNSA_NSID: u16 = 1;
const NETNSA_FD: u16 = 3;
/// No id assigned yet.
pub const NSID_NOT_ASSIGNED: i32 = -1;

fn request(ty: u16, fd: i32, nsid: Option<i32>) -> MsgBuilder {
    let mut m = MsgBuilder::new(ty, 0);
    m.push(&[0u8; 1]); // struct rtgenmsg { AF_UNSPEC }, padded
    m.attr_u32(NETNSA_FD, fd as u32);
    if let Some(id) = nsid {
        m.attr_i32(NETNSA_NSID, id);
    }
    m
}

impl Handle {
    /// The id this handle's namespace gives `ns`, if one is assigned.
    pub fn nsid_of(&self, ns: &NsInfo) -> Result<Option<i32>> {
        let op = || format!("netns id of {}", ns.label());
        let reply = self.request_reply(request(RTM_GETNSID, ns.raw_fd(), None), &op)?;
        let attrs = reply.get(4..).unwrap_or(&[]);
        let id = message::find_attr(attrs, NETNSA_NSID)
            .and_then(|d| d.get(..4))
            .map(|d| i32::from_ne_bytes(d.try_into().unwrap()))
            .ok_or_else(|| Error::kernel(libc::EPROTO, Some("no NETNSA_NSID in reply".into()), op()))?;
        Ok((id != NSID_NOT_ASSIGNED).then_some(id))
    }

    /// The id this handle's namespace gives `ns`, assigning one if needed
    /// (`ip netns set NAME auto`).
    pub fn nsid_assign(&self, ns: &NsInfo) -> Result<i32> {
        if let Some(id) = self.nsid_of(ns)? {
            return Ok(id);
        }
        let r = self.request(request(RTM_NEWNSID, ns.raw_fd(), Some(NSID_NOT_ASSIGNED)), &|| format!("netns set {} auto", ns.label()));
        match r {
            // Another process may have assigned one meanwhile.
            Ok(()) | Err(Error { errno: libc::EEXIST, .. }) => {}
            Err(e) => return Err(e),
        }
        self.nsid_of(ns)?
            .ok_or_else(|| Error::kernel(libc::EPROTO, Some("no id after assigning one".into()), format!("netns set {} auto", ns.label())))
    }

    /// Of `candidates`, the namespace this one numbers `nsid`.
    pub fn ns_by_nsid<'a>(&self, nsid: i32, candidates: impl IntoIterator<Item = &'a NsInfo>) -> Option<&'a NsInfo> {
        candidates.into_iter().find(|ns| matches!(self.nsid_of(ns), Ok(Some(id)) if id == nsid))
    }

    /// A handle whose socket lives in `ns` (opened by the calling thread after
    /// a setns into `ns`, and back before this returns).
    pub fn new_in(ns: &NsInfo) -> Result<Handle> {
        let sock = ns.run_here(super::socket::NlSocket::open)?;
        Ok(Handle::from_socket(sock, ns.clone()))
    }
}
