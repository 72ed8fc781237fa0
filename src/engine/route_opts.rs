//! Option readers shared by routes, rules and neighbours: tables, protocols
//! and route types by iproute2 name or number, TOS/DSCP, scope, and the
//! address encodings their requests use. Errors name the field.

use std::net::IpAddr;

use super::route;
use super::schema::route as S;
use super::schema::{FieldError, Fields, Opt};
use crate::units;

/// Refuse a request that gives both spellings of one option.
pub(crate) fn one_of(map: &[(String, Opt)], a: &str, b: &str) -> Result<(), FieldError> {
    if map.iter().any(|(k, _)| k == a) && map.iter().any(|(k, _)| k == b) {
        return Err(FieldError(format!("field '{b}': give either '{a}' or '{b}'")));
    }
    Ok(())
}

/// Table by number or name ("main", names from /etc/iproute2/rt_tables[.d]).
pub fn table_opt(f: &mut Fields<'_>, key: &'static str) -> Result<Option<u32>, FieldError> {
    match f.take(key) {
        None => Ok(None),
        Some(v) => match v {
            Opt::Str(s) => route::parse_table(s).map(Some).map_err(|e| f.error(key, e)),
            _ => match v.as_int() {
                Some(n) if (0..=u32::MAX as i64).contains(&n) => Ok(Some(n as u32)),
                _ => Err(f.expected(key, "table number or name", v)),
            },
        },
    }
}

/// Protocol by number or name (names from /etc/iproute2/rt_protos[.d]).
pub fn proto_opt(f: &mut Fields<'_>, key: &'static str) -> Result<Option<u8>, FieldError> {
    match f.take(key) {
        None => Ok(None),
        Some(v) => match v {
            Opt::Str(s) => route::parse_proto(s).map(Some).map_err(|e| f.error(key, e)),
            _ => match v.as_int() {
                Some(n) if (0..=255).contains(&n) => Ok(Some(n as u8)),
                _ => Err(f.expected(key, "protocol number 0..255 or name", v)),
            },
        },
    }
}

/// A route type by name ("blackhole") or number.
pub fn type_opt(f: &mut Fields<'_>, key: &'static str) -> Result<Option<u8>, FieldError> {
    match f.take(key) {
        None => Ok(None),
        Some(v) => {
            if let Some(n) = v.as_int().filter(|n| (0..=255).contains(n)) {
                return Ok(Some(n as u8));
            }
            match v.as_str().and_then(|s| S::RTN_NAMES.iter().find(|(_, n)| *n == s)) {
                Some((k, _)) if *k != 0 => Ok(Some(*k as u8)),
                _ => Err(f.expected(
                    key,
                    "one of \"unicast\", \"local\", \"broadcast\", \"anycast\", \"multicast\", \"blackhole\", \"unreachable\", \"prohibit\", \"throw\", \"nat\"",
                    v,
                )),
            }
        }
    }
}

/// TOS as ip reads it: a number, a name from /etc/iproute2/rt_dsfield, or hex text.
pub fn tos_opt(f: &mut Fields<'_>) -> Result<Option<u8>, FieldError> {
    let tos = match f.take("tos") {
        None => None,
        Some(v) => match v {
            Opt::Str(s) => Some(route::parse_dsfield(s).map_err(|e| f.error("tos", e))?),
            _ => match v.as_int() {
                Some(n) if (0..=255).contains(&n) => Some(n as u8),
                _ => return Err(f.expected("tos", "integer 0..255 or a name like \"AF11\"", v)),
            },
        },
    };
    let dscp = f.int("dscp", 0, 63)?.map(|d| (d as u8) << 2);
    match (tos, dscp) {
        (Some(_), Some(_)) => Err(f.error("dscp", "give either 'tos' or 'dscp'")),
        (t, d) => Ok(t.or(d)),
    }
}

/// Realms as ip reads them: a number (from << 16 | to), or "TO" / "FROM/TO"
/// where each is a number or a name from /etc/iproute2/rt_realms.
pub fn realms_opt(f: &mut Fields<'_>) -> Result<Option<u32>, FieldError> {
    let Some(v) = f.take("realms") else { return Ok(None) };
    let realm = |s: &str| units::iproute2_id("rt_realms", s, &[(0, "unknown")]).filter(|r| *r <= 0xffff);
    let r = match v {
        Opt::Str(s) => match s.split_once('/') {
            Some((from, to)) => realm(from).zip(realm(to)).map(|(a, b)| a << 16 | b),
            None => realm(s),
        },
        _ => v.as_int().and_then(|n| u32::try_from(n).ok()),
    };
    r.map(Some).ok_or_else(|| f.expected("realms", "realm like 5, \"3/4\" or names from /etc/iproute2/rt_realms", v))
}

/// The `scope` option: a name (`global`, `link`, `host`...) or a number.
pub fn scope_opt(f: &mut Fields<'_>) -> Result<Option<u8>, FieldError> {
    match f.take("scope") {
        None => Ok(None),
        Some(v) => {
            if let Some(n) = v.as_int().filter(|n| (0..=255).contains(n)) {
                return Ok(Some(n as u8));
            }
            v.as_str()
                .and_then(|s| units::parse_scope(s).ok())
                .map(Some)
                .ok_or_else(|| f.expected("scope", "one of \"global\", \"site\", \"link\", \"host\", \"nowhere\" or 0..255", v))
        }
    }
}

/// An address as bytes.
pub fn ip_bytes(a: &IpAddr) -> Vec<u8> {
    match a {
        IpAddr::V4(v) => v.octets().to_vec(),
        IpAddr::V6(v) => v.octets().to_vec(),
    }
}

/// struct rtvia: the address family (u16, host order) then the address.
pub fn via_bytes(a: &IpAddr) -> Vec<u8> {
    let mut v = (units::family_of(a) as u16).to_ne_bytes().to_vec();
    v.extend(ip_bytes(a));
    v
}
