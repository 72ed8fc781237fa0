//! Route attributes (RTA_*), route metrics (RTAX_*), multipath records and the
//! lightweight-tunnel encap sets (MPLS, seg6). Ids from <linux/rtnetlink.h>,
//! <linux/lwtunnel.h>, <linux/mpls_iptunnel.h>, <linux/seg6_iptunnel.h>.
//!
//! Two route attributes are not plain TLVs and get small codecs here:
//! RTA_MULTIPATH is a run of `struct rtnexthop` records, each followed by
//! RTA_* attributes up to its own length, and RTA_ENCAP is a nested set chosen
//! by the u16 in RTA_ENCAP_TYPE.

use super::Type::*;
use super::{AttrSet, Attrs, Field, StructDef, Unit, a};
use crate::engine::message;

/// struct rtmsg.
pub static RTMSG: StructDef = StructDef {
    name: "rtmsg",
    size: 12,
    fields: &[
        Field::new("family", 0, U8),
        Field::new("dst_len", 1, U8),
        Field::new("src_len", 2, U8),
        Field::new("tos", 3, U8),
        Field::new("table", 4, U8),
        Field::new("protocol", 5, U8),
        Field::new("scope", 6, U8),
        Field::new("type", 7, U8),
        Field::new("flags", 8, U32),
    ],
};

/// struct rta_cacheinfo (expires is in USER_HZ ticks).
pub static CACHEINFO: StructDef = StructDef {
    name: "rta_cacheinfo",
    size: 32,
    fields: &[
        Field::new("clntref", 0, U32),
        Field::new("lastuse", 4, U32),
        Field::new("expires", 8, I32),
        Field::new("error", 12, U32),
        Field::new("used", 16, U32),
        Field::new("id", 20, U32),
        Field::new("ts", 24, U32),
        Field::new("tsage", 28, U32),
    ],
};

/// struct rtnexthop: the head of each RTA_MULTIPATH record.
pub static RTNEXTHOP: StructDef = StructDef {
    name: "rtnexthop",
    size: 8,
    fields: &[Field::new("len", 0, U16), Field::new("flags", 2, U8), Field::new("hops", 3, U8), Field::new("ifindex", 4, I32)],
};

/// `RTA_DST`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_DST: u16 = 1;
/// `RTA_SRC`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_SRC: u16 = 2;
/// `RTA_IIF`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_IIF: u16 = 3;
/// `RTA_OIF`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_OIF: u16 = 4;
/// `RTA_GATEWAY`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_GATEWAY: u16 = 5;
/// `RTA_PRIORITY`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_PRIORITY: u16 = 6;
/// `RTA_PREFSRC`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_PREFSRC: u16 = 7;
/// `RTA_METRICS`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_METRICS: u16 = 8;
/// `RTA_MULTIPATH`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_MULTIPATH: u16 = 9;
/// `RTA_FLOW`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_FLOW: u16 = 11;
/// `RTA_CACHEINFO`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_CACHEINFO: u16 = 12;
/// `RTA_TABLE`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_TABLE: u16 = 15;
/// `RTA_MARK`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_MARK: u16 = 16;
/// `RTA_VIA`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_VIA: u16 = 18;
/// `RTA_NEWDST`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_NEWDST: u16 = 19;
/// `RTA_PREF`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_PREF: u16 = 20;
/// `RTA_ENCAP_TYPE`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_ENCAP_TYPE: u16 = 21;
/// `RTA_ENCAP`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_ENCAP: u16 = 22;
/// `RTA_EXPIRES`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_EXPIRES: u16 = 23;
/// `RTA_UID`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_UID: u16 = 25;
/// `RTA_TTL_PROPAGATE`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_TTL_PROPAGATE: u16 = 26;
/// `RTA_IP_PROTO`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_IP_PROTO: u16 = 27;
/// `RTA_SPORT`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_SPORT: u16 = 28;
/// `RTA_DPORT`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_DPORT: u16 = 29;
/// `RTA_NH_ID`: route attribute (`<linux/rtnetlink.h>`).
pub const RTA_NH_ID: u16 = 30;

/// RTN_*: route types, with the words ip uses (rtm_map.c).
pub const RTN_NAMES: &[(u64, &str)] = &[
    (0, "none"),
    (1, "unicast"),
    (2, "local"),
    (3, "broadcast"),
    (4, "anycast"),
    (5, "multicast"),
    (6, "blackhole"),
    (7, "unreachable"),
    (8, "prohibit"),
    (9, "throw"),
    (10, "nat"),
    (11, "xresolve"),
];
/// `RTN_UNICAST`: route type (`<linux/rtnetlink.h>`).
pub const RTN_UNICAST: u8 = 1;
/// `RTN_LOCAL`: route type (`<linux/rtnetlink.h>`).
pub const RTN_LOCAL: u8 = 2;
/// `RTN_BROADCAST`: route type (`<linux/rtnetlink.h>`).
pub const RTN_BROADCAST: u8 = 3;
/// `RTN_ANYCAST`: route type (`<linux/rtnetlink.h>`).
pub const RTN_ANYCAST: u8 = 4;
/// `RTN_MULTICAST`: route type (`<linux/rtnetlink.h>`).
pub const RTN_MULTICAST: u8 = 5;
/// `RTN_NAT`: route type (`<linux/rtnetlink.h>`).
pub const RTN_NAT: u8 = 10;

/// `RTPROT_KERNEL`: route protocol (`<linux/rtnetlink.h>`).
pub const RTPROT_KERNEL: u8 = 2;
/// `RTPROT_BOOT`: route protocol (`<linux/rtnetlink.h>`).
pub const RTPROT_BOOT: u8 = 3;

/// iproute2's built-in protocol names (lib/rt_names.c), which /etc/iproute2/rt_protos
/// and rt_protos.d extend.
pub const RTPROT_DEFAULTS: &[(u32, &str)] = &[
    (0, "unspec"),
    (1, "redirect"),
    (2, "kernel"),
    (3, "boot"),
    (4, "static"),
    (8, "gated"),
    (9, "ra"),
    (10, "mrt"),
    (11, "zebra"),
    (12, "bird"),
    (13, "dnrouted"),
    (14, "xorp"),
    (15, "ntk"),
    (16, "dhcp"),
    (18, "keepalived"),
    (42, "babel"),
    (186, "bgp"),
    (187, "isis"),
    (188, "ospf"),
    (189, "rip"),
    (192, "eigrp"),
];

/// The reserved tables ip knows without /etc/iproute2/rt_tables.
pub const RT_TABLE_DEFAULTS: &[(u32, &str)] = &[(0, "unspec"), (253, "default"), (254, "main"), (255, "local")];
/// `RT_TABLE_MAIN`: routing table id (`<linux/rtnetlink.h>`).
pub const RT_TABLE_MAIN: u32 = 254;
/// `RT_TABLE_LOCAL`: routing table id (`<linux/rtnetlink.h>`).
pub const RT_TABLE_LOCAL: u32 = 255;

/// `RT_SCOPE_UNIVERSE`: route scope (`<linux/rtnetlink.h>`).
pub const RT_SCOPE_UNIVERSE: u8 = 0;
/// `RT_SCOPE_LINK`: route scope (`<linux/rtnetlink.h>`).
pub const RT_SCOPE_LINK: u8 = 253;
/// `RT_SCOPE_HOST`: route scope (`<linux/rtnetlink.h>`).
pub const RT_SCOPE_HOST: u8 = 254;
/// `RT_SCOPE_NOWHERE`: route scope (`<linux/rtnetlink.h>`).
pub const RT_SCOPE_NOWHERE: u8 = 255;

/// rtm_flags / rtnh_flags bits, in the order `ip route` prints them.
pub const RT_FLAG_NAMES: &[(u32, &str)] = &[
    (0x01, "dead"),
    (0x04, "onlink"),
    (0x02, "pervasive"),
    (0x08, "offload"),
    (0x40, "trap"),
    (0x100, "notify"),
    (0x10, "linkdown"),
    (0x20, "unresolved"),
    (0x4000, "rt_offload"),
    (0x8000, "rt_trap"),
    (0x2000_0000, "rt_offload_failed"),
];
/// `RTNH_F_ONLINK`: nexthop flag (`<linux/rtnetlink.h>`).
pub const RTNH_F_ONLINK: u32 = 0x04;
/// `RTM_F_CLONED`: route message flag (`<linux/rtnetlink.h>`).
pub const RTM_F_CLONED: u32 = 0x200;
/// `RTM_F_LOOKUP_TABLE`: route message flag (`<linux/rtnetlink.h>`).
pub const RTM_F_LOOKUP_TABLE: u32 = 0x1000;
/// `RTM_F_FIB_MATCH`: route message flag (`<linux/rtnetlink.h>`).
pub const RTM_F_FIB_MATCH: u32 = 0x2000;

/// ICMPV6_ROUTER_PREF_*: the values of RTA_PREF.
pub const PREF_NAMES: &[(u64, &str)] = &[(3, "low"), (0, "medium"), (1, "high")];

/// LWTUNNEL_ENCAP_*, named as `ip route ... encap TYPE` names them.
pub const ENCAP_NAMES: &[(u64, &str)] = &[
    (1, "mpls"),
    (2, "ip"),
    (3, "ila"),
    (4, "ip6"),
    (5, "seg6"),
    (6, "bpf"),
    (7, "seg6local"),
    (8, "rpl"),
    (9, "ioam6"),
    (10, "xfrm"),
];
/// `LWTUNNEL_ENCAP_MPLS`: encapsulation type (`<linux/lwtunnel.h>`).
pub const LWTUNNEL_ENCAP_MPLS: u16 = 1;
/// `LWTUNNEL_ENCAP_SEG6`: encapsulation type (`<linux/lwtunnel.h>`).
pub const LWTUNNEL_ENCAP_SEG6: u16 = 5;

fn parse_ms(o: &super::Opt, scale: u64) -> Result<u64, String> {
    let bad = || "time like \"100ms\" or \"1.5s\" (integers are milliseconds)".to_string();
    let ms = match o {
        super::Opt::Str(s) => {
            let s = s.trim();
            let (num, mult) = if let Some(n) = s.strip_suffix("ms").or_else(|| s.strip_suffix("msec")) {
                (n, 1.0)
            } else if let Some(n) = s.strip_suffix("secs").or_else(|| s.strip_suffix("sec")).or_else(|| s.strip_suffix('s')) {
                (n, 1000.0)
            } else {
                (s, 1.0)
            };
            let v: f64 = num.trim().parse().map_err(|_| bad())?;
            if !(0.0..=4.0e9).contains(&v) {
                return Err(bad());
            }
            (v * mult).round() as u64
        }
        _ => match o.as_int() {
            Some(n) if (0..=u32::MAX as i64).contains(&n) => n as u64,
            _ => return Err(bad()),
        },
    };
    let v = ms * scale;
    if v > u32::MAX as u64 {
        return Err(bad());
    }
    Ok(v)
}

/// RTAX_RTT: milliseconds on input, ms*8 on the wire (as `ip route ... rtt 100ms`).
pub const RTT_UNIT: Unit = Unit {
    parse: |o| parse_ms(o, 8),
    format: |v| super::Opt::Int((v / 8) as i64),
    expected: "time like \"100ms\" (integers are milliseconds)",
};
/// RTAX_RTTVAR: milliseconds, ms*4 on the wire.
pub const RTTVAR_UNIT: Unit = Unit {
    parse: |o| parse_ms(o, 4),
    format: |v| super::Opt::Int((v / 4) as i64),
    expected: "time like \"100ms\" (integers are milliseconds)",
};
/// RTAX_RTO_MIN: milliseconds.
pub const MS_UNIT: Unit = Unit {
    parse: |o| parse_ms(o, 1),
    format: |v| super::Opt::Int(v as i64),
    expected: "time like \"100ms\" (integers are milliseconds)",
};

/// `RTAX_LOCK`: route metric (`<linux/rtnetlink.h>`).
pub const RTAX_LOCK: u16 = 1;
/// `RTAX_HOPLIMIT`: route metric (`<linux/rtnetlink.h>`).
pub const RTAX_HOPLIMIT: u16 = 10;
/// `RTAX_RTO_MIN`: route metric (`<linux/rtnetlink.h>`).
pub const RTAX_RTO_MIN: u16 = 13;
/// `RTAX_CC_ALGO`: route metric (`<linux/rtnetlink.h>`).
pub const RTAX_CC_ALGO: u16 = 16;

/// RTAX_*: route metrics (RTA_METRICS), named as `ip route` options.
pub static METRICS: AttrSet = AttrSet {
    name: "metrics",
    attrs: &[
        a(RTAX_LOCK, "lock", U32).read_only(),
        a(2, "mtu", U32),
        a(3, "window", U32),
        a(4, "rtt", U32).unit(RTT_UNIT),
        a(5, "rttvar", U32).unit(RTTVAR_UNIT),
        a(6, "ssthresh", U32),
        a(7, "cwnd", U32),
        a(8, "advmss", U32),
        a(9, "reordering", U32),
        a(RTAX_HOPLIMIT, "hoplimit", U32).range(0, 255),
        a(11, "initcwnd", U32),
        a(12, "features", U32).names(&[(1, "ecn")]),
        a(RTAX_RTO_MIN, "rto_min", U32).unit(MS_UNIT),
        a(14, "initrwnd", U32),
        a(15, "quickack", U32).range(0, 1),
        a(RTAX_CC_ALGO, "congctl", Str),
        a(17, "fastopen_no_cookie", U32).range(0, 1),
    ],
};

/// `MPLS_IPTUNNEL_DST`: MPLS encapsulation attribute (`<linux/mpls_iptunnel.h>`).
pub const MPLS_IPTUNNEL_DST: u16 = 1;
/// `MPLS_IPTUNNEL_TTL`: MPLS encapsulation attribute (`<linux/mpls_iptunnel.h>`).
pub const MPLS_IPTUNNEL_TTL: u16 = 2;

/// MPLS_IPTUNNEL_*: `encap mpls LABELS [ttl N]`. The label stack is raw
/// big-endian label stack entries (see `engine::encap`).
pub static ENCAP_MPLS: AttrSet =
    AttrSet { name: "encap_mpls", attrs: &[a(MPLS_IPTUNNEL_DST, "labels", Bytes), a(MPLS_IPTUNNEL_TTL, "ttl", U8)] };

/// `SEG6_IPTUNNEL_SRH`: seg6 encapsulation constant (`<linux/seg6_iptunnel.h>`).
pub const SEG6_IPTUNNEL_SRH: u16 = 1;

/// SEG6_IPTUNNEL_*: `encap seg6 mode M segs A,B [hmac K]`; the value is
/// struct seg6_iptunnel_encap (mode + segment routing header).
pub static ENCAP_SEG6: AttrSet = AttrSet { name: "encap_seg6", attrs: &[a(SEG6_IPTUNNEL_SRH, "srh", Bytes)] };

/// The attribute set RTA_ENCAP holds for an RTA_ENCAP_TYPE value.
pub fn encap_set(ty: u16) -> Option<&'static AttrSet> {
    match ty {
        LWTUNNEL_ENCAP_MPLS => Some(&ENCAP_MPLS),
        LWTUNNEL_ENCAP_SEG6 => Some(&ENCAP_SEG6),
        _ => None,
    }
}

/// RTA_*: the attributes of a route message (and of each multipath record).
pub static ROUTE: AttrSet = AttrSet {
    name: "route",
    attrs: &[
        a(RTA_DST, "dst", Ip),
        a(RTA_SRC, "from", Ip),
        a(RTA_IIF, "iif", U32).ifindex(),
        a(RTA_OIF, "oif", U32).ifindex(),
        a(RTA_GATEWAY, "gateway", Ip),
        a(RTA_PRIORITY, "metric", U32),
        a(RTA_PREFSRC, "prefsrc", Ip),
        a(RTA_METRICS, "metrics", Nested(&METRICS)),
        a(RTA_MULTIPATH, "multipath", Bytes),
        a(10, "protoinfo", Bytes).read_only(),
        a(RTA_FLOW, "realms", U32),
        a(RTA_CACHEINFO, "cacheinfo", Struct(&CACHEINFO)).read_only(),
        a(13, "session", Bytes).read_only(),
        a(14, "mp_algo", Bytes).read_only(),
        a(RTA_TABLE, "table", U32),
        a(RTA_MARK, "mark", U32),
        a(17, "mfc_stats", Bytes).read_only(),
        a(RTA_VIA, "via", Bytes),
        a(RTA_NEWDST, "newdst", Bytes),
        a(RTA_PREF, "pref", U8).names(PREF_NAMES),
        a(RTA_ENCAP_TYPE, "encap_type", U16).names(ENCAP_NAMES),
        a(RTA_ENCAP, "encap", Bytes).nested_flag(),
        a(RTA_EXPIRES, "expires", U32),
        a(24, "pad", Bytes).read_only(),
        a(RTA_UID, "uid", U32),
        a(RTA_TTL_PROPAGATE, "ttl_propagate", U8),
        a(RTA_IP_PROTO, "ipproto", U8),
        a(RTA_SPORT, "sport", Be16),
        a(RTA_DPORT, "dport", Be16),
        a(RTA_NH_ID, "nhid", U32),
    ],
};

/// Decode route attributes, then give RTA_ENCAP its set (chosen by the
/// sibling RTA_ENCAP_TYPE) so it reads as named attributes and still
/// re-encodes byte for byte.
pub fn decode_route_attrs(buf: &[u8]) -> Attrs {
    let mut attrs = super::decode(&ROUTE, buf);
    let ty = attrs.uint(RTA_ENCAP_TYPE).map(|t| t as u16);
    if let Some(set) = ty.and_then(encap_set) {
        for at in attrs.0.iter_mut().filter(|x| x.id == RTA_ENCAP) {
            if let super::Value::Bytes(b) = &at.value {
                at.value = super::Value::Nested(super::decode(set, b));
            }
        }
    }
    attrs
}

/// One RTA_MULTIPATH record: the rtnexthop fields and its attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct NexthopRecord {
    /// RTNH_F_* flags (onlink, dead...).
    pub flags: u8,
    /// Weight - 1.
    pub hops: u8,
    /// Interface index.
    pub ifindex: u32,
    /// Every attribute as read, the ones without a typed field included.
    pub attrs: Attrs,
}

/// Split RTA_MULTIPATH into its records. A record whose length does not fit
/// ends the walk (as the kernel's rtnh_ok does).
pub fn decode_multipath(mut b: &[u8]) -> Vec<NexthopRecord> {
    let mut out = Vec::new();
    while b.len() >= RTNEXTHOP.size {
        let len = u16::from_ne_bytes([b[0], b[1]]) as usize;
        if len < RTNEXTHOP.size || len > b.len() {
            break;
        }
        out.push(NexthopRecord {
            flags: b[2],
            hops: b[3],
            ifindex: crate::engine::ne_u32(b, 4),
            attrs: decode_route_attrs(&b[RTNEXTHOP.size..len]),
        });
        b = &b[message::align(len).min(b.len())..];
    }
    out
}

/// Encode records as the payload of RTA_MULTIPATH.
pub fn encode_multipath(records: &[NexthopRecord]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in records {
        let start = out.len();
        out.extend_from_slice(&[0, 0, r.flags, r.hops]);
        out.extend_from_slice(&r.ifindex.to_ne_bytes());
        r.attrs.encode(&mut out);
        let len = (out.len() - start) as u16;
        out[start..start + 2].copy_from_slice(&len.to_ne_bytes());
        let n = message::align(out.len());
        out.resize(n, 0);
    }
    out
}
