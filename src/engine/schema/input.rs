//! Input: option trees ([`Opt`]) from Lua tables or Rust callers, encoded with
//! an attribute table; and decoded values turned back into options.

use std::fmt;
use std::net::IpAddr;

use super::{Attr, AttrDef, AttrSet, Attrs, Field, StructDef, Type, Unit, Value};
use crate::engine::message::NLA_F_NESTED;


/// A loosely typed option value, the common language of Lua tables, Rust callers
/// and decoded objects.
#[derive(Debug, Clone, PartialEq)]
pub enum Opt {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating point number.
    Num(f64),
    /// A string.
    Str(String),
    /// Raw bytes.
    Bytes(Vec<u8>),
    /// A list.
    List(Vec<Opt>),
    /// Keys in the order given (Lua tables are sorted by key when converted).
    Map(Vec<(String, Opt)>),
}

impl Opt {
    /// Words for "got ..." in error messages: strings quoted, tables as "a table".
    pub fn describe(&self) -> String {
        match self {
            Opt::Bool(b) => b.to_string(),
            Opt::Int(i) => i.to_string(),
            Opt::Num(n) => n.to_string(),
            Opt::Str(s) => format!("{s:?}"),
            Opt::Bytes(_) => "binary string".into(),
            Opt::List(_) | Opt::Map(_) => "a table".into(),
        }
    }
    /// Look up a key in a map.
    pub fn get(&self, key: &str) -> Option<&Opt> {
        match self {
            Opt::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Opt::Str(s) => Some(s),
            _ => None,
        }
    }
    /// An integer, if this is one (integral floats count).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Opt::Int(i) => Some(*i),
            Opt::Num(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Some(*n as i64),
            _ => None,
        }
    }
}

impl fmt::Display for Opt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Resolves interface names for attributes that name a link (`dev="eth0"`).
pub trait Resolver {
    /// The ifindex of `name` in the namespace being written to.
    fn ifindex(&self, name: &str) -> Result<u32, String>;
}

/// A resolver for contexts where names cannot be resolved (only numbers pass).
pub struct NoResolver;

impl Resolver for NoResolver {
    fn ifindex(&self, name: &str) -> Result<u32, String> {
        Err(format!("cannot resolve interface {name:?} here"))
    }
}

/// A problem with one field of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError(pub String);

impl FieldError {
    fn field(path: &str, msg: impl fmt::Display) -> FieldError {
        FieldError(format!("field '{path}': {msg}"))
    }
    fn expected(path: &str, what: &str, got: &Opt) -> FieldError {
        FieldError::field(path, format!("expected {what}, got {}", got.describe()))
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The closest of `candidates` to `word`, if it is a plausible typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(word, c);
        let limit = if word.len() <= 3 { 1 } else { 2 };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal-string-alignment distance: like Levenshtein, with a swap of two
/// neighbours counting one (the commonest typo: "mut" for "mtu").
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = (a[i - 1] != b[j - 1]) as usize;
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// The error for a key nobody knows, with a suggestion from `known`.
pub fn unknown_option<'a>(key: &str, known: impl IntoIterator<Item = &'a str>) -> FieldError {
    unknown_option_at("", key, known)
}

/// [`unknown_option`] for a key inside `prefix` ("peer."): the suggestion is
/// computed on the bare key and printed with the prefix.
pub fn unknown_option_at<'a>(prefix: &str, key: &str, known: impl IntoIterator<Item = &'a str>) -> FieldError {
    match did_you_mean(key, known) {
        Some(s) => FieldError(format!("unknown option '{prefix}{key}' (did you mean '{prefix}{s}'?)")),
        None => FieldError(format!("unknown option '{prefix}{key}'")),
    }
}

/// Encode `opts` (name → value) with `set`. Attributes come out in table order
/// (stable, and the order iproute2 uses where the tables follow it). `prefix`
/// names the enclosing field in messages ("peer."). Keys the set does not know
/// are returned for the caller to handle or reject.
pub fn encode_opts<'o>(
    set: &'static AttrSet,
    opts: &'o [(String, Opt)],
    prefix: &str,
    res: &dyn Resolver,
) -> Result<(Attrs, Vec<&'o str>), FieldError> {
    let mut chosen: Vec<(usize, Attr)> = Vec::new();
    let mut unknown = Vec::new();
    for (key, val) in opts {
        let defs: Vec<&'static AttrDef> = set.by_name(key).filter(|d| !d.read_only).collect();
        if defs.is_empty() {
            unknown.push(key.as_str());
            continue;
        }
        let path = format!("{prefix}{key}");
        // Alternatives sharing a name (v4/v6 twins): the first that accepts the value.
        let mut first_err = None;
        let mut done = false;
        for d in &defs {
            match opt_to_value(d, val, &path, res) {
                Ok(None) => {
                    done = true;
                    break;
                }
                Ok(Some(v)) => {
                    let pos = set.attrs.iter().position(|x| std::ptr::eq(x, *d)).unwrap_or(usize::MAX);
                    let canon = set.by_id(d.id).unwrap_or(d);
                    let flags = if canon.nested_flag { NLA_F_NESTED } else { 0 };
                    chosen.push((pos, Attr { id: d.id, flags, def: Some(canon), value: v }));
                    done = true;
                    break;
                }
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        if !done {
            let e = first_err.unwrap();
            // v4/v6 twins: say what either would have taken.
            if defs.len() > 1 {
                let whats: Vec<String> =
                    defs.iter().filter_map(|d| opt_to_value(d, val, &path, res).err()).filter_map(|e| expected_part(&e.0)).collect();
                if whats.len() == defs.len() {
                    let mut uniq: Vec<String> = Vec::new();
                    for w in whats {
                        if !uniq.contains(&w) {
                            uniq.push(w);
                        }
                    }
                    return Err(FieldError::expected(&path, &uniq.join(" or "), val));
                }
            }
            return Err(e);
        }
    }
    chosen.sort_by_key(|(pos, _)| *pos);
    Ok((Attrs(chosen.into_iter().map(|(_, a)| a).collect()), unknown))
}

/// The "X" of "field 'f': expected X, got Y".
fn expected_part(msg: &str) -> Option<String> {
    let (_, rest) = msg.split_once(": expected ")?;
    let (what, _) = rest.rsplit_once(", got ")?;
    Some(what.to_string())
}

/// Like [`encode_opts`], but every key must be known to the set.
pub fn encode_opts_strict(
    set: &'static AttrSet,
    opts: &[(String, Opt)],
    prefix: &str,
    res: &dyn Resolver,
) -> Result<Attrs, FieldError> {
    let (attrs, unknown) = encode_opts(set, opts, prefix, res)?;
    if let Some(k) = unknown.first() {
        return Err(unknown_option_at(prefix, k, set.input_names()));
    }
    Ok(attrs)
}

fn int_range(ty: &Type) -> (i128, i128) {
    match ty {
        Type::U8 => (0, u8::MAX as i128),
        Type::Bool => (0, 1),
        Type::U16 | Type::Be16 => (0, u16::MAX as i128),
        Type::U32 | Type::Be32 => (0, u32::MAX as i128),
        Type::U64 => (0, u64::MAX as i128),
        Type::I32 => (i32::MIN as i128, i32::MAX as i128),
        _ => (i64::MIN as i128, i64::MAX as i128),
    }
}

fn is_int(ty: &Type) -> bool {
    matches!(ty, Type::U8 | Type::Bool | Type::U16 | Type::U32 | Type::U64 | Type::I32 | Type::I64 | Type::Be16 | Type::Be32)
}

/// Parse an integer option for a scalar with optional names/unit/range.
#[allow(clippy::too_many_arguments)]
fn opt_to_int(
    ty: &Type,
    names: &[(u64, &str)],
    unit: Option<Unit>,
    range: Option<(i64, i64)>,
    ifindex: bool,
    v: &Opt,
    path: &str,
    res: &dyn Resolver,
) -> Result<Value, FieldError> {
    let (lo, hi) = match range {
        Some((lo, hi)) => (lo as i128, hi as i128),
        None => int_range(ty),
    };
    let what = || {
        if let Some(u) = unit {
            u.expected.to_string()
        } else if ifindex {
            "an interface name or index".to_string()
        } else if !names.is_empty() {
            let list: Vec<String> = names.iter().map(|(_, n)| format!("\"{n}\"")).collect();
            format!("one of {}", list.join(", "))
        } else if matches!(ty, Type::Bool) {
            "boolean".to_string()
        } else if range.is_some() {
            format!("integer {lo}..{hi}")
        } else {
            "integer".to_string()
        }
    };
    let n: i128 = match v {
        Opt::Bool(_) if !names.is_empty() || unit.is_some() => return Err(FieldError::expected(path, &what(), v)),
        Opt::Bool(b) => *b as i128,
        Opt::Str(s) if ifindex => match s.parse::<u32>() {
            Ok(n) => n as i128,
            Err(_) => res.ifindex(s).map_err(|e| FieldError::field(path, e))? as i128,
        },
        Opt::Str(s) if !names.is_empty() => match names.iter().find(|(_, n)| n == s) {
            Some((k, _)) => *k as i128,
            None => return Err(FieldError::expected(path, &what(), v)),
        },
        _ if unit.is_some() => {
            let u = unit.unwrap();
            (u.parse)(v).map_err(|e| FieldError::field(path, e))? as i128
        }
        _ => match v.as_int() {
            Some(i) => i as i128,
            None => return Err(FieldError::expected(path, &what(), v)),
        },
    };
    if n < lo || n > hi {
        return Err(FieldError::expected(path, &what(), v));
    }
    Ok(if matches!(ty, Type::I32 | Type::I64) { Value::I(n as i64) } else { Value::U(n as u64) })
}

/// Convert one option to a value for `d`; Ok(None) means "omit" (a false flag).
fn opt_to_value(d: &AttrDef, v: &Opt, path: &str, res: &dyn Resolver) -> Result<Option<Value>, FieldError> {
    scalar_or_compound(&d.ty, d.names, d.unit, d.range, d.ifindex, v, path, res)
}

#[allow(clippy::too_many_arguments)]
fn scalar_or_compound(
    ty: &Type,
    names: &[(u64, &str)],
    unit: Option<Unit>,
    range: Option<(i64, i64)>,
    ifindex: bool,
    v: &Opt,
    path: &str,
    res: &dyn Resolver,
) -> Result<Option<Value>, FieldError> {
    if is_int(ty) {
        return opt_to_int(ty, names, unit, range, ifindex, v, path, res).map(Some);
    }
    Ok(Some(match ty {
        Type::Str => match v {
            Opt::Str(s) if !s.contains('\0') => Value::Str(s.clone()),
            _ => return Err(FieldError::expected(path, "string", v)),
        },
        Type::Bytes => match v {
            Opt::Str(s) => Value::Bytes(s.as_bytes().to_vec()),
            Opt::Bytes(b) => Value::Bytes(b.clone()),
            _ => return Err(FieldError::expected(path, "string", v)),
        },
        Type::Ip | Type::Ipv4 | Type::Ipv6 => {
            let what = match ty {
                Type::Ipv4 => "IPv4 address",
                Type::Ipv6 => "IPv6 address",
                _ => "IP address",
            };
            let a: IpAddr = match v.as_str().and_then(|s| s.parse().ok()) {
                Some(a) => a,
                None => return Err(FieldError::expected(path, what, v)),
            };
            match (ty, a) {
                (Type::Ipv4, IpAddr::V6(_)) | (Type::Ipv6, IpAddr::V4(_)) => {
                    return Err(FieldError::expected(path, what, v));
                }
                _ => Value::Ip(a),
            }
        }
        Type::Mac => match v.as_str().and_then(|s| crate::units::parse_mac(s).ok()) {
            Some(m) => Value::Mac(m),
            None => return Err(FieldError::expected(path, "MAC address like \"02:00:00:00:00:01\"", v)),
        },
        Type::Flag => match v {
            Opt::Bool(true) => Value::Flag,
            Opt::Bool(false) => return Ok(None),
            _ => return Err(FieldError::expected(path, "boolean", v)),
        },
        Type::Struct(sd) => Value::Struct(sd, opt_to_struct(sd, v, path, res)?, Vec::new()),
        Type::Nested(set) => match v {
            Opt::Map(m) => Value::Nested(encode_opts_strict(set, m, &format!("{path}."), res)?),
            _ => return Err(FieldError::expected(path, "table", v)),
        },
        Type::StructThen(sd, set) => match v {
            Opt::Map(m) => {
                let (sfields, rest): (Vec<_>, Vec<_>) =
                    m.iter().cloned().partition(|(k, _)| sd.fields.iter().any(|f| f.name == k));
                let s = opt_to_struct(sd, &Opt::Map(sfields), path, res)?;
                Value::StructThen(sd, s, encode_opts_strict(set, &rest, &format!("{path}."), res)?)
            }
            _ => return Err(FieldError::expected(path, "table", v)),
        },
        Type::List(elem) => match v {
            Opt::List(items) => {
                let mut out = Vec::new();
                for (i, it) in items.iter().enumerate() {
                    let p = format!("{path}[{}]", i + 1);
                    if let Some(x) = scalar_or_compound(elem, &[], None, None, false, it, &p, res)? {
                        out.push(x);
                    }
                }
                Value::List(out)
            }
            _ => return Err(FieldError::expected(path, "list", v)),
        },
        Type::ByKind(_) => return Err(FieldError::field(path, "is set through its kind")),
        _ => unreachable!("integer types handled above"),
    }))
}

/// Convert one option to the value of struct field `f` (ints with the field's
/// names and unit, addresses, ...); Ok(None) means "omit" (a false flag).
pub fn opt_to_field(f: &Field, v: &Opt, path: &str, res: &dyn Resolver) -> Result<Option<Value>, FieldError> {
    scalar_or_compound(&f.ty, f.names, f.unit, None, false, v, path, res)
}

fn opt_to_struct(sd: &StructDef, v: &Opt, path: &str, res: &dyn Resolver) -> Result<Vec<(&'static str, Value)>, FieldError> {
    let Opt::Map(m) = v else { return Err(FieldError::expected(path, "table", v)) };
    let mut out = Vec::new();
    for (k, x) in m {
        let Some(f) = sd.fields.iter().find(|f| f.name == k) else {
            return Err(unknown_option_at(&format!("{path}."), k, sd.fields.iter().map(|f| f.name)));
        };
        let p = format!("{path}.{k}");
        let val = match f.ty {
            Type::Bytes => match x {
                Opt::Str(s) if s.len() <= f.len => Value::Bytes(s.as_bytes().to_vec()),
                _ => return Err(FieldError::expected(&p, &format!("string of at most {} bytes", f.len), x)),
            },
            ref t => match scalar_or_compound(t, f.names, f.unit, None, false, x, &p, res)? {
                Some(v) => v,
                None => continue,
            },
        };
        out.push((f.name, val));
    }
    Ok(out)
}

/// Turn a decoded value into an option value, applying the type (booleans),
/// symbolic names and units.
pub fn value_to_opt(v: &Value, ty: Option<&Type>, names: &[(u64, &str)], unit: Option<Unit>) -> Opt {
    let fields_to_opt = |sd: &StructDef, fields: &[(&'static str, Value)]| -> Vec<(String, Opt)> {
        fields
            .iter()
            .map(|(n, v)| {
                let f = sd.fields.iter().find(|f| f.name == *n);
                let o = match f {
                    Some(f) => value_to_opt(v, Some(&f.ty), f.names, f.unit),
                    None => value_to_opt(v, None, &[], None),
                };
                (n.to_string(), o)
            })
            .collect()
    };
    match v {
        Value::U(n) => {
            if let Some((_, s)) = names.iter().find(|(k, _)| k == n) {
                Opt::Str(s.to_string())
            } else if matches!(ty, Some(Type::Bool)) {
                Opt::Bool(*n != 0)
            } else if let Some(u) = unit {
                (u.format)(*n)
            } else {
                Opt::Int(*n as i64)
            }
        }
        Value::I(n) => Opt::Int(*n),
        Value::Str(s) | Value::Text(s) => Opt::Str(s.clone()),
        Value::Bytes(b) => Opt::Bytes(b.clone()),
        Value::Ip(a) => Opt::Str(a.to_string()),
        Value::Mac(m) => Opt::Str(crate::units::format_mac(m)),
        Value::Flag => Opt::Bool(true),
        Value::Struct(sd, fields, _) => Opt::Map(fields_to_opt(sd, fields)),
        Value::Nested(a) => a.to_opt(),
        Value::StructThen(sd, fields, a) => {
            let mut m = fields_to_opt(sd, fields);
            if let Opt::Map(rest) = a.to_opt() {
                m.extend(rest);
            }
            Opt::Map(m)
        }
        Value::List(items) => {
            let elem = match ty {
                Some(Type::List(e)) => Some(*e),
                _ => None,
            };
            Opt::List(items.iter().map(|v| value_to_opt(v, elem, &[], None)).collect())
        }
    }
}

