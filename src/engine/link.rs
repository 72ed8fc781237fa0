//! Links: the typed view of RTM_NEWLINK messages and the link operations of a
//! [`Handle`] (list, get, add, set, del).

use std::fmt;

use nix::libc;

use super::error::{Error, Result};
use super::handle::Handle;
use super::message::MsgBuilder;
use super::schema::link::{self as S, IFINFOMSG};
use super::schema::{self, Attrs, LazyAttrs, Resolver, Value};

/// `RTM_NEWLINK`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_NEWLINK: u16 = 16;
/// `RTM_DELLINK`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_DELLINK: u16 = 17;
/// `RTM_GETLINK`: rtnetlink message type (`<linux/rtnetlink.h>`).
pub const RTM_GETLINK: u16 = 18;

/// Interface flags (IFF_*), in the order ip prints them.
pub const IFF_NAMES: &[(u32, &str)] = &[
    (0x8, "LOOPBACK"),
    (0x2, "BROADCAST"),
    (0x10, "POINTOPOINT"),
    (0x1000, "MULTICAST"),
    (0x80, "NOARP"),
    (0x200, "ALLMULTI"),
    (0x100, "PROMISC"),
    (0x400, "MASTER"),
    (0x800, "SLAVE"),
    (0x4, "DEBUG"),
    (0x8000, "DYNAMIC"),
    (0x4000, "AUTOMEDIA"),
    (0x2000, "PORTSEL"),
    (0x20, "NOTRAILERS"),
    (0x1, "UP"),
    (0x10000, "LOWER_UP"),
    (0x20000, "DORMANT"),
    (0x40000, "ECHO"),
];
/// `IFF_UP`: interface flag (`<linux/if.h>`).
pub const IFF_UP: u32 = 0x1;
/// `IFF_NOARP`: interface flag (`<linux/if.h>`).
pub const IFF_NOARP: u32 = 0x80;
/// `IFF_PROMISC`: interface flag (`<linux/if.h>`).
pub const IFF_PROMISC: u32 = 0x100;
/// `IFF_ALLMULTI`: interface flag (`<linux/if.h>`).
pub const IFF_ALLMULTI: u32 = 0x200;
/// `IFF_LOWER_UP`: interface flag (`<linux/if.h>`).
pub const IFF_LOWER_UP: u32 = 0x10000;

/// RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS is what `ip link` asks for without
/// -s; we keep stats (they are cheap) and ask for VF info like ip does.
const RTEXT_FILTER_VF: u32 = 1;

/// Names are at most IFNAMSIZ-1 bytes and may not contain '/', ':' or spaces.
pub fn valid_ifname(s: &str) -> bool {
    !s.is_empty() && s.len() < 16 && s != "." && s != ".." && !s.contains(['/', ':']) && !s.contains(char::is_whitespace)
}

pub(super) const IFNAME_WHAT: &str = "interface name of 1..15 characters without '/', ':' or spaces";

/// The attributes [`Link::parse`] reads into typed fields (bits 1 << IFLA_*).
const TYPED_IDS: u128 = {
    let ids = [
        S::IFLA_IFNAME, S::IFLA_MTU, S::IFLA_LINKINFO, S::IFLA_PROP_LIST, S::IFLA_ADDRESS, S::IFLA_BROADCAST,
        S::IFLA_MASTER, S::IFLA_LINK, S::IFLA_LINK_NETNSID, S::IFLA_OPERSTATE, S::IFLA_LINKMODE,
        S::IFLA_PROMISCUITY, S::IFLA_ALLMULTI, S::IFLA_TXQLEN, S::IFLA_QDISC, S::IFLA_GROUP, S::IFLA_IFALIAS,
        S::IFLA_MIN_MTU, S::IFLA_MAX_MTU, S::IFLA_PERM_ADDRESS, S::IFLA_NUM_TX_QUEUES, S::IFLA_NUM_RX_QUEUES,
    ];
    let mut m = 0u128;
    let mut i = 0;
    while i < ids.len() {
        m |= 1u128 << ids[i];
        i += 1;
    }
    m
};

/// A link as the kernel reported it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Link {
    /// Interface index.
    pub index: u32,
    /// Interface name (IFLA_IFNAME).
    pub name: String,
    /// ARPHRD_* link type.
    pub link_type: u16,
    /// IFF_* flags.
    pub flags: u32,
    /// MTU in bytes.
    pub mtu: u32,
    /// IFLA_INFO_KIND ("veth", "bridge"...); None for physical devices and lo.
    pub kind: Option<String>,
    /// IFLA_INFO_SLAVE_KIND when enslaved ("bridge", "bond").
    pub slave_kind: Option<String>,
    /// Link-layer address.
    pub mac: Option<Vec<u8>>,
    /// Link-layer broadcast address (IFLA_BROADCAST).
    pub broadcast: Option<Vec<u8>>,
    /// Index of the master device (bridge, bond) it is enslaved to.
    pub master: Option<u32>,
    /// IFLA_LINK: the peer of a veth, the parent of a vlan/macvlan.
    pub link: Option<u32>,
    /// IFLA_LINK_NETNSID: the namespace (as this one numbers it) `link` lives in.
    pub link_netnsid: Option<i32>,
    /// Operational state (IF_OPER_*: 6 up, 2 down, 0 unknown...).
    pub operstate: u8,
    /// Link mode (IFLA_LINKMODE: 0 default, 1 dormant).
    pub linkmode: u8,
    /// The kernel's promiscuity counter: raised by IFF_PROMISC and by every
    /// packet socket in promiscuous mode (tcpdump), so it is the real answer.
    pub promiscuity: u32,
    /// The kernel's allmulticast counter (IFLA_ALLMULTI).
    pub allmulti: u32,
    /// Transmit queue length.
    pub txqlen: u32,
    /// Name of the root qdisc (IFLA_QDISC).
    pub qdisc: Option<String>,
    /// Interface group (IFLA_GROUP).
    pub group: u32,
    /// Interface alias (IFLA_IFALIAS).
    pub alias: Option<String>,
    /// Smallest MTU the device takes.
    pub min_mtu: Option<u32>,
    /// Largest MTU the device takes.
    pub max_mtu: Option<u32>,
    /// Alternative names (IFLA_PROP_LIST).
    pub altnames: Vec<String>,
    /// Permanent hardware address (IFLA_PERM_ADDRESS).
    pub perm_mac: Option<Vec<u8>>,
    /// Number of transmit queues.
    pub num_tx_queues: Option<u32>,
    /// Number of receive queues.
    pub num_rx_queues: Option<u32>,
    /// Every attribute, decoded with the link tables when first looked at.
    pub attrs: LazyAttrs,
}

impl Link {
    /// Parse an RTM_NEWLINK payload (ifinfomsg + IFLA_* attributes).
    pub fn parse(payload: &[u8]) -> std::result::Result<Link, &'static str> {
        if payload.len() < IFINFOMSG.size {
            return Err("short ifinfomsg");
        }
        // The typed fields come from these attributes alone, decoded as the
        // whole set would decode them; the rest wait until asked for.
        let typed = schema::decode_where(&S::LINK, &payload[IFINFOMSG.size..], |id| id < 128 && TYPED_IDS & (1u128 << id) != 0);
        Ok(Link::from_decoded(payload, &typed))
    }

    /// The link of `payload` (at least an ifinfomsg) with its typed fields
    /// read from `attrs`, the payload's attributes decoded whole or in part
    /// ([`Link::parse`] decodes only the ones the fields need).
    pub fn from_decoded(payload: &[u8], attrs: &Attrs) -> Link {
        let u32_of = |id| attrs.uint(id).map(|v| v as u32);
        let linkinfo = attrs.nested(S::IFLA_LINKINFO);
        let altnames = match attrs.nested(S::IFLA_PROP_LIST) {
            Some(p) => p.0.iter().filter_map(|a| if let Value::Str(s) | Value::Text(s) = &a.value { Some(s.clone()) } else { None }).collect(),
            None => Vec::new(),
        };
        Link {
            index: super::ne_u32(payload, 4),
            link_type: super::ne_u16(payload, 2),
            flags: super::ne_u32(payload, 8),
            name: attrs.str(S::IFLA_IFNAME).unwrap_or_default().to_string(),
            mtu: u32_of(S::IFLA_MTU).unwrap_or(0),
            kind: linkinfo.and_then(|li| li.str(S::IFLA_INFO_KIND)).map(str::to_string),
            slave_kind: linkinfo.and_then(|li| li.str(S::IFLA_INFO_SLAVE_KIND)).map(str::to_string),
            mac: attrs.mac(S::IFLA_ADDRESS).map(<[u8]>::to_vec),
            broadcast: attrs.mac(S::IFLA_BROADCAST).map(<[u8]>::to_vec),
            master: u32_of(S::IFLA_MASTER).filter(|m| *m != 0),
            link: u32_of(S::IFLA_LINK),
            link_netnsid: attrs.int(S::IFLA_LINK_NETNSID).map(|v| v as i32),
            operstate: attrs.uint(S::IFLA_OPERSTATE).unwrap_or(0) as u8,
            linkmode: attrs.uint(S::IFLA_LINKMODE).unwrap_or(0) as u8,
            promiscuity: u32_of(S::IFLA_PROMISCUITY).unwrap_or(0),
            allmulti: u32_of(S::IFLA_ALLMULTI).unwrap_or(0),
            txqlen: u32_of(S::IFLA_TXQLEN).unwrap_or(0),
            qdisc: attrs.str(S::IFLA_QDISC).map(str::to_string),
            group: u32_of(S::IFLA_GROUP).unwrap_or(0),
            alias: attrs.str(S::IFLA_IFALIAS).map(str::to_string),
            min_mtu: u32_of(S::IFLA_MIN_MTU),
            max_mtu: u32_of(S::IFLA_MAX_MTU),
            perm_mac: attrs.mac(S::IFLA_PERM_ADDRESS).map(<[u8]>::to_vec),
            num_tx_queues: u32_of(S::IFLA_NUM_TX_QUEUES),
            num_rx_queues: u32_of(S::IFLA_NUM_RX_QUEUES),
            altnames,
            attrs: LazyAttrs::new(&S::LINK, &payload[IFINFOMSG.size..]),
        }
    }

    /// IFF_UP is set (administratively up).
    pub fn is_up(&self) -> bool {
        self.flags & IFF_UP != 0
    }

    /// The names of the set flags, in ip's order. (`ip link` adds M-DOWN for
    /// a lower device that is down: `show::link` does, knowing the other links.)
    pub fn flag_names(&self) -> Vec<&'static str> {
        IFF_NAMES.iter().filter(|(bit, _)| self.flags & bit != 0).map(|(_, n)| *n).collect()
    }

    /// The operational state as ip prints it ("UP", "DOWN", "UNKNOWN"...).
    pub fn operstate_name(&self) -> &'static str {
        S::OPERSTATES.iter().find(|(k, _)| *k == self.operstate as u64).map(|(_, n)| *n).unwrap_or("UNKNOWN")
    }

    /// IFLA_INFO_DATA, decoded with the kind's table.
    pub fn kind_data(&self) -> Option<&Attrs> {
        self.attrs.nested(S::IFLA_LINKINFO)?.nested(S::IFLA_INFO_DATA)
    }

    /// IFLA_INFO_SLAVE_DATA (bridge port settings...).
    pub fn slave_data(&self) -> Option<&Attrs> {
        self.attrs.nested(S::IFLA_LINKINFO)?.nested(S::IFLA_INFO_SLAVE_DATA)
    }

    /// A counter from IFLA_STATS64 by name ("rx_bytes").
    pub fn stat(&self, name: &str) -> Option<u64> {
        self.stats().into_iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// All IFLA_STATS64 counters, by name (the other attributes stay undecoded).
    pub fn stats(&self) -> Vec<(&'static str, u64)> {
        match self.attrs.value_of(S::IFLA_STATS64) {
            Some(Value::Struct(_, fields, _)) => {
                fields.into_iter().filter_map(|(n, v)| if let Value::U(x) = v { Some((n, x)) } else { None }).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// A link named by index or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkId {
    /// By interface index.
    Index(u32),
    /// By interface name.
    Name(String),
}

impl From<u32> for LinkId {
    fn from(i: u32) -> LinkId {
        LinkId::Index(i)
    }
}
impl From<&str> for LinkId {
    fn from(s: &str) -> LinkId {
        LinkId::Name(s.to_string())
    }
}
impl From<String> for LinkId {
    fn from(s: String) -> LinkId {
        LinkId::Name(s)
    }
}
impl fmt::Display for LinkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkId::Index(i) => write!(f, "index {i}"),
            LinkId::Name(n) => f.write_str(n),
        }
    }
}

/// Which links a list returns. `kind` and `master` are also given to the kernel
/// as dump filters.
#[derive(Debug, Clone, Default)]
pub struct LinkFilter {
    /// Only links of this kind (IFLA_INFO_KIND).
    pub kind: Option<String>,
    /// Only links enslaved to this master (ifindex).
    pub master: Option<u32>,
    /// Only links that are up (true) or down (false).
    pub up: Option<bool>,
}

pub use super::link_spec::{
    KINDS_ON_A_LINK, LINK_ADD_FIELDS, LINK_SET_FIELDS, LinkChange, LinkSpec, NetnsTarget, TUNTAP_OPTIONS, link_add_message,
};
use super::link_spec::{ifinfomsg, kind_data, put_netns};

impl Handle {
    /// All links, filtered.
    pub fn link_list(&self, f: &LinkFilter) -> Result<Vec<Link>> {
        let mut m = MsgBuilder::new(RTM_GETLINK, 0);
        m.push(&ifinfomsg(0, 0, 0));
        m.attr_u32(S::IFLA_EXT_MASK, RTEXT_FILTER_VF);
        if let Some(master) = f.master {
            m.attr_u32(S::IFLA_MASTER, master);
        }
        if let Some(kind) = &f.kind {
            let n = m.nest_start(S::IFLA_LINKINFO);
            m.attr_str(S::IFLA_INFO_KIND, kind);
            m.nest_end(n);
        }
        let links = self.dump(m, &|| "link show".to_string(), |msg| {
            if msg.ty != RTM_NEWLINK {
                return Ok(None);
            }
            Link::parse(msg.payload).map(Some).map_err(|e| Error::kernel(libc::EPROTO, Some(e.into()), "link show"))
        })?;
        Ok(links
            .into_iter()
            .filter(|l| f.kind.as_ref().is_none_or(|k| l.kind.as_deref() == Some(k)))
            .filter(|l| f.master.is_none_or(|m| l.master == Some(m)))
            .filter(|l| f.up.is_none_or(|u| l.is_up() == u))
            .collect())
    }

    /// One link by index or name; ENODEV if there is none.
    pub fn link_get(&self, id: impl Into<LinkId>) -> Result<Link> {
        let id = id.into();
        let mut m = MsgBuilder::new(RTM_GETLINK, 0);
        match &id {
            LinkId::Index(i) => {
                m.push(&ifinfomsg(*i, 0, 0));
            }
            LinkId::Name(n) => {
                if !valid_ifname(n) {
                    return Err(Error::kernel(libc::ENODEV, None, format!("link show dev {n:?}")));
                }
                m.push(&ifinfomsg(0, 0, 0));
                m.attr_str(S::IFLA_IFNAME, n);
            }
        }
        m.attr_u32(S::IFLA_EXT_MASK, RTEXT_FILTER_VF);
        let op = || format!("link show dev {id}");
        let reply = self.request_reply(m, &op)?;
        Link::parse(&reply).map_err(|e| Error::kernel(libc::EPROTO, Some(e.into()), op()))
    }

    /// The index of the link named `name`: one request, and only the reply's
    /// header read (no attribute decoded).
    pub fn link_index(&self, name: &str) -> Result<u32> {
        let op = || format!("link show dev {name}");
        if !valid_ifname(name) {
            return Err(Error::kernel(libc::ENODEV, None, op()));
        }
        let mut m = MsgBuilder::new(RTM_GETLINK, 0);
        m.push(&ifinfomsg(0, 0, 0));
        m.attr_str(S::IFLA_IFNAME, name);
        let reply = self.request_reply(m, &op)?;
        match super::ne_u32(&reply, 4) {
            0 => Err(Error::kernel(libc::EPROTO, Some("no ifindex in the reply".into()), op())),
            i => Ok(i),
        }
    }

    /// Create a link. The new link is not looked up (it may have been created in
    /// another namespace); use [`Handle::link_get`] on the right handle, or
    /// [`Handle::link_create`] for what the kernel tells about it.
    pub fn link_add(&self, s: &LinkSpec) -> Result<()> {
        self.link_create(s).map(drop)
    }

    /// Create a link and return what the kernel said about it: made in this
    /// handle's namespace, the request asks for an echo, which carries the new
    /// link (and a veth peer's ifindex in IFLA_LINK), so nothing is read back.
    pub fn link_create(&self, s: &LinkSpec) -> Result<super::change::LinkMade> {
        let op = || {
            let mut o = format!("link add {} type {}", s.name.as_deref().unwrap_or("?"), s.kind);
            if let Some(p) = s.peer.as_ref().and_then(|p| p.name.as_deref()) {
                o.push_str(&format!(" peer name {p}"));
            }
            o
        };
        let made = super::change::LinkMade::default();
        self.observed(super::change::Change::LinkAdd(s, &made), || {
            if s.kind == "tun" || s.kind == "tap" {
                return super::tuntap::create(self, s).map_err(|e| e.with_op(op()));
            }
            let m = link_add_message(s, self)?;
            if s.netns.is_some() {
                // Echoes go to the namespace the link is made in, not to us.
                return self.request(m, &op);
            }
            let name = s.name.as_deref().unwrap_or_default();
            for p in self.request_echo(m, &op)? {
                if let Ok(l) = Link::parse(&p)
                    && l.name == name
                {
                    if s.peer.is_some() {
                        made.peer_index.set(l.link.filter(|i| *i != 0));
                    }
                    *made.link.borrow_mut() = Some(l);
                }
            }
            Ok(())
        })?;
        Ok(made)
    }

    /// Change a link. `link` is the link as last read (its index is what counts;
    /// its name and kind label the operation and pick the kind's option table).
    pub fn link_set(&self, link: &Link, c: &LinkChange) -> Result<()> {
        let mut words = Vec::new();
        let mut flags = 0;
        let mut change = 0;
        let mut bit = |b: u32, on: Option<bool>, yes: &str, no: &str, words: &mut Vec<String>| {
            if let Some(v) = on {
                change |= b;
                if v {
                    flags |= b;
                }
                words.push(if v { yes.to_string() } else { no.to_string() });
            }
        };
        bit(IFF_UP, c.up, "up", "down", &mut words);
        bit(IFF_PROMISC, c.promisc, "promisc on", "promisc off", &mut words);
        bit(IFF_ALLMULTI, c.allmulticast, "allmulticast on", "allmulticast off", &mut words);
        // IFF_NOARP is the inverse of `arp on`.
        if let Some(arp) = c.arp {
            change |= IFF_NOARP;
            if !arp {
                flags |= IFF_NOARP;
            }
            words.push(if arp { "arp on".into() } else { "arp off".into() });
        }
        let mut m = MsgBuilder::new(RTM_NEWLINK, 0);
        m.push(&ifinfomsg(link.index, flags, change));
        if let Some(v) = c.mtu {
            m.attr_u32(S::IFLA_MTU, v);
            words.push(format!("mtu {v}"));
        }
        if let Some(v) = &c.mac {
            m.attr(S::IFLA_ADDRESS, v);
            words.push(format!("address {}", crate::units::format_mac(v)));
        }
        if let Some(v) = &c.broadcast {
            m.attr(S::IFLA_BROADCAST, v);
            words.push(format!("broadcast {}", crate::units::format_mac(v)));
        }
        if let Some(v) = c.txqlen {
            m.attr_u32(S::IFLA_TXQLEN, v);
            words.push(format!("txqueuelen {v}"));
        }
        if let Some(v) = &c.alias {
            m.attr_str(S::IFLA_IFALIAS, v);
            words.push(format!("alias {v:?}"));
        }
        if let Some(v) = c.group {
            m.attr_u32(S::IFLA_GROUP, v);
            words.push(format!("group {v}"));
        }
        if let Some(ms) = c.master {
            m.attr_u32(S::IFLA_MASTER, ms.unwrap_or(0));
            words.push(match ms {
                Some(i) => format!("master {}", self.link_get(i).map(|l| l.name).unwrap_or_else(|_| i.to_string())),
                None => "nomaster".into(),
            });
        }
        if let Some(t) = &c.netns {
            put_netns(&mut m, t);
            words.push("netns ...".into());
            if let Some(i) = c.netns_index {
                m.attr_u32(S::IFLA_NEW_IFINDEX, i);
            }
        }
        if let Some(n) = &c.name {
            m.attr_str(S::IFLA_IFNAME, n);
            words.push(format!("name {n}"));
        }
        if !c.options.is_empty() {
            let kind = link.kind.as_deref().unwrap_or("");
            let data = kind_data(kind, &c.options, self).map_err(|e| Error::input("link.set", e.0))?;
            let li = m.nest_start(S::IFLA_LINKINFO);
            m.attr(S::IFLA_INFO_KIND, kind.as_bytes());
            let d = m.nest_start(S::IFLA_INFO_DATA);
            m.raw_attrs(&data.to_bytes());
            m.nest_end(d);
            m.nest_end(li);
            words.push(format!("type {kind} ..."));
        }
        self.observed(super::change::Change::LinkSet(link, c), || {
            self.request(m.clone(), &|| format!("link set dev {} {}", link.name, words.join(" ")))
        })
    }

    /// Delete a link.
    pub fn link_del(&self, link: &Link) -> Result<()> {
        self.observed(super::change::Change::LinkDel { index: link.index, name: &link.name, link: Some(link) }, || {
            self.link_del_raw(link.index, &link.name)
        })
    }

    /// Delete a link by index; `name` labels the operation.
    pub fn link_del_index(&self, index: u32, name: &str) -> Result<()> {
        self.observed(super::change::Change::LinkDel { index, name, link: None }, || self.link_del_raw(index, name))
    }

    /// Put links in group `group` (pipelined), one result per link.
    pub fn link_group_set(&self, indexes: &[u32], group: u32) -> Vec<Result<()>> {
        let msgs = indexes
            .iter()
            .map(|i| {
                let mut m = MsgBuilder::new(RTM_NEWLINK, 0);
                m.push(&ifinfomsg(*i, 0, 0));
                m.attr_u32(S::IFLA_GROUP, group);
                (m, format!("link set dev index {i} group {group}"))
            })
            .collect();
        self.batch(msgs)
    }

    /// Delete every link of group `group` in one step (`ip link del group G`):
    /// one unregistration batch in the kernel instead of one per link.
    pub fn link_del_group(&self, group: u32) -> Result<()> {
        let mut m = MsgBuilder::new(RTM_DELLINK, 0);
        m.push(&ifinfomsg(0, 0, 0));
        m.attr_u32(S::IFLA_GROUP, group);
        self.request(m, &|| format!("link del group {group}"))
    }

    fn link_del_raw(&self, index: u32, name: &str) -> Result<()> {
        let mut m = MsgBuilder::new(RTM_DELLINK, 0);
        m.push(&ifinfomsg(index, 0, 0));
        self.request(m, &|| format!("link del dev {name}"))
    }
}

impl Resolver for Handle {
    fn ifindex(&self, name: &str) -> std::result::Result<u32, String> {
        // In an open batch, a name is looked up once (see super::deferred).
        self.batch_ifindex(name).unwrap_or_else(|| self.link_index(name)).map_err(|e| match e.errno {
            libc::ENODEV => format!("no such link {name:?}"),
            _ => e.to_string(),
        })
    }
}
