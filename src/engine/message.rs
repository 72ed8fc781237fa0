//! Netlink framing: the message header, attribute TLVs, and a builder for requests.
//! Nothing here knows what an attribute means; that is the schema's job.

use nix::libc;

/// Size of `struct nlmsghdr`.
pub const NLMSG_HDRLEN: usize = 16;
/// Size of `struct nlattr`.
pub const NLA_HDRLEN: usize = 4;

/// Message types every family shares.
pub const NLMSG_NOOP: u16 = 1;
/// `NLMSG_ERROR`: netlink message type (`<linux/netlink.h>`).
pub const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`: netlink message type (`<linux/netlink.h>`).
pub const NLMSG_DONE: u16 = 3;
/// `NLMSG_OVERRUN`: netlink message type (`<linux/netlink.h>`).
pub const NLMSG_OVERRUN: u16 = 4;

/// Header flags.
pub const NLM_F_REQUEST: u16 = 0x01;
/// `NLM_F_MULTI`: netlink message flag (`<linux/netlink.h>`).
pub const NLM_F_MULTI: u16 = 0x02;
/// `NLM_F_ACK`: netlink message flag (`<linux/netlink.h>`).
pub const NLM_F_ACK: u16 = 0x04;
/// `NLM_F_ECHO`: netlink message flag (`<linux/netlink.h>`).
pub const NLM_F_ECHO: u16 = 0x08;
/// `NLM_F_DUMP_INTR`: netlink message flag (`<linux/netlink.h>`).
pub const NLM_F_DUMP_INTR: u16 = 0x10;
/// `NLM_F_DUMP`: netlink message flag (`<linux/netlink.h>`).
pub const NLM_F_DUMP: u16 = 0x300;
/// `NLM_F_REPLACE`: netlink message flag (`<linux/netlink.h>`).
pub const NLM_F_REPLACE: u16 = 0x100;
/// `NLM_F_EXCL`: netlink message flag (`<linux/netlink.h>`).
pub const NLM_F_EXCL: u16 = 0x200;
/// `NLM_F_CREATE`: netlink message flag (`<linux/netlink.h>`).
pub const NLM_F_CREATE: u16 = 0x400;
/// `NLM_F_APPEND`: netlink message flag (`<linux/netlink.h>`).
pub const NLM_F_APPEND: u16 = 0x800;
/// Set on NLMSG_ERROR when extended-ack TLVs follow.
pub const NLM_F_ACK_TLVS: u16 = 0x200;
/// Set on NLMSG_ERROR when the echoed request was capped to its header.
pub const NLM_F_CAPPED: u16 = 0x100;

/// Attribute type flags carried in the top bits of `nla_type`.
pub const NLA_F_NESTED: u16 = 0x8000;
/// `NLA_F_NET_BYTEORDER`: attribute header bit (`<linux/netlink.h>`).
pub const NLA_F_NET_BYTEORDER: u16 = 0x4000;
/// `NLA_TYPE_MASK`: attribute header bit (`<linux/netlink.h>`).
pub const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);

const NLMSGERR_ATTR_MSG: u16 = 1;

/// Round up to the 4-byte netlink alignment.
pub const fn align(n: usize) -> usize {
    (n + 3) & !3
}

/// A request under construction: header, family header, attributes.
#[derive(Debug, Clone)]
pub struct MsgBuilder {
    buf: Vec<u8>,
}

impl MsgBuilder {
    /// Start a message of type `ty` with `flags` (NLM_F_REQUEST is added).
    pub fn new(ty: u16, flags: u16) -> MsgBuilder {
        let mut buf = Vec::with_capacity(256);
        buf.extend_from_slice(&[0u8; NLMSG_HDRLEN]);
        buf[4..6].copy_from_slice(&ty.to_ne_bytes());
        buf[6..8].copy_from_slice(&(flags | NLM_F_REQUEST).to_ne_bytes());
        MsgBuilder { buf }
    }

    /// Append raw bytes (the family header), padded to alignment.
    pub fn push(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self.pad();
        self
    }

    fn pad(&mut self) {
        let n = align(self.buf.len());
        self.buf.resize(n, 0);
    }

    /// Append one attribute.
    pub fn attr(&mut self, ty: u16, data: &[u8]) -> &mut Self {
        put_attr(&mut self.buf, ty, data);
        self
    }

    /// Append bytes that are already encoded attributes.
    pub fn raw_attrs(&mut self, encoded: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(encoded);
        self
    }

    /// Append a u8 attribute.
    pub fn attr_u8(&mut self, ty: u16, v: u8) -> &mut Self {
        self.attr(ty, &[v])
    }
    /// Append a u16 attribute (host order).
    pub fn attr_u16(&mut self, ty: u16, v: u16) -> &mut Self {
        self.attr(ty, &v.to_ne_bytes())
    }
    /// Append a u32 attribute (host order).
    pub fn attr_u32(&mut self, ty: u16, v: u32) -> &mut Self {
        self.attr(ty, &v.to_ne_bytes())
    }
    /// Append an i32 attribute (host order).
    pub fn attr_i32(&mut self, ty: u16, v: i32) -> &mut Self {
        self.attr(ty, &v.to_ne_bytes())
    }
    /// Append a u64 attribute (host order).
    pub fn attr_u64(&mut self, ty: u16, v: u64) -> &mut Self {
        self.attr(ty, &v.to_ne_bytes())
    }
    /// A NUL-terminated string, as the kernel's nla_put_string writes it.
    pub fn attr_str(&mut self, ty: u16, s: &str) -> &mut Self {
        let mut v = Vec::with_capacity(s.len() + 1);
        v.extend_from_slice(s.as_bytes());
        v.push(0);
        self.attr(ty, &v)
    }

    /// Open a nested attribute; close it with [`MsgBuilder::nest_end`].
    pub fn nest_start(&mut self, ty: u16) -> usize {
        let at = self.buf.len();
        put_attr(&mut self.buf, ty, &[]);
        at
    }

    /// Close a nested attribute opened at `at`.
    pub fn nest_end(&mut self, at: usize) -> &mut Self {
        let len = (self.buf.len() - at) as u16;
        self.buf[at..at + 2].copy_from_slice(&len.to_ne_bytes());
        self
    }

    /// Current length in bytes, header included.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when only the header is there.
    pub fn is_empty(&self) -> bool {
        self.buf.len() == NLMSG_HDRLEN
    }

    /// Set flags in the header (in addition to those given at `new`).
    pub fn add_flags(&mut self, flags: u16) -> &mut Self {
        let f = u16::from_ne_bytes([self.buf[6], self.buf[7]]) | flags;
        self.buf[6..8].copy_from_slice(&f.to_ne_bytes());
        self
    }

    /// Finish: fill in length and sequence number.
    pub fn finish(mut self, seq: u32) -> Vec<u8> {
        let len = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&len.to_ne_bytes());
        self.buf[8..12].copy_from_slice(&seq.to_ne_bytes());
        self.buf
    }

    /// A message from parts kept elsewhere (a journal's undo request).
    pub fn from_parts(ty: u16, flags: u16, payload: &[u8]) -> MsgBuilder {
        let mut m = MsgBuilder::new(ty, flags);
        m.buf.extend_from_slice(payload);
        m
    }

    /// The header flags.
    pub fn flags(&self) -> u16 {
        u16::from_ne_bytes([self.buf[6], self.buf[7]])
    }

    /// The message type.
    pub fn msg_type(&self) -> u16 {
        u16::from_ne_bytes([self.buf[4], self.buf[5]])
    }

    /// The bytes after the netlink header (family header and attributes).
    pub fn payload(&self) -> &[u8] {
        &self.buf[NLMSG_HDRLEN..]
    }
}

/// Append one attribute (header, data, padding) to `buf`.
pub fn put_attr(buf: &mut Vec<u8>, ty: u16, data: &[u8]) {
    let len = (NLA_HDRLEN + data.len()) as u16;
    buf.extend_from_slice(&len.to_ne_bytes());
    buf.extend_from_slice(&ty.to_ne_bytes());
    buf.extend_from_slice(data);
    let n = align(buf.len());
    buf.resize(n, 0);
}

/// One received netlink message, borrowed from the receive buffer.
#[derive(Debug, Clone, Copy)]
pub struct Msg<'a> {
    /// Message type (RTM_*, NLMSG_*).
    pub ty: u16,
    /// Header flags (NLM_F_*).
    pub flags: u16,
    /// Sequence number.
    pub seq: u32,
    /// Port id of the sender (0: the kernel).
    pub pid: u32,
    /// Everything after the netlink header.
    pub payload: &'a [u8],
}

/// Iterate the messages in one datagram. A malformed length ends the iteration
/// with an error rather than reading past the buffer.
pub fn messages(buf: &[u8]) -> impl Iterator<Item = Result<Msg<'_>, &'static str>> {
    let mut off = 0usize;
    std::iter::from_fn(move || {
        if off + NLMSG_HDRLEN > buf.len() {
            return None;
        }
        let len = u32::from_ne_bytes(buf[off..off + 4].try_into().unwrap()) as usize;
        if len < NLMSG_HDRLEN || off + len > buf.len() {
            off = buf.len();
            return Some(Err("malformed netlink message length"));
        }
        let h = &buf[off..off + len];
        let m = Msg {
            ty: u16::from_ne_bytes([h[4], h[5]]),
            flags: u16::from_ne_bytes([h[6], h[7]]),
            seq: u32::from_ne_bytes(h[8..12].try_into().unwrap()),
            pid: u32::from_ne_bytes(h[12..16].try_into().unwrap()),
            payload: &h[NLMSG_HDRLEN..],
        };
        off += align(len);
        Some(Ok(m))
    })
}

/// Iterate attributes: yields (nla_type including flag bits, data). Stops at the
/// first malformed header; trailing garbage shorter than a header is ignored, as
/// the kernel does.
pub fn attrs(buf: &[u8]) -> AttrIter<'_> {
    AttrIter { buf, off: 0 }
}

/// Iterator over the attributes of a buffer.
#[derive(Debug, Clone)]
pub struct AttrIter<'a> {
    buf: &'a [u8],
    off: usize,
}

impl<'a> Iterator for AttrIter<'a> {
    type Item = (u16, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        if self.off + NLA_HDRLEN > self.buf.len() {
            return None;
        }
        let b = &self.buf[self.off..];
        let len = u16::from_ne_bytes([b[0], b[1]]) as usize;
        let ty = u16::from_ne_bytes([b[2], b[3]]);
        if len < NLA_HDRLEN || len > b.len() {
            self.off = self.buf.len();
            return None;
        }
        let data = &b[NLA_HDRLEN..len];
        self.off += align(len);
        Some((ty, data))
    }
}

/// Find the first attribute with type `ty` (flag bits ignored).
pub fn find_attr(buf: &[u8], ty: u16) -> Option<&[u8]> {
    attrs(buf).find(|(t, _)| t & NLA_TYPE_MASK == ty).map(|(_, d)| d)
}

/// An NLMSG_ERROR payload: errno (0 for an ack) and the extack message if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// 0 for success, otherwise a positive errno.
    pub errno: i32,
    /// The kernel's extended-ack text.
    pub extack: Option<String>,
    /// Sequence number of the request this answers.
    pub seq: u32,
}

/// Parse an NLMSG_ERROR message (the header flags tell whether TLVs follow and
/// whether the echoed request was capped).
pub fn parse_ack(m: &Msg<'_>) -> Ack {
    let p = m.payload;
    if p.len() < 4 + NLMSG_HDRLEN {
        return Ack { errno: libc::EPROTO, extack: Some("short NLMSG_ERROR".into()), seq: m.seq };
    }
    let err = i32::from_ne_bytes(p[0..4].try_into().unwrap());
    let orig_len = u32::from_ne_bytes(p[4..8].try_into().unwrap()) as usize;
    let mut extack = None;
    if m.flags & NLM_F_ACK_TLVS != 0 {
        // The echoed request is the header alone when capped (or for a success ack).
        let echoed = if m.flags & NLM_F_CAPPED != 0 || err == 0 { NLMSG_HDRLEN } else { align(orig_len) };
        extack = p.get(4 + echoed..).and_then(extack_text);
    }
    Ack { errno: -err, extack, seq: m.seq }
}

/// Parse an NLMSG_DONE message: the dump's result (errno 0 when it completed)
/// and, for a dump that failed, the extack TLVs that follow the errno directly
/// (a DONE echoes no request).
pub fn parse_done(m: &Msg<'_>) -> Ack {
    let p = m.payload;
    let err = p.get(0..4).map_or(0, |b| i32::from_ne_bytes(b.try_into().unwrap()));
    let extack = if m.flags & NLM_F_ACK_TLVS != 0 { p.get(4..).and_then(extack_text) } else { None };
    Ack { errno: -err, extack, seq: m.seq }
}

/// NLMSGERR_ATTR_MSG from a block of extack TLVs.
fn extack_text(tlvs: &[u8]) -> Option<String> {
    let s = find_attr(tlvs, NLMSGERR_ATTR_MSG)?;
    let s = s.split(|b| *b == 0).next().unwrap_or(&[]);
    Some(String::from_utf8_lossy(s).trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_nests_and_aligns() {
        let mut b = MsgBuilder::new(16, NLM_F_ACK);
        b.push(&[0u8; 16]);
        let n = b.nest_start(18);
        b.attr_str(1, "veth");
        b.nest_end(n);
        let v = b.finish(7);
        assert_eq!(v.len(), 16 + 16 + 4 + 12);
        assert_eq!(u32::from_ne_bytes(v[0..4].try_into().unwrap()) as usize, v.len());
        let m = messages(&v).next().unwrap().unwrap();
        assert_eq!((m.ty, m.seq, m.flags), (16, 7, NLM_F_ACK | NLM_F_REQUEST));
        let (ty, inner) = attrs(&m.payload[16..]).next().unwrap();
        assert_eq!(ty, 18);
        assert_eq!(attrs(inner).next().unwrap(), (1, &b"veth\0"[..]));
    }

    #[test]
    fn malformed_lengths_stop_iteration() {
        let buf = [8u8, 0, 1, 0, 1, 2, 3, 4, 200, 0, 2, 0];
        let v: Vec<_> = attrs(&buf).collect();
        assert_eq!(v.len(), 1);
        assert!(messages(&[255u8; 20]).next().unwrap().is_err());
    }
}
