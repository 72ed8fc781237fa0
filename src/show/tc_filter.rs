//! Filters and their actions as `tc filter show` prints them and as
//! `tc -j filter show` reports them (iproute2 6.1).

use std::fmt::Write;

use super::tc::stats_text;
use super::{Json, Names, dev_name};
use crate::engine::schema::tc_filter::{self as F};
use crate::engine::schema::{Attrs, Value};
use crate::engine::tc::action::control_name;
use crate::engine::tc::core::{self, RateSpec};
use crate::engine::tc::filter::{Filter, protocol_name};
use crate::engine::tc::kinds::struct_bytes;
use crate::engine::tc::{Stats, bpf, u32 as U};
use crate::units::{self, format_rate, format_size};

fn ne32(b: &[u8], o: usize) -> u32 {
    u32::from_ne_bytes(b[o..o + 4].try_into().unwrap())
}

fn control_json(v: u32) -> Json {
    let mut o = Json::obj();
    let name = control_name(v);
    if let Some(c) = name.strip_prefix("goto chain ") {
        o.set("type", "goto").set("chain", Json::Str(c.into()));
    } else {
        o.set("type", name);
    }
    o
}

/// One action as tc prints it: text lines and the JSON object.
fn action(order: usize, a: &Attrs, n: &dyn Names, text: &mut String) -> Json {
    let kind = a.str(F::TCA_ACT_KIND).unwrap_or_default();
    let mut j = Json::obj();
    j.set("order", order as u32).set("kind", kind);
    let _ = write!(text, "\n\taction order {order}: ");
    let opts = a.nested(F::TCA_ACT_OPTIONS);
    let parms = |id| opts.and_then(|o| o.value(id)).and_then(struct_bytes);
    let (mut index, mut refcnt, mut bind) = (0, 0i32, 0i32);
    match kind {
        "mirred" => {
            if let Some(b) = parms(F::TCA_MIRRED_PARMS).filter(|b| b.len() >= 28) {
                let e = ne32(&b, 20);
                let (dir, what) = match e {
                    1 => ("egress", "redirect"),
                    2 => ("egress", "mirror"),
                    3 => ("ingress", "redirect"),
                    _ => ("ingress", "mirror"),
                };
                let dev = dev_name(n, ne32(&b, 24));
                let cap = |s: &str| s[..1].to_uppercase() + &s[1..];
                let _ = write!(text, "mirred ({} {} to device {dev}) {}", cap(dir), cap(what), control_name(ne32(&b, 8)));
                j.set("mirred_action", what).set("direction", dir).set("to_dev", dev).set("control_action", control_json(ne32(&b, 8)));
                (index, refcnt, bind) = (ne32(&b, 0), ne32(&b, 12) as i32, ne32(&b, 16) as i32);
            }
        }
        "gact" => {
            if let Some(b) = parms(F::TCA_GACT_PARMS).filter(|b| b.len() >= 20) {
                let _ = write!(text, "gact action {}", control_name(ne32(&b, 8)));
                j.set("control_action", control_json(ne32(&b, 8)));
                // tc prints the random part even when there is none
                let pb = parms(F::TCA_GACT_PROB).filter(|p| p.len() >= 8).unwrap_or_else(|| vec![0; 8]);
                let ptype = match u16::from_ne_bytes([pb[0], pb[1]]) {
                    1 => "netrand",
                    2 => "determ",
                    _ => "none",
                };
                let (pval, paction) = (u16::from_ne_bytes([pb[2], pb[3]]), ne32(&pb, 4));
                let _ = write!(text, "\n\t random type {ptype} {} val {pval}", control_name(paction));
                let mut prob = Json::obj();
                prob.set("random_type", ptype).set("control_action", control_json(paction)).set("val", pval as u32);
                j.set("prob", prob);
                (index, refcnt, bind) = (ne32(&b, 0), ne32(&b, 12) as i32, ne32(&b, 16) as i32);
                let _ = write!(text, "\n\t index {index} ref {refcnt} bind {bind}");
            }
        }
        "police" => {
            if let Some(b) = parms(F::TCA_POLICE_TBF).filter(|b| b.len() >= 56) {
                let p = core::psched();
                let u64_of = |id| opts.and_then(|o| o.uint(id));
                let (rate, peak) = (RateSpec::from_bytes(&b[20..32]), RateSpec::from_bytes(&b[32..44]));
                let rate64 = u64_of(F::TCA_POLICE_RATE64).unwrap_or(rate.rate as u64);
                let prate64 = u64_of(F::TCA_POLICE_PEAKRATE64).unwrap_or(peak.rate as u64);
                let burst = core::xmitsize(p, rate64, ne32(&b, 12));
                let _ = write!(text, " police {:#x} rate {} burst {} mtu {} ", ne32(&b, 0), format_rate(rate64), format_size(burst), format_size(ne32(&b, 16)));
                if prate64 != 0 {
                    let _ = write!(text, "peakrate {} ", format_rate(prate64));
                }
                if let Some(a) = u64_of(F::TCA_POLICE_AVRATE) {
                    let _ = write!(text, "avrate {} ", format_rate(a));
                }
                let _ = write!(text, "action {}", control_name(ne32(&b, 4)));
                j.set("index", ne32(&b, 0)).set("control_action", control_json(ne32(&b, 4)));
                match u64_of(F::TCA_POLICE_RESULT) {
                    Some(r) => {
                        let _ = write!(text, "/{} ", control_name(r as u32));
                        j.set("conform_action", control_json(r as u32));
                    }
                    None => text.push(' '),
                }
                let _ = write!(text, "overhead {} ", format_size(rate.overhead as u32));
                j.set("overhead", rate.overhead as u32);
                if rate.linklayer & 0x0f > core::LINKLAYER_ETHERNET {
                    text.push_str("linklayer atm ");
                    j.set("linklayer", "atm");
                }
                (index, refcnt, bind) = (ne32(&b, 0), ne32(&b, 44) as i32, ne32(&b, 48) as i32);
                let _ = write!(text, "\n\tref {refcnt} bind {bind}");
            }
        }
        other => {
            let _ = write!(text, "{other}");
        }
    }
    // mirred and unknown kinds end with the index line here; gact and police print their own
    if !matches!(kind, "gact" | "police") {
        let _ = write!(text, "\n\tindex {index} ref {refcnt} bind {bind}");
    }
    if kind != "police" {
        j.set("index", index);
    }
    j.set("ref", refcnt).set("bind", bind);
    if let Some(st) = a.nested(F::TCA_ACT_STATS) {
        let mut s = Stats::default();
        s.from_stats2(st);
        let _ = write!(text, "\n\tAction statistics:\n{}", stats_text(&s, "\t"));
        let mut js = Json::obj();
        super::tc::stats_json(&mut js, &s);
        j.set("stats", js);
    }
    j
}

fn actions(v: Option<&Value>, n: &dyn Names, text: &mut String, json: &mut Json) {
    let Some(Value::List(items)) = v else { return };
    let mut arr = Vec::new();
    for (i, it) in items.iter().enumerate() {
        if let Value::Nested(a) = it {
            arr.push(action(i + 1, a, n, text));
        }
    }
    json.set("actions", Json::Arr(arr));
}

/// `TCA_CLS_FLAGS_*` as tc prints them: inline for u32 and bpf ("skip_hw "),
/// each on a line of its own for matchall and flower ("\n  skip_hw").
pub(super) fn cls_flags(flags: u64, own_lines: bool, text: &mut String, json: &mut Json) {
    let skip = [(1, "skip_hw"), (2, "skip_sw")].into_iter().filter(|(bit, _)| flags & bit != 0).map(|(_, name)| name);
    let hw = if flags & 4 != 0 { Some("in_hw") } else if flags & 8 != 0 { Some("not_in_hw") } else { None };
    for name in skip.chain(hw) {
        let _ = if own_lines { write!(text, "\n  {name}") } else { write!(text, "{name} ") };
        json.set(name, true);
    }
}

fn u32_options(x: &Filter, a: &Attrs, n: &dyn Names, text: &mut String, j: &mut Json) {
    let h = x.handle;
    if h != 0 {
        let _ = write!(text, "fh {} ", U::format_handle(h));
        j.set("fh", U::format_handle(h));
    }
    if h & 0xfff != 0 {
        let _ = write!(text, "order {} ", h & 0xfff);
        j.set("order", h & 0xfff);
    }
    let sel = match a.value(F::TCA_U32_SEL) {
        Some(Value::Bytes(b)) if b.len() >= 16 => Some(b.clone()),
        _ => None,
    };
    let terminal = sel.as_ref().is_some_and(|s| s[0] & 1 != 0);
    if let Some(d) = a.uint(F::TCA_U32_DIVISOR) {
        let _ = write!(text, "ht divisor {d} ");
        j.set("ht_divisor", d);
    } else if let Some(ht) = a.uint(F::TCA_U32_HASH) {
        let ht = ht as u32;
        let _ = write!(text, "key ht {:x} bkt {:x} ", ht >> 20, (ht >> 12) & 0xff);
        j.set("key_ht", format!("{:x}", ht >> 20)).set("bkt", format!("{:x}", (ht >> 12) & 0xff));
    }
    if let Some(c) = a.uint(F::TCA_U32_CLASSID) {
        let c = units::format_classid(c as u32);
        let _ = write!(text, "{}flowid {c} ", if terminal { "*" } else { "" });
        j.set("flowid", c);
    } else if terminal {
        text.push_str("terminal flowid ");
    }
    if let Some(l) = a.uint(F::TCA_U32_LINK) {
        let _ = write!(text, "link {} ", U::format_handle(l as u32));
        j.set("link", U::format_handle(l as u32));
    }
    if let Some(fl) = a.uint(F::TCA_U32_FLAGS) {
        cls_flags(fl, false, text, j);
    }
    if let Some(s) = &sel {
        for k in U::sel_keys(s) {
            let nh = if k.offmask != 0 { "nexthdr+" } else { "" };
            let _ = write!(text, "\n  match {:08x}/{:08x} at {nh}{}", k.val, k.mask, k.off);
            let mut m = Json::obj();
            m.set("value", format!("{:x}", k.val)).set("mask", format!("{:x}", k.mask));
            m.set("offmask", if k.offmask != 0 { "nexthdr+" } else { "" }).set("off", Json::Int(k.off as i64));
            j.set("match", m);
        }
    }
    if let Some(i) = a.str(F::TCA_U32_INDEV) {
        let _ = write!(text, "\n  input dev {i}\n");
        j.set("input_dev", i);
    }
    actions(a.value(F::TCA_U32_ACT), n, text, j);
}

fn bpf_options(x: &Filter, a: &Attrs, n: &dyn Names, text: &mut String, j: &mut Json) {
    if x.handle != 0 {
        let _ = write!(text, "handle {:#x} ", x.handle);
        j.set("handle", format!("{:#x}", x.handle));
    }
    if let Some(c) = a.uint(F::TCA_BPF_CLASSID) {
        let c = units::format_classid(c as u32);
        let _ = write!(text, "flowid {c} ");
        j.set("flowid", c);
    }
    if let Some(name) = a.str(F::TCA_BPF_NAME) {
        let _ = write!(text, "{name} ");
        j.set("bpf_name", name);
    }
    if a.uint(F::TCA_BPF_FLAGS).is_some_and(|f| f & 1 != 0) {
        text.push_str("direct-action ");
        j.set("direct-action", true);
    }
    if let Some(fl) = a.uint(F::TCA_BPF_FLAGS_GEN) {
        cls_flags(fl, false, text, j);
    }
    if let Some(id) = a.uint(F::TCA_BPF_ID) {
        // like tc, ask the kernel about the program for its name and JIT state
        let _ = write!(text, "id {id} ");
        let mut p = Json::obj();
        p.set("id", id);
        match bpf::prog_info(id as u32) {
            Some(i) => {
                let _ = write!(text, "name {} tag {} {}", i.name, i.tag, if i.jited { "jited " } else { "" });
                p.set("name", i.name).set("tag", i.tag).set("jited", i.jited as u32);
            }
            None => {
                if let Some(t) = bpf::tag(a) {
                    let _ = write!(text, "tag {t} ");
                    p.set("tag", t);
                }
            }
        }
        j.set("prog", p);
    }
    actions(a.value(F::TCA_BPF_ACT), n, text, j);
}

fn generic_options(x: &Filter, text: &mut String, j: &mut Json) {
    if x.handle != 0 {
        let _ = write!(text, "handle {:#x} ", x.handle);
        j.set("handle", format!("{:#x}", x.handle));
    }
    let names = crate::engine::tc::NoNames;
    for (k, v) in x.options(&names) {
        if k == "actions" {
            continue;
        }
        let shown = match &v {
            crate::engine::Opt::Str(s) => s.clone(),
            crate::engine::Opt::Int(i) => i.to_string(),
            crate::engine::Opt::Bool(true) => String::new(),
            other => Json::from(other).to_string_compact(),
        };
        let _ = write!(text, "{k} {shown} ");
        j.set(&k, Json::from(&v));
    }
}

fn options(x: &Filter, n: &dyn Names, text: &mut String, j: &mut Json) {
    match (x.kind.as_str(), x.options_value()) {
        ("u32", Some(Value::Nested(a))) => u32_options(x, a, n, text, j),
        ("bpf", Some(Value::Nested(a))) => bpf_options(x, a, n, text, j),
        ("matchall", Some(Value::Nested(a))) => {
            super::tc_flower::matchall(x.handle, a, text, j);
            actions(a.value(F::TCA_MATCHALL_ACT), n, text, j);
        }
        ("flower", Some(Value::Nested(a))) => {
            super::tc_flower::flower(x.handle, a, text, j);
            actions(a.value(crate::engine::tc::flower::ACT), n, text, j);
        }
        (_, Some(_)) => generic_options(x, text, j),
        (_, None) => {}
    }
}

/// The `tc filter show` lines for this filter.
pub fn filter_text(x: &Filter, n: &dyn Names, stats: bool) -> String {
    let parent = match x.parent_name() {
        p if p == "root" || p == "ingress" || p == "egress" => p,
        p => format!("parent {p}"),
    };
    let mut s = format!("filter dev {} {parent} ", dev_name(n, x.ifindex));
    if x.protocol != 0 {
        let _ = write!(s, "protocol {} ", protocol_name(x.protocol));
    }
    if x.prio != 0 {
        let _ = write!(s, "pref {} ", x.prio);
    }
    let _ = write!(s, "{} ", x.kind);
    if let Some(c) = x.chain {
        let _ = write!(s, "chain {c} ");
    }
    options(x, n, &mut s, &mut Json::obj());
    if stats && x.stats.present && x.attrs.has(crate::engine::schema::tc::TCA_STATS2) {
        s.push('\n');
        s.push_str(&stats_text(&x.stats, " "));
    }
    s
}

/// The object `tc -j filter show dev DEV` prints for this filter (plus `dev`).
pub fn filter_json(x: &Filter, n: &dyn Names) -> Json {
    let mut o = Json::obj();
    o.set("dev", dev_name(n, x.ifindex));
    match x.parent_name().as_str() {
        "root" => {
            o.set("root", true);
        }
        "ingress" => {
            o.set("ingress", true);
        }
        "egress" => {
            o.set("egress", true);
        }
        p => {
            o.set("parent", p);
        }
    }
    if x.protocol != 0 {
        o.set("protocol", protocol_name(x.protocol));
    }
    if x.prio != 0 {
        o.set("pref", x.prio as u32);
    }
    o.set("kind", x.kind.as_str());
    if let Some(c) = x.chain {
        o.set("chain", c);
    }
    if x.options_value().is_some() {
        let mut opts = Json::obj();
        options(x, n, &mut String::new(), &mut opts);
        o.set("options", opts);
    }
    o
}
