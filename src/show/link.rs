//! Links as `ip link` / `ip addr` print them, and as `ip -j -d link` reports them.

use std::fmt::Write;

use super::{Json, Names, dev_name, link_kinds};
use crate::engine::Link;
use crate::engine::message;
use crate::engine::schema::Value;
use crate::engine::schema::link as S;
use crate::units::format_mac;

/// ARPHRD_* names as ip prints them (lib/ll_types.c).
const LL_TYPES: &[(u16, &str)] = &[
    (0, "netrom"), (1, "ether"), (2, "eether"), (3, "ax25"), (4, "pronet"), (5, "chaos"), (6, "ieee802"),
    (7, "arcnet"), (8, "atalk"), (15, "dlci"), (19, "atm"), (23, "metricom"), (24, "ieee1394"), (32, "infiniband"),
    (256, "slip"), (257, "cslip"), (258, "slip6"), (259, "cslip6"), (260, "rsrvd"), (264, "adapt"), (270, "rose"),
    (271, "x25"), (272, "hwx25"), (280, "can"), (512, "ppp"), (513, "hdlc"), (516, "lapb"), (517, "ddcmp"),
    (518, "rawhdlc"), (768, "ipip"), (769, "tunnel6"), (770, "frad"), (771, "skip"), (772, "loopback"),
    (773, "ltalk"), (774, "fddi"), (775, "bif"), (776, "sit"), (777, "ip/ddp"), (778, "gre"), (779, "pimreg"),
    (780, "hippi"), (781, "ash"), (782, "econet"), (783, "irda"), (784, "fcpp"), (785, "fcal"), (786, "fcpl"),
    (787, "fcfb0"), (800, "tr"), (801, "ieee802.11"), (802, "ieee802.11/prism"), (803, "ieee802.11/radiotap"),
    (804, "ieee802.15.4"), (805, "ieee802.15.4/monitor"), (820, "phonet"), (821, "phonet_pipe"), (822, "caif"),
    (823, "gre6"), (824, "netlink"), (825, "6lowpan"), (0xfffe, "none"), (0xffff, "void"),
];

/// The link type word ("ether", "loopback", "none").
pub fn ll_type_name(t: u16) -> String {
    LL_TYPES.iter().find(|(k, _)| *k == t).map(|(_, n)| n.to_string()).unwrap_or_else(|| format!("[{t}]"))
}

/// A link-layer address as ip prints it (tunnels carry IP addresses).
pub fn ll_addr(a: &[u8], ty: u16) -> String {
    match (a.len(), ty) {
        (4, 768 | 776 | 778) => std::net::Ipv4Addr::from(<[u8; 4]>::try_from(a).unwrap()).to_string(),
        (16, 769 | 823) => std::net::Ipv6Addr::from(<[u8; 16]>::try_from(a).unwrap()).to_string(),
        _ => format_mac(a),
    }
}

/// The group name from /etc/iproute2/group ("default" for 0).
pub fn group_name(id: u32) -> String {
    crate::units::iproute2_name("group", id, &[(0, "default")])
}

/// `name@peer` and whether the lower device is down (ip's M-DOWN).
fn name_and_link(l: &Link, n: &dyn Names) -> (String, bool) {
    if !l.attrs.has(S::IFLA_LINK) {
        return (l.name.clone(), false);
    }
    match l.link.unwrap_or(0) {
        0 => (format!("{}@NONE", l.name), false),
        i if l.link_netnsid.is_some() => (format!("{}@if{i}", l.name), false),
        i => {
            let peer = dev_name(n, i);
            (format!("{}@{peer}", l.name), !n.link_up(i).unwrap_or(false))
        }
    }
}

/// "<BROADCAST,MULTICAST,UP,LOWER_UP>" exactly as ip prints it.
pub fn flags_text(flags: u32, mdown: bool) -> String {
    let mut words: Vec<String> = Vec::new();
    if flags & 0x1 != 0 && flags & 0x40 == 0 {
        words.push("NO-CARRIER".into());
    }
    let mut rest = flags & !0x40;
    for (bit, name) in crate::engine::link::IFF_NAMES {
        if rest & bit != 0 {
            rest &= !bit;
            words.push(name.to_string());
        }
    }
    let mut s = format!("<{}", words.join(","));
    if rest != 0 {
        if !words.is_empty() {
            s.push(',');
        }
        let _ = write!(s, "{rest:x}");
    }
    if mdown {
        s.push_str(",M-DOWN");
    }
    s.push('>');
    s
}

/// The link as `ip link show` prints it (`do_link`), or as the first lines of
/// `ip addr show` (no mode, no alias). No trailing newline.
pub fn link_text(l: &Link, n: &dyn Names, do_link: bool) -> String {
    // ip marks M-DOWN from the lower device's flags alone, not from operstate.
    let (name, mdown) = name_and_link(l, n);
    let mut s = format!("{}: {}: {} ", l.index, name, flags_text(l.flags, mdown));
    if l.attrs.has(S::IFLA_MTU) {
        let _ = write!(s, "mtu {} ", l.mtu);
    }
    if let Some(q) = &l.qdisc {
        let _ = write!(s, "qdisc {q} ");
    }
    if let Some(m) = l.master {
        let _ = write!(s, "master {} ", dev_name(n, m));
    }
    if l.attrs.has(S::IFLA_OPERSTATE) {
        let _ = write!(s, "state {} ", l.operstate_name());
    }
    if do_link && l.attrs.has(S::IFLA_LINKMODE) {
        match l.linkmode {
            0 => s.push_str("mode DEFAULT "),
            1 => s.push_str("mode DORMANT "),
            m => {
                let _ = write!(s, "mode {m} ");
            }
        }
    }
    if l.attrs.has(S::IFLA_GROUP) {
        let _ = write!(s, "group {} ", group_name(l.group));
    }
    if l.txqlen != 0 {
        let _ = write!(s, "qlen {}", l.txqlen);
    }
    let _ = write!(s, "\n    link/{} ", ll_type_name(l.link_type));
    if let Some(m) = &l.mac {
        s.push_str(&ll_addr(m, l.link_type));
    }
    if let Some(b) = &l.broadcast {
        s.push_str(if l.flags & 0x10 != 0 { " peer " } else { " brd " });
        s.push_str(&ll_addr(b, l.link_type));
    }
    if let Some(p) = &l.perm_mac
        && l.mac.as_ref() != Some(p) {
            let _ = write!(s, " permaddr {}", ll_addr(p, l.link_type));
        }
    if let Some(id) = l.link_netnsid {
        if id >= 0 {
            match n.netns_name(id) {
                Some(name) => {
                    let _ = write!(s, " link-netns {name}");
                }
                None => {
                    let _ = write!(s, " link-netnsid {id}");
                }
            }
        } else {
            s.push_str(" link-netnsid unknown");
        }
    }
    if do_link
        && let Some(a) = &l.alias {
            let _ = write!(s, "\n    alias {a}");
        }
    for alt in &l.altnames {
        let _ = write!(s, "\n    altname {alt}");
    }
    s
}

/// One line like `ip -br link`: name, state, address, flags.
pub fn link_brief(l: &Link, n: &dyn Names) -> String {
    let (name, mdown) = name_and_link(l, n);
    let mac = l.mac.as_ref().map(|m| ll_addr(m, l.link_type)).unwrap_or_default();
    format!("{:<16} {:<14} {:<17} {}", name, l.operstate_name(), mac, flags_text(l.flags, mdown))
}

fn flags_json(l: &Link, n: &dyn Names) -> Json {
    let mdown = name_and_link(l, n).1;
    let t = flags_text(l.flags, mdown);
    let inner = &t[1..t.len() - 1];
    Json::Arr(inner.split(',').filter(|w| !w.is_empty()).map(Json::from).collect())
}

/// `linkinfo` as ip prints it: the kind and its data, the port kind and its data
/// (ip's keys where src/show/link_kinds.rs has the kind's printer, nlua's
/// option names otherwise).
fn linkinfo_json(l: &Link, n: &dyn Names) -> Json {
    let mut li = Json::obj();
    if let Some(k) = &l.kind {
        li.set("info_kind", k.as_str());
        match link_kinds::info_data(k, l.kind_data(), n) {
            Some(Some(d)) => {
                li.set("info_data", d);
            }
            Some(None) => {}
            None => {
                if let Some(d) = l.kind_data().filter(|d| !d.0.is_empty()) {
                    li.set("info_data", Json::from(&d.to_opt()));
                }
            }
        }
    }
    if let Some(k) = &l.slave_kind {
        li.set("info_slave_kind", k.as_str());
        match link_kinds::slave_data(k, l.slave_data(), n) {
            Some(d) => {
                li.set("info_slave_data", d);
            }
            None => {
                if let Some(d) = l.slave_data() {
                    li.set("info_slave_data", Json::from(&d.to_opt()));
                }
            }
        }
    }
    li
}

/// IFLA_AF_SPEC / AF_INET6 / IFLA_INET6_ADDR_GEN_MODE as ip names it.
fn inet6_addr_gen_mode(l: &Link) -> Option<String> {
    let Some(Value::Bytes(spec)) = l.attrs.value(S::IFLA_AF_SPEC) else { return None };
    let inet6 = message::find_attr(spec, 10)?; // AF_INET6
    let mode = *message::find_attr(inet6, 8)?.first()?; // IFLA_INET6_ADDR_GEN_MODE
    Some(match mode {
        0 => "eui64".into(),
        1 => "none".into(),
        2 => "stable_secret".into(),
        3 => "random".into(),
        m => format!("{m:#04x}"),
    })
}

/// The object `ip -j -s -d link show` prints for this link: ip's keys, the
/// kind's data as ip prints it (see `linkinfo_json`), and `stats64`.
pub fn link_json(l: &Link, n: &dyn Names) -> Json {
    let mut o = Json::obj();
    o.set("ifindex", l.index);
    if l.attrs.has(S::IFLA_LINK) {
        match l.link.unwrap_or(0) {
            0 => {
                o.set("link", Json::Null);
            }
            i if l.link_netnsid.is_some() => {
                o.set("link_index", i);
            }
            i => {
                o.set("link", dev_name(n, i));
            }
        }
    }
    o.set("ifname", l.name.as_str());
    o.set("flags", flags_json(l, n));
    o.set("mtu", l.mtu);
    if let Some(q) = &l.qdisc {
        o.set("qdisc", q.as_str());
    }
    if let Some(m) = l.master {
        o.set("master", dev_name(n, m));
    }
    o.set("operstate", l.operstate_name());
    o.set("linkmode", if l.linkmode == 1 { "DORMANT" } else { "DEFAULT" });
    o.set("group", group_name(l.group));
    if l.txqlen != 0 {
        o.set("txqlen", l.txqlen);
    }
    o.set("link_type", ll_type_name(l.link_type));
    if let Some(m) = &l.mac {
        o.set("address", ll_addr(m, l.link_type));
    }
    if let Some(b) = &l.broadcast {
        if l.flags & 0x10 != 0 {
            o.set("link_pointtopoint", true);
        }
        o.set("broadcast", ll_addr(b, l.link_type));
    }
    if let Some(p) = &l.perm_mac
        && l.mac.as_ref() != Some(p)
    {
        o.set("permaddr", ll_addr(p, l.link_type));
    }
    if let Some(id) = l.link_netnsid {
        o.set("link_netnsid", id);
    }
    if l.attrs.uint(S::IFLA_PROTO_DOWN).is_some_and(|v| v != 0) {
        o.set("proto_down", true);
    }
    o.set("promiscuity", l.promiscuity);
    o.set("allmulti", l.allmulti);
    if let Some(v) = l.min_mtu {
        o.set("min_mtu", v);
    }
    if let Some(v) = l.max_mtu {
        o.set("max_mtu", v);
    }
    if l.kind.is_some() || l.slave_kind.is_some() {
        o.set("linkinfo", linkinfo_json(l, n));
    }
    if let Some(mode) = inet6_addr_gen_mode(l) {
        o.set("inet6_addr_gen_mode", mode);
    }
    if let Some(v) = l.num_tx_queues {
        o.set("num_tx_queues", v);
    }
    if let Some(v) = l.num_rx_queues {
        o.set("num_rx_queues", v);
    }
    for (id, key) in [
        (S::IFLA_GSO_MAX_SIZE, "gso_max_size"),
        (S::IFLA_GSO_MAX_SEGS, "gso_max_segs"),
        (S::IFLA_TSO_MAX_SIZE, "tso_max_size"),
        (S::IFLA_TSO_MAX_SEGS, "tso_max_segs"),
        (S::IFLA_GRO_MAX_SIZE, "gro_max_size"),
    ] {
        if let Some(v) = l.attrs.uint(id) {
            o.set(key, v);
        }
    }
    if let Some(p) = l.attrs.str(S::IFLA_PHYS_PORT_NAME) {
        o.set("phys_port_name", p);
    }
    for (id, key) in [(S::IFLA_PHYS_PORT_ID, "phys_port_id"), (S::IFLA_PHYS_SWITCH_ID, "phys_switch_id")] {
        if let Some(Value::Bytes(b)) = l.attrs.value(id) {
            o.set(key, b.iter().map(|x| format!("{x:02x}")).collect::<String>());
        }
    }
    if let Some(p) = l.attrs.str(S::IFLA_PARENT_DEV_BUS_NAME) {
        o.set("parentbus", p);
    }
    if let Some(p) = l.attrs.str(S::IFLA_PARENT_DEV_NAME) {
        o.set("parentdev", p);
    }
    if let Some(a) = &l.alias {
        o.set("ifalias", a.as_str());
    }
    if !l.altnames.is_empty() {
        o.set("altnames", Json::Arr(l.altnames.iter().map(|s| Json::from(s.as_str())).collect()));
    }
    let stats = l.stats();
    if !stats.is_empty() {
        let g = |k: &str| stats.iter().find(|(n, _)| *n == k).map(|(_, v)| *v).unwrap_or(0);
        let mut rx = Json::obj();
        rx.set("bytes", g("rx_bytes")).set("packets", g("rx_packets")).set("errors", g("rx_errors"));
        rx.set("dropped", g("rx_dropped")).set("over_errors", g("rx_over_errors")).set("multicast", g("multicast"));
        let mut tx = Json::obj();
        tx.set("bytes", g("tx_bytes")).set("packets", g("tx_packets")).set("errors", g("tx_errors"));
        tx.set("dropped", g("tx_dropped")).set("carrier_errors", g("tx_carrier_errors")).set("collisions", g("collisions"));
        let mut s = Json::obj();
        s.set("rx", rx).set("tx", tx);
        o.set("stats64", s);
    }
    o
}
