//! Link attributes (IFLA_*), link info, and the info data of each link kind.
//! Ids from <linux/if_link.h>; names are the words `ip link add` takes (and
//! `ip -d link` prints) where there is one. Adding a kind is adding a table and
//! one row in [`INFO_DATA`].

use super::Type::*;
use super::{AttrSet, Dispatch, Field, StructDef, Type, a};

/// struct ifinfomsg.
pub static IFINFOMSG: StructDef = StructDef {
    name: "ifinfomsg",
    size: 16,
    fields: &[
        Field::new("family", 0, U8),
        Field::new("type", 2, U16),
        Field::new("index", 4, I32),
        Field::new("flags", 8, U32),
        Field::new("change", 12, U32),
    ],
};

const STATS64_FIELDS: &[Field] = &[
    Field::new("rx_packets", 0, U64),
    Field::new("tx_packets", 8, U64),
    Field::new("rx_bytes", 16, U64),
    Field::new("tx_bytes", 24, U64),
    Field::new("rx_errors", 32, U64),
    Field::new("tx_errors", 40, U64),
    Field::new("rx_dropped", 48, U64),
    Field::new("tx_dropped", 56, U64),
    Field::new("multicast", 64, U64),
    Field::new("collisions", 72, U64),
    Field::new("rx_length_errors", 80, U64),
    Field::new("rx_over_errors", 88, U64),
    Field::new("rx_crc_errors", 96, U64),
    Field::new("rx_frame_errors", 104, U64),
    Field::new("rx_fifo_errors", 112, U64),
    Field::new("rx_missed_errors", 120, U64),
    Field::new("tx_aborted_errors", 128, U64),
    Field::new("tx_carrier_errors", 136, U64),
    Field::new("tx_fifo_errors", 144, U64),
    Field::new("tx_heartbeat_errors", 152, U64),
    Field::new("tx_window_errors", 160, U64),
    Field::new("rx_compressed", 168, U64),
    Field::new("tx_compressed", 176, U64),
    Field::new("rx_nohandler", 184, U64),
];

/// struct rtnl_link_stats64 (the fields every kernel since 4.6 sends; newer
/// fields are kept as trailing bytes).
pub static STATS64: StructDef = StructDef { name: "rtnl_link_stats64", size: 192, fields: STATS64_FIELDS };

/// RFC 2863 operational states (IFLA_OPERSTATE), as ip prints them.
pub const OPERSTATES: &[(u64, &str)] = &[
    (0, "UNKNOWN"),
    (1, "NOTPRESENT"),
    (2, "DOWN"),
    (3, "LOWERLAYERDOWN"),
    (4, "TESTING"),
    (5, "DORMANT"),
    (6, "UP"),
];

/// `IFLA_ADDRESS`: link attribute (`<linux/if_link.h>`).
pub const IFLA_ADDRESS: u16 = 1;
/// `IFLA_BROADCAST`: link attribute (`<linux/if_link.h>`).
pub const IFLA_BROADCAST: u16 = 2;
/// `IFLA_IFNAME`: link attribute (`<linux/if_link.h>`).
pub const IFLA_IFNAME: u16 = 3;
/// `IFLA_MTU`: link attribute (`<linux/if_link.h>`).
pub const IFLA_MTU: u16 = 4;
/// `IFLA_LINK`: link attribute (`<linux/if_link.h>`).
pub const IFLA_LINK: u16 = 5;
/// `IFLA_QDISC`: link attribute (`<linux/if_link.h>`).
pub const IFLA_QDISC: u16 = 6;
/// `IFLA_MASTER`: link attribute (`<linux/if_link.h>`).
pub const IFLA_MASTER: u16 = 10;
/// `IFLA_TXQLEN`: link attribute (`<linux/if_link.h>`).
pub const IFLA_TXQLEN: u16 = 13;
/// `IFLA_OPERSTATE`: link attribute (`<linux/if_link.h>`).
pub const IFLA_OPERSTATE: u16 = 16;
/// `IFLA_LINKMODE`: link attribute (`<linux/if_link.h>`).
pub const IFLA_LINKMODE: u16 = 17;
/// `IFLA_LINKINFO`: link attribute (`<linux/if_link.h>`).
pub const IFLA_LINKINFO: u16 = 18;
/// `IFLA_NET_NS_PID`: link attribute (`<linux/if_link.h>`).
pub const IFLA_NET_NS_PID: u16 = 19;
/// `IFLA_IFALIAS`: link attribute (`<linux/if_link.h>`).
pub const IFLA_IFALIAS: u16 = 20;
/// `IFLA_STATS64`: link attribute (`<linux/if_link.h>`).
pub const IFLA_STATS64: u16 = 23;
/// `IFLA_AF_SPEC`: link attribute (`<linux/if_link.h>`).
pub const IFLA_AF_SPEC: u16 = 26;
/// `IFLA_GROUP`: link attribute (`<linux/if_link.h>`).
pub const IFLA_GROUP: u16 = 27;
/// `IFLA_NET_NS_FD`: link attribute (`<linux/if_link.h>`).
pub const IFLA_NET_NS_FD: u16 = 28;
/// `IFLA_EXT_MASK`: link attribute (`<linux/if_link.h>`).
pub const IFLA_EXT_MASK: u16 = 29;
/// `IFLA_PROMISCUITY`: link attribute (`<linux/if_link.h>`).
pub const IFLA_PROMISCUITY: u16 = 30;
/// `IFLA_NUM_TX_QUEUES`: link attribute (`<linux/if_link.h>`).
pub const IFLA_NUM_TX_QUEUES: u16 = 31;
/// `IFLA_NUM_RX_QUEUES`: link attribute (`<linux/if_link.h>`).
pub const IFLA_NUM_RX_QUEUES: u16 = 32;
/// `IFLA_CARRIER`: link attribute (`<linux/if_link.h>`).
pub const IFLA_CARRIER: u16 = 33;
/// `IFLA_PHYS_PORT_ID`: link attribute (`<linux/if_link.h>`).
pub const IFLA_PHYS_PORT_ID: u16 = 34;
/// `IFLA_PHYS_SWITCH_ID`: link attribute (`<linux/if_link.h>`).
pub const IFLA_PHYS_SWITCH_ID: u16 = 36;
/// `IFLA_LINK_NETNSID`: link attribute (`<linux/if_link.h>`).
pub const IFLA_LINK_NETNSID: u16 = 37;
/// `IFLA_PHYS_PORT_NAME`: link attribute (`<linux/if_link.h>`).
pub const IFLA_PHYS_PORT_NAME: u16 = 38;
/// `IFLA_PROTO_DOWN`: link attribute (`<linux/if_link.h>`).
pub const IFLA_PROTO_DOWN: u16 = 39;
/// `IFLA_GSO_MAX_SEGS`: link attribute (`<linux/if_link.h>`).
pub const IFLA_GSO_MAX_SEGS: u16 = 40;
/// `IFLA_GSO_MAX_SIZE`: link attribute (`<linux/if_link.h>`).
pub const IFLA_GSO_MAX_SIZE: u16 = 41;
/// `IFLA_TARGET_NETNSID`: link attribute (`<linux/if_link.h>`).
pub const IFLA_TARGET_NETNSID: u16 = 46;
/// `IFLA_NEW_IFINDEX`: link attribute (`<linux/if_link.h>`).
pub const IFLA_NEW_IFINDEX: u16 = 49;
/// `IFLA_MIN_MTU`: link attribute (`<linux/if_link.h>`).
pub const IFLA_MIN_MTU: u16 = 50;
/// `IFLA_MAX_MTU`: link attribute (`<linux/if_link.h>`).
pub const IFLA_MAX_MTU: u16 = 51;
/// `IFLA_PROP_LIST`: link attribute (`<linux/if_link.h>`).
pub const IFLA_PROP_LIST: u16 = 52;
/// `IFLA_ALT_IFNAME`: link attribute (`<linux/if_link.h>`).
pub const IFLA_ALT_IFNAME: u16 = 53;
/// `IFLA_PERM_ADDRESS`: link attribute (`<linux/if_link.h>`).
pub const IFLA_PERM_ADDRESS: u16 = 54;
/// `IFLA_PARENT_DEV_NAME`: link attribute (`<linux/if_link.h>`).
pub const IFLA_PARENT_DEV_NAME: u16 = 56;
/// `IFLA_PARENT_DEV_BUS_NAME`: link attribute (`<linux/if_link.h>`).
pub const IFLA_PARENT_DEV_BUS_NAME: u16 = 57;
/// `IFLA_GRO_MAX_SIZE`: link attribute (`<linux/if_link.h>`).
pub const IFLA_GRO_MAX_SIZE: u16 = 58;
/// `IFLA_TSO_MAX_SIZE`: link attribute (`<linux/if_link.h>`).
pub const IFLA_TSO_MAX_SIZE: u16 = 59;
/// `IFLA_TSO_MAX_SEGS`: link attribute (`<linux/if_link.h>`).
pub const IFLA_TSO_MAX_SEGS: u16 = 60;
/// `IFLA_ALLMULTI`: link attribute (`<linux/if_link.h>`).
pub const IFLA_ALLMULTI: u16 = 61;

/// `IFLA_INFO_KIND`: link info attribute (`<linux/if_link.h>`).
pub const IFLA_INFO_KIND: u16 = 1;
/// `IFLA_INFO_DATA`: link info attribute (`<linux/if_link.h>`).
pub const IFLA_INFO_DATA: u16 = 2;
/// `IFLA_INFO_SLAVE_KIND`: link info attribute (`<linux/if_link.h>`).
pub const IFLA_INFO_SLAVE_KIND: u16 = 4;
/// `IFLA_INFO_SLAVE_DATA`: link info attribute (`<linux/if_link.h>`).
pub const IFLA_INFO_SLAVE_DATA: u16 = 5;

/// `VETH_INFO_PEER`: veth attribute (`<linux/veth.h>`).
pub const VETH_INFO_PEER: u16 = 1;

/// IFLA_* : the attributes of a link message.
pub static LINK: AttrSet = AttrSet {
    name: "link",
    attrs: &[
        a(1, "address", Mac),
        a(2, "broadcast", Mac),
        a(3, "ifname", Str),
        a(4, "mtu", U32),
        a(5, "link", U32).ifindex(),
        a(6, "qdisc", Str).read_only(),
        a(7, "stats", Bytes).read_only(),
        a(8, "cost", Bytes),
        a(9, "priority", Bytes),
        a(10, "master", U32).ifindex(),
        a(11, "wireless", Bytes).read_only(),
        a(12, "protinfo", Bytes).read_only(),
        a(13, "txqlen", U32),
        a(14, "map", Bytes),
        a(15, "weight", U32),
        a(16, "operstate", U8).names(OPERSTATES),
        a(17, "linkmode", U8).names(&[(0, "DEFAULT"), (1, "DORMANT"), (2, "TESTING")]),
        a(18, "linkinfo", Nested(&LINKINFO)),
        a(19, "net_ns_pid", U32),
        a(20, "ifalias", Str),
        a(21, "num_vf", U32).read_only(),
        a(22, "vfinfo_list", Bytes).read_only(),
        a(23, "stats64", Struct(&STATS64)).read_only(),
        a(24, "vf_ports", Bytes).read_only(),
        a(25, "port_self", Bytes).read_only(),
        a(26, "af_spec", Bytes),
        a(27, "group", U32),
        a(28, "net_ns_fd", U32),
        a(29, "ext_mask", U32),
        a(30, "promiscuity", U32).read_only(),
        a(31, "num_tx_queues", U32),
        a(32, "num_rx_queues", U32),
        a(33, "carrier", U8),
        a(34, "phys_port_id", Bytes).read_only(),
        a(35, "carrier_changes", U32).read_only(),
        a(36, "phys_switch_id", Bytes).read_only(),
        a(37, "link_netnsid", I32),
        a(38, "phys_port_name", Str).read_only(),
        a(39, "proto_down", U8),
        a(40, "gso_max_segs", U32),
        a(41, "gso_max_size", U32),
        a(42, "pad", Bytes).read_only(),
        a(43, "xdp", Bytes),
        a(44, "event", U32).read_only(),
        a(45, "new_netnsid", I32),
        a(46, "target_netnsid", I32),
        a(47, "carrier_up_count", U32).read_only(),
        a(48, "carrier_down_count", U32).read_only(),
        a(49, "new_ifindex", I32),
        a(50, "min_mtu", U32).read_only(),
        a(51, "max_mtu", U32).read_only(),
        a(52, "prop_list", Nested(&PROP_LIST)).nested_flag(),
        a(53, "alt_ifname", Str),
        a(54, "perm_address", Mac).read_only(),
        a(55, "proto_down_reason", Bytes),
        a(56, "parent_dev_name", Str).read_only(),
        a(57, "parent_dev_bus_name", Str).read_only(),
        a(58, "gro_max_size", U32),
        a(59, "tso_max_size", U32).read_only(),
        a(60, "tso_max_segs", U32).read_only(),
        a(61, "allmulti", U32).read_only(),
        a(62, "devlink_port", Bytes).read_only(),
        a(63, "gso_ipv4_max_size", U32),
        a(64, "gro_ipv4_max_size", U32),
        a(65, "dpll_pin", Bytes).read_only(),
        // NLA_UINT: 4 bytes while the value fits (an 8-byte one stays raw)
        a(66, "max_pacing_offload_horizon", U32).read_only(),
        a(67, "netns_immutable", Bool).read_only(),
        a(68, "headroom", U16).read_only(),
        a(69, "tailroom", U16).read_only(),
    ],
};

/// IFLA_PROP_LIST: alternative names.
pub static PROP_LIST: AttrSet = AttrSet { name: "prop_list", attrs: &[a(53, "alt_ifname", Str)] };

/// IFLA_LINKINFO.
pub static LINKINFO: AttrSet = AttrSet {
    name: "linkinfo",
    attrs: &[
        a(IFLA_INFO_KIND, "kind", Str),
        a(IFLA_INFO_DATA, "data", ByKind(&INFO_DATA)),
        a(3, "xstats", Bytes).read_only(),
        a(IFLA_INFO_SLAVE_KIND, "slave_kind", Str),
        a(IFLA_INFO_SLAVE_DATA, "slave_data", ByKind(&INFO_SLAVE_DATA)),
    ],
};

/// The data set of each link kind (IFLA_INFO_DATA), chosen by IFLA_INFO_KIND.
pub static INFO_DATA: Dispatch = Dispatch {
    selector: IFLA_INFO_KIND,
    cases: &[
        ("veth", Nested(&VETH)),
        ("bridge", Nested(&BRIDGE)),
        ("vxlan", Nested(&VXLAN)),
        ("macvlan", Nested(&MACVLAN)),
        ("macvtap", Nested(&MACVLAN)),
        ("tun", Nested(&TUN)),
        ("vlan", Nested(&VLAN)),
        ("bond", Nested(&BOND)),
        ("vrf", Nested(&VRF)),
        ("ipvlan", Nested(&IPVLAN)),
        ("ipvtap", Nested(&IPVLAN)),
        ("geneve", Nested(&GENEVE)),
        ("ifb", Nested(&EMPTY)),
        ("dummy", Nested(&EMPTY)),
        ("nlmon", Nested(&EMPTY)),
    ],
};

/// The port data of each master kind (IFLA_INFO_SLAVE_DATA).
pub static INFO_SLAVE_DATA: Dispatch = Dispatch {
    selector: IFLA_INFO_SLAVE_KIND,
    cases: &[("bridge", Nested(&BRIDGE_PORT)), ("bond", Nested(&BOND_PORT)), ("vrf", Nested(&VRF_PORT))],
};

/// Kinds with no options.
pub static EMPTY: AttrSet = AttrSet { name: "none", attrs: &[] };

/// The kinds link.add knows options for.
pub fn known_kinds() -> impl Iterator<Item = &'static str> {
    INFO_DATA.cases.iter().map(|(k, _)| *k)
}

/// The option set of `kind`, if the table knows the kind.
pub fn kind_set(kind: &str) -> Option<&'static AttrSet> {
    match INFO_DATA.case(kind)? {
        Type::Nested(s) => Some(s),
        _ => None,
    }
}

/// veth: the peer is an ifinfomsg followed by link attributes.
pub static VETH: AttrSet = AttrSet { name: "veth", attrs: &[a(VETH_INFO_PEER, "peer", StructThen(&IFINFOMSG, &LINK))] };

/// struct ifla_bridge_id.
pub static BRIDGE_ID: StructDef = StructDef {
    name: "ifla_bridge_id",
    size: 8,
    fields: &[Field::bytes("prio", 0, Bytes, 2), Field::bytes("addr", 2, Mac, 6)],
};

/// struct br_boolopt_multi.
pub static BR_BOOLOPT_MULTI: StructDef = StructDef {
    name: "br_boolopt_multi",
    size: 8,
    fields: &[Field::new("optval", 0, U32), Field::new("optmask", 4, U32)],
};

/// IFLA_BR_*.
pub static BRIDGE: AttrSet = AttrSet {
    name: "bridge",
    attrs: &[
        a(1, "forward_delay", U32),
        a(2, "hello_time", U32),
        a(3, "max_age", U32),
        a(4, "ageing_time", U32),
        a(5, "stp_state", U32),
        a(6, "priority", U16),
        a(7, "vlan_filtering", U8),
        a(8, "vlan_protocol", Be16).names(&[(0x8100, "802.1Q"), (0x88a8, "802.1ad")]),
        a(9, "group_fwd_mask", U16),
        a(10, "root_id", Struct(&BRIDGE_ID)).read_only(),
        a(11, "bridge_id", Struct(&BRIDGE_ID)).read_only(),
        a(12, "root_port", U16).read_only(),
        a(13, "root_path_cost", U32).read_only(),
        a(14, "topology_change", U8).read_only(),
        a(15, "topology_change_detected", U8).read_only(),
        a(16, "hello_timer", U64).read_only(),
        a(17, "tcn_timer", U64).read_only(),
        a(18, "topology_change_timer", U64).read_only(),
        a(19, "gc_timer", U64).read_only(),
        a(20, "group_address", Mac),
        a(21, "fdb_flush", Flag),
        a(22, "mcast_router", U8),
        a(23, "mcast_snooping", U8),
        a(24, "mcast_query_use_ifaddr", U8),
        a(25, "mcast_querier", U8),
        a(26, "mcast_hash_elasticity", U32),
        a(27, "mcast_hash_max", U32),
        a(28, "mcast_last_member_count", U32),
        a(29, "mcast_startup_query_count", U32),
        a(30, "mcast_last_member_interval", U64),
        a(31, "mcast_membership_interval", U64),
        a(32, "mcast_querier_interval", U64),
        a(33, "mcast_query_interval", U64),
        a(34, "mcast_query_response_interval", U64),
        a(35, "mcast_startup_query_interval", U64),
        a(36, "nf_call_iptables", U8),
        a(37, "nf_call_ip6tables", U8),
        a(38, "nf_call_arptables", U8),
        a(39, "vlan_default_pvid", U16),
        a(40, "pad", Bytes).read_only(),
        a(41, "vlan_stats_enabled", U8),
        a(42, "mcast_stats_enabled", U8),
        a(43, "mcast_igmp_version", U8),
        a(44, "mcast_mld_version", U8),
        a(45, "vlan_stats_per_port", U8),
        a(46, "multi_boolopt", Struct(&BR_BOOLOPT_MULTI)),
        a(47, "mcast_querier_state", Bytes).read_only(),
        a(48, "fdb_n_learned", U32).read_only(),
        a(49, "fdb_max_learned", U32),
    ],
};

/// IFLA_BRPORT_*: a bridge port's settings.
pub static BRIDGE_PORT: AttrSet = AttrSet {
    name: "bridge_slave",
    attrs: &[
        a(1, "state", U8).names(&[(0, "disabled"), (1, "listening"), (2, "learning"), (3, "forwarding"), (4, "blocking")]),
        a(2, "priority", U16),
        a(3, "cost", U32),
        a(4, "hairpin", Bool),
        a(5, "guard", Bool),
        a(6, "root_block", Bool),
        a(7, "fastleave", Bool),
        a(8, "learning", Bool),
        a(9, "flood", Bool),
        a(10, "proxy_arp", Bool),
        a(11, "learning_sync", Bool),
        a(12, "proxy_arp_wifi", Bool),
        a(13, "root_id", Struct(&BRIDGE_ID)).read_only(),
        a(14, "bridge_id", Struct(&BRIDGE_ID)).read_only(),
        a(15, "designated_port", U16).read_only(),
        a(16, "designated_cost", U16).read_only(),
        a(17, "id", U16).read_only(),
        a(18, "no", U16).read_only(),
        a(19, "topology_change_ack", U8).read_only(),
        a(20, "config_pending", U8).read_only(),
        a(21, "message_age_timer", U64).read_only(),
        a(22, "forward_delay_timer", U64).read_only(),
        a(23, "hold_timer", U64).read_only(),
        a(24, "flush", Flag),
        a(25, "mcast_router", U8),
        a(26, "pad", Bytes).read_only(),
        a(27, "mcast_flood", Bool),
        a(28, "mcast_to_unicast", Bool),
        a(29, "vlan_tunnel", Bool),
        a(30, "bcast_flood", Bool),
        a(31, "group_fwd_mask", U16),
        a(32, "neigh_suppress", Bool),
        a(33, "isolated", Bool),
        a(34, "backup_port", U32).ifindex(),
        a(35, "mrp_ring_open", U8).read_only(),
        a(36, "mrp_in_open", U8).read_only(),
        a(37, "mcast_eht_hosts_limit", U32),
        a(38, "mcast_eht_hosts_cnt", U32).read_only(),
        a(39, "locked", Bool),
        a(40, "mab", Bool),
        a(41, "mcast_n_groups", U32).read_only(),
        a(42, "mcast_max_groups", U32),
        a(43, "neigh_vlan_suppress", Bool),
    ],
};

/// struct ifla_vxlan_port_range (network byte order).
pub static VXLAN_PORT_RANGE: StructDef = StructDef {
    name: "ifla_vxlan_port_range",
    size: 4,
    fields: &[Field::new("low", 0, Be16), Field::new("high", 2, Be16)],
};

/// IFLA_VXLAN_*. `remote`/`group` and `local` take either family; the encoder
/// picks the v4 or v6 attribute by the address given.
pub static VXLAN: AttrSet = AttrSet {
    name: "vxlan",
    attrs: &[
        a(1, "id", U32).range(0, 0xff_ffff),
        a(2, "remote", Ipv4),
        a(3, "dev", U32).ifindex(),
        a(4, "local", Ipv4),
        a(5, "ttl", U8),
        a(6, "tos", U8),
        a(7, "learning", Bool),
        a(8, "ageing", U32),
        a(9, "maxaddress", U32),
        a(10, "srcport", Struct(&VXLAN_PORT_RANGE)),
        a(11, "proxy", Bool),
        a(12, "rsc", Bool),
        a(13, "l2miss", Bool),
        a(14, "l3miss", Bool),
        a(15, "dstport", Be16),
        a(16, "remote", Ipv6),
        a(17, "local", Ipv6),
        a(18, "udpcsum", Bool),
        a(19, "udp6zerocsumtx", Bool),
        a(20, "udp6zerocsumrx", Bool),
        a(21, "remcsumtx", Bool),
        a(22, "remcsumrx", Bool),
        a(23, "gbp", Flag),
        a(24, "remcsum_nopartial", Flag),
        a(25, "external", Bool),
        a(26, "flowlabel", Be32),
        a(27, "gpe", Flag),
        a(28, "ttl_inherit", Flag),
        a(29, "df", U8).names(&[(0, "unset"), (1, "set"), (2, "inherit")]),
        a(30, "vnifilter", Bool),
        a(31, "localbypass", Bool),
        a(32, "label_policy", U32).names(&[(0, "fixed"), (1, "inherit")]),
        a(33, "reserved_bits", Bytes),
        // input aliases: ip accepts `group` for multicast destinations
        a(2, "group", Ipv4),
        a(16, "group", Ipv6),
    ],
};

/// IFLA_MACVLAN_* (macvlan and macvtap).
pub static MACVLAN: AttrSet = AttrSet {
    name: "macvlan",
    attrs: &[
        a(1, "mode", U32).names(&[(1, "private"), (2, "vepa"), (4, "bridge"), (8, "passthru"), (16, "source")]),
        a(2, "flags", U16).names(&[(0, "none"), (1, "nopromisc"), (2, "nodst")]),
        a(3, "macaddr_mode", U32).names(&[(0, "add"), (1, "del"), (2, "flush"), (3, "set")]),
        a(4, "macaddr", Mac),
        a(5, "macaddr_data", Bytes),
        a(6, "macaddr_count", U32).read_only(),
        a(7, "bcqueuelen", U32),
        a(8, "bcqueuelen_used", U32).read_only(),
    ],
};

/// IFLA_TUN_*: reported for tun/tap (they are created with an ioctl, not here).
pub static TUN: AttrSet = AttrSet {
    name: "tun",
    attrs: &[
        a(1, "user", U32),
        a(2, "group", U32),
        a(3, "type", U8).names(&[(1, "tun"), (2, "tap")]),
        a(4, "pi", Bool),
        a(5, "vnet_hdr", Bool),
        a(6, "persist", Bool),
        a(7, "multi_queue", Bool),
        a(8, "num_queues", U32),
        a(9, "num_disabled_queues", U32),
    ],
};

/// struct ifla_vlan_flags.
pub static VLAN_FLAGS: StructDef = StructDef {
    name: "ifla_vlan_flags",
    size: 8,
    fields: &[Field::new("flags", 0, U32), Field::new("mask", 4, U32)],
};

/// struct ifla_vlan_qos_mapping.
pub static VLAN_QOS_MAPPING: StructDef = StructDef {
    name: "ifla_vlan_qos_mapping",
    size: 8,
    fields: &[Field::new("from", 0, U32), Field::new("to", 4, U32)],
};

/// IFLA_VLAN_QOS_*.
pub static VLAN_QOS: AttrSet = AttrSet { name: "vlan_qos", attrs: &[a(1, "mapping", Struct(&VLAN_QOS_MAPPING))] };

/// IFLA_VLAN_*.
pub static VLAN: AttrSet = AttrSet {
    name: "vlan",
    attrs: &[
        a(1, "id", U16).range(0, 4094),
        a(2, "flags", Struct(&VLAN_FLAGS)),
        a(3, "egress_qos", Nested(&VLAN_QOS)),
        a(4, "ingress_qos", Nested(&VLAN_QOS)),
        a(5, "protocol", Be16).names(&[(0x8100, "802.1Q"), (0x88a8, "802.1ad")]),
    ],
};

/// Bond modes as ip names them.
pub const BOND_MODES: &[(u64, &str)] = &[
    (0, "balance-rr"),
    (1, "active-backup"),
    (2, "balance-xor"),
    (3, "broadcast"),
    (4, "802.3ad"),
    (5, "balance-tlb"),
    (6, "balance-alb"),
];

/// IFLA_BOND_*.
pub static BOND: AttrSet = AttrSet {
    name: "bond",
    attrs: &[
        a(1, "mode", U8).names(BOND_MODES),
        a(2, "active_slave", U32).ifindex(),
        a(3, "miimon", U32),
        a(4, "updelay", U32),
        a(5, "downdelay", U32),
        a(6, "use_carrier", U8),
        a(7, "arp_interval", U32),
        a(8, "arp_ip_target", List(&Ipv4)),
        a(9, "arp_validate", U32).names(&[(0, "none"), (1, "active"), (2, "backup"), (3, "all"), (4, "filter"), (5, "filter_active"), (6, "filter_backup")]),
        a(10, "arp_all_targets", U32).names(&[(0, "any"), (1, "all")]),
        a(11, "primary", U32).ifindex(),
        a(12, "primary_reselect", U8).names(&[(0, "always"), (1, "better"), (2, "failure")]),
        a(13, "fail_over_mac", U8).names(&[(0, "none"), (1, "active"), (2, "follow")]),
        a(14, "xmit_hash_policy", U8).names(&[(0, "layer2"), (1, "layer3+4"), (2, "layer2+3"), (3, "encap2+3"), (4, "encap3+4"), (5, "vlan+srcmac")]),
        a(15, "resend_igmp", U32),
        a(16, "num_peer_notif", U8),
        a(17, "all_slaves_active", U8),
        a(18, "min_links", U32),
        a(19, "lp_interval", U32),
        a(20, "packets_per_slave", U32),
        a(21, "lacp_rate", U8).names(&[(0, "slow"), (1, "fast")]),
        a(22, "ad_select", U8).names(&[(0, "stable"), (1, "bandwidth"), (2, "count")]),
        a(23, "ad_info", Bytes).read_only(),
        a(24, "ad_actor_sys_prio", U16),
        a(25, "ad_user_port_key", U16),
        a(26, "ad_actor_system", Mac),
        a(27, "tlb_dynamic_lb", U8),
        a(28, "peer_notify_delay", U32),
        a(29, "lacp_active", U8).names(&[(0, "off"), (1, "on")]),
        a(30, "arp_missed_max", U8),
        a(31, "ns_ip6_target", List(&Ipv6)),
        a(32, "coupled_control", U8),
    ],
};

/// IFLA_BOND_SLAVE_*.
pub static BOND_PORT: AttrSet = AttrSet {
    name: "bond_slave",
    attrs: &[
        a(1, "state", U8).names(&[(0, "ACTIVE"), (1, "BACKUP")]),
        a(2, "mii_status", U8).names(&[(0, "UP"), (1, "GOING_DOWN"), (2, "DOWN"), (3, "GOING_BACK")]),
        a(3, "link_failure_count", U32).read_only(),
        a(4, "perm_hwaddr", Mac).read_only(),
        a(5, "queue_id", U16),
        a(6, "ad_aggregator_id", U16).read_only(),
        a(7, "ad_actor_oper_port_state", U8).read_only(),
        a(8, "ad_partner_oper_port_state", U16).read_only(),
        a(9, "prio", I32),
    ],
};

/// IFLA_VRF_*.
pub static VRF: AttrSet = AttrSet { name: "vrf", attrs: &[a(1, "table", U32)] };

/// IFLA_VRF_PORT_*.
pub static VRF_PORT: AttrSet = AttrSet { name: "vrf_slave", attrs: &[a(1, "table", U32).read_only()] };

/// IFLA_IPVLAN_*.
pub static IPVLAN: AttrSet = AttrSet {
    name: "ipvlan",
    attrs: &[
        a(1, "mode", U16).names(&[(0, "l2"), (1, "l3"), (2, "l3s")]),
        a(2, "flags", U16).names(&[(0, "bridge"), (1, "private"), (2, "vepa")]),
    ],
};

/// IFLA_GENEVE_*.
pub static GENEVE: AttrSet = AttrSet {
    name: "geneve",
    attrs: &[
        a(1, "id", U32).range(0, 0xff_ffff),
        a(2, "remote", Ipv4),
        a(3, "ttl", U8),
        a(4, "tos", U8),
        a(5, "dstport", Be16),
        a(6, "external", Flag),
        a(7, "remote", Ipv6),
        a(8, "udpcsum", Bool),
        a(9, "udp6zerocsumtx", Bool),
        a(10, "udp6zerocsumrx", Bool),
        a(11, "flowlabel", Be32),
        a(12, "ttl_inherit", Bool),
        a(13, "df", U8).names(&[(0, "unset"), (1, "set"), (2, "inherit")]),
        a(14, "inner_proto_inherit", Flag),
    ],
};

/// Every AttrDef of the link tables (for tests that check the tables).
pub fn all_sets() -> &'static [&'static AttrSet] {
    static ALL: &[&AttrSet] = &[
        &LINK, &PROP_LIST, &LINKINFO, &VETH, &BRIDGE, &BRIDGE_PORT, &VXLAN, &MACVLAN, &TUN, &VLAN, &VLAN_QOS, &BOND,
        &BOND_PORT, &VRF, &VRF_PORT, &IPVLAN, &GENEVE,
    ];
    ALL
}

