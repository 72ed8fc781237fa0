//! Routes as the kernel sent them, decoded when asked. A dump of 50,000
//! routes keeps the received datagrams and reads only the keys a filter
//! needs; a caller decodes a [`RouteMsg`] into a [`Route`] when it reads one.
//! The filter gives the same answer as [`RouteFilter::accepts`] on the
//! decoded route.

use std::net::IpAddr;

use nix::libc;

use super::error::{Error, Result};
use super::handle::Handle;
use super::message::{self, MsgBuilder, NLA_TYPE_MASK, NLM_F_DUMP};
use super::route::{RTM_DELROUTE, RTM_GETROUTE, RTM_NEWROUTE, Route, RouteFilter, rtvia_addr};
use super::schema::route::{self as S, RTMSG};

/// Bytes gathered into one buffer before another is started.
const SHARE_BYTES: usize = 64 << 10;

/// The routes of one dump as the kernel sent them: the payloads (rtmsg and
/// attributes) gathered into a few large buffers, each route a span of one.
/// Twelve bytes a route beside its payload; decoded one at a time.
#[derive(Debug, Default)]
pub struct RouteMsgs {
    bufs: Vec<Vec<u8>>,
    spans: Vec<Span>,
}

/// Where one payload is: buffer, offset, length.
#[derive(Debug, Clone, Copy)]
struct Span {
    buf: u32,
    at: u32,
    len: u32,
}

impl RouteMsgs {
    /// How many routes.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// No routes.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The payload of route `i` (panics past the end, as indexing does).
    pub fn bytes(&self, i: usize) -> &[u8] {
        let s = self.spans[i];
        &self.bufs[s.buf as usize][s.at as usize..(s.at + s.len) as usize]
    }

    /// Route `i`, decoded (every attribute).
    pub fn decode(&self, i: usize) -> Route {
        // The length was checked when the message was kept.
        Route::parse(self.bytes(i)).expect("a kept route message holds an rtmsg")
    }

    /// The message that deletes exactly route `i`, made from its bytes: what
    /// [`Route::delete_message`] makes of it decoded (the route as dumped,
    /// RTA_CACHEINFO left out), without decoding it.
    pub fn delete_message(&self, i: usize) -> MsgBuilder {
        let p = self.bytes(i);
        let mut m = MsgBuilder::new(RTM_DELROUTE, 0);
        m.push(&p[..RTMSG.size]);
        for (ty, data) in message::attrs(&p[RTMSG.size..]) {
            if ty & NLA_TYPE_MASK != S::RTA_CACHEINFO {
                m.attr(ty, data);
            }
        }
        m
    }
}

/// What a filter looks at, read from a payload without decoding it: the
/// header and the first of each attribute, with the decoder's rules (an
/// integer of the wrong size, or an address that is neither 4 nor 16 bytes,
/// counts as absent).
struct Keys {
    family: u8,
    table: u32,
    protocol: u8,
    scope: u8,
    rtype: u8,
    flags: u32,
    dst: Option<IpAddr>,
    gateway: Option<IpAddr>,
    via: Option<IpAddr>,
    oif: Option<u32>,
    metric: Option<u32>,
    multipath: bool,
}

fn u32_attr(d: &[u8]) -> Option<u32> {
    d.try_into().ok().map(u32::from_ne_bytes)
}

fn ip_attr(d: &[u8]) -> Option<IpAddr> {
    match d.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(d).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(d).ok()?)),
        _ => None,
    }
}

impl Keys {
    /// Read the header and the attributes in `need` (bits 1 << RTA_*): the
    /// walk stops once it has them all. None when `p` is shorter than an rtmsg.
    fn read(p: &[u8], need: u32) -> Option<Keys> {
        if p.len() < RTMSG.size {
            return None;
        }
        let mut seen = [false; 32];
        let mut missing = need;
        let mut k = Keys {
            family: p[0],
            table: p[4] as u32,
            protocol: p[5],
            scope: p[6],
            rtype: p[7],
            flags: super::ne_u32(p, 8),
            dst: None,
            gateway: None,
            via: None,
            oif: None,
            metric: None,
            multipath: false,
        };
        for (t, d) in message::attrs(&p[RTMSG.size..]) {
            if missing == 0 {
                break;
            }
            let id = t & NLA_TYPE_MASK;
            if (id as usize) < seen.len() {
                if seen[id as usize] {
                    continue; // the first of each counts, as in the decoder
                }
                seen[id as usize] = true;
                missing &= !(1 << id);
            }
            match id {
                S::RTA_TABLE => k.table = u32_attr(d).unwrap_or(p[4] as u32),
                S::RTA_OIF => k.oif = u32_attr(d),
                S::RTA_PRIORITY => k.metric = u32_attr(d),
                S::RTA_DST => k.dst = ip_attr(d),
                S::RTA_GATEWAY => k.gateway = ip_attr(d),
                S::RTA_VIA => k.via = rtvia_addr(d),
                S::RTA_MULTIPATH => k.multipath = true,
                _ => {}
            }
        }
        Some(k)
    }
}

impl RouteFilter {
    /// [`RouteFilter::accepts`] of the route in `payload`, decoding it only
    /// when the answer depends on its paths (a device or gateway filter and
    /// a multipath route).
    pub fn accepts_msg(&self, payload: &[u8]) -> bool {
        let bit = |id: u16| 1u32 << id;
        let mut need = 0;
        if self.table.is_some() {
            need |= bit(S::RTA_TABLE);
        }
        if self.oif.is_some() {
            need |= bit(S::RTA_OIF) | bit(S::RTA_MULTIPATH);
        }
        if self.metric.is_some() {
            need |= bit(S::RTA_PRIORITY);
        }
        if self.dst.is_some() {
            need |= bit(S::RTA_DST);
        }
        if self.gateway.is_some() {
            need |= bit(S::RTA_GATEWAY) | bit(S::RTA_VIA) | bit(S::RTA_MULTIPATH);
        }
        let Some(k) = Keys::read(payload, need) else { return false };
        if k.multipath && (self.oif.is_some() || self.gateway.is_some()) {
            return Route::parse(payload).is_ok_and(|r| self.accepts(&r));
        }
        if k.flags & S::RTM_F_CLONED != 0 || (self.family != 0 && k.family != self.family) {
            return false;
        }
        if self.table.is_some_and(|t| t != k.table)
            || self.oif.is_some_and(|o| k.oif != Some(o))
            || self.protocol.is_some_and(|p| p != k.protocol)
            || self.rtype.is_some_and(|t| t != k.rtype)
            || self.scope.is_some_and(|s| s != k.scope)
            || self.metric.is_some_and(|m| k.metric.unwrap_or(0) != m)
            || self.gateway.is_some_and(|g| k.gateway != Some(g) && k.via != Some(g))
        {
            return false;
        }
        if self.dst.is_none() {
            return true;
        }
        // The destination test needs only the prefix: the header (family,
        // length) decoded, and the destination read above.
        let Ok(mut r) = Route::parse(&payload[..RTMSG.size]) else { return false };
        r.dst = k.dst;
        RouteFilter { dst: self.dst, ..Default::default() }.accepts(&r)
    }

    /// The dump request for this filter (for [`Handle::route_list`] and
    /// [`Handle::route_list_msgs`]): the kernel filters what it can (strict
    /// checking).
    pub(super) fn dump_request(&self) -> MsgBuilder {
        let mut m = MsgBuilder::new(RTM_GETROUTE, NLM_F_DUMP);
        let mut hdr = [0u8; 12];
        hdr[0] = self.family;
        hdr[5] = self.protocol.unwrap_or(0);
        hdr[7] = self.rtype.unwrap_or(0);
        m.push(&hdr);
        if let Some(t) = self.table {
            m.attr_u32(S::RTA_TABLE, t);
        }
        if let Some(o) = self.oif {
            m.attr_u32(S::RTA_OIF, o);
        }
        m
    }
}

impl Handle {
    /// Routes, filtered, as received: nothing is decoded but the keys the
    /// filter looks at; the payloads kept are gathered into a few buffers
    /// (one allocation per few hundred routes). A table that does not exist
    /// yet has no routes.
    pub fn route_list_msgs(&self, f: &RouteFilter) -> Result<RouteMsgs> {
        let mut bufs: Vec<Vec<u8>> = Vec::new();
        let mut cur: Vec<u8> = Vec::with_capacity(SHARE_BYTES);
        let spans = self.dump(f.dump_request(), &|| "route show".to_string(), |msg| {
            if msg.ty != RTM_NEWROUTE {
                return Ok(None);
            }
            if msg.payload.len() < RTMSG.size {
                return Err(Error::kernel(libc::EPROTO, Some("short rtmsg".into()), "route show"));
            }
            if !f.accepts_msg(msg.payload) {
                return Ok(None);
            }
            if cur.len() + msg.payload.len() > cur.capacity() && !cur.is_empty() {
                let cap = SHARE_BYTES.max(msg.payload.len());
                bufs.push(std::mem::replace(&mut cur, Vec::with_capacity(cap)));
            }
            let at = cur.len();
            cur.extend_from_slice(msg.payload);
            Ok(Some(Span { buf: bufs.len() as u32, at: at as u32, len: msg.payload.len() as u32 }))
        });
        let spans = match spans {
            Err(e) if e.errno == libc::ENOENT && f.table.is_some() => return Ok(RouteMsgs::default()),
            other => other?,
        };
        bufs.push(cur);
        Ok(RouteMsgs { bufs, spans })
    }
}
