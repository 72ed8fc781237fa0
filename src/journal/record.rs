//! Journal records: what one successful change needs for its undo, named by
//! stable keys (namespace name or path and inode, link name and ifindex, the
//! exact netlink request that undoes it) — never by a Lua object. One JSON
//! object per line.

use crate::engine::change::request_ifindex;
use crate::engine::NsInfo;
use crate::show::Json;

/// Version of the journal format written; a journal of a version not in
/// [`READS`] is refused. Version 2 may leave out the text of a request
/// record (it is derived from the request when printed).
pub const VERSION: i64 = 2;

/// Versions this nlua reads.
pub const READS: &[i64] = &[1, 2];

/// Which namespace a record acts in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NsKey {
    /// The namespace nlua started in (checked by inode on --down).
    Initial,
    /// A named namespace (/run/netns/NAME).
    Name(String),
    /// A namespace file elsewhere (checked by inode).
    Path {
        /// The file.
        path: String,
        /// The namespace's inode, checked on --down.
        inode: u64,
    },
    /// An anonymous namespace: it dies with the run, nothing to undo there.
    Temp {
        /// The namespace's inode.
        inode: u64,
    },
}

impl NsKey {
    /// The key of `ns`, given the identity (dev, inode) of the initial namespace.
    pub fn of(ns: &NsInfo, initial: (u64, u64)) -> NsKey {
        if (ns.dev, ns.inode) == initial {
            NsKey::Initial
        } else if let Some(n) = &ns.name {
            NsKey::Name(n.clone())
        } else {
            match &ns.path {
                Some(p) if !p.starts_with("/proc/thread-self") && !p.starts_with("/proc/self") => {
                    NsKey::Path { path: p.clone(), inode: ns.inode }
                }
                _ => NsKey::Temp { inode: ns.inode },
            }
        }
    }

    /// `ip -n NAME ` for commands acting there ("" in the initial namespace).
    pub fn ip_prefix(&self) -> String {
        match self {
            NsKey::Initial => String::new(),
            other => format!("-n {} ", other.netns_word()),
        }
    }

    /// The namespace as `ip link set ... netns WORD` names it.
    pub fn netns_word(&self) -> String {
        match self {
            NsKey::Initial => "1".into(),
            NsKey::Name(n) => n.clone(),
            NsKey::Path { path, .. } => path.clone(),
            NsKey::Temp { inode } => format!("<anonymous netns {inode}>"),
        }
    }

    /// [`NsKey::to_json`] as compact text; the common keys without a tree.
    fn json_text(&self) -> std::borrow::Cow<'static, str> {
        match self {
            NsKey::Initial => "{\"initial\":true}".into(),
            other => other.to_json().to_string_compact().into(),
        }
    }

    fn to_json(&self) -> Json {
        let mut o = Json::obj();
        match self {
            NsKey::Initial => o.set("initial", true),
            NsKey::Name(n) => o.set("name", n.as_str()),
            NsKey::Path { path, inode } => o.set("path", path.as_str()).set("inode", *inode),
            NsKey::Temp { inode } => o.set("temp", *inode),
        };
        o
    }

    fn from_json(j: &Json) -> Result<NsKey, String> {
        if j.get("initial").is_some() {
            Ok(NsKey::Initial)
        } else if let Some(n) = j.get("name").and_then(Json::as_str) {
            Ok(NsKey::Name(n.to_string()))
        } else if let Some(p) = j.get("path").and_then(Json::as_str) {
            Ok(NsKey::Path { path: p.to_string(), inode: num(j, "inode")? })
        } else if j.get("temp").is_some() {
            Ok(NsKey::Temp { inode: num(j, "temp")? })
        } else {
            Err("bad namespace key".into())
        }
    }
}

/// A link this run created, by its stable keys.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkKey {
    /// The namespace it lives in.
    pub ns: NsKey,
    /// Its ifindex when recorded (names can be reused; the index tells them apart).
    pub index: u32,
    /// Interface name when recorded.
    pub name: String,
}

/// The state of a pre-existing link before this run changed it; only the
/// fields that changed are set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkOld {
    /// Its name before the change.
    pub name: Option<String>,
    /// Its MTU before the change.
    pub mtu: Option<u32>,
    /// Its link-layer address before the change.
    pub mac: Option<String>,
    /// Some(None): it had no master.
    pub master: Option<Option<String>>,
    /// Whether it was up before the change.
    pub up: Option<bool>,
    /// Its transmit queue length before the change.
    pub txqlen: Option<u32>,
    /// Its alias before the change.
    pub alias: Option<String>,
    /// Whether IFF_PROMISC was set before the change.
    pub promisc: Option<bool>,
    /// Whether IFF_ALLMULTI was set before the change.
    pub allmulticast: Option<bool>,
    /// Whether ARP was on before the change.
    pub arp: Option<bool>,
    /// Its group before the change.
    pub group: Option<u32>,
    /// The namespace it was in, when the change moved it.
    pub netns: Option<NsKey>,
    /// Its ifindex there, when the change moved it (asked for on the way back).
    pub index: Option<u32>,
    /// Its addresses, when the change moved it (a move drops them).
    pub addrs: Vec<String>,
}

/// One journal record.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A named namespace this run created.
    NetnsAdd {
        /// Its name.
        name: String,
    },
    /// A link this run created (and its veth peer).
    LinkAdd {
        /// The link.
        link: LinkKey,
        /// Its veth peer.
        peer: Option<LinkKey>,
        /// Its kind.
        kind: String,
    },
    /// A request that undoes a change, computed when the change was made with
    /// the family's own message builder. `text` is the command it amounts to;
    /// None for addresses, routes and neighbours, whose text is derived from
    /// the request when it is printed ([`Record::msg_text`]): naming the
    /// device when the change is made would cost a request per change.
    Msg {
        /// The namespace to send it in.
        ns: NsKey,
        /// Message type (RTM_*, NLMSG_*).
        ty: u16,
        /// Header flags (NLM_F_*).
        flags: u16,
        /// The message after the netlink header.
        payload: Vec<u8>,
        /// The command it amounts to, when stored.
        text: Option<String>,
    },
    /// A pre-existing link changed: where it is now, and what it was.
    LinkRestore {
        /// Where the link is now.
        now: LinkKey,
        /// What it was.
        old: Box<LinkOld>,
    },
    /// A pre-existing link deleted: the `link.add` options that recreate it,
    /// and its addresses.
    LinkRecreate {
        /// The namespace it was in.
        ns: NsKey,
        /// The `link.add` options that recreate it.
        opts: Json,
        /// Its addresses.
        addrs: Vec<String>,
        /// The command it amounts to.
        text: String,
    },
    /// A change that cannot be undone; said when undoing.
    Note {
        /// What was not undone, and why.
        text: String,
    },
    /// A process this run started (pid and start time: a reused pid differs).
    Process {
        /// Its process id.
        pid: u32,
        /// Its start time (clock ticks since boot).
        start: u64,
        /// Its command line.
        cmd: String,
    },
    /// The run registered nlua.defer cleanups (they cannot run on --down).
    Defer,
    /// Record `seq` has been undone.
    Undone {
        /// The record's sequence number.
        seq: u64,
    },
}

fn hex_into(b: &[u8], out: &mut String) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.reserve(b.len() * 2);
    for x in b {
        out.push(DIGITS[(x >> 4) as usize] as char);
        out.push(DIGITS[(x & 15) as usize] as char);
    }
}

/// `n` in decimal (without the formatting machinery: a hot path).
fn decimal(mut n: u64, out: &mut String) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[i..].iter().map(|d| *d as char));
}

fn hex(b: &[u8]) -> String {
    let mut s = String::new();
    hex_into(b, &mut s);
    s
}

fn unhex(s: &str) -> Result<Vec<u8>, String> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8).ok_or_else(|| format!("not hex: {s:?}"));
    if !s.len().is_multiple_of(2) {
        return Err("odd hex".into());
    }
    // By bytes: a corrupt payload may hold any text.
    s.as_bytes().chunks(2).map(|p| Ok(digit(p[0])? << 4 | digit(p[1])?)).collect()
}

/// The integer field `k` of `j`, which must fit a `T` (a corrupt record is
/// refused, never cut down to another number).
fn num<T: TryFrom<i64>>(j: &Json, k: &str) -> Result<T, String> {
    let v = j.get(k).ok_or_else(|| format!("no {k}"))?;
    v.as_i64().and_then(|i| T::try_from(i).ok()).ok_or_else(|| format!("bad {k}: {}", v.to_string_compact()))
}

fn link_key_json(k: &LinkKey) -> Json {
    let mut o = Json::obj();
    o.set("ns", k.ns.to_json()).set("index", k.index).set("name", k.name.as_str());
    o
}

fn link_key(j: &Json) -> Result<LinkKey, String> {
    Ok(LinkKey {
        ns: NsKey::from_json(j.get("ns").ok_or("no ns")?)?,
        index: num(j, "index")?,
        name: j.get("name").and_then(Json::as_str).ok_or("no name")?.to_string(),
    })
}

impl Record {
    /// The record as one JSON line (without the newline).
    pub fn to_json(&self, seq: u64) -> Json {
        let mut o = Json::obj();
        o.set("seq", seq);
        match self {
            Record::NetnsAdd { name } => {
                o.set("t", "netns_add").set("name", name.as_str());
            }
            Record::LinkAdd { link, peer, kind } => {
                o.set("t", "link_add").set("link", link_key_json(link)).set("kind", kind.as_str());
                if let Some(p) = peer {
                    o.set("peer", link_key_json(p));
                }
            }
            Record::Msg { ns, ty, flags, payload, text } => {
                o.set("t", "msg").set("ns", ns.to_json()).set("ty", *ty as u32).set("flags", *flags as u32);
                o.set("payload", hex(payload));
                if let Some(t) = text {
                    o.set("text", t.as_str());
                }
            }
            Record::LinkRestore { now, old } => {
                let mut d = Json::obj();
                if let Some(v) = &old.name {
                    d.set("name", v.as_str());
                }
                if let Some(v) = old.mtu {
                    d.set("mtu", v);
                }
                if let Some(v) = &old.mac {
                    d.set("mac", v.as_str());
                }
                if let Some(v) = &old.master {
                    d.set("master", v.as_deref().map(Json::from).unwrap_or(Json::Null));
                }
                if let Some(v) = old.up {
                    d.set("up", v);
                }
                if let Some(v) = old.txqlen {
                    d.set("txqlen", v);
                }
                if let Some(v) = &old.alias {
                    d.set("alias", v.as_str());
                }
                if let Some(v) = old.promisc {
                    d.set("promisc", v);
                }
                if let Some(v) = old.allmulticast {
                    d.set("allmulticast", v);
                }
                if let Some(v) = old.arp {
                    d.set("arp", v);
                }
                if let Some(v) = old.group {
                    d.set("group", v);
                }
                if let Some(v) = &old.netns {
                    d.set("netns", v.to_json());
                }
                if let Some(v) = old.index {
                    d.set("index", v);
                }
                if !old.addrs.is_empty() {
                    d.set("addrs", Json::Arr(old.addrs.iter().map(|a| Json::from(a.as_str())).collect()));
                }
                o.set("t", "link_restore").set("now", link_key_json(now)).set("old", d);
            }
            Record::LinkRecreate { ns, opts, addrs, text } => {
                o.set("t", "link_recreate").set("ns", ns.to_json()).set("opts", opts.clone());
                o.set("addrs", Json::Arr(addrs.iter().map(|a| Json::from(a.as_str())).collect())).set("text", text.as_str());
            }
            Record::Note { text } => {
                o.set("t", "note").set("text", text.as_str());
            }
            Record::Process { pid, start, cmd } => {
                o.set("t", "process").set("pid", *pid).set("start", *start).set("cmd", cmd.as_str());
            }
            Record::Defer => {
                o.set("t", "defer");
            }
            Record::Undone { seq } => {
                o.set("t", "undone").set("undone", *seq);
            }
        }
        o
    }

    /// Append the record's line (with its newline) to `out`: the same JSON
    /// as [`Record::to_json`], written directly for request records, which a
    /// list of 50,000 routes makes 50,000 of.
    pub fn write_line(&self, seq: u64, out: &mut String) {
        match self {
            Record::Msg { ns, ty, flags, payload, text: None } => {
                out.push_str("{\"seq\":");
                decimal(seq, out);
                out.push_str(",\"t\":\"msg\",\"ns\":");
                out.push_str(&ns.json_text());
                out.push_str(",\"ty\":");
                decimal(*ty as u64, out);
                out.push_str(",\"flags\":");
                decimal(*flags as u64, out);
                out.push_str(",\"payload\":\"");
                hex_into(payload, out);
                out.push_str("\"}\n");
            }
            _ => {
                out.push_str(&self.to_json(seq).to_string_compact());
                out.push('\n');
            }
        }
    }

    /// Parse one line: (seq, record).
    pub fn from_json(j: &Json) -> Result<(u64, Record), String> {
        let seq = num(j, "seq")?;
        let s = |k: &str| j.get(k).and_then(Json::as_str).map(str::to_string).ok_or(format!("no {k}"));
        let t = s("t")?;
        let rec = match t.as_str() {
            "netns_add" => Record::NetnsAdd { name: s("name")? },
            "link_add" => Record::LinkAdd {
                link: link_key(j.get("link").ok_or("no link")?)?,
                peer: j.get("peer").map(link_key).transpose()?,
                kind: s("kind")?,
            },
            "msg" => Record::Msg {
                ns: NsKey::from_json(j.get("ns").ok_or("no ns")?)?,
                ty: num(j, "ty")?,
                flags: num(j, "flags")?,
                payload: unhex(&s("payload")?)?,
                text: s("text").ok(),
            },
            "link_restore" => {
                let d = j.get("old").ok_or("no old")?;
                let ds = |k: &str| d.get(k).and_then(Json::as_str).map(str::to_string);
                let dn = |k: &str| d.get(k).map(|_| num::<u32>(d, k)).transpose();
                let db = |k: &str| match d.get(k) {
                    Some(Json::Bool(b)) => Some(*b),
                    _ => None,
                };
                Record::LinkRestore {
                    now: link_key(j.get("now").ok_or("no now")?)?,
                    old: Box::new(LinkOld {
                        name: ds("name"),
                        mtu: dn("mtu")?,
                        mac: ds("mac"),
                        master: d.get("master").map(|m| m.as_str().map(str::to_string)),
                        up: db("up"),
                        txqlen: dn("txqlen")?,
                        alias: ds("alias"),
                        promisc: db("promisc"),
                        allmulticast: db("allmulticast"),
                        arp: db("arp"),
                        group: dn("group")?,
                        netns: d.get("netns").map(NsKey::from_json).transpose()?,
                        index: dn("index")?,
                        addrs: d.get("addrs").and_then(Json::as_array).unwrap_or(&[]).iter().filter_map(|a| a.as_str().map(str::to_string)).collect(),
                    }),
                }
            }
            "link_recreate" => Record::LinkRecreate {
                ns: NsKey::from_json(j.get("ns").ok_or("no ns")?)?,
                opts: j.get("opts").cloned().ok_or("no opts")?,
                addrs: j.get("addrs").and_then(Json::as_array).unwrap_or(&[]).iter().filter_map(|a| a.as_str().map(str::to_string)).collect(),
                text: s("text")?,
            },
            "note" => Record::Note { text: s("text")? },
            "process" => Record::Process { pid: num(j, "pid")?, start: num(j, "start")?, cmd: s("cmd")? },
            "defer" => Record::Defer,
            "undone" => Record::Undone { seq: num(j, "undone")? },
            other => return Err(format!("unknown record type {other:?}")),
        };
        Ok((seq, rec))
    }

    /// The link a request record is about (see [`request_ifindex`]).
    pub fn msg_dev(&self) -> Option<u32> {
        let Record::Msg { ty, payload, .. } = self else { return None };
        request_ifindex(*ty, payload)
    }

    /// The command a request record amounts to: its text, or for an address,
    /// route or neighbour request one derived from the request, naming
    /// devices with `dev`.
    pub fn msg_text(&self, dev: &dyn Fn(u32) -> String) -> Option<String> {
        let Record::Msg { ns, ty, flags, payload, text } = self else { return None };
        if let Some(t) = text {
            return Some(t.clone());
        }
        Some(format!("ip {}{}", ns.ip_prefix(), super::trace::request_words(*ty, *flags, payload, dev)))
    }

    /// A word for `--status` summaries.
    pub fn kind_word(&self) -> &'static str {
        match self {
            Record::NetnsAdd { .. } => "namespaces",
            Record::LinkAdd { .. } => "links",
            Record::Msg { ty, .. } => match ty {
                20 | 21 => "addresses",
                24 | 25 => "routes",
                28 | 29 => "neighbours",
                32 | 33 => "rules",
                36 | 37 => "qdiscs",
                40 | 41 => "classes",
                44 | 45 => "filters",
                _ => "changes",
            },
            Record::LinkRestore { .. } | Record::LinkRecreate { .. } => "changed links",
            Record::Note { .. } => "notes",
            Record::Process { .. } => "processes",
            Record::Defer => "defers",
            Record::Undone { .. } => "undone",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ns: NsKey, index: u32, name: &str) -> LinkKey {
        LinkKey { ns, index, name: name.into() }
    }

    /// Every kind of record reads back as written, through the JSON tree and
    /// through the direct writer of request records alike.
    #[test]
    fn records_read_back_as_written() {
        let mut opts = Json::obj();
        opts.set("name", "br9").set("kind", "bridge").set("mtu", Json::Int(1400));
        let records = [
            Record::NetnsAdd { name: "red".into() },
            Record::LinkAdd { link: key(NsKey::Name("red".into()), 7, "v0"), peer: Some(key(NsKey::Temp { inode: 4026532000 }, 9, "v1")), kind: "veth".into() },
            Record::Msg { ns: NsKey::Initial, ty: 25, flags: 0, payload: vec![2, 32, 0, 0, 0xff, 0, 0x10], text: None },
            Record::Msg { ns: NsKey::Path { path: "/proc/1/ns/net".into(), inode: 7 }, ty: 37, flags: 0x500, payload: vec![0; 20], text: Some("tc qdisc del dev x root".into()) },
            Record::LinkRestore {
                now: key(NsKey::Initial, 3, "renamed"),
                old: Box::new(LinkOld { name: Some("pre0".into()), mtu: Some(1500), master: Some(None), up: Some(true), netns: Some(NsKey::Initial), index: Some(3), addrs: vec!["10.0.0.1/24".into()], ..Default::default() }),
            },
            Record::LinkRecreate { ns: NsKey::Initial, opts, addrs: vec!["10.8.0.1/24".into()], text: "ip link add br9 type bridge".into() },
            Record::Note { text: "a \"quoted\"\nnote".into() },
            Record::Process { pid: 4242, start: 123456789, cmd: "sleep 100".into() },
            Record::Defer,
            Record::Undone { seq: 3 },
        ];
        for (i, r) in records.iter().enumerate() {
            let seq = i as u64 + 1;
            let mut line = String::new();
            r.write_line(seq, &mut line);
            assert_eq!(line, format!("{}\n", r.to_json(seq).to_string_compact()), "the direct writer writes what to_json does");
            let j = Json::parse(line.trim_end()).unwrap();
            assert_eq!(Record::from_json(&j), Ok((seq, r.clone())), "{line}");
        }
    }

    /// A corrupt record is an error naming what is wrong, never a panic nor
    /// a number cut down to fit.
    #[test]
    fn corrupt_records_are_refused() {
        let bad = [
            (r#"{"seq":1,"t":"msg","ns":{"initial":true},"ty":21,"flags":0,"payload":"aéb"}"#, "not hex"),
            (r#"{"seq":1,"t":"msg","ns":{"initial":true},"ty":21,"flags":0,"payload":"0g"}"#, "not hex"),
            (r#"{"seq":1,"t":"msg","ns":{"initial":true},"ty":21,"flags":0,"payload":"abc"}"#, "odd hex"),
            (r#"{"seq":1,"t":"msg","ns":{"initial":true},"ty":65557,"flags":0,"payload":""}"#, "bad ty"),
            (r#"{"seq":-1,"t":"defer"}"#, "bad seq"),
            (r#"{"seq":1,"t":"process","pid":-5,"start":1,"cmd":"x"}"#, "bad pid"),
            (r#"{"seq":1,"t":"netns_add"}"#, "no name"),
            (r#"{"seq":1,"t":"link_add","link":{"ns":{"path":"/x"},"index":1,"name":"a"},"kind":"veth"}"#, "no inode"),
            (r#"{"seq":1,"t":"link_restore","now":{"ns":{"initial":true},"index":1,"name":"a"},"old":{"mtu":"big"}}"#, "bad mtu"),
            (r#"{"seq":1,"t":"frobnicate"}"#, "unknown record type"),
        ];
        for (line, why) in bad {
            let e = Record::from_json(&Json::parse(line).unwrap()).unwrap_err();
            assert!(e.contains(why), "{line}: {e}");
        }
    }

    /// The device of a request record, for forgetting what went with a link.
    #[test]
    fn a_request_names_its_device() {
        let msg = |ty: u16, payload: Vec<u8>| Record::Msg { ns: NsKey::Initial, ty, flags: 0, payload, text: None };
        let mut addr = vec![2, 24, 0, 0];
        addr.extend(7u32.to_ne_bytes());
        assert_eq!(msg(21, addr).msg_dev(), Some(7));
        // rtmsg, then RTA_DST and RTA_OIF
        let mut route = vec![2, 16, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0];
        route.extend([8, 0, 1, 0, 10, 1, 0, 0, 8, 0, 4, 0]);
        route.extend(9u32.to_ne_bytes());
        assert_eq!(msg(25, route.clone()).msg_dev(), Some(9));
        // with RTA_MULTIPATH it acts on several devices: none in particular
        route.extend([4, 0, 9, 0]);
        assert_eq!(msg(25, route).msg_dev(), None);
        assert_eq!(msg(21, vec![2, 24]).msg_dev(), None, "too short");
        assert_eq!(Record::Defer.msg_dev(), None);
    }
}
