//! htb's options (tc/q_htb.c): the qdisc's default class and r2q, a class's
//! rate, ceil, bursts, prio and quantum with tc's rate tables.

use super::core::{self, Psched, RateSpec};
use super::kinds::{Ctx, DecodeCtx, attr, attr_bytes, burst_of, linklayer, ne32, push_ratespec_extras, rate32, size_cell, struct_value, table_decode, u32v, unit};
use crate::engine::schema::tc::{self as S};
use crate::engine::schema::{Attrs, FieldError, Fields, Opt, Value};
use crate::units;

/// `default`: the minor of the default class, hex as tc reads it ("10",
/// "0x10"), a class id ("1:10"), or an integer.
fn htb_default(f: &mut Fields<'_>) -> Result<u32, FieldError> {
    let what = "class minor like \"10\" (hex, as tc reads it), \"1:10\" or an integer";
    match f.take("default") {
        None => Ok(0),
        Some(Opt::Int(n)) if (0..=u32::MAX as i64).contains(n) => Ok(*n as u32),
        Some(v @ Opt::Str(s)) => {
            if s.contains(':') {
                return units::parse_classid(s).map(|c| c & 0xffff).map_err(|_| f.expected("default", what, v));
            }
            let hex = s.strip_prefix("0x").or(s.strip_prefix("0X")).unwrap_or(s);
            u32::from_str_radix(hex, 16).map_err(|_| f.expected("default", what, v))
        }
        Some(v) => Err(f.expected("default", what, v)),
    }
}

/// Encode htb qdisc options as tc does.
pub fn encode(f: &mut Fields<'_>, _: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    let r2q = f.u32("r2q")?.unwrap_or(10);
    let defcls = htb_default(f)?;
    let debug = f.u32("debug")?.unwrap_or(0);
    let direct_qlen = f.u32("direct_qlen")?;
    let offload = f.bool("offload")?.unwrap_or(false);
    let mut g = Vec::with_capacity(20);
    for w in [3u32, r2q, defcls, debug, 0] {
        g.extend_from_slice(&w.to_ne_bytes());
    }
    let mut attrs = vec![attr(&S::HTB, S::TCA_HTB_INIT, struct_value(&S::HTB_GLOB, &g))];
    if let Some(q) = direct_qlen {
        attrs.push(attr(&S::HTB, S::TCA_HTB_DIRECT_QLEN, u32v(q)));
    }
    if offload {
        attrs.push(attr(&S::HTB, S::TCA_HTB_OFFLOAD, Value::Flag));
    }
    Ok(Some(Value::Nested(Attrs(attrs))))
}

/// Decode htb qdisc options.
pub fn decode(v: &Value, _: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
    let Value::Nested(attrs) = v else { return table_decode(v) };
    let mut out = Vec::new();
    if let Some(g) = attr_bytes(attrs, S::TCA_HTB_INIT).filter(|g| g.len() >= 20) {
        out.push(("r2q".into(), Opt::Int(ne32(&g, 4) as i64)));
        out.push(("default".into(), Opt::Str(format!("{:#x}", ne32(&g, 8)))));
        if ne32(&g, 12) != 0 {
            out.push(("debug".into(), Opt::Int(ne32(&g, 12) as i64)));
        }
    }
    if let Some(q) = attrs.uint(S::TCA_HTB_DIRECT_QLEN) {
        out.push(("direct_qlen".into(), Opt::Int(q as i64)));
    }
    if attrs.has(S::TCA_HTB_OFFLOAD) {
        out.push(("offload".into(), Opt::Bool(true)));
    }
    out
}

/// Encode htb class options as tc does.
pub fn class_encode(f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    let p = ctx.psched;
    let rate64 = unit(f, "rate", units::parse_rate)?.filter(|r| *r > 0).ok_or_else(|| f.missing("rate"))?;
    let ceil64 = unit(f, "ceil", units::parse_rate)?.filter(|r| *r > 0).unwrap_or(rate64);
    let (burst, cell) = unit(f, "burst", core::parse_size_and_cell)?.unwrap_or((0, None));
    let (cburst, ccell) = unit(f, "cburst", core::parse_size_and_cell)?.unwrap_or((0, None));
    let prio = f.u32("prio")?.unwrap_or(0);
    let quantum = f.u32("quantum")?.unwrap_or(0);
    let mtu = f.u32("mtu")?.unwrap_or(1600);
    // tc reads htb's mpu as a number; a size ("64b", as classes list it) is the same
    let mpu = unit(f, "mpu", units::parse_size)?.unwrap_or(0);
    if mpu > u16::MAX as u32 {
        return Err(super::field_err(&f.path("mpu"), format!("expected a size up to 65535 bytes, got {mpu}")));
    }
    let mpu = mpu as u16;
    let overhead = f.int("overhead", 0, u16::MAX as i64)?.unwrap_or(0) as u16;
    let ll = linklayer(f)?;
    let hz = p.hz.max(1) as u64;
    let buffer = if burst == 0 { (rate64 / hz + mtu as u64) as u32 } else { burst };
    let cbuffer = if cburst == 0 { (ceil64 / hz + mtu as u64) as u32 } else { cburst };
    let mut rate = RateSpec { rate: rate32(rate64), mpu, overhead, ..Default::default() };
    let mut ceil = RateSpec { rate: rate32(ceil64), mpu, overhead, ..Default::default() };
    let (r, c) = (rate.rate as u64, ceil.rate as u64);
    let rtab = core::rate_table(p, &mut rate, r, cell, mtu, ll);
    let ctab = core::rate_table(p, &mut ceil, c, ccell, mtu, ll);
    let mut o = Vec::with_capacity(44);
    o.extend_from_slice(&rate.bytes());
    o.extend_from_slice(&ceil.bytes());
    for w in [core::xmittime(p, rate64, buffer), core::xmittime(p, ceil64, cbuffer), quantum, 0, prio] {
        o.extend_from_slice(&w.to_ne_bytes());
    }
    let mut attrs = Vec::new();
    if rate64 >= 1 << 32 {
        attrs.push(attr(&S::HTB, S::TCA_HTB_RATE64, Value::U(rate64)));
    }
    if ceil64 >= 1 << 32 {
        attrs.push(attr(&S::HTB, S::TCA_HTB_CEIL64, Value::U(ceil64)));
    }
    attrs.push(attr(&S::HTB, S::TCA_HTB_PARMS, struct_value(&S::HTB_OPT, &o)));
    attrs.push(attr(&S::HTB, S::TCA_HTB_RTAB, Value::Bytes(core::table_bytes(&rtab))));
    attrs.push(attr(&S::HTB, S::TCA_HTB_CTAB, Value::Bytes(core::table_bytes(&ctab))));
    Ok(Some(Value::Nested(Attrs(attrs))))
}

/// An htb class's figures, as its options and `tc class show` give them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HtbClass {
    /// Rate in bytes per second.
    pub rate: u64,
    /// Ceiling rate in bytes per second.
    pub ceil: u64,
    /// Burst in bytes: the roundest size whose transmit time at `rate` is `buffer`.
    pub burst: u32,
    /// Ceiling burst in bytes (the same at `ceil` for `cbuffer`).
    pub cburst: u32,
    /// The kernel's buffer: the burst's transmit time in ticks.
    pub buffer: u32,
    /// The kernel's cbuffer: the ceiling burst's transmit time in ticks.
    pub cbuffer: u32,
    /// Priority.
    pub prio: u32,
    /// Quantum in bytes (DRR).
    pub quantum: u32,
    /// Level in the class tree.
    pub level: u32,
    /// The rate's spec (overhead, mpu, link layer).
    pub spec: RateSpec,
    /// The ceiling's spec.
    pub ceil_spec: RateSpec,
}

/// Read an htb class's figures from its TCA_OPTIONS.
pub fn class_summary(attrs: &Attrs, p: Psched) -> Option<HtbClass> {
    let o = attr_bytes(attrs, S::TCA_HTB_PARMS).filter(|o| o.len() >= 44)?;
    let (rate, ceil) = (RateSpec::from_bytes(&o[0..12]), RateSpec::from_bytes(&o[12..24]));
    let rate64 = attrs.uint(S::TCA_HTB_RATE64).unwrap_or(rate.rate as u64);
    let ceil64 = attrs.uint(S::TCA_HTB_CEIL64).unwrap_or(ceil.rate as u64);
    let (buffer, cbuffer) = (ne32(&o, 24), ne32(&o, 28));
    Some(HtbClass {
        rate: rate64,
        ceil: ceil64,
        burst: burst_of(p, rate64, buffer),
        cburst: burst_of(p, ceil64, cbuffer),
        buffer,
        cbuffer,
        prio: ne32(&o, 40),
        quantum: ne32(&o, 32),
        level: ne32(&o, 36),
        spec: rate,
        ceil_spec: ceil,
    })
}

/// Decode htb class options into the words [`class_encode`] takes.
pub fn class_decode(v: &Value, ctx: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
    let Value::Nested(attrs) = v else { return table_decode(v) };
    let Some(HtbClass { rate, ceil, burst, cburst, prio, quantum, spec, ceil_spec, .. }) = class_summary(attrs, ctx.psched) else {
        return Vec::new();
    };
    // tc's mtu (1600 unless given) only picks the tables' cells: a cell of its own shows as "/cell"
    let mut out = vec![
        ("rate".to_string(), Opt::Str(units::exact_rate(rate))),
        ("ceil".to_string(), Opt::Str(units::exact_rate(ceil))),
        ("burst".to_string(), Opt::Str(size_cell(burst, spec.cell_log, 1600))),
        ("cburst".to_string(), Opt::Str(size_cell(cburst, ceil_spec.cell_log, 1600))),
        ("prio".to_string(), Opt::Int(prio as i64)),
        ("quantum".to_string(), Opt::Int(quantum as i64)),
    ];
    push_ratespec_extras(&mut out, &spec);
    out
}
