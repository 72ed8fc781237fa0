//! The matchall and flower classifiers as `tc filter show` prints them
//! (iproute2 6.1 tc/f_matchall.c, tc/f_flower.c), for the keys nlua speaks.

use std::fmt::Write;
use std::net::IpAddr;

use super::Json;
use crate::engine::schema::Attrs;
use crate::engine::schema::tc_filter::{self as F};
use crate::units;

/// `TCA_CLS_FLAGS_*` as tc prints them, each on a line of its own.
pub fn cls_flags(flags: u64, text: &mut String, json: &mut Json) {
    for (bit, name) in [(1, "skip_hw"), (2, "skip_sw")] {
        if flags & bit != 0 {
            let _ = write!(text, "\n  {name}");
            json.set(name, true);
        }
    }
    if flags & 4 != 0 {
        text.push_str("\n  in_hw");
        json.set("in_hw", true);
    } else if flags & 8 != 0 {
        text.push_str("\n  not_in_hw");
        json.set("not_in_hw", true);
    }
}

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
        cls_flags(fl, text, j);
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
    if let Some(c) = a.uint(1) {
        let c = units::format_classid(c as u32);
        let _ = write!(text, "classid {c} ");
        j.set("classid", c);
    }
    if let Some(i) = a.str(2) {
        let _ = write!(text, "\n  indev {i}");
        j.set("indev", i);
    }
    let mut keys = Json::obj();
    let line = |text: &mut String, keys: &mut Json, k: &str, v: String| {
        let _ = write!(text, "\n  {k} {v}");
        keys.set(k, v);
    };
    for (id, k) in [(23, "vlan_id"), (24, "vlan_prio")] {
        if let Some(v) = a.uint(id) {
            let _ = write!(text, "\n  {k} {v}");
            keys.set(k, v);
        }
    }
    for (id, k) in [(4, "dst_mac"), (6, "src_mac")] {
        if let Some(m) = a.mac(id).filter(|m| m.len() == 6) {
            line(text, &mut keys, k, mac_masked(m, a.mac(id + 1)));
        }
    }
    let eth = a.uint(8).map(|e| e as u16);
    if let Some(e) = eth {
        let name = match e {
            0x0800 => "ipv4".to_string(),
            0x86dd => "ipv6".to_string(),
            0x0806 => "arp".to_string(),
            0x8035 => "rarp".to_string(),
            e => format!("{e:04x}"),
        };
        line(text, &mut keys, "eth_type", name);
    }
    let proto = a.uint(9).map(|p| p as u8);
    if let Some(p) = proto {
        let name = match p {
            6 => "tcp".to_string(),
            17 => "udp".to_string(),
            132 => "sctp".to_string(),
            1 => "icmp".to_string(),
            58 => "icmpv6".to_string(),
            p => format!("{p:02x}"),
        };
        line(text, &mut keys, "ip_proto", name);
    }
    for (id, k) in [(73, "ip_tos"), (75, "ip_ttl")] {
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
    let (v4, v6) = (eth == Some(0x0800), eth == Some(0x86dd));
    for (k, id4, id6) in [("dst_ip", 12, 16), ("src_ip", 10, 14)] {
        let id = if v4 { id4 } else if v6 { id6 } else { continue };
        if let (Some(ip), Some(m)) = (a.ip(id), a.ip(id + 1)) {
            line(text, &mut keys, k, ip_masked(ip, m));
        }
    }
    // (ip_proto, src key, dst key, src mask, dst mask)
    let ports: &[(u8, u16, u16, u16, u16)] = &[(6, 18, 19, 35, 36), (17, 20, 21, 37, 38), (132, 41, 42, 39, 40)];
    if let Some(&(_, ks, kd, ms, md)) = proto.and_then(|p| ports.iter().find(|x| x.0 == p)) {
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
    if let Some(fl) = a.uint(22) {
        cls_flags(fl, text, j);
    }
}
