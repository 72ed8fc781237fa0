//! Filter (classifier) and action attributes: TCA_OPTIONS of u32, bpf,
//! matchall and flower filters, and the actions (TCA_ACT_*) they carry —
//! mirred, gact, police. Ids from <linux/pkt_cls.h> and <linux/tc_act/*.h>.

use super::Type::*;
use super::tc::{RATE, STATS2};
use super::{AttrSet, Dispatch, Field, StructDef, Type, a};

/// TCA_OPTIONS of each filter kind.
pub static FILTER_KINDS: Dispatch = Dispatch {
    selector: super::tc::TCA_KIND,
    cases: &[("u32", Nested(&U32_OPTS)), ("bpf", Nested(&BPF_OPTS)), ("matchall", Nested(&MATCHALL)), ("flower", Nested(&FLOWER))],
};

/// A list of actions (TCA_*_ACT): nested attributes numbered 1..n by order.
pub const ACTIONS: Type = List(&ACTION);
/// One action: TCA_ACT_*.
pub const ACTION: Type = Nested(&ACT);

/// struct tc_u32_key (val and mask in network order).
pub static U32_KEY: StructDef = StructDef {
    name: "tc_u32_key",
    size: 16,
    fields: &[Field::new("mask", 0, Be32), Field::new("val", 4, Be32), Field::new("off", 8, I32), Field::new("offmask", 12, I32)],
};

/// struct tc_u32_sel, without its trailing keys (see `engine::tc::u32`).
pub static U32_SEL: StructDef = StructDef {
    name: "tc_u32_sel",
    size: 16,
    fields: &[
        Field::new("flags", 0, U8),
        Field::new("offshift", 1, U8),
        Field::new("nkeys", 2, U8),
        Field::new("offmask", 4, Be16),
        Field::new("off", 6, U16),
        Field::new("offoff", 8, U16),
        Field::new("hoff", 10, U16),
        Field::new("hmask", 12, Be32),
    ],
};

/// `TCA_U32_CLASSID`: u32 classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_U32_CLASSID: u16 = 1;
/// `TCA_U32_HASH`: u32 classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_U32_HASH: u16 = 2;
/// `TCA_U32_LINK`: u32 classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_U32_LINK: u16 = 3;
/// `TCA_U32_DIVISOR`: u32 classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_U32_DIVISOR: u16 = 4;
/// `TCA_U32_SEL`: u32 classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_U32_SEL: u16 = 5;
/// `TCA_U32_POLICE`: u32 classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_U32_POLICE: u16 = 6;
/// `TCA_U32_ACT`: u32 classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_U32_ACT: u16 = 7;
/// `TCA_U32_INDEV`: u32 classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_U32_INDEV: u16 = 8;
/// `TCA_U32_PCNT`: u32 classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_U32_PCNT: u16 = 9;
/// `TCA_U32_MARK`: u32 classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_U32_MARK: u16 = 10;
/// `TCA_U32_FLAGS`: u32 classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_U32_FLAGS: u16 = 11;

/// TCA_U32_*.
pub static U32_OPTS: AttrSet = AttrSet {
    name: "u32",
    attrs: &[
        a(TCA_U32_CLASSID, "classid", U32),
        a(TCA_U32_HASH, "hash", U32),
        a(TCA_U32_LINK, "link", U32),
        a(TCA_U32_DIVISOR, "divisor", U32),
        a(TCA_U32_SEL, "sel", Bytes),
        a(TCA_U32_POLICE, "police", Nested(&POLICE)),
        a(TCA_U32_ACT, "actions", ACTIONS),
        a(TCA_U32_INDEV, "indev", Str),
        a(TCA_U32_PCNT, "pcnt", Bytes).read_only(),
        a(TCA_U32_MARK, "mark", Bytes),
        a(TCA_U32_FLAGS, "flags", U32),
        a(12, "pad", Bytes).read_only(),
    ],
};

/// `TCA_BPF_ACT`: bpf classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_BPF_ACT: u16 = 1;
/// `TCA_BPF_CLASSID`: bpf classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_BPF_CLASSID: u16 = 3;
/// `TCA_BPF_FD`: bpf classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_BPF_FD: u16 = 6;
/// `TCA_BPF_NAME`: bpf classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_BPF_NAME: u16 = 7;
/// `TCA_BPF_FLAGS`: bpf classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_BPF_FLAGS: u16 = 8;
/// `TCA_BPF_FLAGS_GEN`: bpf classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_BPF_FLAGS_GEN: u16 = 9;
/// `TCA_BPF_TAG`: bpf classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_BPF_TAG: u16 = 10;
/// `TCA_BPF_ID`: bpf classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_BPF_ID: u16 = 11;

/// TCA_BPF_*.
pub static BPF_OPTS: AttrSet = AttrSet {
    name: "bpf",
    attrs: &[
        a(TCA_BPF_ACT, "actions", ACTIONS),
        a(2, "police", Nested(&POLICE)),
        a(TCA_BPF_CLASSID, "classid", U32),
        a(4, "ops_len", U16),
        a(5, "ops", Bytes),
        a(TCA_BPF_FD, "fd", U32),
        a(TCA_BPF_NAME, "name", Str),
        a(TCA_BPF_FLAGS, "flags", U32),
        a(TCA_BPF_FLAGS_GEN, "flags_gen", U32),
        a(TCA_BPF_TAG, "tag", Bytes).read_only(),
        a(TCA_BPF_ID, "id", U32).read_only(),
    ],
};

/// `TCA_MATCHALL_CLASSID`: matchall classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_MATCHALL_CLASSID: u16 = 1;
/// `TCA_MATCHALL_ACT`: matchall classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_MATCHALL_ACT: u16 = 2;
/// `TCA_MATCHALL_FLAGS`: matchall classifier attribute (`<linux/pkt_cls.h>`).
pub const TCA_MATCHALL_FLAGS: u16 = 3;

/// TCA_MATCHALL_*.
pub static MATCHALL: AttrSet = AttrSet {
    name: "matchall",
    attrs: &[
        a(TCA_MATCHALL_CLASSID, "classid", U32),
        a(TCA_MATCHALL_ACT, "actions", ACTIONS),
        a(TCA_MATCHALL_FLAGS, "flags", U32),
        a(4, "pcnt", Bytes).read_only(),
        a(5, "pad", Bytes).read_only(),
    ],
};

/// TCA_FLOWER_* (the keys nlua speaks; others decode as raw attributes).
pub static FLOWER: AttrSet = AttrSet {
    name: "flower",
    attrs: &[
        a(1, "classid", U32),
        a(2, "indev", Str),
        a(3, "actions", ACTIONS),
        a(4, "key_eth_dst", Mac),
        a(5, "key_eth_dst_mask", Mac),
        a(6, "key_eth_src", Mac),
        a(7, "key_eth_src_mask", Mac),
        a(8, "key_eth_type", Be16),
        a(9, "key_ip_proto", U8),
        a(10, "key_ipv4_src", Ipv4),
        a(11, "key_ipv4_src_mask", Ipv4),
        a(12, "key_ipv4_dst", Ipv4),
        a(13, "key_ipv4_dst_mask", Ipv4),
        a(14, "key_ipv6_src", Ipv6),
        a(15, "key_ipv6_src_mask", Ipv6),
        a(16, "key_ipv6_dst", Ipv6),
        a(17, "key_ipv6_dst_mask", Ipv6),
        a(18, "key_tcp_src", Be16),
        a(19, "key_tcp_dst", Be16),
        a(20, "key_udp_src", Be16),
        a(21, "key_udp_dst", Be16),
        a(22, "flags", U32),
        a(23, "key_vlan_id", U16),
        a(24, "key_vlan_prio", U8),
        a(25, "key_vlan_eth_type", Be16),
        a(35, "key_tcp_src_mask", Be16),
        a(36, "key_tcp_dst_mask", Be16),
        a(37, "key_udp_src_mask", Be16),
        a(38, "key_udp_dst_mask", Be16),
        a(39, "key_sctp_src_mask", Be16),
        a(40, "key_sctp_dst_mask", Be16),
        a(41, "key_sctp_src", Be16),
        a(42, "key_sctp_dst", Be16),
        a(73, "key_ip_tos", U8),
        a(74, "key_ip_tos_mask", U8),
        a(75, "key_ip_ttl", U8),
        a(76, "key_ip_ttl_mask", U8),
        a(86, "in_hw_count", U32).read_only(),
    ],
};

// ---------------------------------------------------------------------------
// Actions

/// `TCA_ACT_KIND`: action attribute (`<linux/pkt_cls.h>`).
pub const TCA_ACT_KIND: u16 = 1;
/// `TCA_ACT_OPTIONS`: action attribute (`<linux/pkt_cls.h>`).
pub const TCA_ACT_OPTIONS: u16 = 2;
/// `TCA_ACT_INDEX`: action attribute (`<linux/pkt_cls.h>`).
pub const TCA_ACT_INDEX: u16 = 3;
/// `TCA_ACT_STATS`: action attribute (`<linux/pkt_cls.h>`).
pub const TCA_ACT_STATS: u16 = 4;
/// `TCA_ACT_COOKIE`: action attribute (`<linux/pkt_cls.h>`).
pub const TCA_ACT_COOKIE: u16 = 6;

/// TCA_ACT_*: one action.
pub static ACT: AttrSet = AttrSet {
    name: "action",
    attrs: &[
        a(TCA_ACT_KIND, "kind", Str),
        a(TCA_ACT_OPTIONS, "options", ByKind(&ACTION_KINDS)).nested_flag(),
        a(TCA_ACT_INDEX, "index", U32),
        a(TCA_ACT_STATS, "stats", Nested(&STATS2)).read_only(),
        a(5, "pad", Bytes).read_only(),
        a(TCA_ACT_COOKIE, "cookie", Bytes),
        a(7, "flags", Bytes),
        a(8, "hw_stats", Bytes),
        a(9, "used_hw_stats", Bytes).read_only(),
        a(10, "in_hw_count", U32).read_only(),
    ],
};

/// TCA_ACT_OPTIONS of each action kind.
pub static ACTION_KINDS: Dispatch = Dispatch {
    selector: TCA_ACT_KIND,
    cases: &[("mirred", Nested(&MIRRED)), ("gact", Nested(&GACT)), ("police", Nested(&POLICE))],
};

/// struct tcf_t: install/lastuse/expires/firstuse in jiffies.
pub static TCF_T: StructDef = StructDef {
    name: "tcf_t",
    size: 32,
    fields: &[
        Field::new("install", 0, U64),
        Field::new("lastuse", 8, U64),
        Field::new("expires", 16, U64),
        Field::new("firstuse", 24, U64),
    ],
};

/// Action verdicts (TC_ACT_*) as tc names them.
pub const CONTROL_NAMES: &[(u64, &str)] = &[
    (0xffff_ffff, "continue"),
    (0, "pass"),
    (1, "reclassify"),
    (2, "drop"),
    (3, "pipe"),
    (4, "stolen"),
    (8, "trap"),
];

const GEN_FIELDS: [Field; 5] = [
    Field::new("index", 0, U32),
    Field::new("capab", 4, U32),
    Field::new("action", 8, U32).names(CONTROL_NAMES),
    Field::new("refcnt", 12, I32),
    Field::new("bindcnt", 16, I32),
];

/// struct tc_mirred.
pub static TC_MIRRED: StructDef = StructDef {
    name: "tc_mirred",
    size: 28,
    fields: &[
        GEN_FIELDS[0],
        GEN_FIELDS[1],
        GEN_FIELDS[2],
        GEN_FIELDS[3],
        GEN_FIELDS[4],
        Field::new("eaction", 20, I32),
        Field::new("ifindex", 24, U32),
    ],
};

/// `TCA_MIRRED_PARMS`: mirred action attribute (`<linux/tc_act/tc_mirred.h>`).
pub const TCA_MIRRED_PARMS: u16 = 2;

/// TCA_MIRRED_*.
pub static MIRRED: AttrSet = AttrSet {
    name: "mirred",
    attrs: &[a(1, "tm", Struct(&TCF_T)).read_only(), a(TCA_MIRRED_PARMS, "parms", Struct(&TC_MIRRED)), a(3, "pad", Bytes).read_only()],
};

/// struct tc_gact.
pub static TC_GACT: StructDef = StructDef { name: "tc_gact", size: 20, fields: &GEN_FIELDS };

/// struct tc_gact_p (random verdicts).
pub static TC_GACT_P: StructDef = StructDef {
    name: "tc_gact_p",
    size: 8,
    fields: &[
        Field::new("ptype", 0, U16).names(&[(0, "none"), (1, "netrand"), (2, "determ")]),
        Field::new("pval", 2, U16),
        Field::new("paction", 4, U32).names(CONTROL_NAMES),
    ],
};

/// `TCA_GACT_PARMS`: gact action attribute (`<linux/tc_act/tc_gact.h>`).
pub const TCA_GACT_PARMS: u16 = 2;
/// `TCA_GACT_PROB`: gact action attribute (`<linux/tc_act/tc_gact.h>`).
pub const TCA_GACT_PROB: u16 = 3;

/// TCA_GACT_*.
pub static GACT: AttrSet = AttrSet {
    name: "gact",
    attrs: &[
        a(1, "tm", Struct(&TCF_T)).read_only(),
        a(TCA_GACT_PARMS, "parms", Struct(&TC_GACT)),
        a(TCA_GACT_PROB, "prob", Struct(&TC_GACT_P)),
        a(4, "pad", Bytes).read_only(),
    ],
};

/// struct tc_police (ratespecs flattened).
pub static TC_POLICE: StructDef = StructDef {
    name: "tc_police",
    size: 56,
    fields: &[
        Field::new("index", 0, U32),
        Field::new("action", 4, U32).names(CONTROL_NAMES),
        Field::new("limit", 8, U32),
        Field::new("burst", 12, U32),
        Field::new("mtu", 16, U32),
        Field::new("rate_cell_log", 20, U8),
        Field::new("rate_linklayer", 21, U8),
        Field::new("rate_overhead", 22, U16),
        Field::new("rate_cell_align", 24, U16),
        Field::new("rate_mpu", 26, U16),
        Field::new("rate", 28, U32).unit(RATE),
        Field::new("peak_cell_log", 32, U8),
        Field::new("peak_linklayer", 33, U8),
        Field::new("peak_overhead", 34, U16),
        Field::new("peak_cell_align", 36, U16),
        Field::new("peak_mpu", 38, U16),
        Field::new("peakrate", 40, U32).unit(RATE),
        Field::new("refcnt", 44, I32),
        Field::new("bindcnt", 48, I32),
        Field::new("capab", 52, U32),
    ],
};

/// `TCA_POLICE_TBF`: police action attribute (`<linux/pkt_cls.h>`).
pub const TCA_POLICE_TBF: u16 = 1;
/// `TCA_POLICE_RATE`: police action attribute (`<linux/pkt_cls.h>`).
pub const TCA_POLICE_RATE: u16 = 2;
/// `TCA_POLICE_PEAKRATE`: police action attribute (`<linux/pkt_cls.h>`).
pub const TCA_POLICE_PEAKRATE: u16 = 3;
/// `TCA_POLICE_AVRATE`: police action attribute (`<linux/pkt_cls.h>`).
pub const TCA_POLICE_AVRATE: u16 = 4;
/// `TCA_POLICE_RESULT`: police action attribute (`<linux/pkt_cls.h>`).
pub const TCA_POLICE_RESULT: u16 = 5;
/// `TCA_POLICE_RATE64`: police action attribute (`<linux/pkt_cls.h>`).
pub const TCA_POLICE_RATE64: u16 = 8;
/// `TCA_POLICE_PEAKRATE64`: police action attribute (`<linux/pkt_cls.h>`).
pub const TCA_POLICE_PEAKRATE64: u16 = 9;
/// `TCA_POLICE_PKTRATE64`: police action attribute (`<linux/pkt_cls.h>`).
pub const TCA_POLICE_PKTRATE64: u16 = 10;
/// `TCA_POLICE_PKTBURST64`: police action attribute (`<linux/pkt_cls.h>`).
pub const TCA_POLICE_PKTBURST64: u16 = 11;

/// TCA_POLICE_*.
pub static POLICE: AttrSet = AttrSet {
    name: "police",
    attrs: &[
        a(TCA_POLICE_TBF, "tbf", Struct(&TC_POLICE)),
        a(TCA_POLICE_RATE, "rtab", Bytes),
        a(TCA_POLICE_PEAKRATE, "ptab", Bytes),
        a(TCA_POLICE_AVRATE, "avrate", U32).unit(RATE),
        a(TCA_POLICE_RESULT, "result", U32).names(CONTROL_NAMES),
        a(6, "tm", Struct(&TCF_T)).read_only(),
        a(7, "pad", Bytes).read_only(),
        a(TCA_POLICE_RATE64, "rate64", U64),
        a(TCA_POLICE_PEAKRATE64, "peakrate64", U64),
        a(TCA_POLICE_PKTRATE64, "pktrate64", U64),
        a(TCA_POLICE_PKTBURST64, "pktburst64", U64),
    ],
};

/// Every attribute set of the filter and action tables.
pub fn all_sets() -> &'static [&'static AttrSet] {
    static ALL: &[&AttrSet] = &[&U32_OPTS, &BPF_OPTS, &MATCHALL, &FLOWER, &ACT, &MIRRED, &GACT, &POLICE];
    ALL
}
