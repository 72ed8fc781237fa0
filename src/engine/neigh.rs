//! Neighbours (ARP/NDP entries) and bridge FDB entries: the typed view of
//! RTM_NEWNEIGH and the neighbour operations of a [`Handle`]. IP neighbours
//! are encoded as `ip neigh` encodes them (ip/ipneigh.c), FDB entries
//! (family "bridge") as `bridge fdb` does (bridge/fdb.c).

use std::net::IpAddr;

use ipnet::IpNet;
use nix::libc;

use super::error::{Error, Result};
use super::change::Change;
use super::handle::Handle;
use super::message::{MsgBuilder, NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE};
use super::route_opts::{ip_bytes, one_of, proto_opt};
use super::schema::neigh::{self as S, NDMSG};
use super::schema::{self, FieldError, LazyAttrs, Fields, Opt, Resolver};
use crate::units;

/// `RTM_NEWNEIGH`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_NEWNEIGH: u16 = 28;
/// `RTM_DELNEIGH`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_DELNEIGH: u16 = 29;
/// `RTM_GETNEIGH`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_GETNEIGH: u16 = 30;

/// AF_BRIDGE: FDB entries.
pub const AF_BRIDGE: u8 = 7;

/// A neighbour or FDB entry as the kernel reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct Neigh {
    /// Address family: AF_INET (2), AF_INET6 (10), or AF_BRIDGE (7) for FDB entries.
    pub family: u8,
    /// Interface index.
    pub ifindex: u32,
    /// NUD_* bits.
    pub state: u16,
    /// NTF_* bits.
    pub flags: u8,
    /// Neighbour type (RTN_*).
    pub ntype: u8,
    /// Neighbour address (NDA_DST), or a vxlan FDB entry's remote.
    pub dst: Option<IpAddr>,
    /// Link-layer address (NDA_LLADDR).
    pub lladdr: Option<Vec<u8>>,
    /// Probes sent (NDA_PROBES).
    pub probes: Option<u32>,
    /// VLAN id (NDA_VLAN).
    pub vlan: Option<u16>,
    /// vxlan remote UDP port (NDA_PORT).
    pub port: Option<u16>,
    /// vxlan VNI (NDA_VNI).
    pub vni: Option<u32>,
    /// NDA_IFINDEX: the device a vxlan remote is reached through.
    pub via: Option<u32>,
    /// NDA_MASTER: the bridge of an FDB entry.
    pub master: Option<u32>,
    /// Namespace id of the device's peer, when it lives elsewhere.
    pub link_netnsid: Option<i32>,
    /// vxlan source VNI (NDA_SRC_VNI).
    pub src_vni: Option<u32>,
    /// Who added it (RTPROT_*, as /etc/iproute2/rt_protos names them).
    pub protocol: Option<u8>,
    /// Nexthop object id.
    pub nhid: Option<u32>,
    /// NDA_FLAGS_EXT (NTF_EXT_MANAGED).
    pub flags_ext: u32,
    /// Every attribute as read, the ones without a typed field included
    /// (kept as bytes, decoded when first looked at).
    pub attrs: LazyAttrs,
}

impl Neigh {
    /// Parse an RTM_NEWNEIGH payload.
    pub fn parse(p: &[u8]) -> std::result::Result<Neigh, &'static str> {
        if p.len() < NDMSG.size {
            return Err("short ndmsg");
        }
        let attrs = schema::decode(&S::NEIGH, &p[NDMSG.size..]);
        let u32_of = |id| attrs.uint(id).map(|v| v as u32);
        Ok(Neigh {
            family: p[0],
            ifindex: super::ne_u32(p, 4),
            state: super::ne_u16(p, 8),
            flags: p[10],
            ntype: p[11],
            dst: attrs.ip(S::NDA_DST),
            lladdr: attrs.mac(S::NDA_LLADDR).map(<[u8]>::to_vec),
            probes: u32_of(S::NDA_PROBES),
            vlan: attrs.uint(S::NDA_VLAN).map(|v| v as u16),
            port: attrs.uint(S::NDA_PORT).map(|v| v as u16),
            vni: u32_of(S::NDA_VNI),
            via: u32_of(S::NDA_IFINDEX),
            master: u32_of(S::NDA_MASTER),
            link_netnsid: attrs.int(S::NDA_LINK_NETNSID).map(|v| v as i32),
            src_vni: u32_of(S::NDA_SRC_VNI),
            protocol: attrs.uint(S::NDA_PROTOCOL).map(|v| v as u8),
            nhid: u32_of(S::NDA_NH_ID),
            flags_ext: u32_of(S::NDA_FLAGS_EXT).unwrap_or(0),
            attrs: LazyAttrs::new(&S::NEIGH, &p[NDMSG.size..]),
        })
    }

    /// A bridge FDB entry (family bridge).
    pub fn is_fdb(&self) -> bool {
        self.family == AF_BRIDGE
    }

    /// NUD_* names set in `state`, lowercase ("reachable", "permanent").
    pub fn state_names(&self) -> Vec<&'static str> {
        S::NUD_NAMES.iter().filter(|(b, _)| self.state & b != 0).map(|(_, n)| *n).collect()
    }

    /// The one state word the options take back: for FDB entries `bridge
    /// fdb`'s ("permanent", "static", "stale", "dynamic"), else the NUD state
    /// ("permanent", "noarp", "reachable"..., "none").
    pub fn state_word(&self) -> String {
        if self.is_fdb() {
            return fdb_state_word(self.state).to_string();
        }
        let names = self.state_names();
        if names.contains(&"permanent") {
            "permanent".into()
        } else if names.contains(&"noarp") {
            "noarp".into()
        } else {
            names.first().map(|s| s.to_string()).unwrap_or_else(|| "none".into())
        }
    }

    /// NTF_* names set in `flags`, in `bridge fdb`'s order.
    pub fn flag_names(&self) -> Vec<&'static str> {
        S::NTF_NAMES.iter().filter(|(b, _)| self.flags & b != 0).map(|(_, n)| *n).collect()
    }
}

/// The state word `bridge fdb` prints (state_n2a).
pub fn fdb_state_word(s: u16) -> &'static str {
    if s & S::NUD_PERMANENT != 0 {
        "permanent"
    } else if s & S::NUD_NOARP != 0 {
        "static"
    } else if s & S::NUD_STALE != 0 {
        "stale"
    } else if s & S::NUD_REACHABLE != 0 {
        "dynamic"
    } else {
        "none"
    }
}

/// Which entries a list returns.
#[derive(Debug, Clone, Default)]
pub struct NeighFilter {
    /// AF_INET, AF_INET6, AF_BRIDGE; 0 for all.
    pub family: u8,
    /// Only entries on this interface.
    pub index: Option<u32>,
    /// Entries on ports of this bridge (or in this VRF).
    pub master: Option<u32>,
    /// NUD_* mask, with 0x100 standing for NUD_NONE (as ip's filter). None:
    /// what `ip neigh show` shows (all but noarp and none), every state for FDB.
    pub state: Option<u32>,
    /// Proxy entries (`ip neigh show proxy`).
    pub proxy: bool,
    /// Only entries whose address is in this prefix.
    pub dst: Option<IpNet>,
    /// Only FDB entries of this VLAN.
    pub vlan: Option<u16>,
}

/// `ip neigh show`'s default state mask.
pub const SHOW_STATES: u32 = 0xff & !(S::NUD_NOARP as u32);
/// `ip neigh flush`'s default state mask (keeps permanent and noarp).
pub const FLUSH_STATES: u32 = !((S::NUD_PERMANENT | S::NUD_NOARP) as u32);

impl NeighFilter {
    /// Whether `n` passes (ip's print_neigh filter; bridge fdb's for FDB).
    pub fn accepts(&self, n: &Neigh) -> bool {
        if self.family != 0 && n.family != self.family {
            return false;
        }
        if self.index.is_some_and(|i| i != n.ifindex) || self.master.is_some_and(|m| n.master.is_some_and(|x| x != m)) {
            return false;
        }
        if self.vlan.is_some_and(|v| n.vlan.unwrap_or(0) != v) {
            return false;
        }
        let default = if n.is_fdb() { u32::MAX } else { SHOW_STATES };
        let mask = self.state.unwrap_or(default);
        let st = n.state as u32;
        if mask & st == 0
            && n.flags & (S::NTF_PROXY | S::NTF_EXT_LEARNED) == 0
            && (st != 0 || mask & 0x100 == 0)
            && mask != u32::MAX
        {
            return false;
        }
        if let Some(p) = self.dst {
            match n.dst {
                Some(a) if p.contains(&a) => {}
                _ => return false,
            }
        }
        true
    }
}

/// A neighbour or FDB entry to add, change or delete.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NeighSpec {
    /// Address family: AF_INET (2), AF_INET6 (10), or AF_BRIDGE (7) for FDB entries.
    pub family: u8,
    /// Interface index.
    pub ifindex: u32,
    /// Neighbour address (NDA_DST), or a vxlan FDB entry's remote.
    pub dst: Option<IpAddr>,
    /// Link-layer address (NDA_LLADDR).
    pub lladdr: Option<Vec<u8>>,
    /// NUD_* state bits (permanent, reachable, stale...).
    pub state: u16,
    /// NTF_* flags (self, master, router, proxy...).
    pub flags: u8,
    /// Extended flags (NDA_FLAGS_EXT: managed...).
    pub flags_ext: u32,
    /// Who added it (RTPROT_*, as /etc/iproute2/rt_protos names them).
    pub protocol: Option<u8>,
    /// VLAN id (NDA_VLAN).
    pub vlan: Option<u16>,
    /// vxlan remote UDP port (NDA_PORT).
    pub port: Option<u16>,
    /// vxlan VNI (NDA_VNI).
    pub vni: Option<u32>,
    /// vxlan source VNI (NDA_SRC_VNI).
    pub src_vni: Option<u32>,
    /// Device a vxlan remote is reached through (NDA_IFINDEX).
    pub via: Option<u32>,
    /// Nexthop object id.
    pub nhid: Option<u32>,
}

/// Options neigh.add/del read.
pub const NEIGH_FIELDS: &[&str] = &[
    "family",
    "dev",
    "dst",
    "lladdr",
    "mac",
    "state",
    "router",
    "proxy",
    "use",
    "extern_learn",
    "managed",
    "proto",
    "protocol",
    "master",
    "self",
    "sticky",
    "vlan",
    "port",
    "vni",
    "src_vni",
    "via",
    "nhid",
];

fn nud_state(f: &mut Fields<'_>, fdb: bool) -> std::result::Result<Option<u16>, FieldError> {
    let Some(v) = f.take("state") else { return Ok(None) };
    let s = v.as_str().unwrap_or("");
    if fdb {
        // bridge fdb: permanent (local), static, dynamic; NOARP marks "not learned".
        return match s {
            "permanent" | "local" => Ok(Some(S::NUD_NOARP | S::NUD_PERMANENT)),
            "static" | "temp" => Ok(Some(S::NUD_NOARP | S::NUD_REACHABLE)),
            "dynamic" => Ok(Some(S::NUD_REACHABLE)),
            _ => Err(f.expected("state", "one of \"permanent\", \"static\", \"dynamic\"", v)),
        };
    }
    if s == "none" {
        return Ok(Some(S::NUD_NONE));
    }
    match S::NUD_NAMES.iter().find(|(_, n)| *n == s) {
        Some((b, _)) => Ok(Some(*b)),
        None => Err(f.expected(
            "state",
            "one of \"permanent\", \"reachable\", \"stale\", \"noarp\", \"none\", \"incomplete\", \"delay\", \"probe\", \"failed\"",
            v,
        )),
    }
}

impl NeighSpec {
    /// Parse neighbour options (see [`NEIGH_FIELDS`]); `family="bridge"`
    /// makes an FDB entry.
    pub fn from_opts(map: &[(String, Opt)], res: &dyn Resolver) -> std::result::Result<NeighSpec, FieldError> {
        let mut f = Fields::new(map, "");
        let family = f.parsed("family", "\"inet\", \"inet6\" or \"bridge\"", units::parse_family)?;
        let fdb = family == Some(AF_BRIDGE);
        let mut s = NeighSpec { ifindex: f.ifindex("dev", res)?.unwrap_or(0), ..Default::default() };
        s.dst = f.ip("dst")?;
        one_of(map, "lladdr", "mac")?;
        s.lladdr = match f.mac("lladdr")? {
            Some(m) => Some(m),
            None => f.mac("mac")?,
        };
        let flag = |f: &mut Fields<'_>, k: &'static str, bit: u8, s: &mut NeighSpec| -> std::result::Result<(), FieldError> {
            if f.bool(k)?.unwrap_or(false) {
                s.flags |= bit;
            }
            Ok(())
        };
        flag(&mut f, "router", S::NTF_ROUTER, &mut s)?;
        flag(&mut f, "use", S::NTF_USE, &mut s)?;
        flag(&mut f, "extern_learn", S::NTF_EXT_LEARNED, &mut s)?;
        one_of(map, "proto", "protocol")?;
        s.protocol = match proto_opt(&mut f, "proto")? {
            Some(p) => Some(p),
            None => proto_opt(&mut f, "protocol")?,
        };
        let state = nud_state(&mut f, fdb)?;
        if fdb {
            for k in ["proxy", "managed"] {
                if map.iter().any(|(x, _)| x == k) {
                    return Err(FieldError(format!("field '{k}': not for bridge FDB entries")));
                }
            }
            s.family = AF_BRIDGE;
            flag(&mut f, "master", S::NTF_MASTER, &mut s)?;
            flag(&mut f, "self", S::NTF_SELF, &mut s)?;
            flag(&mut f, "sticky", S::NTF_STICKY, &mut s)?;
            if s.flags & (S::NTF_SELF | S::NTF_MASTER) == 0 {
                s.flags |= S::NTF_SELF;
            }
            s.vlan = f.int("vlan", 0, 4095)?.map(|v| v as u16);
            s.port = f.int("port", 1, 65535)?.map(|v| v as u16);
            s.vni = f.int("vni", 0, 0xff_ffff)?.map(|v| v as u32);
            s.src_vni = f.int("src_vni", 0, 0xff_ffff)?.map(|v| v as u32);
            s.via = f.ifindex("via", res)?;
            s.nhid = f.u32("nhid")?;
            if s.nhid.is_some() && (s.dst.is_some() || s.port.is_some() || s.vni.is_some()) {
                return Err(f.error("nhid", "cannot be combined with 'dst', 'port' or 'vni'"));
            }
            s.state = state.unwrap_or(S::NUD_NOARP | S::NUD_PERMANENT);
            if s.lladdr.as_ref().is_none_or(|m| m.len() != 6) {
                return match s.lladdr {
                    None => Err(f.missing("lladdr")),
                    Some(_) => Err(FieldError("field 'lladdr': expected a 6-byte MAC address for a bridge FDB entry".into())),
                };
            }
        } else {
            for k in ["master", "self", "sticky", "vlan", "port", "vni", "src_vni", "via", "nhid"] {
                if map.iter().any(|(x, _)| x == k) {
                    return Err(FieldError(format!("field '{k}': only for bridge FDB entries (family=\"bridge\")")));
                }
            }
            if f.bool("proxy")?.unwrap_or(false) {
                s.flags |= S::NTF_PROXY;
            }
            s.state = state.unwrap_or(S::NUD_PERMANENT);
            if f.bool("managed")?.unwrap_or(false) {
                s.flags_ext |= S::NTF_EXT_MANAGED;
                if state.is_none() {
                    s.state = S::NUD_NONE;
                }
            }
            let dst = s.dst.ok_or_else(|| f.missing("dst"))?;
            s.family = units::family_of(&dst);
            if let Some(x) = family.filter(|x| *x != 0 && *x != s.family) {
                return Err(f.error("dst", format!("{dst} is not in family {}", units::family_name(x))));
            }
        }
        if s.ifindex == 0 && s.flags & S::NTF_PROXY == 0 {
            return Err(f.missing("dev"));
        }
        f.finish([])?;
        Ok(s)
    }

    /// The spec that makes an existing entry again, link-layer address
    /// included (what an undo re-adds, and its words).
    pub fn restoring(n: &Neigh) -> NeighSpec {
        NeighSpec { lladdr: n.lladdr.clone(), ..NeighSpec::from_neigh(n) }
    }

    /// The spec naming an existing entry (to delete or re-add it).
    pub fn from_neigh(n: &Neigh) -> NeighSpec {
        NeighSpec {
            family: n.family,
            ifindex: n.ifindex,
            dst: n.dst,
            lladdr: if n.is_fdb() { n.lladdr.clone() } else { None },
            state: n.state,
            flags: n.flags & (S::NTF_PROXY | S::NTF_SELF | S::NTF_MASTER | S::NTF_ROUTER),
            flags_ext: 0,
            protocol: None,
            vlan: n.vlan,
            port: n.port,
            vni: n.vni,
            src_vni: n.src_vni,
            via: n.via,
            nhid: n.nhid,
        }
    }

    /// The request, in the attribute order of `ip neigh` / `bridge fdb`.
    pub fn message(&self, ty: u16, flags: u16) -> MsgBuilder {
        let mut hdr = [0u8; 12];
        hdr[0] = self.family;
        hdr[4..8].copy_from_slice(&self.ifindex.to_ne_bytes());
        hdr[8..10].copy_from_slice(&self.state.to_ne_bytes());
        hdr[10] = self.flags;
        let mut m = MsgBuilder::new(ty, flags);
        m.push(&hdr);
        if self.family == AF_BRIDGE {
            if let Some(l) = &self.lladdr {
                m.attr(S::NDA_LLADDR, l);
            }
            if let Some(d) = self.dst {
                m.attr(S::NDA_DST, &ip_bytes(&d));
            }
            if let Some(v) = self.vlan {
                m.attr_u16(S::NDA_VLAN, v);
            }
            if let Some(n) = self.nhid {
                m.attr_u32(S::NDA_NH_ID, n);
            }
            if let Some(p) = self.port {
                m.attr(S::NDA_PORT, &p.to_be_bytes());
            }
            if let Some(v) = self.vni {
                m.attr_u32(S::NDA_VNI, v);
            }
            if let Some(v) = self.src_vni {
                m.attr_u32(S::NDA_SRC_VNI, v);
            }
            if let Some(i) = self.via {
                m.attr_u32(S::NDA_IFINDEX, i);
            }
        } else {
            if let Some(p) = self.protocol {
                m.attr_u8(S::NDA_PROTOCOL, p);
            }
            if let Some(d) = self.dst {
                m.attr(S::NDA_DST, &ip_bytes(&d));
            }
            if self.flags_ext != 0 {
                m.attr_u32(S::NDA_FLAGS_EXT, self.flags_ext);
            }
            if let Some(l) = &self.lladdr {
                m.attr(S::NDA_LLADDR, l);
            }
        }
        m
    }

    /// "neigh add 10.0.0.9 lladdr 02:.. dev v0" / "fdb add 02:.. dev vx0 dst 192.0.2.2".
    pub fn op(&self, verb: &str, dev: &str) -> String {
        if self.family == AF_BRIDGE {
            let mut o = format!("fdb {verb} {}", self.lladdr.as_deref().map(units::format_mac).unwrap_or_default());
            o.push_str(&format!(" dev {dev}"));
            if let Some(d) = self.dst {
                o.push_str(&format!(" dst {d}"));
            }
            if let Some(v) = self.vlan {
                o.push_str(&format!(" vlan {v}"));
            }
            return o;
        }
        let mut o = format!("neigh {verb}");
        if self.flags & S::NTF_PROXY != 0 {
            o.push_str(" proxy");
        }
        if let Some(d) = self.dst {
            o.push_str(&format!(" {d}"));
        }
        if let Some(l) = &self.lladdr {
            o.push_str(&format!(" lladdr {}", units::format_mac(l)));
        }
        if self.ifindex != 0 {
            o.push_str(&format!(" dev {dev}"));
        }
        o
    }
}

/// How a neighbour change meets existing entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeighVerb {
    /// Add (EEXIST if it is there).
    Add,
    /// Add, or replace what is there.
    Replace,
    /// Replace an existing entry (ENOENT if none).
    Change,
    /// Another destination for the same MAC (vxlan flooding lists).
    Append,
    /// Delete.
    Del,
}

impl NeighVerb {
    fn wire(self) -> (u16, u16, &'static str) {
        match self {
            NeighVerb::Add => (RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, "add"),
            NeighVerb::Replace => (RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, "replace"),
            NeighVerb::Change => (RTM_NEWNEIGH, NLM_F_REPLACE, "change"),
            NeighVerb::Append => (RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND, "append"),
            NeighVerb::Del => (RTM_DELNEIGH, 0, "del"),
        }
    }
}

impl Handle {
    /// Neighbour and FDB entries, filtered.
    pub fn neigh_list(&self, f: &NeighFilter) -> Result<Vec<Neigh>> {
        let mut m = MsgBuilder::new(RTM_GETNEIGH, 0);
        let mut hdr = [0u8; 12];
        hdr[0] = f.family;
        if f.proxy {
            hdr[10] = S::NTF_PROXY;
        }
        if f.family == AF_BRIDGE {
            // The FDB dump takes the port in the header (bridge fdb show brport).
            hdr[4..8].copy_from_slice(&f.index.unwrap_or(0).to_ne_bytes());
            m.push(&hdr);
        } else {
            m.push(&hdr);
            if let Some(i) = f.index {
                m.attr_u32(S::NDA_IFINDEX, i);
            }
        }
        if let Some(ms) = f.master {
            m.attr_u32(S::NDA_MASTER, ms);
        }
        let op = || if f.family == AF_BRIDGE { "fdb show".to_string() } else { "neigh show".to_string() };
        let all = self.dump(m, &op, |msg| {
            if msg.ty != RTM_NEWNEIGH {
                return Ok(None);
            }
            Neigh::parse(msg.payload).map(Some).map_err(|e| Error::kernel(libc::EPROTO, Some(e.into()), op()))
        })?;
        Ok(all.into_iter().filter(|n| f.accepts(n)).collect())
    }

    fn neigh_modify(&self, s: &NeighSpec, verb: NeighVerb) -> Result<()> {
        let (ty, flags, word) = verb.wire();
        // Looked up first: the op text is built while the handle reads the answer.
        let dev = self.link_get(s.ifindex).map(|l| l.name).unwrap_or_else(|_| format!("if{}", s.ifindex));
        self.observed(Change::Neigh(verb, s), || self.request(s.message(ty, flags), &|| s.op(word, &dev)))
    }

    /// Add an entry (EEXIST if there).
    pub fn neigh_add(&self, s: &NeighSpec) -> Result<()> {
        self.neigh_modify(s, NeighVerb::Add)
    }

    /// Add or update an entry.
    pub fn neigh_replace(&self, s: &NeighSpec) -> Result<()> {
        self.neigh_modify(s, NeighVerb::Replace)
    }

    /// Update an existing entry.
    pub fn neigh_change(&self, s: &NeighSpec) -> Result<()> {
        self.neigh_modify(s, NeighVerb::Change)
    }

    /// Append a destination to an FDB entry (`bridge fdb append`).
    pub fn neigh_append(&self, s: &NeighSpec) -> Result<()> {
        self.neigh_modify(s, NeighVerb::Append)
    }

    /// Delete an entry.
    pub fn neigh_del(&self, s: &NeighSpec) -> Result<()> {
        self.neigh_modify(s, NeighVerb::Del)
    }

    /// Delete every entry `f` selects (for IP neighbours the default keeps
    /// permanent and noarp entries, as `ip neigh flush`); returns how many went.
    pub fn neigh_flush(&self, f: &NeighFilter) -> Result<usize> {
        let mut f = f.clone();
        if f.state.is_none() && f.family != AF_BRIDGE {
            f.state = Some(FLUSH_STATES);
        }
        let entries = self.neigh_list(&f)?;
        if self.observer().is_some() {
            // Each deletion goes through the observer, so it can be undone.
            let mut count = 0;
            for n in &entries {
                match self.neigh_del(&NeighSpec::from_neigh(n)) {
                    Ok(()) => count += 1,
                    Err(e) if e.errno == libc::ENOENT => {}
                    Err(e) => return Err(e),
                }
            }
            return Ok(count);
        }
        let msgs = entries
            .iter()
            .map(|n| {
                let s = NeighSpec::from_neigh(n);
                (s.message(RTM_DELNEIGH, 0), s.op("del", &format!("if{}", n.ifindex)))
            })
            .collect();
        let mut count = 0;
        for r in self.batch(msgs) {
            match r {
                Ok(()) => count += 1,
                Err(e) if e.errno == libc::ENOENT => {}
                Err(e) => return Err(e),
            }
        }
        Ok(count)
    }
}
