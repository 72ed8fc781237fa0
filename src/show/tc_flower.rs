//! The matchall and flower classifiers as `tc filter show` prints them
//! (iproute2 6.1 tc/f_matchall.c, tc/f_flower.c), for the keys nlua speaks.

use std::fmt::Write;
use std::net::IpAddr;

use super::Json;
use super::tc_filter::cls_flags;
use crate::engine::schema::Attrs;
use crate::engine::schema::tc_filter::{self as F};
use crate::engine::tc::filter::{ETH_P_IP, ETH_P_IPV6};
use crate::engine::tc::flower as K;
use crate::units;

/// matchall's options up to its actions.
pub fn matchall(handle: u32, a: &Attrs, text: &mut String, j: &mut Json) {
    if handle != 0 {
        let _ = write!(text, "handle {handle:#x} ");
        j.set("handle", handle);
    }
    if let Some(c) = a.uint(F::TCA_MATCHALL_CLASSID) {
        let c = units::format_classid(c as u32);
        let _ = write!(text, "flowid {c} ");
        j.set("flowid", c);
    }
    if let Some(fl) = a.uint(F::TCA_MATCHALL_FLAGS) {
        cls_flags(fl, true, text, j);
    }
}

/// A MAC with its mask as a prefix length ("/24") or a MAC when not contiguous.
fn mac_masked(addr: &[u8], mask: Option<&[u8]>) -> String {
    let mut s = units::format_mac(addr);
    if let Some(m) = mask.filter(|m| m.len() == 6) {
        let bits = u64::from_be_bytes([0, 0, m[0], m[1], m[2], m[3], m[4], m[5]]);
        let ones = bits.count_ones();
        if bits != (0xffff_ffff_ffffu64 << (48 - ones)) & 0xffff_ffff_ffff {
            let _ = write!(s, "/{}", units::format_mac(m));
        } else if ones < 48 {
            let _ = write!(s, "/{ones}");
        }
    }
    s
}

/// An address with its mask as a prefix length (nothing for a full mask).
fn ip_masked(addr: IpAddr, mask: IpAddr) -> String {
    let (bits, total) = match mask {
        IpAddr::V4(m) => (u32::from(m) as u128, 32),
        IpAddr::V6(m) => (u128::from(m), 128),
    };
    let ones = bits.count_ones();
    let contiguous = ones == 0 || bits == (u128::MAX >> (128 - total)) & !((1u128 << (total - ones)) - 1);
    match (contiguous, ones) {
        (false, _) => format!("{addr}/{mask}"),
        (true, n) if n == total => addr.to_string(),
        (true, n) => format!("{addr}/{n}"),
    }
}

/// flower's options up to its actions: each key on a line, in tc's order.
pub fn flower(handle: u32, a: &Attrs, text: &mut String, j: &mut Json) {
    if handle != 0 {
        let _ = write!(text, "handle {handle:#x} ");
        j.set("handle", handle);
    }
    if let Some(c) = a.uint(K::CLASSID) {
        let c = units::format_classid(c as u32);
        let _ = write!(text, "classid {c} ");
        j.set("classid", c);
    }
    if let Some(i) = a.str(K::INDEV) {
        let _ = write!(text, "\n  indev {i}");
        j.set("indev", i);
    }
    let mut keys = Json::obj();
    let line = |text: &mut String, keys: &mut Json, k: &str, v: String| {
        let _ = write!(text, "\n  {k} {v}");
        keys.set(k, v);
    };
    for (id, k) in [(K::VLAN_ID, "vlan_id"), (K::VLAN_PRIO, "vlan_prio")] {
        if let Some(v) = a.uint(id) {
            let _ = write!(text, "\n  {k} {v}");
            keys.set(k, v);
        }
    }
    for (id, k) in [(K::ETH_DST, "dst_mac"), (K::ETH_SRC, "src_mac")] {
        if let Some(m) = a.mac(id).filter(|m| m.len() == 6) {
            line(text, &mut keys, k, mac_masked(m, a.mac(id + 1)));
        }
    }
    let eth = a.uint(K::ETH_TYPE).map(|e| e as u16);
    if let Some(e) = eth {
        let name = match e {
            ETH_P_IP => "ipv4".to_string(),
            ETH_P_IPV6 => "ipv6".to_string(),
            0x0806 => "arp".to_string(),
            0x8035 => "rarp".to_string(),
            e => format!("{e:04x}"),
        };
        line(text, &mut keys, "eth_type", name);
    }
    let proto = a.uint(K::IP_PROTO).map(|p| p as u8);
    if let Some(p) = proto {
        let name = K::PROTO_NAMES.iter().find(|(n, _)| *n == p).map(|(_, s)| s.to_string()).unwrap_or_else(|| format!("{p:02x}"));
        line(text, &mut keys, "ip_proto", name);
    }
    for (id, k) in [(K::IP_TOS, "ip_tos"), (K::IP_TTL, "ip_ttl")] {
        if let Some(v) = a.uint(id) {
            let _ = write!(text, "\n  {k} {v}");
            keys.set(k, v);
            let m = a.uint(id + 1).unwrap_or(0xff);
            if m != 0xff {
                let _ = write!(text, "/{m:#x}");
                keys.set(&format!("{k}_mask"), format!("{m:#x}"));
            }
        }
    }
    let (v4, v6) = (eth == Some(ETH_P_IP), eth == Some(ETH_P_IPV6));
    for (k, id4, id6) in [("dst_ip", K::IPV4_DST, K::IPV6_DST), ("src_ip", K::IPV4_SRC, K::IPV6_SRC)] {
        let id = if v4 { id4 } else if v6 { id6 } else { continue };
        if let (Some(ip), Some(m)) = (a.ip(id), a.ip(id + 1)) {
            line(text, &mut keys, k, ip_masked(ip, m));
        }
    }
    if let Some(&(_, ks, kd, ms, md)) = proto.and_then(|p| K::PORT_KEYS.iter().find(|x| x.0 == p)) {
        for (k, key, mask) in [("dst_port", kd, md), ("src_port", ks, ms)] {
            if let Some(v) = a.uint(key) {
                let _ = write!(text, "\n  {k} {v}");
                keys.set(k, v);
                if let Some(m) = a.uint(mask).filter(|m| *m != 0xffff) {
                    let _ = write!(text, "/{m:#x}");
                    keys.set(&format!("{k}_mask"), format!("{m:#x}"));
                }
            }
        }
    }
    j.set("keys", keys);
    if let Some(fl) = a.uint(K::FLAGS) {
        cls_flags(fl, true, text, j);
    }
}
