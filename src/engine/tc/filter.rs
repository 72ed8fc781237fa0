//! Filters: the typed view of RTM_NEWTFILTER and the filter operations of a
//! [`Handle`] (list, add, replace, change, del), encoded as `tc filter` does.

use std::os::fd::OwnedFd;
use std::sync::Arc;

use super::kinds::{self, Ctx, DecodeCtx};
use super::qdisc::{check_kind, explain_kind, typo_of_missing, unknown_kind_options};
use super::{LinkNames, Obj, Stats, TcMsg, Verb, core, dev_word, kind_attr, tca};
use crate::engine::error::Result;
use crate::engine::handle::Handle;
use crate::engine::schema::tc::{self as S};
use crate::engine::schema::{Attrs, FieldError, Fields, Opt, Resolver, Value};
use crate::units::{self, TC_H_INGRESS, TC_H_MIN_EGRESS, TC_H_MIN_INGRESS, TC_H_ROOT};

/// Ethernet protocols as tc names them (lib/ll_proto.c), host order.
pub const PROTOCOLS: &[(u16, &str)] = &[
    (0x0003, "all"),
    (0x0800, "ip"),
    (0x86dd, "ipv6"),
    (0x0806, "arp"),
    (0x8035, "rarp"),
    (0x8100, "802.1Q"),
    (0x88a8, "802.1ad"),
    (0x8847, "mpls_uc"),
    (0x8848, "mpls_mc"),
    (0x6558, "teb"),
    (0x0004, "802_2"),
    (0x0001, "802_3"),
    (0x8863, "ppp_disc"),
    (0x8864, "ppp_ses"),
];

/// ETH_P_ALL.
pub const ETH_P_ALL: u16 = 0x0003;
/// `ETH_P_IP`: ethernet protocol (`<linux/if_ether.h>`).
pub const ETH_P_IP: u16 = 0x0800;
/// `ETH_P_IPV6`: ethernet protocol (`<linux/if_ether.h>`).
pub const ETH_P_IPV6: u16 = 0x86dd;

/// A protocol name or number ("ip", "all", "0x88cc").
pub fn parse_protocol(s: &str) -> std::result::Result<u16, String> {
    if let Some((p, _)) = PROTOCOLS.iter().find(|(_, n)| n.eq_ignore_ascii_case(s)) {
        return Ok(*p);
    }
    let n = match s.strip_prefix("0x") {
        Some(h) => u16::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    };
    n.ok_or_else(|| format!("a protocol like \"ip\", \"ipv6\", \"all\" or \"0x88cc\", got {s:?}"))
}

/// A protocol as tc prints it ("ip", or "\[0x88cc\]"-style hex tc uses for unknown ones).
pub fn protocol_name(p: u16) -> String {
    PROTOCOLS.iter().find(|(n, _)| *n == p).map(|(_, s)| s.to_string()).unwrap_or_else(|| format!("0x{p:x}"))
}

/// A filter handle for `kind`: u32 uses "800::800" (table:bucket:node),
/// others a number ("0x1" or "1").
pub fn parse_handle(kind: Option<&str>, s: &str) -> std::result::Result<u32, String> {
    if kind == Some("u32") && s.contains(':') {
        return super::u32::parse_handle(s);
    }
    let n = match s.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    };
    n.ok_or_else(|| format!("a filter handle like \"0x1\" (or \"800::800\" for u32), got {s:?}"))
}

/// A filter handle as tc prints it for `kind`.
pub fn format_handle(kind: &str, h: u32) -> String {
    if kind == "u32" { super::u32::format_handle(h) } else { format!("{h:#x}") }
}

/// A filter parent as tc prints it: "1:", "ingress", "egress", "root".
pub fn parent_name(p: u32) -> String {
    match p {
        p if p == TC_H_INGRESS & 0xffff_0000 | TC_H_MIN_INGRESS => "ingress".into(),
        p if p == TC_H_INGRESS & 0xffff_0000 | TC_H_MIN_EGRESS => "egress".into(),
        p => units::format_classid(p),
    }
}

/// A filter as the kernel reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// Interface index.
    pub ifindex: u32,
    /// Handle (major << 16 | minor).
    pub handle: u32,
    /// Parent handle (TC_H_ROOT, TC_H_INGRESS, or a class).
    pub parent: u32,
    /// tc's "pref".
    pub prio: u16,
    /// ETH_P_*, host order.
    pub protocol: u16,
    /// Filter kind (`u32`, `bpf`...).
    pub kind: String,
    /// Filter chain index.
    pub chain: Option<u32>,
    /// Counters (TCA_STATS2).
    pub stats: Stats,
    /// Every attribute as read, the ones without a typed field included.
    pub attrs: Attrs,
}

impl Filter {
    /// Parse an RTM_NEWTFILTER payload.
    pub fn parse(p: &[u8]) -> std::result::Result<Filter, &'static str> {
        Ok(Filter::from_msg(TcMsg::parse(Obj::Filter, p)?))
    }

    fn from_msg(m: TcMsg) -> Filter {
        let mut stats = m.stats();
        if !stats.present {
            stats = m.options_value().map(super::action::first_action_stats).unwrap_or_default();
        }
        Filter {
            ifindex: m.ifindex,
            handle: m.handle,
            parent: m.parent,
            prio: (m.info >> 16) as u16,
            protocol: u16::from_be((m.info & 0xffff) as u16),
            chain: m.attrs.uint(S::TCA_CHAIN).map(|c| c as u32),
            kind: m.kind,
            stats,
            attrs: m.attrs,
        }
    }

    /// TCA_OPTIONS as decoded by the kind's table.
    pub fn options_value(&self) -> Option<&Value> {
        self.attrs.value(S::TCA_OPTIONS)
    }

    /// The kind's options in the words `filter.add` takes.
    pub fn options(&self, names: &dyn LinkNames) -> Vec<(String, Opt)> {
        let ctx = DecodeCtx { psched: core::psched(), names, protocol: self.protocol };
        match self.options_value() {
            Some(v) => kinds::decode(Obj::Filter, &self.kind, v, &ctx),
            None => Vec::new(),
        }
    }

    /// "1:", "ingress", "egress", "root".
    pub fn parent_name(&self) -> String {
        parent_name(self.parent)
    }

    /// The handle in the kind's notation.
    pub fn handle_name(&self) -> String {
        format_handle(&self.kind, self.handle)
    }

    /// The whole `filter.add` table that recreates this filter on `dev`.
    pub fn to_opts(&self, dev: &str, names: &dyn LinkNames) -> Vec<(String, Opt)> {
        let mut m = vec![
            ("dev".to_string(), Opt::Str(dev.to_string())),
            ("parent".to_string(), Opt::Str(self.parent_name())),
            ("protocol".to_string(), Opt::Str(protocol_name(self.protocol))),
            ("prio".to_string(), Opt::Int(self.prio as i64)),
            ("kind".to_string(), Opt::Str(self.kind.clone())),
        ];
        if self.handle != 0 {
            m.push(("handle".to_string(), Opt::Str(self.handle_name())));
        }
        if let Some(c) = self.chain.filter(|c| *c != 0) {
            m.push(("chain".to_string(), Opt::Int(c as i64)));
        }
        m.extend(self.options(names));
        m
    }
}

/// A filter to add, replace, change or delete.
#[derive(Debug, Clone, Default)]
pub struct FilterSpec {
    /// Interface index.
    pub ifindex: u32,
    /// Parent handle (TC_H_ROOT, TC_H_INGRESS, or a class).
    pub parent: u32,
    /// Handle (major << 16 | minor).
    pub handle: u32,
    /// Priority.
    pub prio: u16,
    /// ETH_P_*, host order.
    pub protocol: u16,
    /// Filter kind (`u32`, `bpf`...).
    pub kind: Option<String>,
    /// Filter chain index.
    pub chain: Option<u32>,
    /// The kind's options (TCA_OPTIONS), decoded.
    pub options: Option<Value>,
    /// File descriptors the request refers to (a bpf program), kept open until sent.
    pub keep: Vec<Arc<OwnedFd>>,
}

/// Fields every `filter.add` takes besides the kind's options.
pub const FILTER_FIELDS: &[&str] = &["dev", "parent", "handle", "prio", "protocol", "chain", "kind"];

impl FilterSpec {
    /// Parse `filter.add`/`replace`/`change`/`del` options: `dev`, `parent`
    /// ("1:", "ingress", "egress", "root"), `protocol` (default "all" when
    /// adding, as tc), `prio` (tc's pref), `handle`, `chain`, `kind`, the
    /// kind's options (u32 `match`/`sel`, `flowid`/`classid`, `actions`...).
    pub fn from_opts(map: &[(String, Opt)], verb: Verb, res: &dyn Resolver) -> std::result::Result<FilterSpec, FieldError> {
        let mut f = Fields::new(map, "");
        let ifindex = super::dev_field(&mut f, res)?;
        let kind = f.str("kind")?;
        if let Some(k) = &kind {
            check_kind(&f, Obj::Filter, k)?;
        }
        let parent = f
            .parsed("parent", "a parent like \"1:\", \"ingress\" or \"egress\"", |s| super::parse_parent(s, Obj::Filter))?
            .unwrap_or(0);
        let default_proto = if matches!(verb, Verb::Add | Verb::Replace) { ETH_P_ALL } else { 0 };
        let protocol = f.parsed("protocol", "a protocol like \"ip\", \"ipv6\" or \"all\"", parse_protocol)?.unwrap_or(default_proto);
        let prio = f.int("prio", 0, 0xffff)?.unwrap_or(0) as u16;
        let handle = match f.take("handle") {
            None => 0,
            Some(Opt::Int(n)) if (0..=u32::MAX as i64).contains(n) => *n as u32,
            Some(v @ Opt::Str(s)) => parse_handle(kind.as_deref(), s).map_err(|e| f.expected("handle", &e, v))?,
            Some(v) => return Err(f.expected("handle", "a filter handle like \"0x1\" or \"800::800\"", v)),
        };
        let chain = f.u32("chain")?;
        if matches!(verb, Verb::Add | Verb::Replace) && kind.is_none() {
            return Err(f.missing("kind"));
        }
        let mut options = None;
        let mut keep = Vec::new();
        if let (Some(k), true) = (&kind, verb != Verb::Del) {
            let ctx = Ctx { res, psched: core::psched(), protocol, keep: Default::default() };
            options = kinds::encode(Obj::Filter, k, &mut f, &ctx).map_err(|e| typo_of_missing(e, &f))?;
            keep = ctx.keep.into_inner().into_iter().map(Arc::new).collect();
            if !kinds::known(Obj::Filter, k) {
                unknown_kind_options(&f, Obj::Filter, k, FILTER_FIELDS)?;
            }
        }
        f.finish(FILTER_FIELDS.iter().copied())?;
        Ok(FilterSpec { ifindex, parent, handle, prio, protocol, kind, chain, options, keep })
    }

    /// The spec that names an existing filter (to delete it).
    pub fn from_filter(x: &Filter) -> FilterSpec {
        FilterSpec {
            ifindex: x.ifindex,
            parent: x.parent,
            handle: x.handle,
            prio: x.prio,
            protocol: x.protocol,
            kind: Some(x.kind.clone()),
            chain: x.chain,
            options: None,
            keep: Vec::new(),
        }
    }

    /// The tc words of this request (`filter add dev v0 parent 1: protocol ip prio 1 u32`).
    pub fn words(&self, h: &Handle, verb: Verb) -> String {
        let mut o = format!("filter {} {}", verb.word(), dev_word(h, self.ifindex));
        match self.parent {
            0 => {}
            TC_H_ROOT => o.push_str(" root"),
            p => o.push_str(&format!(" parent {}", parent_name(p))),
        }
        if self.protocol != 0 {
            o.push_str(&format!(" protocol {}", protocol_name(self.protocol)));
        }
        if self.prio != 0 {
            o.push_str(&format!(" prio {}", self.prio));
        }
        if self.handle != 0 {
            o.push_str(&format!(" handle {}", format_handle(self.kind.as_deref().unwrap_or(""), self.handle)));
        }
        if let Some(k) = &self.kind {
            o.push(' ');
            o.push_str(k);
        }
        o
    }

    /// The request for `verb` on this object.
    pub fn message(&self, verb: Verb) -> crate::engine::message::MsgBuilder {
        let (new, del, _) = Obj::Filter.msg_types();
        let mut attrs = Vec::new();
        if let Some(c) = self.chain {
            attrs.push(tca(Obj::Filter, S::TCA_CHAIN, Value::U(c as u64)));
        }
        if let Some(k) = &self.kind {
            attrs.push(kind_attr(Obj::Filter, k));
        }
        if verb != Verb::Del
            && let Some(o) = &self.options {
                attrs.push(tca(Obj::Filter, S::TCA_OPTIONS, o.clone()));
            }
        let info = (self.prio as u32) << 16 | self.protocol.to_be() as u32;
        let ty = if verb == Verb::Del { del } else { new };
        super::request(ty, verb, self.ifindex, self.handle, self.parent, info, &attrs)
    }

    /// The request's payload (after the netlink header), for byte comparisons.
    pub fn payload(&self, verb: Verb) -> Vec<u8> {
        self.message(verb).payload().to_vec()
    }
}

impl Handle {
    /// The filters of device `ifindex` under `parent`; with no parent, those of
    /// every qdisc and class of the device (ingress and egress hooks included).
    pub fn filter_list(&self, ifindex: u32, parent: Option<u32>) -> Result<Vec<Filter>> {
        let parents = match parent {
            Some(p) => vec![p],
            None => {
                let mut v = Vec::new();
                for q in self.qdisc_list(&super::qdisc::QdiscFilter { ifindex: Some(ifindex), ..Default::default() })? {
                    match q.kind.as_str() {
                        "ingress" => v.push(TC_H_INGRESS & 0xffff_0000 | TC_H_MIN_INGRESS),
                        "clsact" => {
                            v.push(TC_H_INGRESS & 0xffff_0000 | TC_H_MIN_INGRESS);
                            v.push(TC_H_INGRESS & 0xffff_0000 | TC_H_MIN_EGRESS);
                        }
                        _ if q.handle != 0 => v.push(q.handle),
                        _ => {}
                    }
                }
                for c in self.class_list(ifindex, None)? {
                    v.push(c.classid);
                }
                v.dedup();
                v
            }
        };
        let mut out = Vec::new();
        for p in parents {
            for m in super::dump(self, Obj::Filter, ifindex, p, &[], "filter show")? {
                out.push(Filter::from_msg(m));
            }
        }
        Ok(out)
    }

    /// Add, replace, change or delete a filter.
    pub fn filter_apply(&self, s: &FilterSpec, verb: Verb) -> Result<()> {
        // The operation's words name the device, which takes another request:
        // build them only on failure, once the socket is free again.
        self.observed(crate::engine::change::Change::Filter(verb, s), || {
            self.request(s.message(verb), &String::new)
                .map_err(|e| explain_kind(e.with_op(s.words(self, verb)), Obj::Filter, s.kind.as_deref(), verb))
        })
    }
}
