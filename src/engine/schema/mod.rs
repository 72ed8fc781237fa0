//! The wire, table-driven. Each attribute set is a static table giving every
//! attribute its id, name and type; one generic decoder and one generic encoder
//! serve every family. An attribute the table does not know is kept as raw bytes
//! and re-encodes byte for byte.
//!
//! Input comes in as [`Opt`] trees (what a Lua option table or a Rust caller
//! gives); output can be turned back into the same shape with [`Attrs::to_opt`],
//! so what a list returns can be fed to an add or replace unchanged.

pub mod addr;
pub mod fields;
pub mod link;
pub mod neigh;
pub mod route;
pub mod rule;
pub mod tc;
pub mod tc_filter;
pub mod tc_netem;

pub use fields::Fields;

use std::fmt;
use std::net::IpAddr;

use super::message::{self, NLA_F_NESTED, NLA_TYPE_MASK};

/// The wire type of an attribute or struct field.
#[derive(Debug, Clone, Copy)]
pub enum Type {
    U8,
    U16,
    U32,
    U64,
    I32,
    I64,
    /// A u8 that means true/false (Lua booleans in and out).
    Bool,
    /// Big-endian (network order) integers: ports, protocols.
    Be16,
    Be32,
    /// NUL-terminated string.
    Str,
    /// Opaque bytes.
    Bytes,
    /// IPv4 or IPv6 address, by length.
    Ip,
    Ipv4,
    Ipv6,
    /// Link-layer address of any length.
    Mac,
    /// Presence only.
    Flag,
    /// A fixed C struct.
    Struct(&'static StructDef),
    /// Nested attributes of one set.
    Nested(&'static AttrSet),
    /// Nested data whose type is chosen by the string value of a sibling
    /// attribute (IFLA_INFO_DATA by IFLA_INFO_KIND, TCA_OPTIONS by TCA_KIND).
    ByKind(&'static Dispatch),
    /// A C struct followed by aligned attributes (veth's peer: ifinfomsg + IFLA_*).
    StructThen(&'static StructDef, &'static AttrSet),
    /// Nested list: every child has the element type; child ids are positions.
    List(&'static Type),
}

/// Chooses the type of a [`Type::ByKind`] attribute from a sibling's string.
#[derive(Debug)]
pub struct Dispatch {
    /// Attribute id (in the same set) whose string value selects the case.
    pub selector: u16,
    /// (kind, type of the data for that kind).
    pub cases: &'static [(&'static str, Type)],
}

impl Dispatch {
    /// The data type for `kind`, if the table knows it.
    pub fn case(&self, kind: &str) -> Option<&'static Type> {
        self.cases.iter().find(|(k, _)| *k == kind).map(|(_, t)| t)
    }
}

/// Converts between an integer on the wire and the units users write
/// ("1mbit", "100ms", "1%"). `parse` gets the option as given; `format` makes the
/// option value a list returns.
#[derive(Debug, Clone, Copy)]
pub struct Unit {
    pub parse: fn(&Opt) -> Result<u64, String>,
    pub format: fn(u64) -> Opt,
    /// Words for error messages: "a rate like \"1mbit\"".
    pub expected: &'static str,
}

/// One attribute of a set.
#[derive(Debug, Clone, Copy)]
pub struct AttrDef {
    pub id: u16,
    /// Option name in Lua and in decoded output.
    pub name: &'static str,
    pub ty: Type,
    /// Symbolic names for integer values (macvlan mode "bridge" = 4).
    pub names: &'static [(u64, &'static str)],
    /// Inclusive range for integers, checked on input.
    pub range: Option<(i64, i64)>,
    pub unit: Option<Unit>,
    /// The value is an interface: a name or index resolved through the handle.
    pub ifindex: bool,
    /// Encoded with NLA_F_NESTED set (iproute2 sets it on some nests).
    pub nested_flag: bool,
    /// Read-only: reported by the kernel, refused as input.
    pub read_only: bool,
}

impl AttrDef {
    /// An attribute with no extras.
    pub const fn new(id: u16, name: &'static str, ty: Type) -> AttrDef {
        AttrDef { id, name, ty, names: &[], range: None, unit: None, ifindex: false, nested_flag: false, read_only: false }
    }
    /// Give integer values symbolic names.
    pub const fn names(mut self, names: &'static [(u64, &'static str)]) -> AttrDef {
        self.names = names;
        self
    }
    /// Limit integer input to `lo..=hi`.
    pub const fn range(mut self, lo: i64, hi: i64) -> AttrDef {
        self.range = Some((lo, hi));
        self
    }
    /// Parse and print with a unit.
    pub const fn unit(mut self, unit: Unit) -> AttrDef {
        self.unit = Some(unit);
        self
    }
    /// The value names an interface.
    pub const fn ifindex(mut self) -> AttrDef {
        self.ifindex = true;
        self
    }
    /// Set NLA_F_NESTED on encode.
    pub const fn nested_flag(mut self) -> AttrDef {
        self.nested_flag = true;
        self
    }
    /// Kernel-reported only.
    pub const fn read_only(mut self) -> AttrDef {
        self.read_only = true;
        self
    }
}

/// Shorthand used by the tables.
pub const fn a(id: u16, name: &'static str, ty: Type) -> AttrDef {
    AttrDef::new(id, name, ty)
}

/// A table of attributes. Several rows may share an id: the first is canonical
/// (used to decode), later rows are input aliases or alternatives chosen by the
/// value (vxlan `remote` is IFLA_VXLAN_GROUP for IPv4, IFLA_VXLAN_GROUP6 for v6).
#[derive(Debug)]
pub struct AttrSet {
    pub name: &'static str,
    pub attrs: &'static [AttrDef],
}

impl AttrSet {
    /// The canonical definition of attribute `id`.
    pub fn by_id(&self, id: u16) -> Option<&'static AttrDef> {
        self.attrs.iter().find(|d| d.id == id)
    }
    /// All definitions named `name` (aliases and per-family alternatives).
    pub fn by_name<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'static AttrDef> + 's {
        self.attrs.iter().filter(move |d| d.name == name)
    }
    /// Names accepted as input.
    pub fn input_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.attrs.iter().filter(|d| !d.read_only).map(|d| d.name)
    }
}

/// A C struct: fields at fixed offsets.
#[derive(Debug)]
pub struct StructDef {
    pub name: &'static str,
    pub size: usize,
    pub fields: &'static [Field],
}

// Definitions are static tables: two are the same when they are the same row.
impl PartialEq for StructDef {
    fn eq(&self, o: &StructDef) -> bool {
        std::ptr::eq(self, o)
    }
}
impl PartialEq for AttrDef {
    fn eq(&self, o: &AttrDef) -> bool {
        std::ptr::eq(self, o)
    }
}

/// One struct field; `ty` is a scalar type (ints, Ip, Mac, Bytes with `len`).
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub off: usize,
    pub ty: Type,
    pub len: usize,
    pub names: &'static [(u64, &'static str)],
    pub unit: Option<Unit>,
}

impl Field {
    /// A scalar field at `off`; the length comes from the type.
    pub const fn new(name: &'static str, off: usize, ty: Type) -> Field {
        let len = match ty {
            Type::U8 | Type::Bool => 1,
            Type::U16 | Type::Be16 => 2,
            Type::U32 | Type::I32 | Type::Be32 | Type::Ipv4 => 4,
            Type::U64 | Type::I64 => 8,
            Type::Ipv6 => 16,
            _ => 0,
        };
        Field { name, off, ty, len, names: &[], unit: None }
    }
    /// A bytes/mac field of `len` bytes.
    pub const fn bytes(name: &'static str, off: usize, ty: Type, len: usize) -> Field {
        Field { name, off, ty, len, names: &[], unit: None }
    }
    /// Give values symbolic names.
    pub const fn names(mut self, names: &'static [(u64, &'static str)]) -> Field {
        self.names = names;
        self
    }
    /// Parse and print with a unit.
    pub const fn unit(mut self, unit: Unit) -> Field {
        self.unit = Some(unit);
        self
    }
}

// ---------------------------------------------------------------------------
// Decoded values

/// A decoded attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Any unsigned or big-endian integer.
    U(u64),
    /// A signed integer.
    I(i64),
    Str(String),
    /// A string sent without its NUL terminator (iproute2 sends IFLA_INFO_KIND
    /// this way; kept apart so it re-encodes exactly).
    Text(String),
    /// Raw bytes: unknown attributes, or known ones whose length did not fit.
    Bytes(Vec<u8>),
    Ip(IpAddr),
    Mac(Vec<u8>),
    Flag,
    /// Struct fields in order, with the struct's definition and any bytes a
    /// newer kernel sent beyond the struct we know (kept for exact re-encoding).
    Struct(&'static StructDef, Vec<(&'static str, Value)>, Vec<u8>),
    Nested(Attrs),
    StructThen(&'static StructDef, Vec<(&'static str, Value)>, Attrs),
    List(Vec<Value>),
}

/// One attribute: its id, the flag bits it carried, its definition if known.
#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    pub id: u16,
    /// NLA_F_NESTED / NLA_F_NET_BYTEORDER as received or to send.
    pub flags: u16,
    pub def: Option<&'static AttrDef>,
    pub value: Value,
}

impl Attr {
    /// The option name: the table's, or `attr<id>` for an unknown one.
    pub fn name(&self) -> String {
        match self.def {
            Some(d) => d.name.to_string(),
            None => format!("attr{}", self.id),
        }
    }
}

/// Attributes in wire order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attrs(pub Vec<Attr>);

impl Attrs {
    /// The attribute with id `id`.
    pub fn get(&self, id: u16) -> Option<&Attr> {
        self.0.iter().find(|a| a.id == id)
    }
    /// The value of attribute `id`.
    pub fn value(&self, id: u16) -> Option<&Value> {
        self.get(id).map(|a| &a.value)
    }
    /// Integer value of `id`.
    pub fn uint(&self, id: u16) -> Option<u64> {
        match self.value(id)? {
            Value::U(v) => Some(*v),
            Value::I(v) => Some(*v as u64),
            _ => None,
        }
    }
    /// Signed integer value of `id`.
    pub fn int(&self, id: u16) -> Option<i64> {
        match self.value(id)? {
            Value::I(v) => Some(*v),
            Value::U(v) => Some(*v as i64),
            _ => None,
        }
    }
    /// String value of `id`.
    pub fn str(&self, id: u16) -> Option<&str> {
        match self.value(id)? {
            Value::Str(s) | Value::Text(s) => Some(s),
            _ => None,
        }
    }
    /// Address value of `id`.
    pub fn ip(&self, id: u16) -> Option<IpAddr> {
        match self.value(id)? {
            Value::Ip(a) => Some(*a),
            _ => None,
        }
    }
    /// Link-layer address value of `id`.
    pub fn mac(&self, id: u16) -> Option<&[u8]> {
        match self.value(id)? {
            Value::Mac(m) => Some(m),
            _ => None,
        }
    }
    /// Nested attributes of `id`.
    pub fn nested(&self, id: u16) -> Option<&Attrs> {
        match self.value(id)? {
            Value::Nested(a) => Some(a),
            Value::StructThen(_, _, a) => Some(a),
            _ => None,
        }
    }
    /// True when a flag (or any attribute) `id` is present.
    pub fn has(&self, id: u16) -> bool {
        self.get(id).is_some()
    }

    /// Encode in order.
    pub fn encode(&self, out: &mut Vec<u8>) {
        for a in &self.0 {
            encode_attr(a, out);
        }
    }

    /// Encode to a fresh buffer.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.encode(&mut v);
        v
    }

    /// The same content as an option tree (names, symbolic values, units), for
    /// Lua tables and JSON. Unknown attributes appear as `attr<id>` raw bytes.
    pub fn to_opt(&self) -> Opt {
        Opt::Map(
            self.0
                .iter()
                .map(|a| {
                    let (ty, names, unit) = a.def.map_or((None, &[][..], None), |d| (Some(&d.ty), d.names, d.unit));
                    (a.name(), value_to_opt(&a.value, ty, names, unit))
                })
                .collect(),
        )
    }
}

// ---------------------------------------------------------------------------
// Decoding

/// Decode a buffer of attributes with `set`.
pub fn decode(set: &'static AttrSet, buf: &[u8]) -> Attrs {
    let mut out = Vec::new();
    for (raw_ty, data) in message::attrs(buf) {
        let id = raw_ty & NLA_TYPE_MASK;
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

// ---------------------------------------------------------------------------
// Options: input from Lua tables or Rust callers

/// A loosely typed option value, the common language of Lua tables, Rust callers
/// and decoded objects.
#[derive(Debug, Clone, PartialEq)]
pub enum Opt {
    Bool(bool),
    Int(i64),
    Num(f64),
    Str(String),
    Bytes(Vec<u8>),
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
    for j in 0..=b.len() {
        d[0][j] = j;
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

#[cfg(test)]
mod tests;
