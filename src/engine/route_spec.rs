//! What to add, change or delete: [`RouteSpec`], read from an option map with
//! errors that name the field, and encoded as `ip route` encodes the same
//! request (ip/iproute.c iproute_modify): its defaults (protocol boot, table
//! main, type unicast, scope from the type and gateway) and its attribute order.

use std::net::IpAddr;

use ipnet::IpNet;

use super::encap::Encap;
use super::message::{MsgBuilder, NLA_F_NESTED};
use super::route::{self, Route};
use super::route_opts::{ip_bytes, one_of, proto_opt, realms_opt, scope_opt, table_opt, tos_opt, type_opt, via_bytes};
use super::schema::route::{self as S, NexthopRecord};
use super::schema::{self, Attr, Attrs, FieldError, Fields, Opt, Resolver, Value};
use crate::units;

const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;

/// One path of a multipath route.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NexthopSpec {
    /// Gateway address of the route's family (RTA_GATEWAY).
    pub gateway: Option<IpAddr>,
    /// A gateway of the other family (RTA_VIA: an IPv6 next hop for IPv4).
    pub via: Option<IpAddr>,
    /// Output interface index.
    pub oif: Option<u32>,
    /// 1..=256.
    pub weight: u16,
    /// Gateway is on the link even without a matching prefix (RTNH_F_ONLINK).
    pub onlink: bool,
    /// Lightweight tunnel encapsulation (RTA_ENCAP).
    pub encap: Option<Encap>,
    /// Realms (from << 16 | to).
    pub realms: Option<u32>,
}

/// A route to add, replace, change, append or delete.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RouteSpec {
    /// Address family (of `dst`): AF_INET (2) or AF_INET6 (10).
    pub family: u8,
    /// Destination prefix; `0.0.0.0/0` / `::/0` for "default".
    pub dst: IpNet,
    /// Source prefix the route applies to (`from`, RTA_SRC).
    pub from: Option<IpNet>,
    /// Preferred source address (`src`, RTA_PREFSRC).
    pub prefsrc: Option<IpAddr>,
    /// Gateway address of the route's family (RTA_GATEWAY).
    pub gateway: Option<IpAddr>,
    /// Gateway of the other family (RTA_VIA).
    pub via: Option<IpAddr>,
    /// Output interface index.
    pub oif: Option<u32>,
    /// Routing table id.
    pub table: Option<u32>,
    /// Route metric (priority).
    pub metric: Option<u32>,
    /// Scope (RT_SCOPE_*: 0 universe/global, 253 link, 254 host).
    pub scope: Option<u8>,
    /// Who added it (RTPROT_*, as /etc/iproute2/rt_protos names them).
    pub protocol: Option<u8>,
    /// Route type (RTN_*: unicast, blackhole, unreachable...).
    pub rtype: Option<u8>,
    /// TOS / DSCP byte.
    pub tos: u8,
    /// Gateway is on the link even without a matching prefix (RTNH_F_ONLINK).
    pub onlink: bool,
    /// IPv6 router preference (RTA_PREF).
    pub pref: Option<u8>,
    /// Lifetime in seconds (IPv6, RTA_EXPIRES).
    pub expires: Option<u32>,
    /// Realms (from << 16 | to).
    pub realms: Option<u32>,
    /// Nexthop object id.
    pub nhid: Option<u32>,
    /// RTAX_* values (without the lock), in metric-id order.
    pub metrics: Attrs,
    /// Bits 1 << RTAX_* of locked metrics.
    pub lock: u32,
    /// The paths of a multipath route.
    pub nexthops: Vec<NexthopSpec>,
    /// Lightweight tunnel encapsulation (RTA_ENCAP).
    pub encap: Option<Encap>,
}

/// Options route.add/replace/append/change/del read, for suggestions.
pub const ROUTE_FIELDS: &[&str] = &[
    "dst", "family", "from", "src", "gw", "via", "dev", "oif", "table", "metric", "priority", "scope", "proto", "protocol",
    "type", "tos", "dscp", "onlink", "pref", "expires", "realms", "nhid", "metrics", "lock", "nexthops", "encap",
];

fn family_word(f: u8) -> &'static str {
    if f == AF_INET6 { "IPv6" } else { "IPv4" }
}

fn ip_of_family(f: &mut Fields<'_>, key: &'static str, family: u8) -> Result<Option<IpAddr>, FieldError> {
    let what = format!("{} address", family_word(family));
    match f.take(key) {
        None => Ok(None),
        Some(v) => match v.as_str().and_then(|s| s.parse::<IpAddr>().ok()) {
            Some(a) if units::family_of(&a) == family => Ok(Some(a)),
            Some(_) if key == "gw" => Err(f.expected(
                key,
                &format!("{what} (the route is {}; 'via' takes a gateway of the other family)", family_word(family)),
                v,
            )),
            Some(_) => Err(f.expected(key, &format!("{what} (the route is {})", family_word(family)), v)),
            None => Err(f.expected(key, &what, v)),
        },
    }
}

/// A prefix like "10.0.0.0/24" (a bare address is a host route).
fn prefix(f: &mut Fields<'_>, key: &'static str, family: u8) -> Result<Option<IpNet>, FieldError> {
    let hint = Some(family);
    match f.take(key) {
        None => Ok(None),
        Some(v) => {
            let what = "prefix like \"10.0.0.0/24\" or \"default\"";
            let n = v.as_str().and_then(|s| units::parse_dst(s, hint).ok()).ok_or_else(|| f.expected(key, what, v))?;
            if units::family_of(&n.addr()) != family {
                return Err(f.expected(
                    key,
                    &format!("{} prefix (the route is {})", family_word(family), family_word(family)),
                    v,
                ));
            }
            Ok(Some(n))
        }
    }
}

fn encap_opt(f: &mut Fields<'_>) -> Result<Option<Encap>, FieldError> {
    let path = f.path("encap");
    match f.take("encap") {
        None => Ok(None),
        Some(v) => Encap::from_opt(v, &path).map(Some),
    }
}

/// The metric keys (`mtu`, `advmss`...) accepted at top level or under `metrics`.
fn metric_names() -> impl Iterator<Item = &'static str> {
    S::METRICS.input_names()
}

/// Read metrics: top-level keys like `mtu=1400`, or a `metrics={...}` table
/// (what a listed route reports), plus `lock={"mtu"}` / `lock="mtu"`.
fn metrics_opt(map: &[(String, Opt)], f: &mut Fields<'_>) -> Result<(Attrs, u32), FieldError> {
    let mut given: Vec<(String, Opt)> = map.iter().filter(|(k, _)| metric_names().any(|n| n == k)).cloned().collect();
    for n in metric_names() {
        f.allow(n);
    }
    let mut lock_opt = f.take("lock").cloned();
    if let Some(v) = f.take("metrics") {
        let Opt::Map(m) = v else { return Err(f.expected("metrics", "table like {mtu=1400}", v)) };
        for (k, x) in m {
            if k == "lock" {
                lock_opt = Some(x.clone());
            } else if given.iter().any(|(g, _)| g == k) {
                return Err(f.error("metrics", format!("'{k}' is given twice")));
            } else {
                given.push((k.clone(), x.clone()));
            }
        }
    }
    given.sort_by_key(|(k, _)| S::METRICS.attrs.iter().position(|d| d.name == k));
    let prefix = if map.iter().any(|(k, _)| k == "metrics") { "metrics." } else { "" };
    let mut attrs = schema::encode_opts_strict(&S::METRICS, &given, prefix, &schema::NoResolver)?;
    // ip sends the congestion control name without a NUL, and always locks rto_min.
    let mut lock = 0u32;
    for a in attrs.0.iter_mut() {
        if let (S::RTAX_CC_ALGO, Value::Str(s)) = (a.id, &a.value) {
            a.value = Value::Bytes(s.as_bytes().to_vec());
        }
        if a.id == S::RTAX_RTO_MIN {
            lock |= 1 << S::RTAX_RTO_MIN;
        }
    }
    if let Some(v) = lock_opt {
        let names: Vec<String> = match &v {
            Opt::Str(s) => vec![s.clone()],
            Opt::List(l) => l
                .iter()
                .map(|x| x.as_str().map(str::to_string))
                .collect::<Option<_>>()
                .ok_or_else(|| f.expected("lock", "list of metric names like {\"mtu\"}", &v))?,
            Opt::Map(m) if m.is_empty() => vec![],
            _ => return Err(f.expected("lock", "list of metric names like {\"mtu\"}", &v)),
        };
        for n in names {
            match S::METRICS.input_names().find(|x| *x == n).and_then(|x| S::METRICS.by_name(x).next()) {
                Some(d) => lock |= 1 << d.id,
                None => return Err(schema::unknown_option_at("lock.", &n, metric_names())),
            }
        }
    }
    Ok((attrs, lock))
}

fn nexthop_from(v: &Opt, i: usize, family: u8, res: &dyn Resolver) -> Result<NexthopSpec, FieldError> {
    let path = format!("nexthops[{i}]");
    let Opt::Map(m) = v else {
        return Err(FieldError(format!(
            "field '{path}': expected table like {{gw=\"10.0.0.1\", dev=\"v0\"}}, got {}",
            v.describe()
        )));
    };
    let mut f = Fields::new(m, &format!("{path}."));
    let gateway = ip_of_family(&mut f, "gw", family)?;
    let via = f.ip("via")?;
    let (gateway, via) = split_via(&f, gateway, via, family)?;
    one_of(m, "dev", "oif")?;
    let oif = match f.ifindex("dev", res)? {
        Some(i) => Some(i),
        None => f.ifindex("oif", res)?,
    };
    let weight = f.int("weight", 1, 256)?.unwrap_or(1) as u16;
    let onlink = f.bool("onlink")?.unwrap_or(false);
    let encap = encap_opt(&mut f)?;
    let realms = realms_opt(&mut f)?;
    f.finish([])?;
    if gateway.is_none() && via.is_none() && oif.is_none() {
        return Err(FieldError(format!("field '{path}': needs 'gw', 'via' or 'dev'")));
    }
    Ok(NexthopSpec { gateway, via, oif, weight, onlink, encap, realms })
}

/// `via` is ip's gateway keyword: of the route's family it is the gateway,
/// of the other family it is RTA_VIA.
fn split_via(
    f: &Fields<'_>,
    gw: Option<IpAddr>,
    via: Option<IpAddr>,
    family: u8,
) -> Result<(Option<IpAddr>, Option<IpAddr>), FieldError> {
    match (gw, via) {
        (Some(_), Some(_)) => Err(f.error("via", "give either 'gw' or 'via'")),
        (None, Some(v)) if units::family_of(&v) == family => Ok((Some(v), None)),
        other => Ok(other),
    }
}

/// The family a request is in: explicit, or from the first address given.
fn infer_family(map: &[(String, Opt)]) -> Result<Option<u8>, FieldError> {
    let get = |k: &str| map.iter().find(|(x, _)| x == k).map(|(_, v)| v);
    if let Some(v) = get("family") {
        return match v.as_str().and_then(|s| units::parse_family(s).ok()) {
            Some(f @ (AF_INET | AF_INET6)) => Ok(Some(f)),
            _ => Err(FieldError(format!("field 'family': expected \"inet\" or \"inet6\", got {}", v.describe()))),
        };
    }
    let fam_of = |v: &Opt| -> Option<u8> {
        let s = v.as_str()?;
        let a: IpAddr = s.split('/').next()?.parse().ok()?;
        Some(units::family_of(&a))
    };
    for k in ["dst", "src", "from", "gw", "via"] {
        if let Some(f) = get(k).and_then(fam_of) {
            return Ok(Some(f));
        }
    }
    if let Some(Opt::List(nhs)) = get("nexthops") {
        for nh in nhs {
            for k in ["gw", "via"] {
                if let Some(f) = nh.get(k).and_then(fam_of) {
                    return Ok(Some(f));
                }
            }
        }
    }
    Ok(None)
}

impl RouteSpec {
    /// Parse route options (see [`ROUTE_FIELDS`]). `dst` is required.
    pub fn from_opts(map: &[(String, Opt)], res: &dyn Resolver) -> Result<RouteSpec, FieldError> {
        let family = infer_family(map)?.unwrap_or(AF_INET);
        let mut f = Fields::new(map, "");
        f.allow("family");
        let dst = prefix(&mut f, "dst", family)?.ok_or_else(|| f.missing("dst"))?;
        let from = prefix(&mut f, "from", family)?;
        let prefsrc = ip_of_family(&mut f, "src", family)?;
        let gateway = ip_of_family(&mut f, "gw", family)?;
        let via = f.ip("via")?;
        let (gateway, via) = split_via(&f, gateway, via, family)?;
        one_of(map, "dev", "oif")?;
        let oif = match f.ifindex("dev", res)? {
            Some(i) => Some(i),
            None => f.ifindex("oif", res)?,
        };
        let table = table_opt(&mut f, "table")?;
        one_of(map, "metric", "priority")?;
        let metric = match f.u32("metric")? {
            Some(m) => Some(m),
            None => f.u32("priority")?,
        };
        let scope = scope_opt(&mut f)?;
        one_of(map, "proto", "protocol")?;
        let protocol = match proto_opt(&mut f, "proto")? {
            Some(p) => Some(p),
            None => proto_opt(&mut f, "protocol")?,
        };
        let rtype = type_opt(&mut f, "type")?;
        let tos = tos_opt(&mut f)?.unwrap_or(0);
        let onlink = f.bool("onlink")?.unwrap_or(false);
        let pref = match f.take("pref") {
            None => None,
            Some(v) => match v.as_str().and_then(|s| S::PREF_NAMES.iter().find(|(_, n)| *n == s)) {
                Some((k, _)) => Some(*k as u8),
                None => return Err(f.expected("pref", "one of \"low\", \"medium\", \"high\"", v)),
            },
        };
        let expires = f.u32("expires")?;
        let realms = realms_opt(&mut f)?;
        let nhid = f.u32("nhid")?;
        let (metrics, lock) = metrics_opt(map, &mut f)?;
        let encap = encap_opt(&mut f)?;
        let nexthops = match f.take("nexthops") {
            None => Vec::new(),
            Some(Opt::List(items)) if !items.is_empty() => {
                items.iter().enumerate().map(|(i, v)| nexthop_from(v, i + 1, family, res)).collect::<Result<_, _>>()?
            }
            Some(v) => return Err(f.expected("nexthops", "non-empty list like {{gw=\"10.0.0.1\"}, {gw=\"10.0.1.1\"}}", v)),
        };
        if !nexthops.is_empty() {
            for k in ["gw", "via", "dev", "oif", "encap"] {
                if map.iter().any(|(x, _)| x == k) {
                    return Err(FieldError(format!("field '{k}': give it per path inside 'nexthops', not beside it")));
                }
            }
        }
        f.finish([])?;
        Ok(RouteSpec {
            family,
            dst,
            from,
            prefsrc,
            gateway,
            via,
            oif,
            table,
            metric,
            scope,
            protocol,
            rtype,
            tos,
            onlink,
            pref,
            expires,
            realms,
            nhid,
            metrics,
            lock,
            nexthops,
            encap,
        })
    }

    /// The spec that names an existing route exactly (to delete or re-add it).
    pub fn from_route(r: &Route) -> RouteSpec {
        let net = |a: Option<IpAddr>, len: u8| -> Option<IpNet> {
            let a = a.unwrap_or(if r.family == AF_INET6 { IpAddr::V6(0.into()) } else { IpAddr::V4(0.into()) });
            IpNet::new(a, len).ok()
        };
        let metrics = match r.attrs.nested(S::RTA_METRICS) {
            Some(m) => Attrs(m.0.iter().filter(|a| a.id != S::RTAX_LOCK).cloned().collect()),
            None => Attrs::default(),
        };
        let lock = r.attrs.nested(S::RTA_METRICS).and_then(|m| m.uint(S::RTAX_LOCK)).unwrap_or(0) as u32;
        RouteSpec {
            family: r.family,
            dst: net(r.dst, r.dst_len).unwrap_or_else(|| "0.0.0.0/0".parse().unwrap()),
            from: if r.src_len > 0 { net(r.from, r.src_len) } else { None },
            prefsrc: r.prefsrc,
            gateway: r.gateway,
            via: r.via,
            oif: r.oif,
            table: Some(r.table),
            metric: r.metric,
            scope: Some(r.scope),
            protocol: Some(r.protocol),
            rtype: Some(r.rtype),
            tos: r.tos,
            onlink: r.flags & S::RTNH_F_ONLINK != 0,
            pref: r.pref,
            expires: None,
            realms: r.realms,
            nhid: r.nhid,
            metrics,
            lock,
            nexthops: r
                .nexthops
                .iter()
                .map(|n| NexthopSpec {
                    gateway: n.gateway,
                    via: n.via,
                    oif: Some(n.ifindex).filter(|i| *i != 0),
                    weight: n.weight,
                    onlink: n.flags as u32 & S::RTNH_F_ONLINK != 0,
                    encap: n.encap.clone(),
                    realms: n.realms,
                })
                .collect(),
            encap: r.encap.clone(),
        }
    }

    /// The table, after ip's default (local for local/broadcast/nat/anycast).
    pub fn table_or_default(&self) -> u32 {
        self.table.unwrap_or(match self.rtype {
            Some(S::RTN_LOCAL | S::RTN_BROADCAST | S::RTN_NAT | S::RTN_ANYCAST) => S::RT_TABLE_LOCAL,
            _ => S::RT_TABLE_MAIN,
        })
    }

    /// The scope ip picks when none is given.
    fn default_scope(&self, delete: bool) -> u8 {
        if self.family == AF_INET6 {
            return S::RT_SCOPE_UNIVERSE;
        }
        match self.rtype {
            Some(S::RTN_LOCAL | S::RTN_NAT) => S::RT_SCOPE_HOST,
            Some(S::RTN_BROADCAST | S::RTN_MULTICAST | S::RTN_ANYCAST) => S::RT_SCOPE_LINK,
            None | Some(0 | S::RTN_UNICAST) if delete => S::RT_SCOPE_NOWHERE,
            None | Some(0 | S::RTN_UNICAST) => {
                if self.gateway.is_none() && self.via.is_none() && self.nexthops.is_empty() && self.nhid.is_none() {
                    S::RT_SCOPE_LINK
                } else {
                    S::RT_SCOPE_UNIVERSE
                }
            }
            _ => S::RT_SCOPE_UNIVERSE,
        }
    }

    /// The request: RTM_NEWROUTE with `flags` (create/replace/append...) or
    /// RTM_DELROUTE. Attributes come in the order `ip route` emits them for
    /// `DST from F src S via G metric M table T pref P expires E encap ...
    /// realms R nhid N dev D <metrics> nexthop ...`.
    pub fn message(&self, ty: u16, flags: u16) -> MsgBuilder {
        let delete = ty == route::RTM_DELROUTE;
        let table = self.table_or_default();
        let mut hdr = [0u8; 12];
        hdr[0] = self.family;
        hdr[1] = self.dst.prefix_len();
        hdr[2] = self.from.map(|n| n.prefix_len()).unwrap_or(0);
        hdr[3] = self.tos;
        hdr[4] = if table < 256 { table as u8 } else { 0 };
        hdr[5] = self.protocol.unwrap_or(if delete { 0 } else { S::RTPROT_BOOT });
        hdr[6] = self.scope.unwrap_or_else(|| self.default_scope(delete));
        hdr[7] = self.rtype.unwrap_or(if delete { 0 } else { S::RTN_UNICAST });
        let rflags: u32 = if self.onlink { S::RTNH_F_ONLINK } else { 0 };
        hdr[8..12].copy_from_slice(&rflags.to_ne_bytes());
        let mut m = MsgBuilder::new(ty, flags);
        m.push(&hdr);
        if self.dst.prefix_len() > 0 {
            m.attr(S::RTA_DST, &ip_bytes(&self.dst.addr()));
        }
        if let Some(n) = self.from
            && n.prefix_len() > 0
        {
            m.attr(S::RTA_SRC, &ip_bytes(&n.addr()));
        }
        if let Some(a) = self.prefsrc {
            m.attr(S::RTA_PREFSRC, &ip_bytes(&a));
        }
        if let Some(g) = self.gateway {
            m.attr(S::RTA_GATEWAY, &ip_bytes(&g));
        }
        if let Some(v) = self.via {
            m.attr(S::RTA_VIA, &via_bytes(&v));
        }
        if let Some(p) = self.metric {
            m.attr_u32(S::RTA_PRIORITY, p);
        }
        if table >= 256 {
            m.attr_u32(S::RTA_TABLE, table);
        }
        if let Some(p) = self.pref {
            m.attr_u8(S::RTA_PREF, p);
        }
        if let Some(e) = self.expires {
            m.attr_u32(S::RTA_EXPIRES, e);
        }
        if let Some(e) = &self.encap {
            m.attr(S::RTA_ENCAP | NLA_F_NESTED, &e.encode());
            m.attr_u16(S::RTA_ENCAP_TYPE, e.kind());
        }
        if let Some(r) = self.realms {
            m.attr_u32(S::RTA_FLOW, r);
        }
        if let Some(n) = self.nhid {
            m.attr_u32(S::RTA_NH_ID, n);
        }
        if let Some(i) = self.oif {
            m.attr_u32(S::RTA_OIF, i);
        }
        if !self.metrics.0.is_empty() || self.lock != 0 {
            let mut mx = self.metrics.to_bytes();
            if self.lock != 0 {
                super::message::put_attr(&mut mx, S::RTAX_LOCK, &self.lock.to_ne_bytes());
            }
            m.attr(S::RTA_METRICS, &mx);
        }
        if !self.nexthops.is_empty() {
            let recs: Vec<NexthopRecord> = self.nexthops.iter().map(nexthop_record).collect();
            m.attr(S::RTA_MULTIPATH, &S::encode_multipath(&recs));
        }
        m
    }

    /// The operation in ip words: "route add 10.0.0.0/24 via 10.0.0.1 dev v0
    /// table 100"; `dev` names an interface index.
    pub fn op(&self, verb: &str, dev: &dyn Fn(u32) -> String) -> String {
        let mut o = format!("route {verb} ");
        if let Some(t) = self.rtype.filter(|t| *t != S::RTN_UNICAST && *t != 0) {
            o.push_str(&route::type_name(t));
            o.push(' ');
        }
        o.push_str(&if self.dst.prefix_len() == 0 { "default".to_string() } else { self.dst.to_string() });
        if let Some(g) = self.gateway.or(self.via) {
            o.push_str(&format!(" via {g}"));
        }
        if let Some(i) = self.oif {
            o.push_str(&format!(" dev {}", dev(i)));
        }
        for n in &self.nexthops {
            o.push_str(" nexthop");
            if let Some(g) = n.gateway.or(n.via) {
                o.push_str(&format!(" via {g}"));
            }
        }
        if let Some(m) = self.metric {
            o.push_str(&format!(" metric {m}"));
        }
        let t = self.table_or_default();
        if t != S::RT_TABLE_MAIN {
            o.push_str(&format!(" table {}", route::table_name(t)));
        }
        o
    }
}

fn nexthop_record(n: &NexthopSpec) -> NexthopRecord {
    let mut attrs = Vec::new();
    let raw = |id: u16, b: Vec<u8>| Attr { id, flags: 0, def: S::ROUTE.by_id(id), value: Value::Bytes(b) };
    if let Some(e) = &n.encap {
        attrs.push(Attr { flags: NLA_F_NESTED, ..raw(S::RTA_ENCAP, e.encode()) });
        attrs.push(Attr {
            id: S::RTA_ENCAP_TYPE,
            flags: 0,
            def: S::ROUTE.by_id(S::RTA_ENCAP_TYPE),
            value: Value::U(e.kind() as u64),
        });
    }
    if let Some(g) = n.gateway {
        attrs.push(raw(S::RTA_GATEWAY, ip_bytes(&g)));
    }
    if let Some(v) = n.via {
        attrs.push(raw(S::RTA_VIA, via_bytes(&v)));
    }
    if let Some(r) = n.realms {
        attrs.push(Attr { id: S::RTA_FLOW, flags: 0, def: S::ROUTE.by_id(S::RTA_FLOW), value: Value::U(r as u64) });
    }
    NexthopRecord {
        flags: if n.onlink { S::RTNH_F_ONLINK as u8 } else { 0 },
        hops: (n.weight.clamp(1, 256) - 1) as u8,
        ifindex: n.oif.unwrap_or(0),
        attrs: Attrs(attrs),
    }
}
