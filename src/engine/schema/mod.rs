//! The wire, table-driven. Each attribute set is a static table giving every
//! attribute its id, name and type; one generic decoder and one generic encoder
//! serve every family. An attribute the table does not know is kept as raw bytes
//! and re-encodes byte for byte.
//!
//! Input comes in as [`Opt`] trees (what a Lua option table or a Rust caller
//! gives); output can be turned back into the same shape with [`Attrs::to_opt`],
//! so what a list returns can be fed to an add or replace unchanged.

pub mod addr;
mod codec;
mod input;
mod lazy;
pub mod fields;
pub mod link;
pub mod neigh;
pub mod route;
pub mod rule;
pub mod tc;
pub mod tc_filter;
pub mod tc_netem;

pub use codec::{decode, decode_value, decode_where, encode_attr, encode_struct};
pub use lazy::LazyAttrs;
pub use fields::Fields;
pub use input::*;

use std::net::IpAddr;



/// The wire type of an attribute or struct field.
#[derive(Debug, Clone, Copy)]
pub enum Type {
    /// u8.
    U8,
    /// u16, host order.
    U16,
    /// u32, host order.
    U32,
    /// u64, host order.
    U64,
    /// i32, host order.
    I32,
    /// i64, host order.
    I64,
    /// A u8 that means true/false (Lua booleans in and out).
    Bool,
    /// Big-endian (network order) integers: ports, protocols.
    Be16,
    /// u32, network order.
    Be32,
    /// NUL-terminated string.
    Str,
    /// Opaque bytes.
    Bytes,
    /// IPv4 or IPv6 address, by length.
    Ip,
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address.
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
    /// Reads an option value into the wire number.
    pub parse: fn(&Opt) -> Result<u64, String>,
    /// Writes the wire number as an option value.
    pub format: fn(u64) -> Opt,
    /// Words for error messages: "a rate like \"1mbit\"".
    pub expected: &'static str,
}

/// One attribute of a set.
#[derive(Debug, Clone, Copy)]
pub struct AttrDef {
    /// Attribute id (from the kernel's UAPI headers).
    pub id: u16,
    /// Option name in Lua and in decoded output.
    pub name: &'static str,
    /// How the payload is encoded.
    pub ty: Type,
    /// Symbolic names for integer values (macvlan mode "bridge" = 4).
    pub names: &'static [(u64, &'static str)],
    /// Inclusive range for integers, checked on input.
    pub range: Option<(i64, i64)>,
    /// The unit of the number (rate, size, time...), when it has one.
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
    /// The set's name, for messages (`link`, `route`...).
    pub name: &'static str,
    /// The attributes of the set, by id.
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
    /// The struct's name, for messages.
    pub name: &'static str,
    /// Size in bytes.
    pub size: usize,
    /// The fields, in order.
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
    /// Field name (the option name in Lua and in decoded output).
    pub name: &'static str,
    /// Byte offset.
    pub off: usize,
    /// The wire type.
    pub ty: Type,
    /// Length in bytes.
    pub len: usize,
    /// Names for values (an enum as words).
    pub names: &'static [(u64, &'static str)],
    /// The unit of the number (rate, size, time...), when it has one.
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
    /// A string.
    Str(String),
    /// A string sent without its NUL terminator (iproute2 sends IFLA_INFO_KIND
    /// this way; kept apart so it re-encodes exactly).
    Text(String),
    /// Raw bytes: unknown attributes, or known ones whose length did not fit.
    Bytes(Vec<u8>),
    /// An IP address.
    Ip(IpAddr),
    /// A link-layer address.
    Mac(Vec<u8>),
    /// A flag attribute (present or not).
    Flag,
    /// Struct fields in order, with the struct's definition and any bytes a
    /// newer kernel sent beyond the struct we know (kept for exact re-encoding).
    Struct(&'static StructDef, Vec<(&'static str, Value)>, Vec<u8>),
    /// A nested attribute set.
    Nested(Attrs),
    /// A struct followed by nested attributes.
    StructThen(&'static StructDef, Vec<(&'static str, Value)>, Attrs),
    /// A list.
    List(Vec<Value>),
}

/// One attribute: its id, the flag bits it carried, its definition if known.
#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    /// Attribute id (from the kernel's UAPI headers).
    pub id: u16,
    /// NLA_F_NESTED / NLA_F_NET_BYTEORDER as received or to send.
    pub flags: u16,
    /// Its definition in the set's table (None: unknown, kept as raw bytes).
    pub def: Option<&'static AttrDef>,
    /// The decoded value.
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

#[cfg(test)]
mod tests;
