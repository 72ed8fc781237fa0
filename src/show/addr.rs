//! Addresses as `ip addr` prints them and `ip -j addr` reports them.

use std::fmt::Write;

use super::Json;
use crate::engine::Addr;
use crate::engine::addr::INFINITY_LIFE_TIME;
use crate::units::{family_name, scope_name};

const AF_INET6: u8 = 10;

/// The flag words ip prints, in its order (ipaddress.c ifa_flag_data).
fn flag_words(a: &Addr) -> Vec<String> {
    const TABLE: &[(u32, &str)] = &[
        (0x01, "secondary"),
        (0x02, "nodad"),
        (0x04, "optimistic"),
        (0x08, "dadfailed"),
        (0x10, "home"),
        (0x20, "deprecated"),
        (0x40, "tentative"),
        (0x80, "permanent"),
        (0x100, "mngtmpaddr"),
        (0x200, "noprefixroute"),
        (0x400, "autojoin"),
        (0x800, "stable-privacy"),
    ];
    let mut out = Vec::new();
    let mut flags = a.flags;
    for (bit, name) in TABLE {
        if *bit == 0x80 {
            if flags & bit == 0 {
                out.push("dynamic".to_string());
            }
        } else if flags & bit != 0 {
            out.push(if *bit == 0x01 && a.family == AF_INET6 { "temporary" } else { name }.to_string());
        }
        flags &= !bit;
    }
    if flags != 0 {
        out.push(format!("flags {flags:02x}"));
    }
    out
}

fn lft(v: u32) -> String {
    if v == INFINITY_LIFE_TIME { "forever".to_string() } else { format!("{v}sec") }
}

/// The address as `ip addr show` prints it under its link: "    inet ..." and,
/// when the kernel reports lifetimes, the "       valid_lft" line.
pub fn addr_text(a: &Addr) -> String {
    let mut s = format!("    {} ", family_name(a.family));
    if let Some(l) = a.local {
        s.push_str(&l.to_string());
        if let Some(p) = a.address.filter(|p| *p != l) {
            let _ = write!(s, " peer {p}");
        }
        let _ = write!(s, "/{} ", a.prefixlen);
    } else if let Some(ad) = a.address {
        let _ = write!(s, "{ad}/{} ", a.prefixlen);
    }
    if let Some(m) = a.metric {
        let _ = write!(s, "metric {m} ");
    }
    if let Some(b) = a.broadcast {
        let _ = write!(s, "brd {b} ");
    }
    if let Some(b) = a.anycast {
        let _ = write!(s, "any {b} ");
    }
    let _ = write!(s, "scope {} ", scope_name(a.scope));
    for w in flag_words(a) {
        let _ = write!(s, "{w} ");
    }
    if let Some(l) = &a.label {
        s.push_str(l);
    }
    if let (Some(v), Some(p)) = (a.valid_lft, a.preferred_lft) {
        let _ = write!(s, "\n       valid_lft {} preferred_lft {}", lft(v), lft(p));
    }
    s
}

/// The `addr_info` entry `ip -j addr show` prints for this address.
pub fn addr_json(a: &Addr) -> Json {
    let mut o = Json::obj();
    o.set("family", family_name(a.family));
    if let Some(l) = a.local.or(a.address) {
        o.set("local", l.to_string());
    }
    if let Some(p) = a.peer() {
        o.set("address", p.to_string());
    }
    o.set("prefixlen", a.prefixlen);
    if let Some(m) = a.metric {
        o.set("metric", m);
    }
    if let Some(b) = a.broadcast {
        o.set("broadcast", b.to_string());
    }
    if let Some(b) = a.anycast {
        o.set("anycast", b.to_string());
    }
    o.set("scope", scope_name(a.scope));
    for w in flag_words(a) {
        if let Some(hex) = w.strip_prefix("flags ") {
            o.set("ifa_flags", hex);
        } else {
            o.set(&w, true);
        }
    }
    if let Some(l) = &a.label {
        o.set("label", l.as_str());
    }
    if let (Some(v), Some(p)) = (a.valid_lft, a.preferred_lft) {
        o.set("valid_life_time", v).set("preferred_life_time", p);
    }
    o
}
