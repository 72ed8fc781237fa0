//! `--trace`: before each change, the iproute2/tc command that makes the same
//! change (`+ ip -n red link add v0 type veth peer name v1 netns blue`), so a
//! trace pasted into a shell builds the same network; `--trace=json` gives one
//! JSON object per change. Also the `link.add` options that recreate a
//! deleted link.

use super::record::NsKey;
use super::{Journal, Trace};
use crate::engine::addr::{AddrSpec, Broadcast};
use crate::engine::change::{AddrVerb, Change};
use crate::engine::link::{LinkChange, LinkSpec, NetnsTarget};
use crate::engine::neigh::NeighVerb;
use crate::engine::schema::{self, Opt};
use crate::engine::tc::{self, kinds};
use crate::engine::{Handle, Link};
use crate::show::Json;
use crate::units::{format_mac, scope_name};
use super::tc_words::{opt_word, option_words};

/// Print the trace line of `c`, if tracing.
pub fn print(j: &Journal, h: &Handle, c: &Change<'_>) {
    if j.trace == Trace::Off {
        return;
    }
    let ns = NsKey::of(h.ns(), j.initial);
    emit(j, &ns, &command(h, &ns, c, j.initial));
}

/// Print a command that is not a netlink change (netns add, exec, spawn).
pub fn emit(j: &Journal, ns: &NsKey, cmd: &str) {
    match j.trace {
        Trace::Off => {}
        Trace::Text => eprintln!("+ {cmd}"),
        Trace::Json => {
            let mut o = Json::obj();
            let ns_word = match ns {
                NsKey::Initial => String::new(),
                NsKey::Name(n) => n.clone(),
                NsKey::Path { path, .. } => path.clone(),
                NsKey::Temp { inode } => format!("inode {inode}"),
            };
            o.set("netns", ns_word).set("cmd", cmd);
            eprintln!("{}", o.to_string_compact());
        }
    }
}

fn ns_word(t: &NetnsTarget, initial: (u64, u64)) -> String {
    match t {
        NetnsTarget::Ns(ns) => NsKey::of(ns, initial).netns_word(),
        NetnsTarget::Fd(fd) => format!("/proc/{}/fd/{fd}", std::process::id()),
        NetnsTarget::Pid(p) => p.to_string(),
    }
}

fn common_words(s: &LinkSpec, initial: (u64, u64), out: &mut String) {
    if let Some(v) = s.mtu {
        out.push_str(&format!(" mtu {v}"));
    }
    if let Some(v) = &s.mac {
        out.push_str(&format!(" address {}", format_mac(v)));
    }
    if let Some(v) = &s.broadcast {
        out.push_str(&format!(" broadcast {}", format_mac(v)));
    }
    if let Some(v) = s.txqlen {
        out.push_str(&format!(" txqueuelen {v}"));
    }
    if let Some(v) = s.numtxqueues {
        out.push_str(&format!(" numtxqueues {v}"));
    }
    if let Some(v) = s.index {
        out.push_str(&format!(" index {v}"));
    }
    if let Some(v) = s.numrxqueues {
        out.push_str(&format!(" numrxqueues {v}"));
    }
    if let Some(v) = s.group {
        out.push_str(&format!(" group {v}"));
    }
    if let Some(t) = &s.netns {
        out.push_str(&format!(" netns {}", ns_word(t, initial)));
    }
}

fn link_add_words(h: &Handle, s: &LinkSpec, initial: (u64, u64)) -> String {
    let name = s.name.clone().unwrap_or_default();
    if s.kind == "tun" || s.kind == "tap" {
        let mut o = format!("tuntap add dev {name} mode {}", s.kind);
        for (k, v) in &s.options {
            match v {
                Opt::Bool(true) => o.push_str(&format!(" {k}")),
                Opt::Bool(false) => {}
                v => o.push_str(&format!(" {k} {}", opt_word(v))),
            }
        }
        return o;
    }
    let mut o = String::from("link add");
    if let Some(l) = s.link {
        o.push_str(&format!(" link {}", dev(h, l)));
    }
    o.push_str(&format!(" name {name}"));
    common_words(s, initial, &mut o);
    if let Some(m) = s.master {
        o.push_str(&format!(" master {}", dev(h, m)));
    }
    if let Some(a) = &s.alias {
        o.push_str(&format!(" alias {}", sh_quote(a)));
    }
    if s.up {
        o.push_str(" up");
    }
    o.push_str(&format!(" type {}", s.kind));
    let mut opts = s.options.clone();
    // Options naming a link are written with its name.
    if let Some(set) = schema::link::kind_set(&s.kind) {
        for (k, v) in opts.iter_mut() {
            if set.by_name(k).any(|d| d.ifindex)
                && let Some(i) = v.as_int() {
                    *v = Opt::Str(dev(h, i as u32));
                }
        }
    }
    option_words(&opts, &mut o);
    if let Some(p) = &s.peer {
        o.push_str(&format!(" peer name {}", p.name.as_deref().unwrap_or_default()));
        common_words(p, initial, &mut o);
    }
    o
}

/// `link set dev NAME ...` words for a change of link `name` (of `kind`).
pub fn link_set_words(h: &Handle, name: &str, kind: Option<&str>, c: &LinkChange, initial: (u64, u64)) -> String {
    let mut o = format!("link set dev {name}");
    let onoff = |b: bool| if b { "on" } else { "off" };
    if let Some(v) = c.mtu {
        o.push_str(&format!(" mtu {v}"));
    }
    if let Some(v) = &c.mac {
        o.push_str(&format!(" address {}", format_mac(v)));
    }
    if let Some(v) = &c.broadcast {
        o.push_str(&format!(" broadcast {}", format_mac(v)));
    }
    if let Some(v) = c.txqlen {
        o.push_str(&format!(" txqueuelen {v}"));
    }
    if let Some(v) = &c.alias {
        o.push_str(&format!(" alias {}", sh_quote(v)));
    }
    if let Some(v) = c.group {
        o.push_str(&format!(" group {v}"));
    }
    match c.master {
        Some(Some(m)) => o.push_str(&format!(" master {}", dev(h, m))),
        Some(None) => o.push_str(" nomaster"),
        None => {}
    }
    if let Some(v) = c.promisc {
        o.push_str(&format!(" promisc {}", onoff(v)));
    }
    if let Some(v) = c.allmulticast {
        o.push_str(&format!(" allmulticast {}", onoff(v)));
    }
    if let Some(v) = c.arp {
        o.push_str(&format!(" arp {}", onoff(v)));
    }
    if let Some(t) = &c.netns {
        o.push_str(&format!(" netns {}", ns_word(t, initial)));
    }
    if let Some(n) = &c.name {
        o.push_str(&format!(" name {n}"));
    }
    if let Some(u) = c.up {
        o.push_str(if u { " up" } else { " down" });
    }
    if !c.options.is_empty() {
        o.push_str(&format!(" type {}", kind.unwrap_or("")));
        option_words(&c.options, &mut o);
    }
    o
}

/// `ip addr VERB ...` words for an address.
pub fn addr_words(verb: &str, s: &AddrSpec, dev: &str) -> String {
    let mut o = format!("addr {verb} {}/{}", s.addr, s.prefixlen);
    if let Some((p, l)) = s.peer {
        o.push_str(&format!(" peer {p}/{l}"));
    }
    match s.broadcast {
        Some(Broadcast::Auto) => o.push_str(" broadcast +"),
        Some(Broadcast::Addr(b)) => o.push_str(&format!(" broadcast {b}")),
        None => {}
    }
    if let Some(a) = s.anycast {
        o.push_str(&format!(" anycast {a}"));
    }
    if let Some(l) = &s.label {
        o.push_str(&format!(" label {l}"));
    }
    if let Some(sc) = s.scope {
        o.push_str(&format!(" scope {}", scope_name(sc)));
    }
    o.push_str(&format!(" dev {dev}"));
    for (bit, w) in [(0x02, "nodad"), (0x10, "home"), (0x100, "mngtmpaddr"), (0x200, "noprefixroute"), (0x400, "autojoin")] {
        if s.flags & bit != 0 {
            o.push_str(&format!(" {w}"));
        }
    }
    if let Some(v) = s.valid_lft {
        o.push_str(&format!(" valid_lft {v}"));
    }
    if let Some(v) = s.preferred_lft {
        o.push_str(&format!(" preferred_lft {v}"));
    }
    if let Some(m) = s.metric {
        o.push_str(&format!(" metric {m}"));
    }
    o
}

fn tc_option_words(h: &Handle, obj: tc::Obj, kind: Option<&str>, v: Option<&schema::Value>, out: &mut String) {
    let (Some(kind), Some(v)) = (kind, v) else { return };
    let ctx = kinds::DecodeCtx { psched: tc::core::psched(), names: h, protocol: 0 };
    let opts = kinds::decode(obj, kind, v, &ctx);
    super::tc_words::words(obj == tc::Obj::Filter, kind, &opts, out);
}

/// The command for a change, with `ip -n NS`/`tc -n NS` as needed.
pub fn command(h: &Handle, ns: &NsKey, c: &Change<'_>, initial: (u64, u64)) -> String {
    let p = ns.ip_prefix();
    let init = initial;
    match c {
        Change::LinkAdd(s, _) => {
            let mut o = format!("ip {p}{}", link_add_words(h, s, init));
            if s.kind == "tun" || s.kind == "tap" {
                let set = LinkChange { mtu: s.mtu, mac: s.mac.clone(), txqlen: s.txqlen, master: s.master.map(Some), up: s.up.then_some(true), netns: s.netns.clone(), ..Default::default() };
                if !set.is_empty() {
                    o.push_str(&format!(" && ip {p}{}", link_set_words(h, s.name.as_deref().unwrap_or_default(), None, &set, init)));
                }
            }
            o
        }
        Change::LinkSet(l, ch) => format!("ip {p}{}", link_set_words(h, &l.name, l.kind.as_deref(), ch, init)),
        Change::LinkDel { name, .. } => format!("ip {p}link del dev {name}"),
        Change::Addr(v, s) => {
            let verb = match v {
                AddrVerb::Add => "add",
                AddrVerb::Replace => "replace",
                AddrVerb::Del => "del",
            };
            format!("ip {p}{}", addr_words(verb, s, &dev(h, s.index)))
        }
        Change::Route(v, s) => format!("ip {p}{}", s.op(v.word(), &|i| dev(h, i))),
        Change::RouteDel(r) => format!("ip {p}route del {} table {}", r.prefix(), r.table),
        Change::Rule(add, s) => format!("ip {p}{}", s.op(if *add { "add" } else { "del" })),
        Change::RuleDel(r) => format!("ip {p}rule del priority {}", r.priority),
        Change::Neigh(v, s) => {
            let verb = match v {
                NeighVerb::Add => "add",
                NeighVerb::Replace => "replace",
                NeighVerb::Change => "change",
                NeighVerb::Append => "append",
                NeighVerb::Del => "del",
            };
            format!("ip {p}{}", s.op(verb, &dev(h, s.ifindex)))
        }
        Change::Qdisc(v, s) => {
            let mut o = format!("tc {p}{}", s.words(h, *v));
            if *v != tc::Verb::Del {
                tc_option_words(h, tc::Obj::Qdisc, s.kind.as_deref(), s.options.as_ref(), &mut o);
            }
            o
        }
        Change::Class(v, s) => {
            let mut o = format!("tc {p}{}", s.words(h, *v));
            if *v != tc::Verb::Del {
                tc_option_words(h, tc::Obj::Class, s.kind.as_deref(), s.options.as_ref(), &mut o);
            }
            o
        }
        Change::Filter(v, s) => {
            let mut o = format!("tc {p}{}", s.words(h, *v));
            if *v != tc::Verb::Del {
                tc_option_words(h, tc::Obj::Filter, s.kind.as_deref(), s.options.as_ref(), &mut o);
            }
            o
        }
    }
}

fn dev(h: &Handle, index: u32) -> String {
    h.link_get(index).map(|l| l.name).unwrap_or_else(|_| index.to_string())
}

/// Quote a word for sh when it needs it.
pub fn sh_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:,+=@%".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The `link.add` options that recreate `l` (a pre-existing link about to be
/// deleted), or None when it cannot be recreated (a physical device, a veth
/// whose peer lives in another namespace, a kind without an option table).
pub fn recreate_opts(h: &Handle, l: &Link) -> Option<Json> {
    let kind = l.kind.clone()?;
    let mut o = Json::obj();
    o.set("name", l.name.as_str());
    let kind = if kind == "tun" {
        match l.kind_data().and_then(|d| d.to_opt().get("type").cloned()) {
            Some(Opt::Str(t)) => t,
            _ => "tun".into(),
        }
    } else {
        kind
    };
    o.set("kind", kind.as_str());
    o.set("index", l.index);
    o.set("mtu", l.mtu);
    if let Some(m) = &l.mac {
        o.set("mac", format_mac(m));
    }
    o.set("txqlen", l.txqlen);
    if let Some(a) = &l.alias {
        o.set("alias", a.as_str());
    }
    if let Some(m) = l.master {
        o.set("master", dev(h, m));
    }
    o.set("up", l.is_up());
    if kind == "veth" {
        if l.link_netnsid.is_some() {
            return None;
        }
        let peer = h.link_get(l.link?).ok()?;
        let mut p = Json::obj();
        p.set("name", peer.name.as_str()).set("index", peer.index).set("mtu", peer.mtu);
        if let Some(m) = &peer.mac {
            p.set("mac", format_mac(m));
        }
        o.set("peer", p);
        return Some(o);
    }
    if kind == "tun" || kind == "tap" {
        return Some(o);
    }
    let set = schema::link::kind_set(&kind)?;
    if let Some(d) = l.kind_data()
        && let Opt::Map(m) = d.to_opt() {
            for (k, v) in m {
                if set.by_name(&k).any(|d| !d.read_only) {
                    o.set(&k, Json::from(&v));
                }
            }
        }
    Some(o)
}

/// `ip` words for an address, route or neighbour request, read back from
/// the request itself (the verbs the journal's undo requests use).
pub(super) fn request_words(ty: u16, flags: u16, payload: &[u8], dev: &dyn Fn(u32) -> String) -> String {
    use crate::engine::{Addr, AddrSpec, Neigh, NeighSpec, Route, RouteSpec};
    // The deletions are the odd types (RTM_DELADDR, RTM_DELNEIGH).
    let verb = if ty % 2 == 1 {
        "del"
    } else if flags & crate::engine::message::NLM_F_REPLACE != 0 {
        "replace"
    } else {
        "add"
    };
    let unreadable = || format!("request type {ty} (unreadable)");
    match ty {
        20 | 21 => match Addr::parse(payload).ok().as_ref().and_then(AddrSpec::from_addr) {
            Some(s) => addr_words(verb, &s, &dev(s.index)),
            None => unreadable(),
        },
        // A route's verb is read from the header as the engine reads it (append, prepend, change too).
        24 | 25 => match (Route::parse(payload), crate::engine::RouteVerb::from_wire(ty, flags)) {
            (Ok(r), Some(v)) => RouteSpec::from_route(&r).op(v.word(), dev),
            _ => unreadable(),
        },
        28 | 29 => match Neigh::parse(payload) {
            Ok(n) => {
                let s = NeighSpec::restoring(&n);
                s.op(verb, &dev(s.ifindex))
            }
            Err(_) => unreadable(),
        },
        _ => unreadable(),
    }
}
