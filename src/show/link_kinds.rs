//! A link kind's data (`info_data`, `info_slave_data`) as `ip -j -d link show`
//! prints it: ip's keys and value formats, kind by kind, following each kind's
//! `print_opt` in iproute2 (ip/iplink_*.c). Kinds without a printer here keep
//! nlua's option names (what `link.add` takes).

use super::{Json, Names, dev_name};
use crate::engine::message;
use crate::engine::schema::{Attrs, Value};
use crate::units::format_mac;

/// `info_data` for `kind`: `Some(None)` when ip prints none for the kind,
/// `None` when there is no ip printer here (the caller falls back).
pub fn info_data(kind: &str, d: Option<&Attrs>, n: &dyn Names) -> Option<Option<Json>> {
    let empty = Attrs::default();
    let d = d.unwrap_or(&empty);
    Some(Some(match kind {
        // ip has no printer for these: it prints no info_data at all
        "veth" | "ifb" | "dummy" | "nlmon" => return Some(None),
        "bridge" => bridge(d),
        "vxlan" => vxlan(d, n),
        "macvlan" | "macvtap" => macvlan(d),
        "tun" => tun(d),
        "vlan" => vlan(d),
        "vrf" => vrf(d),
        _ => return None,
    }))
}

/// `info_slave_data` for a port of a `kind` master (see [`info_data`]).
pub fn slave_data(kind: &str, d: Option<&Attrs>, n: &dyn Names) -> Option<Json> {
    let empty = Attrs::default();
    let d = d.unwrap_or(&empty);
    match kind {
        "bridge" => Some(bridge_port(d, n)),
        "vrf" => Some(vrf(d)),
        _ => None,
    }
}

fn u(d: &Attrs, id: u16) -> Option<u64> {
    d.uint(id)
}

/// The integer field `name` of a struct attribute's fields.
fn field_u(fields: &[(&'static str, Value)], name: &str) -> Option<u64> {
    fields.iter().find(|(n, _)| *n == name).and_then(|(_, v)| if let Value::U(x) = v { Some(*x) } else { None })
}

/// `print_0xhex` in JSON: a string, "%#llx" ("0" for zero).
fn hex0x(v: u64) -> Json {
    Json::Str(if v == 0 { "0".into() } else { format!("{v:#x}") })
}

/// A bridge timer (USER_HZ ticks) as ip prints it: a number with two decimals.
fn timer(ticks: u64) -> Json {
    Json::Raw(format!("{}.{:02}", ticks / 100, ticks % 100))
}

/// `print_on_off` in JSON: a boolean.
fn on_off(d: &Attrs, id: u16) -> Option<Json> {
    u(d, id).map(|v| Json::Bool(v != 0))
}

/// struct ifla_bridge_id as ip prints it: "8000.2:0:0:0:0:1" (prio in hex,
/// the address as glibc's ether_ntoa writes it, without leading zeros).
fn bridge_id(v: Option<&Value>) -> Option<Json> {
    let Some(Value::Struct(_, fields, _)) = v else { return None };
    let bytes = |name: &str| {
        fields.iter().find(|(k, _)| *k == name).and_then(|(_, v)| match v {
            Value::Bytes(b) | Value::Mac(b) => Some(b.clone()),
            _ => None,
        })
    };
    let (prio, addr) = (bytes("prio")?, bytes("addr")?);
    let mac: Vec<String> = addr.iter().map(|b| format!("{b:x}")).collect();
    Some(Json::Str(format!("{:02x}{:02x}.{}", prio.first()?, prio.get(1)?, mac.join(":"))))
}

fn bridge(d: &Attrs) -> Json {
    let mut o = Json::obj();
    for (id, key) in [(1, "forward_delay"), (2, "hello_time"), (3, "max_age"), (4, "ageing_time"), (5, "stp_state"), (6, "priority"), (7, "vlan_filtering")] {
        if let Some(v) = u(d, id) {
            o.set(key, v);
        }
    }
    if let Some(v) = u(d, 8) {
        o.set("vlan_protocol", ll_proto(v));
    }
    if let Some(id) = bridge_id(d.value(11)) {
        o.set("bridge_id", id);
    }
    // ip prints root_id from IFLA_BR_BRIDGE_ID (iproute2 reads the wrong
    // attribute); the oracle is what ip prints.
    if d.has(10)
        && let Some(id) = bridge_id(d.value(11))
    {
        o.set("root_id", id);
    }
    for (id, key) in [(12, "root_port"), (13, "root_path_cost"), (14, "topology_change"), (15, "topology_change_detected")] {
        if let Some(v) = u(d, id) {
            o.set(key, v);
        }
    }
    for (id, key) in [(16, "hello_timer"), (17, "tcn_timer"), (18, "topology_change_timer"), (19, "gc_timer")] {
        if let Some(v) = u(d, id) {
            o.set(key, timer(v));
        }
    }
    for (id, key) in [(39, "vlan_default_pvid"), (41, "vlan_stats_enabled"), (45, "vlan_stats_per_port")] {
        if let Some(v) = u(d, id) {
            o.set(key, v);
        }
    }
    if let Some(v) = u(d, 9) {
        o.set("group_fwd_mask", hex0x(v));
    }
    if let Some(m) = d.mac(20) {
        o.set("group_addr", format_mac(m));
    }
    if let Some(v) = u(d, 23) {
        o.set("mcast_snooping", v);
    }
    if let Some(Value::Struct(_, f, _)) = d.value(46) {
        let (val, mask) = (field_u(f, "optval").unwrap_or(0), field_u(f, "optmask").unwrap_or(0));
        // BR_BOOLOPT_NO_LL_LEARN = 0, BR_BOOLOPT_MCAST_VLAN_SNOOPING = 1
        if mask & 1 != 0 {
            o.set("no_linklocal_learn", (val & 1 != 0) as u8);
        }
        if mask & 2 != 0 {
            o.set("mcast_vlan_snooping", (val & 2 != 0) as u8);
        }
    }
    for (id, key) in [
        (22, "mcast_router"),
        (24, "mcast_query_use_ifaddr"),
        (25, "mcast_querier"),
        (26, "mcast_hash_elasticity"),
        (27, "mcast_hash_max"),
        (28, "mcast_last_member_cnt"),
        (29, "mcast_startup_query_cnt"),
        (30, "mcast_last_member_intvl"),
        (31, "mcast_membership_intvl"),
        (32, "mcast_querier_intvl"),
        (33, "mcast_query_intvl"),
        (34, "mcast_query_response_intvl"),
        (35, "mcast_startup_query_intvl"),
        (42, "mcast_stats_enabled"),
        (43, "mcast_igmp_version"),
        (44, "mcast_mld_version"),
        (36, "nf_call_iptables"),
        (37, "nf_call_ip6tables"),
        (38, "nf_call_arptables"),
    ] {
        if let Some(v) = u(d, id) {
            o.set(key, v);
        }
    }
    o
}

fn bridge_port(d: &Attrs, n: &dyn Names) -> Json {
    const STATES: [&str; 5] = ["disabled", "listening", "learning", "forwarding", "blocking"];
    let mut o = Json::obj();
    if let Some(s) = u(d, 1) {
        match STATES.get(s as usize) {
            Some(name) => o.set("state", *name),
            None => o.set("state_index", s),
        };
    }
    for (id, key) in [(2, "priority"), (3, "cost")] {
        if let Some(v) = u(d, id) {
            o.set(key, v);
        }
    }
    for (id, key) in [(4, "hairpin"), (5, "guard"), (6, "root_block"), (7, "fastleave"), (8, "learning"), (9, "flood")] {
        if let Some(v) = on_off(d, id) {
            o.set(key, v);
        }
    }
    for (id, key) in [(17, "id"), (18, "no")] {
        if let Some(v) = u(d, id) {
            o.set(key, hex0x(v));
        }
    }
    for (id, key) in [(15, "designated_port"), (16, "designated_cost")] {
        if let Some(v) = u(d, id) {
            o.set(key, v);
        }
    }
    if let Some(id) = bridge_id(d.value(14)) {
        o.set("bridge_id", id);
    }
    if let Some(id) = bridge_id(d.value(13)) {
        o.set("root_id", id);
    }
    for (id, key) in [(23, "hold_timer"), (21, "message_age_timer"), (22, "forward_delay_timer")] {
        if let Some(v) = u(d, id) {
            o.set(key, timer(v));
        }
    }
    for (id, key) in [(19, "topology_change_ack"), (20, "config_pending")] {
        if let Some(v) = u(d, id) {
            o.set(key, v);
        }
    }
    for (id, key) in [(10, "proxy_arp"), (12, "proxy_arp_wifi")] {
        if let Some(v) = on_off(d, id) {
            o.set(key, v);
        }
    }
    if let Some(v) = u(d, 25) {
        o.set("multicast_router", v);
    }
    for (id, key) in [(27, "mcast_flood"), (30, "bcast_flood"), (28, "mcast_to_unicast"), (32, "neigh_suppress")] {
        if let Some(v) = on_off(d, id) {
            o.set(key, v);
        }
    }
    if let Some(mask) = u(d, 31) {
        o.set("group_fwd_mask", hex0x(mask));
        o.set("group_fwd_mask_str", fwd_mask_str(mask as u16));
    }
    for (id, key) in [(29, "vlan_tunnel"), (33, "isolated"), (39, "locked")] {
        if let Some(v) = on_off(d, id) {
            o.set(key, v);
        }
    }
    if let Some(i) = u(d, 34) {
        o.set("backup_port", dev_name(n, i as u32));
    }
    o
}

/// A bridge port's group_fwd_mask as ip spells it: "stp,lacp,0x10" or "0x0".
fn fwd_mask_str(mask: u16) -> String {
    let words: Vec<String> = (0..16)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| match i {
            0 => "stp".to_string(),
            2 => "lacp".to_string(),
            14 => "lldp".to_string(),
            _ => format!("{:#x}", 1u32 << i),
        })
        .collect();
    if words.is_empty() { "0x0".into() } else { words.join(",") }
}

/// ll_proto_n2a for the VLAN protocols.
fn ll_proto(p: u64) -> String {
    match p {
        0x8100 => "802.1Q".into(),
        0x88a8 => "802.1ad".into(),
        p => format!("0x{p:x}"),
    }
}

fn vxlan(d: &Attrs, n: &dyn Names) -> Json {
    use std::net::IpAddr;
    let mut o = Json::obj();
    let nonzero = |id| u(d, id).is_some_and(|v| v != 0);
    if nonzero(25) {
        o.set("external", true);
    }
    if nonzero(30) {
        o.set("vnifilter", true);
    }
    if let Some(v) = u(d, 1) {
        o.set("id", v);
    }
    // IFLA_VXLAN_GROUP (v4) first; GROUP6 only when it is absent, as ip reads them
    if d.has(2) {
        if let Some(a) = d.ip(2).filter(|a: &IpAddr| !a.is_unspecified()) {
            o.set(if a.is_multicast() { "group" } else { "remote" }, a.to_string());
        }
    } else if let Some(a) = d.ip(16).filter(|a| !a.is_unspecified()) {
        o.set(if a.is_multicast() { "group6" } else { "remote6" }, a.to_string());
    }
    if d.has(4) {
        if let Some(a) = d.ip(4).filter(|a| !a.is_unspecified()) {
            o.set("local", a.to_string());
        }
    } else if let Some(a) = d.ip(17).filter(|a| !a.is_unspecified()) {
        o.set("local6", a.to_string());
    }
    if let Some(i) = u(d, 3).filter(|i| *i != 0) {
        o.set("link", dev_name(n, i as u32));
    }
    if let Some(Value::Struct(_, f, _)) = d.value(10) {
        let mut r = Json::obj();
        r.set("low", field_u(f, "low").unwrap_or(0)).set("high", field_u(f, "high").unwrap_or(0));
        o.set("port_range", r);
    }
    if let Some(v) = u(d, 15) {
        o.set("port", v);
    }
    if let Some(v) = on_off(d, 7) {
        o.set("learning", v);
    }
    for (id, key) in [(11, "proxy"), (12, "rsc"), (13, "l2miss"), (14, "l3miss")] {
        if nonzero(id) {
            o.set(key, true);
        }
    }
    if let Some(t) = u(d, 6).filter(|t| *t != 0) {
        o.set("tos", hex0x(t));
    }
    // IFLA_VXLAN_TTL_INHERIT: the kernel reports a u8 (it takes a flag)
    let ttl_inherit = matches!(d.value(28), Some(Value::Bytes(b)) if b.first().is_some_and(|x| *x != 0));
    if !ttl_inherit && let Some(t) = u(d, 5) {
        o.set("ttl", t);
    }
    if let Some(df) = u(d, 29) {
        match df {
            0 => o.set("df", "unset"),
            1 => o.set("df", "set"),
            2 => o.set("df", "inherit"),
            _ => &mut o,
        };
    }
    if let Some(l) = u(d, 26).filter(|l| *l != 0) {
        o.set("label", hex0x(l));
    }
    if let Some(v) = u(d, 8) {
        o.set("ageing", v);
    }
    if let Some(v) = u(d, 9).filter(|v| *v != 0) {
        o.set("limit", v);
    }
    for (id, key) in [(18, "udp_csum"), (19, "udp_zero_csum6_tx"), (20, "udp_zero_csum6_rx")] {
        if let Some(v) = on_off(d, id) {
            o.set(key, v);
        }
    }
    for (id, key) in [(21, "remcsum_tx"), (22, "remcsum_rx")] {
        if nonzero(id) {
            o.set(key, true);
        }
    }
    for (id, key) in [(23, "gbp"), (27, "gpe")] {
        if d.has(id) {
            o.set(key, true);
        }
    }
    o
}

fn macvlan(d: &Attrs) -> Json {
    let mut o = Json::obj();
    let Some(mode) = u(d, 1) else { return o };
    let name = match mode {
        1 => "private",
        2 => "vepa",
        4 => "bridge",
        8 => "passthru",
        16 => "source",
        _ => "unknown",
    };
    o.set("mode", name);
    let flags = u(d, 2).unwrap_or(0);
    if flags & 1 != 0 {
        o.set("nopromisc", true);
    }
    if flags & 2 != 0 {
        o.set("nodst", true);
    }
    if let Some(v) = u(d, 7) {
        o.set("bcqueuelen", v);
    }
    if let Some(v) = u(d, 8) {
        o.set("usedbcqueuelen", v);
    }
    if mode != 16 {
        return o;
    }
    let Some(count) = u(d, 6) else { return o };
    o.set("macaddr_count", count);
    if let Some(Value::Bytes(b)) = d.value(5) {
        // IFLA_MACVLAN_MACADDR_DATA: a nest of IFLA_MACVLAN_MACADDR (4)
        let macs = message::attrs(b).filter(|(ty, p)| *ty == 4 && p.len() >= 6).map(|(_, p)| Json::from(format_mac(&p[..6])));
        o.set("macaddr_data", Json::Arr(macs.collect()));
    }
    o
}

fn tun(d: &Attrs) -> Json {
    let mut o = Json::obj();
    if let Some(t) = u(d, 3) {
        o.set("type", match t {
            1 => "tun".to_string(),
            2 => "tap".to_string(),
            t => format!("UNKNOWN:{t}"),
        });
    }
    for (id, key) in [(4, "pi"), (5, "vnet_hdr")] {
        if let Some(v) = on_off(d, id) {
            o.set(key, v);
        }
    }
    if u(d, 7).is_some_and(|v| v != 0) {
        o.set("multi_queue", true);
        if let Some(v) = u(d, 8) {
            o.set("numqueues", v);
        }
        if let Some(v) = u(d, 9) {
            o.set("numdisabled", v);
        }
    } else {
        o.set("multi_queue", false);
    }
    if let Some(v) = on_off(d, 6) {
        o.set("persist", v);
    }
    // user and group: names when the system knows them, as ip looks them up
    if let Some(uid) = u(d, 1) {
        match nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid as u32)) {
            Ok(Some(user)) => o.set("user", user.name),
            _ => o.set("user", uid),
        };
    }
    if let Some(gid) = u(d, 2) {
        match nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(gid as u32)) {
            Ok(Some(g)) => o.set("group", g.name),
            _ => o.set("group", gid),
        };
    }
    o
}

fn vlan(d: &Attrs) -> Json {
    let mut o = Json::obj();
    let Some(id) = u(d, 1) else { return o };
    o.set("protocol", u(d, 5).map(ll_proto).unwrap_or_else(|| "802.1q".into()));
    o.set("id", id);
    if let Some(Value::Struct(_, f, _)) = d.value(2) {
        let mut flags = field_u(f, "flags").unwrap_or(0);
        let mut words = Vec::new();
        // ip's order: REORDER_HDR, GVRP, MVRP, LOOSE_BINDING, BRIDGE_BINDING
        for (bit, name) in [(1, "REORDER_HDR"), (2, "GVRP"), (8, "MVRP"), (4, "LOOSE_BINDING"), (16, "BRIDGE_BINDING")] {
            if flags & bit != 0 {
                flags &= !bit;
                words.push(Json::from(name));
            }
        }
        if flags != 0 {
            words.push(Json::Str(format!("{flags:x}")));
        }
        o.set("flags", Json::Arr(words));
    }
    for (id, key) in [(4, "ingress_qos"), (3, "egress_qos")] {
        if let Some(maps) = d.nested(id) {
            let items = maps.0.iter().filter_map(|a| match &a.value {
                Value::Struct(_, f, _) => {
                    let mut m = Json::obj();
                    m.set("from", field_u(f, "from").unwrap_or(0)).set("to", field_u(f, "to").unwrap_or(0));
                    Some(m)
                }
                _ => None,
            });
            o.set(key, Json::Arr(items.collect()));
        }
    }
    o
}

/// vrf and vrf ports: the table (IFLA_VRF_TABLE / IFLA_VRF_PORT_TABLE are both 1).
fn vrf(d: &Attrs) -> Json {
    let mut o = Json::obj();
    if let Some(t) = u(d, 1) {
        o.set("table", t);
    }
    o
}
