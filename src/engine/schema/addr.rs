//! Address attributes (IFA_*), ids from <linux/if_addr.h>.

use super::Type::*;
use super::{AttrSet, Field, StructDef, a};

/// struct ifaddrmsg.
pub static IFADDRMSG: StructDef = StructDef {
    name: "ifaddrmsg",
    size: 8,
    fields: &[
        Field::new("family", 0, U8),
        Field::new("prefixlen", 1, U8),
        Field::new("flags", 2, U8),
        Field::new("scope", 3, U8),
        Field::new("index", 4, U32),
    ],
};

/// struct ifa_cacheinfo: lifetimes in seconds (0xffffffff = forever).
pub static CACHEINFO: StructDef = StructDef {
    name: "ifa_cacheinfo",
    size: 16,
    fields: &[
        Field::new("preferred_lft", 0, U32),
        Field::new("valid_lft", 4, U32),
        Field::new("cstamp", 8, U32),
        Field::new("tstamp", 12, U32),
    ],
};

/// `IFA_ADDRESS`: address attribute (`<linux/if_addr.h>`).
pub const IFA_ADDRESS: u16 = 1;
/// `IFA_LOCAL`: address attribute (`<linux/if_addr.h>`).
pub const IFA_LOCAL: u16 = 2;
/// `IFA_LABEL`: address attribute (`<linux/if_addr.h>`).
pub const IFA_LABEL: u16 = 3;
/// `IFA_BROADCAST`: address attribute (`<linux/if_addr.h>`).
pub const IFA_BROADCAST: u16 = 4;
/// `IFA_ANYCAST`: address attribute (`<linux/if_addr.h>`).
pub const IFA_ANYCAST: u16 = 5;
/// `IFA_CACHEINFO`: address attribute (`<linux/if_addr.h>`).
pub const IFA_CACHEINFO: u16 = 6;
/// `IFA_FLAGS`: address attribute (`<linux/if_addr.h>`).
pub const IFA_FLAGS: u16 = 8;
/// `IFA_RT_PRIORITY`: address attribute (`<linux/if_addr.h>`).
pub const IFA_RT_PRIORITY: u16 = 9;
/// `IFA_PROTO`: address attribute (`<linux/if_addr.h>`).
pub const IFA_PROTO: u16 = 11;

/// IFA_F_* flags, with the words `ip addr` prints.
pub const IFA_FLAG_NAMES: &[(u32, &str)] = &[
    (0x01, "secondary"),
    (0x02, "nodad"),
    (0x04, "optimistic"),
    (0x08, "dadfailed"),
    (0x10, "home"),
    (0x20, "deprecated"),
    (0x40, "tentative"),
    (0x80, "permanent"),
    (0x100, "managetempaddr"),
    (0x200, "noprefixroute"),
    (0x400, "autojoin"),
    (0x800, "stable-privacy"),
];

/// `IFA_F_SECONDARY`: address flag (`<linux/if_addr.h>`).
pub const IFA_F_SECONDARY: u32 = 0x01;
/// `IFA_F_NODAD`: address flag (`<linux/if_addr.h>`).
pub const IFA_F_NODAD: u32 = 0x02;
/// `IFA_F_TENTATIVE`: address flag (`<linux/if_addr.h>`).
pub const IFA_F_TENTATIVE: u32 = 0x40;
/// `IFA_F_PERMANENT`: address flag (`<linux/if_addr.h>`).
pub const IFA_F_PERMANENT: u32 = 0x80;
/// `IFA_F_NOPREFIXROUTE`: address flag (`<linux/if_addr.h>`).
pub const IFA_F_NOPREFIXROUTE: u32 = 0x200;

/// IFA_*.
pub static ADDR: AttrSet = AttrSet {
    name: "addr",
    attrs: &[
        a(IFA_ADDRESS, "address", Ip),
        a(IFA_LOCAL, "local", Ip),
        a(IFA_LABEL, "label", Str),
        a(IFA_BROADCAST, "broadcast", Ipv4),
        a(IFA_ANYCAST, "anycast", Ip),
        a(IFA_CACHEINFO, "cacheinfo", Struct(&CACHEINFO)),
        a(7, "multicast", Ip),
        a(IFA_FLAGS, "flags", U32),
        a(IFA_RT_PRIORITY, "metric", U32),
        a(10, "target_netnsid", I32),
        a(IFA_PROTO, "proto", U8),
    ],
};
