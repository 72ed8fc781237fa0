//! Link requests compared byte for byte with what iproute2 sends for the same
//! command (fixtures captured with tests/fixtures/capture.py; each fixture file
//! names its command). vlan, bond and vrf are absent from the test kernel, so
//! their bytes are the only check of their encoding.

mod common;

use common::{fixture, hex};
use nlua::engine::link::{LinkSpec, RTM_NEWLINK, link_add_message};
use nlua::engine::schema::{self, Opt, Resolver, link as S};

/// In the capture namespaces `va` was created first, so it is ifindex 3.
struct CaptureNames;
impl Resolver for CaptureNames {
    fn ifindex(&self, name: &str) -> Result<u32, String> {
        match name {
            "va" => Ok(3),
            _ => Err(format!("no such link {name:?}")),
        }
    }
}

fn s(v: &str) -> Opt {
    Opt::Str(v.into())
}
fn i(v: i64) -> Opt {
    Opt::Int(v)
}
fn opts(kv: &[(&str, Opt)]) -> Vec<(String, Opt)> {
    kv.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn assert_same(name: &str, o: &[(String, Opt)]) {
    let fx = fixture(name);
    let (flags, want) = fx.last(RTM_NEWLINK);
    let spec = LinkSpec::from_opts(o, &CaptureNames).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut m = link_add_message(&spec, &CaptureNames).unwrap();
    m.add_flags(nlua::engine::message::NLM_F_ACK);
    let got = m.finish(0);
    assert_eq!(u16::from_ne_bytes([got[6], got[7]]), flags, "{name}: flags for `{}`", fx.cmd);
    assert_eq!(hex(&got[16..]), hex(want), "{name}: payload for `{}`", fx.cmd);
}

#[test]
fn vlan_matches_ip() {
    assert_same(
        "link_add_vlan",
        &opts(&[("name", s("vl0")), ("kind", s("vlan")), ("link", s("va")), ("id", i(10)), ("protocol", s("802.1ad"))]),
    );
}

#[test]
fn bond_matches_ip() {
    assert_same(
        "link_add_bond",
        &opts(&[
            ("name", s("bond0")),
            ("kind", s("bond")),
            ("mode", s("active-backup")),
            ("miimon", i(100)),
            ("xmit_hash_policy", s("layer3+4")),
        ]),
    );
}

#[test]
fn vrf_matches_ip() {
    assert_same("link_add_vrf", &opts(&[("name", s("vrf0")), ("kind", s("vrf")), ("table", i(10))]));
}

#[test]
fn veth_with_peer_matches_ip() {
    let peer = Opt::Map(opts(&[("name", s("x1")), ("mtu", i(1300))]));
    assert_same(
        "link_add_veth",
        &opts(&[("name", s("x0")), ("kind", s("veth")), ("mtu", i(1400)), ("mac", s("02:00:00:00:00:01")), ("peer", peer)]),
    );
}

#[test]
fn macvlan_matches_ip() {
    assert_same("link_add_macvlan", &opts(&[("name", s("mv0")), ("kind", s("macvlan")), ("link", s("va")), ("mode", s("bridge"))]));
}

#[test]
fn bridge_matches_ip() {
    assert_same(
        "link_add_bridge",
        &opts(&[("name", s("br0")), ("kind", s("bridge")), ("stp_state", i(1)), ("priority", i(100)), ("vlan_filtering", i(1))]),
    );
}

/// Decode the captured requests and read the options back by name.
#[test]
fn captured_requests_decode_to_their_options() {
    let info = |name: &str| -> Opt {
        let fx = fixture(name);
        let (_, p) = fx.last(RTM_NEWLINK);
        let attrs = schema::decode(&S::LINK, &p[16..]);
        attrs.nested(S::IFLA_LINKINFO).expect("linkinfo").to_opt()
    };
    let vlan = info("link_add_vlan");
    let data = vlan.get("data").unwrap();
    assert_eq!(vlan.get("kind"), Some(&s("vlan")));
    assert_eq!(data.get("id"), Some(&i(10)));
    assert_eq!(data.get("protocol"), Some(&s("802.1ad")));
    let bond = info("link_add_bond");
    let data = bond.get("data").unwrap();
    assert_eq!(data.get("mode"), Some(&s("active-backup")));
    assert_eq!(data.get("miimon"), Some(&i(100)));
    assert_eq!(data.get("xmit_hash_policy"), Some(&s("layer3+4")));
    assert_eq!(info("link_add_vrf").get("data").unwrap().get("table"), Some(&i(10)));
    let vx = info("link_add_vxlan");
    let data = vx.get("data").unwrap();
    assert_eq!(data.get("id"), Some(&i(42)));
    assert_eq!(data.get("dev"), Some(&i(3)));
    assert_eq!(data.get("remote"), Some(&s("192.0.2.2")));
    assert_eq!(data.get("dstport"), Some(&i(4789)));
    assert_eq!(data.get("learning"), Some(&Opt::Bool(true)));
    // the veth peer: an ifinfomsg followed by link attributes
    let veth = info("link_add_veth");
    let peer = veth.get("data").unwrap().get("peer").unwrap();
    assert_eq!(peer.get("ifname"), Some(&s("x1")));
    assert_eq!(peer.get("mtu"), Some(&i(1300)));
}

/// Every captured request re-encodes to exactly the bytes it was decoded from.
#[test]
fn captured_requests_round_trip_byte_exact() {
    for name in ["link_add_vlan", "link_add_bond", "link_add_vrf", "link_add_veth", "link_add_vxlan", "link_add_macvlan", "link_add_bridge"] {
        let fx = fixture(name);
        let (_, p) = fx.last(RTM_NEWLINK);
        let attrs = schema::decode(&S::LINK, &p[16..]);
        assert_eq!(hex(&attrs.to_bytes()), hex(&p[16..]), "{name}");
    }
}
