//! Routes as `ip route` prints them and `ip -j route show table all` reports
//! them (ip/iproute.c print_route), and the iproute2 name files they use.

use std::fmt::Write;
use std::net::IpAddr;

use super::{Json, Names, dev_name};
use crate::engine::encap::{Encap, labels_text};
use crate::engine::route::{Nexthop, Route, flag_names, user_hz};
use crate::engine::schema::route as S;
use crate::engine::schema::{Attrs, Value};
use crate::units::{self, scope_name};

const AF_INET: u8 = 2;

/// The iproute2 name tables a printer needs, read once per listing.
#[derive(Debug, Clone)]
pub struct RtNames {
    tables: Vec<(u32, String)>,
    protos: Vec<(u32, String)>,
    dsfield: Vec<(u32, String)>,
    realms: Vec<(u32, String)>,
}

impl RtNames {
    /// Read /etc/iproute2/{rt_tables,rt_protos,rt_dsfield,rt_realms} (and .d).
    pub fn load() -> RtNames {
        RtNames {
            tables: units::iproute2_table("rt_tables", S::RT_TABLE_DEFAULTS),
            protos: units::iproute2_table("rt_protos", S::RTPROT_DEFAULTS),
            dsfield: units::iproute2_table("rt_dsfield", &[]),
            realms: units::iproute2_table("rt_realms", &[(0, "unknown")]),
        }
    }

    fn find(t: &[(u32, String)], id: u32) -> Option<String> {
        t.iter().rev().find(|(i, _)| *i == id).map(|(_, n)| n.clone())
    }

    /// "main", a configured name, or the number.
    pub fn table(&self, id: u32) -> String {
        Self::find(&self.tables, id).unwrap_or_else(|| id.to_string())
    }

    /// "boot", "static", a configured name, or the number.
    pub fn proto(&self, id: u8) -> String {
        Self::find(&self.protos, id as u32).unwrap_or_else(|| id.to_string())
    }

    /// A TOS name from rt_dsfield, or "0x%02x".
    pub fn tos(&self, t: u8) -> String {
        Self::find(&self.dsfield, t as u32).unwrap_or_else(|| format!("0x{t:02x}"))
    }

    /// A realm name, or the number.
    pub fn realm(&self, r: u32) -> String {
        Self::find(&self.realms, r).unwrap_or_else(|| r.to_string())
    }
}

/// The destination as ip prints it: "default", "10.0.0.0/24", or a host address.
pub fn dst_text(r: &Route) -> String {
    match r.dst {
        Some(a) if r.dst_len != r.host_len() => format!("{a}/{}", r.dst_len),
        Some(a) => a.to_string(),
        None if r.dst_len > 0 => format!("0/{}", r.dst_len),
        None => "default".into(),
    }
}

fn family_name(a: &IpAddr) -> &'static str {
    units::family_name(units::family_of(a))
}

fn encap_json(o: &mut Json, e: &Encap) {
    o.set("encap", e.kind_name());
    match e {
        Encap::Mpls { labels, ttl } => {
            o.set("dst", labels_text(labels));
            if let Some(t) = ttl {
                o.set("ttl", *t as u32);
            }
        }
        Encap::Seg6 { segs, hmac, .. } => {
            o.set("mode", e.seg6_mode().unwrap_or_default());
            o.set("segs", Json::Arr(segs.iter().map(|s| Json::from(s.to_string())).collect()));
            if let Some(k) = hmac {
                o.set("hmac", format!("{k:#x}"));
            }
        }
        Encap::Other { .. } => {}
    }
}

fn encap_text(s: &mut String, e: &Encap) {
    let _ = write!(s, " encap {} ", e.kind_name());
    match e {
        Encap::Mpls { labels, ttl } => {
            let _ = write!(s, " {} ", labels_text(labels));
            if let Some(t) = ttl {
                let _ = write!(s, "ttl {t} ");
            }
        }
        Encap::Seg6 { segs, hmac, .. } => {
            let _ = write!(s, "mode {} segs {} [ ", e.seg6_mode().unwrap_or_default(), segs.len());
            for g in segs {
                let _ = write!(s, "{g} ");
            }
            s.push_str("] ");
            if let Some(k) = hmac {
                let _ = write!(s, "hmac {k:X} ");
            }
        }
        Encap::Other { .. } => {}
    }
}

fn flow_json(o: &mut Json, realms: u32, rt: &RtNames) {
    let mut f = Json::obj();
    if realms >> 16 != 0 {
        f.set("from", rt.realm(realms >> 16));
    }
    f.set("to", rt.realm(realms & 0xffff));
    o.set("flow", f);
}

fn flow_text(s: &mut String, realms: u32, rt: &RtNames) {
    let from = realms >> 16;
    let _ = write!(s, "realm{} ", if from != 0 { "s" } else { "" });
    if from != 0 {
        let _ = write!(s, "{}/", rt.realm(from));
    }
    let _ = write!(s, "{} ", rt.realm(realms & 0xffff));
}

fn flags_json(flags: u32) -> Json {
    Json::Arr(flag_names(flags).into_iter().map(Json::from).collect())
}

/// RTCF_* cache flags of a cloned IPv4 route (print_cache_flags).
const CACHE_FLAGS: &[(u32, &str)] = &[
    (0x8000_0000, "local"),
    (0x4000_0000, "reject"),
    (0x2000_0000, "mc"),
    (0x1000_0000, "brd"),
    (0x0800_0000, "dst-nat"),
    (0x0080_0000, "src-nat"),
    (0x0040_0000, "masq"),
    (0x0002_0000, "dst-direct"),
    (0x0400_0000, "src-direct"),
    (0x0004_0000, "redirected"),
    (0x0100_0000, "redirect"),
    (0x0020_0000, "fastroute"),
    (0x0001_0000, "notify"),
    (0x0008_0000, "proxy"),
];

fn cache_words(flags: u32) -> (Vec<&'static str>, u32) {
    let mut rest = flags & !0xffff;
    let mut words = Vec::new();
    for (b, n) in CACHE_FLAGS {
        if rest & b != 0 {
            rest &= !b;
            words.push(*n);
        }
    }
    (words, rest)
}

fn cacheinfo(r: &Route) -> Vec<(&'static str, i64)> {
    let Some(Value::Struct(_, f, _)) = r.attrs.value(S::RTA_CACHEINFO) else { return Vec::new() };
    f.iter()
        .filter_map(|(n, v)| match v {
            Value::U(x) => Some((*n, *x as i64)),
            Value::I(x) => Some((*n, *x)),
            _ => None,
        })
        .collect()
}

/// (name for ip, value as printed, text) of each metric, in RTAX order.
fn metrics(m: &Attrs) -> Vec<(&'static str, Json, String, bool)> {
    let lock = m.uint(S::RTAX_LOCK).unwrap_or(0);
    let mut out = Vec::new();
    for id in 2..=17u16 {
        let locked = lock & (1 << id) != 0;
        let Some(d) = S::METRICS.by_id(id) else { continue };
        if !m.has(id) && !locked {
            continue;
        }
        if id == S::RTAX_CC_ALGO {
            let v = m.str(id).unwrap_or("").to_string();
            out.push(("congestion", Json::from(v.clone()), v, locked));
            continue;
        }
        let val = m.uint(id).unwrap_or(0);
        if id == S::RTAX_HOPLIMIT && val as u32 == u32::MAX {
            continue;
        }
        match d.name {
            "features" => {
                if val & 1 != 0 {
                    out.push(("ecn", Json::Null, String::new(), locked));
                }
                if val & !1 != 0 {
                    out.push(("features", Json::from(format!("{val:#x}")), format!("{val:#x}"), locked));
                }
            }
            "rtt" | "rttvar" | "rto_min" => {
                let ms = match d.name {
                    "rtt" => val / 8,
                    "rttvar" => val / 4,
                    _ => val,
                };
                let text = if ms >= 1000 { format!("{}s", ms as f64 / 1e3) } else { format!("{ms}ms") };
                out.push((d.name, Json::UInt(ms), text, locked));
            }
            _ => out.push((d.name, Json::UInt(val), val.to_string(), locked)),
        }
    }
    out
}

fn nexthop_json(nh: &Nexthop, n: &dyn Names, rt: &RtNames) -> Json {
    let mut o = Json::obj();
    if let Some(e) = &nh.encap {
        encap_json(&mut o, e);
    }
    if let Some(g) = nh.gateway {
        o.set("gateway", g.to_string());
    }
    if let Some(v) = nh.via {
        let mut x = Json::obj();
        x.set("family", family_name(&v)).set("host", v.to_string());
        o.set("via", x);
    }
    if let Some(f) = nh.realms {
        flow_json(&mut o, f, rt);
    }
    o.set("dev", dev_name(n, nh.ifindex));
    o.set("weight", nh.weight as u32);
    o.set("flags", flags_json(nh.flags as u32));
    o
}

/// The object `ip -j route show table all` prints for this route.
pub fn route_json(r: &Route, n: &dyn Names, rt: &RtNames) -> Json {
    let mut o = Json::obj();
    if r.rtype != S::RTN_UNICAST {
        o.set("type", crate::engine::route::type_name(r.rtype));
    }
    o.set("dst", dst_text(r));
    match r.from {
        Some(a) if r.src_len != r.host_len() => {
            o.set("from", format!("{a}/{}", r.src_len));
        }
        Some(a) => {
            o.set("from", a.to_string());
        }
        None if r.src_len > 0 => {
            o.set("src", format!("0/{}", r.src_len));
        }
        None => {}
    }
    if let Some(id) = r.nhid {
        o.set("nhid", id);
    }
    if let Some(e) = &r.encap {
        encap_json(&mut o, e);
    }
    if r.tos != 0 {
        o.set("tos", rt.tos(r.tos));
    }
    if let Some(g) = r.gateway {
        o.set("gateway", g.to_string());
    }
    if let Some(v) = r.via {
        let mut x = Json::obj();
        x.set("family", family_name(&v)).set("host", v.to_string());
        o.set("via", x);
    }
    if let Some(i) = r.oif {
        o.set("dev", dev_name(n, i));
    }
    if r.table != 0 && r.table != S::RT_TABLE_MAIN {
        o.set("table", rt.table(r.table));
    }
    if !r.is_cloned() {
        if r.protocol != S::RTPROT_BOOT {
            o.set("protocol", rt.proto(r.protocol));
        }
        if r.scope != S::RT_SCOPE_UNIVERSE {
            o.set("scope", scope_name(r.scope));
        }
    }
    if let Some(p) = r.prefsrc {
        o.set("prefsrc", p.to_string());
    }
    if let Some(m) = r.metric {
        o.set("metric", m);
    }
    o.set("flags", flags_json(r.flags));
    if let Some(m) = r.mark.filter(|m| *m != 0) {
        o.set("mark", m);
    }
    if let Some(f) = r.realms {
        flow_json(&mut o, f, rt);
    }
    if let Some(u) = r.uid {
        o.set("uid", u);
    }
    if r.family == AF_INET && r.is_cloned() {
        let (words, rest) = cache_words(r.flags);
        let mut a: Vec<Json> = words.into_iter().map(Json::from).collect();
        if rest != 0 {
            a.push(Json::from(format!("{rest:x}")));
        }
        o.set("cache", Json::Arr(a));
    }
    for (k, v) in cacheinfo(r) {
        match k {
            "expires" if v != 0 => {
                o.set("expires", Json::Int(v / user_hz()));
            }
            "error" if v != 0 => {
                o.set("error", Json::Int(v));
            }
            _ => {}
        }
    }
    if let Some(m) = r.attrs.nested(S::RTA_METRICS) {
        let mut mo = Json::obj();
        for (k, v, _, _) in metrics(m) {
            mo.set(k, v);
        }
        o.set("metrics", Json::Arr(vec![mo]));
    }
    if let Some(i) = r.iif {
        o.set("iif", dev_name(n, i));
    }
    if let Some(p) = r.pref {
        o.set("pref", pref_word(p));
    }
    if !r.nexthops.is_empty() {
        o.set("nexthops", Json::Arr(r.nexthops.iter().map(|x| nexthop_json(x, n, rt)).collect()));
    }
    o
}

/// "low", "medium", "high" or the number.
pub fn pref_word(p: u8) -> String {
    S::PREF_NAMES.iter().find(|(k, _)| *k == p as u64).map(|(_, n)| n.to_string()).unwrap_or_else(|| p.to_string())
}

/// The route as `ip route show table all` prints it (multipath paths on
/// following lines), without trailing spaces.
pub fn route_text(r: &Route, n: &dyn Names, rt: &RtNames) -> String {
    let mut s = String::new();
    if r.rtype != S::RTN_UNICAST {
        let _ = write!(s, "{} ", crate::engine::route::type_name(r.rtype));
    }
    let _ = write!(s, "{} ", dst_text(r));
    if let Some(f) = r.from_prefix() {
        let f = if r.src_len == r.host_len() { r.from.map(|a| a.to_string()).unwrap_or(f) } else { f };
        let _ = write!(s, "from {f} ");
    }
    if let Some(id) = r.nhid {
        let _ = write!(s, "nhid {id} ");
    }
    if let Some(e) = &r.encap {
        encap_text(&mut s, e);
    }
    if r.tos != 0 {
        let _ = write!(s, "tos {} ", rt.tos(r.tos));
    }
    if let Some(g) = r.gateway {
        let _ = write!(s, "via {g} ");
    }
    if let Some(v) = r.via {
        let _ = write!(s, "via {} {v} ", family_name(&v));
    }
    if let Some(i) = r.oif {
        let _ = write!(s, "dev {} ", dev_name(n, i));
    }
    if r.table != 0 && r.table != S::RT_TABLE_MAIN {
        let _ = write!(s, "table {} ", rt.table(r.table));
    }
    if !r.is_cloned() {
        if r.protocol != S::RTPROT_BOOT {
            let _ = write!(s, "proto {} ", rt.proto(r.protocol));
        }
        if r.scope != S::RT_SCOPE_UNIVERSE {
            let _ = write!(s, "scope {} ", scope_name(r.scope));
        }
    }
    if let Some(p) = r.prefsrc {
        let _ = write!(s, "src {p} ");
    }
    if let Some(m) = r.metric {
        let _ = write!(s, "metric {m} ");
    }
    for f in r.flag_names() {
        let _ = write!(s, "{f} ");
    }
    if let Some(m) = r.mark.filter(|m| *m != 0) {
        if m >= 16 {
            let _ = write!(s, "mark {m:#x} ");
        } else {
            let _ = write!(s, "mark {m} ");
        }
    }
    if let Some(f) = r.realms {
        flow_text(&mut s, f, rt);
    }
    if let Some(u) = r.uid {
        let _ = write!(s, "uid {u} ");
    }
    if r.family == AF_INET && r.is_cloned() {
        s.push_str("\n    cache ");
        let (words, rest) = cache_words(r.flags);
        if !words.is_empty() || rest != 0 {
            let mut all: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            if rest != 0 {
                all.push(format!("{rest:x}"));
            }
            let _ = write!(s, "<{}> ", all.join(","));
        }
    }
    for (k, v) in cacheinfo(r) {
        match k {
            "expires" if v != 0 => {
                let _ = write!(s, "expires {}sec ", v / user_hz());
            }
            "error" if v != 0 => {
                let _ = write!(s, "error {v} ");
            }
            _ => {}
        }
    }
    if let Some(m) = r.attrs.nested(S::RTA_METRICS) {
        for (k, _, text, locked) in metrics(m) {
            let word = if k == "congestion" { "congctl" } else { k };
            if k == "ecn" {
                let _ = write!(s, "features {}ecn ", if locked { "lock " } else { "" });
                continue;
            }
            let _ = write!(s, "{word} {}{text} ", if locked { "lock " } else { "" });
        }
    }
    if let Some(i) = r.iif {
        let _ = write!(s, "iif {} ", dev_name(n, i));
    }
    if let Some(p) = r.pref {
        let _ = write!(s, "pref {}", pref_word(p));
    }
    for nh in &r.nexthops {
        s = s.trim_end().to_string();
        s.push_str("\n\tnexthop ");
        if let Some(e) = &nh.encap {
            encap_text(&mut s, e);
        }
        if let Some(g) = nh.gateway {
            let _ = write!(s, "via {g} ");
        }
        if let Some(v) = nh.via {
            let _ = write!(s, "via {} {v} ", family_name(&v));
        }
        if let Some(f) = nh.realms {
            flow_text(&mut s, f, rt);
        }
        let _ = write!(s, "dev {} weight {} ", dev_name(n, nh.ifindex), nh.weight);
        for f in flag_names(nh.flags as u32) {
            let _ = write!(s, "{f} ");
        }
    }
    s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
}
