//! Unit tests of the generic codec on the link tables.

use super::link::{BOND, BRIDGE, LINK, VETH, VLAN, VXLAN};
use super::*;

fn o(kv: &[(&str, Opt)]) -> Vec<(String, Opt)> {
    kv.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}
fn s(v: &str) -> Opt {
    Opt::Str(v.into())
}

struct Names;
impl Resolver for Names {
    fn ifindex(&self, name: &str) -> Result<u32, String> {
        if name == "eth9" { Ok(9) } else { Err(format!("no such link {name:?}")) }
    }
}

#[test]
fn options_encode_in_table_order_and_decode_back() {
    let opts = o(&[("dstport", Opt::Int(4789)), ("id", Opt::Int(42)), ("dev", s("eth9")), ("remote", s("2001:db8::2"))]);
    let attrs = encode_opts_strict(&VXLAN, &opts, "", &Names).unwrap();
    let ids: Vec<u16> = attrs.0.iter().map(|a| a.id).collect();
    assert_eq!(ids, vec![1, 3, 15, 16], "table order; IPv6 remote picks IFLA_VXLAN_GROUP6");
    let bytes = attrs.to_bytes();
    let back = decode(&VXLAN, &bytes);
    assert_eq!(back.to_bytes(), bytes);
    let opt = back.to_opt();
    assert_eq!(opt.get("dstport"), Some(&Opt::Int(4789)), "big-endian port");
    assert_eq!(opt.get("dev"), Some(&Opt::Int(9)));
    assert_eq!(opt.get("remote"), Some(&s("2001:db8::2")));
}

#[test]
fn aliases_and_booleans() {
    let a = encode_opts_strict(&VXLAN, &o(&[("group", s("239.1.1.1")), ("learning", Opt::Bool(false))]), "", &Names).unwrap();
    assert_eq!(a.get(2).unwrap().def.unwrap().name, "remote", "alias decodes under the canonical name");
    assert_eq!(a.uint(7), Some(0));
    assert_eq!(decode(&VXLAN, &a.to_bytes()).to_opt().get("learning"), Some(&Opt::Bool(false)));
    // a false flag is simply absent
    let a = encode_opts_strict(&VXLAN, &o(&[("gbp", Opt::Bool(false))]), "", &Names).unwrap();
    assert!(a.0.is_empty());
    let a = encode_opts_strict(&VXLAN, &o(&[("gbp", Opt::Bool(true))]), "", &Names).unwrap();
    assert_eq!(a.value(23), Some(&Value::Flag));
}

#[test]
fn named_values_ranges_and_errors() {
    let a = encode_opts_strict(&VLAN, &o(&[("id", Opt::Int(4094)), ("protocol", s("802.1ad"))]), "", &Names).unwrap();
    assert_eq!(a.uint(5), Some(0x88a8));
    let e = encode_opts_strict(&VLAN, &o(&[("id", Opt::Int(4095))]), "", &Names).unwrap_err();
    assert_eq!(e.0, "field 'id': expected integer 0..4094, got 4095");
    let e = encode_opts_strict(&BOND, &o(&[("mode", s("fastest"))]), "", &Names).unwrap_err();
    assert!(e.0.starts_with("field 'mode': expected one of \"balance-rr\", \"active-backup\""), "{e}");
    let e = encode_opts_strict(&VLAN, &o(&[("idd", Opt::Int(1))]), "", &Names).unwrap_err();
    assert_eq!(e.0, "unknown option 'idd' (did you mean 'id'?)");
    let e = encode_opts_strict(&BRIDGE, &o(&[("root_id", s("x"))]), "", &Names).unwrap_err();
    assert_eq!(e.0, "unknown option 'root_id'", "read-only attributes are not input");
}

#[test]
fn lists_and_structs() {
    let a = encode_opts_strict(&BOND, &o(&[("arp_ip_target", Opt::List(vec![s("10.0.0.1"), s("10.0.0.2")]))]), "", &Names).unwrap();
    let b = a.to_bytes();
    assert_eq!(decode(&BOND, &b).to_opt().get("arp_ip_target"), Some(&Opt::List(vec![s("10.0.0.1"), s("10.0.0.2")])));
    let e = encode_opts_strict(&BOND, &o(&[("arp_ip_target", Opt::List(vec![s("nope")]))]), "", &Names).unwrap_err();
    assert_eq!(e.0, "field 'arp_ip_target[1]': expected IPv4 address, got \"nope\"");
    let flags = Opt::Map(o(&[("flags", Opt::Int(1)), ("mask", Opt::Int(1))]));
    let a = encode_opts_strict(&VLAN, &o(&[("flags", flags)]), "", &Names).unwrap();
    assert_eq!(a.get(2).unwrap().value, Value::Struct(&super::link::VLAN_FLAGS, vec![("flags", Value::U(1)), ("mask", Value::U(1))], vec![]));
    assert_eq!(a.to_bytes()[4..12], [1, 0, 0, 0, 1, 0, 0, 0]);
}

#[test]
fn struct_then_attributes_like_a_veth_peer() {
    let peer = Opt::Map(o(&[("ifname", s("v1")), ("mtu", Opt::Int(1300)), ("index", Opt::Int(0))]));
    let a = encode_opts_strict(&VETH, &o(&[("peer", peer)]), "", &Names).unwrap();
    let b = a.to_bytes();
    let back = decode(&VETH, &b);
    assert_eq!(back.to_bytes(), b);
    let p = back.to_opt();
    let p = p.get("peer").unwrap();
    assert_eq!((p.get("ifname"), p.get("mtu"), p.get("family")), (Some(&s("v1")), Some(&Opt::Int(1300)), Some(&Opt::Int(0))));
}

#[test]
fn malformed_values_stay_raw() {
    // an IFLA_MTU of 3 bytes and an IFNAME without its NUL stay exact
    let mut buf = Vec::new();
    crate::engine::message::put_attr(&mut buf, 4, &[1, 2, 3]);
    crate::engine::message::put_attr(&mut buf, 3, b"abc");
    crate::engine::message::put_attr(&mut buf, 3, &[0xff, 0xfe, 0]);
    let a = decode(&LINK, &buf);
    assert_eq!(a.value(4), Some(&Value::Bytes(vec![1, 2, 3])));
    assert_eq!(a.0[1].value, Value::Text("abc".into()));
    assert_eq!(a.0[2].value, Value::Bytes(vec![0xff, 0xfe, 0]));
    assert_eq!(a.to_bytes(), buf);
}

#[test]
fn suggestions() {
    assert_eq!(did_you_mean("mut", ["mtu", "name"]), Some("mtu"));
    assert_eq!(did_you_mean("dstprt", ["dstport", "srcport"]), Some("dstport"));
    assert_eq!(did_you_mean("zzz", ["mtu"]), None);
}

#[test]
fn every_table_is_well_formed() {
    for set in super::link::all_sets().iter().copied().chain([&super::addr::ADDR as &AttrSet]) {
        for d in set.attrs {
            assert!(!d.name.is_empty(), "{}: id {} has no name", set.name, d.id);
            // later rows with the same id are input aliases of the same wire type
            let first = set.by_id(d.id).unwrap();
            assert_eq!(std::mem::discriminant(&first.ty), std::mem::discriminant(&d.ty), "{}.{}", set.name, d.name);
        }
    }
}
