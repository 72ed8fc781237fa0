//! Traffic control: qdiscs, classes and filters. The three share one message
//! shape (struct tcmsg + TCA_* attributes), parsed here into [`TcMsg`]; each
//! has its typed view, spec and [`Handle`] operations in its own file. A
//! kind's options go through a [`kinds::Codec`]: the tables of
//! `schema::tc` for most kinds, a few functions for the kinds whose tc words
//! are computed (netem, tbf, htb, u32, flower, bpf...).

pub mod action;
pub mod bpf;
pub mod class;
pub mod core;
pub mod filter;
pub mod flower;
pub mod htb;
pub mod kinds;
pub mod netem;
pub mod qdisc;
pub mod tbf;
pub mod u32;

use nix::libc;

use super::error::{Error, Result};
use super::handle::Handle;
use super::message::MsgBuilder;
use super::schema::tc::{self as S, TCMSG};
use super::schema::{self, Attr, AttrSet, Attrs, FieldError, Opt, Value};
use crate::units;

pub use class::{Class, ClassSpec};
pub use filter::{Filter, FilterSpec};
pub use qdisc::{Qdisc, QdiscSpec};

/// `RTM_NEWQDISC`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_NEWQDISC: u16 = 36;
/// `RTM_DELQDISC`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_DELQDISC: u16 = 37;
/// `RTM_GETQDISC`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_GETQDISC: u16 = 38;
/// `RTM_NEWTCLASS`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_NEWTCLASS: u16 = 40;
/// `RTM_DELTCLASS`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_DELTCLASS: u16 = 41;
/// `RTM_GETTCLASS`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_GETTCLASS: u16 = 42;
/// `RTM_NEWTFILTER`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_NEWTFILTER: u16 = 44;
/// `RTM_DELTFILTER`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_DELTFILTER: u16 = 45;
/// `RTM_GETTFILTER`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_GETTFILTER: u16 = 46;

/// Which tc object a message or option set is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Obj {
    /// A qdisc.
    Qdisc,
    /// A class.
    Class,
    /// A filter.
    Filter,
}

impl Obj {
    /// The TCA_* table of this object.
    pub fn set(self) -> &'static AttrSet {
        match self {
            Obj::Qdisc => &S::QDISC,
            Obj::Class => &S::CLASS,
            Obj::Filter => &S::FILTER,
        }
    }
    /// tc's word for it ("qdisc").
    pub fn word(self) -> &'static str {
        match self {
            Obj::Qdisc => "qdisc",
            Obj::Class => "class",
            Obj::Filter => "filter",
        }
    }
    /// (new, del, get) message types.
    pub fn msg_types(self) -> (u16, u16, u16) {
        match self {
            Obj::Qdisc => (RTM_NEWQDISC, RTM_DELQDISC, RTM_GETQDISC),
            Obj::Class => (RTM_NEWTCLASS, RTM_DELTCLASS, RTM_GETTCLASS),
            Obj::Filter => (RTM_NEWTFILTER, RTM_DELTFILTER, RTM_GETTFILTER),
        }
    }
}

/// What a change request does, as tc's verbs do it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// NLM_F_CREATE | NLM_F_EXCL.
    Add,
    /// NLM_F_CREATE | NLM_F_REPLACE.
    Replace,
    /// No flags: change an existing object.
    Change,
    /// RTM_DEL*.
    Del,
}

impl Verb {
    /// tc's word ("add").
    pub fn word(self) -> &'static str {
        match self {
            Verb::Add => "add",
            Verb::Replace => "replace",
            Verb::Change => "change",
            Verb::Del => "del",
        }
    }
    fn flags(self) -> u16 {
        use super::message::{NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE};
        match self {
            Verb::Add => NLM_F_CREATE | NLM_F_EXCL,
            Verb::Replace => NLM_F_CREATE | NLM_F_REPLACE,
            Verb::Change | Verb::Del => 0,
        }
    }
}

/// The tcmsg header and TCA_* attributes every tc object message has.
#[derive(Debug, Clone, PartialEq)]
pub struct TcMsg {
    /// Interface index.
    pub ifindex: u32,
    /// Handle (major << 16 | minor).
    pub handle: u32,
    /// Parent handle (TC_H_ROOT, TC_H_INGRESS, or a class).
    pub parent: u32,
    /// tcm_info: a qdisc's refcnt, a class's leaf qdisc, a filter's prio/protocol.
    pub info: u32,
    /// The object's kind (TCA_KIND).
    pub kind: String,
    /// Every TCA_* attribute, TCA_OPTIONS decoded by the kind's table.
    pub attrs: Attrs,
}

impl TcMsg {
    /// Parse the payload of an RTM_NEW{QDISC,TCLASS,TFILTER}.
    pub fn parse(obj: Obj, p: &[u8]) -> std::result::Result<TcMsg, &'static str> {
        if p.len() < TCMSG.size {
            return Err("short tcmsg");
        }
        let attrs = schema::decode(obj.set(), &p[TCMSG.size..]);
        Ok(TcMsg {
            ifindex: super::ne_u32(p, 4),
            handle: super::ne_u32(p, 8),
            parent: super::ne_u32(p, 12),
            info: super::ne_u32(p, 16),
            kind: attrs.str(S::TCA_KIND).unwrap_or_default().to_string(),
            attrs,
        })
    }

    /// TCA_OPTIONS as decoded.
    pub fn options_value(&self) -> Option<&Value> {
        self.attrs.value(S::TCA_OPTIONS)
    }

    /// The counters.
    pub fn stats(&self) -> Stats {
        Stats::from_attrs(&self.attrs)
    }
}

/// Counters of a qdisc, class, filter or action.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytes sent.
    pub bytes: u64,
    /// Packets sent.
    pub packets: u64,
    /// Packets dropped.
    pub drops: u32,
    /// Times the qdisc was over its limit.
    pub overlimits: u32,
    /// Packets requeued.
    pub requeues: u32,
    /// Bytes queued.
    pub backlog: u32,
    /// Packets queued.
    pub qlen: u32,
    /// The rate estimator's bytes/s and packets/s (0 without an estimator).
    pub rate_bps: u64,
    /// Rate estimator: packets per second.
    pub rate_pps: u64,
    /// True when the object has a rate estimator (the kernel sent its rate).
    pub rate_est: bool,
    /// True when the kernel sent any counters.
    pub present: bool,
}

fn struct_u64(v: Option<&Value>, name: &str) -> Option<u64> {
    match v? {
        Value::Struct(_, f, _) => f.iter().find(|(n, _)| *n == name).and_then(|(_, v)| match v {
            Value::U(x) => Some(*x),
            Value::I(x) => Some(*x as u64),
            _ => None,
        }),
        _ => None,
    }
}

impl Stats {
    /// Read TCA_STATS2 (or the old TCA_STATS) out of a message's attributes.
    pub fn from_attrs(attrs: &Attrs) -> Stats {
        let mut s = Stats::default();
        if let Some(st) = attrs.nested(S::TCA_STATS2) {
            s.from_stats2(st);
        } else if let Some(v @ Value::Struct(..)) = attrs.value(S::TCA_STATS) {
            let g = |n| struct_u64(Some(v), n).unwrap_or(0);
            s = Stats {
                bytes: g("bytes"),
                packets: g("packets"),
                drops: g("drops") as u32,
                overlimits: g("overlimits") as u32,
                backlog: g("backlog") as u32,
                qlen: g("qlen") as u32,
                rate_bps: g("bps"),
                rate_pps: g("pps"),
                requeues: 0,
                rate_est: false,
                present: true,
            };
        }
        s
    }

    /// Read a TCA_STATS2 nest (also what actions carry in TCA_ACT_STATS).
    pub fn from_stats2(&mut self, st: &Attrs) {
        self.present = true;
        let basic = st.value(S::TCA_STATS_BASIC);
        self.bytes = struct_u64(basic, "bytes").unwrap_or(0);
        self.packets = st.uint(S::TCA_STATS_PKT64).or(struct_u64(basic, "packets")).unwrap_or(0);
        let q = st.value(S::TCA_STATS_QUEUE);
        let g = |n| struct_u64(q, n).unwrap_or(0) as u32;
        (self.qlen, self.backlog, self.drops, self.requeues, self.overlimits) =
            (g("qlen"), g("backlog"), g("drops"), g("requeues"), g("overlimits"));
        let est = st.value(S::TCA_STATS_RATE_EST64).or(st.value(S::TCA_STATS_RATE_EST));
        self.rate_est = est.is_some();
        self.rate_bps = struct_u64(est, "bps").unwrap_or(0);
        self.rate_pps = struct_u64(est, "pps").unwrap_or(0);
    }

    /// Name/value pairs for Lua tables and JSON.
    pub fn fields(&self) -> Vec<(&'static str, u64)> {
        vec![
            ("bytes", self.bytes),
            ("packets", self.packets),
            ("drops", self.drops as u64),
            ("overlimits", self.overlimits as u64),
            ("requeues", self.requeues as u64),
            ("backlog", self.backlog as u64),
            ("qlen", self.qlen as u64),
            ("rate_bps", self.rate_bps),
            ("rate_pps", self.rate_pps),
        ]
    }
}

/// Looks up interface names for options that name a device (mirred's `dev`).
pub trait LinkNames {
    /// The name of link `index`, if known.
    fn link_name(&self, index: u32) -> Option<String>;
}

impl LinkNames for Handle {
    fn link_name(&self, index: u32) -> Option<String> {
        self.link_get(index).ok().map(|l| l.name)
    }
}

/// No names: devices come out as numbers.
pub struct NoNames;
impl LinkNames for NoNames {
    fn link_name(&self, _: u32) -> Option<String> {
        None
    }
}

/// A tc parent as users write it: "root", "ingress", "clsact", "egress"
/// (filters on clsact), or a class id.
pub fn parse_parent(s: &str, obj: Obj) -> std::result::Result<u32, String> {
    match (s, obj) {
        ("ingress", Obj::Filter) => Ok(units::TC_H_INGRESS & 0xffff_0000 | units::TC_H_MIN_INGRESS),
        ("egress", Obj::Filter) => Ok(units::TC_H_INGRESS & 0xffff_0000 | units::TC_H_MIN_EGRESS),
        _ => units::parse_classid(s),
    }
}

/// Build the request for one object: tcmsg, then `attrs` in order.
pub(crate) fn request(ty: u16, verb: Verb, ifindex: u32, handle: u32, parent: u32, info: u32, attrs: &[Attr]) -> MsgBuilder {
    let mut m = MsgBuilder::new(ty, verb.flags());
    let mut hdr = [0u8; 20];
    hdr[4..8].copy_from_slice(&ifindex.to_ne_bytes());
    hdr[8..12].copy_from_slice(&handle.to_ne_bytes());
    hdr[12..16].copy_from_slice(&parent.to_ne_bytes());
    hdr[16..20].copy_from_slice(&info.to_ne_bytes());
    m.push(&hdr);
    let mut buf = Vec::new();
    for a in attrs {
        schema::encode_attr(a, &mut buf);
    }
    m.raw_attrs(&buf);
    m
}

/// An attribute of the TCA_* set of `obj`.
pub(crate) fn tca(obj: Obj, id: u16, value: Value) -> Attr {
    Attr { id, flags: 0, def: obj.set().by_id(id), value }
}

/// TCA_KIND.
pub(crate) fn kind_attr(obj: Obj, kind: &str) -> Attr {
    tca(obj, S::TCA_KIND, Value::Str(kind.to_string()))
}

/// Dump every object of `obj` that the kernel reports for `ifindex` (0: all
/// devices) under `parent` (filters), parsed.
pub(crate) fn dump(h: &Handle, obj: Obj, ifindex: u32, parent: u32, extra: &[Attr], op: &str) -> Result<Vec<TcMsg>> {
    let (new, _, get) = obj.msg_types();
    let m = request(get, Verb::Change, ifindex, 0, parent, 0, extra);
    h.dump(m, &|| op.to_string(), |msg| {
        if msg.ty != new {
            return Ok(None);
        }
        TcMsg::parse(obj, msg.payload).map(Some).map_err(|e| Error::kernel(libc::EPROTO, Some(e.into()), op))
    })
}

/// The name of device `ifindex` for operation texts ("dev v0"), or its index.
pub(crate) fn dev_word(h: &Handle, ifindex: u32) -> String {
    match h.link_get(ifindex) {
        Ok(l) => format!("dev {}", l.name),
        Err(_) => format!("dev index {ifindex}"),
    }
}

/// Read a `dev` field: a name, an index or a Link (which arrives as its index).
pub(crate) fn dev_field(f: &mut schema::Fields<'_>, res: &dyn schema::Resolver) -> std::result::Result<u32, FieldError> {
    f.ifindex("dev", res)?.ok_or_else(|| f.missing("dev"))
}

/// A rate estimator (struct tc_estimator, TCA_RATE) as tc's
/// `estimator INTERVAL TIME_CONST` sets it up (tc_setup_estimator): the
/// kernel then reports a rate and packet rate in the stats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimator {
    /// log2 of the interval in quarter seconds, -2 (250ms) to 3 (8s).
    pub interval: i8,
    /// The estimator's averaging time constant (log2).
    pub ewma_log: u8,
}

impl Estimator {
    /// From an interval and a time constant in microseconds.
    pub fn new(interval_us: u32, time_const_us: u32) -> std::result::Result<Estimator, String> {
        let quarter = units::TIME_UNITS_PER_SEC / 4.0;
        let i = (0..=5).find(|i| interval_us as f64 <= (1u32 << i) as f64 * quarter).ok_or("an interval up to 8s")?;
        let e = (1..32).find(|e| interval_us as f64 / -(1.0 - 1.0 / (1u64 << e) as f64).ln() > time_const_us as f64).unwrap_or(32) - 1;
        if e == 0 || e >= 31 {
            return Err("a time constant longer than the interval and at most 2^30 intervals".into());
        }
        Ok(Estimator { interval: i as i8 - 2, ewma_log: e as u8 })
    }

    /// Read `estimator = {interval=, time_const=}`.
    pub fn field(f: &mut schema::Fields<'_>) -> std::result::Result<Option<Estimator>, FieldError> {
        let Some(v) = f.take("estimator") else { return Ok(None) };
        let Opt::Map(m) = v else { return Err(f.expected("estimator", "table like {interval=\"250ms\", time_const=\"1s\"}", v)) };
        let mut g = schema::Fields::new(m, &format!("{}.", f.path("estimator")));
        let a = kinds::unit(&mut g, "interval", units::parse_time)?.ok_or_else(|| g.missing("interval"))?;
        let t = kinds::unit(&mut g, "time_const", units::parse_time)?.ok_or_else(|| g.missing("time_const"))?;
        g.finish([])?;
        Estimator::new(a, t).map(Some).map_err(|e| field_err(&f.path("estimator"), format!("expected {e}")))
    }

    /// The two wire bytes.
    pub fn attr(self, obj: Obj) -> Attr {
        tca(obj, S::TCA_RATE, kinds::struct_value(&S::TC_ESTIMATOR, &[self.interval as u8, self.ewma_log]))
    }

    /// From a message's TCA_RATE (requests carry it; the kernel does not report it).
    /// Values no kernel takes (and [`Estimator::new`] never makes) read as none.
    pub fn from_attrs(attrs: &Attrs) -> Option<Estimator> {
        let b = kinds::attr_bytes(attrs, S::TCA_RATE)?;
        let e = Estimator { interval: *b.first()? as i8, ewma_log: *b.get(1)? };
        ((-2..=3).contains(&e.interval) && (1..=30).contains(&e.ewma_log)).then_some(e)
    }

    /// `{interval=, time_const=}` that sets this estimator up again.
    pub fn to_opt(self) -> Opt {
        let a = (units::TIME_UNITS_PER_SEC / 4.0) as u32 * (1u32 << (self.interval + 2).clamp(0, 5));
        // time constants from A/-ln(w) of this ewma_log up to that of the next
        // give the same ewma_log: take the roundest
        let bound = |e: u8| a as f64 / -(1.0 - 1.0 / (1u64 << e) as f64).ln();
        let (lo, hi) = (bound(self.ewma_log).floor() as u64 + 1, bound(self.ewma_log + 1));
        let t = [1_000_000u64, 100_000, 10_000, 1000, 1]
            .iter()
            .map(|u| lo.div_ceil(*u) * u)
            .find(|t| (*t as f64) < hi)
            .unwrap_or(lo) as u32;
        Opt::Map(vec![("interval".into(), Opt::Str(units::exact_time(a))), ("time_const".into(), Opt::Str(units::exact_time(t)))])
    }
}

/// `field 'x': msg` for errors raised outside the schema tables.
pub(crate) fn field_err(path: &str, msg: impl std::fmt::Display) -> FieldError {
    FieldError(format!("field '{path}': {msg}"))
}

/// The option map as a flat list of pairs.
pub(crate) fn map_of(o: Opt) -> Vec<(String, Opt)> {
    match o {
        Opt::Map(m) => m,
        _ => Vec::new(),
    }
}
