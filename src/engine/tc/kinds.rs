//! How a kind's options look to users. Most kinds are their table in
//! `schema::tc` (option names are attribute or struct-field names, units come
//! from the table). Kinds whose tc words are computed — rate tables, ticks,
//! probabilities, selectors — have a [`Codec`]: an encoder that reads the same
//! words tc(8) takes and builds TCA_OPTIONS exactly as tc does, and a decoder
//! that turns TCA_OPTIONS back into those words, so listed options can be fed
//! to `add`/`replace` unchanged.

use super::core::{self, Psched, RateSpec};
use super::{LinkNames, Obj, field_err};
use crate::engine::schema::tc::{self as S};
use crate::engine::schema::{self, Attr, AttrSet, Attrs, FieldError, Fields, Opt, Resolver, StructDef, Type, Value};
use crate::units;

/// What an encoder may need besides the options.
pub struct Ctx<'a> {
    pub res: &'a dyn Resolver,
    pub psched: Psched,
    /// A filter's protocol (ETH_P_*, host order); 0 elsewhere.
    pub protocol: u16,
    /// File descriptors the encoded options refer to (a bpf program), to be
    /// kept open until the request is sent.
    pub keep: std::cell::RefCell<Vec<std::os::fd::OwnedFd>>,
}

/// What a decoder may need besides the bytes.
pub struct DecodeCtx<'a> {
    pub psched: Psched,
    pub names: &'a dyn LinkNames,
    pub protocol: u16,
}

/// Reads a kind's options out of the add table (taking the keys it knows).
pub type EncodeFn = fn(&mut Fields<'_>, &Ctx<'_>) -> Result<Option<Value>, FieldError>;
/// Turns TCA_OPTIONS back into the add table's words.
pub type DecodeFn = fn(&Value, &DecodeCtx<'_>) -> Vec<(String, Opt)>;

/// The options of one kind of one object type, where a table is not enough.
pub struct Codec {
    pub obj: Obj,
    pub kind: &'static str,
    pub encode: EncodeFn,
    pub decode: DecodeFn,
}

static CODECS: &[Codec] = &[
    Codec { obj: Obj::Qdisc, kind: "netem", encode: super::netem::encode, decode: super::netem::decode },
    Codec { obj: Obj::Qdisc, kind: "tbf", encode: tbf_encode, decode: tbf_decode },
    Codec { obj: Obj::Qdisc, kind: "htb", encode: htb_encode, decode: htb_decode },
    Codec { obj: Obj::Qdisc, kind: "prio", encode: prio_encode, decode: prio_decode },
    Codec { obj: Obj::Qdisc, kind: "pfifo_fast", encode: no_options, decode: no_decode },
    Codec { obj: Obj::Class, kind: "htb", encode: htb_class_encode, decode: htb_class_decode },
    Codec { obj: Obj::Filter, kind: "u32", encode: super::u32::encode, decode: super::u32::decode },
    Codec { obj: Obj::Filter, kind: "bpf", encode: super::bpf::encode, decode: super::bpf::decode },
    Codec { obj: Obj::Filter, kind: "matchall", encode: super::flower::matchall_encode, decode: super::flower::matchall_decode },
    Codec { obj: Obj::Filter, kind: "flower", encode: super::flower::encode, decode: super::flower::decode },
];

fn dispatch(obj: Obj) -> &'static schema::Dispatch {
    match obj {
        Obj::Qdisc => &S::QDISC_KINDS,
        Obj::Class => &S::CLASS_KINDS,
        Obj::Filter => &schema::tc_filter::FILTER_KINDS,
    }
}

/// True when nlua knows the options of `kind` (a table or a codec).
pub fn known(obj: Obj, kind: &str) -> bool {
    CODECS.iter().any(|c| c.obj == obj && c.kind == kind) || dispatch(obj).case(kind).is_some()
}

/// The kinds nlua knows options for.
pub fn known_kinds(obj: Obj) -> Vec<&'static str> {
    let mut v: Vec<&str> = dispatch(obj).cases.iter().map(|(k, _)| *k).collect();
    for c in CODECS.iter().filter(|c| c.obj == obj) {
        if !v.contains(&c.kind) {
            v.push(c.kind);
        }
    }
    v
}

/// Encode the options of `kind` found in `f`. Unknown kinds take only `raw`
/// (the TCA_OPTIONS payload as bytes), which any kind also accepts alone.
pub fn encode(obj: Obj, kind: &str, f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    if let Some(raw) = f.take("raw") {
        return match raw {
            Opt::Bytes(b) => Ok(Some(Value::Bytes(b.clone()))),
            Opt::Str(s) => Ok(Some(Value::Bytes(s.as_bytes().to_vec()))),
            v => Err(f.expected("raw", "binary string (the TCA_OPTIONS payload)", v)),
        };
    }
    if let Some(c) = CODECS.iter().find(|c| c.obj == obj && c.kind == kind) {
        return (c.encode)(f, ctx);
    }
    match dispatch(obj).case(kind) {
        Some(ty) => table_encode(ty, f, ctx),
        None => Ok(None),
    }
}

/// Decode TCA_OPTIONS of `kind` into the words `encode` takes.
pub fn decode(obj: Obj, kind: &str, v: &Value, ctx: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
    if let Some(c) = CODECS.iter().find(|c| c.obj == obj && c.kind == kind) {
        return (c.decode)(v, ctx);
    }
    match (dispatch(obj).case(kind), v) {
        (Some(_), Value::Bytes(b)) | (None, Value::Bytes(b)) => vec![("raw".into(), Opt::Bytes(b.clone()))],
        (Some(_), v) => table_decode(v),
        (None, _) => Vec::new(),
    }
}

/// Encode with a kind's table: a nested set (always sent, as tc sends an
/// empty nest) or a bare struct (sent when any field is given).
pub fn table_encode(ty: &Type, f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    match ty {
        Type::Nested(set) => {
            if set.attrs.is_empty() {
                return Ok(None);
            }
            Ok(Some(Value::Nested(take_set(set, f, ctx.res, "")?)))
        }
        Type::Struct(sd) => {
            let fields = take_struct(sd, f, ctx.res)?;
            Ok(if fields.is_empty() { None } else { Some(Value::Struct(sd, fields, Vec::new())) })
        }
        _ => Ok(None),
    }
}

/// Take the keys of `set` out of `f` and encode them in table order.
pub fn take_set(set: &'static AttrSet, f: &mut Fields<'_>, res: &dyn Resolver, prefix: &str) -> Result<Attrs, FieldError> {
    let mut pairs = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for name in set.input_names() {
        if seen.contains(&name) {
            continue;
        }
        seen.push(name);
        if let Some(v) = f.take(name) {
            pairs.push((name.to_string(), v.clone()));
        }
    }
    schema::encode_opts_strict(set, &pairs, prefix, res)
}

/// Take the fields of `sd` out of `f`.
pub fn take_struct(sd: &'static StructDef, f: &mut Fields<'_>, res: &dyn Resolver) -> Result<Vec<(&'static str, Value)>, FieldError> {
    let mut out = Vec::new();
    for fd in sd.fields {
        let Some(v) = f.take(fd.name) else { continue };
        let path = f.path(fd.name);
        let val = match fd.ty {
            Type::Bytes => match v {
                Opt::Str(s) if s.len() <= fd.len => Some(Value::Bytes(s.as_bytes().to_vec())),
                Opt::Bytes(b) if b.len() <= fd.len => Some(Value::Bytes(b.clone())),
                _ => return Err(f.expected(fd.name, &format!("string of at most {} bytes", fd.len), v)),
            },
            _ => schema::opt_to_field(fd, v, &path, res)?,
        };
        if let Some(val) = val {
            out.push((fd.name, val));
        }
    }
    Ok(out)
}

/// Decode with a kind's table: names, symbolic values and units as the table
/// gives them; attributes only the kernel reports (and unknown ones) left out.
pub fn table_decode(v: &Value) -> Vec<(String, Opt)> {
    match v {
        Value::Nested(attrs) => attrs
            .0
            .iter()
            .filter_map(|a| {
                let d = a.def.filter(|d| !d.read_only)?;
                Some((d.name.to_string(), schema::value_to_opt(&a.value, Some(&d.ty), d.names, d.unit)))
            })
            .collect(),
        Value::Struct(..) => super::map_of(schema::value_to_opt(v, None, &[], None)),
        Value::Bytes(b) => vec![("raw".into(), Opt::Bytes(b.clone()))],
        _ => Vec::new(),
    }
}

fn no_options(_: &mut Fields<'_>, _: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    Ok(None)
}

fn no_decode(_: &Value, _: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
    Vec::new()
}

// ---------------------------------------------------------------------------
// Helpers shared by the codecs

/// An option parsed by a units function; its error completes "expected ...".
pub fn unit<T>(f: &mut Fields<'_>, key: &'static str, parse: fn(&str) -> Result<T, String>) -> Result<Option<T>, FieldError> {
    let Some(v) = f.take(key) else { return Ok(None) };
    let text = match v {
        Opt::Str(s) => s.clone(),
        Opt::Int(n) => n.to_string(),
        Opt::Num(n) => n.to_string(),
        other => return Err(field_err(&f.path(key), format!("expected a value with a unit, got {}", other.describe()))),
    };
    parse(&text).map(Some).map_err(|e| field_err(&f.path(key), format!("expected {e}")))
}

/// `flowid` or `classid` (the same thing, as in tc): a class id like "1:10".
pub fn flowid(f: &mut Fields<'_>) -> Result<Option<u32>, FieldError> {
    let (fl, cl) = (f.take("flowid"), f.take("classid"));
    let (key, v) = match (fl, cl) {
        (Some(_), Some(_)) => return Err(field_err(&f.path("classid"), "give either 'flowid' or 'classid'")),
        (Some(v), None) => ("flowid", v),
        (None, Some(v)) => ("classid", v),
        (None, None) => return Ok(None),
    };
    match v {
        Opt::Str(s) => units::parse_classid(s).map(Some).map_err(|e| field_err(&f.path(key), format!("expected {e}"))),
        o => Err(f.expected(key, "a class id like \"1:10\"", o)),
    }
}

/// `linklayer`: "ethernet", "atm" or "adsl".
pub fn linklayer(f: &mut Fields<'_>) -> Result<u8, FieldError> {
    match f.take("linklayer") {
        None => Ok(core::LINKLAYER_ETHERNET),
        Some(Opt::Str(s)) if s == "ethernet" => Ok(core::LINKLAYER_ETHERNET),
        Some(Opt::Str(s)) if s == "atm" || s == "adsl" => Ok(core::LINKLAYER_ATM),
        Some(v) => Err(f.expected("linklayer", "one of \"ethernet\", \"atm\", \"adsl\"", v)),
    }
}

/// A 32-bit rate field: rates of 2^32 bytes/s and more are ~0 plus a 64-bit attribute.
pub fn rate32(r: u64) -> u32 {
    if r >= 1 << 32 { u32::MAX } else { r as u32 }
}

/// Build a struct value from its wire bytes (so every byte is kept).
pub fn struct_value(sd: &'static StructDef, bytes: &[u8]) -> Value {
    schema::decode_value(&Type::Struct(sd), bytes)
}

/// The wire bytes of a struct value.
pub fn struct_bytes(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::Struct(sd, fields, tail) => {
            let mut out = Vec::new();
            schema::encode_struct(sd, fields, &mut out);
            out.extend_from_slice(tail);
            Some(out)
        }
        Value::Bytes(b) => Some(b.clone()),
        _ => None,
    }
}

/// An attribute of `set`.
pub fn attr(set: &'static AttrSet, id: u16, value: Value) -> Attr {
    let def = set.by_id(id);
    let flags = if def.is_some_and(|d| d.nested_flag) { crate::engine::message::NLA_F_NESTED } else { 0 };
    Attr { id, flags, def, value }
}

/// A u32 attribute's value.
pub fn u32v(v: u32) -> Value {
    Value::U(v as u64)
}

/// The bytes of attribute `id` when it is a struct or raw.
pub fn attr_bytes(attrs: &Attrs, id: u16) -> Option<Vec<u8>> {
    struct_bytes(attrs.value(id)?)
}

fn ne32(b: &[u8], off: usize) -> u32 {
    u32::from_ne_bytes(b[off..off + 4].try_into().unwrap())
}

/// The burst (bytes) that encodes to `ticks` at `rate`. tc prints
/// xmitsize(), which its truncations can leave bytes short of what was given;
/// several sizes encode alike, so take the roundest one that does.
pub fn burst_of(p: Psched, rate: u64, ticks: u32) -> u32 {
    let est = core::xmitsize(p, rate, ticks);
    // one microsecond of bytes on either side covers every truncation
    let slack = (rate / 1_000_000 + 4) as u32 * 2;
    let found: Vec<u32> = (est.saturating_sub(slack)..=est.saturating_add(slack)).filter(|b| core::xmittime(p, rate, *b) == ticks).collect();
    for unit in [1 << 20, 1 << 10, 1000, 100, 10] {
        if let Some(b) = found.iter().find(|b| **b % unit == 0 && **b > 0) {
            return *b;
        }
    }
    found.first().copied().unwrap_or(est)
}

fn push_ratespec_extras(out: &mut Vec<(String, Opt)>, r: &RateSpec) {
    if r.mpu != 0 {
        out.push(("mpu".into(), Opt::Str(units::exact_size(r.mpu as u32))));
    }
    if r.overhead != 0 {
        out.push(("overhead".into(), Opt::Int(r.overhead as i64)));
    }
    if r.linklayer == core::LINKLAYER_ATM {
        out.push(("linklayer".into(), Opt::Str("atm".into())));
    }
}

// ---------------------------------------------------------------------------
// prio

const PRIO_DEFAULT_MAP: [u8; 16] = [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];

fn prio_encode(f: &mut Fields<'_>, _: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    let bands = f.int("bands", 2, 16)?.unwrap_or(3);
    let mut map = PRIO_DEFAULT_MAP;
    if let Some(v) = f.take("priomap") {
        let what = format!("list of at most 16 bands 0..{}", bands - 1);
        let Opt::List(items) = v else { return Err(f.expected("priomap", &what, v)) };
        if items.len() > 16 {
            return Err(f.expected("priomap", &what, v));
        }
        for (i, it) in items.iter().enumerate() {
            match it.as_int() {
                Some(b) if (0..bands).contains(&b) => map[i] = b as u8,
                _ => return Err(f.expected(&format!("priomap[{}]", i + 1), &format!("band 0..{}", bands - 1), it)),
            }
        }
    }
    let mq = f.bool("multiqueue")?.unwrap_or(false);
    let mut bytes = (bands as i32).to_ne_bytes().to_vec();
    bytes.extend_from_slice(&map);
    let Value::Struct(sd, fields, _) = struct_value(&S::PRIO_QOPT, &bytes) else { unreachable!() };
    let inner = if mq { Attrs(vec![attr(&S::PRIO, 1, Value::Flag)]) } else { Attrs::default() };
    Ok(Some(Value::StructThen(sd, fields, Attrs(vec![attr(&S::PRIO_COMPAT, 2, Value::Nested(inner))]))))
}

fn prio_decode(v: &Value, _: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
    let (fields, rest) = match v {
        Value::StructThen(_, f, rest) => (f, Some(rest)),
        Value::Struct(_, f, _) => (f, None),
        _ => return table_decode(v),
    };
    let mut out = Vec::new();
    for (n, val) in fields {
        match (*n, val) {
            ("bands", Value::I(b)) => out.push(("bands".into(), Opt::Int(*b))),
            ("priomap", Value::Bytes(m)) => {
                out.push(("priomap".into(), Opt::List(m.iter().map(|b| Opt::Int(*b as i64)).collect())))
            }
            _ => {}
        }
    }
    if rest.and_then(|r| r.nested(2)).is_some_and(|n| n.has(1)) {
        out.push(("multiqueue".into(), Opt::Bool(true)));
    }
    out
}

// ---------------------------------------------------------------------------
// tbf (tc/q_tbf.c)

fn tbf_encode(f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
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

fn tbf_decode(v: &Value, ctx: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
    let Value::Nested(attrs) = v else { return table_decode(v) };
    let Some(q) = attr_bytes(attrs, S::TCA_TBF_PARMS).filter(|q| q.len() >= 36) else { return Vec::new() };
    let p = ctx.psched;
    let rate = RateSpec::from_bytes(&q[0..12]);
    let peak = RateSpec::from_bytes(&q[12..24]);
    let (limit, buffer, mtu_ticks) = (ne32(&q, 24), ne32(&q, 28), ne32(&q, 32));
    let rate64 = attrs.uint(S::TCA_TBF_RATE64).unwrap_or(rate.rate as u64);
    let prate64 = attrs.uint(S::TCA_TBF_PRATE64).unwrap_or(peak.rate as u64);
    let burst = attrs.uint(S::TCA_TBF_BURST).map(|b| b as u32).unwrap_or_else(|| burst_of(p, rate.rate as u64, buffer));
    let mtu = attrs.uint(S::TCA_TBF_PBURST).map(|b| b as u32).unwrap_or_else(|| burst_of(p, peak.rate as u64, mtu_ticks));
    // The kernel does not report cell sizes (cell_log reads 0), so bursts come
    // back without one and tc's default applies again.
    let mut out = vec![
        ("rate".to_string(), Opt::Str(units::exact_rate(rate64))),
        ("burst".to_string(), Opt::Str(units::exact_size(burst))),
        ("limit".to_string(), Opt::Str(units::exact_size(limit))),
    ];
    if prate64 > 0 {
        out.push(("peakrate".into(), Opt::Str(units::exact_rate(prate64))));
        out.push(("mtu".into(), Opt::Str(units::exact_size(mtu))));
    }
    push_ratespec_extras(&mut out, &rate);
    out
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

// ---------------------------------------------------------------------------
// htb (tc/q_htb.c)

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

fn htb_encode(f: &mut Fields<'_>, _: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
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

fn htb_decode(v: &Value, _: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
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

fn htb_class_encode(f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    let p = ctx.psched;
    let rate64 = unit(f, "rate", units::parse_rate)?.filter(|r| *r > 0).ok_or_else(|| f.missing("rate"))?;
    let ceil64 = unit(f, "ceil", units::parse_rate)?.filter(|r| *r > 0).unwrap_or(rate64);
    let (burst, cell) = unit(f, "burst", core::parse_size_and_cell)?.unwrap_or((0, None));
    let (cburst, ccell) = unit(f, "cburst", core::parse_size_and_cell)?.unwrap_or((0, None));
    let prio = f.u32("prio")?.unwrap_or(0);
    let quantum = f.u32("quantum")?.unwrap_or(0);
    let mtu = f.u32("mtu")?.unwrap_or(1600);
    let mpu = f.int("mpu", 0, u16::MAX as i64)?.unwrap_or(0) as u16;
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
    pub rate: u64,
    pub ceil: u64,
    pub burst: u32,
    pub cburst: u32,
    pub prio: u32,
    pub quantum: u32,
    pub level: u32,
    /// The rate's spec (overhead, mpu, link layer).
    pub spec: RateSpec,
}

/// Read an htb class's figures from its TCA_OPTIONS.
pub fn htb_class_summary(attrs: &Attrs, p: Psched) -> Option<HtbClass> {
    let o = attr_bytes(attrs, S::TCA_HTB_PARMS).filter(|o| o.len() >= 44)?;
    let (rate, ceil) = (RateSpec::from_bytes(&o[0..12]), RateSpec::from_bytes(&o[12..24]));
    let rate64 = attrs.uint(S::TCA_HTB_RATE64).unwrap_or(rate.rate as u64);
    let ceil64 = attrs.uint(S::TCA_HTB_CEIL64).unwrap_or(ceil.rate as u64);
    let burst = burst_of(p, rate64, ne32(&o, 24));
    let cburst = burst_of(p, ceil64, ne32(&o, 28));
    Some(HtbClass { rate: rate64, ceil: ceil64, burst, cburst, prio: ne32(&o, 40), quantum: ne32(&o, 32), level: ne32(&o, 36), spec: rate })
}

fn htb_class_decode(v: &Value, ctx: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
    let Value::Nested(attrs) = v else { return table_decode(v) };
    let Some(HtbClass { rate, ceil, burst, cburst, prio, quantum, spec, .. }) = htb_class_summary(attrs, ctx.psched) else {
        return Vec::new();
    };
    let mut out = vec![
        ("rate".to_string(), Opt::Str(units::exact_rate(rate))),
        ("ceil".to_string(), Opt::Str(units::exact_rate(ceil))),
        ("burst".to_string(), Opt::Str(units::exact_size(burst))),
        ("cburst".to_string(), Opt::Str(units::exact_size(cburst))),
        ("prio".to_string(), Opt::Int(prio as i64)),
        ("quantum".to_string(), Opt::Int(quantum as i64)),
    ];
    push_ratespec_extras(&mut out, &spec);
    out
}
