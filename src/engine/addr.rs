//! Addresses: the typed view of RTM_NEWADDR and the address operations of a
//! [`Handle`] (list, add, replace, del, flush), encoded as `ip addr` encodes them.

use std::net::IpAddr;

use nix::libc;

use super::error::{Error, Result};
use super::change::{AddrVerb, Change};
use super::handle::Handle;
use super::message::{MsgBuilder, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE};
use super::schema::addr::{self as S, IFADDRMSG};
use super::schema::{self, FieldError, LazyAttrs, Fields, Opt, Resolver, Value};
use crate::units;

/// `RTM_NEWADDR`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_NEWADDR: u16 = 20;
/// `RTM_DELADDR`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_DELADDR: u16 = 21;
/// `RTM_GETADDR`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_GETADDR: u16 = 22;

/// Lifetime value meaning "forever".
pub const INFINITY_LIFE_TIME: u32 = u32::MAX;

/// An address as the kernel reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct Addr {
    /// Address family: AF_INET (2) or AF_INET6 (10).
    pub family: u8,
    /// Prefix length of the address.
    pub prefixlen: u8,
    /// IFA_F_* (from IFA_FLAGS when present, which carries all 32 bits).
    pub flags: u32,
    /// Scope (RT_SCOPE_*: 0 universe/global, 253 link, 254 host).
    pub scope: u8,
    /// Interface index.
    pub index: u32,
    /// IFA_LOCAL: the interface's own address (IPv4, and IPv6 with a peer).
    pub local: Option<IpAddr>,
    /// IFA_ADDRESS: the address (IPv6) or the peer (point-to-point).
    pub address: Option<IpAddr>,
    /// Broadcast address.
    pub broadcast: Option<IpAddr>,
    /// Anycast address (IFA_ANYCAST).
    pub anycast: Option<IpAddr>,
    /// Address label (IFA_LABEL, `eth0:1`).
    pub label: Option<String>,
    /// Seconds; None or u32::MAX means forever.
    pub valid_lft: Option<u32>,
    /// Preferred lifetime in seconds (None: forever).
    pub preferred_lft: Option<u32>,
    /// Metric of the prefix route the address adds (IFA_RT_PRIORITY).
    pub metric: Option<u32>,
    /// Who added it (IFA_PROTO).
    pub proto: Option<u8>,
    /// Every attribute as read, the ones without a typed field included
    /// (kept as bytes, decoded when first looked at).
    pub attrs: LazyAttrs,
}

impl Addr {
    /// Parse an RTM_NEWADDR payload.
    pub fn parse(p: &[u8]) -> std::result::Result<Addr, &'static str> {
        if p.len() < IFADDRMSG.size {
            return Err("short ifaddrmsg");
        }
        let attrs = schema::decode(&S::ADDR, &p[IFADDRMSG.size..]);
        let (valid_lft, preferred_lft) = match attrs.value(S::IFA_CACHEINFO) {
            Some(Value::Struct(_, f, _)) => {
                let get = |n: &str| f.iter().find(|(k, _)| *k == n).and_then(|(_, v)| if let Value::U(x) = v { Some(*x as u32) } else { None });
                (get("valid_lft"), get("preferred_lft"))
            }
            _ => (None, None),
        };
        Ok(Addr {
            family: p[0],
            prefixlen: p[1],
            flags: attrs.uint(S::IFA_FLAGS).map(|v| v as u32).unwrap_or(p[2] as u32),
            scope: p[3],
            index: super::ne_u32(p, 4),
            local: attrs.ip(S::IFA_LOCAL),
            address: attrs.ip(S::IFA_ADDRESS),
            broadcast: attrs.ip(S::IFA_BROADCAST),
            anycast: attrs.ip(S::IFA_ANYCAST),
            label: attrs.str(S::IFA_LABEL).map(str::to_string),
            metric: attrs.uint(S::IFA_RT_PRIORITY).map(|v| v as u32),
            proto: attrs.uint(S::IFA_PROTO).map(|v| v as u8),
            valid_lft,
            preferred_lft,
            attrs: LazyAttrs::new(&S::ADDR, &p[IFADDRMSG.size..]),
        })
    }

    /// The interface's own address.
    pub fn addr(&self) -> Option<IpAddr> {
        self.local.or(self.address)
    }

    /// The point-to-point peer, when there is one.
    pub fn peer(&self) -> Option<IpAddr> {
        match (self.local, self.address) {
            (Some(l), Some(a)) if l != a => Some(a),
            _ => None,
        }
    }

    /// "10.0.0.1/24".
    pub fn prefix(&self) -> String {
        match self.addr() {
            Some(a) => format!("{a}/{}", self.prefixlen),
            None => String::new(),
        }
    }

    /// The names of the set IFA_F_* flags.
    pub fn flag_names(&self) -> Vec<&'static str> {
        S::IFA_FLAG_NAMES.iter().filter(|(b, _)| self.flags & b != 0).map(|(_, n)| *n).collect()
    }

    /// Still doing duplicate address detection.
    pub fn is_tentative(&self) -> bool {
        self.flags & S::IFA_F_TENTATIVE != 0
    }
}

/// Which addresses a list returns.
#[derive(Debug, Clone, Default)]
pub struct AddrFilter {
    /// AF_INET / AF_INET6 (0 for all).
    pub family: u8,
    /// Only this interface.
    pub index: Option<u32>,
    /// Only addresses of this scope (RT_SCOPE_*).
    pub scope: Option<u8>,
    /// Only addresses with this label.
    pub label: Option<String>,
}

/// The broadcast of a new IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Broadcast {
    /// This address.
    Addr(IpAddr),
    /// `brd +`: host bits set.
    Auto,
}

/// An address to add, replace or delete.
#[derive(Debug, Clone)]
pub struct AddrSpec {
    /// Interface index.
    pub index: u32,
    /// The address.
    pub addr: IpAddr,
    /// Prefix length of the address.
    pub prefixlen: u8,
    /// Point-to-point peer address and its prefix length (IFA_ADDRESS).
    pub peer: Option<(IpAddr, u8)>,
    /// Broadcast address.
    pub broadcast: Option<Broadcast>,
    /// Anycast address (IFA_ANYCAST).
    pub anycast: Option<IpAddr>,
    /// Address label (IFA_LABEL, `eth0:1`).
    pub label: Option<String>,
    /// Scope (RT_SCOPE_*: 0 universe/global, 253 link, 254 host).
    pub scope: Option<u8>,
    /// IFA_F_* to set: nodad, noprefixroute, home, managetempaddr, autojoin.
    pub flags: u32,
    /// Valid lifetime in seconds (None: forever).
    pub valid_lft: Option<u32>,
    /// Preferred lifetime in seconds (None: forever).
    pub preferred_lft: Option<u32>,
    /// Metric of the prefix route the address adds (IFA_RT_PRIORITY).
    pub metric: Option<u32>,
    /// Who added it (IFA_PROTO).
    pub proto: Option<u8>,
}

/// Flag options accepted by addr.add.
const FLAG_OPTS: &[(&str, u32)] =
    &[("nodad", 0x02), ("home", 0x10), ("mngtmpaddr", 0x100), ("noprefixroute", 0x200), ("autojoin", 0x400)];

fn parse_lft(s: &str) -> std::result::Result<u32, String> {
    if s == "forever" {
        return Ok(INFINITY_LIFE_TIME);
    }
    let s = s.strip_suffix("sec").unwrap_or(s);
    s.parse::<u32>().map_err(|_| "seconds or \"forever\"".to_string())
}

impl AddrSpec {
    /// Parse addr.add options: `dev`, `address` (or `addr`, `local`), `peer`,
    /// `broadcast` ("+" for automatic), `anycast`, `label`, `scope`, the flags
    /// `nodad`/`noprefixroute`/`home`/`mngtmpaddr`/`autojoin`, `valid_lft`,
    /// `preferred_lft`, `metric`, `proto`.
    pub fn from_opts(map: &[(String, Opt)], res: &dyn Resolver) -> std::result::Result<AddrSpec, FieldError> {
        let mut f = Fields::new(map, "");
        let index = f.ifindex("dev", res)?.ok_or_else(|| f.missing("dev"))?;
        let what = "address with prefix like \"10.0.0.1/24\"";
        let mut addr = f.parsed("address", what, units::parse_prefix)?;
        for alt in ["addr", "local"] {
            let a = match alt {
                "addr" => f.parsed("addr", what, units::parse_prefix)?,
                _ => f.parsed("local", what, units::parse_prefix)?,
            };
            addr = addr.or(a);
        }
        let (addr, prefixlen) = addr.ok_or_else(|| f.missing("address"))?;
        let peer = f.parsed("peer", "peer address like \"10.0.0.2/32\"", units::parse_prefix)?;
        if let Some((p, _)) = peer
            && units::family_of(&p) != units::family_of(&addr) {
                return Err(f.error("peer", format!("{p} is not the same family as {addr}")));
            }
        let broadcast = match f.take("broadcast") {
            None => None,
            Some(Opt::Str(s)) if s == "+" => Some(Broadcast::Auto),
            Some(Opt::Bool(true)) => Some(Broadcast::Auto),
            Some(v @ Opt::Str(s)) => match s.parse::<IpAddr>() {
                Ok(b @ IpAddr::V4(_)) if addr.is_ipv4() => Some(Broadcast::Addr(b)),
                _ => return Err(f.expected("broadcast", "IPv4 broadcast address or \"+\"", v)),
            },
            Some(v) => return Err(f.expected("broadcast", "IPv4 broadcast address or \"+\"", v)),
        };
        let anycast = f.ip("anycast")?;
        let label = f.str("label")?;
        if let Some(l) = &label
            && l.len() > 15 {
                return Err(f.error("label", format!("{l:?} is longer than 15 characters")));
            }
        let scope = f.parsed("scope", "scope like \"global\", \"link\" or \"host\"", units::parse_scope)?;
        let mut flags = 0;
        for (name, bit) in FLAG_OPTS {
            let v = match *name {
                "nodad" => f.bool("nodad")?,
                "home" => f.bool("home")?,
                "mngtmpaddr" => f.bool("mngtmpaddr")?,
                "noprefixroute" => f.bool("noprefixroute")?,
                _ => f.bool("autojoin")?,
            };
            if v == Some(true) {
                flags |= bit;
            }
        }
        let valid_lft = f.parsed("valid_lft", "seconds or \"forever\"", parse_lft)?;
        let preferred_lft = f.parsed("preferred_lft", "seconds or \"forever\"", parse_lft)?;
        if let (Some(v), Some(p)) = (valid_lft, preferred_lft)
            && p > v {
                return Err(f.error("preferred_lft", "is greater than valid_lft"));
            }
        let metric = f.u32("metric")?;
        let proto = f.int("proto", 0, 255)?.map(|v| v as u8);
        f.finish([])?;
        Ok(AddrSpec {
            index,
            addr,
            prefixlen,
            peer,
            broadcast,
            anycast,
            label,
            scope,
            flags,
            valid_lft,
            preferred_lft,
            metric,
            proto,
        })
    }

    fn family(&self) -> u8 {
        units::family_of(&self.addr)
    }

    /// The scope ip picks when none is given: host for 127/8, else global.
    fn default_scope(&self) -> u8 {
        match self.addr {
            IpAddr::V4(a) if a.octets()[0] == 127 => 254,
            _ => 0,
        }
    }

    /// The request of type `ty` with `flags` for this address.
    pub fn message(&self, ty: u16, flags: u16) -> MsgBuilder {
        let mut m = MsgBuilder::new(ty, flags);
        let ifa_flags = if self.flags <= 0xff { self.flags as u8 } else { 0 };
        let scope = self.scope.unwrap_or_else(|| self.default_scope());
        let mut hdr = [0u8; 8];
        hdr[0] = self.family();
        hdr[1] = self.prefixlen;
        hdr[2] = ifa_flags;
        hdr[3] = scope;
        hdr[4..8].copy_from_slice(&self.index.to_ne_bytes());
        m.push(&hdr);
        let ip = |a: &IpAddr| match a {
            IpAddr::V4(v) => v.octets().to_vec(),
            IpAddr::V6(v) => v.octets().to_vec(),
        };
        m.attr(S::IFA_LOCAL, &ip(&self.addr));
        if let Some(l) = &self.label {
            m.attr_str(S::IFA_LABEL, l);
        }
        if let Some(p) = self.metric {
            m.attr_u32(S::IFA_RT_PRIORITY, p);
        }
        if let Some(p) = self.proto {
            m.attr_u8(S::IFA_PROTO, p);
        }
        if let Some(a) = &self.anycast {
            m.attr(S::IFA_ANYCAST, &ip(a));
        }
        // On delete, IFA_ADDRESS would have to match a point-to-point peer;
        // without a peer given, the local address alone names the address.
        if ty != RTM_DELADDR || self.peer.is_some() {
            m.attr(S::IFA_ADDRESS, &ip(&self.peer.map(|p| p.0).unwrap_or(self.addr)));
        }
        if ty != RTM_DELADDR {
            if let Some(b) = self.broadcast {
                let b = match (b, self.addr) {
                    (Broadcast::Addr(a), _) => a,
                    (Broadcast::Auto, IpAddr::V4(a)) => {
                        let host = if self.prefixlen >= 32 { 0 } else { u32::MAX >> self.prefixlen };
                        IpAddr::V4((u32::from(a) | host).into())
                    }
                    (Broadcast::Auto, a) => a,
                };
                m.attr(S::IFA_BROADCAST, &ip(&b));
            }
            if self.valid_lft.is_some() || self.preferred_lft.is_some() {
                let valid = self.valid_lft.unwrap_or(INFINITY_LIFE_TIME);
                let pref = self.preferred_lft.unwrap_or(valid);
                let mut ci = [0u8; 16];
                ci[0..4].copy_from_slice(&pref.to_ne_bytes());
                ci[4..8].copy_from_slice(&valid.to_ne_bytes());
                m.attr(S::IFA_CACHEINFO, &ci);
            }
            if self.flags > 0xff {
                m.attr_u32(S::IFA_FLAGS, self.flags);
            }
        }
        m
    }

    fn op(&self, verb: &str, dev: &str) -> String {
        let mut o = format!("addr {verb} {}/{}", self.addr, self.prefixlen);
        if let Some((p, l)) = self.peer {
            o.push_str(&format!(" peer {p}/{l}"));
        }
        o.push_str(&format!(" dev {dev}"));
        o
    }
}

/// The request that adds `s` (for pipelining with [`Handle::batch`]).
pub fn add_message(s: &AddrSpec) -> MsgBuilder {
    s.message(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL)
}

impl Handle {
    /// Addresses, filtered.
    pub fn addr_list(&self, f: &AddrFilter) -> Result<Vec<Addr>> {
        let mut m = MsgBuilder::new(RTM_GETADDR, 0);
        let mut hdr = [0u8; 8];
        hdr[0] = f.family;
        hdr[4..8].copy_from_slice(&f.index.unwrap_or(0).to_ne_bytes());
        m.push(&hdr);
        let addrs = self.dump(m, &|| "addr show".to_string(), |msg| {
            if msg.ty != RTM_NEWADDR {
                return Ok(None);
            }
            Addr::parse(msg.payload).map(Some).map_err(|e| Error::kernel(libc::EPROTO, Some(e.into()), "addr show"))
        })?;
        Ok(addrs
            .into_iter()
            .filter(|a| f.family == 0 || a.family == f.family)
            .filter(|a| f.index.is_none_or(|i| a.index == i))
            .filter(|a| f.scope.is_none_or(|s| a.scope == s))
            .filter(|a| f.label.as_ref().is_none_or(|l| a.label.as_ref() == Some(l)))
            .collect())
    }

    /// Add an address (EEXIST if it is there); `dev` labels the operation.
    pub fn addr_add(&self, s: &AddrSpec, dev: &str) -> Result<()> {
        self.observed(Change::Addr(AddrVerb::Add, s), || self.request(s.message(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL), &|| s.op("add", dev)))
    }

    /// Add or update an address.
    pub fn addr_replace(&self, s: &AddrSpec, dev: &str) -> Result<()> {
        self.observed(Change::Addr(AddrVerb::Replace, s), || self.request(s.message(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE), &|| s.op("replace", dev)))
    }

    /// Delete an address.
    pub fn addr_del(&self, s: &AddrSpec, dev: &str) -> Result<()> {
        self.observed(Change::Addr(AddrVerb::Del, s), || self.request(s.message(RTM_DELADDR, 0), &|| s.op("del", dev)))
    }

    /// Delete every address matching `f`, pipelined; returns how many went.
    /// Secondaries that vanished with their primary are not errors.
    pub fn addr_flush(&self, f: &AddrFilter) -> Result<usize> {
        let addrs = self.addr_list(f)?;
        if self.observer().is_some() {
            // Each deletion goes through the observer, so it can be undone.
            let mut n = 0;
            for a in &addrs {
                let Some(s) = AddrSpec::from_addr(a) else { continue };
                match self.addr_del(&s, &format!("index {}", a.index)) {
                    Ok(()) => n += 1,
                    Err(e) if e.errno == libc::EADDRNOTAVAIL => {}
                    Err(e) => return Err(e),
                }
            }
            return Ok(n);
        }
        let msgs: Vec<(MsgBuilder, String)> = addrs
            .iter()
            .filter_map(|a| {
                let s = AddrSpec::from_addr(a)?;
                Some((s.message(RTM_DELADDR, 0), s.op("del", &format!("index {}", a.index))))
            })
            .collect();
        let mut n = 0;
        for r in self.batch(msgs) {
            match r {
                Ok(()) => n += 1,
                Err(e) if e.errno == libc::EADDRNOTAVAIL => {}
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }
}

impl AddrSpec {
    /// The spec that names an existing address (for deleting or re-adding it).
    pub fn from_addr(a: &Addr) -> Option<AddrSpec> {
        let addr = a.addr()?;
        Some(AddrSpec {
            index: a.index,
            addr,
            prefixlen: a.prefixlen,
            peer: a.peer().map(|p| (p, a.prefixlen)),
            broadcast: a.broadcast.map(Broadcast::Addr),
            anycast: None,
            label: a.label.clone(),
            scope: Some(a.scope),
            flags: a.flags & (0x02 | 0x10 | 0x100 | 0x200 | 0x400),
            valid_lft: a.valid_lft.filter(|v| *v != INFINITY_LIFE_TIME),
            preferred_lft: a.preferred_lft.filter(|v| *v != INFINITY_LIFE_TIME),
            metric: a.metric,
            proto: a.proto,
        })
    }
}
