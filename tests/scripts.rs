//! The example labs in scripts/: each runs as a user would run it, in fresh
//! network and mount namespaces with a private /run, and iproute2 checks that
//! it built what it says (addresses, routes, ports, qdiscs, pings across);
//! then `nlua --down` removes all of it.

mod common;

use std::collections::HashMap;
use std::process::Command;

use common::{isolate, nlua_bin};
use serde_json::Value;

/// Run `script` with sh in an isolated world ($NLUA, $ROOT set). Lines `@@name`
/// start a section of stdout; returns the sections ("" before the first).
fn world(script: &str) -> (HashMap<String, String>, String) {
    let mut c = Command::new("sh");
    c.arg("-c").arg(script).env("NLUA", nlua_bin()).env("ROOT", env!("CARGO_MANIFEST_DIR")).env_remove("NLUA_RUNTIME");
    isolate(&mut c);
    let o = c.output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "the world failed ({}):\n{out}\n{err}", o.status);
    let mut sections: HashMap<String, String> = HashMap::new();
    let mut key = String::new();
    for line in out.lines() {
        match line.strip_prefix("@@") {
            Some(k) => key = k.to_string(),
            None => {
                let s = sections.entry(key.clone()).or_default();
                s.push_str(line);
                s.push('\n');
            }
        }
    }
    (sections, err)
}

fn json(s: &HashMap<String, String>, key: &str) -> Value {
    let text = s.get(key).unwrap_or_else(|| panic!("no section {key}"));
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{key}: {e}: {text}"))
}

/// The `prefix/len` addresses of an `ip -j addr` entry.
fn addrs(v: &Value) -> Vec<String> {
    v["addr_info"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["family"] == "inet")
        .map(|a| format!("{}/{}", a["local"].as_str().unwrap(), a["prefixlen"]))
        .collect()
}

/// `nlua --down NAME`, then what `ip netns list` still shows (nothing).
const DOWN: &str = "echo @@down; $NLUA --down \"$LAB\" 2>&1 | tail -1; ip netns list | wc -l";

#[test]
fn router_two_hosts_and_a_router() {
    let (s, _) = world(&format!(
        "LAB=router; echo @@run; $NLUA $ROOT/scripts/router.lua
         echo @@h1route; ip -n h1 -j route show default
         echo @@raddr; ip -n r -j addr show
         echo @@forward; ip netns exec r cat /proc/sys/net/ipv4/ip_forward
         echo @@get; ip -n h1 -j route get 10.0.2.2
         echo @@ping; ip netns exec h2 ping -c1 -W2 10.0.1.2 >/dev/null && echo ok
         {DOWN}"
    ));
    assert!(s["run"].contains("2 packets transmitted, 2 received"), "{}", s["run"]);
    assert!(s["run"].contains("router: h1 reaches h2 through r"));
    assert_eq!(json(&s, "h1route")[0]["gateway"], "10.0.1.1");
    let r = json(&s, "raddr");
    assert_eq!(addrs(common::by_ifname(&r, "eth1")), ["10.0.1.1/24"]);
    assert_eq!(addrs(common::by_ifname(&r, "eth2")), ["10.0.2.1/24"]);
    assert_eq!(s["forward"], "1\n");
    assert_eq!(json(&s, "get")[0]["gateway"], "10.0.1.1");
    assert_eq!(s["ping"], "ok\n", "h2 answers h1 and reaches it back");
    // Three namespaces deleted (what was in them went along); none left.
    assert!(s["down"].starts_with("nlua: 'router' is down (3 undone, ") && s["down"].ends_with(" gone with their namespace or already gone)\n0\n"), "{}", s["down"]);
}

#[test]
fn bridge_with_n_hosts() {
    let (s, _) = world(&format!(
        "LAB=bridge; echo @@run; $NLUA $ROOT/scripts/bridge.lua 4
         echo @@ports; ip -n sw -j link show master br0
         echo @@br; ip -n sw -d -j link show br0
         echo @@h4; ip -n host4 -j addr show eth0
         echo @@ping; ip netns exec host4 ping -c1 -W2 10.0.0.2 >/dev/null && echo ok
         {DOWN}"
    ));
    for i in 2..=4 {
        assert!(s["run"].contains(&format!("host1 -> host{i}: ok")), "{}", s["run"]);
    }
    let ports: Vec<String> = json(&s, "ports").as_array().unwrap().iter().map(|p| p["ifname"].as_str().unwrap().to_string()).collect();
    assert_eq!(ports.len(), 4, "{ports:?}");
    for i in 1..=4 {
        assert!(ports.contains(&format!("port{i}")), "{ports:?}");
    }
    assert_eq!(json(&s, "br")[0]["linkinfo"]["info_kind"], "bridge");
    assert_eq!(addrs(&json(&s, "h4")[0]), ["10.0.0.4/24"]);
    assert_eq!(s["ping"], "ok\n");
    assert!(s["down"].starts_with("nlua: 'bridge' is down (5 undone,") && s["down"].ends_with("\n0\n"), "{}", s["down"]);
}

/// The chain is built and routes across whether or not the kernel has netem;
/// where it has it, each router's east side delays, and where it has not the
/// script says so and leaves no half-made qdisc.
#[test]
fn chain_of_routers_with_netem_where_the_kernel_has_it() {
    let (s, _) = world(&format!(
        "LAB=chain; echo @@netem; ip netns add probe; tc -n probe qdisc add dev lo root netem delay 1ms 2>/dev/null && echo yes; ip netns del probe
         echo @@run; $NLUA $ROOT/scripts/chain.lua 2 5ms
         echo @@q1; tc -n r1 -j qdisc show dev east
         echo @@q2; tc -n r2 -j qdisc show dev east
         echo @@routes; ip -n left -j route show
         echo @@ping; ip netns exec right ping -c1 -W3 10.10.1.1
         {DOWN}"
    ));
    let has_netem = s.get("netem").is_some_and(|x| x == "yes\n");
    for q in ["q1", "q2"] {
        let qs = json(&s, q);
        let netem: Vec<&Value> = qs.as_array().unwrap().iter().filter(|x| x["kind"] == "netem").collect();
        if has_netem {
            assert_eq!(netem.len(), 1, "{q}: {}", s[q]);
            assert_eq!(netem[0]["options"]["delay"]["delay"].as_f64(), Some(0.005), "{}", s[q]);
        } else {
            assert!(netem.is_empty(), "{q}: {}", s[q]);
        }
    }
    if has_netem {
        assert!(s["run"].contains("chain: 2 routers, netem 5ms on 2 of them"), "{}", s["run"]);
    } else {
        assert!(s["run"].starts_with("netem: this kernel has no netem qdisc ("), "{}", s["run"]);
        assert!(s["run"].contains("chain: 2 routers, netem 5ms on 0 of them"), "{}", s["run"]);
    }
    assert!(s["run"].contains("chain: left reaches right"), "{}", s["run"]);
    let routes: Vec<String> = json(&s, "routes").as_array().unwrap().iter().map(|r| format!("{} via {}", r["dst"].as_str().unwrap(), r["gateway"].as_str().unwrap_or("-"))).collect();
    assert_eq!(routes, ["10.10.1.0/24 via -", "10.10.2.0/24 via 10.10.1.2", "10.10.3.0/24 via 10.10.1.2"]);
    assert!(s["ping"].contains("ttl=62"), "two routers between right and left: {}", s["ping"]);
    assert!(s["down"].starts_with("nlua: 'chain' is down (4 undone,") && s["down"].ends_with("\n0\n"), "{}", s["down"]);
}

#[test]
fn ingress_shaping_through_an_ifb() {
    let (s, _) = world(&format!(
        "LAB=ifb; echo @@run; $NLUA $ROOT/scripts/ifb.lua 2mbit
         echo @@q; tc -n server -s -j qdisc show dev ifb0
         echo @@f; tc -n server -j filter show dev eth0 ingress
         ip netns exec client ping -c3 -i0.2 -W2 10.0.0.2 >/dev/null
         echo @@q2; tc -n server -s -j qdisc show dev ifb0
         {DOWN}"
    ));
    assert!(s["run"].contains("3 packets transmitted, 3 received"), "{}", s["run"]);
    let q = &json(&s, "q")[0];
    assert_eq!(q["kind"], "tbf");
    assert_eq!(q["options"]["rate"], 250_000, "2mbit is 250000 bytes/s");
    assert_eq!(q["options"]["burst"], 16384);
    let f = json(&s, "f");
    let action = f.as_array().unwrap().iter().find_map(|x| x["options"]["actions"].get(0)).expect("a u32 node with an action");
    assert_eq!((&action["kind"], &action["mirred_action"], &action["to_dev"]), (&"mirred".into(), &"redirect".into(), &"ifb0".into()));
    let before = q["packets"].as_u64().unwrap();
    let after = json(&s, "q2")[0]["packets"].as_u64().unwrap();
    assert!(after >= before + 3, "what arrives on server's eth0 goes through ifb0's tbf: {before} -> {after}");
    assert!(s["down"].starts_with("nlua: 'ifb' is down (2 undone,") && s["down"].ends_with("\n0\n"), "{}", s["down"]);
}

#[test]
fn vxlan_overlay_between_two_namespaces() {
    let (s, _) = world(&format!(
        "LAB=vxlan; echo @@run; $NLUA $ROOT/scripts/vxlan.lua
         echo @@vx; ip -n m2 -d -j addr show vx0
         echo @@ping; ip netns exec m2 ping -c1 -W2 10.42.0.1 >/dev/null && echo ok
         echo @@fdb; ip netns exec m1 bridge -j fdb show dev vx0
         {DOWN}"
    ));
    assert!(s["run"].contains("2 packets transmitted, 2 received"), "{}", s["run"]);
    let vx = &json(&s, "vx")[0];
    let info = &vx["linkinfo"]["info_data"];
    assert_eq!(vx["linkinfo"]["info_kind"], "vxlan");
    assert_eq!((info["id"].as_u64(), info["remote"].as_str(), info["local"].as_str(), info["port"].as_u64()), (Some(42), Some("192.0.2.1"), Some("192.0.2.2"), Some(4789)));
    assert_eq!(info["link"], "eth0");
    assert_eq!(addrs(vx), ["10.42.0.2/24"]);
    assert_eq!(s["ping"], "ok\n");
    // The default destination (the remote) is m1's flood entry.
    assert!(json(&s, "fdb").as_array().unwrap().iter().any(|e| e["mac"] == "00:00:00:00:00:00" && e["dst"] == "192.0.2.2"), "{}", s["fdb"]);
    assert!(s["down"].starts_with("nlua: 'vxlan' is down (2 undone,") && s["down"].ends_with("\n0\n"), "{}", s["down"]);
}

/// Scripts run by tests elsewhere, and where.
const TESTED_ELSEWHERE: &[(&str, &str)] = &[
    ("lab", include_str!("netns_cli.rs")),
    ("chaos_netem", include_str!("netns_cli.rs")),
    ("show", include_str!("oracle_link.rs")),
];

/// Every script in scripts/ is run by a test (here, or one named above).
#[test]
fn every_script_is_run_by_a_test() {
    let here = include_str!("scripts.rs");
    for e in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts")).unwrap() {
        let p = e.unwrap().path();
        let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
        let run = format!("scripts/{stem}.lua");
        let tested = TESTED_ELSEWHERE.iter().any(|(s, src)| *s == stem && src.contains(&run)) || here.matches(&run).count() >= 1;
        assert!(tested, "{run} is run by no test");
    }
}
