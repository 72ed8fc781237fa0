//! Routes: the typed view of RTM_NEWROUTE and the route operations of a
//! [`Handle`] (list, get, add, replace, append, change, prepend, del, flush,
//! and pipelined batches), plus the iproute2 name tables routes use (tables,
//! protocols, route types, dsfield).

use std::net::IpAddr;

use ipnet::IpNet;
use nix::libc;

use super::encap::Encap;
use super::error::{Error, Result};
use super::change::Change;
use super::handle::Handle;
use super::message::{MsgBuilder, NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE};
use super::route_opts::ip_bytes;
use super::route_spec::RouteSpec;
use super::schema::route::{self as S, RTMSG};
use super::schema::{Attrs, Value};
use crate::units;

/// `RTM_NEWROUTE`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_NEWROUTE: u16 = 24;
/// `RTM_DELROUTE`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_DELROUTE: u16 = 25;
/// `RTM_GETROUTE`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_GETROUTE: u16 = 26;

const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;

/// The name of table `id` ("main", a name from /etc/iproute2/rt_tables[.d], or the number).
pub fn table_name(id: u32) -> String {
    units::iproute2_name("rt_tables", id, S::RT_TABLE_DEFAULTS)
}

/// A table number or name; the error completes "field 'table': ...".
pub fn parse_table(s: &str) -> std::result::Result<u32, String> {
    units::iproute2_id("rt_tables", s, S::RT_TABLE_DEFAULTS)
        .ok_or_else(|| format!("unknown table {s:?} (not a number or a name in /etc/iproute2/rt_tables or rt_tables.d)"))
}

/// The name of protocol `id` ("boot", "static", a name from rt_protos, or the number).
pub fn proto_name(id: u8) -> String {
    units::iproute2_name("rt_protos", id as u32, S::RTPROT_DEFAULTS)
}

/// A protocol number or name.
pub fn parse_proto(s: &str) -> std::result::Result<u8, String> {
    match units::iproute2_id("rt_protos", s, S::RTPROT_DEFAULTS) {
        Some(n) if n <= 255 => Ok(n as u8),
        _ => Err(format!("unknown protocol {s:?} (not a number 0..255 or a name in /etc/iproute2/rt_protos or rt_protos.d)")),
    }
}

/// The route type word ("unicast", "blackhole"...).
pub fn type_name(t: u8) -> String {
    S::RTN_NAMES.iter().find(|(k, _)| *k == t as u64).map(|(_, n)| n.to_string()).unwrap_or_else(|| t.to_string())
}

/// A TOS value as ip prints it: a name from /etc/iproute2/rt_dsfield or "0x%02x".
pub fn dsfield_name(t: u8) -> String {
    let names = units::iproute2_table("rt_dsfield", &[]);
    names.into_iter().find(|(i, _)| *i == t as u32).map(|(_, n)| n).unwrap_or_else(|| format!("0x{t:02x}"))
}

/// A TOS as ip reads it: a name from rt_dsfield, or hexadecimal ("0x10", "10").
pub fn parse_dsfield(s: &str) -> std::result::Result<u8, String> {
    if let Some((i, _)) = units::iproute2_table("rt_dsfield", &[]).into_iter().find(|(_, n)| n == s) {
        return Ok(i as u8);
    }
    let h = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s);
    u8::from_str_radix(h, 16)
        .map_err(|_| format!("unknown TOS {s:?} (a number, hex text like \"0x10\", or a name in /etc/iproute2/rt_dsfield)"))
}

/// USER_HZ: the unit of rta_cacheinfo and nda_cacheinfo times.
pub fn user_hz() -> i64 {
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if hz > 0 { hz as i64 } else { 100 }
}

/// One path of a multipath route.
#[derive(Debug, Clone, PartialEq)]
pub struct Nexthop {
    /// RTNH_F_* flags.
    pub flags: u8,
    /// 1..=256 (rtnh_hops + 1).
    pub weight: u16,
    /// Interface index.
    pub ifindex: u32,
    /// Gateway address of the route's family (RTA_GATEWAY).
    pub gateway: Option<IpAddr>,
    /// RTA_VIA: a gateway of the other family.
    pub via: Option<IpAddr>,
    /// Lightweight tunnel encapsulation (RTA_ENCAP).
    pub encap: Option<Encap>,
    /// Realms (from << 16 | to).
    pub realms: Option<u32>,
    /// Every attribute as read, the ones without a typed field included.
    pub attrs: Attrs,
}

/// A route as the kernel reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Address family: AF_INET (2) or AF_INET6 (10).
    pub family: u8,
    /// Destination prefix length.
    pub dst_len: u8,
    /// Source prefix length.
    pub src_len: u8,
    /// TOS / DSCP byte.
    pub tos: u8,
    /// The table (RTA_TABLE when present, which carries ids above 255).
    pub table: u32,
    /// Who added it (RTPROT_*, as /etc/iproute2/rt_protos names them).
    pub protocol: u8,
    /// Scope (RT_SCOPE_*: 0 universe/global, 253 link, 254 host).
    pub scope: u8,
    /// RTN_* type.
    pub rtype: u8,
    /// RTM_F_* / RTNH_F_* flags.
    pub flags: u32,
    /// Destination prefix address (None: default).
    pub dst: Option<IpAddr>,
    /// RTA_SRC: the source prefix the route applies to (`from`).
    pub from: Option<IpAddr>,
    /// RTA_PREFSRC: the preferred source address (`src`).
    pub prefsrc: Option<IpAddr>,
    /// Gateway address of the route's family (RTA_GATEWAY).
    pub gateway: Option<IpAddr>,
    /// Gateway of the other family (RTA_VIA).
    pub via: Option<IpAddr>,
    /// Output interface index.
    pub oif: Option<u32>,
    /// Input interface index.
    pub iif: Option<u32>,
    /// RTA_PRIORITY.
    pub metric: Option<u32>,
    /// Firewall mark (RTA_MARK).
    pub mark: Option<u32>,
    /// UID (RTA_UID).
    pub uid: Option<u32>,
    /// ICMPV6_ROUTER_PREF_* (IPv6).
    pub pref: Option<u8>,
    /// Realms (from << 16 | to).
    pub realms: Option<u32>,
    /// Nexthop object id.
    pub nhid: Option<u32>,
    /// The paths of a multipath route.
    pub nexthops: Vec<Nexthop>,
    /// Lightweight tunnel encapsulation (RTA_ENCAP).
    pub encap: Option<Encap>,
    /// Every attribute, decoded with the route tables (RTA_ENCAP nested by type).
    pub attrs: Attrs,
    /// The rtmsg header as received, for naming this exact route again.
    pub header: [u8; 12],
}

fn via_of(attrs: &Attrs) -> Option<IpAddr> {
    match attrs.value(S::RTA_VIA)? {
        Value::Bytes(b) => rtvia_addr(b),
        _ => None,
    }
}

/// The address in an RTA_VIA payload (struct rtvia: a u16 family, then 4 or
/// 16 address bytes); None for any other length.
pub(super) fn rtvia_addr(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        6 => Some(IpAddr::from(<[u8; 4]>::try_from(&b[2..]).ok()?)),
        18 => Some(IpAddr::from(<[u8; 16]>::try_from(&b[2..]).ok()?)),
        _ => None,
    }
}

fn encap_of(attrs: &Attrs) -> Option<Encap> {
    let kind = attrs.uint(S::RTA_ENCAP_TYPE)? as u16;
    let at = attrs.get(S::RTA_ENCAP)?;
    let payload = match &at.value {
        Value::Bytes(b) => b.clone(),
        Value::Nested(n) => n.to_bytes(),
        _ => return None,
    };
    Some(Encap::decode(kind, &payload))
}

impl Route {
    /// Parse an RTM_NEWROUTE payload (rtmsg + RTA_* attributes).
    pub fn parse(p: &[u8]) -> std::result::Result<Route, &'static str> {
        if p.len() < RTMSG.size {
            return Err("short rtmsg");
        }
        let attrs = S::decode_route_attrs(&p[RTMSG.size..]);
        let u32_of = |id| attrs.uint(id).map(|v| v as u32);
        let nexthops = match attrs.value(S::RTA_MULTIPATH) {
            Some(Value::Bytes(b)) => S::decode_multipath(b)
                .into_iter()
                .map(|r| Nexthop {
                    flags: r.flags,
                    weight: r.hops as u16 + 1,
                    ifindex: r.ifindex,
                    gateway: r.attrs.ip(S::RTA_GATEWAY),
                    via: via_of(&r.attrs),
                    encap: encap_of(&r.attrs),
                    realms: r.attrs.uint(S::RTA_FLOW).map(|v| v as u32),
                    attrs: r.attrs,
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(Route {
            family: p[0],
            dst_len: p[1],
            src_len: p[2],
            tos: p[3],
            table: u32_of(S::RTA_TABLE).unwrap_or(p[4] as u32),
            protocol: p[5],
            scope: p[6],
            rtype: p[7],
            flags: super::ne_u32(p, 8),
            dst: attrs.ip(S::RTA_DST),
            from: attrs.ip(S::RTA_SRC),
            prefsrc: attrs.ip(S::RTA_PREFSRC),
            gateway: attrs.ip(S::RTA_GATEWAY),
            via: via_of(&attrs),
            oif: u32_of(S::RTA_OIF),
            iif: u32_of(S::RTA_IIF),
            metric: u32_of(S::RTA_PRIORITY),
            mark: u32_of(S::RTA_MARK),
            uid: u32_of(S::RTA_UID),
            pref: attrs.uint(S::RTA_PREF).map(|v| v as u8),
            realms: u32_of(S::RTA_FLOW),
            nhid: u32_of(S::RTA_NH_ID),
            encap: encap_of(&attrs),
            nexthops,
            header: p[..12].try_into().unwrap(),
            attrs,
        })
    }

    /// Bits in an address of this family.
    pub fn host_len(&self) -> u8 {
        if self.family == AF_INET6 { 128 } else { 32 }
    }

    /// The destination as a network; the zero address for a default route.
    pub fn dst_net(&self) -> IpNet {
        let a = self.dst.unwrap_or(if self.family == AF_INET6 { IpAddr::V6(0.into()) } else { IpAddr::V4(0.into()) });
        IpNet::new(a, self.dst_len).unwrap_or_else(|_| IpNet::from(a))
    }

    /// "10.0.0.0/24", "10.0.0.1/32" or "default".
    pub fn prefix(&self) -> String {
        if self.dst_len == 0 && self.dst.is_none() { "default".into() } else { self.dst_net().to_string() }
    }

    /// The RTA_SRC prefix ("from"), if there is one.
    pub fn from_prefix(&self) -> Option<String> {
        if self.src_len == 0 {
            return None;
        }
        let a = self.from.unwrap_or(if self.family == AF_INET6 { IpAddr::V6(0.into()) } else { IpAddr::V4(0.into()) });
        Some(IpNet::new(a, self.src_len).map(|n| n.to_string()).unwrap_or_else(|_| a.to_string()))
    }

    /// The gateway of the route itself or its first path.
    pub fn gateway_any(&self) -> Option<IpAddr> {
        self.gateway.or(self.via).or_else(|| self.nexthops.iter().find_map(|n| n.gateway.or(n.via)))
    }

    /// A metric (RTAX_*) by option name ("mtu"), raw as the kernel stores it.
    pub fn metric_raw(&self, name: &str) -> Option<u64> {
        let m = self.attrs.nested(S::RTA_METRICS)?;
        let d = S::METRICS.by_name(name).next()?;
        m.uint(d.id)
    }

    /// The names of locked metrics.
    pub fn locked_metrics(&self) -> Vec<&'static str> {
        let lock = self.attrs.nested(S::RTA_METRICS).and_then(|m| m.uint(S::RTAX_LOCK)).unwrap_or(0);
        S::METRICS.attrs.iter().filter(|d| d.id < 32 && lock & (1 << d.id) != 0).map(|d| d.name).collect()
    }

    /// Seconds until the route expires (IPv6 routes with a lifetime).
    pub fn expires(&self) -> Option<i64> {
        match self.attrs.value(S::RTA_CACHEINFO)? {
            Value::Struct(_, f, _) => match f.iter().find(|(n, _)| *n == "expires")?.1 {
                Value::I(0) | Value::U(0) => None,
                Value::I(t) => Some(t / user_hz()),
                Value::U(t) => Some(t as i64 / user_hz()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The names of set rtm_flags, in ip's order.
    pub fn flag_names(&self) -> Vec<&'static str> {
        flag_names(self.flags)
    }

    /// True for a route the kernel cached (RTM_F_CLONED), not a FIB entry.
    pub fn is_cloned(&self) -> bool {
        self.flags & S::RTM_F_CLONED != 0
    }

    /// The message that deletes exactly this route: the route as dumped, sent
    /// back as RTM_DELROUTE (what `ip route flush` does).
    pub fn delete_message(&self) -> MsgBuilder {
        let mut m = MsgBuilder::new(RTM_DELROUTE, 0);
        m.push(&self.header);
        let keep = Attrs(self.attrs.0.iter().filter(|a| a.id != S::RTA_CACHEINFO).cloned().collect());
        m.raw_attrs(&keep.to_bytes());
        m
    }
}

/// Names of rtm_flags / rtnh_flags bits, in ip's order.
pub fn flag_names(flags: u32) -> Vec<&'static str> {
    S::RT_FLAG_NAMES.iter().filter(|(b, _)| flags & b != 0).map(|(_, n)| *n).collect()
}

/// How a destination filter matches (ip route show [root|match|exact] PREFIX).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DstMatch {
    /// Exactly this prefix.
    Exact(IpNet),
    /// Routes inside this prefix.
    Root(IpNet),
    /// Routes that contain this prefix.
    Match(IpNet),
    /// The default route (prefix length 0) of either family: what "default"
    /// selects when no family is given.
    Default,
}

/// Which routes a list returns. `table: None` is every table; `family: 0`
/// both. Table, device, protocol and type also go to the kernel as dump filters.
#[derive(Debug, Clone, Default)]
pub struct RouteFilter {
    /// Address family to list: AF_INET, AF_INET6, or 0 for both.
    pub family: u8,
    /// Only this table (None: every table).
    pub table: Option<u32>,
    /// Only routes through this output interface.
    pub oif: Option<u32>,
    /// Only routes added by this protocol.
    pub protocol: Option<u8>,
    /// Only routes of this type (RTN_*).
    pub rtype: Option<u8>,
    /// Only routes of this scope (RT_SCOPE_*).
    pub scope: Option<u8>,
    /// Only routes whose destination matches (see [`DstMatch`]).
    pub dst: Option<DstMatch>,
    /// Only routes with this metric.
    pub metric: Option<u32>,
    /// Only routes through this gateway.
    pub gateway: Option<IpAddr>,
}

impl RouteFilter {
    /// Whether `r` passes (ip's filter_nlmsg, for the keys this filter has).
    pub fn accepts(&self, r: &Route) -> bool {
        if r.is_cloned() {
            return false;
        }
        if self.family != 0 && r.family != self.family {
            return false;
        }
        if self.table.is_some_and(|t| t != r.table)
            || self.oif.is_some_and(|o| r.oif != Some(o) && !r.nexthops.iter().any(|n| n.ifindex == o))
            || self.protocol.is_some_and(|p| p != r.protocol)
            || self.rtype.is_some_and(|t| t != r.rtype)
            || self.scope.is_some_and(|s| s != r.scope)
            || self.metric.is_some_and(|m| r.metric.unwrap_or(0) != m)
        {
            return false;
        }
        if let Some(g) = self.gateway
            && r.gateway != Some(g)
            && r.via != Some(g)
            && !r.nexthops.iter().any(|n| n.gateway == Some(g) || n.via == Some(g))
        {
            return false;
        }
        let net = r.dst_net();
        match self.dst {
            None => true,
            Some(DstMatch::Exact(p)) => net.prefix_len() == p.prefix_len() && net.trunc() == p.trunc(),
            Some(DstMatch::Root(p)) => same_family(&net, &p) && p.contains(&net),
            Some(DstMatch::Match(p)) => same_family(&net, &p) && net.contains(&p),
            Some(DstMatch::Default) => r.dst_len == 0,
        }
    }
}

fn same_family(a: &IpNet, b: &IpNet) -> bool {
    a.addr().is_ipv4() == b.addr().is_ipv4()
}

/// What `route.get` asks the kernel (ip route get).
#[derive(Debug, Clone)]
pub struct RouteQuery {
    /// The address to look up.
    pub dst: IpAddr,
    /// Source address for the lookup.
    pub from: Option<IpAddr>,
    /// Input interface for the lookup (as if received there).
    pub iif: Option<u32>,
    /// Output interface to use for the lookup.
    pub oif: Option<u32>,
    /// Firewall mark (RTA_MARK).
    pub mark: Option<u32>,
    /// UID (RTA_UID).
    pub uid: Option<u32>,
    /// TOS / DSCP byte.
    pub tos: u8,
    /// IP protocol (IPPROTO_*).
    pub ipproto: Option<u8>,
    /// Source port (RTA_SPORT).
    pub sport: Option<u16>,
    /// Destination port (RTA_DPORT).
    pub dport: Option<u16>,
    /// Return the FIB entry that matched (RTM_F_FIB_MATCH) instead of the
    /// resolved route.
    pub fibmatch: bool,
}

impl RouteQuery {
    /// A query for `dst` with nothing else set.
    pub fn new(dst: IpAddr) -> RouteQuery {
        RouteQuery {
            dst,
            from: None,
            iif: None,
            oif: None,
            mark: None,
            uid: None,
            tos: 0,
            ipproto: None,
            sport: None,
            dport: None,
            fibmatch: false,
        }
    }

    fn message(&self) -> MsgBuilder {
        let family = units::family_of(&self.dst);
        let host = if family == AF_INET6 { 128 } else { 32 };
        let mut flags: u32 = if family == AF_INET { S::RTM_F_LOOKUP_TABLE } else { 0 };
        if self.fibmatch {
            flags |= S::RTM_F_FIB_MATCH;
        }
        let mut hdr = [0u8; 12];
        hdr[0] = family;
        hdr[1] = host;
        hdr[2] = if self.from.is_some() { host } else { 0 };
        hdr[3] = self.tos;
        hdr[8..12].copy_from_slice(&flags.to_ne_bytes());
        let mut m = MsgBuilder::new(RTM_GETROUTE, 0);
        m.push(&hdr);
        m.attr(S::RTA_DST, &ip_bytes(&self.dst));
        if let Some(f) = self.from {
            m.attr(S::RTA_SRC, &ip_bytes(&f));
        }
        if let Some(u) = self.uid {
            m.attr_u32(S::RTA_UID, u);
        }
        if let Some(p) = self.sport {
            m.attr(S::RTA_SPORT, &p.to_be_bytes());
        }
        if let Some(p) = self.dport {
            m.attr(S::RTA_DPORT, &p.to_be_bytes());
        }
        if let Some(p) = self.ipproto {
            m.attr_u8(S::RTA_IP_PROTO, p);
        }
        if let Some(i) = self.iif {
            m.attr_u32(S::RTA_IIF, i);
        }
        if let Some(o) = self.oif {
            m.attr_u32(S::RTA_OIF, o);
        }
        if let Some(k) = self.mark.filter(|k| *k != 0) {
            m.attr_u32(S::RTA_MARK, k);
        }
        m
    }
}

/// How a new route meets the routes already there (the `ip route` verbs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteVerb {
    /// Fail with EEXIST if the route exists.
    Add,
    /// Create or replace.
    Replace,
    /// Replace an existing route; ENOENT if there is none.
    Change,
    /// Add after the existing routes with the same key (another path for IPv6).
    Append,
    /// Add before the existing routes with the same key.
    Prepend,
    /// Delete.
    Del,
}

impl RouteVerb {
    /// Message type and flags, as ip/iproute.c do_iproute sends them.
    pub fn wire(self) -> (u16, u16) {
        match self {
            RouteVerb::Add => (RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL),
            RouteVerb::Replace => (RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE),
            RouteVerb::Change => (RTM_NEWROUTE, NLM_F_REPLACE),
            RouteVerb::Append => (RTM_NEWROUTE, NLM_F_CREATE | NLM_F_APPEND),
            RouteVerb::Prepend => (RTM_NEWROUTE, NLM_F_CREATE),
            RouteVerb::Del => (RTM_DELROUTE, 0),
        }
    }

    /// The verb a route request carries out, read back from its type and
    /// header flags (the reverse of [`RouteVerb::wire`]).
    pub fn from_wire(ty: u16, flags: u16) -> Option<RouteVerb> {
        use RouteVerb::*;
        let flags = if ty == RTM_DELROUTE { 0 } else { flags & (NLM_F_CREATE | NLM_F_EXCL | NLM_F_REPLACE | NLM_F_APPEND) };
        [Add, Replace, Change, Append, Prepend, Del].into_iter().find(|v| v.wire() == (ty, flags))
    }

    /// The ip word ("add", "replace"...).
    pub fn word(self) -> &'static str {
        match self {
            RouteVerb::Add => "add",
            RouteVerb::Replace => "replace",
            RouteVerb::Change => "change",
            RouteVerb::Append => "append",
            RouteVerb::Prepend => "prepend",
            RouteVerb::Del => "del",
        }
    }
}

impl Handle {
    pub(crate) fn ifname_or_index(&self, i: u32) -> String {
        self.link_get(i).map(|l| l.name).unwrap_or_else(|_| format!("if{i}"))
    }

    /// Routes, filtered. A table that does not exist yet has no routes.
    pub fn route_list(&self, f: &RouteFilter) -> Result<Vec<Route>> {
        let op = || "route show".to_string();
        let routes = self.dump(f.dump_request(), &op, |msg| {
            if msg.ty != RTM_NEWROUTE {
                return Ok(None);
            }
            let r = Route::parse(msg.payload).map_err(|e| Error::kernel(libc::EPROTO, Some(e.into()), "route show"))?;
            Ok(if f.accepts(&r) { Some(r) } else { None })
        });
        match routes {
            Err(e) if e.errno == libc::ENOENT && f.table.is_some() => Ok(Vec::new()),
            other => other,
        }
    }

    /// The route the kernel would use (RTM_GETROUTE), like `ip route get`.
    pub fn route_get(&self, q: &RouteQuery) -> Result<Route> {
        // Names are looked up before the request: the op text is built while
        // the handle is busy reading the answer.
        let iif = q.iif.map(|i| self.ifname_or_index(i));
        let oif = q.oif.map(|i| self.ifname_or_index(i));
        let op = || {
            let mut o = format!("route get {}", q.dst);
            if let Some(f) = q.from {
                o.push_str(&format!(" from {f}"));
            }
            if let Some(i) = &iif {
                o.push_str(&format!(" iif {i}"));
            }
            if let Some(i) = &oif {
                o.push_str(&format!(" oif {i}"));
            }
            if q.fibmatch {
                o.push_str(" fibmatch");
            }
            o
        };
        let reply = self.request_reply(q.message(), &op)?;
        Route::parse(&reply).map_err(|e| Error::kernel(libc::EPROTO, Some(e.into()), op()))
    }

    /// Add, replace, change, append, prepend or delete a route.
    pub fn route_modify(&self, s: &RouteSpec, verb: RouteVerb) -> Result<()> {
        let (ty, flags) = verb.wire();
        // Device names label an error only: looked up when one happens, never
        // on the way (a lookup per route would double the cost of adding one).
        self.observed(Change::Route(verb, s), || {
            let r = self.request(s.message(ty, flags), &|| String::new());
            r.map_err(|e| {
                let op = s.op(verb.word(), &|i| self.ifname_or_index(i));
                Error { op, ..e }
            })
        })
    }

    /// Add a route (EEXIST if it is there).
    pub fn route_add(&self, s: &RouteSpec) -> Result<()> {
        self.route_modify(s, RouteVerb::Add)
    }

    /// Create or replace a route.
    pub fn route_replace(&self, s: &RouteSpec) -> Result<()> {
        self.route_modify(s, RouteVerb::Replace)
    }

    /// Delete the route `s` names.
    pub fn route_del(&self, s: &RouteSpec) -> Result<()> {
        self.route_modify(s, RouteVerb::Del)
    }

    /// Delete exactly the route `r` (as listed).
    pub fn route_del_route(&self, r: &Route) -> Result<()> {
        self.observed(Change::RouteDel(r), || {
            self.request(r.delete_message(), &|| format!("route del {} table {}", r.prefix(), table_name(r.table)))
        })
    }
}
