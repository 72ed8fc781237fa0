//! tbf's options (tc/q_tbf.c): rate, burst, latency or limit, peakrate and
//! mtu, with the rate tables tc computes and the kernel still takes.

use super::core::{self, Psched, RateSpec};
use super::field_err;
use super::kinds::{Ctx, DecodeCtx, attr, attr_bytes, burst_of, linklayer, ne32, push_ratespec_extras, rate32, size_cell, struct_value, table_decode, u32v, unit};
use crate::engine::schema::tc::{self as S};
use crate::engine::schema::{Attrs, FieldError, Fields, Opt, Value};
use crate::units;

/// Encode tbf options as tc does.
pub fn encode(f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    let p = ctx.psched;
    let rate64 = unit(f, "rate", units::parse_rate)?.filter(|r| *r > 0).ok_or_else(|| f.missing("rate"))?;
    let (buffer, rcell) = unit(f, "burst", core::parse_size_and_cell)?.ok_or_else(|| f.missing("burst"))?;
    let limit = unit(f, "limit", units::parse_size)?;
    let latency = unit(f, "latency", units::parse_time)?;
    let prate64 = unit(f, "peakrate", units::parse_rate)?.unwrap_or(0);
    let (mtu, pcell) = unit(f, "mtu", core::parse_size_and_cell)?.unwrap_or((0, None));
    let mpu = unit(f, "mpu", units::parse_size)?.unwrap_or(0);
    let overhead = f.int("overhead", 0, u16::MAX as i64)?.unwrap_or(0) as u16;
    let ll = linklayer(f)?;
    if buffer == 0 {
        return Err(field_err(&f.path("burst"), "must be more than 0"));
    }
    let limit = match (limit, latency) {
        (Some(_), Some(_)) => return Err(field_err(&f.path("latency"), "give either 'limit' or 'latency', not both")),
        (None, None) => return Err(FieldError(format!("field '{}' or '{}' is required", f.path("limit"), f.path("latency")))),
        (Some(l), None) => l,
        (None, Some(lat)) => {
            let mut lim = rate64 as f64 * lat as f64 / units::TIME_UNITS_PER_SEC + buffer as f64;
            if prate64 > 0 {
                let lim2 = prate64 as f64 * lat as f64 / units::TIME_UNITS_PER_SEC + mtu as f64;
                lim = lim.min(lim2);
            }
            lim as i64 as u32
        }
    };
    if prate64 > 0 && mtu == 0 {
        return Err(FieldError(format!("field '{}' is required with 'peakrate'", f.path("mtu"))));
    }
    let mut rate = RateSpec { rate: rate32(rate64), mpu: mpu as u16, overhead, ..Default::default() };
    let r = rate.rate as u64;
    let rtab = core::rate_table(p, &mut rate, r, rcell, mtu, ll);
    let buffer_ticks = core::xmittime(p, rate.rate as u64, buffer);
    let mut peak = RateSpec { rate: rate32(prate64), ..Default::default() };
    let mut ptab = None;
    let mut mtu_ticks = 0;
    if peak.rate != 0 {
        peak.mpu = mpu as u16;
        peak.overhead = overhead;
        let pr = peak.rate as u64;
        ptab = Some(core::rate_table(p, &mut peak, pr, pcell, mtu, ll));
        mtu_ticks = core::xmittime(p, peak.rate as u64, mtu);
    }
    let mut q = Vec::with_capacity(36);
    q.extend_from_slice(&rate.bytes());
    q.extend_from_slice(&peak.bytes());
    for w in [limit, buffer_ticks, mtu_ticks] {
        q.extend_from_slice(&w.to_ne_bytes());
    }
    let mut attrs = vec![attr(&S::TBF, S::TCA_TBF_PARMS, struct_value(&S::TBF_QOPT, &q)), attr(&S::TBF, S::TCA_TBF_BURST, u32v(buffer))];
    if rate64 >= 1 << 32 {
        attrs.push(attr(&S::TBF, S::TCA_TBF_RATE64, Value::U(rate64)));
    }
    attrs.push(attr(&S::TBF, S::TCA_TBF_RTAB, Value::Bytes(core::table_bytes(&rtab))));
    if let Some(ptab) = ptab {
        if prate64 >= 1 << 32 {
            attrs.push(attr(&S::TBF, S::TCA_TBF_PRATE64, Value::U(prate64)));
        }
        attrs.push(attr(&S::TBF, S::TCA_TBF_PBURST, u32v(mtu)));
        attrs.push(attr(&S::TBF, S::TCA_TBF_PTAB, Value::Bytes(core::table_bytes(&ptab))));
    }
    Ok(Some(Value::Nested(Attrs(attrs))))
}

/// Decode tbf options into the words [`encode`] takes.
pub fn decode(v: &Value, ctx: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
    let Value::Nested(attrs) = v else { return table_decode(v) };
    let Some(q) = attr_bytes(attrs, S::TCA_TBF_PARMS).filter(|q| q.len() >= 36) else { return Vec::new() };
    let rate = RateSpec::from_bytes(&q[0..12]);
    let peak = RateSpec::from_bytes(&q[12..24]);
    let (limit, buffer, mtu_ticks) = (ne32(&q, 24), ne32(&q, 28), ne32(&q, 32));
    let rate64 = attrs.uint(S::TCA_TBF_RATE64).unwrap_or(rate.rate as u64);
    let prate64 = attrs.uint(S::TCA_TBF_PRATE64).unwrap_or(peak.rate as u64);
    // A request carries the sizes; the kernel reports only the times it made of them.
    let burst = attrs.uint(S::TCA_TBF_BURST).map(|b| b as u32).unwrap_or_else(|| kernel_size(ctx.psched, rate64, &rate, buffer));
    let mtu = attrs.uint(S::TCA_TBF_PBURST).map(|b| b as u32).unwrap_or_else(|| kernel_size(ctx.psched, prate64, &peak, mtu_ticks));
    let mut out = vec![
        ("rate".to_string(), Opt::Str(units::exact_rate(rate64))),
        ("burst".to_string(), Opt::Str(size_cell(burst, rate.cell_log, mtu))),
        ("limit".to_string(), Opt::Str(units::exact_size(limit))),
    ];
    if prate64 > 0 {
        out.push(("peakrate".into(), Opt::Str(units::exact_rate(prate64))));
        out.push(("mtu".into(), Opt::Str(size_cell(mtu, peak.cell_log, mtu))));
    }
    push_ratespec_extras(&mut out, &rate);
    out
}

/// The size whose time the kernel reports as `ticks`: tbf turns the burst
/// (and the peak mtu) tc sends into a time itself, with the rate's overhead,
/// mpu and ATM cells (psched_l2t_ns), so invert that. Falls back to tc's
/// arithmetic for a time no size gives.
fn kernel_size(p: Psched, rate: u64, spec: &RateSpec, ticks: u32) -> u32 {
    if rate == 0 {
        return 0;
    }
    let k = core::KernelRate::new(rate, spec);
    // the bytes of `ticks` at 64 ns each (tc's xmitsize truncates to whole
    // microseconds, a lot of bytes at high rates)
    let mut est = (ticks as u128 * 64 * rate as u128 / 1_000_000_000).min(u32::MAX as u128) as u32;
    if spec.linklayer & 0x0f == core::LINKLAYER_ATM {
        est = est / 53 * 48;
    }
    let est = est.saturating_sub(spec.overhead as u32);
    // a tick of bytes and an ATM cell either side
    let slack = (rate / 15_625_000).min(1 << 24) as u32 * 2 + 128;
    k.size_of_ticks(ticks, est, slack).unwrap_or_else(|| burst_of(p, rate, ticks))
}

/// tbf's derived figures for display: (rate, burst, peakrate, minburst, latency µs, limit).
pub fn tbf_summary(attrs: &Attrs, p: Psched) -> Option<(u64, u32, u64, u32, f64, u32)> {
    let q = attr_bytes(attrs, S::TCA_TBF_PARMS).filter(|q| q.len() >= 36)?;
    let (rate, peak) = (RateSpec::from_bytes(&q[0..12]), RateSpec::from_bytes(&q[12..24]));
    let (limit, buffer, mtu) = (ne32(&q, 24), ne32(&q, 28), ne32(&q, 32));
    let rate64 = attrs.uint(S::TCA_TBF_RATE64).unwrap_or(rate.rate as u64);
    let prate64 = attrs.uint(S::TCA_TBF_PRATE64).unwrap_or(peak.rate as u64);
    let burst = core::xmitsize(p, rate64, buffer);
    let minburst = if prate64 > 0 { core::xmitsize(p, prate64, mtu) } else { 0 };
    let mut latency = units::TIME_UNITS_PER_SEC * (limit as f64 / rate64 as f64) - core::tick2time(p, buffer) as f64;
    if prate64 > 0 {
        let lat2 = units::TIME_UNITS_PER_SEC * (limit as f64 / prate64 as f64) - core::tick2time(p, mtu) as f64;
        latency = latency.max(lat2);
    }
    Some((rate64, burst, prate64, minburst, latency, limit))
}
