//! Rules as `ip rule` prints them and `ip -j rule` reports them (ip/iprule.c
//! print_rule).

use std::fmt::Write;

use super::Json;
use super::route::RtNames;
use crate::engine::rule::{Rule, ip_proto_name};
use crate::engine::schema::rule as S;

fn group_name(g: u32) -> String {
    super::link::group_name(g)
}

/// The object `ip -j rule show` prints for this rule.
pub fn rule_json(r: &Rule, rt: &RtNames) -> Json {
    let host = if r.family == 10 { 128 } else { 32 };
    let mut o = Json::obj();
    o.set("priority", r.priority);
    if r.is_not() {
        o.set("not", Json::Null);
    }
    match r.src {
        Some(a) => {
            o.set("src", a.to_string());
            if r.src_len != host {
                o.set("srclen", r.src_len as u32);
            }
        }
        None if r.src_len > 0 => {
            o.set("src", "0").set("srclen", r.src_len as u32);
        }
        None => {
            o.set("src", "all");
        }
    }
    match r.dst {
        Some(a) => {
            o.set("dst", a.to_string());
            if r.dst_len != host {
                o.set("dstlen", r.dst_len as u32);
            }
        }
        None if r.dst_len > 0 => {
            o.set("dst", "0").set("dstlen", r.dst_len as u32);
        }
        None => {}
    }
    if r.tos != 0 {
        o.set("tos", rt.tos(r.tos));
    }
    if r.fwmark.is_some() || r.fwmask.is_some() {
        o.set("fwmark", hex(r.fwmark.unwrap_or(0)));
        if let Some(m) = r.fwmask.filter(|m| *m != u32::MAX) {
            o.set("fwmask", hex(m));
        }
    }
    if let Some(i) = &r.iif {
        o.set("iif", i.as_str());
        if r.flags & S::FIB_RULE_IIF_DETACHED != 0 {
            o.set("iif_detached", Json::Null);
        }
    }
    if let Some(i) = &r.oif {
        o.set("oif", i.as_str());
        if r.flags & S::FIB_RULE_OIF_DETACHED != 0 {
            o.set("oif_detached", Json::Null);
        }
    }
    if r.l3mdev {
        o.set("l3mdev", Json::Null);
    }
    if let Some((a, b)) = r.uid_range {
        o.set("uid_start", a).set("uid_end", b);
    }
    if let Some(p) = r.ipproto {
        o.set("ipproto", ip_proto_name(p));
    }
    for (k, v) in [("sport", r.sport), ("dport", r.dport)] {
        if let Some((a, b)) = v {
            if a == b {
                o.set(k, a as u32);
            } else {
                o.set(&format!("{k}_start"), a as u32).set(&format!("{k}_end"), b as u32);
            }
        }
    }
    if let Some(t) = r.tun_id {
        o.set("tun_id", t);
    }
    if r.table != 0 {
        o.set("table", rt.table(r.table));
        if let Some(p) = r.suppress_prefixlen.filter(|p| *p != -1) {
            o.set("suppress_prefixlen", p);
        }
        if let Some(g) = r.suppress_ifgroup.filter(|g| *g != -1) {
            o.set("suppress_ifgroup", group_name(g as u32));
        }
    }
    if let Some(f) = r.realms {
        if f >> 16 != 0 {
            o.set("flow_from", rt.realm(f >> 16));
        }
        o.set("flow_to", rt.realm(f & 0xffff));
    }
    match r.action {
        S::FR_ACT_NAT => {
            o.set("masquerade", Json::Null);
        }
        S::FR_ACT_GOTO => {
            match r.goto {
                Some(g) => o.set("goto", g),
                None => o.set("goto", "none"),
            };
            if r.flags & S::FIB_RULE_UNRESOLVED != 0 {
                o.set("unresolved", Json::Null);
            }
        }
        S::FR_ACT_NOP => {
            o.set("nop", Json::Null);
        }
        S::FR_ACT_TO_TBL => {}
        a => {
            o.set("action", crate::engine::route::type_name(a));
        }
    }
    if let Some(p) = r.protocol.filter(|p| *p != 0 && *p != crate::engine::schema::route::RTPROT_KERNEL) {
        o.set("protocol", rt.proto(p));
    }
    o
}

fn hex(v: u32) -> String {
    if v == 0 { "0".into() } else { format!("{v:#x}") }
}

/// The rule as `ip rule show` prints it ("1000:\tfrom 10.0.0.0/8 lookup 100").
pub fn rule_text(r: &Rule, rt: &RtNames) -> String {
    let host = if r.family == 10 { 128 } else { 32 };
    let mut s = format!("{}:\t", r.priority);
    if r.is_not() {
        s.push_str("not ");
    }
    match r.src {
        Some(a) => {
            let _ = write!(s, "from {a}");
            if r.src_len != host {
                let _ = write!(s, "/{}", r.src_len);
            }
        }
        None if r.src_len > 0 => {
            let _ = write!(s, "from 0/{}", r.src_len);
        }
        None => s.push_str("from all"),
    }
    match r.dst {
        Some(a) => {
            let _ = write!(s, " to {a}");
            if r.dst_len != host {
                let _ = write!(s, "/{}", r.dst_len);
            }
        }
        None if r.dst_len > 0 => {
            let _ = write!(s, " to 0/{}", r.dst_len);
        }
        None => {}
    }
    if r.tos != 0 {
        let _ = write!(s, " tos {}", rt.tos(r.tos));
    }
    if r.fwmark.is_some() || r.fwmask.is_some() {
        let _ = write!(s, " fwmark {}", hex(r.fwmark.unwrap_or(0)));
        if let Some(m) = r.fwmask.filter(|m| *m != u32::MAX) {
            let _ = write!(s, "/{}", hex(m));
        }
    }
    if let Some(i) = &r.iif {
        let _ = write!(s, " iif {i}");
        if r.flags & S::FIB_RULE_IIF_DETACHED != 0 {
            s.push_str(" [detached]");
        }
    }
    if let Some(i) = &r.oif {
        let _ = write!(s, " oif {i}");
        if r.flags & S::FIB_RULE_OIF_DETACHED != 0 {
            s.push_str(" [detached]");
        }
    }
    if r.l3mdev {
        s.push_str(" lookup [l3mdev-table]");
    }
    if let Some((a, b)) = r.uid_range {
        let _ = write!(s, " uidrange {a}-{b}");
    }
    if let Some(p) = r.ipproto {
        let _ = write!(s, " ipproto {}", ip_proto_name(p));
    }
    for (k, v) in [("sport", r.sport), ("dport", r.dport)] {
        if let Some((a, b)) = v {
            if a == b {
                let _ = write!(s, " {k} {a}");
            } else {
                let _ = write!(s, " {k} {a}-{b}");
            }
        }
    }
    if let Some(t) = r.tun_id {
        let _ = write!(s, " tun_id {t}");
    }
    if r.table != 0 {
        let _ = write!(s, " lookup {}", rt.table(r.table));
        if let Some(p) = r.suppress_prefixlen.filter(|p| *p != -1) {
            let _ = write!(s, " suppress_prefixlength {p}");
        }
        if let Some(g) = r.suppress_ifgroup.filter(|g| *g != -1) {
            let _ = write!(s, " suppress_ifgroup {}", group_name(g as u32));
        }
    }
    if let Some(f) = r.realms {
        if f >> 16 != 0 {
            let _ = write!(s, " realms {}/", rt.realm(f >> 16));
        } else {
            s.push_str(" realms ");
        }
        s.push_str(&rt.realm(f & 0xffff));
    }
    match r.action {
        S::FR_ACT_NAT => s.push_str(" masquerade"),
        S::FR_ACT_GOTO => {
            match r.goto {
                Some(g) => {
                    let _ = write!(s, " goto {g}");
                }
                None => s.push_str(" goto none"),
            }
            if r.flags & S::FIB_RULE_UNRESOLVED != 0 {
                s.push_str(" [unresolved]");
            }
        }
        S::FR_ACT_NOP => s.push_str(" nop"),
        S::FR_ACT_TO_TBL => {}
        a => {
            let _ = write!(s, " {}", crate::engine::route::type_name(a));
        }
    }
    if let Some(p) = r.protocol.filter(|p| *p != 0 && *p != crate::engine::schema::route::RTPROT_KERNEL) {
        let _ = write!(s, " proto {}", rt.proto(p));
    }
    s
}
