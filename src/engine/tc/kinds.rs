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
    /// Resolves device names to indexes.
    pub res: &'a dyn Resolver,
    /// The kernel's packet scheduler clock (for time and size conversions).
    pub psched: Psched,
    /// A filter's protocol (ETH_P_*, host order); 0 elsewhere.
    pub protocol: u16,
    /// File descriptors the encoded options refer to (a bpf program), to be
    /// kept open until the request is sent.
    pub keep: std::cell::RefCell<Vec<std::os::fd::OwnedFd>>,
}

/// What a decoder may need besides the bytes.
pub struct DecodeCtx<'a> {
    /// The kernel's packet scheduler clock (for time and size conversions).
    pub psched: Psched,
    /// iproute2's name files.
    pub names: &'a dyn LinkNames,
    /// The filter's protocol (ETH_P_*), for keys whose offsets depend on it.
    pub protocol: u16,
}

/// Reads a kind's options out of the add table (taking the keys it knows).
pub type EncodeFn = fn(&mut Fields<'_>, &Ctx<'_>) -> Result<Option<Value>, FieldError>;
/// Turns TCA_OPTIONS back into the add table's words.
pub type DecodeFn = fn(&Value, &DecodeCtx<'_>) -> Vec<(String, Opt)>;

/// The options of one kind of one object type, where a table is not enough.
pub struct Codec {
    /// Which object kind it is for (qdisc, class, filter).
    pub obj: Obj,
    /// The tc kind this codec encodes and decodes (`htb`, `netem`...).
    pub kind: &'static str,
    /// Encodes options into TCA_OPTIONS.
    pub encode: EncodeFn,
    /// Decodes TCA_OPTIONS into options.
    pub decode: DecodeFn,
}

static CODECS: &[Codec] = &[
    Codec { obj: Obj::Qdisc, kind: "netem", encode: super::netem::encode, decode: super::netem::decode },
    Codec { obj: Obj::Qdisc, kind: "tbf", encode: super::tbf::encode, decode: super::tbf::decode },
    Codec { obj: Obj::Qdisc, kind: "htb", encode: super::htb::encode, decode: super::htb::decode },
    Codec { obj: Obj::Qdisc, kind: "prio", encode: prio_encode, decode: prio_decode },
    Codec { obj: Obj::Qdisc, kind: "pfifo_fast", encode: no_options, decode: no_decode },
    Codec { obj: Obj::Qdisc, kind: "fq", encode: fq_encode, decode: fq_decode },
    Codec { obj: Obj::Qdisc, kind: "fq_codel", encode: fq_codel_encode, decode: codel_decode },
    Codec { obj: Obj::Qdisc, kind: "codel", encode: codel_encode, decode: codel_decode },
    Codec { obj: Obj::Qdisc, kind: "sfq", encode: sfq_encode, decode: sfq_decode },
    Codec { obj: Obj::Class, kind: "htb", encode: super::htb::class_encode, decode: super::htb::class_decode },
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
// fq, fq_codel, codel, sfq: their tables, with tc's words where the kernel's
// differ (fq's `buckets` is a count, flags read back as booleans)

fn table_of(kind: &str) -> &'static Type {
    S::QDISC_KINDS.case(kind).expect("a qdisc kind with a table")
}

/// Integer 0/1 options of `keys` as booleans.
fn flags_as_bools(mut out: Vec<(String, Opt)>, keys: &[&str]) -> Vec<(String, Opt)> {
    for (k, v) in out.iter_mut() {
        if keys.contains(&k.as_str())
            && let Opt::Int(n) = v {
                *v = Opt::Bool(*n != 0);
            }
    }
    out
}

fn fq_encode(f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    // tc's `buckets 2048` is the kernel's buckets_log 11
    let buckets = match f.take("buckets") {
        None => None,
        Some(v) => match v.as_int() {
            Some(n) if n > 0 && (n as u64).is_power_of_two() && n <= 1 << 30 => Some(n.trailing_zeros()),
            _ => return Err(f.expected("buckets", "a power of two like 1024", v)),
        },
    };
    let mut v = table_encode(table_of("fq"), f, ctx)?;
    if let (Some(log), Some(Value::Nested(attrs))) = (buckets, v.as_mut()) {
        if attrs.has(S::TCA_FQ_BUCKETS_LOG) {
            return Err(field_err(&f.path("buckets"), "give either 'buckets' or 'buckets_log'"));
        }
        attrs.0.insert(0, attr(&S::FQ, S::TCA_FQ_BUCKETS_LOG, u32v(log)));
    }
    Ok(v)
}

fn fq_decode(v: &Value, _: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
    let mut out = flags_as_bools(table_decode(v), &["pacing", "horizon_drop"]);
    for (k, v) in out.iter_mut() {
        if k == "buckets_log"
            && let Opt::Int(n) = v {
                *k = "buckets".into();
                *v = Opt::Int(1i64 << (*n).clamp(0, 62));
            }
    }
    out
}

fn fq_codel_encode(f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    table_encode(table_of("fq_codel"), f, ctx)
}

fn codel_encode(f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    table_encode(table_of("codel"), f, ctx)
}

fn codel_decode(v: &Value, _: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
    flags_as_bools(table_decode(v), &["ecn"])
}

fn sfq_encode(f: &mut Fields<'_>, ctx: &Ctx<'_>) -> Result<Option<Value>, FieldError> {
    // tc's `headdrop` is a flag; the struct's field a u32 (1 or 0 also do)
    let headdrop = match f.take("headdrop") {
        None => false,
        Some(Opt::Bool(b)) => *b,
        Some(Opt::Int(n @ (0 | 1))) => *n == 1,
        Some(v) => return Err(f.expected("headdrop", "boolean", v)),
    };
    let mut v = table_encode(table_of("sfq"), f, ctx)?;
    if headdrop {
        match &mut v {
            Some(Value::Struct(_, fields, _)) => fields.push(("headdrop", Value::U(1))),
            _ => v = Some(Value::Struct(&S::SFQ_QOPT, vec![("headdrop", Value::U(1))], Vec::new())),
        }
    }
    Ok(v)
}

/// sfq's options without the struct's counters and the zeros tc leaves unset.
fn sfq_decode(v: &Value, _: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
    const COUNTERS: &[&str] = &["prob_drop", "forced_drop", "prob_mark", "forced_mark", "prob_mark_head", "forced_mark_head"];
    let out = table_decode(v).into_iter().filter(|(k, v)| !COUNTERS.contains(&k.as_str()) && *v != Opt::Int(0)).collect();
    flags_as_bools(out, &["headdrop"])
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

pub(crate) fn ne32(b: &[u8], off: usize) -> u32 {
    u32::from_ne_bytes(b[off..off + 4].try_into().unwrap())
}

/// The burst (bytes) that encodes to `ticks` at `rate`. tc prints
/// xmitsize(), which its truncations can leave bytes short of what was given;
/// several sizes encode alike, so take the roundest one that does.
pub fn burst_of(p: Psched, rate: u64, ticks: u32) -> u32 {
    let est = core::xmitsize(p, rate, ticks);
    // one microsecond of bytes on either side covers every truncation (capped:
    // rates past 100tbit come only from bytes no kernel sent)
    let slack = (rate / 1_000_000 + 4).min(1 << 24) as u32 * 2;
    let found: Vec<u32> = (est.saturating_sub(slack)..=est.saturating_add(slack)).filter(|b| core::xmittime(p, rate, *b) == ticks).collect();
    core::roundest(&found).unwrap_or(est)
}

/// A size with tc's "/cell" suffix ("10kb/16") when the rate table used a
/// cell other than the one tc picks for `mtu`. The kernel reports cell_log 0,
/// so only requests (captures) carry one.
pub fn size_cell(size: u32, cell_log: u8, mtu: u32) -> String {
    let s = units::exact_size(size);
    match 1u32.checked_shl(cell_log.into()) {
        Some(cell) if cell_log != 0 && cell_log != core::default_cell_log(mtu) => format!("{s}/{cell}"),
        _ => s,
    }
}

pub(crate) fn push_ratespec_extras(out: &mut Vec<(String, Opt)>, r: &RateSpec) {
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
            // tc's default map (sent whatever the bands) stays implicit
            ("priomap", Value::Bytes(m)) if m[..] != PRIO_DEFAULT_MAP => {
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
