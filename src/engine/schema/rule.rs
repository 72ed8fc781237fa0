//! Routing policy rule attributes (FRA_*), ids from <linux/fib_rules.h>.

use super::Type::*;
use super::{AttrSet, Field, StructDef, a};

/// struct fib_rule_hdr.
pub static FIB_RULE_HDR: StructDef = StructDef {
    name: "fib_rule_hdr",
    size: 12,
    fields: &[
        Field::new("family", 0, U8),
        Field::new("dst_len", 1, U8),
        Field::new("src_len", 2, U8),
        Field::new("tos", 3, U8),
        Field::new("table", 4, U8),
        Field::new("res1", 5, U8),
        Field::new("res2", 6, U8),
        Field::new("action", 7, U8),
        Field::new("flags", 8, U32),
    ],
};

/// struct fib_rule_uid_range.
pub static UID_RANGE: StructDef =
    StructDef { name: "fib_rule_uid_range", size: 8, fields: &[Field::new("start", 0, U32), Field::new("end", 4, U32)] };

/// struct fib_rule_port_range.
pub static PORT_RANGE: StructDef =
    StructDef { name: "fib_rule_port_range", size: 4, fields: &[Field::new("start", 0, U16), Field::new("end", 2, U16)] };

/// `FRA_DST`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_DST: u16 = 1;
/// `FRA_SRC`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_SRC: u16 = 2;
/// `FRA_IIFNAME`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_IIFNAME: u16 = 3;
/// `FRA_GOTO`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_GOTO: u16 = 4;
/// `FRA_PRIORITY`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_PRIORITY: u16 = 6;
/// `FRA_FWMARK`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_FWMARK: u16 = 10;
/// `FRA_FLOW`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_FLOW: u16 = 11;
/// `FRA_TUN_ID`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_TUN_ID: u16 = 12;
/// `FRA_SUPPRESS_IFGROUP`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_SUPPRESS_IFGROUP: u16 = 13;
/// `FRA_SUPPRESS_PREFIXLEN`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_SUPPRESS_PREFIXLEN: u16 = 14;
/// `FRA_TABLE`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_TABLE: u16 = 15;
/// `FRA_FWMASK`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_FWMASK: u16 = 16;
/// `FRA_OIFNAME`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_OIFNAME: u16 = 17;
/// `FRA_L3MDEV`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_L3MDEV: u16 = 19;
/// `FRA_UID_RANGE`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_UID_RANGE: u16 = 20;
/// `FRA_PROTOCOL`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_PROTOCOL: u16 = 21;
/// `FRA_IP_PROTO`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_IP_PROTO: u16 = 22;
/// `FRA_SPORT_RANGE`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_SPORT_RANGE: u16 = 23;
/// `FRA_DPORT_RANGE`: rule attribute (`<linux/fib_rules.h>`).
pub const FRA_DPORT_RANGE: u16 = 24;

/// FR_ACT_*: what a rule does, in the words `ip rule` takes.
pub const ACTION_NAMES: &[(u64, &str)] =
    &[(0, "unspec"), (1, "lookup"), (2, "goto"), (3, "nop"), (6, "blackhole"), (7, "unreachable"), (8, "prohibit")];
/// `FR_ACT_TO_TBL`: rule action (`<linux/fib_rules.h>`).
pub const FR_ACT_TO_TBL: u8 = 1;
/// `FR_ACT_GOTO`: rule action (`<linux/fib_rules.h>`).
pub const FR_ACT_GOTO: u8 = 2;
/// `FR_ACT_NOP`: rule action (`<linux/fib_rules.h>`).
pub const FR_ACT_NOP: u8 = 3;
/// RTN_NAT as a rule action (deprecated `nat ADDRESS`).
pub const FR_ACT_NAT: u8 = 10;

/// `FIB_RULE_INVERT`: rule flag (`<linux/fib_rules.h>`).
pub const FIB_RULE_INVERT: u32 = 0x02;
/// `FIB_RULE_UNRESOLVED`: rule flag (`<linux/fib_rules.h>`).
pub const FIB_RULE_UNRESOLVED: u32 = 0x04;
/// `FIB_RULE_IIF_DETACHED`: rule flag (`<linux/fib_rules.h>`).
pub const FIB_RULE_IIF_DETACHED: u32 = 0x08;
/// `FIB_RULE_OIF_DETACHED`: rule flag (`<linux/fib_rules.h>`).
pub const FIB_RULE_OIF_DETACHED: u32 = 0x10;

/// FRA_*: the attributes of a rule message.
pub static RULE: AttrSet = AttrSet {
    name: "rule",
    attrs: &[
        a(FRA_DST, "dst", Ip),
        a(FRA_SRC, "src", Ip),
        a(FRA_IIFNAME, "iif", Str),
        a(FRA_GOTO, "goto", U32),
        a(5, "unused2", Bytes).read_only(),
        a(FRA_PRIORITY, "priority", U32),
        a(7, "unused3", Bytes).read_only(),
        a(8, "unused4", Bytes).read_only(),
        a(9, "unused5", Bytes).read_only(),
        a(FRA_FWMARK, "fwmark", U32),
        a(FRA_FLOW, "realms", U32),
        a(FRA_TUN_ID, "tun_id", Bytes),
        a(FRA_SUPPRESS_IFGROUP, "suppress_ifgroup", U32),
        a(FRA_SUPPRESS_PREFIXLEN, "suppress_prefixlength", U32),
        a(FRA_TABLE, "table", U32),
        a(FRA_FWMASK, "fwmask", U32),
        a(FRA_OIFNAME, "oif", Str),
        a(18, "pad", Bytes).read_only(),
        a(FRA_L3MDEV, "l3mdev", Bool),
        a(FRA_UID_RANGE, "uidrange", Struct(&UID_RANGE)),
        a(FRA_PROTOCOL, "protocol", U8),
        a(FRA_IP_PROTO, "ipproto", U8),
        a(FRA_SPORT_RANGE, "sport", Struct(&PORT_RANGE)),
        a(FRA_DPORT_RANGE, "dport", Struct(&PORT_RANGE)),
        a(25, "dscp", U8),
    ],
};
