//! Neighbour and bridge FDB attributes (NDA_*), ids from <linux/neighbour.h>.

use super::Type::*;
use super::{AttrSet, Field, StructDef, a};

/// struct ndmsg.
pub static NDMSG: StructDef = StructDef {
    name: "ndmsg",
    size: 12,
    fields: &[
        Field::new("family", 0, U8),
        Field::new("ifindex", 4, I32),
        Field::new("state", 8, U16),
        Field::new("flags", 10, U8),
        Field::new("type", 11, U8),
    ],
};

/// struct nda_cacheinfo (times in USER_HZ ticks).
pub static CACHEINFO: StructDef = StructDef {
    name: "nda_cacheinfo",
    size: 16,
    fields: &[
        Field::new("confirmed", 0, U32),
        Field::new("used", 4, U32),
        Field::new("updated", 8, U32),
        Field::new("refcnt", 12, U32),
    ],
};

/// `NDA_DST`: neighbour attribute (`<linux/neighbour.h>`).
pub const NDA_DST: u16 = 1;
/// `NDA_LLADDR`: neighbour attribute (`<linux/neighbour.h>`).
pub const NDA_LLADDR: u16 = 2;
/// `NDA_CACHEINFO`: neighbour attribute (`<linux/neighbour.h>`).
pub const NDA_CACHEINFO: u16 = 3;
/// `NDA_PROBES`: neighbour attribute (`<linux/neighbour.h>`).
pub const NDA_PROBES: u16 = 4;
/// `NDA_VLAN`: neighbour attribute (`<linux/neighbour.h>`).
pub const NDA_VLAN: u16 = 5;
/// `NDA_PORT`: neighbour attribute (`<linux/neighbour.h>`).
pub const NDA_PORT: u16 = 6;
/// `NDA_VNI`: neighbour attribute (`<linux/neighbour.h>`).
pub const NDA_VNI: u16 = 7;
/// `NDA_IFINDEX`: neighbour attribute (`<linux/neighbour.h>`).
pub const NDA_IFINDEX: u16 = 8;
/// `NDA_MASTER`: neighbour attribute (`<linux/neighbour.h>`).
pub const NDA_MASTER: u16 = 9;
/// `NDA_LINK_NETNSID`: neighbour attribute (`<linux/neighbour.h>`).
pub const NDA_LINK_NETNSID: u16 = 10;
/// `NDA_SRC_VNI`: neighbour attribute (`<linux/neighbour.h>`).
pub const NDA_SRC_VNI: u16 = 11;
/// `NDA_PROTOCOL`: neighbour attribute (`<linux/neighbour.h>`).
pub const NDA_PROTOCOL: u16 = 12;
/// `NDA_NH_ID`: neighbour attribute (`<linux/neighbour.h>`).
pub const NDA_NH_ID: u16 = 13;
/// `NDA_FLAGS_EXT`: neighbour attribute (`<linux/neighbour.h>`).
pub const NDA_FLAGS_EXT: u16 = 15;

/// NUD_* states, in the order `ip neigh` prints them.
pub const NUD_NAMES: &[(u16, &str)] = &[
    (0x01, "incomplete"),
    (0x02, "reachable"),
    (0x04, "stale"),
    (0x08, "delay"),
    (0x10, "probe"),
    (0x20, "failed"),
    (0x40, "noarp"),
    (0x80, "permanent"),
];
/// `NUD_NONE`: neighbour state (`<linux/neighbour.h>`).
pub const NUD_NONE: u16 = 0x00;
/// `NUD_REACHABLE`: neighbour state (`<linux/neighbour.h>`).
pub const NUD_REACHABLE: u16 = 0x02;
/// `NUD_STALE`: neighbour state (`<linux/neighbour.h>`).
pub const NUD_STALE: u16 = 0x04;
/// `NUD_FAILED`: neighbour state (`<linux/neighbour.h>`).
pub const NUD_FAILED: u16 = 0x20;
/// `NUD_NOARP`: neighbour state (`<linux/neighbour.h>`).
pub const NUD_NOARP: u16 = 0x40;
/// `NUD_PERMANENT`: neighbour state (`<linux/neighbour.h>`).
pub const NUD_PERMANENT: u16 = 0x80;

/// NTF_* flags (ndm_flags), in the order `bridge fdb` prints them.
pub const NTF_NAMES: &[(u8, &str)] = &[
    (0x02, "self"),
    (0x80, "router"),
    (0x10, "extern_learn"),
    (0x20, "offload"),
    (0x04, "master"),
    (0x40, "sticky"),
    (0x08, "proxy"),
    (0x01, "use"),
];
/// `NTF_USE`: neighbour flag (`<linux/neighbour.h>`).
pub const NTF_USE: u8 = 0x01;
/// `NTF_SELF`: neighbour flag (`<linux/neighbour.h>`).
pub const NTF_SELF: u8 = 0x02;
/// `NTF_MASTER`: neighbour flag (`<linux/neighbour.h>`).
pub const NTF_MASTER: u8 = 0x04;
/// `NTF_PROXY`: neighbour flag (`<linux/neighbour.h>`).
pub const NTF_PROXY: u8 = 0x08;
/// `NTF_EXT_LEARNED`: neighbour flag (`<linux/neighbour.h>`).
pub const NTF_EXT_LEARNED: u8 = 0x10;
/// `NTF_OFFLOADED`: neighbour flag (`<linux/neighbour.h>`).
pub const NTF_OFFLOADED: u8 = 0x20;
/// `NTF_STICKY`: neighbour flag (`<linux/neighbour.h>`).
pub const NTF_STICKY: u8 = 0x40;
/// `NTF_ROUTER`: neighbour flag (`<linux/neighbour.h>`).
pub const NTF_ROUTER: u8 = 0x80;
/// NDA_FLAGS_EXT bit.
pub const NTF_EXT_MANAGED: u32 = 0x01;

/// NDA_*: the attributes of a neighbour (or bridge FDB) message.
pub static NEIGH: AttrSet = AttrSet {
    name: "neigh",
    attrs: &[
        a(NDA_DST, "dst", Ip),
        a(NDA_LLADDR, "lladdr", Mac),
        a(NDA_CACHEINFO, "cacheinfo", Struct(&CACHEINFO)).read_only(),
        a(NDA_PROBES, "probes", U32).read_only(),
        a(NDA_VLAN, "vlan", U16).range(0, 4095),
        a(NDA_PORT, "port", Be16),
        a(NDA_VNI, "vni", U32).range(0, 0xff_ffff),
        a(NDA_IFINDEX, "via", U32).ifindex(),
        a(NDA_MASTER, "master", U32).ifindex(),
        a(NDA_LINK_NETNSID, "link_netnsid", I32).read_only(),
        a(NDA_SRC_VNI, "src_vni", U32).range(0, 0xff_ffff),
        a(NDA_PROTOCOL, "protocol", U8),
        a(NDA_NH_ID, "nhid", U32),
        a(14, "fdb_ext_attrs", Bytes),
        a(NDA_FLAGS_EXT, "flags_ext", U32),
        a(16, "ndm_state_mask", U16),
        a(17, "ndm_flags_mask", U8),
    ],
};
