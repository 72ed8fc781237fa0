//! Attributes kept as received and decoded when first looked at: a listing
//! of 1,000 links reads a few fields of each, and a link's whole decoded
//! tree (two counter structs of 25 fields, ~50 attributes) is ~8 KB where
//! its bytes are ~1.5 KB.

use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

use super::{AttrSet, Attrs, Value, codec};

/// An attribute buffer of one set, decoded whole on first use (through
/// `Deref`); [`LazyAttrs::value_of`] decodes one attribute alone.
#[derive(Clone, Default)]
pub struct LazyAttrs {
    set: Option<&'static AttrSet>,
    raw: Box<[u8]>,
    decoded: OnceLock<Attrs>,
}

impl LazyAttrs {
    /// Keep `raw` (attributes of `set`) undecoded.
    pub fn new(set: &'static AttrSet, raw: &[u8]) -> LazyAttrs {
        LazyAttrs { set: Some(set), raw: raw.into(), decoded: OnceLock::new() }
    }

    /// The value of attribute `id` (its first occurrence), decoded as the
    /// whole buffer would decode it, without decoding the others.
    pub fn value_of(&self, id: u16) -> Option<Value> {
        if let Some(a) = self.decoded.get() {
            return a.value(id).cloned();
        }
        let set = self.set?;
        codec::decode_where(set, &self.raw, |x| x == id).0.into_iter().next().map(|a| a.value)
    }
}

impl Deref for LazyAttrs {
    type Target = Attrs;
    fn deref(&self) -> &Attrs {
        self.decoded.get_or_init(|| match self.set {
            Some(set) => codec::decode(set, &self.raw),
            None => Attrs::default(),
        })
    }
}

/// Equal when the same bytes of the same set (decoded or not).
impl PartialEq for LazyAttrs {
    fn eq(&self, o: &LazyAttrs) -> bool {
        self.raw == o.raw && self.set.map(|s| s as *const AttrSet) == o.set.map(|s| s as *const AttrSet)
    }
}

impl fmt::Debug for LazyAttrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
