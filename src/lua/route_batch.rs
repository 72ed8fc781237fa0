//! The list form of `route.add` and friends (`route.add{{...}, {...}}`):
//! every entry parsed first, then all sent pipelined. Entries of the common
//! shape (a prefix, a device or gateway, a table, a metric) are read straight
//! from their Lua table; anything else, and every entry in error, goes
//! through the generic option reader, so both give the same spec and the
//! same messages.

use std::borrow::Cow;
use std::net::IpAddr;
use std::rc::Rc;

use ipnet::IpNet;
use mlua::{IntoLuaMulti, Lua, MultiValue, Table, Value};

use super::error::{input, raise};
use super::opts::table_to_map;
use crate::engine::schema::Opt;
use crate::engine::schema::Resolver;
use crate::engine::{self, RouteSpec, RouteVerb};
use crate::units;

/// Device names resolved once per list: a list of 50,000 routes through one
/// device asks the kernel for its index once.
struct NameCache<'a> {
    h: &'a engine::Handle,
    seen: std::cell::RefCell<Vec<(String, u32)>>,
}

impl Resolver for NameCache<'_> {
    fn ifindex(&self, name: &str) -> Result<u32, String> {
        if let Some((_, i)) = self.seen.borrow().iter().find(|(n, _)| n == name) {
            return Ok(*i);
        }
        let i = Resolver::ifindex(self.h, name)?;
        self.seen.borrow_mut().push((name.to_string(), i));
        Ok(i)
    }
}

/// `route.add{{...}, {...}}`: every route parsed first (bad input fails the
/// call before anything is sent), then all sent pipelined. The kernel carries
/// on past a failed request, so every route is tried; the failures are
/// reported together, each with its place in the list.
pub fn modify_many(lua: &Lua, h: &Rc<engine::Handle>, func: &str, list: &Table, verb: RouteVerb) -> mlua::Result<MultiValue> {
    // A key beside the entries (`route.add{{...}, dev = "v0"}`) would be
    // ignored without a word: refused instead.
    super::args::list_len(lua, func, "argument #1", list)?;
    let names = NameCache { h, seen: Default::default() };
    let (mut specs, declined) = scan_common(lua, list, &names)?;
    // What the common reader declined, in order, through the generic one.
    for at in declined {
        let i = at + 1;
        let t: Table = match list.raw_get::<Value>(i)? {
            Value::Table(t) => t,
            other => return Err(input(func, format!("entry {i}: expected a table of route options, got {}", other.type_name()))),
        };
        specs[at] = generic_spec(&t, &names).map_err(|e| input(func, format!("entry {i}: {e}")))?;
    }
    report(lua, func, h.route_batch(&specs, verb))
}

/// `route.add{dst = {"10.0.0.1/32", ...}, dev = "v0", table = 100}`: one
/// route per destination, the other options read once. A destination of
/// another family than the first, or one in error, is read with the others
/// the whole way (so its error, or its spec, is the one `route.add` with
/// that `dst` alone gives), named by its place in the list.
pub fn modify_each_dst(lua: &Lua, h: &Rc<engine::Handle>, func: &str, t: &Table, dsts: &Table, verb: RouteVerb) -> mlua::Result<MultiValue> {
    let names = NameCache { h, seen: Default::default() };
    let dst_list = scan_strings(lua, func, dsts)?;
    if dst_list.is_empty() {
        return Err(input(func, "field 'dst': an empty list (give one prefix, or a list of them)"));
    }
    // The options but `dst` (whose list is read above, not converted).
    let rest = lua.create_table()?;
    for pair in t.pairs::<Value, Value>() {
        let (k, v) = pair?;
        if !matches!(&k, Value::String(s) if s.as_bytes() == &b"dst"[..]) {
            rest.raw_set(k, v)?;
        }
    }
    let mut map = table_to_map(&rest, "").map_err(|e| input(func, e))?;
    let at = map.len();
    map.push(("dst".to_string(), Opt::Str(String::new())));
    let mut spec_for = |dst: &str| {
        map[at].1 = Opt::Str(dst.to_string());
        RouteSpec::from_opts(&map, &names).map_err(|e| e.0)
    };
    let entry = |i: usize, d: &Option<String>| -> mlua::Result<String> {
        d.clone().ok_or_else(|| input(func, format!("entry {i} of 'dst': expected a prefix like \"10.0.0.0/24\"")))
    };
    // The shared options are read with the first prefix, and their errors
    // read as `route.add` with that prefix alone words them.
    let first = entry(1, &dst_list[0])?;
    let base = spec_for(&first).map_err(|e| input(func, e))?;
    // Every destination is read before anything is sent; the specs are made
    // a chunk at a time as they are sent (50,000 whole specs would be 12 MB
    // of memory touched for nothing).
    let mut each = Vec::with_capacity(dst_list.len());
    each.push(Each::Dst(base.dst));
    for (i, d) in dst_list.iter().enumerate().skip(1) {
        let d = entry(i + 1, d)?;
        // The common case: a prefix of the first's family, all else shared.
        each.push(match units::parse_dst(&d, Some(base.family)) {
            Ok(n) if units::family_of(&n.addr()) == base.family => Each::Dst(n),
            _ => Each::Own(Box::new(spec_for(&d).map_err(|e| input(func, format!("entry {} of 'dst': {e}", i + 1)))?)),
        });
    }
    let spec_of = |e: &Each| match e {
        Each::Dst(n) => RouteSpec { dst: *n, ..base.clone() },
        Each::Own(s) => (**s).clone(),
    };
    report(lua, func, h.route_batch_with(each.len(), |r| Cow::Owned(each[r].iter().map(spec_of).collect()), verb))
}

/// One destination of a `dst` list.
enum Each {
    /// The first entry's spec with this prefix.
    Dst(ipnet::IpNet),
    /// A spec of its own (another family).
    Own(Box<RouteSpec>),
}

/// The results of a list sent pipelined: every failure is reported, with
/// its place.
fn report(lua: &Lua, func: &str, results: Vec<engine::Result<()>>) -> mlua::Result<MultiValue> {
    let total = results.len();
    let failed: Vec<(usize, engine::Error)> = results.into_iter().enumerate().filter_map(|(i, r)| r.err().map(|e| (i + 1, e))).collect();
    let Some((_, first)) = failed.first() else { return ().into_lua_multi(lua) };
    let mut e = first.clone();
    e.message = super::error::many_failed(total, "", failed.len(), failed.iter().map(|(i, e)| format!("entry {i}: {e}")));
    e.op = func.to_string();
    Err(raise(e))
}

/// One entry through the generic option reader.
fn generic_spec(t: &Table, res: &dyn Resolver) -> Result<RouteSpec, String> {
    let map = table_to_map(t, "")?;
    RouteSpec::from_opts(&map, res).map_err(|e| e.0)
}

/// Up to 47 bytes of a Lua string, copied (an IPv6 prefix is at most 43,
/// an interface name 15): None for anything longer.
#[derive(Clone, Copy)]
struct Short {
    len: u8,
    bytes: [u8; 47],
}

impl Short {
    fn new(b: &[u8]) -> Option<Short> {
        let mut s = Short { len: b.len().try_into().ok()?, bytes: [0; 47] };
        s.bytes.get_mut(..b.len())?.copy_from_slice(b);
        Some(s)
    }

    fn text(s: &Option<Short>) -> Option<Option<&str>> {
        match s {
            None => Some(None),
            Some(s) => std::str::from_utf8(&s.bytes[..s.len as usize]).ok().map(Some),
        }
    }
}

/// The entries of a list of strings, read with Lua's C API in one pass (a
/// list of 50,000 prefixes costs no reference per entry): None for an entry
/// that is not a string (or not UTF-8), and an error for a table that is not
/// a list.
fn scan_strings(lua: &Lua, func: &str, list: &Table) -> mlua::Result<Vec<Option<String>>> {
    use mlua::ffi;
    // Keys beyond 1..n would be silently skipped: refuse them instead.
    let n = super::args::list_len(lua, func, "field 'dst'", list)?;
    let mut out = Vec::with_capacity(n);
    // SAFETY: raw, non-erroring reads of the argument (index 1):
    // lua_rawgeti, and lua_tolstring on strings only (no number is
    // converted in place); each pushed value is popped after its bytes are
    // copied.
    unsafe {
        lua.exec_raw::<()>(list, |state| {
            // (exec_raw leaves 3 free slots; one is used at a time.)
            for i in 1..=n {
                ffi::lua_rawgeti(state, 1, i as ffi::lua_Integer);
                out.push(if ffi::lua_type(state, -1) == ffi::LUA_TSTRING {
                    let mut len = 0usize;
                    let p = ffi::lua_tolstring(state, -1, &mut len);
                    std::str::from_utf8(std::slice::from_raw_parts(p as *const u8, len)).ok().map(str::to_string)
                } else {
                    None
                });
                ffi::lua_pop(state, 1);
            }
        })?;
    }
    Ok(out)
}

/// The common shape ([`common_parts`]) of every entry of `list`, read with Lua's C API in one
/// pass (no Lua value is converted or referenced from Rust): a list of
/// 50,000 routes is read in a few milliseconds. None where the generic
/// reader must look (it also words every error).
/// Returns the specs, with a placeholder at each declined entry, and the
/// positions (from 0) of the declined ones.
fn scan_common(lua: &Lua, list: &Table, res: &dyn Resolver) -> mlua::Result<(Vec<RouteSpec>, Vec<usize>)> {
    use mlua::ffi;
    let n = list.raw_len();
    let mut out = Vec::with_capacity(n);
    let mut declined = Vec::new();
    // SAFETY: the closure only reads: the list (the argument, at index 1)
    // and its entries through raw, non-erroring calls (lua_rawgeti, lua_next
    // on a table not changed meanwhile, lua_tolstring on strings only, so no
    // key is converted in place); string bytes are copied while their value
    // is on the stack; every push is popped before returning.
    unsafe {
        // (The closure runs as a C function, with Lua's 20 free slots;
        // an entry is read with at most 4 pushed at a time.)
        lua.exec_raw::<()>(list, |state| {
            let bytes = |idx: i32| -> &[u8] {
                let mut len = 0usize;
                let p = ffi::lua_tolstring(state, idx, &mut len);
                std::slice::from_raw_parts(p as *const u8, len)
            };
            for i in 1..=n {
                ffi::lua_rawgeti(state, 1, i as ffi::lua_Integer);
                let spec = if ffi::lua_type(state, -1) == ffi::LUA_TTABLE { entry(state, &bytes, res) } else { None };
                ffi::lua_pop(state, 1);
                // A declined entry's place is kept by a default spec until
                // the generic reader has read it.
                out.push(spec.unwrap_or_else(|| {
                    declined.push(i - 1);
                    RouteSpec::default()
                }));
            }
        })?;
    }
    Ok((out, declined))
}

/// One entry (the table on top of the stack) for [`scan_common`]: its keys
/// must all be the common ones, with strings or integers.
///
/// # Safety
/// As in [`scan_common`]; `bytes(idx)` reads the string at `idx`.
unsafe fn entry<'b>(state: *mut mlua::lua_State, bytes: &dyn Fn(i32) -> &'b [u8], res: &dyn Resolver) -> Option<RouteSpec> {
    use mlua::ffi;
    let (mut dst, mut src, mut gw, mut via, mut dev) = (None, None, None, None, None);
    let (mut table, mut metric, mut priority) = (None, None, None);
    let mut ok = true;
    // SAFETY: see scan_common.
    unsafe {
        ffi::lua_pushnil(state);
        while ffi::lua_next(state, -2) != 0 {
            // key at -2, value at -1
            if ok {
                ok = ffi::lua_type(state, -2) == ffi::LUA_TSTRING;
            }
            if ok {
                let key = bytes(-2);
                match ffi::lua_type(state, -1) {
                    ffi::LUA_TNUMBER if ffi::lua_isinteger(state, -1) != 0 => {
                        let v = ffi::lua_tointegerx(state, -1, std::ptr::null_mut());
                        match key {
                            b"table" => table = Some(v),
                            b"metric" => metric = Some(v),
                            b"priority" => priority = Some(v),
                            _ => ok = false,
                        }
                    }
                    ffi::LUA_TSTRING => {
                        let slot = match key {
                            b"dst" => Some(&mut dst),
                            b"src" => Some(&mut src),
                            b"gw" => Some(&mut gw),
                            b"via" => Some(&mut via),
                            b"dev" => Some(&mut dev),
                            _ => None,
                        };
                        match slot {
                            Some(slot) => {
                                *slot = Short::new(bytes(-1));
                                ok = slot.is_some();
                            }
                            None => ok = false,
                        }
                    }
                    _ => ok = false,
                }
            }
            ffi::lua_pop(state, 1);
        }
    }
    if !ok {
        return None;
    }
    common_parts(Short::text(&dst)?, Short::text(&src)?, Short::text(&gw)?, Short::text(&via)?, Short::text(&dev)?, table, metric, priority, res)
}

/// The common shape of a route entry: string `dst`, `src`, `gw`, `via`,
/// `dev`; integer `table`, `metric`/`priority`. None for anything that does
/// not parse or is given twice: the generic reader then takes the entry.
#[allow(clippy::too_many_arguments)]
fn common_parts(
    dst: Option<&str>,
    src: Option<&str>,
    gw: Option<&str>,
    via: Option<&str>,
    dev: Option<&str>,
    table: Option<i64>,
    metric: Option<i64>,
    priority: Option<i64>,
    res: &dyn Resolver,
) -> Option<RouteSpec> {
    let u32_of = |n: Option<i64>| -> Option<Option<u32>> {
        match n {
            None => Some(None),
            Some(n) => u32::try_from(n).ok().map(Some),
        }
    };
    let addr = |s: &Option<&str>| -> Option<Option<IpAddr>> {
        match s {
            None => Some(None),
            Some(s) => s.parse::<IpAddr>().ok().map(Some),
        }
    };
    if metric.is_some() && priority.is_some() {
        return None;
    }
    // The family as the generic reader infers it: from the first of dst,
    // src, gw, via that is an address. An IPv4 prefix as dst (the common
    // case) decides it and is read once.
    let (family, dst) = match v4_prefix(dst?) {
        Some(n) => (AF_INET, n),
        None => {
            let first_addr = |s: &Option<&str>| s.and_then(|s| s.split('/').next()?.parse::<IpAddr>().ok());
            let family = [&dst, &src, &gw, &via].into_iter().find_map(first_addr).map(|a| units::family_of(&a)).unwrap_or(AF_INET);
            (family, units::parse_dst(dst?, Some(family)).ok()?)
        }
    };
    let (prefsrc, gateway, via) = (addr(&src)?, addr(&gw)?, addr(&via)?);
    let of_family = |a: &Option<IpAddr>| a.is_none_or(|a| units::family_of(&a) == family);
    if units::family_of(&dst.addr()) != family || !of_family(&prefsrc) || !of_family(&gateway) || (gateway.is_some() && via.is_some()) {
        return None;
    }
    // `via` of the route's own family is its gateway (RTA_GATEWAY).
    let (gateway, via) = match via {
        Some(v) if units::family_of(&v) == family => (Some(v), None),
        v => (gateway, v),
    };
    let oif = match dev {
        Some(d) => Some(res.ifindex(d).ok()?),
        None => None,
    };
    Some(RouteSpec {
        family,
        dst,
        prefsrc,
        gateway,
        via,
        oif,
        table: u32_of(table)?,
        metric: u32_of(metric.or(priority))?,
        ..Default::default()
    })
}

/// "a.b.c.d/n" with n written plainly (1 or 2 digits, no sign or leading
/// zero), as `units::parse_dst` reads it; None for anything else, which
/// then goes the general way. (std's address parser takes no less strict a
/// form than ipnet's, so what it accepts both read alike.)
fn v4_prefix(s: &str) -> Option<IpNet> {
    let (a, len) = s.split_once('/')?;
    let plain = matches!(len.as_bytes(), [b'0'..=b'9'] | [b'1'..=b'9', b'0'..=b'9']);
    if !plain {
        return None;
    }
    let a: std::net::Ipv4Addr = a.parse().ok()?;
    ipnet::Ipv4Net::new(a, len.parse().ok()?).ok().map(IpNet::V4)
}

const AF_INET: u8 = nix::libc::AF_INET as u8;

#[cfg(test)]
mod tests {
    use super::*;

    struct Names;

    impl Resolver for Names {
        fn ifindex(&self, name: &str) -> Result<u32, String> {
            match name {
                "v0" => Ok(7),
                "v1" => Ok(9),
                _ => Err(format!("no such link {name:?}")),
            }
        }
    }

    /// Every entry the common reader takes gives exactly the spec the
    /// generic reader gives; every entry it declines is one the generic
    /// reader handles (or refuses) itself.
    #[test]
    fn the_common_reader_agrees_with_the_generic_one() {
        let lua = Lua::new();
        let dsts = [
            "10.1.2.3/32", "10.1.0.0/16", "10.1.2.3", "default", "2001:db8::/64", "2001:db8::1", "bad", "10.0.0.0/33", "::/0",
            "0.0.0.0/0", "10.1.2.3/032", "10.1.2.3/+8", "10.1.2.3/", "010.1.2.3/32", "10.1.2/24", "10.1.2.3/8/8", "::ffff:10.1.2.3/128",
        ];
        let gws = [None, Some("10.0.0.1"), Some("2001:db8::ff"), Some("nope")];
        let vias = [None, Some("10.0.0.9"), Some("fe80::1")];
        let devs = [None, Some("v0"), Some("nosuch")];
        let srcs = [None, Some("10.9.9.9"), Some("2001:db8::9")];
        let ints = [None, Some(0i64), Some(100), Some(-1), Some(1 << 33)];
        let (mut taken, mut declined) = (0, 0);
        let list = lua.create_table().unwrap();
        for dst in dsts {
            for gw in gws {
                for via in vias {
                    for dev in devs {
                        for src in srcs {
                            for (ti, table) in ints.iter().enumerate() {
                                let metric = ints[(ti + 1) % ints.len()];
                                let t = lua.create_table().unwrap();
                                t.set("dst", dst).unwrap();
                                t.set("gw", gw).unwrap();
                                t.set("via", via).unwrap();
                                t.set("dev", dev).unwrap();
                                t.set("src", src).unwrap();
                                t.set("table", *table).unwrap();
                                t.set(if ti % 2 == 0 { "metric" } else { "priority" }, metric).unwrap();
                                list.push(t).unwrap();
                            }
                        }
                    }
                }
            }
        }
        let (specs, no) = scan_common(&lua, &list, &Names).unwrap();
        assert_eq!(specs.len(), list.raw_len());
        for (i, s) in specs.into_iter().enumerate() {
            let t: Table = list.raw_get(i + 1).unwrap();
            if no.contains(&i) {
                declined += 1;
            } else {
                taken += 1;
                assert_eq!(Ok(s), generic_spec(&t, &Names), "entry {}: {:?}", i + 1, t.pairs::<String, Value>().collect::<Vec<_>>());
            }
        }
        assert!(taken > 200 && declined > 500, "both readers exercised: {taken} taken, {declined} declined");
        // Other keys and types, and what is not a table, always go the generic way.
        let odd: Table = lua
            .load("return {{dst='10.0.0.0/24', dev='v0', proto='static'}, {dst='10.0.0.0/24', table='main'}, {dst='10.0.0.0/24', metric=1.5}, {dst='10.0.0.0/24', metric=1, priority=2}, {'10.0.0.0/24'}, 'x', {dst=('1'):rep(60)}, {dst='10.0.0.0/24', [true]=1}}")
            .eval()
            .unwrap();
        assert_eq!(scan_common(&lua, &odd, &Names).unwrap().1, (0..odd.raw_len()).collect::<Vec<_>>());
        let plain: Table = lua.load("return {{dst='10.0.0.0/24', dev='v0', table=100}}").eval().unwrap();
        assert!(scan_common(&lua, &plain, &Names).unwrap().1.is_empty());
    }
}
