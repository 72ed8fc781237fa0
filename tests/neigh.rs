//! Neighbours and bridge FDB entries against the real kernel, with `ip neigh`
//! and `bridge fdb` as the oracle both ways.

mod common;

use common::{in_netns, ip, sh};
use nlua::engine::neigh::{AF_BRIDGE, NeighFilter};
use nlua::engine::schema::Opt;
use nlua::engine::{Handle, NeighSpec};
use nlua::show::LinkTable;
use nlua::show::neigh::neigh_json;
use nlua::show::route::RtNames;
use serde_json::{Value as J, json};

fn setup() {
    sh("ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up \
        && ip addr add 10.0.0.1/24 dev v0 && ip addr add 2001:db8::1/64 dev v0 nodad \
        && ip link add br0 type bridge && ip link add p0 type veth peer name p1 && ip link set p0 master br0 \
        && ip link set br0 up && ip link set p0 up \
        && ip link add vx0 type vxlan id 42 dstport 4789 local 192.0.2.1 nolearning && ip link set vx0 up");
}

/// Assert `ours` reads what `theirs` reads. The kernel makes IPv6 multicast
/// entries of its own after links come up (MLD reports), at moments of its
/// choosing: compare only reads between which our view held still.
fn same(ours: impl Fn() -> Vec<J>, theirs: impl Fn() -> Vec<J>) {
    for _ in 0..50 {
        let (a, b, c) = (ours(), theirs(), ours());
        if a == c {
            assert_eq!(a, b);
            return;
        }
    }
    panic!("the neighbour table kept changing");
}

fn ours(h: &Handle, f: &NeighFilter) -> Vec<J> {
    let links = h.link_list(&Default::default()).unwrap();
    let names = RtNames::load();
    h.neigh_list(f)
        .unwrap()
        .iter()
        .map(|n| serde_json::from_str(&neigh_json(n, &LinkTable(&links), &names).to_string_compact()).unwrap())
        .collect()
}

fn spec(h: &Handle, pairs: &[(&str, Opt)]) -> NeighSpec {
    let o: Vec<(String, Opt)> = pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    NeighSpec::from_opts(&o, h).unwrap()
}

fn s(v: &str) -> Opt {
    Opt::Str(v.into())
}
fn t() -> Opt {
    Opt::Bool(true)
}

fn json_cmd(cmd: &str) -> J {
    serde_json::from_str(&sh(cmd)).unwrap_or_else(|e| panic!("{cmd}: {e}"))
}

/// The entries without key `k` (the one a filter of ip or bridge fixes, so they leave it out).
fn without(v: Vec<J>, k: &str) -> Vec<J> {
    v.into_iter()
        .map(|mut e| {
            e.as_object_mut().unwrap().remove(k);
            e
        })
        .collect()
}

fn arr(v: J) -> Vec<J> {
    v.as_array().unwrap().clone()
}

#[test]
fn neighbours_made_by_ip_read_back_field_by_field() {
    in_netns(|| {
        setup();
        for cmd in [
            "neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev v0",
            "neigh add 10.0.0.10 lladdr 02:00:00:00:00:0a dev v0 nud reachable router",
            "neigh add 10.0.0.11 lladdr 02:00:00:00:00:0b dev v0 nud stale proto static",
            "neigh add 10.0.0.12 lladdr 02:00:00:00:00:0c dev v0 nud noarp",
            "neigh add 10.0.0.13 lladdr 02:00:00:00:00:0d dev v0 extern_learn",
            "neigh add 10.0.0.14 dev v0 managed",
            "neigh add proxy 10.0.0.15 dev v0",
            "neigh add 2001:db8::9 lladdr 02:00:00:00:00:99 dev v0 router",
        ] {
            ip(cmd);
        }
        let h = Handle::new().unwrap();
        same(|| ours(&h, &NeighFilter::default()), || arr(common::ip_json("neigh show")));
        same(|| ours(&h, &NeighFilter { state: Some(u32::MAX), ..Default::default() }), || arr(common::ip_json("neigh show nud all")));
        same(|| ours(&h, &NeighFilter { proxy: true, ..Default::default() }), || arr(common::ip_json("neigh show proxy")));
        // ip leaves out the keys its filter fixes ("dev" under `dev`, "state" under one `nud`).
        let stale = NeighFilter { state: Some(0x04), ..Default::default() };
        // (as in ip, extern_learn entries pass any state filter)
        assert_eq!(ours(&h, &stale).len(), 2);
        same(|| ours(&h, &stale), || arr(common::ip_json("neigh show nud stale")));
        let reach_or_stale = NeighFilter { state: Some(0x02 | 0x04), ..Default::default() };
        same(|| ours(&h, &reach_or_stale), || arr(common::ip_json("neigh show nud reachable nud stale")));
        let v0 = NeighFilter { index: Some(h.link_index("v0").unwrap()), ..Default::default() };
        same(|| without(ours(&h, &v0), "dev"), || arr(common::ip_json("neigh show dev v0")));
        let to = NeighFilter { dst: Some("10.0.0.8/30".parse().unwrap()), ..Default::default() };
        assert_eq!(ours(&h, &to).len(), 3);
        same(|| ours(&h, &to), || arr(common::ip_json("neigh show to 10.0.0.8/30")));
        let v6 = NeighFilter { family: 10, ..Default::default() };
        same(|| ours(&h, &v6), || arr(common::ip_json("-6 neigh show")));
        // The typed view.
        let all = h.neigh_list(&NeighFilter { state: Some(u32::MAX), ..Default::default() }).unwrap();
        let by = |d: &str| all.iter().find(|n| n.dst == Some(d.parse().unwrap())).unwrap_or_else(|| panic!("no {d}"));
        assert_eq!(
            (by("10.0.0.9").state_word(), by("10.0.0.9").lladdr.clone()),
            ("permanent".into(), Some(vec![2, 0, 0, 0, 0, 9]))
        );
        assert_eq!(by("10.0.0.10").state_word(), "reachable");
        assert_eq!(by("10.0.0.10").flag_names(), vec!["router"]);
        assert_eq!((by("10.0.0.11").state_word(), by("10.0.0.11").protocol), ("stale".into(), Some(4)));
        assert_eq!(by("10.0.0.12").state_word(), "noarp");
        assert_eq!(by("10.0.0.14").flags_ext, 1, "managed");
        assert_eq!(by("2001:db8::9").family, 10);
    });
}

#[test]
fn neighbours_made_by_nlua_read_back_by_ip() {
    in_netns(|| {
        setup();
        let h = Handle::new().unwrap();
        h.neigh_add(&spec(&h, &[("dev", s("v0")), ("dst", s("10.0.0.9")), ("lladdr", s("02:00:00:00:00:09"))])).unwrap();
        h.neigh_add(&spec(
            &h,
            &[
                ("dev", s("v0")),
                ("dst", s("10.0.0.10")),
                ("lladdr", s("02:00:00:00:00:0a")),
                ("state", s("reachable")),
                ("router", t()),
            ],
        ))
        .unwrap();
        h.neigh_add(&spec(
            &h,
            &[
                ("dev", s("v0")),
                ("dst", s("10.0.0.11")),
                ("lladdr", s("02:00:00:00:00:0b")),
                ("state", s("stale")),
                ("proto", s("static")),
            ],
        ))
        .unwrap();
        h.neigh_add(&spec(
            &h,
            &[("dev", s("v0")), ("dst", s("10.0.0.12")), ("lladdr", s("02:00:00:00:00:0c")), ("state", s("noarp"))],
        ))
        .unwrap();
        h.neigh_add(&spec(
            &h,
            &[("dev", s("v0")), ("dst", s("10.0.0.13")), ("lladdr", s("02:00:00:00:00:0d")), ("extern_learn", t())],
        ))
        .unwrap();
        h.neigh_add(&spec(&h, &[("dev", s("v0")), ("dst", s("10.0.0.14")), ("managed", t())])).unwrap();
        h.neigh_add(&spec(&h, &[("dev", s("v0")), ("dst", s("10.0.0.15")), ("proxy", t())])).unwrap();
        h.neigh_add(&spec(
            &h,
            &[("dev", s("v0")), ("dst", s("2001:db8::9")), ("lladdr", s("02:00:00:00:00:99")), ("router", t())],
        ))
        .unwrap();
        let all = arr(common::ip_json("neigh show nud all"));
        let by = |d: &str| all.iter().find(|n| n["dst"] == d).unwrap_or_else(|| panic!("no {d}: {all:?}")).clone();
        assert_eq!(
            by("10.0.0.9"),
            json!({"dst": "10.0.0.9", "dev": "v0", "lladdr": "02:00:00:00:00:09", "state": ["PERMANENT"]})
        );
        assert_eq!(
            by("10.0.0.10"),
            json!({"dst": "10.0.0.10", "dev": "v0", "lladdr": "02:00:00:00:00:0a", "router": null, "state": ["REACHABLE"]})
        );
        assert_eq!(
            by("10.0.0.11"),
            json!({"dst": "10.0.0.11", "dev": "v0", "lladdr": "02:00:00:00:00:0b", "state": ["STALE"], "protocol": "static"})
        );
        assert_eq!(by("10.0.0.12"), json!({"dst": "10.0.0.12", "dev": "v0", "lladdr": "02:00:00:00:00:0c", "state": ["NOARP"]}));
        assert_eq!(by("10.0.0.13")["extern_learn"], J::Null);
        assert!(by("10.0.0.13").as_object().unwrap().contains_key("extern_learn"));
        assert!(by("10.0.0.14").as_object().unwrap().contains_key("managed"));
        assert_eq!(
            by("2001:db8::9"),
            json!({"dst": "2001:db8::9", "dev": "v0", "lladdr": "02:00:00:00:00:99", "router": null, "state": ["PERMANENT"]})
        );
        assert_eq!(arr(common::ip_json("neigh show proxy")), vec![json!({"dst": "10.0.0.15", "dev": "v0", "proxy": null})]);
        // replace changes the address, change needs it to exist, del removes.
        h.neigh_replace(&spec(&h, &[("dev", s("v0")), ("dst", s("10.0.0.9")), ("lladdr", s("02:00:00:00:00:f9"))])).unwrap();
        assert!(ip("neigh show 10.0.0.9").contains("02:00:00:00:00:f9"));
        let e = h
            .neigh_change(&spec(&h, &[("dev", s("v0")), ("dst", s("10.0.0.99")), ("lladdr", s("02:00:00:00:00:01"))]))
            .unwrap_err();
        assert_eq!((e.code(), e.op.as_str()), ("ENOENT", "neigh change 10.0.0.99 lladdr 02:00:00:00:00:01 dev v0"));
        let e =
            h.neigh_add(&spec(&h, &[("dev", s("v0")), ("dst", s("10.0.0.9")), ("lladdr", s("02:00:00:00:00:09"))])).unwrap_err();
        assert_eq!(e.code(), "EEXIST");
        h.neigh_del(&spec(&h, &[("dev", s("v0")), ("dst", s("10.0.0.9"))])).unwrap();
        assert!(!ip("neigh show nud all").contains("10.0.0.9 "));
    });
}

#[test]
fn flush_keeps_permanent_entries_like_ip() {
    in_netns(|| {
        setup();
        for i in 20..30 {
            ip(&format!(
                "neigh add 10.0.0.{i} lladdr 02:00:00:00:00:{i} dev v0 nud {}",
                if i % 2 == 0 { "stale" } else { "reachable" }
            ));
        }
        ip("neigh add 10.0.0.40 lladdr 02:00:00:00:00:40 dev v0");
        ip("neigh add 10.0.0.41 lladdr 02:00:00:00:00:41 dev v0 nud noarp");
        let h = Handle::new().unwrap();
        let v0 = h.link_index("v0").unwrap();
        assert_eq!(h.neigh_flush(&NeighFilter { index: Some(v0), ..Default::default() }).unwrap(), 10);
        let mut left: Vec<String> =
            arr(common::ip_json("-4 neigh show nud all dev v0")).iter().map(|n| n["dst"].as_str().unwrap().to_string()).collect();
        left.sort();
        assert_eq!(left, vec!["10.0.0.40", "10.0.0.41"], "the permanent and noarp entries stay");
    });
}

#[test]
fn fdb_entries_made_by_bridge_read_back_field_by_field() {
    in_netns(|| {
        setup();
        for cmd in [
            "bridge fdb add 02:00:00:00:01:01 dev vx0 dst 192.0.2.2 self permanent",
            "bridge fdb add 02:00:00:00:01:02 dev vx0 dst 192.0.2.3 vni 100 port 4790 self permanent",
            "bridge fdb append 00:00:00:00:00:00 dev vx0 dst 192.0.2.10 self permanent",
            "bridge fdb append 00:00:00:00:00:00 dev vx0 dst 192.0.2.11 self permanent",
            "bridge fdb add 02:00:00:00:01:03 dev vx0 dst 192.0.2.4 via v0 self permanent",
            "bridge fdb add 02:00:00:00:02:01 dev p0 master static",
            "bridge fdb add 02:00:00:00:02:02 dev p0 master permanent",
            "bridge fdb add 02:00:00:00:02:03 dev p0 master sticky static",
        ] {
            sh(cmd);
        }
        let h = Handle::new().unwrap();
        let fdb = NeighFilter { family: AF_BRIDGE, ..Default::default() };
        same(|| ours(&h, &fdb), || arr(json_cmd("bridge -j fdb show")));
        let all = h.neigh_list(&fdb).unwrap();
        let vx: Vec<_> = all.iter().filter(|n| n.lladdr.as_deref() == Some(&[0u8; 6][..])).collect();
        assert_eq!(vx.len(), 2, "two flood destinations for the all-zero MAC");
        let e = all.iter().find(|n| n.lladdr.as_deref() == Some(&[2, 0, 0, 0, 1, 2][..])).unwrap();
        assert_eq!((e.vni, e.port, e.dst), (Some(100), Some(4790), Some("192.0.2.3".parse().unwrap())));
        let e = all.iter().find(|n| n.lladdr.as_deref() == Some(&[2, 0, 0, 0, 2, 1][..])).unwrap();
        // The bridge reports its own entries with NDA_MASTER, not NTF_MASTER.
        assert_eq!((e.state_word(), e.master), ("static".to_string(), Some(h.link_index("br0").unwrap())));
        // Filters select what `bridge fdb show br/brport/dev/state` selects
        // (bridge leaves out "ifname" when the filter fixes the port).
        let idx = |n: &str| Some(h.link_index(n).unwrap());
        let by_master = NeighFilter { master: idx("br0"), ..fdb.clone() };
        same(|| ours(&h, &by_master), || arr(json_cmd("bridge -j fdb show br br0")));
        let p0 = NeighFilter { index: idx("p0"), ..fdb.clone() };
        same(|| without(ours(&h, &p0), "ifname"), || arr(json_cmd("bridge -j fdb show brport p0")));
        let vx0 = NeighFilter { index: idx("vx0"), ..fdb.clone() };
        same(|| without(ours(&h, &vx0), "ifname"), || arr(json_cmd("bridge -j fdb show dev vx0")));
        let stat = NeighFilter { state: Some(0x40), ..fdb.clone() };
        same(|| ours(&h, &stat), || arr(json_cmd("bridge -j fdb show state static")));
        // (bridge's state filter is a bit test: permanent entries carry NOARP too)
        assert_eq!(h.neigh_list(&stat).unwrap().iter().filter(|n| n.state_word() == "static").count(), 2);
    });
}

#[test]
fn fdb_entries_made_by_nlua_read_back_by_bridge() {
    in_netns(|| {
        setup();
        let h = Handle::new().unwrap();
        let b = |pairs: &[(&str, Opt)]| {
            let mut p = vec![("family", s("bridge"))];
            p.extend_from_slice(pairs);
            spec(&h, &p)
        };
        h.neigh_add(&b(&[("dev", s("vx0")), ("lladdr", s("02:00:00:00:01:01")), ("dst", s("192.0.2.2"))])).unwrap();
        h.neigh_add(&b(&[
            ("dev", s("vx0")),
            ("lladdr", s("02:00:00:00:01:02")),
            ("dst", s("192.0.2.3")),
            ("vni", Opt::Int(100)),
            ("port", Opt::Int(4790)),
        ]))
        .unwrap();
        for d in ["192.0.2.10", "192.0.2.11", "192.0.2.12"] {
            h.neigh_append(&b(&[("dev", s("vx0")), ("lladdr", s("00:00:00:00:00:00")), ("dst", s(d))])).unwrap();
        }
        h.neigh_add(&b(&[("dev", s("vx0")), ("lladdr", s("02:00:00:00:01:03")), ("dst", s("192.0.2.4")), ("via", s("v0"))]))
            .unwrap();
        h.neigh_add(&b(&[("dev", s("p0")), ("lladdr", s("02:00:00:00:02:01")), ("master", t()), ("state", s("static"))]))
            .unwrap();
        h.neigh_add(&b(&[
            ("dev", s("p0")),
            ("lladdr", s("02:00:00:00:02:03")),
            ("master", t()),
            ("sticky", t()),
            ("state", s("static")),
        ]))
        .unwrap();
        let all = arr(json_cmd("bridge -j fdb show"));
        let by_mac = |m: &str| all.iter().filter(|e| e["mac"] == m).cloned().collect::<Vec<_>>();
        assert_eq!(
            by_mac("02:00:00:00:01:01"),
            vec![
                json!({"mac": "02:00:00:00:01:01", "ifname": "vx0", "dst": "192.0.2.2", "flags": ["self"], "state": "permanent"})
            ]
        );
        assert_eq!(
            by_mac("02:00:00:00:01:02"),
            vec![
                json!({"mac": "02:00:00:00:01:02", "ifname": "vx0", "dst": "192.0.2.3", "port": 4790, "vni": 100, "flags": ["self"], "state": "permanent"})
            ]
        );
        let flood: Vec<String> = by_mac("00:00:00:00:00:00").iter().map(|e| e["dst"].as_str().unwrap().to_string()).collect();
        assert_eq!(flood.len(), 3);
        for d in ["192.0.2.10", "192.0.2.11", "192.0.2.12"] {
            assert!(flood.contains(&d.to_string()), "{d} in the flood list {flood:?}");
        }
        assert_eq!(by_mac("02:00:00:00:01:03")[0]["viaIf"], "v0");
        assert_eq!(
            by_mac("02:00:00:00:02:01"),
            vec![json!({"mac": "02:00:00:00:02:01", "ifname": "p0", "flags": [], "master": "br0", "state": "static"})]
        );
        assert_eq!(by_mac("02:00:00:00:02:03")[0]["flags"], json!(["sticky"]));
        // Delete one flood destination, and an entry by its listed object.
        h.neigh_del(&b(&[("dev", s("vx0")), ("lladdr", s("00:00:00:00:00:00")), ("dst", s("192.0.2.11"))])).unwrap();
        let fdb = h
            .neigh_list(&NeighFilter { family: AF_BRIDGE, index: Some(h.link_index("vx0").unwrap()), ..Default::default() })
            .unwrap();
        assert_eq!(fdb.iter().filter(|n| n.lladdr.as_deref() == Some(&[0u8; 6][..])).count(), 2);
        let e = fdb.iter().find(|n| n.lladdr.as_deref() == Some(&[2, 0, 0, 0, 1, 1][..])).unwrap();
        h.neigh_del(&NeighSpec::from_neigh(e)).unwrap();
        assert!(!sh("bridge fdb show dev vx0").contains("02:00:00:00:01:01"));
    });
}
