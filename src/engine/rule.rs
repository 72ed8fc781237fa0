//! Policy routing rules: the typed view of RTM_NEWRULE and the rule operations
//! of a [`Handle`] (list, add, del), encoded as `ip rule` encodes them
//! (ip/iprule.c iprule_modify).

use std::net::IpAddr;

use ipnet::IpNet;
use nix::libc;

use super::error::{Error, Result};
use super::change::Change;
use super::handle::Handle;
use super::message::{MsgBuilder, NLM_F_CREATE, NLM_F_EXCL};
use super::route::table_name;
use super::route_opts::{ip_bytes, one_of, proto_opt, realms_opt, table_opt, tos_opt};
use super::schema::rule::{self as S, FIB_RULE_HDR};
use super::schema::{self, Attrs, FieldError, Fields, Opt, Value};
use crate::units;

/// `RTM_NEWRULE`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_NEWRULE: u16 = 32;
/// `RTM_DELRULE`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_DELRULE: u16 = 33;
/// `RTM_GETRULE`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_GETRULE: u16 = 34;

const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;

/// IP protocols nlua knows by name when /etc/protocols is missing.
const IPPROTO_DEFAULTS: &[(u32, &str)] =
    &[(1, "icmp"), (2, "igmp"), (6, "tcp"), (17, "udp"), (47, "gre"), (50, "esp"), (51, "ah"), (58, "ipv6-icmp"), (132, "sctp")];

fn protocols() -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = Vec::new();
    if let Ok(text) = std::fs::read_to_string("/etc/protocols") {
        for line in text.lines() {
            let mut it = line.split('#').next().unwrap_or("").split_whitespace();
            if let (Some(name), Some(num)) = (it.next(), it.next())
                && let Ok(n) = num.parse::<u32>()
                && !out.iter().any(|(i, _)| *i == n)
            {
                out.push((n, name.to_string()));
            }
        }
    }
    if out.is_empty() {
        out = IPPROTO_DEFAULTS.iter().map(|(i, n)| (*i, n.to_string())).collect();
    }
    out
}

/// An IP protocol's name as ip prints it ("tcp", or "ipproto-N").
pub fn ip_proto_name(p: u8) -> String {
    protocols().into_iter().find(|(i, _)| *i == p as u32).map(|(_, n)| n).unwrap_or_else(|| format!("ipproto-{p}"))
}

/// An IP protocol by number or name (/etc/protocols).
pub fn parse_ip_proto(s: &str) -> std::result::Result<u8, String> {
    if let Ok(n) = s.parse::<u8>() {
        return Ok(n);
    }
    protocols().into_iter().find(|(_, n)| n == s).map(|(i, _)| i as u8).ok_or_else(|| format!("unknown IP protocol {s:?}"))
}

/// A rule as the kernel reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Address family: AF_INET (2) or AF_INET6 (10); a dump of every family
    /// also has the multicast routing ones (RTNL_FAMILY_IPMR 128, IP6MR 129).
    pub family: u8,
    /// Destination prefix length.
    pub dst_len: u8,
    /// Source prefix length.
    pub src_len: u8,
    /// TOS / DSCP byte.
    pub tos: u8,
    /// FRA_TABLE when present (ids above 255), else the header's table.
    pub table: u32,
    /// FR_ACT_* (1 lookup, 2 goto, 3 nop, 6 blackhole, 7 unreachable, 8 prohibit).
    pub action: u8,
    /// FIB_RULE_* flags (invert, unresolved, detached).
    pub flags: u32,
    /// Source prefix address the rule selects.
    pub src: Option<IpAddr>,
    /// Destination prefix address the rule selects.
    pub dst: Option<IpAddr>,
    /// Input interface name the rule selects (FRA_IIFNAME).
    pub iif: Option<String>,
    /// Output interface name the rule selects (FRA_OIFNAME).
    pub oif: Option<String>,
    /// Target priority of a `goto` rule.
    pub goto: Option<u32>,
    /// Rule priority (FRA_PRIORITY).
    pub priority: u32,
    /// Firewall mark to select.
    pub fwmark: Option<u32>,
    /// Mask for the firewall mark.
    pub fwmask: Option<u32>,
    /// Realms (from << 16 | to).
    pub realms: Option<u32>,
    /// Tunnel id to select (FRA_TUN_ID).
    pub tun_id: Option<u64>,
    /// -1 (or absent) means none.
    pub suppress_ifgroup: Option<i32>,
    /// Suppress lookups whose prefix length is this or less.
    pub suppress_prefixlen: Option<i32>,
    /// Select by the L3 master device (VRF).
    pub l3mdev: bool,
    /// UID range to select (first, last).
    pub uid_range: Option<(u32, u32)>,
    /// Who added it (RTPROT_*, as /etc/iproute2/rt_protos names them).
    pub protocol: Option<u8>,
    /// IP protocol (IPPROTO_*).
    pub ipproto: Option<u8>,
    /// Source port range (first, last; one port is first == last).
    pub sport: Option<(u16, u16)>,
    /// Destination port range (first, last; one port is first == last).
    pub dport: Option<(u16, u16)>,
    /// Every attribute as read, the ones without a typed field included.
    pub attrs: Attrs,
    /// The header as received, to name this exact rule again.
    pub header: [u8; 12],
}

fn pair(attrs: &Attrs, id: u16) -> Option<(u64, u64)> {
    match attrs.value(id)? {
        Value::Struct(_, f, _) => {
            let get =
                |n: &str| f.iter().find(|(k, _)| *k == n).and_then(|(_, v)| if let Value::U(x) = v { Some(*x) } else { None });
            Some((get("start")?, get("end")?))
        }
        _ => None,
    }
}

impl Rule {
    /// Parse an RTM_NEWRULE payload.
    pub fn parse(p: &[u8]) -> std::result::Result<Rule, &'static str> {
        if p.len() < FIB_RULE_HDR.size {
            return Err("short fib_rule_hdr");
        }
        let attrs = schema::decode(&S::RULE, &p[FIB_RULE_HDR.size..]);
        let u32_of = |id| attrs.uint(id).map(|v| v as u32);
        Ok(Rule {
            family: p[0],
            dst_len: p[1],
            src_len: p[2],
            tos: p[3],
            table: u32_of(S::FRA_TABLE).unwrap_or(p[4] as u32),
            action: p[7],
            flags: super::ne_u32(p, 8),
            src: attrs.ip(S::FRA_SRC),
            dst: attrs.ip(S::FRA_DST),
            iif: attrs.str(S::FRA_IIFNAME).map(str::to_string),
            oif: attrs.str(S::FRA_OIFNAME).map(str::to_string),
            goto: u32_of(S::FRA_GOTO),
            priority: u32_of(S::FRA_PRIORITY).unwrap_or(0),
            fwmark: u32_of(S::FRA_FWMARK),
            fwmask: u32_of(S::FRA_FWMASK),
            realms: u32_of(S::FRA_FLOW),
            tun_id: match attrs.value(S::FRA_TUN_ID) {
                Some(Value::Bytes(b)) if b.len() == 8 => Some(u64::from_be_bytes(b[..].try_into().unwrap())),
                _ => None,
            },
            suppress_ifgroup: u32_of(S::FRA_SUPPRESS_IFGROUP).map(|v| v as i32),
            suppress_prefixlen: u32_of(S::FRA_SUPPRESS_PREFIXLEN).map(|v| v as i32),
            l3mdev: attrs.uint(S::FRA_L3MDEV).unwrap_or(0) != 0,
            uid_range: pair(&attrs, S::FRA_UID_RANGE).map(|(a, b)| (a as u32, b as u32)),
            protocol: attrs.uint(S::FRA_PROTOCOL).map(|v| v as u8),
            ipproto: attrs.uint(S::FRA_IP_PROTO).map(|v| v as u8),
            sport: pair(&attrs, S::FRA_SPORT_RANGE).map(|(a, b)| (a as u16, b as u16)),
            dport: pair(&attrs, S::FRA_DPORT_RANGE).map(|(a, b)| (a as u16, b as u16)),
            header: p[..12].try_into().unwrap(),
            attrs,
        })
    }

    /// True when the selector is inverted (`not`).
    pub fn is_not(&self) -> bool {
        self.flags & S::FIB_RULE_INVERT != 0
    }

    /// The action word ("lookup", "goto", "nop", "blackhole"...).
    pub fn action_name(&self) -> String {
        S::ACTION_NAMES
            .iter()
            .find(|(k, _)| *k == self.action as u64)
            .map(|(_, n)| n.to_string())
            .unwrap_or_else(|| self.action.to_string())
    }

    fn prefix(&self, a: Option<IpAddr>, len: u8) -> Option<String> {
        if a.is_none() && len == 0 {
            return None;
        }
        let a = a.unwrap_or(if self.family == AF_INET6 { IpAddr::V6(0.into()) } else { IpAddr::V4(0.into()) });
        Some(IpNet::new(a, len).map(|n| n.to_string()).unwrap_or_else(|_| a.to_string()))
    }

    /// "10.0.0.0/8" for `from`, None for all.
    pub fn from_prefix(&self) -> Option<String> {
        self.prefix(self.src, self.src_len)
    }

    /// "10.0.0.0/8" for `to`, None for all.
    pub fn to_prefix(&self) -> Option<String> {
        self.prefix(self.dst, self.dst_len)
    }

    /// The message that deletes exactly this rule (the rule as dumped, sent back).
    pub fn delete_message(&self) -> MsgBuilder {
        let mut m = MsgBuilder::new(RTM_DELRULE, 0);
        m.push(&self.header);
        m.raw_attrs(&self.attrs.to_bytes());
        m
    }
}

/// Which rules a list returns.
#[derive(Debug, Clone, Default)]
pub struct RuleFilter {
    /// AF_INET / AF_INET6, 0 for both (any other family by number).
    pub family: u8,
    /// Only the rule with this priority.
    pub priority: Option<u32>,
    /// Only rules that look up this table.
    pub table: Option<u32>,
}

/// A rule to add or delete.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleSpec {
    /// Address family: AF_INET (2) or AF_INET6 (10); 0 is sent as AF_INET.
    pub family: u8,
    /// Source prefix to select.
    pub from: Option<IpNet>,
    /// Destination prefix to select.
    pub to: Option<IpNet>,
    /// Invert the selector.
    pub not: bool,
    /// Rule priority (FRA_PRIORITY).
    pub priority: Option<u32>,
    /// TOS / DSCP byte.
    pub tos: u8,
    /// Firewall mark to select.
    pub fwmark: Option<u32>,
    /// Mask for the firewall mark.
    pub fwmask: Option<u32>,
    /// Realms (from << 16 | to).
    pub realms: Option<u32>,
    /// Who added it (RTPROT_*, as /etc/iproute2/rt_protos names them).
    pub protocol: Option<u8>,
    /// Routing table id.
    pub table: Option<u32>,
    /// Suppress lookups whose prefix length is this or less.
    pub suppress_prefixlength: Option<i32>,
    /// Suppress lookups through interfaces of this group.
    pub suppress_ifgroup: Option<u32>,
    /// Input interface name to select.
    pub iif: Option<String>,
    /// Output interface name to select.
    pub oif: Option<String>,
    /// Select by the L3 master device (VRF).
    pub l3mdev: bool,
    /// UID range to select (first, last).
    pub uidrange: Option<(u32, u32)>,
    /// IP protocol (IPPROTO_*).
    pub ipproto: Option<u8>,
    /// Source port range (first, last; one port is first == last).
    pub sport: Option<(u16, u16)>,
    /// Destination port range (first, last; one port is first == last).
    pub dport: Option<(u16, u16)>,
    /// FR_ACT_*; None: lookup for add, unspecified for del.
    pub action: Option<u8>,
    /// Target priority of a `goto` rule.
    pub goto: Option<u32>,
    /// Tunnel id to select (FRA_TUN_ID).
    pub tun_id: Option<u64>,
}

/// Options rule.add/del read.
pub const RULE_FIELDS: &[&str] = &[
    "family",
    "from",
    "to",
    "not_",
    "not",
    "priority",
    "pref",
    "tos",
    "dscp",
    "fwmark",
    "mask",
    "realms",
    "proto",
    "protocol",
    "table",
    "suppress_prefixlength",
    "suppress_ifgroup",
    "iif",
    "oif",
    "l3mdev",
    "uidrange",
    "ipproto",
    "sport",
    "dport",
    "action",
    "goto",
    "tun_id",
];

/// A range like 1000, "1000-2000", {1000, 2000} or {start=, ["end"]=}.
fn range_opt(f: &mut Fields<'_>, key: &'static str, max: u64) -> std::result::Result<Option<(u64, u64)>, FieldError> {
    let Some(v) = f.take(key) else { return Ok(None) };
    let num = |o: &Opt| o.as_int().filter(|n| *n >= 0 && *n as u64 <= max).map(|n| n as u64);
    let r = match v {
        Opt::Str(s) => {
            let mut it = s.splitn(2, '-').map(|p| p.trim().parse::<u64>().ok().filter(|n| *n <= max));
            match (it.next().flatten(), it.next()) {
                (Some(a), None) => Some((a, a)),
                (Some(a), Some(Some(b))) => Some((a, b)),
                _ => None,
            }
        }
        Opt::List(l) if l.len() == 2 => num(&l[0]).zip(num(&l[1])),
        Opt::Map(_) => v.get("start").and_then(num).zip(v.get("end").and_then(num)),
        _ => num(v).map(|n| (n, n)),
    };
    match r {
        Some((a, b)) if a <= b => Ok(Some((a, b))),
        _ => Err(f.expected(key, &format!("number or range like \"1000-2000\" or {{1000, 2000}} (0..{max})"), v)),
    }
}

fn ifname_opt(
    f: &mut Fields<'_>,
    key: &'static str,
    name_of: &dyn Fn(u32) -> Option<String>,
) -> std::result::Result<Option<String>, FieldError> {
    match f.take(key) {
        None => Ok(None),
        Some(Opt::Str(s)) if super::link::valid_ifname(s) => Ok(Some(s.clone())),
        Some(v @ Opt::Int(i)) => {
            let n = u32::try_from(*i).ok().and_then(name_of);
            n.map(Some).ok_or_else(|| f.expected(key, "interface name or Link", v))
        }
        Some(v) => Err(f.expected(key, "interface name or Link", v)),
    }
}

impl RuleSpec {
    /// Parse rule options (see [`RULE_FIELDS`]). `name_of` turns a Link's
    /// index into its name (rules match interfaces by name).
    pub fn from_opts(
        map: &[(String, Opt)],
        name_of: &dyn Fn(u32) -> Option<String>,
    ) -> std::result::Result<RuleSpec, FieldError> {
        let mut f = Fields::new(map, "");
        let mut s = RuleSpec::default();
        let explicit = f.parsed("family", "\"inet\" or \"inet6\"", units::parse_family)?;
        let what = "prefix like \"10.0.0.0/8\" or \"all\"";
        let pfx = |f: &mut Fields<'_>, key: &'static str| -> std::result::Result<Option<IpNet>, FieldError> {
            match f.take(key) {
                None => Ok(None),
                Some(Opt::Str(a)) if a == "all" => Ok(None),
                Some(v) => v
                    .as_str()
                    .and_then(|x| units::parse_prefix(x).ok())
                    .and_then(|(a, l)| IpNet::new(a, l).ok())
                    .map(Some)
                    .ok_or_else(|| f.expected(key, what, v)),
            }
        };
        s.from = pfx(&mut f, "from")?;
        s.to = pfx(&mut f, "to")?;
        let fams: Vec<u8> = [s.from, s.to].iter().flatten().map(|n| units::family_of(&n.addr())).collect();
        s.family = match explicit {
            Some(x @ (AF_INET | AF_INET6)) => x,
            Some(_) => return Err(FieldError("field 'family': expected \"inet\" or \"inet6\"".into())),
            None => fams.first().copied().unwrap_or(AF_INET),
        };
        for (k, n) in [("from", s.from), ("to", s.to)] {
            if let Some(n) = n
                && units::family_of(&n.addr()) != s.family
            {
                return Err(FieldError(format!(
                    "field '{k}': {n} is not in the rule's family ({})",
                    units::family_name(s.family)
                )));
            }
        }
        one_of(map, "not_", "not")?;
        s.not = f.bool("not_")?.unwrap_or(false) | f.bool("not")?.unwrap_or(false);
        one_of(map, "priority", "pref")?;
        s.priority = match f.u32("priority")? {
            Some(p) => Some(p),
            None => f.u32("pref")?,
        };
        s.tos = tos_opt(&mut f)?.unwrap_or(0);
        match f.take("fwmark") {
            None => {}
            Some(Opt::Str(t)) if t.contains('/') => {
                let (a, b) = t.split_once('/').unwrap();
                let p =
                    |x: &str| if let Some(h) = x.strip_prefix("0x") { u32::from_str_radix(h, 16).ok() } else { x.parse().ok() };
                match (p(a), p(b)) {
                    (Some(m), Some(k)) => {
                        s.fwmark = Some(m);
                        s.fwmask = Some(k);
                    }
                    _ => return Err(f.expected("fwmark", "mark like 7, \"0x7\" or \"0x7/0xff\"", &Opt::Str(t.clone()))),
                }
            }
            Some(v) => {
                let n = match v {
                    Opt::Str(t) => t.strip_prefix("0x").and_then(|h| u32::from_str_radix(h, 16).ok()).or_else(|| t.parse().ok()),
                    _ => v.as_int().and_then(|n| u32::try_from(n).ok()),
                };
                s.fwmark = Some(n.ok_or_else(|| f.expected("fwmark", "mark like 7, \"0x7\" or \"0x7/0xff\"", v))?);
            }
        }
        if let Some(m) = f.u32("mask")? {
            s.fwmask = Some(m);
        }
        s.realms = realms_opt(&mut f)?;
        one_of(map, "proto", "protocol")?;
        s.protocol = match proto_opt(&mut f, "proto")? {
            Some(p) => Some(p),
            None => proto_opt(&mut f, "protocol")?,
        };
        s.table = table_opt(&mut f, "table")?;
        s.suppress_prefixlength = f.int("suppress_prefixlength", 0, 128)?.map(|v| v as i32);
        s.suppress_ifgroup = match f.take("suppress_ifgroup") {
            None => None,
            Some(Opt::Str(g)) => Some(units::iproute2_id("group", g, &[(0, "default")]).ok_or_else(|| {
                f.error("suppress_ifgroup", format!("unknown group {g:?} (not a number or a name in /etc/iproute2/group)"))
            })?),
            Some(v) => Some(
                v.as_int()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| f.expected("suppress_ifgroup", "group number or name", v))?,
            ),
        };
        s.iif = ifname_opt(&mut f, "iif", name_of)?;
        s.oif = ifname_opt(&mut f, "oif", name_of)?;
        s.l3mdev = f.bool("l3mdev")?.unwrap_or(false);
        s.uidrange = range_opt(&mut f, "uidrange", u32::MAX as u64)?.map(|(a, b)| (a as u32, b as u32));
        s.ipproto = match f.take("ipproto") {
            None => None,
            Some(v) => Some(match v {
                Opt::Str(p) => parse_ip_proto(p).map_err(|e| f.error("ipproto", e))?,
                _ => v
                    .as_int()
                    .filter(|n| (0..=255).contains(n))
                    .map(|n| n as u8)
                    .ok_or_else(|| f.expected("ipproto", "protocol number or name like \"tcp\"", v))?,
            }),
        };
        s.sport = range_opt(&mut f, "sport", 65535)?.map(|(a, b)| (a as u16, b as u16));
        s.dport = range_opt(&mut f, "dport", 65535)?.map(|(a, b)| (a as u16, b as u16));
        s.goto = f.u32("goto")?;
        s.tun_id = f.int("tun_id", 0, i64::MAX)?.map(|v| v as u64);
        s.action = match f.take("action") {
            None => s.goto.map(|_| S::FR_ACT_GOTO),
            Some(v) => match v.as_str().and_then(|a| S::ACTION_NAMES.iter().find(|(_, n)| *n == a && *n != "unspec")) {
                Some((k, _)) => Some(*k as u8),
                None => {
                    return Err(f.expected(
                        "action",
                        "one of \"lookup\", \"goto\", \"nop\", \"blackhole\", \"unreachable\", \"prohibit\"",
                        v,
                    ));
                }
            },
        };
        if s.action == Some(S::FR_ACT_GOTO) && s.goto.is_none() {
            return Err(f.missing("goto"));
        }
        if s.goto.is_some() && s.action != Some(S::FR_ACT_GOTO) {
            return Err(f.error("goto", "needs action \"goto\""));
        }
        if s.l3mdev && s.table.is_some() {
            return Err(f.error("table", "cannot be given for an l3mdev rule"));
        }
        f.finish([])?;
        Ok(s)
    }

    /// The request, with iproute2's defaults (family inet, action lookup and
    /// table main for add) and attribute order.
    pub fn message(&self, ty: u16, flags: u16) -> MsgBuilder {
        let add = ty == RTM_NEWRULE;
        let mut action = self.action.unwrap_or(if add { S::FR_ACT_TO_TBL } else { 0 });
        if self.action.is_none() && self.l3mdev && add {
            action = S::FR_ACT_TO_TBL;
        }
        let table = self.table.unwrap_or(if add && self.action.is_none_or(|a| a == S::FR_ACT_TO_TBL) && !self.l3mdev {
            super::schema::route::RT_TABLE_MAIN
        } else {
            0
        });
        let mut hdr = [0u8; 12];
        hdr[0] = if self.family == 0 { AF_INET } else { self.family };
        hdr[1] = self.to.map(|n| n.prefix_len()).unwrap_or(0);
        hdr[2] = self.from.map(|n| n.prefix_len()).unwrap_or(0);
        hdr[3] = self.tos;
        hdr[4] = if table < 256 { table as u8 } else { 0 };
        hdr[7] = action;
        let rflags: u32 = if self.not { S::FIB_RULE_INVERT } else { 0 };
        hdr[8..12].copy_from_slice(&rflags.to_ne_bytes());
        let mut m = MsgBuilder::new(ty, flags);
        m.push(&hdr);
        if let Some(n) = self.from {
            m.attr(S::FRA_SRC, &ip_bytes(&n.addr()));
        }
        if let Some(n) = self.to {
            m.attr(S::FRA_DST, &ip_bytes(&n.addr()));
        }
        if let Some(p) = self.priority {
            m.attr_u32(S::FRA_PRIORITY, p);
        }
        if let Some(k) = self.fwmark {
            m.attr_u32(S::FRA_FWMARK, k);
        }
        if let Some(k) = self.fwmask {
            m.attr_u32(S::FRA_FWMASK, k);
        }
        if let Some(r) = self.realms {
            m.attr_u32(S::FRA_FLOW, r);
        }
        if let Some(p) = self.protocol {
            m.attr_u8(S::FRA_PROTOCOL, p);
        }
        if let Some(t) = self.tun_id {
            m.attr(S::FRA_TUN_ID, &t.to_be_bytes());
        }
        if table >= 256 {
            m.attr_u32(S::FRA_TABLE, table);
        }
        if let Some(p) = self.suppress_prefixlength {
            m.attr_u32(S::FRA_SUPPRESS_PREFIXLEN, p as u32);
        }
        if let Some(g) = self.suppress_ifgroup {
            m.attr_u32(S::FRA_SUPPRESS_IFGROUP, g);
        }
        if let Some(i) = &self.iif {
            m.attr_str(S::FRA_IIFNAME, i);
        }
        if let Some(o) = &self.oif {
            m.attr_str(S::FRA_OIFNAME, o);
        }
        if self.l3mdev {
            m.attr_u8(S::FRA_L3MDEV, 1);
        }
        if let Some((a, b)) = self.uidrange {
            let mut v = a.to_ne_bytes().to_vec();
            v.extend_from_slice(&b.to_ne_bytes());
            m.attr(S::FRA_UID_RANGE, &v);
        }
        if let Some(p) = self.ipproto {
            m.attr_u8(S::FRA_IP_PROTO, p);
        }
        for (id, r) in [(S::FRA_SPORT_RANGE, self.sport), (S::FRA_DPORT_RANGE, self.dport)] {
            if let Some((a, b)) = r {
                let mut v = a.to_ne_bytes().to_vec();
                v.extend_from_slice(&b.to_ne_bytes());
                m.attr(id, &v);
            }
        }
        if let Some(g) = self.goto {
            m.attr_u32(S::FRA_GOTO, g);
        }
        m
    }

    /// "rule add from 10.0.0.0/8 lookup 100 priority 1000".
    pub fn op(&self, verb: &str) -> String {
        let mut o = format!("rule {verb}");
        if self.not {
            o.push_str(" not");
        }
        o.push_str(&format!(" from {}", self.from.map(|n| n.to_string()).unwrap_or_else(|| "all".into())));
        if let Some(t) = self.to {
            o.push_str(&format!(" to {t}"));
        }
        if let Some(t) = self.table {
            o.push_str(&format!(" lookup {}", table_name(t)));
        }
        if let Some(p) = self.priority {
            o.push_str(&format!(" priority {p}"));
        }
        o
    }
}

impl Handle {
    /// Rules, in priority order as the kernel keeps them.
    pub fn rule_list(&self, f: &RuleFilter) -> Result<Vec<Rule>> {
        let mut m = MsgBuilder::new(RTM_GETRULE, 0);
        let mut hdr = [0u8; 12];
        hdr[0] = f.family;
        m.push(&hdr);
        let rules = self.dump(m, &|| "rule show".to_string(), |msg| {
            if msg.ty != RTM_NEWRULE {
                return Ok(None);
            }
            Rule::parse(msg.payload).map(Some).map_err(|e| Error::kernel(libc::EPROTO, Some(e.into()), "rule show"))
        })?;
        Ok(rules
            .into_iter()
            // Family 0 is IPv4 and IPv6, not the multicast routing families
            // (RTNL_FAMILY_IPMR/IP6MR) an unspecified dump also returns.
            .filter(|r| if f.family == 0 { r.family == AF_INET || r.family == AF_INET6 } else { r.family == f.family })
            .filter(|r| f.priority.is_none_or(|p| r.priority == p))
            .filter(|r| f.table.is_none_or(|t| r.table == t))
            .collect())
    }

    /// Add a rule.
    pub fn rule_add(&self, s: &RuleSpec) -> Result<()> {
        self.observed(Change::Rule(true, s), || self.request(s.message(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL), &|| s.op("add")))
    }

    /// Delete the first rule matching every selector `s` gives.
    pub fn rule_del(&self, s: &RuleSpec) -> Result<()> {
        self.observed(Change::Rule(false, s), || self.request(s.message(RTM_DELRULE, 0), &|| s.op("del")))
    }

    /// Delete exactly the rule `r` (as listed).
    pub fn rule_del_rule(&self, r: &Rule) -> Result<()> {
        self.observed(Change::RuleDel(r), || self.request(r.delete_message(), &|| format!("rule del priority {}", r.priority)))
    }
}
