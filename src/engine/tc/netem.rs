//! netem's options (tc/q_netem.c): struct tc_netem_qopt followed by
//! attributes, times in scheduler ticks, probabilities scaled to 32 bits, and
//! the delay distribution tables tc ships.
//!
//! The tables in `dist/` are iproute2's generated `normal.dist`,
//! `pareto.dist` and `paretonormal.dist` (iproute2 6.1.0, netem/*.c), the
//! files tc itself reads; other names are looked up where tc looks
//! (`$TC_LIB_DIR`, `/usr/lib/tc`, `/usr/lib/<arch>/tc`), or taken as a path.

use super::core::{self, Psched};
use super::kinds::{Ctx, DecodeCtx, attr, rate32, struct_value, u32v, unit};
use super::field_err;
use crate::engine::schema::tc_netem::{self as S};
use crate::engine::schema::{Attrs, FieldError, Fields, Opt, Value};
use crate::units;

const NORMAL: &str = include_str!("dist/normal.dist");
const PARETO: &str = include_str!("dist/pareto.dist");
const PARETONORMAL: &str = include_str!("dist/paretonormal.dist");

/// Most entries a table may have (tc's MAX_DIST).
const MAX_DIST: usize = 16 * 1024;

/// Parse a .dist file: `#` comments, then whitespace-separated integers
/// (strtol base 0, as tc's get_distribution reads them).
pub fn parse_dist(text: &str) -> Result<Vec<i16>, String> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        for w in line.split_whitespace() {
            let (neg, digits) = match w.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, w.strip_prefix('+').unwrap_or(w)),
            };
            let v = if let Some(h) = digits.strip_prefix("0x").or(digits.strip_prefix("0X")) {
                i64::from_str_radix(h, 16)
            } else {
                digits.parse::<i64>()
            }
            .map_err(|_| format!("bad number {w:?}"))?;
            out.push((if neg { -v } else { v }) as i16);
            if out.len() > MAX_DIST {
                return Err(format!("more than {MAX_DIST} entries"));
            }
        }
    }
    if out.is_empty() {
        return Err("no entries".into());
    }
    Ok(out)
}

/// The table for a distribution: "normal", "pareto", "paretonormal" (built
/// in), "uniform" (no table: the kernel's default), another name tc would
/// find in its library directory, or a path to a .dist file.
pub fn distribution(name: &str) -> Result<Option<Vec<i16>>, String> {
    let text = match name {
        "uniform" => return Ok(None),
        "normal" => NORMAL.to_string(),
        "pareto" => PARETO.to_string(),
        "paretonormal" => PARETONORMAL.to_string(),
        _ => {
            let mut paths = Vec::new();
            if name.contains('/') {
                paths.push(std::path::PathBuf::from(name));
            } else {
                if let Ok(d) = std::env::var("TC_LIB_DIR") {
                    paths.push(std::path::Path::new(&d).join(format!("{name}.dist")));
                }
                for d in ["/usr/lib/tc", "/usr/lib/x86_64-linux-gnu/tc", "/usr/lib/aarch64-linux-gnu/tc", "/usr/lib64/tc"] {
                    paths.push(std::path::Path::new(d).join(format!("{name}.dist")));
                }
            }
            match paths.iter().find_map(|p| std::fs::read_to_string(p).ok()) {
                Some(t) => t,
                None => {
                    return Err(format!(
                        "\"normal\", \"pareto\", \"paretonormal\", \"uniform\" or a .dist file, got {name:?} (not found)"
                    ));
                }
            }
        }
    };
    parse_dist(&text).map(Some).map_err(|e| format!("a distribution table, but {name:?} has {e}"))
}

/// The name of a built-in table with these bytes (what a request carried).
fn dist_name(b: &[u8]) -> Option<&'static str> {
    ["normal", "pareto", "paretonormal"].into_iter().find(|n| distribution(n).ok().flatten().is_some_and(|t| dist_bytes(&t) == b))
}

fn dist_bytes(t: &[i16]) -> Vec<u8> {
    t.iter().flat_map(|v| v.to_ne_bytes()).collect()
}

/// A time option in scheduler ticks (tc's get_ticks).
fn ticks(f: &mut Fields<'_>, key: &'static str, p: Psched) -> Result<Option<u32>, FieldError> {
    let Some(us) = unit(f, key, units::parse_time)? else { return Ok(None) };
    if core::time2big(p, us) {
        let max = (u32::MAX as f64 / p.tick_in_usec) as u32;
        return Err(field_err(&f.path(key), format!("{} is more than netem's {}", units::exact_time(us), units::format_time(max))));
    }
    Ok(Some(core::time2tick(p, us)))
}

fn pct(f: &mut Fields<'_>, key: &'static str) -> Result<Option<u32>, FieldError> {
    unit(f, key, units::parse_percent_u32)
}

fn sub_fields<'a>(f: &mut Fields<'a>, key: &'static str) -> Result<Option<&'a [(String, Opt)]>, FieldError> {
    match f.take(key) {
        None => Ok(None),
        Some(Opt::Map(m)) => Ok(Some(m)),
        Some(v) => Err(f.expected(key, "table", v)),
    }
}

fn words(vals: &[u32]) -> Vec<u8> {
    vals.iter().flat_map(|v| v.to_ne_bytes()).collect()
}

/// Encode netem options as tc does (see the module docs for the words).
pub fn encode(f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    let p = ctx.psched;
    // packets, read as tc reads it (get_size: "1k" is 1024)
    let limit = unit(f, "limit", units::parse_size)?.unwrap_or(1000);
    let latency = ticks(f, "delay", p)?.unwrap_or(0);
    let jitter = ticks(f, "jitter", p)?.unwrap_or(0);
    let delay_corr = pct(f, "delay_corr")?;
    let dist = match f.take("distribution") {
        None => None,
        Some(Opt::Str(n)) => distribution(n).map_err(|e| field_err(&f.path("distribution"), format!("expected {e}")))?,
        Some(v) => return Err(f.expected("distribution", "distribution name like \"normal\"", v)),
    };
    let loss = pct(f, "loss")?.unwrap_or(0);
    let loss_corr = pct(f, "loss_corr")?;
    let duplicate = pct(f, "duplicate")?.unwrap_or(0);
    let dup_corr = pct(f, "duplicate_corr")?;
    let corrupt = pct(f, "corrupt")?;
    let corrupt_corr = pct(f, "corrupt_corr")?;
    let reorder = pct(f, "reorder")?;
    let reorder_corr = pct(f, "reorder_corr")?;
    let mut gap = f.u32("gap")?.unwrap_or(0);
    let ecn = f.bool("ecn")?.unwrap_or(false);
    let rate64 = unit(f, "rate", units::parse_rate)?;
    let packet_overhead = f.int("packet_overhead", i32::MIN as i64, i32::MAX as i64)?;
    let cell_size = f.u32("cell_size")?;
    let cell_overhead = f.int("cell_overhead", i32::MIN as i64, i32::MAX as i64)?;
    let loss_state = loss_state(f)?;
    let loss_ge = loss_gemodel(f)?;
    let slot = slot(f)?;

    if loss_state.is_some() && loss_ge.is_some() || (loss > 0 && (loss_state.is_some() || loss_ge.is_some())) {
        return Err(field_err(&f.path("loss"), "give one loss model: 'loss', 'loss_state' or 'loss_gemodel'"));
    }
    if reorder.is_some_and(|r| r > 0) {
        if latency == 0 {
            return Err(field_err(&f.path("reorder"), "reordering needs a 'delay'"));
        }
        if gap == 0 {
            gap = 1;
        }
    } else if gap > 0 {
        return Err(field_err(&f.path("gap"), "needs 'reorder'"));
    }
    if ecn && loss == 0 && loss_state.is_none() && loss_ge.is_none() {
        return Err(field_err(&f.path("ecn"), "needs a loss model ('loss', 'loss_state' or 'loss_gemodel')"));
    }
    if dist.is_some() && (latency == 0 || jitter == 0) {
        return Err(field_err(&f.path("distribution"), "needs 'delay' and 'jitter'"));
    }
    if rate64.is_none() && (packet_overhead.is_some() || cell_size.is_some() || cell_overhead.is_some()) {
        return Err(field_err(&f.path("rate"), "is required with 'packet_overhead', 'cell_size' or 'cell_overhead'"));
    }

    let qopt = words(&[latency, limit, loss, gap, duplicate, jitter]);
    let mut attrs = Vec::new();
    // tc sends the correlations when any is given (its duplicate correlation
    // alone is dropped by a tc bug; nlua sends it).
    if delay_corr.is_some() || loss_corr.is_some() || dup_corr.is_some() || reorder_corr.is_some() || corrupt_corr.is_some() {
        let c = words(&[delay_corr.unwrap_or(0), loss_corr.unwrap_or(0), dup_corr.unwrap_or(0)]);
        attrs.push(attr(&S::NETEM, S::TCA_NETEM_CORR, struct_value(&S::NETEM_CORR, &c)));
    }
    if let Some(r) = reorder {
        let b = words(&[r, reorder_corr.unwrap_or(0)]);
        attrs.push(attr(&S::NETEM, S::TCA_NETEM_REORDER, struct_value(&S::NETEM_PROB, &b)));
    }
    if ecn {
        attrs.push(attr(&S::NETEM, S::TCA_NETEM_ECN, u32v(1)));
    }
    if let Some(c) = corrupt {
        let b = words(&[c, corrupt_corr.unwrap_or(0)]);
        attrs.push(attr(&S::NETEM, S::TCA_NETEM_CORRUPT, struct_value(&S::NETEM_PROB, &b)));
    }
    let mut slot_dist = None;
    if let Some((b, d)) = slot {
        attrs.push(attr(&S::NETEM, S::TCA_NETEM_SLOT, struct_value(&S::NETEM_SLOT, &b)));
        slot_dist = d;
    }
    if let Some(g) = loss_state {
        let inner = Attrs(vec![attr(&S::NETEM_LOSS, 1, struct_value(&S::NETEM_GIMODEL, &words(&g)))]);
        attrs.push(attr(&S::NETEM, S::TCA_NETEM_LOSS, Value::Nested(inner)));
    }
    if let Some(g) = loss_ge {
        let inner = Attrs(vec![attr(&S::NETEM_LOSS, 2, struct_value(&S::NETEM_GEMODEL, &words(&g)))]);
        attrs.push(attr(&S::NETEM, S::TCA_NETEM_LOSS, Value::Nested(inner)));
    }
    if let Some(r64) = rate64 {
        if r64 >= 1 << 32 {
            attrs.push(attr(&S::NETEM, S::TCA_NETEM_RATE64, Value::U(r64)));
        }
        let mut b = rate32(r64).to_ne_bytes().to_vec();
        b.extend_from_slice(&(packet_overhead.unwrap_or(0) as i32).to_ne_bytes());
        b.extend_from_slice(&cell_size.unwrap_or(0).to_ne_bytes());
        b.extend_from_slice(&(cell_overhead.unwrap_or(0) as i32).to_ne_bytes());
        attrs.push(attr(&S::NETEM, S::TCA_NETEM_RATE, struct_value(&S::NETEM_RATE, &b)));
    }
    if let Some(d) = dist {
        attrs.push(attr(&S::NETEM, S::TCA_NETEM_DELAY_DIST, Value::Bytes(dist_bytes(&d))));
    }
    if let Some(d) = slot_dist {
        attrs.push(attr(&S::NETEM, S::TCA_NETEM_SLOT_DIST, Value::Bytes(dist_bytes(&d))));
    }
    let Value::Struct(sd, fields, _) = struct_value(&S::NETEM_QOPT, &qopt) else { unreachable!() };
    Ok(Some(Value::StructThen(sd, fields, Attrs(attrs))))
}

/// `loss_state = {p13=, p31=, p32=, p23=, p14=}`: the 4-state model, with
/// tc's defaults for what is left out. Returns the struct's word order.
fn loss_state(f: &mut Fields<'_>) -> Result<Option<[u32; 5]>, FieldError> {
    let Some(m) = sub_fields(f, "loss_state")? else { return Ok(None) };
    let mut g = Fields::new(m, &format!("{}.", f.path("loss_state")));
    let p13 = unit(&mut g, "p13", units::parse_percent)?.ok_or_else(|| g.missing("p13"))?;
    let p31 = pct(&mut g, "p31")?.unwrap_or(units::fraction_to_u32(1. - p13));
    let p32 = pct(&mut g, "p32")?.unwrap_or(0);
    let p23 = pct(&mut g, "p23")?.unwrap_or(u32::MAX);
    let p14 = pct(&mut g, "p14")?.unwrap_or(0);
    g.finish([])?;
    Ok(Some([units::fraction_to_u32(p13), p31, p32, p14, p23]))
}

/// `loss_gemodel = {p=, r=, ["1-h"]=, ["1-k"]=}`: Gilbert-Elliot, tc's words.
fn loss_gemodel(f: &mut Fields<'_>) -> Result<Option<[u32; 4]>, FieldError> {
    let Some(m) = sub_fields(f, "loss_gemodel")? else { return Ok(None) };
    let mut g = Fields::new(m, &format!("{}.", f.path("loss_gemodel")));
    let p = unit(&mut g, "p", units::parse_percent)?.ok_or_else(|| g.missing("p"))?;
    let r = pct(&mut g, "r")?.unwrap_or(units::fraction_to_u32(1. - p));
    // tc takes 1-h and sends h.
    let h = u32::MAX - pct(&mut g, "1-h")?.unwrap_or(u32::MAX);
    let k1 = pct(&mut g, "1-k")?.unwrap_or(0);
    g.finish([])?;
    Ok(Some([units::fraction_to_u32(p), r, h, k1]))
}

type SlotWire = (Vec<u8>, Option<Vec<i16>>);

/// `slot = {min_delay=, max_delay=, packets=, bytes=}` or
/// `slot = {distribution=, delay=, jitter=, packets=, bytes=}`.
fn slot(f: &mut Fields<'_>) -> Result<Option<SlotWire>, FieldError> {
    let Some(m) = sub_fields(f, "slot")? else { return Ok(None) };
    let mut g = Fields::new(m, &format!("{}.", f.path("slot")));
    let (mut min, mut max, mut dd, mut dj) = (0u64, 0u64, 0u64, 0u64);
    let mut table = None;
    match g.take("distribution") {
        Some(Opt::Str(name)) => {
            table = distribution(name).map_err(|e| field_err(&g.path("distribution"), format!("expected {e}")))?;
            if table.is_none() {
                return Err(field_err(&g.path("distribution"), "a slot distribution needs a table (not \"uniform\")"));
            }
            dd = unit(&mut g, "delay", units::parse_time64)?.ok_or_else(|| g.missing("delay"))?;
            dj = unit(&mut g, "jitter", units::parse_time64)?.filter(|j| *j > 0).ok_or_else(|| g.missing("jitter"))?;
        }
        Some(v) => return Err(g.expected("distribution", "distribution name like \"normal\"", v)),
        None => {
            min = unit(&mut g, "min_delay", units::parse_time64)?.ok_or_else(|| g.missing("min_delay"))?;
            max = unit(&mut g, "max_delay", units::parse_time64)?.unwrap_or(min);
            if max < min {
                return Err(field_err(&g.path("max_delay"), "is less than 'min_delay'"));
            }
        }
    }
    let packets = g.int("packets", 0, i32::MAX as i64)?.unwrap_or(0) as i32;
    let bytes = unit(&mut g, "bytes", units::parse_size)?.unwrap_or(0) as i32;
    g.finish([])?;
    let mut b = Vec::with_capacity(40);
    b.extend_from_slice(&(min as i64).to_ne_bytes());
    b.extend_from_slice(&(max as i64).to_ne_bytes());
    b.extend_from_slice(&packets.to_ne_bytes());
    b.extend_from_slice(&bytes.to_ne_bytes());
    b.extend_from_slice(&(dd as i64).to_ne_bytes());
    b.extend_from_slice(&(dj as i64).to_ne_bytes());
    Ok(Some((b, table)))
}

fn field(fields: &[(&'static str, Value)], name: &str) -> i64 {
    fields
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| match v {
            Value::U(x) => *x as i64,
            Value::I(x) => *x,
            _ => 0,
        })
        .unwrap_or(0)
}

fn struct_fields(v: Option<&Value>) -> Option<&[(&'static str, Value)]> {
    match v? {
        Value::Struct(_, f, _) => Some(f),
        _ => None,
    }
}

fn pct_opt(v: i64) -> Opt {
    Opt::Str(units::exact_percent(v as u32))
}

/// Decode netem options into the words [`encode`] takes. The kernel does not
/// report the distribution table, so `distribution` cannot come back.
pub fn decode(v: &Value, ctx: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
    let Value::StructThen(_, q, attrs) = v else { return super::kinds::table_decode(v) };
    let p = ctx.psched;
    let mut out: Vec<(String, Opt)> = Vec::new();
    let mut put = |k: &str, o: Opt| out.push((k.to_string(), o));
    put("limit", Opt::Int(field(q, "limit")));
    let us = |ticks: i64| core::ticks_to_time(p, ticks as u32);
    let delay = match attrs.int(S::TCA_NETEM_LATENCY64) {
        Some(ns) => (ns / 1000) as u32,
        None => us(field(q, "latency")),
    };
    let jitter = match attrs.int(S::TCA_NETEM_JITTER64) {
        Some(ns) => (ns / 1000) as u32,
        None => us(field(q, "jitter")),
    };
    if delay > 0 {
        put("delay", Opt::Str(units::exact_time(delay)));
    }
    if jitter > 0 {
        put("jitter", Opt::Str(units::exact_time(jitter)));
    }
    // The kernel does not report tables; a request (or a capture of one) does.
    if let Some(n) = attrs.value(S::TCA_NETEM_DELAY_DIST).and_then(|v| if let Value::Bytes(b) = v { dist_name(b) } else { None }) {
        put("distribution", Opt::Str(n.into()));
    }
    let corr = struct_fields(attrs.value(S::TCA_NETEM_CORR));
    let corr_of = |n: &str| corr.map(|c| field(c, n)).unwrap_or(0);
    if corr_of("delay_corr") != 0 {
        put("delay_corr", pct_opt(corr_of("delay_corr")));
    }
    if field(q, "loss") != 0 {
        put("loss", pct_opt(field(q, "loss")));
    }
    if corr_of("loss_corr") != 0 {
        put("loss_corr", pct_opt(corr_of("loss_corr")));
    }
    if field(q, "duplicate") != 0 {
        put("duplicate", pct_opt(field(q, "duplicate")));
    }
    if corr_of("dup_corr") != 0 {
        put("duplicate_corr", pct_opt(corr_of("dup_corr")));
    }
    if let Some(r) = struct_fields(attrs.value(S::TCA_NETEM_REORDER)).filter(|r| field(r, "probability") != 0) {
        put("reorder", pct_opt(field(r, "probability")));
        if field(r, "correlation") != 0 {
            put("reorder_corr", pct_opt(field(r, "correlation")));
        }
        put("gap", Opt::Int(field(q, "gap")));
    }
    if let Some(c) = struct_fields(attrs.value(S::TCA_NETEM_CORRUPT)).filter(|c| field(c, "probability") != 0) {
        put("corrupt", pct_opt(field(c, "probability")));
        if field(c, "correlation") != 0 {
            put("corrupt_corr", pct_opt(field(c, "correlation")));
        }
    }
    if let Some(r) = struct_fields(attrs.value(S::TCA_NETEM_RATE)).filter(|r| field(r, "rate") != 0) {
        let rate = attrs.uint(S::TCA_NETEM_RATE64).unwrap_or(field(r, "rate") as u64);
        put("rate", Opt::Str(units::exact_rate(rate)));
        for (k, n) in [("packet_overhead", "packet_overhead"), ("cell_size", "cell_size"), ("cell_overhead", "cell_overhead")] {
            if field(r, n) != 0 {
                put(k, Opt::Int(field(r, n)));
            }
        }
    }
    if attrs.uint(S::TCA_NETEM_ECN).is_some_and(|e| e != 0) {
        put("ecn", Opt::Bool(true));
    }
    if let Some(l) = attrs.nested(S::TCA_NETEM_LOSS) {
        if let Some(g) = struct_fields(l.value(1)) {
            let m = ["p13", "p31", "p32", "p23", "p14"].iter().map(|k| (k.to_string(), pct_opt(field(g, k)))).collect();
            put("loss_state", Opt::Map(m));
        }
        if let Some(g) = struct_fields(l.value(2)) {
            let m = vec![
                ("p".to_string(), pct_opt(field(g, "p"))),
                ("r".to_string(), pct_opt(field(g, "r"))),
                ("1-h".to_string(), pct_opt((u32::MAX - field(g, "h") as u32) as i64)),
                ("1-k".to_string(), pct_opt(field(g, "k1"))),
            ];
            put("loss_gemodel", Opt::Map(m));
        }
    }
    if let Some(s) = struct_fields(attrs.value(S::TCA_NETEM_SLOT)) {
        let t = |n: &str| Opt::Str(units::exact_time64(field(s, n) as u64));
        let mut m = Vec::new();
        if field(s, "dist_jitter") > 0 {
            if let Some(n) = attrs.value(S::TCA_NETEM_SLOT_DIST).and_then(|v| if let Value::Bytes(b) = v { dist_name(b) } else { None }) {
                m.push(("distribution".to_string(), Opt::Str(n.into())));
            }
            m.push(("delay".to_string(), t("dist_delay")));
            m.push(("jitter".to_string(), t("dist_jitter")));
        } else {
            m.push(("min_delay".to_string(), t("min_delay")));
            m.push(("max_delay".to_string(), t("max_delay")));
        }
        if field(s, "max_packets") != 0 {
            m.push(("packets".to_string(), Opt::Int(field(s, "max_packets"))));
        }
        if field(s, "max_bytes") != 0 {
            m.push(("bytes".to_string(), Opt::Str(units::exact_size(field(s, "max_bytes") as u32))));
        }
        put("slot", Opt::Map(m));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_tables_have_4096_entries() {
        for n in ["normal", "pareto", "paretonormal"] {
            let t = distribution(n).unwrap().unwrap();
            assert_eq!(t.len(), 4096, "{n}");
        }
        assert_eq!(distribution("normal").unwrap().unwrap()[0], -32768);
        assert!(distribution("uniform").unwrap().is_none());
        assert!(distribution("nosuch").unwrap_err().contains("not found"));
    }
}
