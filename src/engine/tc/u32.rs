//! The u32 classifier (tc/f_u32.c): `match = {src=, dst=, sport=, dport=,
//! proto=, tos=, icmp_type=, icmp_code=}` packed into 32-bit keys at the
//! offsets `tc ... u32 match ip ...` uses (IPv6 offsets for protocol ipv6 or
//! IPv6 addresses), raw keys as `sel = {{val=, mask=, off=, offmask=}}`,
//! `flowid`/`classid`, `divisor`, `link`, `ht`, `indev`, `skip_hw`/`skip_sw`,
//! and `actions`.

use std::net::IpAddr;

use super::action::{decode_actions, take_actions};
use super::filter::ETH_P_IPV6;
use super::kinds::{Ctx, DecodeCtx, attr, u32v};
use super::field_err;
use crate::engine::schema::tc_filter::{self as F};
use crate::engine::schema::{Attrs, FieldError, Fields, Opt, Value};
use crate::units;

const TC_U32_TERMINAL: u8 = 1;
const TCA_CLS_FLAGS_SKIP_HW: u32 = 1;
const TCA_CLS_FLAGS_SKIP_SW: u32 = 2;

/// A u32 handle: "800:" (table), "800::800" (node), "800:1:5", or "0x80000800".
pub fn parse_handle(s: &str) -> Result<u32, String> {
    let bad = || format!("a u32 handle like \"800:\" or \"800::800\", got {s:?}");
    if !s.contains(':') {
        return match s.strip_prefix("0x") {
            Some(h) => u32::from_str_radix(h, 16).map_err(|_| bad()),
            None => Err(bad()),
        };
    }
    let mut parts = s.splitn(3, ':');
    let mut next = |limit: u32| -> Result<u32, String> {
        match parts.next() {
            None | Some("") => Ok(0),
            Some(p) => u32::from_str_radix(p, 16).ok().filter(|v| *v < limit).ok_or_else(bad),
        }
    };
    let htid = next(0x1000)?;
    let hash = next(0x100)?;
    let node = next(0x1000)?;
    if s.matches(':').count() > 2 {
        return Err(bad());
    }
    Ok(htid << 20 | hash << 12 | node)
}

/// A u32 handle as tc prints it ("800::800", "800:", "none").
pub fn format_handle(h: u32) -> String {
    if h == 0 {
        return "none".into();
    }
    let (htid, hash, node) = (h >> 20, (h >> 12) & 0xff, h & 0xfff);
    let mut s = String::new();
    if htid != 0 {
        s.push_str(&format!("{htid:x}:"));
    }
    if hash != 0 {
        s.push_str(&format!("{hash:x}"));
    }
    if node != 0 {
        s.push_str(&format!(":{node:x}"));
    }
    s
}

/// One selector key: mask and value in network order, offset, offmask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// Mask applied before comparing.
    pub mask: u32,
    /// Value to compare with (network order).
    pub val: u32,
    /// Byte offset.
    pub off: i32,
    /// Offset mask for nexthdr+ keys.
    pub offmask: i32,
}

/// tc's pack_key: merge with a key at the same offset, else append.
fn pack_key(keys: &mut Vec<Key>, val: u32, mask: u32, off: i32, offmask: i32) -> Result<(), String> {
    let val = val & mask;
    if let Some(k) = keys.iter_mut().find(|k| k.off == off && k.offmask == offmask) {
        if (val ^ k.val) & (mask & k.mask) != 0 {
            return Err(format!("conflicts with another match at offset {off}"));
        }
        k.val |= val;
        k.mask |= mask;
        return Ok(());
    }
    if keys.len() >= 128 {
        return Err("more than 128 keys".into());
    }
    if off % 4 != 0 {
        return Err(format!("offset {off} is not a multiple of 4"));
    }
    keys.push(Key { mask, val, off, offmask });
    Ok(())
}

/// A 16-bit field at byte `off` (tc's pack_key16), in host order.
fn pack16(keys: &mut Vec<Key>, val: u32, mask: u32, off: i32, offmask: i32) -> Result<(), String> {
    let (v, m) = if off & 3 == 0 { (val << 16, mask << 16) } else { (val, mask) };
    pack_key(keys, v, m, off & !3, offmask)
}

/// An 8-bit field at byte `off` (tc's pack_key8).
fn pack8(keys: &mut Vec<Key>, val: u32, mask: u32, off: i32, offmask: i32) -> Result<(), String> {
    let shift = 24 - 8 * (off & 3) as u32;
    pack_key(keys, val << shift, mask << shift, off & !3, offmask)
}

/// An integer with an optional mask: 80, "0x50", "0x50/0xfff0".
fn value_mask(o: &Opt, full: u32) -> Option<(u32, u32)> {
    let num = |s: &str| match s.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    };
    match o {
        Opt::Int(n) if (0..=full as i64).contains(n) => Some((*n as u32, full)),
        Opt::Str(s) => {
            let (v, m) = match s.split_once('/') {
                Some((v, m)) => (num(v)?, num(m)?),
                None => (num(s)?, full),
            };
            (v <= full && m <= full).then_some((v, m))
        }
        _ => None,
    }
}

/// IP protocol names u32 `proto` takes.
const IP_PROTOS: &[(u32, &str)] = &[(1, "icmp"), (2, "igmp"), (6, "tcp"), (17, "udp"), (47, "gre"), (50, "esp"), (58, "icmpv6"), (132, "sctp")];

fn take_match(f: &mut Fields<'_>, ctx: &Ctx<'_>, keys: &mut Vec<Key>) -> Result<(), FieldError> {
    let Some(v) = f.take("match") else { return Ok(()) };
    let Opt::Map(m) = v else { return Err(f.expected("match", "table like {dst=\"10.0.0.2/32\", dport=80}", v)) };
    let mut g = Fields::new(m, &format!("{}.", f.path("match")));
    // ports first among the names suggested for typos ("dprot" means dport)
    g.allow("dport");
    g.allow("sport");
    let src = g.parsed("src", "address with prefix like \"10.0.0.0/24\"", units::parse_prefix)?;
    let dst = g.parsed("dst", "address with prefix like \"10.0.0.2/32\"", units::parse_prefix)?;
    let v6 = ctx.protocol == ETH_P_IPV6 || [src, dst].iter().flatten().any(|(a, _)| a.is_ipv6());
    if let (Some((a, _)), Some((b, _))) = (src, dst)
        && a.is_ipv6() != b.is_ipv6() {
            return Err(field_err(&g.path("dst"), "is not the same family as 'src'"));
        }
    let err = |g: &Fields<'_>, k: &str, e: String| field_err(&g.path(k), e);
    for (key, addr) in [("src", src), ("dst", dst)] {
        let Some((a, len)) = addr else { continue };
        let off = match (v6, key) {
            (false, "src") => 12,
            (false, _) => 16,
            (true, "src") => 8,
            (true, _) => 24,
        };
        match a {
            IpAddr::V4(a4) => {
                let mask = if len == 0 { 0 } else { u32::MAX << (32 - len as u32) };
                pack_key(keys, u32::from(a4), mask, off, 0).map_err(|e| err(&g, key, e))?;
            }
            IpAddr::V6(a6) => {
                let o = a6.octets();
                for i in 0..4 {
                    let bits = (len as i32 - 32 * i as i32).clamp(0, 32) as u32;
                    if bits == 0 {
                        break;
                    }
                    let word = u32::from_be_bytes([o[4 * i], o[4 * i + 1], o[4 * i + 2], o[4 * i + 3]]);
                    let mask = if bits == 32 { u32::MAX } else { u32::MAX << (32 - bits) };
                    pack_key(keys, word, mask, off + 4 * i as i32, 0).map_err(|e| err(&g, key, e))?;
                }
            }
        }
    }
    let proto_what = "protocol number or name like \"tcp\", \"udp\", \"icmp\"";
    if let Some(p) = g.take("proto") {
        let (v, m) = match p {
            Opt::Str(s) if IP_PROTOS.iter().any(|(_, n)| n == s) => (IP_PROTOS.iter().find(|(_, n)| n == s).unwrap().0, 0xff),
            o => value_mask(o, 0xff).ok_or_else(|| g.expected("proto", proto_what, o))?,
        };
        pack8(keys, v, m, if v6 { 6 } else { 9 }, 0).map_err(|e| err(&g, "proto", e))?;
    }
    if let Some(o) = g.take("tos") {
        let (v, m) = value_mask(o, 0xff).ok_or_else(|| g.expected("tos", "integer 0..255 or \"value/mask\"", o))?;
        if v6 {
            return Err(field_err(&g.path("tos"), "is an IPv4 field (use raw 'sel' keys for IPv6 traffic class)"));
        }
        pack8(keys, v, m, 1, 0).map_err(|e| err(&g, "tos", e))?;
    }
    for (key, off4, off6) in [("sport", 20, 40), ("dport", 22, 42)] {
        if let Some(o) = g.take(key) {
            let (v, m) = value_mask(o, 0xffff).ok_or_else(|| g.expected(key, "port 0..65535 or \"value/mask\"", o))?;
            pack16(keys, v, m, if v6 { off6 } else { off4 }, 0).map_err(|e| err(&g, key, e))?;
        }
    }
    for (key, off4, off6) in [("icmp_type", 20, 40), ("icmp_code", 21, 41)] {
        if let Some(o) = g.take(key) {
            let (v, m) = value_mask(o, 0xff).ok_or_else(|| g.expected(key, "integer 0..255", o))?;
            pack8(keys, v, m, if v6 { off6 } else { off4 }, 0).map_err(|e| err(&g, key, e))?;
        }
    }
    g.finish([])?;
    Ok(())
}

fn take_sel(f: &mut Fields<'_>, keys: &mut Vec<Key>) -> Result<(), FieldError> {
    let Some(v) = f.take("sel") else { return Ok(()) };
    let what = "list of keys like {{val=0x0a000002, mask=0xffffffff, off=16}}";
    let Opt::List(items) = v else { return Err(f.expected("sel", what, v)) };
    for (i, it) in items.iter().enumerate() {
        let Opt::Map(m) = it else { return Err(f.expected(&format!("sel[{}]", i + 1), "table {val=, mask=, off=}", it)) };
        let mut g = Fields::new(m, &format!("{}[{}].", f.path("sel"), i + 1));
        let val = g.int("val", 0, u32::MAX as i64)?.ok_or_else(|| g.missing("val"))? as u32;
        let mask = g.int("mask", 0, u32::MAX as i64)?.unwrap_or(u32::MAX as i64) as u32;
        let off = g.int("off", i32::MIN as i64, i32::MAX as i64)?.unwrap_or(0) as i32;
        let offmask = g.int("offmask", i32::MIN as i64, i32::MAX as i64)?.unwrap_or(0) as i32;
        pack_key(keys, val, mask, off, offmask).map_err(|e| field_err(&g.path("off"), e))?;
        g.finish([])?;
    }
    Ok(())
}

/// Encode u32 options as tc does (attributes in tc's order for
/// `match ... flowid ... action ...`).
pub fn encode(f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    let mut keys = Vec::new();
    take_match(f, ctx, &mut keys)?;
    take_sel(f, &mut keys)?;
    let flowid = super::kinds::flowid(f)?;
    let divisor = f.int("divisor", 1, 256)?;
    if divisor.is_some_and(|d| d & (d - 1) != 0) {
        return Err(field_err(&f.path("divisor"), "must be a power of two up to 256"));
    }
    let handle_of = |f: &mut Fields<'_>, k: &'static str| -> Result<Option<u32>, FieldError> {
        match f.take(k) {
            None => Ok(None),
            Some(Opt::Str(s)) => parse_handle(s).map(Some).map_err(|e| field_err(&f.path(k), format!("expected {e}"))),
            Some(o) => Err(f.expected(k, "a u32 handle like \"1:\"", o)),
        }
    };
    let link = handle_of(f, "link")?;
    let ht = handle_of(f, "ht")?;
    let indev = f.str("indev")?;
    let actions = take_actions(f, ctx)?;
    let mut flags = 0;
    if f.bool("skip_hw")? == Some(true) {
        flags |= TCA_CLS_FLAGS_SKIP_HW;
    }
    if f.bool("skip_sw")? == Some(true) {
        flags |= TCA_CLS_FLAGS_SKIP_SW;
    }
    if flags == TCA_CLS_FLAGS_SKIP_HW | TCA_CLS_FLAGS_SKIP_SW {
        return Err(field_err(&f.path("skip_sw"), "'skip_hw' and 'skip_sw' exclude each other"));
    }
    let mut attrs = Vec::new();
    if let Some(c) = flowid {
        attrs.push(attr(&F::U32_OPTS, F::TCA_U32_CLASSID, u32v(c)));
    }
    if let Some(d) = divisor {
        attrs.push(attr(&F::U32_OPTS, F::TCA_U32_DIVISOR, u32v(d as u32)));
    }
    if let Some(l) = link {
        attrs.push(attr(&F::U32_OPTS, F::TCA_U32_LINK, u32v(l)));
    }
    if let Some(i) = &indev {
        attrs.push(attr(&F::U32_OPTS, F::TCA_U32_INDEV, Value::Str(i.clone())));
    }
    let terminal = flowid.is_some() || actions.is_some();
    if let Some(a) = actions {
        attrs.push(attr(&F::U32_OPTS, F::TCA_U32_ACT, a));
    }
    if let Some(h) = ht.map(|h| h & 0xFFFF_F000).filter(|h| *h != 0) {
        attrs.push(attr(&F::U32_OPTS, F::TCA_U32_HASH, u32v(h)));
    }
    if !keys.is_empty() {
        attrs.push(attr(&F::U32_OPTS, F::TCA_U32_SEL, Value::Bytes(sel_bytes(&keys, terminal))));
    }
    if flags != 0 {
        attrs.push(attr(&F::U32_OPTS, F::TCA_U32_FLAGS, u32v(flags)));
    }
    if attrs.is_empty() {
        return Ok(None);
    }
    Ok(Some(Value::Nested(Attrs(attrs))))
}

/// struct tc_u32_sel followed by its keys.
fn sel_bytes(keys: &[Key], terminal: bool) -> Vec<u8> {
    let mut b = vec![0u8; 16];
    b[0] = if terminal { TC_U32_TERMINAL } else { 0 };
    b[2] = keys.len() as u8;
    for k in keys {
        b.extend_from_slice(&k.mask.to_be_bytes());
        b.extend_from_slice(&k.val.to_be_bytes());
        b.extend_from_slice(&k.off.to_ne_bytes());
        b.extend_from_slice(&k.offmask.to_ne_bytes());
    }
    b
}

/// The keys of a TCA_U32_SEL payload.
pub fn sel_keys(b: &[u8]) -> Vec<Key> {
    if b.len() < 16 {
        return Vec::new();
    }
    let n = b[2] as usize;
    (0..n)
        .filter_map(|i| {
            let k = b.get(16 + 16 * i..32 + 16 * i)?;
            Some(Key {
                mask: u32::from_be_bytes(k[0..4].try_into().unwrap()),
                val: u32::from_be_bytes(k[4..8].try_into().unwrap()),
                off: i32::from_ne_bytes(k[8..12].try_into().unwrap()),
                offmask: i32::from_ne_bytes(k[12..16].try_into().unwrap()),
            })
        })
        .collect()
}

/// Decode u32 options into the words [`encode`] takes (keys come back as `sel`).
pub fn decode(v: &Value, ctx: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
    let Value::Nested(a) = v else { return super::kinds::table_decode(v) };
    let mut out = Vec::new();
    if let Some(c) = a.uint(F::TCA_U32_CLASSID) {
        out.push(("flowid".to_string(), Opt::Str(units::format_classid(c as u32))));
    }
    if let Some(d) = a.uint(F::TCA_U32_DIVISOR) {
        out.push(("divisor".into(), Opt::Int(d as i64)));
    }
    if let Some(l) = a.uint(F::TCA_U32_LINK) {
        out.push(("link".into(), Opt::Str(format_handle(l as u32))));
    }
    if let Some(i) = a.str(F::TCA_U32_INDEV) {
        out.push(("indev".into(), Opt::Str(i.to_string())));
    }
    if let Some(acts) = a.value(F::TCA_U32_ACT) {
        out.push(("actions".into(), decode_actions(acts, ctx)));
    }
    if let Some(h) = a.uint(F::TCA_U32_HASH) {
        out.push(("ht".into(), Opt::Str(format_handle(h as u32 & 0xFFF0_0000))));
    }
    if let Some(Value::Bytes(b)) = a.value(F::TCA_U32_SEL) {
        let keys: Vec<Opt> = sel_keys(b)
            .iter()
            .map(|k| {
                let mut m = vec![
                    ("val".to_string(), Opt::Int(k.val as i64)),
                    ("mask".to_string(), Opt::Int(k.mask as i64)),
                    ("off".to_string(), Opt::Int(k.off as i64)),
                ];
                if k.offmask != 0 {
                    m.push(("offmask".to_string(), Opt::Int(k.offmask as i64)));
                }
                Opt::Map(m)
            })
            .collect();
        if !keys.is_empty() {
            out.push(("sel".into(), Opt::List(keys)));
        }
    }
    if let Some(fl) = a.uint(F::TCA_U32_FLAGS) {
        if fl as u32 & TCA_CLS_FLAGS_SKIP_HW != 0 {
            out.push(("skip_hw".into(), Opt::Bool(true)));
        }
        if fl as u32 & TCA_CLS_FLAGS_SKIP_SW != 0 {
            out.push(("skip_sw".into(), Opt::Bool(true)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_like_tc() {
        assert_eq!(parse_handle("800::800").unwrap(), 0x8000_0800);
        assert_eq!(parse_handle("800:").unwrap(), 0x8000_0000);
        assert_eq!(parse_handle("1:2:3").unwrap(), 0x0010_2003);
        assert!(parse_handle("1000:").is_err());
        assert_eq!(format_handle(0x8000_0800), "800::800");
        assert_eq!(format_handle(0x8000_0000), "800:");
    }

    #[test]
    fn keys_pack_and_merge() {
        let mut k = Vec::new();
        pack16(&mut k, 53, 0xffff, 20, 0).unwrap();
        pack16(&mut k, 5001, 0xffff, 22, 0).unwrap();
        assert_eq!(k, vec![Key { mask: 0xffff_ffff, val: 53 << 16 | 5001, off: 20, offmask: 0 }]);
        pack8(&mut k, 17, 0xff, 9, 0).unwrap();
        assert_eq!(k[1], Key { mask: 0x00ff_0000, val: 0x0011_0000, off: 8, offmask: 0 });
        assert!(pack16(&mut k, 54, 0xffff, 20, 0).is_err(), "conflicting sport");
    }
}
