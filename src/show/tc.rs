//! Qdiscs and classes as `tc qdisc show` / `tc class show` print them and as
//! `tc -j -s` reports them (iproute2 6.1 for qdiscs; classes follow the JSON
//! newer tc prints, 6.1 has none). Filters are in `tc_filter.rs`.

use std::fmt::Write;

use super::{Json, Names, dev_name};
use crate::engine::schema::tc::{self as S};
use crate::engine::schema::tc_netem as N;
use crate::engine::schema::{Attrs, Opt, Value};
use crate::engine::tc::core::{self, RateSpec};
use crate::engine::tc::htb::{self, HtbClass};
use crate::engine::tc::kinds::attr_bytes;
use crate::engine::tc::{Class, Qdisc, Stats, tbf};
use crate::units::{self, TC_H_ROOT, format_percent, format_rate, format_size, format_time, format_time64};

/// The two statistics lines tc prints with -s (print_tcstats2_attr).
pub fn stats_text(s: &Stats, prefix: &str) -> String {
    let mut o = format!(
        "{prefix}Sent {} bytes {} pkt (dropped {}, overlimits {} requeues {}) ",
        s.bytes, s.packets, s.drops, s.overlimits, s.requeues
    );
    // with an estimator, tc prints its rate and the backlog on one line
    if s.rate_est {
        let _ = write!(o, "\n{prefix}rate {} {}pps{prefix}", format_rate(s.rate_bps), s.rate_pps);
    } else {
        let _ = write!(o, "\n{prefix}");
    }
    let _ = write!(o, "backlog {} {}p requeues {}", format_size(s.backlog), s.qlen, s.requeues);
    o
}

/// The counters as `tc -s -j` puts them at the top of each object.
pub fn stats_json(o: &mut Json, s: &Stats) {
    o.set("bytes", s.bytes).set("packets", s.packets).set("drops", s.drops).set("overlimits", s.overlimits);
    o.set("requeues", s.requeues);
    if s.rate_est {
        o.set("rate", s.rate_bps).set("pps", s.rate_pps);
    }
    o.set("backlog", s.backlog).set("qlen", s.qlen);
}

fn fields(v: Option<&Value>) -> Vec<(&'static str, i64)> {
    match v {
        Some(Value::Struct(_, f, _) | Value::StructThen(_, f, _)) => f
            .iter()
            .filter_map(|(n, v)| match v {
                Value::U(x) => Some((*n, *x as i64)),
                Value::I(x) => Some((*n, *x)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn get(f: &[(&'static str, i64)], n: &str) -> i64 {
    f.iter().find(|(k, _)| *k == n).map(|(_, v)| *v).unwrap_or(0)
}

/// The options part of a qdisc line (each kind's print_qopt).
fn qdisc_options(q: &Qdisc, text: &mut String, json: &mut Json) {
    let Some(v) = q.options_value() else { return };
    let p = core::psched();
    match (q.kind.as_str(), v) {
        ("htb", Value::Nested(a)) => {
            if let Some(g) = attr_bytes(a, S::TCA_HTB_INIT).filter(|g| g.len() >= 20) {
                let w = |o: usize| u32::from_ne_bytes(g[o..o + 4].try_into().unwrap());
                let def = if w(8) == 0 { "0".to_string() } else { format!("{:#x}", w(8)) };
                let _ = write!(text, "r2q {} default {def} direct_packets_stat {}", w(4), w(16));
                json.set("r2q", w(4)).set("default", def).set("direct_packets_stat", w(16));
            }
            if let Some(d) = a.uint(S::TCA_HTB_DIRECT_QLEN) {
                let _ = write!(text, " direct_qlen {d}");
                json.set("direct_qlen", d);
            }
            if a.has(S::TCA_HTB_OFFLOAD) {
                text.push_str(" offload");
                json.set("offload", Json::Null);
            }
        }
        ("tbf", Value::Nested(a)) => {
            let Some((rate, burst, prate, minburst, lat, limit)) = tbf::tbf_summary(a, p) else { return };
            let _ = write!(text, "rate {} burst {} ", format_rate(rate), format_size(burst));
            json.set("rate", rate).set("burst", burst);
            if prate > 0 {
                let _ = write!(text, "peakrate {} minburst {} ", format_rate(prate), format_size(minburst));
                json.set("minburst", minburst);
            }
            if lat >= 0.0 {
                let _ = write!(text, "lat {} ", format_time(lat as u32));
                json.set("lat", lat as u64);
            } else {
                let _ = write!(text, "limit {} ", format_size(limit));
                json.set("limit", limit);
            }
            if let Some(q) = attr_bytes(a, S::TCA_TBF_PARMS) {
                let r = RateSpec::from_bytes(&q[0..12]);
                if r.overhead != 0 {
                    let _ = write!(text, "overhead {} ", r.overhead);
                    json.set("overhead", r.overhead as u32);
                }
                if r.linklayer & 0x0f > core::LINKLAYER_ETHERNET {
                    text.push_str("linklayer atm ");
                    json.set("linklayer", "atm");
                }
            }
        }
        ("pfifo" | "pfifo_head_drop" | "bfifo", v) => {
            let l = get(&fields(Some(v)), "limit") as u32;
            if q.kind == "bfifo" {
                let _ = write!(text, "limit {}", format_size(l));
            } else {
                let _ = write!(text, "limit {l}p");
            }
            json.set("limit", l);
        }
        ("ingress", _) => text.push_str("---------------- "),
        ("prio" | "pfifo_fast", v) => {
            let f = fields(Some(v));
            let map = match v {
                Value::Struct(_, f, _) | Value::StructThen(_, f, _) => f.iter().find_map(|(n, x)| match (n, x) {
                    (&"priomap", Value::Bytes(b)) => Some(b.clone()),
                    _ => None,
                }),
                _ => None,
            }
            .unwrap_or_default();
            let _ = write!(text, "bands {} priomap", get(&f, "bands"));
            for b in &map {
                let _ = write!(text, " {b}");
            }
            // TCA_PRIO_MQ: tc sends it as a flag and prints it as a u8, so a
            // flag without payload reads "off" (kernels no longer report it)
            let mq = match v {
                Value::StructThen(_, _, rest) => rest.nested(2).and_then(|n| n.value(1)).map(|x| matches!(x, Value::U(b) if *b != 0)),
                _ => None,
            };
            if let Some(on) = mq {
                let _ = write!(text, " multiqueue: {} ", if on { "on" } else { "off" });
            }
            json.set("bands", get(&f, "bands") as u32);
            json.set("priomap", Json::Arr(map.iter().map(|b| Json::UInt(*b as u64)).collect()));
            json.set("multiqueue", mq.unwrap_or(false));
        }
        ("netem", Value::StructThen(..)) => netem_options(v, text, json),
        ("fq_codel", Value::Nested(a)) => fq_codel_options(a, text, json),
        ("fq", Value::Nested(a)) => fq_options(a, text, json),
        ("sfq", v @ Value::Struct(..)) => sfq_options(&fields(Some(v)), text, json),
        _ => generic_options(q.options(&crate::engine::tc::NoNames), text, json),
    }
}

fn generic_options(opts: Vec<(String, Opt)>, text: &mut String, json: &mut Json) {
    for (k, v) in opts {
        let shown = match &v {
            Opt::Str(s) => s.clone(),
            Opt::Int(i) => i.to_string(),
            Opt::Bool(true) => String::new(),
            Opt::Bool(false) => continue,
            Opt::Bytes(b) => format!("[{} bytes]", b.len()),
            other => Json::from(other).to_string_compact(),
        };
        if shown.is_empty() {
            let _ = write!(text, "{k} ");
        } else {
            let _ = write!(text, "{k} {shown} ");
        }
        json.set(&k, Json::from(&v));
    }
}

/// fq_codel's options as tc/q_fq_codel.c prints them.
fn fq_codel_options(a: &Attrs, text: &mut String, json: &mut Json) {
    let u = |id| a.uint(id).map(|v| v as u32);
    if let Some(v) = u(2) {
        let _ = write!(text, "limit {v}p ");
        json.set("limit", v);
    }
    for (id, k) in [(5, "flows"), (6, "quantum")] {
        if let Some(v) = u(id) {
            let _ = write!(text, "{k} {v} ");
            json.set(k, v);
        }
    }
    for (id, k) in [(1, "target"), (7, "ce_threshold")] {
        if let Some(v) = u(id) {
            let _ = write!(text, "{k} {} ", format_time(v));
            json.set(k, v);
        }
    }
    let (sel, mask) = (u(10).unwrap_or(0), u(11).unwrap_or(0));
    if sel != 0 || mask != 0 {
        let _ = write!(text, "ce_threshold_selector {sel:#x}/{mask:#x} ");
        json.set("ce_threshold_selector", sel).set("ce_threshold_mask", mask);
    }
    if let Some(v) = u(3) {
        let _ = write!(text, "interval {} ", format_time(v));
        json.set("interval", v);
    }
    if let Some(v) = u(9) {
        let _ = write!(text, "memory_limit {} ", format_size(v));
        json.set("memory_limit", v);
    }
    if u(4).is_some_and(|e| e != 0) {
        text.push_str("ecn ");
        json.set("ecn", true);
    }
    if let Some(v) = u(8).filter(|v| *v != 0) {
        let _ = write!(text, "drop_batch {v} ");
        json.set("drop_batch", v);
    }
}

/// fq's options as tc/q_fq.c prints them.
fn fq_options(a: &Attrs, text: &mut String, json: &mut Json) {
    let u = |id| a.uint(id).map(|v| v as u32);
    for (id, k) in [(1, "limit"), (2, "flow_limit")] {
        if let Some(v) = u(id) {
            let _ = write!(text, "{k} {v}p ");
            json.set(k, v);
        }
    }
    if let Some(v) = u(S::TCA_FQ_BUCKETS_LOG) {
        let _ = write!(text, "buckets {} ", 1u64 << v.min(63));
        json.set("buckets", 1u64 << v.min(63));
    }
    if let Some(v) = u(10) {
        let _ = write!(text, "orphan_mask {v} ");
        json.set("orphan_mask", v);
    }
    if u(5) == Some(0) {
        text.push_str("nopacing ");
        json.set("pacing", false);
    }
    for (id, k) in [(3, "quantum"), (4, "initial_quantum")] {
        if let Some(v) = u(id) {
            let _ = write!(text, "{k} {} ", format_size(v));
            json.set(k, v);
        }
    }
    for (id, k, none) in [(7, "maxrate", u32::MAX), (6, "defrate", 0), (11, "low_rate_threshold", 0)] {
        if let Some(v) = u(id).filter(|v| *v != none) {
            let _ = write!(text, "{k} {} ", format_rate(v as u64));
            json.set(k, v);
        }
    }
    if let Some(v) = u(9) {
        let _ = write!(text, "refill_delay {} ", format_time(v));
        json.set("refill_delay", v);
    }
    if let Some(v) = u(12).filter(|v| *v != u32::MAX) {
        let _ = write!(text, "ce_threshold {} ", format_time(v));
        json.set("ce_threshold", v);
    }
    if let Some(v) = u(13) {
        let _ = write!(text, "timer_slack {} ", format_time64(v as u64));
        json.set("timer_slack", v);
    }
    if let Some(v) = u(14) {
        let _ = write!(text, "horizon {} ", format_time(v));
        json.set("horizon", v);
    }
    if let Some(d) = u(15) {
        let k = if d == 0 { "horizon_cap" } else { "horizon_drop" };
        let _ = write!(text, "{k} ");
        json.set(k, Json::Null);
    }
}

/// sfq's options as tc/q_sfq.c prints them (without -d's flows).
fn sfq_options(f: &[(&'static str, i64)], text: &mut String, json: &mut Json) {
    let limit = get(f, "limit") as u32;
    let _ = write!(text, "limit {limit}p quantum {} ", format_size(get(f, "quantum") as u32));
    json.set("limit", limit).set("quantum", get(f, "quantum") as u32);
    if get(f, "depth") != 0 {
        let _ = write!(text, "depth {} ", get(f, "depth"));
        json.set("depth", get(f, "depth") as u32);
    }
    if get(f, "headdrop") != 0 {
        text.push_str("headdrop ");
        json.set("headdrop", true);
    }
    let _ = write!(text, "divisor {} ", get(f, "divisor"));
    json.set("divisor", get(f, "divisor") as u32);
    if get(f, "perturb") != 0 {
        let _ = write!(text, "perturb {}sec ", get(f, "perturb"));
        json.set("perturb", Json::Int(get(f, "perturb")));
    }
    if get(f, "min") != 0 {
        let _ = write!(text, "ewma {} min {} max {} ", get(f, "wlog"), format_size(get(f, "min") as u32), format_size(get(f, "max") as u32));
        let p = get(f, "max_p") as u32 as f64 / 2f64.powi(32);
        let _ = write!(text, "probability {} ", units::fmt_g(p, 6));
        json.set("ewma", get(f, "wlog") as u32).set("min", get(f, "min") as u32).set("max", get(f, "max") as u32).set("probability", Json::Num(p));
    }
}

fn frac(v: i64) -> Json {
    Json::Num(v as u32 as f64 / u32::MAX as f64)
}

fn netem_options(v: &Value, text: &mut String, json: &mut Json) {
    let Value::StructThen(_, qf, a) = v else { return };
    let p = core::psched();
    let q: Vec<(&str, i64)> = qf.iter().filter_map(|(n, v)| if let Value::U(x) = v { Some((*n, *x as i64)) } else { None }).collect();
    let corr = fields(a.value(N::TCA_NETEM_CORR));
    let pct = |v: i64| format_percent(v as u32);
    let _ = write!(text, "limit {}", get(&q, "limit"));
    json.set("limit", get(&q, "limit") as u64);
    let (lat, jit) = (get(&q, "latency") as u32, get(&q, "jitter") as u32);
    if lat != 0 {
        let _ = write!(text, " delay {}", format_time(core::tick2time(p, lat)));
        if jit != 0 {
            let _ = write!(text, "  {}", format_time(core::tick2time(p, jit)));
        }
        let dc = get(&corr, "delay_corr");
        if jit != 0 && dc != 0 {
            let _ = write!(text, " {}", pct(dc));
        }
        let mut d = Json::obj();
        d.set("delay", Json::Num(core::tick2time(p, lat) as f64 / 1e6)).set("jitter", Json::Num(core::tick2time(p, jit) as f64 / 1e6));
        d.set("correlation", frac(dc));
        json.set("delay", d);
    }
    let two = |text: &mut String, json: &mut Json, key: &str, word: &str, val: i64, c: i64| {
        let _ = write!(text, " {word} {}", pct(val));
        if c != 0 {
            let _ = write!(text, " {}", pct(c));
        }
        let mut o = Json::obj();
        o.set(word, frac(val)).set("correlation", frac(c));
        json.set(key, o);
    };
    if get(&q, "loss") != 0 {
        two(text, json, "loss-random", "loss", get(&q, "loss"), get(&corr, "loss_corr"));
    }
    if let Some(l) = a.nested(N::TCA_NETEM_LOSS) {
        let g = fields(l.value(1));
        if !g.is_empty() {
            let _ = write!(text, " loss state p13 {} p31 {} p32 {} p23 {} p14 {}", pct(get(&g, "p13")), pct(get(&g, "p31")), pct(get(&g, "p32")), pct(get(&g, "p23")), pct(get(&g, "p14")));
            let mut o = Json::obj();
            for k in ["p13", "p31", "p32", "p23", "p14"] {
                o.set(k, frac(get(&g, k)));
            }
            json.set("loss-state", o);
        }
        let g = fields(l.value(2));
        if !g.is_empty() {
            let h1 = (u32::MAX - get(&g, "h") as u32) as i64;
            let _ = write!(text, " loss gemodel p {} r {} 1-h {} 1-k {}", pct(get(&g, "p")), pct(get(&g, "r")), pct(h1), pct(get(&g, "k1")));
            let mut o = Json::obj();
            o.set("p", frac(get(&g, "p"))).set("r", frac(get(&g, "r"))).set("1-h", frac(h1)).set("1-k", frac(get(&g, "k1")));
            json.set("loss-gemodel", o);
        }
    }
    if get(&q, "duplicate") != 0 {
        two(text, json, "duplicate", "duplicate", get(&q, "duplicate"), get(&corr, "dup_corr"));
    }
    let r = fields(a.value(N::TCA_NETEM_REORDER));
    if get(&r, "probability") != 0 {
        two(text, json, "reorder", "reorder", get(&r, "probability"), get(&r, "correlation"));
    }
    let c = fields(a.value(N::TCA_NETEM_CORRUPT));
    if get(&c, "probability") != 0 {
        two(text, json, "corrupt", "corrupt", get(&c, "probability"), get(&c, "correlation"));
    }
    let rt = fields(a.value(N::TCA_NETEM_RATE));
    if get(&rt, "rate") != 0 {
        let rate = a.uint(N::TCA_NETEM_RATE64).unwrap_or(get(&rt, "rate") as u64);
        let _ = write!(text, " rate {}", format_rate(rate));
        let mut o = Json::obj();
        o.set("rate", rate);
        for (k, w) in [("packet_overhead", "packetoverhead"), ("cell_size", "cellsize"), ("cell_overhead", "celloverhead")] {
            if get(&rt, k) != 0 {
                let _ = write!(text, " {w} {}", get(&rt, k));
            }
            o.set(w, Json::Int(get(&rt, k)));
        }
        json.set("rate", o);
    }
    let s = fields(a.value(N::TCA_NETEM_SLOT));
    if !s.is_empty() {
        let t = |k: &str| format_time64(get(&s, k) as u64);
        let mut o = Json::obj();
        if get(&s, "dist_jitter") > 0 {
            let _ = write!(text, " slot distribution {} {}", t("dist_delay"), t("dist_jitter"));
            o.set("distribution", Json::Num(get(&s, "dist_delay") as f64 / 1e9)).set("jitter", Json::Num(get(&s, "dist_jitter") as f64 / 1e9));
        } else {
            let _ = write!(text, " slot {} {}", t("min_delay"), t("max_delay"));
            o.set("min-delay", Json::Num(get(&s, "min_delay") as f64 / 1e9)).set("max-delay", Json::Num(get(&s, "max_delay") as f64 / 1e9));
        }
        for (k, w) in [("max_packets", "packets"), ("max_bytes", "bytes")] {
            if get(&s, k) != 0 {
                let _ = write!(text, " {w} {}", get(&s, k));
            }
            o.set(w, Json::Int(get(&s, k)));
        }
        json.set("slot", o);
    }
    let ecn = a.has(N::TCA_NETEM_ECN);
    if ecn {
        text.push_str(" ecn ");
    }
    json.set("ecn", ecn);
    let gap = get(&q, "gap");
    if gap != 0 {
        let _ = write!(text, " gap {gap}");
    }
    json.set("gap", gap as u64);
}

/// The `tc qdisc show` line (and with `stats`, the two lines of `tc -s`).
pub fn qdisc_text(q: &Qdisc, n: &dyn Names, stats: bool) -> String {
    let mut s = format!("qdisc {} {} dev {} ", q.kind, q.handle_name(), dev_name(n, q.ifindex));
    match q.parent {
        TC_H_ROOT => s.push_str("root "),
        0 => {}
        p => {
            let _ = write!(s, "parent {} ", units::format_classid(p));
        }
    }
    if q.refcnt != 1 {
        let _ = write!(s, "refcnt {} ", q.refcnt);
    }
    let mut j = Json::obj();
    qdisc_options(q, &mut s, &mut j);
    if stats && q.stats.present {
        s.push('\n');
        s.push_str(&stats_text(&q.stats, " "));
    }
    s
}

/// The object `tc -s -j qdisc show` prints for this qdisc.
pub fn qdisc_json(q: &Qdisc, n: &dyn Names) -> Json {
    let mut o = Json::obj();
    o.set("kind", q.kind.as_str()).set("handle", q.handle_name()).set("dev", dev_name(n, q.ifindex));
    match q.parent {
        TC_H_ROOT => {
            o.set("root", true);
        }
        0 => {}
        p => {
            o.set("parent", units::format_classid(p));
        }
    }
    if q.refcnt != 1 {
        o.set("refcnt", q.refcnt);
    }
    let mut opts = Json::obj();
    let mut scratch = String::new();
    qdisc_options(q, &mut scratch, &mut opts);
    o.set("options", opts);
    if q.stats.present {
        stats_json(&mut o, &q.stats);
    }
    o
}

fn class_options(c: &Class, text: &mut String, json: &mut Json) {
    let (Some(Value::Nested(a)), "htb") = (c.options_value(), c.kind.as_str()) else {
        generic_options(c.options(&crate::engine::tc::NoNames), text, json);
        return;
    };
    let p = core::psched();
    let Some(HtbClass { rate, ceil, buffer, cbuffer, prio, quantum, level, spec, .. }) = htb::class_summary(a, p) else { return };
    // tc prints the bytes of the times as it computes them, not the roundest size
    let (burst, cburst) = (core::xmitsize(p, rate, buffer), core::xmitsize(p, ceil, cbuffer));
    if level == 0 {
        let _ = write!(text, "prio {prio} ");
        json.set("prio", prio);
        json.set("quantum", quantum);
    }
    let _ = write!(text, "rate {} ", format_rate(rate));
    if spec.overhead != 0 {
        let _ = write!(text, "overhead {} ", spec.overhead);
    }
    let _ = write!(text, "ceil {} ", format_rate(ceil));
    if spec.linklayer & 0x0f > core::LINKLAYER_ETHERNET {
        text.push_str("linklayer atm ");
    }
    let _ = write!(text, "burst {} cburst {} ", format_size(burst), format_size(cburst));
    json.set("rate", rate).set("ceil", ceil).set("burst", burst).set("cburst", cburst).set("level", level);
}

/// The `tc class show` line (and with `stats`, tc -s's lines and htb's counters).
pub fn class_text(c: &Class, n: &dyn Names, stats: bool) -> String {
    let mut s = format!("class {} {} dev {} ", c.kind, units::format_classid(c.classid), dev_name(n, c.ifindex));
    if c.parent == TC_H_ROOT {
        s.push_str("root ");
    } else {
        let _ = write!(s, "parent {} ", units::format_classid(c.parent));
    }
    if c.leaf != 0 {
        let _ = write!(s, "leaf {:x}: ", c.leaf >> 16);
    }
    class_options(c, &mut s, &mut Json::obj());
    if stats && c.stats.present {
        s.push('\n');
        s.push_str(&stats_text(&c.stats, " "));
        let x = c.xstats();
        if !x.is_empty() {
            let g = |k: &str| x.iter().find(|(n, _)| *n == k).map(|(_, v)| *v).unwrap_or(0);
            let _ = write!(s, "\n lended: {} borrowed: {} giants: {}\n tokens: {} ctokens: {}", g("lends"), g("borrows"), g("giants"), g("tokens"), g("ctokens"));
        }
    }
    s
}

/// The object newer `tc -s -j class show` prints for this class.
pub fn class_json(c: &Class, n: &dyn Names) -> Json {
    let mut o = Json::obj();
    o.set("class", c.kind.as_str()).set("handle", units::format_classid(c.classid)).set("dev", dev_name(n, c.ifindex));
    if c.parent == TC_H_ROOT {
        o.set("root", true);
    } else {
        o.set("parent", units::format_classid(c.parent));
    }
    if c.leaf != 0 {
        o.set("leaf", format!("{:#x}", c.leaf >> 16));
    }
    class_options(c, &mut String::new(), &mut o);
    if c.stats.present {
        let mut st = Json::obj();
        stats_json(&mut st, &c.stats);
        for (k, v) in c.xstats() {
            st.set(k, Json::Int(v));
        }
        o.set("stats", st);
    }
    o
}
