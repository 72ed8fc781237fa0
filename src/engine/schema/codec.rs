//! The generic decoder and encoder: attribute buffers to [`Attrs`] and back.
//! Anything a table does not describe (or describes with a length that does
//! not fit) stays raw bytes, so decode-then-encode is byte-exact.

use std::net::IpAddr;

use super::{Attr, Attrs, AttrSet, StructDef, Type, Value};
use crate::engine::message::{self, NLA_TYPE_MASK};


/// Decode a buffer of attributes with `set`.
pub fn decode(set: &'static AttrSet, buf: &[u8]) -> Attrs {
    decode_where(set, buf, |_| true)
}

/// Decode only the attributes whose id `keep` accepts, each exactly as
/// [`decode`] would (the rest are skipped, not kept).
pub fn decode_where(set: &'static AttrSet, buf: &[u8], keep: impl Fn(u16) -> bool) -> Attrs {
    let mut out = Vec::new();
    for (raw_ty, data) in message::attrs(buf) {
        let id = raw_ty & NLA_TYPE_MASK;
        if !keep(id) {
            continue;
        }
        let flags = raw_ty & !NLA_TYPE_MASK;
        let def = set.by_id(id);
        let value = match def {
            None => Value::Bytes(data.to_vec()),
            Some(d) => match d.ty {
                Type::ByKind(disp) => match kind_of(set, buf, disp.selector).and_then(|k| disp.case(&k)) {
                    Some(t) => decode_value(t, data),
                    None => Value::Bytes(data.to_vec()),
                },
                t => decode_value(&t, data),
            },
        };
        out.push(Attr { id, flags, def, value });
    }
    Attrs(out)
}

fn kind_of(_set: &AttrSet, buf: &[u8], selector: u16) -> Option<String> {
    let d = message::find_attr(buf, selector)?;
    let d = d.strip_suffix(&[0]).unwrap_or(d);
    std::str::from_utf8(d).ok().map(str::to_string)
}

fn decode_int(ty: &Type, d: &[u8]) -> Option<Value> {
    Some(match (ty, d.len()) {
        (Type::U8 | Type::Bool, 1) => Value::U(d[0] as u64),
        (Type::U16, 2) => Value::U(u16::from_ne_bytes([d[0], d[1]]) as u64),
        (Type::U32, 4) => Value::U(u32::from_ne_bytes(d.try_into().ok()?) as u64),
        (Type::U64, 8) => Value::U(u64::from_ne_bytes(d.try_into().ok()?)),
        (Type::I32, 4) => Value::I(i32::from_ne_bytes(d.try_into().ok()?) as i64),
        (Type::I64, 8) => Value::I(i64::from_ne_bytes(d.try_into().ok()?)),
        (Type::Be16, 2) => Value::U(u16::from_be_bytes([d[0], d[1]]) as u64),
        (Type::Be32, 4) => Value::U(u32::from_be_bytes(d.try_into().ok()?) as u64),
        _ => return None,
    })
}

/// Decode one value of type `ty`; anything that does not fit stays raw bytes so
/// it re-encodes exactly.
pub fn decode_value(ty: &Type, d: &[u8]) -> Value {
    let raw = || Value::Bytes(d.to_vec());
    match ty {
        Type::U8 | Type::Bool | Type::U16 | Type::U32 | Type::U64 | Type::I32 | Type::I64 | Type::Be16 | Type::Be32 => {
            decode_int(ty, d).unwrap_or_else(raw)
        }
        Type::Str => match d.split_last() {
            Some((0, s)) if !s.contains(&0) => match std::str::from_utf8(s) {
                Ok(s) => Value::Str(s.to_string()),
                Err(_) => raw(),
            },
            Some(_) if !d.contains(&0) => match std::str::from_utf8(d) {
                Ok(s) => Value::Text(s.to_string()),
                Err(_) => raw(),
            },
            _ => raw(),
        },
        Type::Bytes => raw(),
        Type::Ip | Type::Ipv4 | Type::Ipv6 => match (ty, d.len()) {
            (Type::Ip | Type::Ipv4, 4) => Value::Ip(IpAddr::from(<[u8; 4]>::try_from(d).unwrap())),
            (Type::Ip | Type::Ipv6, 16) => Value::Ip(IpAddr::from(<[u8; 16]>::try_from(d).unwrap())),
            _ => raw(),
        },
        Type::Mac => Value::Mac(d.to_vec()),
        Type::Flag => {
            if d.is_empty() {
                Value::Flag
            } else {
                raw()
            }
        }
        Type::Struct(sd) => {
            if d.len() < sd.size {
                raw()
            } else {
                Value::Struct(sd, decode_struct(sd, &d[..sd.size]), d[sd.size..].to_vec())
            }
        }
        Type::Nested(set) => Value::Nested(decode(set, d)),
        Type::ByKind(_) => raw(), // resolved by the enclosing set in `decode`
        Type::StructThen(sd, set) => {
            if d.len() < sd.size {
                return raw();
            }
            let rest = &d[message::align(sd.size).min(d.len())..];
            Value::StructThen(sd, decode_struct(sd, &d[..sd.size]), decode(set, rest))
        }
        Type::List(elem) => {
            let mut v = Vec::new();
            for (_, data) in message::attrs(d) {
                v.push(decode_value(elem, data));
            }
            // Lists must re-encode with ids 1..n; anything else stays raw.
            let mut check = Vec::new();
            encode_list(&v, &mut check);
            if check == d { Value::List(v) } else { raw() }
        }
    }
}

fn decode_struct(sd: &StructDef, d: &[u8]) -> Vec<(&'static str, Value)> {
    sd.fields
        .iter()
        .map(|f| {
            let b = &d[f.off..f.off + f.len];
            let v = match f.ty {
                Type::Mac => Value::Mac(b.to_vec()),
                Type::Bytes => Value::Bytes(b.to_vec()),
                ref t => decode_value(t, b),
            };
            (f.name, v)
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Encoding

/// Encode one attribute (header, value, padding).
pub fn encode_attr(a: &Attr, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&(a.id | a.flags).to_ne_bytes());
    encode_value(&a.value, a.def.map(|d| d.ty), out);
    let len = (out.len() - start) as u16;
    out[start..start + 2].copy_from_slice(&len.to_ne_bytes());
    let n = message::align(out.len());
    out.resize(n, 0);
}

fn int_bytes(ty: Option<Type>, v: u64, out: &mut Vec<u8>) {
    match ty {
        Some(Type::U8 | Type::Bool) => out.push(v as u8),
        Some(Type::U16) => out.extend_from_slice(&(v as u16).to_ne_bytes()),
        Some(Type::Be16) => out.extend_from_slice(&(v as u16).to_be_bytes()),
        Some(Type::Be32) => out.extend_from_slice(&(v as u32).to_be_bytes()),
        Some(Type::U64) | Some(Type::I64) => out.extend_from_slice(&v.to_ne_bytes()),
        _ => out.extend_from_slice(&(v as u32).to_ne_bytes()),
    }
}

fn encode_value(v: &Value, ty: Option<Type>, out: &mut Vec<u8>) {
    match v {
        Value::U(n) => int_bytes(ty, *n, out),
        Value::I(n) => int_bytes(ty, *n as u64, out),
        Value::Str(s) => {
            out.extend_from_slice(s.as_bytes());
            out.push(0);
        }
        Value::Text(s) => out.extend_from_slice(s.as_bytes()),
        Value::Bytes(b) | Value::Mac(b) => out.extend_from_slice(b),
        Value::Ip(IpAddr::V4(a)) => out.extend_from_slice(&a.octets()),
        Value::Ip(IpAddr::V6(a)) => out.extend_from_slice(&a.octets()),
        Value::Flag => {}
        Value::Struct(sd, fields, tail) => {
            encode_struct(sd, fields, out);
            out.extend_from_slice(tail);
        }
        Value::Nested(attrs) => attrs.encode(out),
        Value::StructThen(sd, fields, attrs) => {
            encode_struct(sd, fields, out);
            let n = message::align(out.len());
            out.resize(n, 0);
            attrs.encode(out);
        }
        Value::List(items) => encode_list(items, out),
    }
}

fn encode_list(items: &[Value], out: &mut Vec<u8>) {
    for (i, it) in items.iter().enumerate() {
        let ty = match it {
            Value::U(n) if *n > u32::MAX as u64 => Some(Type::U64),
            _ => None,
        };
        let start = out.len();
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&(i as u16 + 1).to_ne_bytes());
        encode_value(it, ty, out);
        let len = (out.len() - start) as u16;
        out[start..start + 2].copy_from_slice(&len.to_ne_bytes());
        let n = message::align(out.len());
        out.resize(n, 0);
    }
}

/// Encode struct fields into `sd.size` bytes (missing fields are zero).
pub fn encode_struct(sd: &StructDef, fields: &[(&'static str, Value)], out: &mut Vec<u8>) {
    let base = out.len();
    out.resize(base + sd.size, 0);
    for f in sd.fields {
        let Some((_, v)) = fields.iter().find(|(n, _)| *n == f.name) else { continue };
        let mut tmp = Vec::with_capacity(f.len);
        encode_value(v, Some(f.ty), &mut tmp);
        tmp.resize(f.len, 0);
        out[base + f.off..base + f.off + f.len].copy_from_slice(&tmp);
    }
}

