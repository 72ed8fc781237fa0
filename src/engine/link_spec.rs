//! What to create and what to change: `LinkSpec` (`link.add`) and
//! `LinkChange` (`l:set{}`), parsed from option tables, and the RTM_NEWLINK
//! requests built from them in iproute2's attribute order. The typed view of
//! a link and the operations are in `link.rs`.

use super::error::{Error, Result};
use super::link::{IFF_UP, IFNAME_WHAT, RTM_NEWLINK, valid_ifname};
use super::message::{MsgBuilder, NLM_F_CREATE, NLM_F_EXCL};
use super::schema::link::{self as S};
use super::schema::{self, Attrs, FieldError, Fields, Opt, Resolver};

/// Where to put a link: a namespace file descriptor (kept open by the caller) or
/// a process's namespace.
#[derive(Debug, Clone, PartialEq)]
pub enum NetnsTarget {
    /// A namespace this process holds open (its identity known to observers).
    Ns(super::ns::NsInfo),
    /// A namespace file descriptor (IFLA_NET_NS_FD).
    Fd(i32),
    /// The namespace of a process (IFLA_NET_NS_PID).
    Pid(u32),
}

/// What to create: the fields every link has, plus the kind's own options.
#[derive(Debug, Clone, Default)]
pub struct LinkSpec {
    /// Interface name (the kernel picks one when None).
    pub name: Option<String>,
    /// Link kind (IFLA_INFO_KIND: `veth`, `bridge`, `vxlan`...).
    pub kind: String,
    /// The ifindex to create it with (`ip link add ... index N`); 0/None: any.
    pub index: Option<u32>,
    /// MTU in bytes.
    pub mtu: Option<u32>,
    /// Link-layer address.
    pub mac: Option<Vec<u8>>,
    /// Link-layer broadcast address.
    pub broadcast: Option<Vec<u8>>,
    /// Transmit queue length.
    pub txqlen: Option<u32>,
    /// Number of transmit queues to create.
    pub numtxqueues: Option<u32>,
    /// Number of receive queues to create.
    pub numrxqueues: Option<u32>,
    /// Interface group (IFLA_GROUP).
    pub group: Option<u32>,
    /// Interface alias (IFLA_IFALIAS).
    pub alias: Option<String>,
    /// Index of the master device (bridge, bond) it is enslaved to.
    pub master: Option<u32>,
    /// Parent device (IFLA_LINK) for vlan, macvlan, ipvlan.
    pub link: Option<u32>,
    /// Namespace to create it in (IFLA_NET_NS_FD / IFLA_NET_NS_PID).
    pub netns: Option<NetnsTarget>,
    /// Create it up.
    pub up: bool,
    /// Kind options (IFLA_INFO_DATA), by their table names.
    pub options: Vec<(String, Opt)>,
    /// The other end of a veth.
    pub peer: Option<Box<LinkSpec>>,
}

/// Common fields accepted by `link.add` besides the kind's options.
pub const LINK_ADD_FIELDS: &[&str] = &[
    "name", "kind", "index", "mtu", "mac", "address", "broadcast", "txqlen", "numtxqueues", "numrxqueues", "group", "alias",
    "master", "link", "parent", "netns", "up", "peer",
];

fn mtu(f: &mut Fields<'_>) -> std::result::Result<Option<u32>, FieldError> {
    Ok(f.int("mtu", 68, 65535)?.map(|v| v as u32))
}

fn ifname(f: &mut Fields<'_>, key: &'static str) -> std::result::Result<Option<String>, FieldError> {
    match f.take(key) {
        None => Ok(None),
        Some(Opt::Str(s)) if valid_ifname(s) => Ok(Some(s.clone())),
        Some(v) => Err(f.expected(key, IFNAME_WHAT, v)),
    }
}

fn mac_or_address(f: &mut Fields<'_>) -> std::result::Result<Option<Vec<u8>>, FieldError> {
    let a = f.mac("mac")?;
    Ok(a.or(f.mac("address")?))
}

impl LinkSpec {
    /// Parse `link.add` options. `netns` values are not options (they are
    /// namespace objects): the caller takes them out first and sets `netns`.
    pub fn from_opts(map: &[(String, Opt)], res: &dyn Resolver) -> std::result::Result<LinkSpec, FieldError> {
        LinkSpec::parse(map, "", res, true)
    }

    fn parse(map: &[(String, Opt)], prefix: &str, res: &dyn Resolver, top: bool) -> std::result::Result<LinkSpec, FieldError> {
        let mut f = Fields::new(map, prefix);
        let mut s = LinkSpec { name: ifname(&mut f, "name")?, ..Default::default() };
        if top && s.name.is_none() {
            return Err(f.missing("name"));
        }
        if top {
            s.kind = match f.take("kind") {
                Some(Opt::Str(k)) if !k.is_empty() => k.clone(),
                Some(v) => return Err(f.expected("kind", "link kind string like \"veth\"", v)),
                None => return Err(f.missing("kind")),
            };
        }
        s.index = f.int("index", 1, i32::MAX as i64)?.map(|v| v as u32);
        s.mtu = mtu(&mut f)?;
        s.mac = mac_or_address(&mut f)?;
        s.broadcast = f.mac("broadcast")?;
        s.txqlen = f.u32("txqlen")?;
        s.numtxqueues = f.int("numtxqueues", 1, 4096)?.map(|v| v as u32);
        s.numrxqueues = f.int("numrxqueues", 1, 4096)?.map(|v| v as u32);
        s.group = f.u32("group")?;
        s.alias = f.str("alias")?;
        s.master = f.ifindex("master", res)?;
        s.link = f.ifindex("link", res)?;
        if s.link.is_none() {
            s.link = f.ifindex("parent", res)?;
        } else {
            f.allow("parent");
        }
        s.up = f.bool("up")?.unwrap_or(false);
        f.allow("netns");
        if top {
            match f.take("peer") {
                None => {}
                Some(Opt::Map(pm)) => s.peer = Some(Box::new(LinkSpec::parse(pm, "peer.", res, false)?)),
                Some(Opt::Str(n)) if valid_ifname(n) => {
                    s.peer = Some(Box::new(LinkSpec { name: Some(n.clone()), ..Default::default() }))
                }
                Some(v) => return Err(f.expected("peer", "table like {name=\"v1\"} or a name", v)),
            }
            s.options = f.rest();
            // Check the kind's options now so errors come before anything is created.
            validate_kind_options(&s.kind, &s.options, LINK_ADD_FIELDS, res)?;
            if s.kind == "veth" && s.peer.as_ref().is_none_or(|p| p.name.is_none()) {
                return Err(FieldError("field 'peer.name' is required for kind 'veth'".into()));
            }
            // The kernel only says EINVAL when the lower device is missing.
            if KINDS_ON_A_LINK.contains(&s.kind.as_str()) && s.link.is_none() {
                return Err(FieldError(format!("field 'link' (the lower device) is required for kind '{}'", s.kind)));
            }
            if s.peer.is_some() && s.kind != "veth" {
                return Err(FieldError(format!("field 'peer': only a veth has a peer, not kind '{}'", s.kind)));
            }
            Ok(s)
        } else {
            f.finish(["name", "index", "mtu", "mac", "address", "txqlen", "netns", "up", "alias", "group", "master"])?;
            Ok(s)
        }
    }
}

/// Kinds that stack on a lower device (`link = "eth0"`, ip's `link DEV`).
pub const KINDS_ON_A_LINK: &[&str] = &["macvlan", "macvtap", "vlan", "ipvlan", "ipvtap"];

/// Kinds created with /dev/net/tun rather than rtnetlink, and their options.
pub const TUNTAP_OPTIONS: &[&str] = &["user", "group", "multi_queue", "vnet_hdr", "pi"];

fn validate_kind_options(
    kind: &str,
    opts: &[(String, Opt)],
    common: &[&'static str],
    res: &dyn Resolver,
) -> std::result::Result<(), FieldError> {
    if kind == "tun" || kind == "tap" {
        if let Some((k, _)) = opts.iter().find(|(k, _)| !TUNTAP_OPTIONS.contains(&k.as_str())) {
            return Err(schema::unknown_option(k, TUNTAP_OPTIONS.iter().chain(common).copied()));
        }
        return Ok(());
    }
    match S::kind_set(kind) {
        Some(set) => {
            let (_, unknown) = schema::encode_opts(set, opts, "", res)?;
            if let Some(k) = unknown.first() {
                return Err(schema::unknown_option(k, set.input_names().chain(common.iter().copied())));
            }
            Ok(())
        }
        None if opts.is_empty() => Ok(()),
        None => {
            let (k, _) = &opts[0];
            match schema::did_you_mean(k, common.iter().copied()) {
                Some(s) => Err(schema::unknown_option(k, [s])),
                None => Err(FieldError(format!("unknown option '{k}' (nlua has no option table for kind '{kind}')"))),
            }
        }
    }
}

/// A change to an existing link (`l:set{...}`): only the fields given change.
#[derive(Debug, Clone, Default)]
pub struct LinkChange {
    /// New interface name.
    pub name: Option<String>,
    /// MTU in bytes.
    pub mtu: Option<u32>,
    /// Link-layer address.
    pub mac: Option<Vec<u8>>,
    /// New link-layer broadcast address.
    pub broadcast: Option<Vec<u8>>,
    /// Transmit queue length.
    pub txqlen: Option<u32>,
    /// Interface alias (IFLA_IFALIAS).
    pub alias: Option<String>,
    /// Some(None) detaches from the master (`nomaster`).
    pub master: Option<Option<u32>>,
    /// Set up (true) or down (false).
    pub up: Option<bool>,
    /// Promiscuous mode (IFF_PROMISC).
    pub promisc: Option<bool>,
    /// Receive all multicast (IFF_ALLMULTI).
    pub allmulticast: Option<bool>,
    /// ARP on (false sets IFF_NOARP).
    pub arp: Option<bool>,
    /// Interface group (IFLA_GROUP).
    pub group: Option<u32>,
    /// Namespace to move it to.
    pub netns: Option<NetnsTarget>,
    /// With `netns`: the ifindex the link takes there (IFLA_NEW_IFINDEX), so
    /// a link moved back gets its old index again. Not a Lua option.
    pub netns_index: Option<u32>,
    /// Kind options to change (sent as IFLA_LINKINFO with the link's kind).
    pub options: Vec<(String, Opt)>,
}

/// Fields `l:set{}` accepts besides kind options.
pub const LINK_SET_FIELDS: &[&str] =
    &["name", "mtu", "mac", "address", "broadcast", "txqlen", "alias", "master", "up", "promisc", "allmulticast", "arp", "group", "netns"];

impl LinkChange {
    /// Parse `l:set{}` options for a link of `kind` (for kind options). As with
    /// [`LinkSpec::from_opts`], `netns` is set by the caller.
    pub fn from_opts(map: &[(String, Opt)], kind: Option<&str>, res: &dyn Resolver) -> std::result::Result<LinkChange, FieldError> {
        let mut f = Fields::new(map, "");
        let mut c = LinkChange { name: ifname(&mut f, "name")?, mtu: mtu(&mut f)?, ..Default::default() };
        c.mac = mac_or_address(&mut f)?;
        c.broadcast = f.mac("broadcast")?;
        c.txqlen = f.u32("txqlen")?;
        c.alias = f.str("alias")?;
        c.master = match f.take("master") {
            None => None,
            Some(Opt::Bool(false)) => Some(None),
            Some(_) => {
                // re-read through the typed getter for its error message
                let mut g = Fields::new(map, "");
                let m = g.ifindex("master", res)?;
                Some(m)
            }
        };
        c.up = f.bool("up")?;
        c.promisc = f.bool("promisc")?;
        c.allmulticast = f.bool("allmulticast")?;
        c.arp = f.bool("arp")?;
        c.group = f.u32("group")?;
        f.allow("netns");
        let rest = f.rest();
        if !rest.is_empty() {
            match kind {
                Some(k) => validate_kind_options(k, &rest, LINK_SET_FIELDS, res)?,
                None => return Err(schema::unknown_option(&rest[0].0, LINK_SET_FIELDS.iter().copied())),
            }
        }
        c.options = rest;
        Ok(c)
    }

    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.mtu.is_none()
            && self.mac.is_none()
            && self.broadcast.is_none()
            && self.txqlen.is_none()
            && self.alias.is_none()
            && self.master.is_none()
            && self.up.is_none()
            && self.promisc.is_none()
            && self.allmulticast.is_none()
            && self.arp.is_none()
            && self.group.is_none()
            && self.netns.is_none()
            && self.options.is_empty()
    }
}

pub(super) fn ifinfomsg(index: u32, flags: u32, change: u32) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[4..8].copy_from_slice(&(index as i32).to_ne_bytes());
    b[8..12].copy_from_slice(&flags.to_ne_bytes());
    b[12..16].copy_from_slice(&change.to_ne_bytes());
    b
}

pub(super) fn put_netns(m: &mut MsgBuilder, t: &NetnsTarget) {
    match t {
        NetnsTarget::Ns(ns) => m.attr_u32(S::IFLA_NET_NS_FD, ns.raw_fd() as u32),
        NetnsTarget::Fd(fd) => m.attr_u32(S::IFLA_NET_NS_FD, *fd as u32),
        NetnsTarget::Pid(p) => m.attr_u32(S::IFLA_NET_NS_PID, *p),
    };
}

/// Attributes shared by the link and its peer, in the order iproute2 emits them
/// for `ip link add NAME mtu M address A ... type KIND`.
fn put_common(m: &mut MsgBuilder, s: &LinkSpec) {
    if let Some(v) = s.mtu {
        m.attr_u32(S::IFLA_MTU, v);
    }
    if let Some(v) = &s.mac {
        m.attr(S::IFLA_ADDRESS, v);
    }
    if let Some(v) = &s.broadcast {
        m.attr(S::IFLA_BROADCAST, v);
    }
    if let Some(v) = s.txqlen {
        m.attr_u32(S::IFLA_TXQLEN, v);
    }
    if let Some(v) = s.numtxqueues {
        m.attr_u32(S::IFLA_NUM_TX_QUEUES, v);
    }
    if let Some(v) = s.numrxqueues {
        m.attr_u32(S::IFLA_NUM_RX_QUEUES, v);
    }
    if let Some(v) = s.group {
        m.attr_u32(S::IFLA_GROUP, v);
    }
    if let Some(v) = &s.alias {
        m.attr_str(S::IFLA_IFALIAS, v);
    }
    if let Some(v) = s.master {
        m.attr_u32(S::IFLA_MASTER, v);
    }
    if let Some(t) = &s.netns {
        put_netns(m, t);
    }
    if let Some(v) = s.link {
        m.attr_u32(S::IFLA_LINK, v);
    }
    if let Some(n) = &s.name {
        m.attr_str(S::IFLA_IFNAME, n);
    }
}

pub(super) fn kind_data(kind: &str, opts: &[(String, Opt)], res: &dyn Resolver) -> std::result::Result<Attrs, FieldError> {
    if opts.is_empty() {
        return Ok(Attrs::default());
    }
    match S::kind_set(kind) {
        Some(set) => schema::encode_opts_strict(set, opts, "", res),
        None => Err(FieldError(format!("nlua has no option table for kind '{kind}'"))),
    }
}

/// The RTM_NEWLINK request that creates `s`, in the attribute order iproute2
/// uses (so it can be compared with captured `ip link add` bytes).
pub fn link_add_message(s: &LinkSpec, res: &dyn Resolver) -> Result<MsgBuilder> {
    let mut m = MsgBuilder::new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    let up = if s.up { IFF_UP } else { 0 };
    m.push(&ifinfomsg(s.index.unwrap_or(0), up, up));
    put_common(&mut m, s);
    let li = m.nest_start(S::IFLA_LINKINFO);
    // Without the NUL, as iproute2 sends it (the kernel takes either).
    m.attr(S::IFLA_INFO_KIND, s.kind.as_bytes());
    let data = kind_data(&s.kind, &s.options, res).map_err(|e| Error::input("link.add", e.0))?;
    if !data.0.is_empty() || s.peer.is_some() {
        let d = m.nest_start(S::IFLA_INFO_DATA);
        if let Some(p) = &s.peer {
            let pn = m.nest_start(S::VETH_INFO_PEER);
            m.push(&ifinfomsg(p.index.unwrap_or(0), 0, 0));
            put_common(&mut m, p);
            m.nest_end(pn);
        }
        m.raw_attrs(&data.to_bytes());
        m.nest_end(d);
    }
    m.nest_end(li);
    Ok(m)
}

