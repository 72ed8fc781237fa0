//! Every route option, given from Lua through the nlua binary, read back by
//! `ip -j route` field by field — including table and protocol names from
//! /etc/iproute2/rt_tables.d and rt_protos.d (a private tmpfs in the test's
//! own mount namespace, so iproute2 and nlua read the same files).

mod common;

use std::process::{Command, Stdio};

use serde_json::{Value as J, json};

/// Run `script` in fresh namespaces where rt_tables.d names table 1001 "blue"
/// and rt_protos.d names protocol 201 "nluaproto", and the main files
/// rt_tables and rt_protos (copies bound over them, in the test's own mount
/// namespace) add table 1002 "green" and protocol 202 "greenproto"; returns stdout.
fn run(script: &str) -> String {
    let sh = format!(
        "mount -t tmpfs tmpfs /etc/iproute2/rt_tables.d && echo '1001 blue' > /etc/iproute2/rt_tables.d/nlua.conf \
         && mount -t tmpfs tmpfs /etc/iproute2/rt_protos.d && echo '201 nluaproto' > /etc/iproute2/rt_protos.d/nlua.conf \
         && cat /etc/iproute2/rt_tables > /run/rt_tables && echo '1002 green' >> /run/rt_tables \
         && mount --bind /run/rt_tables /etc/iproute2/rt_tables \
         && cat /etc/iproute2/rt_protos > /run/rt_protos && echo '202 greenproto' >> /run/rt_protos \
         && mount --bind /run/rt_protos /etc/iproute2/rt_protos \
         && exec {} -",
        common::nlua_bin().display()
    );
    let mut c = Command::new("sh");
    c.arg("-c").arg(sh).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    common::isolate(&mut c);
    let mut child = c.spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    common::ok_stdout(&child.wait_with_output().unwrap())
}

const SETUP: &str = r#"
link.get("lo"):up()
link.add{name = "v0", kind = "veth", peer = {name = "v1", up = true}, up = true}
addr.add("v0", "10.0.0.1/24"); addr.add("v1", "10.0.1.1/24")
addr.add("v0", "2001:db8::1/64", {nodad = true}); addr.add("v1", "2001:db8:1::1/64", {nodad = true})
"#;

#[test]
fn every_route_option_from_lua_reads_back_in_ip() {
    let script = format!(
        r#"{SETUP}
route.add{{dst = "10.1.0.0/16", gw = "10.0.0.254", table = "blue", metric = 10, proto = "nluaproto"}}
route.add{{dst = "10.2.0.0/16", dev = "v0", src = "10.0.0.1", scope = "link"}}
route.add{{dst = "10.3.0.0/16", gw = "10.0.0.254", tos = 0x10}}
route.add{{dst = "10.4.0.0/16", gw = "10.0.0.254", dscp = 10, priority = 7}}
route.add{{dst = "10.5.0.0/16", gw = "10.9.9.9", dev = "v0", onlink = true}}
route.add{{dst = "10.6.0.0/16", via = "fe80::1", oif = "v0"}}
route.add{{dst = "10.7.0.0/16", gw = "10.0.0.254", mtu = 1400, advmss = 1300, window = 20000, rtt = "100ms", hoplimit = 30,
          initcwnd = 10, initrwnd = 20, quickack = true, lock = {{"mtu", "advmss"}}}}
route.add{{dst = "10.8.0.0/16", nexthops = {{{{gw = "10.0.0.2", weight = 1}}, {{gw = "10.0.1.3", dev = "v1", weight = 2}},
          {{gw = "10.9.9.9", dev = "v0", onlink = true}}}}}}
route.add{{dst = "10.9.0.0/16", gw = "10.0.0.254", proto = 99, type = "unicast"}}
route.add{{dst = "10.10.0.0/16", gw = "10.0.0.254", realms = "3/4"}}
route.add{{dst = "10.11.0.0/16", gw = "10.0.0.254", realms = 5}}
route.add{{dst = "192.0.2.0/26", type = "blackhole"}}
route.add{{dst = "192.0.2.64/26", type = "unreachable", metric = 5}}
route.add{{dst = "192.0.2.128/26", type = "prohibit"}}
route.add{{dst = "198.51.100.0/24", type = "throw", table = 100}}
route.add{{dst = "10.0.0.77", type = "local", dev = "v0"}}
route.add{{dst = "10.0.0.99", type = "broadcast", dev = "v0"}}
route.add{{dst = "224.1.0.0/16", type = "multicast", dev = "v0"}}
route.add{{dst = "default", gw = "10.0.0.254", metric = 100}}
route.add{{dst = "2001:db8:a::/64", gw = "2001:db8::2", pref = "low", table = 1000}}
route.add{{dst = "2001:db8:b::/64", dev = "v0", expires = 600}}
route.add{{dst = "2001:db8:c::/64", dev = "v0", encap = {{type = "seg6", mode = "encap", segs = "2001:db8::5,2001:db8::6", hmac = 9}}}}
route.add{{dst = "2001:db8:d::/64", nexthops = {{{{gw = "2001:db8::2", dev = "v0"}}, {{gw = "2001:db8:1::3", dev = "v1", weight = 5}}}}}}
route.add{{dst = "2001:db8:e::/64", from = "2001:db8:ff::/64", gw = "2001:db8::2"}}
route.add{{family = "inet6", dst = "default", gw = "2001:db8::fe", metric = 2048}}
print(io.popen("ip -j route show table all"):read("a"))
"#
    );
    let out: J = serde_json::from_str(run(&script).trim()).unwrap();
    let routes = out.as_array().unwrap();
    let find = |dst: &str, table: Option<&str>| -> J {
        let mut r = routes
            .iter()
            .find(|r| r["dst"] == dst && r.get("table").and_then(|t| t.as_str()) == table)
            .unwrap_or_else(|| panic!("no {dst} in {out}"))
            .clone();
        r.as_object_mut().unwrap().remove("expires");
        r
    };
    let expect = |dst: &str, table: Option<&str>, want: J| assert_eq!(find(dst, table), want, "{dst}");
    expect(
        "10.1.0.0/16",
        Some("blue"),
        json!({"dst": "10.1.0.0/16", "gateway": "10.0.0.254", "dev": "v0", "table": "blue", "protocol": "nluaproto", "metric": 10, "flags": []}),
    );
    expect("10.2.0.0/16", None, json!({"dst": "10.2.0.0/16", "dev": "v0", "scope": "link", "prefsrc": "10.0.0.1", "flags": []}));
    expect("10.3.0.0/16", None, json!({"dst": "10.3.0.0/16", "tos": "0x10", "gateway": "10.0.0.254", "dev": "v0", "flags": []}));
    expect(
        "10.4.0.0/16",
        None,
        json!({"dst": "10.4.0.0/16", "tos": "AF11", "gateway": "10.0.0.254", "dev": "v0", "metric": 7, "flags": []}),
    );
    expect("10.5.0.0/16", None, json!({"dst": "10.5.0.0/16", "gateway": "10.9.9.9", "dev": "v0", "flags": ["onlink"]}));
    expect(
        "10.6.0.0/16",
        None,
        json!({"dst": "10.6.0.0/16", "via": {"family": "inet6", "host": "fe80::1"}, "dev": "v0", "flags": []}),
    );
    expect(
        "10.7.0.0/16",
        None,
        json!({"dst": "10.7.0.0/16", "gateway": "10.0.0.254", "dev": "v0", "flags": [],
               "metrics": [{"mtu": 1400, "window": 20000, "rtt": 100, "advmss": 1300, "hoplimit": 30, "initcwnd": 10, "initrwnd": 20, "quickack": 1}]}),
    );
    expect(
        "10.8.0.0/16",
        None,
        json!({"dst": "10.8.0.0/16", "flags": [], "nexthops": [
            {"gateway": "10.0.0.2", "dev": "v0", "weight": 1, "flags": []},
            {"gateway": "10.0.1.3", "dev": "v1", "weight": 2, "flags": []},
            {"gateway": "10.9.9.9", "dev": "v0", "weight": 1, "flags": ["onlink"]}]}),
    );
    expect(
        "10.9.0.0/16",
        None,
        json!({"dst": "10.9.0.0/16", "gateway": "10.0.0.254", "dev": "v0", "protocol": "openr", "flags": []}),
    );
    expect(
        "10.10.0.0/16",
        None,
        json!({"dst": "10.10.0.0/16", "gateway": "10.0.0.254", "dev": "v0", "flags": [], "flow": {"from": "3", "to": "4"}}),
    );
    expect(
        "10.11.0.0/16",
        None,
        json!({"dst": "10.11.0.0/16", "gateway": "10.0.0.254", "dev": "v0", "flags": [], "flow": {"to": "5"}}),
    );
    expect("192.0.2.0/26", None, json!({"type": "blackhole", "dst": "192.0.2.0/26", "flags": []}));
    expect("192.0.2.64/26", None, json!({"type": "unreachable", "dst": "192.0.2.64/26", "metric": 5, "flags": []}));
    expect("192.0.2.128/26", None, json!({"type": "prohibit", "dst": "192.0.2.128/26", "flags": []}));
    expect("198.51.100.0/24", Some("100"), json!({"type": "throw", "dst": "198.51.100.0/24", "table": "100", "flags": []}));
    expect(
        "10.0.0.77",
        Some("local"),
        json!({"type": "local", "dst": "10.0.0.77", "dev": "v0", "table": "local", "scope": "host", "flags": []}),
    );
    expect(
        "10.0.0.99",
        Some("local"),
        json!({"type": "broadcast", "dst": "10.0.0.99", "dev": "v0", "table": "local", "scope": "link", "flags": []}),
    );
    expect("224.1.0.0/16", None, json!({"type": "multicast", "dst": "224.1.0.0/16", "dev": "v0", "scope": "link", "flags": []}));
    let defaults: Vec<&J> = routes.iter().filter(|r| r["dst"] == "default").collect();
    assert_eq!(defaults[0], &json!({"dst": "default", "gateway": "10.0.0.254", "dev": "v0", "metric": 100, "flags": []}));
    assert_eq!(
        defaults[1],
        &json!({"dst": "default", "gateway": "2001:db8::fe", "dev": "v0", "metric": 2048, "flags": [], "pref": "medium"})
    );
    expect(
        "2001:db8:a::/64",
        Some("1000"),
        json!({"dst": "2001:db8:a::/64", "gateway": "2001:db8::2", "dev": "v0", "table": "1000", "metric": 1024, "flags": [], "pref": "low"}),
    );
    expect(
        "2001:db8:b::/64",
        None,
        json!({"dst": "2001:db8:b::/64", "dev": "v0", "metric": 1024, "flags": [], "pref": "medium"}),
    );
    let exp = routes.iter().find(|r| r["dst"] == "2001:db8:b::/64").unwrap()["expires"].as_i64().unwrap();
    assert!((590..=600).contains(&exp), "expires {exp}");
    expect(
        "2001:db8:c::/64",
        None,
        json!({"dst": "2001:db8:c::/64", "encap": "seg6", "mode": "encap", "segs": ["2001:db8::5", "2001:db8::6"], "hmac": "0x9",
               "dev": "v0", "metric": 1024, "flags": [], "pref": "medium"}),
    );
    expect(
        "2001:db8:d::/64",
        None,
        json!({"dst": "2001:db8:d::/64", "metric": 1024, "flags": [], "pref": "medium", "nexthops": [
            {"gateway": "2001:db8::2", "dev": "v0", "weight": 1, "flags": []},
            {"gateway": "2001:db8:1::3", "dev": "v1", "weight": 5, "flags": []}]}),
    );
    expect(
        "2001:db8:e::/64",
        None,
        json!({"dst": "2001:db8:e::/64", "from": "2001:db8:ff::/64", "gateway": "2001:db8::2", "dev": "v0", "metric": 1024, "flags": [], "pref": "medium"}),
    );
}

#[test]
fn names_from_rt_tables_and_rt_protos_files_and_their_d_dirs_both_ways() {
    let script = format!(
        r#"{SETUP}
os.execute("ip route add 10.1.0.0/16 via 10.0.0.254 table blue proto nluaproto metric 3")
os.execute("ip route add 10.2.0.0/16 via 10.0.0.254 table 1001")
local rs = route.list{{table = "blue"}}
assert(#rs == 2, #rs)
assert(rs[1].table == 1001 and rs[1].proto == "nluaproto" and rs[1].metric == 3, tostring(rs[1]))
assert(tostring(rs[1]) == "10.1.0.0/16 via 10.0.0.254 dev v0 table blue proto nluaproto metric 3", tostring(rs[1]))
route.add{{dst = "10.3.0.0/16", gw = "10.0.0.254", table = "blue", proto = "nluaproto"}}
print(nlua.json(route.list{{table = 1001}}))
-- names from the main files rt_tables and rt_protos, both ways
os.execute("ip route add 10.4.0.0/16 via 10.0.0.254 table green proto greenproto")
route.add{{dst = "10.5.0.0/16", gw = "10.0.0.254", table = "green", proto = "greenproto"}}
local gs = route.list{{table = "green"}}
assert(#gs == 2 and gs[1].table == 1002 and gs[1].proto == "greenproto", tostring(gs[1]))
assert(tostring(gs[1]) == "10.4.0.0/16 via 10.0.0.254 dev v0 table green proto greenproto", tostring(gs[1]))
rule.add{{from = "10.9.0.0/16", table = "green", priority = 100, proto = "greenproto"}}
local r100 = tostring(rule.list{{priority = 100}}[1])
assert(r100 == "100:\tfrom 10.9.0.0/16 lookup green proto greenproto", r100)
print(io.popen("ip -j route show table 1002"):read("a"))
print(io.popen("ip -j rule show pref 100"):read("a"))
"#
    );
    let out = run(&script);
    let mut lines = out.lines().filter(|l| !l.trim().is_empty());
    let blue: J = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(blue.as_array().unwrap().len(), 3);
    assert_eq!(
        blue[2],
        json!({"dst": "10.3.0.0/16", "gateway": "10.0.0.254", "dev": "v0", "table": "blue", "protocol": "nluaproto", "flags": []})
    );
    let green: J = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(
        green,
        json!([{"dst": "10.4.0.0/16", "gateway": "10.0.0.254", "dev": "v0", "protocol": "greenproto", "flags": []},
               {"dst": "10.5.0.0/16", "gateway": "10.0.0.254", "dev": "v0", "protocol": "greenproto", "flags": []}])
    );
    let rule: J = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(
        rule,
        json!([{"priority": 100, "src": "10.9.0.0", "srclen": 16, "table": "green", "protocol": "greenproto"}])
    );
}

/// A table name written to rt_tables.d while a script runs is known at once,
/// even right after the files were read for another name (nlua keeps what it
/// read for a moment; a name it does not know sends it back to the files).
#[test]
fn a_table_name_added_while_the_script_runs_is_known_at_once() {
    let script = format!(
        r#"{SETUP}
assert(#route.list{{table = "blue"}} == 0)
local f = assert(io.open("/etc/iproute2/rt_tables.d/later.conf", "w"))
f:write("1003 red\n"); f:close()
route.add{{dst = "10.6.0.0/16", gw = "10.0.0.254", table = "red"}}
print(io.popen("ip -j route show table 1003"):read("a"))
"#
    );
    let out = run(&script);
    let red: J = serde_json::from_str(out.lines().find(|l| !l.trim().is_empty()).unwrap()).unwrap();
    assert_eq!(red, json!([{"dst": "10.6.0.0/16", "gateway": "10.0.0.254", "dev": "v0", "flags": []}]));
}

/// The keys `ip -j route show` leaves out because its filter fixes them
/// (print_route: no "table" under `table N`, no "protocol" under `proto P`...).
fn keys_ip_elides(ip_args: &str) -> Vec<&'static str> {
    let words: Vec<&str> = ip_args.split_whitespace().collect();
    let has = |w: &str| words.windows(2).any(|p| p[0] == w && p[1] != "all" && p[1] != "0");
    let mut k = Vec::new();
    let pairs = [("table", "table"), ("proto", "protocol"), ("dev", "dev"), ("scope", "scope"), ("metric", "metric"), ("via", "gateway")];
    for (word, key) in pairs {
        if has(word) {
            k.push(key);
        }
    }
    k
}

#[test]
fn route_list_filters_select_what_ip_route_show_selects() {
    // (nlua filter, the ip commands whose routes together are the same list)
    let cases: &[(&str, &[&str])] = &[
        ("{}", &["route show", "-6 route show"]),
        ("{family = 'inet'}", &["route show"]),
        ("{family = 'inet6'}", &["-6 route show"]),
        ("{table = 100}", &["route show table 100", "-6 route show table 100"]),
        ("{table = 'blue', family = 'inet'}", &["route show table blue"]),
        ("{table = 'all'}", &["route show table all"]),
        ("{table = 0}", &["route show table 0"]),
        ("{table = 'local', family = 'inet6'}", &["-6 route show table local"]),
        ("{family = 'inet', proto = 'static'}", &["route show proto static"]),
        ("{table = 'all', family = 'inet', proto = 'nluaproto'}", &["route show table all proto nluaproto"]),
        ("{family = 'inet', type = 'blackhole'}", &["route show type blackhole"]),
        ("{table = 'all', family = 'inet', type = 'unreachable'}", &["route show table all type unreachable"]),
        ("{family = 'inet', dev = 'v1'}", &["route show dev v1"]),
        ("{family = 'inet6', dev = 'v0'}", &["-6 route show dev v0"]),
        ("{family = 'inet', dst = '10.3.0.0/16'}", &["route show 10.3.0.0/16"]),
        ("{family = 'inet', root = '10.0.0.0/8'}", &["route show root 10.0.0.0/8"]),
        ("{family = 'inet', match = '10.3.1.5'}", &["route show match 10.3.1.5"]),
        ("{family = 'inet6', match = '2001:db8:5::1'}", &["-6 route show match 2001:db8:5::1"]),
        ("{dst = 'default'}", &["route show default", "-6 route show default"]),
        ("{family = 'inet', scope = 'link'}", &["route show scope link"]),
        ("{family = 'inet', metric = 5}", &["route show metric 5"]),
        ("{table = 'all', family = 'inet', gw = '10.0.0.2'}", &["route show table all via 10.0.0.2"]),
    ];
    let mut script = format!(
        r#"{SETUP}
route.add{{dst = "10.1.0.0/16", gw = "10.0.0.2", proto = "static", table = 100}}
route.add{{dst = "10.2.0.0/16", gw = "10.0.1.2", proto = "nluaproto", table = "blue"}}
route.add{{dst = "10.3.0.0/16", type = "blackhole"}}
route.add{{dst = "10.3.1.0/24", gw = "10.0.0.2", metric = 5, proto = "static"}}
route.add{{dst = "10.3.2.0/24", type = "unreachable", table = 100}}
route.add{{dst = "default", gw = "10.0.0.2"}}
route.add{{dst = "default", gw = "2001:db8::2"}}
route.add{{dst = "2001:db8:5::/64", gw = "2001:db8::2", table = 100}}
route.add{{dst = "2001:db8:5::/48", gw = "2001:db8:1::2"}}
local function ip(args) return (io.popen("ip -j " .. args):read("a"):gsub("%s+$", "")) end
"#
    );
    for (filter, ip_cmds) in cases {
        script.push_str(&format!("print(nlua.json(route.list{filter}))\n"));
        for c in *ip_cmds {
            script.push_str(&format!("print(ip({c:?}))\n"));
        }
    }
    let out = run(&script);
    let mut lines = out.lines();
    let mut next = || -> Vec<J> { serde_json::from_str::<J>(lines.next().unwrap()).unwrap().as_array().unwrap().clone() };
    for (filter, ip_cmds) in cases {
        let ours = next();
        let mut theirs = Vec::new();
        let mut elided = Vec::new();
        for c in *ip_cmds {
            theirs.extend(next());
            elided = keys_ip_elides(c);
        }
        let ours: Vec<J> = ours
            .into_iter()
            .map(|mut r| {
                for k in &elided {
                    r.as_object_mut().unwrap().remove(*k);
                }
                r
            })
            .collect();
        assert!(!theirs.is_empty(), "{filter}: the case selects something");
        assert_eq!(ours, theirs, "route.list{filter} vs ip {ip_cmds:?}");
    }
}
