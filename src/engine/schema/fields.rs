//! Reading typed fields out of an option map, for the parts of a request that
//! are not a plain attribute table (a link's common fields, a route's keys).
//! Every getter names the field in its error; [`Fields::finish`] rejects keys
//! nobody read, suggesting the closest known one.

use std::net::IpAddr;

use super::{FieldError, Opt, Resolver, unknown_option_at};

/// A cursor over an option map that remembers which keys were read.
pub struct Fields<'a> {
    map: &'a [(String, Opt)],
    used: Vec<bool>,
    prefix: String,
    known: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    /// Read `map`; `prefix` is prepended to field names in errors ("peer.").
    pub fn new(map: &'a [(String, Opt)], prefix: &str) -> Fields<'a> {
        Fields { map, used: vec![false; map.len()], prefix: prefix.to_string(), known: Vec::new() }
    }

    /// The full path of `key` for messages.
    pub fn path(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// The raw option under `key`, marking it read.
    pub fn take(&mut self, key: &'static str) -> Option<&'a Opt> {
        self.known.push(key);
        let i = self.map.iter().position(|(k, _)| k == key)?;
        self.used[i] = true;
        Some(&self.map[i].1)
    }

    /// An error for `key`: expected `what`, got the value.
    pub fn expected(&self, key: &str, what: &str, got: &Opt) -> FieldError {
        FieldError(format!("field '{}': expected {what}, got {}", self.path(key), got.describe()))
    }

    /// An error about `key` in free words.
    pub fn error(&self, key: &str, msg: impl std::fmt::Display) -> FieldError {
        FieldError(format!("field '{}': {msg}", self.path(key)))
    }

    /// A required field is missing.
    pub fn missing(&self, key: &str) -> FieldError {
        FieldError(format!("field '{}' is required", self.path(key)))
    }

    /// A string.
    pub fn str(&mut self, key: &'static str) -> Result<Option<String>, FieldError> {
        match self.take(key) {
            None => Ok(None),
            Some(Opt::Str(s)) => Ok(Some(s.clone())),
            Some(v) => Err(self.expected(key, "string", v)),
        }
    }

    /// An integer in `lo..=hi`.
    pub fn int(&mut self, key: &'static str, lo: i64, hi: i64) -> Result<Option<i64>, FieldError> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => match v.as_int() {
                Some(n) if n >= lo && n <= hi => Ok(Some(n)),
                _ => Err(self.expected(key, &format!("integer {lo}..{hi}"), v)),
            },
        }
    }

    /// A u32 (any value).
    pub fn u32(&mut self, key: &'static str) -> Result<Option<u32>, FieldError> {
        Ok(self.int(key, 0, u32::MAX as i64)?.map(|n| n as u32))
    }

    /// A boolean.
    pub fn bool(&mut self, key: &'static str) -> Result<Option<bool>, FieldError> {
        match self.take(key) {
            None => Ok(None),
            Some(Opt::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(self.expected(key, "boolean", v)),
        }
    }

    /// A link-layer address string.
    pub fn mac(&mut self, key: &'static str) -> Result<Option<Vec<u8>>, FieldError> {
        match self.take(key) {
            None => Ok(None),
            Some(v @ Opt::Str(s)) => {
                crate::units::parse_mac(s).map(Some).map_err(|_| self.expected(key, "MAC address like \"02:00:00:00:00:01\"", v))
            }
            Some(v) => Err(self.expected(key, "MAC address like \"02:00:00:00:00:01\"", v)),
        }
    }

    /// An IP address (either family).
    pub fn ip(&mut self, key: &'static str) -> Result<Option<IpAddr>, FieldError> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => match v.as_str().and_then(|s| s.parse().ok()) {
                Some(a) => Ok(Some(a)),
                None => Err(self.expected(key, "IP address", v)),
            },
        }
    }

    /// An interface, by name or index (a Link object arrives as its index).
    pub fn ifindex(&mut self, key: &'static str, res: &dyn Resolver) -> Result<Option<u32>, FieldError> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => match v {
                Opt::Int(n) if *n > 0 && *n <= u32::MAX as i64 => Ok(Some(*n as u32)),
                Opt::Str(s) => res.ifindex(s).map(Some).map_err(|e| self.error(key, e)),
                _ => Err(self.expected(key, "interface name, index or Link", v)),
            },
        }
    }

    /// A value parsed by `parse` from a string (units, names); numbers are passed
    /// to `parse` as their decimal text.
    pub fn parsed<T>(
        &mut self,
        key: &'static str,
        what: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, FieldError> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => {
                let s = match v {
                    Opt::Str(s) => s.clone(),
                    Opt::Int(n) => n.to_string(),
                    Opt::Num(n) => n.to_string(),
                    _ => return Err(self.expected(key, what, v)),
                };
                parse(&s).map(Some).map_err(|_| self.expected(key, what, v))
            }
        }
    }

    /// Note that the caller handles `key` itself (so [`Fields::finish`] accepts it
    /// and suggests it for typos).
    pub fn allow(&mut self, key: &'static str) {
        let _ = self.take(key);
    }

    /// The keys nobody read, in order.
    pub fn rest(&self) -> Vec<(String, Opt)> {
        self.map.iter().zip(&self.used).filter(|(_, u)| !**u).map(|(kv, _)| kv.clone()).collect()
    }

    /// Fail on the first key nobody read; `more` are other names worth suggesting.
    pub fn finish(self, more: impl IntoIterator<Item = &'static str>) -> Result<(), FieldError> {
        if let Some(((k, _), _)) = self.map.iter().zip(&self.used).find(|(_, u)| !**u) {
            let mut known = self.known.clone();
            known.extend(more);
            return Err(unknown_option_at(&self.prefix, k, known));
        }
        Ok(())
    }
}
