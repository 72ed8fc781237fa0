//! Neighbours as `ip neigh` prints them (ip/ipneigh.c print_neigh) and FDB
//! entries as `bridge fdb` prints them (bridge/fdb.c print_fdb), text and JSON.

use std::fmt::Write;

use super::route::RtNames;
use super::{Json, Names, dev_name};
use crate::engine::neigh::Neigh;
use crate::engine::schema::neigh as S;
use crate::units::format_mac;

/// ip's flag words (router, proxy, managed, extern_learn, offload).
fn ip_flag_words(x: &Neigh) -> Vec<&'static str> {
    let mut w = Vec::new();
    if x.flags & S::NTF_ROUTER != 0 {
        w.push("router");
    }
    if x.flags & S::NTF_PROXY != 0 {
        w.push("proxy");
    }
    if x.flags_ext & S::NTF_EXT_MANAGED != 0 {
        w.push("managed");
    }
    if x.flags & S::NTF_EXT_LEARNED != 0 {
        w.push("extern_learn");
    }
    if x.flags & S::NTF_OFFLOADED != 0 {
        w.push("offload");
    }
    w
}

/// `bridge fdb`'s flag words, in its order.
fn fdb_flag_words(x: &Neigh) -> Vec<&'static str> {
    S::NTF_NAMES.iter().take(6).filter(|(b, _)| x.flags & b != 0).map(|(_, n)| *n).collect()
}

/// The state ip prints: upper-case NUD names.
fn nud_words(x: &Neigh) -> Vec<String> {
    x.state_names().into_iter().map(|s| s.to_uppercase()).collect()
}

fn fdb_state(x: &Neigh) -> String {
    let s = x.state;
    if s & S::NUD_PERMANENT != 0 {
        "permanent".into()
    } else if s & S::NUD_NOARP != 0 {
        "static".into()
    } else if s & S::NUD_STALE != 0 {
        "stale".into()
    } else if s & S::NUD_REACHABLE != 0 {
        String::new()
    } else {
        format!("{s:#x}")
    }
}

/// The object `ip -j neigh show` prints (or `bridge -j fdb show` for FDB entries).
pub fn neigh_json(x: &Neigh, n: &dyn Names, rt: &RtNames) -> Json {
    if x.is_fdb() {
        return fdb_json(x, n);
    }
    let mut o = Json::obj();
    if let Some(d) = x.dst {
        o.set("dst", d.to_string());
    }
    if x.ifindex != 0 {
        o.set("dev", dev_name(n, x.ifindex));
    }
    if let Some(l) = &x.lladdr {
        o.set("lladdr", format_mac(l));
    }
    for w in ip_flag_words(x) {
        o.set(w, Json::Null);
    }
    if x.state != 0 {
        o.set("state", Json::Arr(nud_words(x).into_iter().map(Json::from).collect()));
    }
    if let Some(p) = x.protocol.filter(|p| *p != 0) {
        o.set("protocol", rt.proto(p));
    }
    o
}

fn fdb_json(x: &Neigh, n: &dyn Names) -> Json {
    let mut o = Json::obj();
    if let Some(l) = &x.lladdr {
        o.set("mac", format_mac(l));
    }
    if x.ifindex != 0 {
        o.set("ifname", dev_name(n, x.ifindex));
    }
    if let Some(d) = x.dst {
        o.set("dst", d.to_string());
    }
    if let Some(v) = x.vlan.filter(|v| *v != 0) {
        o.set("vlan", v as u32);
    }
    if let Some(p) = x.port {
        o.set("port", p as u32);
    }
    if let Some(v) = x.vni {
        o.set("vni", v);
    }
    if let Some(v) = x.src_vni {
        o.set("src_vni", v);
    }
    if let Some(i) = x.via {
        if x.link_netnsid.is_some() {
            o.set("viaIfIndex", i);
        } else {
            o.set("viaIf", dev_name(n, i));
        }
    }
    if let Some(h) = x.nhid {
        o.set("nhid", h);
    }
    if let Some(id) = x.link_netnsid {
        o.set("linkNetNsId", id as u32);
    }
    o.set("flags", Json::Arr(fdb_flag_words(x).into_iter().map(Json::from).collect()));
    if let Some(m) = x.master {
        o.set("master", dev_name(n, m));
    }
    o.set("state", fdb_state(x));
    o
}

/// The entry as `ip neigh show` prints it (`bridge fdb show` for FDB entries).
pub fn neigh_text(x: &Neigh, n: &dyn Names, rt: &RtNames) -> String {
    let mut s = String::new();
    if x.is_fdb() {
        if let Some(l) = &x.lladdr {
            let _ = write!(s, "{} ", format_mac(l));
        }
        if x.ifindex != 0 {
            let _ = write!(s, "dev {} ", dev_name(n, x.ifindex));
        }
        if let Some(d) = x.dst {
            let _ = write!(s, "dst {d} ");
        }
        if let Some(v) = x.vlan.filter(|v| *v != 0) {
            let _ = write!(s, "vlan {v} ");
        }
        if let Some(p) = x.port {
            let _ = write!(s, "port {p} ");
        }
        if let Some(v) = x.vni {
            let _ = write!(s, "vni {v} ");
        }
        if let Some(v) = x.src_vni {
            let _ = write!(s, "src_vni {v} ");
        }
        if let Some(i) = x.via {
            let _ = write!(s, "via {} ", dev_name(n, i));
        }
        if let Some(h) = x.nhid {
            let _ = write!(s, "nhid {h} ");
        }
        for w in fdb_flag_words(x) {
            let _ = write!(s, "{w} ");
        }
        if let Some(m) = x.master {
            let _ = write!(s, "master {} ", dev_name(n, m));
        }
        s.push_str(&fdb_state(x));
        return s.trim_end().to_string();
    }
    if let Some(d) = x.dst {
        let _ = write!(s, "{d} ");
    }
    if x.ifindex != 0 {
        let _ = write!(s, "dev {} ", dev_name(n, x.ifindex));
    }
    if let Some(l) = &x.lladdr {
        let _ = write!(s, "lladdr {} ", format_mac(l));
    }
    for w in ip_flag_words(x) {
        let _ = write!(s, "{w} ");
    }
    for w in nud_words(x) {
        let _ = write!(s, "{w} ");
    }
    if let Some(p) = x.protocol.filter(|p| *p != 0) {
        let _ = write!(s, "proto {} ", rt.proto(p));
    }
    s.trim_end().to_string()
}
