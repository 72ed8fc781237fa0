//! The flower and matchall classifiers (tc/f_flower.c, tc/f_matchall.c).
//! flower keys nlua speaks, in the order it sends them: `flowid`, `indev`,
//! `vlan_id`, `vlan_prio`, `dst_mac`, `src_mac`, `ip_proto`, `ip_tos`,
//! `ip_ttl`, `dst_ip`, `src_ip`, `dst_port`, `src_port`, `actions`,
//! `skip_hw`, `skip_sw`; the filter's protocol becomes the ethertype key.

use std::net::IpAddr;

use super::action::{decode_actions, take_actions};
use super::filter::{ETH_P_ALL, ETH_P_IP, ETH_P_IPV6};
use super::kinds::{Ctx, DecodeCtx, attr, flowid, u32v};
use super::field_err;
use crate::engine::schema::tc_filter::{self as F};
use crate::engine::schema::{Attrs, FieldError, Fields, Opt, Value};
use crate::units;

const SKIP_HW: u32 = 1;
const SKIP_SW: u32 = 2;

fn skip_flags(f: &mut Fields<'_>) -> Result<u32, FieldError> {
    let mut flags = 0;
    if f.bool("skip_hw")? == Some(true) {
        flags |= SKIP_HW;
    }
    if f.bool("skip_sw")? == Some(true) {
        flags |= SKIP_SW;
    }
    if flags == SKIP_HW | SKIP_SW {
        return Err(field_err(&f.path("skip_sw"), "'skip_hw' and 'skip_sw' exclude each other"));
    }
    Ok(flags)
}

fn push_skip(out: &mut Vec<(String, Opt)>, flags: u64) {
    if flags as u32 & SKIP_HW != 0 {
        out.push(("skip_hw".into(), Opt::Bool(true)));
    }
    if flags as u32 & SKIP_SW != 0 {
        out.push(("skip_sw".into(), Opt::Bool(true)));
    }
}

/// matchall: `flowid`/`classid`, `actions`, `skip_hw`, `skip_sw`.
pub fn matchall_encode(f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    let classid = flowid(f)?;
    let actions = take_actions(f, ctx)?;
    let flags = skip_flags(f)?;
    let mut attrs = Vec::new();
    if let Some(c) = classid {
        attrs.push(attr(&F::MATCHALL, F::TCA_MATCHALL_CLASSID, u32v(c)));
    }
    if let Some(a) = actions {
        attrs.push(attr(&F::MATCHALL, F::TCA_MATCHALL_ACT, a));
    }
    if flags != 0 {
        attrs.push(attr(&F::MATCHALL, F::TCA_MATCHALL_FLAGS, u32v(flags)));
    }
    Ok(if attrs.is_empty() { None } else { Some(Value::Nested(Attrs(attrs))) })
}

/// Decode matchall options.
pub fn matchall_decode(v: &Value, ctx: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
    let Value::Nested(a) = v else { return Vec::new() };
    let mut out = Vec::new();
    if let Some(c) = a.uint(F::TCA_MATCHALL_CLASSID) {
        out.push(("flowid".to_string(), Opt::Str(units::format_classid(c as u32))));
    }
    if let Some(acts) = a.value(F::TCA_MATCHALL_ACT) {
        out.push(("actions".into(), decode_actions(acts, ctx)));
    }
    push_skip(&mut out, a.uint(F::TCA_MATCHALL_FLAGS).unwrap_or(0));
    out
}

// flower attribute ids (<linux/pkt_cls.h>)
/// `TCA_FLOWER_CLASSID`.
pub const CLASSID: u16 = 1;
/// `TCA_FLOWER_INDEV`.
pub const INDEV: u16 = 2;
/// `TCA_FLOWER_ACT`.
pub const ACT: u16 = 3;
/// `TCA_FLOWER_KEY_ETH_DST` (its mask follows at +1).
pub const ETH_DST: u16 = 4;
/// `TCA_FLOWER_KEY_ETH_SRC` (its mask follows at +1).
pub const ETH_SRC: u16 = 6;
/// `TCA_FLOWER_KEY_ETH_TYPE`.
pub const ETH_TYPE: u16 = 8;
/// `TCA_FLOWER_KEY_IP_PROTO`.
pub const IP_PROTO: u16 = 9;
/// `TCA_FLOWER_KEY_IPV4_SRC` (its mask follows at +1).
pub const IPV4_SRC: u16 = 10;
/// `TCA_FLOWER_KEY_IPV4_DST` (its mask follows at +1).
pub const IPV4_DST: u16 = 12;
/// `TCA_FLOWER_KEY_IPV6_SRC` (its mask follows at +1).
pub const IPV6_SRC: u16 = 14;
/// `TCA_FLOWER_KEY_IPV6_DST` (its mask follows at +1).
pub const IPV6_DST: u16 = 16;
/// `TCA_FLOWER_FLAGS`.
pub const FLAGS: u16 = 22;
/// `TCA_FLOWER_KEY_VLAN_ID`.
pub const VLAN_ID: u16 = 23;
/// `TCA_FLOWER_KEY_VLAN_PRIO`.
pub const VLAN_PRIO: u16 = 24;
/// `TCA_FLOWER_KEY_IP_TOS` (its mask follows at +1).
pub const IP_TOS: u16 = 73;
/// `TCA_FLOWER_KEY_IP_TTL` (its mask follows at +1).
pub const IP_TTL: u16 = 75;

/// (ip_proto, key src, key dst, mask src, mask dst) of the port keys.
pub const PORT_KEYS: &[(u8, u16, u16, u16, u16)] = &[(6, 18, 19, 35, 36), (17, 20, 21, 37, 38), (132, 41, 42, 39, 40)];

/// The ip_proto words tc's flower takes and prints.
pub const PROTO_NAMES: &[(u8, &str)] = &[(6, "tcp"), (17, "udp"), (132, "sctp"), (1, "icmp"), (58, "icmpv6")];

fn fa(id: u16, v: Value) -> crate::engine::schema::Attr {
    attr(&F::FLOWER, id, v)
}

fn mac_and_mask(s: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    let (a, m) = match s.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (s, None),
    };
    let addr = units::parse_mac(a).ok().filter(|m| m.len() == 6)?;
    let mask = match m {
        None => vec![0xff; 6],
        Some(m) => match m.parse::<u32>() {
            Ok(bits) if bits <= 48 => {
                let v: u64 = if bits == 0 { 0 } else { (0xffff_ffff_ffffu64 << (48 - bits)) & 0xffff_ffff_ffff };
                v.to_be_bytes()[2..].to_vec()
            }
            Ok(_) => return None,
            Err(_) => units::parse_mac(m).ok().filter(|m| m.len() == 6)?,
        },
    };
    Some((addr, mask))
}

fn u8_and_mask(o: &Opt) -> Option<(u8, u8)> {
    let num = |s: &str| match s.strip_prefix("0x") {
        Some(h) => u8::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    };
    match o {
        Opt::Int(n) if (0..=255).contains(n) => Some((*n as u8, 0xff)),
        Opt::Str(s) => match s.split_once('/') {
            Some((v, m)) => Some((num(v)?, num(m)?)),
            None => Some((num(s)?, 0xff)),
        },
        _ => None,
    }
}

/// Encode flower options as tc does (see the module docs for the order).
pub fn encode(f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    let eth = ctx.protocol;
    let mut attrs = Vec::new();
    if let Some(c) = flowid(f)? {
        attrs.push(fa(CLASSID, u32v(c)));
    }
    if let Some(i) = f.str("indev")? {
        attrs.push(fa(INDEV, Value::Str(i)));
    }
    let vlan = eth == 0x8100 || eth == 0x88a8;
    for (key, id, max) in [("vlan_id", VLAN_ID, 4095), ("vlan_prio", VLAN_PRIO, 7)] {
        if let Some(v) = f.int(key, 0, max)? {
            if !vlan {
                return Err(field_err(&f.path(key), "needs protocol \"802.1Q\" or \"802.1ad\""));
            }
            attrs.push(fa(id, Value::U(v as u64)));
        }
    }
    for (key, id) in [("dst_mac", ETH_DST), ("src_mac", ETH_SRC)] {
        if let Some(v) = f.take(key) {
            let what = "MAC address, optionally with \"/len\" or \"/mask\"";
            let (a, m) = v.as_str().and_then(mac_and_mask).ok_or_else(|| f.expected(key, what, v))?;
            attrs.push(fa(id, Value::Mac(a)));
            attrs.push(fa(id + 1, Value::Mac(m)));
        }
    }
    let ip = eth == ETH_P_IP || eth == ETH_P_IPV6;
    let mut ip_proto = None;
    if let Some(v) = f.take("ip_proto") {
        if !ip {
            return Err(field_err(&f.path("ip_proto"), "needs protocol \"ip\" or \"ipv6\""));
        }
        let p = match v {
            Opt::Str(s) => PROTO_NAMES.iter().find(|(_, n)| n == s).map(|(p, _)| *p),
            Opt::Int(n) if (0..=255).contains(n) => Some(*n as u8),
            _ => None,
        };
        let p = p.ok_or_else(|| f.expected("ip_proto", "\"tcp\", \"udp\", \"sctp\", \"icmp\", \"icmpv6\" or 0..255", v))?;
        attrs.push(fa(IP_PROTO, Value::U(p as u64)));
        ip_proto = Some(p);
    }
    for (key, id) in [("ip_tos", IP_TOS), ("ip_ttl", IP_TTL)] {
        if let Some(v) = f.take(key) {
            let (x, m) = u8_and_mask(v).ok_or_else(|| f.expected(key, "0..255 or \"value/mask\"", v))?;
            attrs.push(fa(id, Value::U(x as u64)));
            attrs.push(fa(id + 1, Value::U(m as u64)));
        }
    }
    for (key, v4, v6) in [("dst_ip", IPV4_DST, IPV6_DST), ("src_ip", IPV4_SRC, IPV6_SRC)] {
        if let Some(v) = f.parsed(key, "address with prefix like \"10.0.0.0/24\"", units::parse_prefix)? {
            let (a, len) = v;
            let fam_ok = match a {
                IpAddr::V4(_) => eth == ETH_P_IP || eth == 0,
                IpAddr::V6(_) => eth == ETH_P_IPV6 || eth == 0,
            };
            if !fam_ok {
                return Err(field_err(&f.path(key), format!("{a} does not match the filter's protocol")));
            }
            let (id, mask) = match a {
                IpAddr::V4(_) => {
                    let m = if len == 0 { 0 } else { u32::MAX << (32 - len as u32) };
                    (v4, IpAddr::from(m.to_be_bytes()))
                }
                IpAddr::V6(_) => {
                    let m = if len == 0 { 0 } else { u128::MAX << (128 - len as u32) };
                    (v6, IpAddr::from(m.to_be_bytes()))
                }
            };
            attrs.push(fa(id, Value::Ip(a)));
            attrs.push(fa(id + 1, Value::Ip(mask)));
        }
    }
    for (key, dst) in [("dst_port", true), ("src_port", false)] {
        if let Some(v) = f.take(key) {
            let keys = ip_proto.and_then(|p| PORT_KEYS.iter().find(|k| k.0 == p));
            let Some(&(_, ksrc, kdst, msrc, mdst)) = keys else {
                return Err(field_err(&f.path(key), "needs 'ip_proto' \"tcp\", \"udp\" or \"sctp\""));
            };
            let (port, mask) = match v {
                Opt::Int(n) if (0..=65535).contains(n) => (*n as u16, None),
                Opt::Str(s) => {
                    let num = |x: &str| match x.strip_prefix("0x") {
                        Some(h) => u16::from_str_radix(h, 16).ok(),
                        None => x.parse().ok(),
                    };
                    match s.split_once('/') {
                        Some((p, m)) => (num(p).ok_or_else(|| f.expected(key, "port or \"port/mask\"", v))?, Some(num(m).ok_or_else(|| f.expected(key, "port or \"port/mask\"", v))?)),
                        None => (num(s).ok_or_else(|| f.expected(key, "port or \"port/mask\"", v))?, None),
                    }
                }
                _ => return Err(f.expected(key, "port 0..65535 or \"port/mask\"", v)),
            };
            let (k, mk) = if dst { (kdst, mdst) } else { (ksrc, msrc) };
            attrs.push(fa(k, Value::U(port as u64)));
            if let Some(m) = mask {
                attrs.push(fa(mk, Value::U(m as u64)));
            }
        }
    }
    if let Some(a) = take_actions(f, ctx)? {
        attrs.push(fa(ACT, a));
    }
    let flags = skip_flags(f)?;
    attrs.push(fa(FLAGS, u32v(flags)));
    if eth != ETH_P_ALL && eth != 0 {
        attrs.push(fa(ETH_TYPE, Value::U(eth as u64)));
    }
    Ok(Some(Value::Nested(Attrs(attrs))))
}

fn prefix_len_v(m: &IpAddr) -> Option<u32> {
    let (bits, total) = match m {
        IpAddr::V4(v) => (u32::from(*v) as u128, 32),
        IpAddr::V6(v) => (u128::from(*v), 128),
    };
    let ones = bits.count_ones();
    let expect = if ones == 0 { 0 } else { (u128::MAX >> (128 - total)) & !((1u128 << (total - ones)) - 1) };
    (bits == expect).then_some(ones)
}

/// Decode flower options into the words [`encode`] takes.
pub fn decode(v: &Value, ctx: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
    let Value::Nested(a) = v else { return Vec::new() };
    let mut out = Vec::new();
    if let Some(c) = a.uint(CLASSID) {
        out.push(("flowid".to_string(), Opt::Str(units::format_classid(c as u32))));
    }
    if let Some(i) = a.str(INDEV) {
        out.push(("indev".into(), Opt::Str(i.into())));
    }
    for (k, id) in [("vlan_id", VLAN_ID), ("vlan_prio", VLAN_PRIO)] {
        if let Some(x) = a.uint(id) {
            out.push((k.into(), Opt::Int(x as i64)));
        }
    }
    for (k, id) in [("dst_mac", ETH_DST), ("src_mac", ETH_SRC)] {
        if let Some(m) = a.mac(id) {
            let mask = a.mac(id + 1).unwrap_or(&[0xff; 6]);
            let s = if mask == [0xff; 6] {
                units::format_mac(m)
            } else {
                let bits = u64::from_be_bytes([0, 0, mask[0], mask[1], mask[2], mask[3], mask[4], mask[5]]);
                let ones = bits.count_ones();
                let contiguous = ones == 0 || bits == (0xffff_ffff_ffffu64 << (48 - ones)) & 0xffff_ffff_ffff;
                if contiguous { format!("{}/{ones}", units::format_mac(m)) } else { format!("{}/{}", units::format_mac(m), units::format_mac(mask)) }
            };
            out.push((k.into(), Opt::Str(s)));
        }
    }
    let proto = a.uint(IP_PROTO).map(|p| p as u8);
    if let Some(p) = proto {
        let name = PROTO_NAMES.iter().find(|(n, _)| *n == p).map(|(_, s)| Opt::Str(s.to_string()));
        out.push(("ip_proto".into(), name.unwrap_or(Opt::Int(p as i64))));
    }
    for (k, id) in [("ip_tos", IP_TOS), ("ip_ttl", IP_TTL)] {
        if let Some(x) = a.uint(id) {
            let m = a.uint(id + 1).unwrap_or(0xff);
            out.push((k.into(), if m == 0xff { Opt::Int(x as i64) } else { Opt::Str(format!("{x:#x}/{m:#x}")) }));
        }
    }
    for (k, v4, v6) in [("dst_ip", IPV4_DST, IPV6_DST), ("src_ip", IPV4_SRC, IPV6_SRC)] {
        for id in [v4, v6] {
            if let Some(ip) = a.ip(id) {
                let len = a.ip(id + 1).and_then(|m| prefix_len_v(&m)).unwrap_or(if ip.is_ipv4() { 32 } else { 128 });
                out.push((k.into(), Opt::Str(format!("{ip}/{len}"))));
            }
        }
    }
    if let Some(&(_, ksrc, kdst, msrc, mdst)) = proto.and_then(|p| PORT_KEYS.iter().find(|k| k.0 == p)) {
        for (k, key, mask) in [("dst_port", kdst, mdst), ("src_port", ksrc, msrc)] {
            if let Some(port) = a.uint(key) {
                out.push((k.into(), match a.uint(mask) {
                    Some(m) => Opt::Str(format!("{port}/{m:#x}")),
                    None => Opt::Int(port as i64),
                }));
            }
        }
    }
    if let Some(acts) = a.value(ACT) {
        out.push(("actions".into(), decode_actions(acts, ctx)));
    }
    push_skip(&mut out, a.uint(FLAGS).unwrap_or(0));
    out
}
