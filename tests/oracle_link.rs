//! iproute2 as the oracle, both ways: links and addresses nlua creates read the
//! same through `ip -j`, and what `ip` creates reads the same through nlua —
//! field by field, JSON and text.

mod common;

use std::process::Command;

use common::{by_ifname, in_netns, ip_json, nlua_bin, sh};
use serde_json::Value as J;

fn eval_json(rt: &nlua::Runtime, chunk: &str) -> J {
    let s: String = rt.lua().load(chunk).eval().unwrap_or_else(|e| panic!("{chunk}: {e}"));
    serde_json::from_str(&s).unwrap()
}

/// Compare one of nlua's JSON values with ip's, recursively and completely:
/// the same keys, the same values. Two things move between the two reads and
/// are compared by shape only: bridge timers (`*_timer`, numbers) and the
/// traffic counters in `stats64`. Returns the number of leaves compared.
fn compare_value(path: &str, ours: &J, theirs: &J, diffs: &mut Vec<String>) -> usize {
    match (ours, theirs) {
        (J::Object(o), J::Object(t)) => {
            let mut n = 0;
            for k in t.keys().chain(o.keys().filter(|k| !t.contains_key(*k))) {
                let p = format!("{path}.{k}");
                match (o.get(k), t.get(k)) {
                    (Some(a), Some(b)) if k.ends_with("_timer") => {
                        if !(a.is_number() && b.is_number()) {
                            diffs.push(format!("{p}: nlua {a}, ip {b}"));
                        }
                        n += 1;
                    }
                    (Some(a), Some(b)) if k == "stats64" => n += compare_shape(&p, a, b, diffs),
                    (Some(a), Some(b)) => n += compare_value(&p, a, b, diffs),
                    (None, Some(b)) => diffs.push(format!("{p}: missing in nlua (ip: {b})")),
                    (Some(a), None) => diffs.push(format!("{p}: not in ip (nlua: {a})")),
                    (None, None) => unreachable!(),
                }
            }
            n
        }
        (J::Array(o), J::Array(t)) if o.len() == t.len() => {
            o.iter().zip(t).enumerate().map(|(i, (a, b))| compare_value(&format!("{path}[{i}]"), a, b, diffs)).sum()
        }
        (a, b) => {
            if a != b {
                diffs.push(format!("{path}: nlua {a}, ip {b}"));
            }
            1
        }
    }
}

/// Same keys all the way down, numbers where ip has numbers.
fn compare_shape(path: &str, ours: &J, theirs: &J, diffs: &mut Vec<String>) -> usize {
    match (ours, theirs) {
        (J::Object(o), J::Object(t)) => {
            if o.keys().ne(t.keys()) {
                diffs.push(format!("{path}: keys {:?} vs ip {:?}", o.keys().collect::<Vec<_>>(), t.keys().collect::<Vec<_>>()));
            }
            t.iter().map(|(k, b)| o.get(k).map_or(0, |a| compare_shape(&format!("{path}.{k}"), a, b, diffs))).sum()
        }
        (a, b) if a.is_number() && b.is_number() => 1,
        (a, b) => {
            diffs.push(format!("{path}: nlua {a}, ip {b}"));
            1
        }
    }
}

/// nlua.json(link.list()) against `ip -j -s -d link show`, link by link and
/// field by field (everything ip prints, kind data included).
fn compare_links(ours: &J, theirs: &J) -> usize {
    let theirs_a = theirs.as_array().unwrap();
    assert_eq!(ours.as_array().unwrap().len(), theirs_a.len(), "same number of links");
    let mut compared = 0;
    let mut diffs = Vec::new();
    for t in theirs_a {
        let name = t["ifname"].as_str().unwrap();
        compared += compare_value(name, by_ifname(ours, name), t, &mut diffs);
    }
    assert!(diffs.is_empty(), "nlua.json differs from ip -j -s -d link show:\n{}", diffs.join("\n"));
    compared
}

const IP_LAB: &str = "ip link add va type veth peer name vb && ip link add br0 type bridge && ip link set va master br0 \
    && ip link add vx0 type vxlan id 7 dstport 4789 dev vb local 10.0.0.1 && ip link add link vb name mv0 type macvlan mode private \
    && ip link add link vb name mvt0 type macvtap && ip tuntap add tap0 mode tap && ip tuntap add tun0 mode tun \
    && ip link add ifb0 type ifb && ip link set br0 up && ip link set va up && ip link property add dev va altname veth-a-alt \
    && ip link set vb alias hello && ip link set vb mtu 1400 address 02:00:00:00:00:0b && ip link set tap0 promisc on";

/// More kinds and options, so every printer of kind data is exercised.
const IP_LAB_MORE: &str = "ip tuntap add tap1 mode tap user 0 group 0 multi_queue \
    && ip link add vx6 type vxlan id 9 dstport 4790 group ff05::1 dev vb ttl 5 tos 0x10 flowlabel 0x123 noudpcsum l2miss maxaddress 10 ageing 100 srcport 1000 2000 \
    && ip link add vx1 type vxlan id 10 group 239.1.1.1 dev vb df set dstport 0 \
    && ip link add vx2 type vxlan external dstport 0 \
    && ip link add link vb name mvs type macvlan mode source && ip link set mvs type macvlan mode source macaddr add 02:00:00:00:00:01 \
    && ip link add pt0 type veth peer name pt1 && ip link add link pt0 name mvn type macvlan mode passthru nopromisc \
    && ip link set va type bridge_slave cost 7 priority 3 hairpin on group_fwd_mask 0x4001 mcast_router 2 \
    && ip link add br1 type bridge vlan_protocol 802.1ad group_fwd_mask 0x8 stp_state 1 \
    && ip link set vx0 addrgenmode none && ip link set vx1 addrgenmode random";

/// What `ip` creates, nlua reads the same.
#[test]
fn ip_made_links_read_the_same_in_nlua() {
    in_netns(|| {
        sh(IP_LAB);
        sh(IP_LAB_MORE);
        let rt = nlua::Runtime::new().unwrap();
        let ours = eval_json(&rt, "return nlua.json(link.list())");
        let n = compare_links(&ours, &ip_json("-s -d link show"));
        assert!(n > 800, "compared {n} fields");
        // typed fields too
        let v: (String, i64, String, String, bool) =
            rt.lua().load("local l = link.get('vb'); return l.kind, l.mtu, l.mac, l.alias, l.promisc").eval().unwrap();
        assert_eq!(v, ("veth".into(), 1400, "02:00:00:00:00:0b".into(), "hello".into(), false));
        let (master, kind, promisc): (String, String, bool) =
            rt.lua().load("return link.get('va').master.name, link.get('tap0').data.type, link.get('tap0').promisc").eval().unwrap();
        assert_eq!((master.as_str(), kind.as_str(), promisc), ("br0", "tap", true));
    });
}

/// What nlua creates, `ip` reads the same (and as asked).
#[test]
fn nlua_made_links_read_the_same_in_ip() {
    in_netns(|| {
        let rt = nlua::Runtime::new().unwrap();
        rt.lua()
            .load(
                r#"
                local va, vb = link.add{name = "va", kind = "veth", mtu = 1450, mac = "02:00:00:00:00:0a", peer = {name = "vb", mtu = 1400, mac = "02:00:00:00:00:0b"}}
                local br = link.add{name = "br0", kind = "bridge", up = true}
                va:set{master = br, alias = "port one", txqlen = 500}
                va:up()
                link.add{name = "vx0", kind = "vxlan", id = 7, dstport = 4789, dev = "vb", ["local"] = "10.0.0.1", ttl = 10, learning = false}
                link.add{name = "mv0", kind = "macvlan", link = vb, mode = "private"}
                link.add{name = "mvt0", kind = "macvtap", link = "vb"}
                link.add{name = "tap0", kind = "tap", up = true}
                link.add{name = "tun0", kind = "tun", mtu = 1280}
                link.add{name = "ifb0", kind = "ifb"}
                link.get("ifb0"):set{promisc = true}
                link.add{name = "br1", kind = "bridge", vlan_protocol = "802.1ad", stp_state = 1, group_fwd_mask = 8}
                link.add{name = "vx6", kind = "vxlan", id = 9, dstport = 4790, remote = "ff05::1", dev = "vb", ttl = 5, tos = 16,
                         flowlabel = 0x123, udpcsum = false, l2miss = true, maxaddress = 10, ageing = 100, srcport = {low = 1000, high = 2000}}
                link.add{name = "vx1", kind = "vxlan", id = 10, remote = "239.1.1.1", dev = "vb", df = "set", dstport = 0}
                link.add{name = "mvs", kind = "macvlan", link = "vb", mode = "source"}
                "#,
            )
            .exec()
            .unwrap();
        let theirs = ip_json("-s -d link show");
        let n = compare_links(&eval_json(&rt, "return nlua.json(link.list())"), &theirs);
        assert!(n > 500, "compared {n} fields");
        // as asked
        let va = by_ifname(&theirs, "va");
        assert_eq!((va["mtu"].as_u64(), va["address"].as_str(), va["master"].as_str()), (Some(1450), Some("02:00:00:00:00:0a"), Some("br0")));
        assert_eq!((va["ifalias"].as_str(), va["txqlen"].as_u64()), (Some("port one"), Some(500)));
        assert!(va["flags"].as_array().unwrap().iter().any(|f| f == "UP"));
        let vb = by_ifname(&theirs, "vb");
        assert_eq!((vb["mtu"].as_u64(), vb["address"].as_str(), vb["link"].as_str()), (Some(1400), Some("02:00:00:00:00:0b"), Some("va")));
        let vx = &by_ifname(&theirs, "vx0")["linkinfo"]["info_data"];
        assert_eq!((vx["id"].as_u64(), vx["port"].as_u64(), vx["ttl"].as_u64(), vx["local"].as_str()), (Some(7), Some(4789), Some(10), Some("10.0.0.1")));
        assert_eq!(vx["learning"], J::Bool(false));
        assert_eq!(vx["link"].as_str(), Some("vb"));
        assert_eq!(by_ifname(&theirs, "mv0")["linkinfo"]["info_data"]["mode"], "private");
        assert_eq!(by_ifname(&theirs, "mvt0")["linkinfo"]["info_kind"], "macvtap");
        assert_eq!(by_ifname(&theirs, "tap0")["linkinfo"]["info_data"]["type"], "tap");
        assert_eq!(by_ifname(&theirs, "tun0")["mtu"], 1280);
        assert!(by_ifname(&theirs, "ifb0")["flags"].as_array().unwrap().iter().any(|f| f == "PROMISC"));
    });
}

fn addr_info(theirs: &J) -> Vec<(String, J)> {
    let mut out = Vec::new();
    for l in theirs.as_array().unwrap() {
        for a in l["addr_info"].as_array().unwrap() {
            out.push((l["ifname"].as_str().unwrap().to_string(), a.clone()));
        }
    }
    out
}

fn compare_addrs(rt: &nlua::Runtime) {
    let ours = eval_json(
        rt,
        "local out = {} for _, a in ipairs(addr.list()) do out[#out+1] = {dev = a.dev, info = a} end return nlua.json(out)",
    );
    let theirs = addr_info(&ip_json("addr show"));
    // ip groups addresses by link; the kernel's dump (and addr.list) goes by
    // family first. Compare in ip's order.
    let devs: Vec<&str> = theirs.iter().map(|(d, _)| d.as_str()).collect();
    let mut ours = ours.as_array().unwrap().clone();
    ours.sort_by_key(|o| devs.iter().position(|d| Some(*d) == o["dev"].as_str()));
    assert_eq!(ours.len(), theirs.len(), "same number of addresses");
    for (o, (dev, t)) in ours.iter().zip(&theirs) {
        assert_eq!(o["dev"].as_str(), Some(dev.as_str()));
        let o = &o["info"];
        for k in ["family", "local", "address", "prefixlen", "broadcast", "anycast", "scope", "label", "secondary", "temporary", "nodad", "dynamic", "noprefixroute", "tentative", "metric"] {
            assert_eq!(o.get(k), t.get(k), "{dev} {}: key {k}", t["local"]);
        }
        for k in ["valid_life_time", "preferred_life_time"] {
            let (a, b) = (o[k].as_u64().unwrap(), t[k].as_u64().unwrap());
            assert!(a.abs_diff(b) <= 1, "{dev}: {k} {a} vs {b}");
        }
    }
}

#[test]
fn addresses_read_the_same_both_ways() {
    in_netns(|| {
        sh("ip link add va type veth peer name vb && ip link set va up && ip link set vb up \
            && ip addr add 10.0.0.1/24 brd + dev va label va:x && ip addr add 10.0.0.2/24 dev va \
            && ip addr add 10.9.0.1 peer 10.9.0.2/32 dev vb scope link && ip addr add 2001:db8::1/64 dev va nodad valid_lft 3600 preferred_lft 1800 \
            && ip addr add 2001:db8:1::1/64 dev vb nodad noprefixroute metric 50");
        let rt = nlua::Runtime::new().unwrap();
        compare_addrs(&rt);
        // and nlua-made ones
        rt.lua()
            .load(
                r#"
                addr.flush("va"); addr.flush("vb")
                addr.add("va", "10.0.0.1/24", {broadcast = "+", label = "va:x"})
                addr.add("va", "10.0.0.2/24")
                addr.add("vb", "10.9.0.1/32", {peer = "10.9.0.2/32", scope = "link"})
                addr.add("va", "2001:db8::1/64", {nodad = true, valid_lft = 3600, preferred_lft = 1800})
                addr.add("vb", "2001:db8:1::1/64", {nodad = true, noprefixroute = true, metric = 50})
                "#,
            )
            .exec()
            .unwrap();
        compare_addrs(&rt);
        let t = ip_json("addr show dev va");
        let a = &t[0]["addr_info"];
        assert!(a.as_array().unwrap().iter().any(|x| x["local"] == "10.0.0.1" && x["broadcast"] == "10.0.0.255" && x["label"] == "va:x"));
        assert!(a.as_array().unwrap().iter().any(|x| x["local"] == "2001:db8::1" && x["valid_life_time"].as_u64().unwrap() <= 3600));
    });
}

/// `nlua -e 'for _, l in ipairs(link.list()) do print(l) end'` prints what
/// `ip link` prints, and scripts/show.lua what `ip addr` prints.
#[test]
fn printing_matches_ip_text_exactly() {
    in_netns(|| {
        sh(IP_LAB);
        sh("ip addr add 10.0.0.1/24 brd + dev vb && ip addr add 2001:db8::1/64 dev vb nodad && ip addr add 10.9.0.1 peer 10.9.0.2/32 dev va");
        let run = |args: &[&str]| {
            // in this thread's namespace, with a /run of its own (a script run keeps a journal there)
            let o = common::private_run(Command::new(nlua_bin()).args(args)).output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            String::from_utf8(o.stdout).unwrap()
        };
        assert_eq!(run(&["-e", "for _, l in ipairs(link.list()) do print(l) end"]), sh("ip link"));
        let show = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/show.lua");
        assert_eq!(run(&[show]), sh("ip addr"));
    });
}
