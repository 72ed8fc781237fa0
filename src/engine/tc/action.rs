//! Actions carried by filters (tc/m_action.c, m_mirred.c, m_gact.c,
//! m_police.c). In Lua an action list is
//! `actions = { {kind="mirred", action="redirect", dev="ifb0"}, "drop" }`:
//! a bare verdict string is a gact action.

use super::core::{self, RateSpec};
use super::kinds::{Ctx, DecodeCtx, attr, burst_of, linklayer, rate32, size_cell, struct_bytes, struct_value, u32v, unit};
use super::{Stats, field_err};
use crate::engine::schema::tc_filter::{self as F, CONTROL_NAMES};
use crate::engine::schema::{Attrs, FieldError, Fields, Opt, Value};
use crate::units;

/// TCA_EGRESS_REDIR and friends (tc_mirred.eaction).
const EACTIONS: &[(i32, &str, &str)] =
    &[(1, "egress", "redirect"), (2, "egress", "mirror"), (3, "ingress", "redirect"), (4, "ingress", "mirror")];

const CONTROL_WHAT: &str = "a verdict: \"pass\", \"drop\", \"continue\", \"reclassify\", \"pipe\", \"stolen\" or \"trap\"";

/// A verdict word (TC_ACT_*), with tc's aliases "ok" and "shot".
pub fn parse_control(s: &str) -> Option<u32> {
    let s = match s {
        "ok" => "pass",
        "shot" => "drop",
        s => s,
    };
    CONTROL_NAMES.iter().find(|(_, n)| *n == s).map(|(v, _)| *v as u32)
}

/// A verdict as tc prints it.
pub fn control_name(v: u32) -> String {
    match CONTROL_NAMES.iter().find(|(k, _)| *k == v as u64) {
        Some((_, n)) => n.to_string(),
        None if v & 0xf000_0000 == 0x2000_0000 => format!("goto chain {}", v & 0x0fff_ffff),
        None if v & 0xf000_0000 == 0x1000_0000 => format!("jump {}", v & 0x0fff_ffff),
        None => v.to_string(),
    }
}

fn control(f: &mut Fields<'_>, key: &'static str) -> Result<Option<u32>, FieldError> {
    match f.take(key) {
        None => Ok(None),
        Some(v @ Opt::Str(s)) => parse_control(s).map(Some).ok_or_else(|| f.expected(key, CONTROL_WHAT, v)),
        Some(v) => Err(f.expected(key, CONTROL_WHAT, v)),
    }
}

/// Encode `actions` (a list) from `f` into the value of a TCA_*_ACT attribute.
pub fn take_actions(f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    let Some(v) = f.take("actions") else { return Ok(None) };
    let path = f.path("actions");
    let items = match v {
        Opt::List(items) => items.clone(),
        Opt::Map(_) | Opt::Str(_) => vec![v.clone()],
        _ => return Err(f.expected("actions", "list of actions like {{kind=\"gact\", action=\"drop\"}}", v)),
    };
    let mut out = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let p = format!("{path}[{}].", i + 1);
        out.push(Value::Nested(encode_one(it, &p, ctx)?));
    }
    Ok(Some(Value::List(out)))
}

fn encode_one(it: &Opt, prefix: &str, ctx: &Ctx<'_>) -> Result<Attrs, FieldError> {
    let owned;
    let map: &[(String, Opt)] = match it {
        Opt::Map(m) => m,
        Opt::Str(s) => {
            owned = vec![("kind".to_string(), Opt::Str("gact".into())), ("action".to_string(), Opt::Str(s.clone()))];
            &owned
        }
        other => {
            return Err(field_err(prefix.trim_end_matches('.'), format!("expected an action table or a verdict, got {}", other.describe())));
        }
    };
    let mut f = Fields::new(map, prefix);
    let kind = f.str("kind")?.ok_or_else(|| f.missing("kind"))?;
    let opts = match kind.as_str() {
        "mirred" => mirred(&mut f, ctx)?,
        "gact" => gact(&mut f)?,
        "police" => police(&mut f, ctx)?,
        _ => match f.take("raw") {
            Some(Opt::Bytes(b)) => Value::Bytes(b.clone()),
            Some(Opt::Str(s)) => Value::Bytes(s.as_bytes().to_vec()),
            _ => {
                return Err(field_err(
                    &f.path("kind"),
                    format!("nlua knows actions \"mirred\", \"gact\" and \"police\"; give {kind:?}'s TCA_ACT_OPTIONS as 'raw'"),
                ));
            }
        },
    };
    let cookie = match f.take("cookie") {
        None => None,
        Some(Opt::Str(s)) if s.len() % 2 == 0 && s.len() <= 32 => {
            let b: Option<Vec<u8>> = (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect();
            Some(b.ok_or_else(|| f.expected("cookie", "hex string of at most 16 bytes", &Opt::Str(s.clone())))?)
        }
        Some(v) => return Err(f.expected("cookie", "hex string of at most 16 bytes", v)),
    };
    f.finish(["kind", "cookie"])?;
    let mut attrs = vec![attr(&F::ACT, F::TCA_ACT_KIND, Value::Str(kind)), attr(&F::ACT, F::TCA_ACT_OPTIONS, opts)];
    if let Some(c) = cookie {
        attrs.push(attr(&F::ACT, F::TCA_ACT_COOKIE, Value::Bytes(c)));
    }
    Ok(Attrs(attrs))
}

fn gen_words(index: u32, action: u32) -> Vec<u8> {
    [index, 0, action, 0, 0].iter().flat_map(|w| w.to_ne_bytes()).collect()
}

/// mirred: `direction` ("egress"), `action` ("redirect" or "mirror"), `dev`,
/// `control` (default stolen for redirect, pipe for mirror), `index`.
fn mirred(f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Value, FieldError> {
    let direction = match f.take("direction") {
        None => "egress".to_string(),
        Some(Opt::Str(s)) if s == "egress" || s == "ingress" => s.clone(),
        Some(v) => return Err(f.expected("direction", "\"egress\" or \"ingress\"", v)),
    };
    let what = match f.take("action") {
        Some(Opt::Str(s)) if s == "redirect" || s == "mirror" => s.clone(),
        Some(v) => return Err(f.expected("action", "\"redirect\" or \"mirror\"", v)),
        None => return Err(f.missing("action")),
    };
    let dev = f.ifindex("dev", ctx.res)?.ok_or_else(|| f.missing("dev"))?;
    let index = f.u32("index")?.unwrap_or(0);
    let dflt = if what == "redirect" { 4 } else { 3 };
    let control = control(f, "control")?.unwrap_or(dflt);
    let eaction = EACTIONS.iter().find(|(_, d, w)| *d == direction && *w == what).map(|(e, _, _)| *e).unwrap_or(1);
    let mut b = gen_words(index, control);
    b.extend_from_slice(&eaction.to_ne_bytes());
    b.extend_from_slice(&dev.to_ne_bytes());
    Ok(Value::Nested(Attrs(vec![attr(&F::MIRRED, F::TCA_MIRRED_PARMS, struct_value(&F::TC_MIRRED, &b))])))
}

/// gact: `action` (a verdict), `index`, and `random = {type=, action=, value=}`.
fn gact(f: &mut Fields<'_>) -> Result<Value, FieldError> {
    let action = control(f, "action")?.ok_or_else(|| f.missing("action"))?;
    let index = f.u32("index")?.unwrap_or(0);
    let mut attrs = vec![attr(&F::GACT, F::TCA_GACT_PARMS, struct_value(&F::TC_GACT, &gen_words(index, action)))];
    if let Some(v) = f.take("random") {
        let Opt::Map(m) = v else { return Err(f.expected("random", "table like {type=\"netrand\", action=\"drop\", value=10}", v)) };
        let mut g = Fields::new(m, &format!("{}.", f.path("random")));
        let ptype = match g.take("type") {
            Some(Opt::Str(s)) if s == "netrand" => 1u16,
            Some(Opt::Str(s)) if s == "determ" => 2,
            Some(v) => return Err(g.expected("type", "\"netrand\" or \"determ\"", v)),
            None => return Err(g.missing("type")),
        };
        let paction = control(&mut g, "action")?.ok_or_else(|| g.missing("action"))?;
        let pval = g.int("value", 0, 10000)?.ok_or_else(|| g.missing("value"))? as u16;
        g.finish([])?;
        let mut b = ptype.to_ne_bytes().to_vec();
        b.extend_from_slice(&pval.to_ne_bytes());
        b.extend_from_slice(&paction.to_ne_bytes());
        attrs.push(attr(&F::GACT, F::TCA_GACT_PROB, struct_value(&F::TC_GACT_P, &b)));
    }
    Ok(Value::Nested(Attrs(attrs)))
}

/// police: `rate`, `burst`, `mtu`, `peakrate`, `avrate`, `mpu`, `overhead`,
/// `linklayer`, `exceed` (verdict over the rate, default reclassify),
/// `conform` (verdict under it), `index`.
fn police(f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Value, FieldError> {
    let p = ctx.psched;
    let rate64 = unit(f, "rate", units::parse_rate)?.unwrap_or(0);
    let (buffer, rcell) = unit(f, "burst", core::parse_size_and_cell)?.unwrap_or((0, None));
    let (mtu, pcell) = unit(f, "mtu", core::parse_size_and_cell)?.unwrap_or((0, None));
    let prate64 = unit(f, "peakrate", units::parse_rate)?.unwrap_or(0);
    let avrate = unit(f, "avrate", units::parse_rate)?.map(rate32).unwrap_or(0);
    let mpu = unit(f, "mpu", units::parse_size)?.unwrap_or(0);
    let overhead = f.int("overhead", 0, u16::MAX as i64)?.unwrap_or(0) as u16;
    let ll = linklayer(f)?;
    let exceed = control(f, "exceed")?.unwrap_or(1);
    let conform = control(f, "conform")?.unwrap_or(0);
    let index = f.u32("index")?.unwrap_or(0);
    if rate64 > 0 && avrate > 0 {
        return Err(field_err(&f.path("avrate"), "give either 'rate' or 'avrate', not both"));
    }
    if rate64 == 0 && avrate == 0 && index == 0 && mtu == 0 {
        return Err(FieldError(format!("field '{}' (or 'avrate', 'mtu', 'index') is required", f.path("rate"))));
    }
    if rate64 > 0 && buffer == 0 {
        return Err(FieldError(format!("field '{}' is required with 'rate'", f.path("burst"))));
    }
    if prate64 > 0 && (rate64 == 0 || mtu == 0) {
        return Err(FieldError(format!("fields '{}' and '{}' are required with 'peakrate'", f.path("rate"), f.path("mtu"))));
    }
    let mut rate = RateSpec::default();
    let mut burst_ticks = 0;
    let mut rtab = None;
    if rate64 > 0 {
        rate = RateSpec { rate: rate32(rate64), mpu: mpu as u16, overhead, ..Default::default() };
        rtab = Some(core::rate_table(p, &mut rate, rate64, rcell, mtu, ll));
        burst_ticks = core::xmittime(p, rate64, buffer);
    }
    let mut peak = RateSpec::default();
    let mut ptab = None;
    if prate64 > 0 {
        peak = RateSpec { rate: rate32(prate64), mpu: mpu as u16, overhead, ..Default::default() };
        ptab = Some(core::rate_table(p, &mut peak, prate64, pcell, mtu, ll));
    }
    let mut b = Vec::with_capacity(56);
    for w in [index, exceed, 0, burst_ticks, mtu] {
        b.extend_from_slice(&w.to_ne_bytes());
    }
    b.extend_from_slice(&rate.bytes());
    b.extend_from_slice(&peak.bytes());
    b.extend_from_slice(&[0u8; 12]);
    let mut attrs = vec![attr(&F::POLICE, F::TCA_POLICE_TBF, struct_value(&F::TC_POLICE, &b))];
    if let Some(t) = rtab {
        attrs.push(attr(&F::POLICE, F::TCA_POLICE_RATE, Value::Bytes(core::table_bytes(&t))));
        if rate64 >= 1 << 32 {
            attrs.push(attr(&F::POLICE, F::TCA_POLICE_RATE64, Value::U(rate64)));
        }
    }
    if let Some(t) = ptab {
        attrs.push(attr(&F::POLICE, F::TCA_POLICE_PEAKRATE, Value::Bytes(core::table_bytes(&t))));
        if prate64 >= 1 << 32 {
            attrs.push(attr(&F::POLICE, F::TCA_POLICE_PEAKRATE64, Value::U(prate64)));
        }
    }
    if avrate > 0 {
        attrs.push(attr(&F::POLICE, F::TCA_POLICE_AVRATE, u32v(avrate)));
    }
    // tc leaves the conform verdict out when it is "pass" (0), the default.
    if conform != 0 {
        attrs.push(attr(&F::POLICE, F::TCA_POLICE_RESULT, u32v(conform)));
    }
    Ok(Value::Nested(Attrs(attrs)))
}

fn ne32(b: &[u8], off: usize) -> u32 {
    u32::from_ne_bytes(b[off..off + 4].try_into().unwrap())
}

/// Decode a TCA_*_ACT list into the tables [`take_actions`] takes.
pub fn decode_actions(v: &Value, ctx: &DecodeCtx<'_>) -> Opt {
    let Value::List(items) = v else { return Opt::List(Vec::new()) };
    Opt::List(
        items
            .iter()
            .filter_map(|it| match it {
                Value::Nested(a) => Some(decode_one(a, ctx)),
                _ => None,
            })
            .collect(),
    )
}

fn decode_one(a: &Attrs, ctx: &DecodeCtx<'_>) -> Opt {
    let kind = a.str(F::TCA_ACT_KIND).unwrap_or_default().to_string();
    let mut m = vec![("kind".to_string(), Opt::Str(kind.clone()))];
    let opts = a.nested(F::TCA_ACT_OPTIONS);
    match (kind.as_str(), opts) {
        ("mirred", Some(o)) => {
            if let Some(b) = struct_bytes_of(o, F::TCA_MIRRED_PARMS).filter(|b| b.len() >= 28) {
                let e = ne32(&b, 20) as i32;
                let (dir, what) = EACTIONS.iter().find(|(x, _, _)| *x == e).map(|(_, d, w)| (*d, *w)).unwrap_or(("egress", "redirect"));
                let ifindex = ne32(&b, 24);
                let dev = ctx.names.link_name(ifindex).map(Opt::Str).unwrap_or(Opt::Int(ifindex as i64));
                m.push(("direction".into(), Opt::Str(dir.into())));
                m.push(("action".into(), Opt::Str(what.into())));
                m.push(("dev".into(), dev));
                let control = ne32(&b, 8);
                let dflt = if what == "redirect" { 4 } else { 3 };
                if control != dflt {
                    m.push(("control".into(), Opt::Str(control_name(control))));
                }
            }
        }
        ("gact", Some(o)) => {
            if let Some(b) = struct_bytes_of(o, F::TCA_GACT_PARMS).filter(|b| b.len() >= 20) {
                m.push(("action".into(), Opt::Str(control_name(ne32(&b, 8)))));
            }
            if let Some(b) = struct_bytes_of(o, F::TCA_GACT_PROB).filter(|b| b.len() >= 8) {
                let ptype = u16::from_ne_bytes([b[0], b[1]]);
                let pval = u16::from_ne_bytes([b[2], b[3]]);
                if ptype != 0 {
                    let t = if ptype == 1 { "netrand" } else { "determ" };
                    m.push((
                        "random".into(),
                        Opt::Map(vec![
                            ("type".into(), Opt::Str(t.into())),
                            ("action".into(), Opt::Str(control_name(ne32(&b, 4)))),
                            ("value".into(), Opt::Int(pval as i64)),
                        ]),
                    ));
                }
            }
        }
        ("police", Some(o)) => police_decode(o, ctx, &mut m),
        (_, _) => {
            if let Some(v) = a.value(F::TCA_ACT_OPTIONS)
                && let Some(b) = struct_bytes(v).or_else(|| match v {
                    Value::Nested(n) => Some(n.to_bytes()),
                    _ => None,
                }) {
                    m.push(("raw".into(), Opt::Bytes(b)));
                }
        }
    }
    if let Some(Value::Bytes(c)) = a.value(F::TCA_ACT_COOKIE) {
        m.push(("cookie".into(), Opt::Str(c.iter().map(|b| format!("{b:02x}")).collect())));
    }
    Opt::Map(m)
}

fn struct_bytes_of(a: &Attrs, id: u16) -> Option<Vec<u8>> {
    struct_bytes(a.value(id)?)
}

fn police_decode(o: &Attrs, ctx: &DecodeCtx<'_>, m: &mut Vec<(String, Opt)>) {
    let Some(b) = struct_bytes_of(o, F::TCA_POLICE_TBF).filter(|b| b.len() >= 56) else { return };
    let p = ctx.psched;
    let rate = RateSpec::from_bytes(&b[20..32]);
    let peak = RateSpec::from_bytes(&b[32..44]);
    let rate64 = o.uint(F::TCA_POLICE_RATE64).unwrap_or(rate.rate as u64);
    let prate64 = o.uint(F::TCA_POLICE_PEAKRATE64).unwrap_or(peak.rate as u64);
    let mtu = ne32(&b, 16);
    if rate64 > 0 {
        m.push(("rate".into(), Opt::Str(units::exact_rate(rate64))));
        m.push(("burst".into(), Opt::Str(size_cell(burst_of(p, rate64, ne32(&b, 12)), rate.cell_log, mtu))));
    }
    if mtu > 0 {
        m.push(("mtu".into(), Opt::Str(size_cell(mtu, peak.cell_log, mtu))));
    }
    if prate64 > 0 {
        m.push(("peakrate".into(), Opt::Str(units::exact_rate(prate64))));
    }
    if let Some(a) = o.uint(F::TCA_POLICE_AVRATE).filter(|a| *a > 0) {
        m.push(("avrate".into(), Opt::Str(units::exact_rate(a))));
    }
    if rate.mpu != 0 {
        m.push(("mpu".into(), Opt::Str(units::exact_size(rate.mpu as u32))));
    }
    if rate.overhead != 0 {
        m.push(("overhead".into(), Opt::Int(rate.overhead as i64)));
    }
    if rate.linklayer == core::LINKLAYER_ATM {
        m.push(("linklayer".into(), Opt::Str("atm".into())));
    }
    m.push(("exceed".into(), Opt::Str(control_name(ne32(&b, 4)))));
    if let Some(r) = o.uint(F::TCA_POLICE_RESULT) {
        m.push(("conform".into(), Opt::Str(control_name(r as u32))));
    }
}

/// The counters of the first action of a filter's options (filters have none of their own).
pub fn first_action_stats(opts: &Value) -> Stats {
    let Value::Nested(a) = opts else { return Stats::default() };
    for attr in &a.0 {
        if let Value::List(items) = &attr.value
            && let Some(Value::Nested(act)) = items.first()
                && let Some(st) = act.nested(F::TCA_ACT_STATS) {
                    let mut s = Stats::default();
                    s.from_stats2(st);
                    return s;
                }
    }
    Stats::default()
}
