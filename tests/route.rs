//! Routes against the real kernel, each test in a namespace of its own, with
//! iproute2 as the oracle: what `ip route` makes, nlua reads identically
//! (every JSON field), `route_get` agrees with `ip route get`, and the
//! replace/append/change verbs do what ip's do.

mod common;

use common::{in_netns, ip, sh};
use nlua::engine::route::{RouteFilter, RouteQuery, RouteVerb};
use nlua::engine::schema::Opt;
use nlua::engine::{Handle, RouteSpec};
use nlua::show::LinkTable;
use nlua::show::route::{RtNames, route_json};
use serde_json::Value as J;

/// Two veths with v4 and v6 addresses: v0 (10.0.0.1/24, 2001:db8::1/64) and
/// its peer v1 (10.0.1.1/24), both up.
fn setup() {
    // No IPv6 link-local addresses: their local routes appear when DAD ends,
    // which could fall between two reads that are compared.
    sh("echo 1 > /proc/sys/net/ipv6/conf/default/addr_gen_mode");
    sh("ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up \
        && ip addr add 10.0.0.1/24 dev v0 && ip addr add 10.0.1.1/24 dev v1 \
        && ip addr add 2001:db8::1/64 dev v0 nodad && ip addr add 2001:db8:1::1/64 dev v1 nodad");
}

/// nlua's JSON for every route in every table, in dump order.
fn nlua_json(h: &Handle) -> Vec<J> {
    let links = h.link_list(&Default::default()).unwrap();
    let names = RtNames::load();
    h.route_list(&RouteFilter::default())
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str(&route_json(r, &LinkTable(&links), &names).to_string_compact()).unwrap())
        .collect()
}

fn ip_json(args: &str) -> Vec<J> {
    common::ip_json(args).as_array().unwrap().clone()
}

fn without(mut v: Vec<J>, key: &str) -> Vec<J> {
    for o in v.iter_mut() {
        if let Some(m) = o.as_object_mut() {
            m.remove(key);
        }
    }
    v
}

fn opts(pairs: &[(&str, Opt)]) -> Vec<(String, Opt)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn s(v: &str) -> Opt {
    Opt::Str(v.into())
}

#[test]
fn routes_made_by_ip_read_back_field_by_field() {
    in_netns(|| {
        setup();
        for cmd in [
            "route add 10.1.0.0/16 via 10.0.0.254 table 100 metric 10 proto static",
            "route add 10.2.0.0/16 via 10.0.0.254 table 1000",
            "route add 10.3.0.0/16 dev v0 scope link src 10.0.0.1",
            "route add blackhole 192.0.2.0/24",
            "route add unreachable 192.0.2.128/25 metric 5",
            "route add prohibit 198.51.100.0/24",
            "route add throw 198.51.100.0/25 table 100",
            "route add 10.4.0.0/16 via 10.0.0.254 tos 0x10",
            "route add 10.5.0.0/16 via 10.9.9.9 dev v0 onlink",
            "route add 10.6.0.0/16 via 10.0.0.254 mtu lock 1400 advmss 1300 window 20000 rtt 100ms rttvar 50ms \
             hoplimit 30 initcwnd 10 initrwnd 20 quickack 1 features ecn rto_min 200ms ssthresh 100 cwnd 10 reordering 5",
            "route add 10.7.0.0/16 nexthop via 10.0.0.2 weight 1 nexthop via 10.0.1.3 dev v1 weight 3 nexthop via 10.9.9.9 dev v0 onlink",
            "route add 10.8.0.0/16 via inet6 fe80::1 dev v0",
            "route add 10.10.0.0/16 via 10.0.0.254 realms 5/7",
            "route add 10.11.0.0/16 via 10.0.0.254 proto 42",
            "route add 10.12.0.0/16 via 10.0.0.254 proto 201",
            "route add default via 10.0.0.254 metric 100",
            "route add local 10.0.0.77 dev v0",
            "route add broadcast 10.0.0.99 dev v0 table local",
            "-6 route add 2001:db8:a::/64 via 2001:db8::2 pref high metric 100",
            "-6 route add 2001:db8:b::/64 dev v0 expires 3600",
            "-6 route add 2001:db8:c::/64 encap seg6 mode encap segs 2001:db8::5,2001:db8::6 dev v0",
            "-6 route add 2001:db8:d::/64 encap seg6 mode inline segs 2001:db8::7 dev v0",
            "-6 route add 2001:db8:e::/64 nexthop via 2001:db8::2 dev v0 nexthop via 2001:db8:1::3 dev v1",
            "-6 route add 2001:db8:f::/64 via 2001:db8::2 table 200 pref low",
            "-6 route add 2001:db8:10::/64 from 2001:db8:ff::/64 via 2001:db8::2",
        ] {
            ip(cmd);
        }
        let h = Handle::new().unwrap();
        let ours = nlua_json(&h);
        let theirs = ip_json("route show table all");
        assert_eq!(ours.len(), theirs.len());
        // Expiry counts down between the two reads; compared separately below.
        assert_eq!(without(ours.clone(), "expires"), without(theirs.clone(), "expires"));
        let exp = |v: &[J]| v.iter().find(|o| o["dst"] == "2001:db8:b::/64").unwrap()["expires"].as_i64().unwrap();
        assert!((exp(&ours) - exp(&theirs)).abs() <= 1 && exp(&ours) > 3500, "{} vs {}", exp(&ours), exp(&theirs));

        // The typed view, for the fields a Rust caller reads.
        let all = h.route_list(&RouteFilter::default()).unwrap();
        let find = |dst: &str| all.iter().find(|r| r.prefix() == dst).unwrap_or_else(|| panic!("no {dst}"));
        let r = find("10.1.0.0/16");
        assert_eq!((r.table, r.metric, r.protocol), (100, Some(10), 4));
        assert_eq!(r.gateway, Some("10.0.0.254".parse().unwrap()));
        assert_eq!(find("10.2.0.0/16").table, 1000);
        let r = find("10.6.0.0/16");
        assert_eq!(r.metric_raw("mtu"), Some(1400));
        assert_eq!(r.metric_raw("rtt"), Some(800));
        assert_eq!(r.locked_metrics(), vec!["mtu", "rto_min"]);
        let r = find("10.7.0.0/16");
        assert_eq!(r.nexthops.iter().map(|n| n.weight).collect::<Vec<_>>(), vec![1, 3, 1]);
        assert_eq!(r.nexthops[2].flags & 4, 4, "onlink");
        assert_eq!(find("10.8.0.0/16").via, Some("fe80::1".parse().unwrap()));
        assert_eq!(find("10.4.0.0/16").tos, 0x10);
        assert_eq!(find("192.0.2.0/24").rtype, 6);
        let r = find("2001:db8:10::/64");
        assert_eq!(r.from_prefix().as_deref(), Some("2001:db8:ff::/64"));
        assert!(find("2001:db8:b::/64").expires().unwrap() > 3500);
    });
}

#[test]
fn routes_made_by_nlua_read_back_by_ip() {
    in_netns(|| {
        setup();
        let h = Handle::new().unwrap();
        let add = |pairs: &[(&str, Opt)]| {
            let spec = RouteSpec::from_opts(&opts(pairs), &h).unwrap();
            h.route_add(&spec).unwrap();
        };
        add(&[
            ("dst", s("10.1.0.0/16")),
            ("gw", s("10.0.0.254")),
            ("table", Opt::Int(100)),
            ("metric", Opt::Int(10)),
            ("proto", s("static")),
        ]);
        add(&[
            ("dst", s("10.2.0.0/16")),
            ("gw", s("10.0.0.254")),
            ("table", Opt::Int(1000)),
            ("mtu", Opt::Int(1400)),
            ("lock", s("mtu")),
        ]);
        add(&[("dst", s("10.3.0.0/16")), ("via", s("fe80::1")), ("dev", s("v0"))]);
        add(&[("dst", s("2001:db8:a::/64")), ("gw", s("2001:db8::2")), ("pref", s("low"))]);
        let j = ip_json("route show table all");
        let find = |dst: &str| j.iter().find(|o| o["dst"] == dst).unwrap_or_else(|| panic!("no {dst} in {j:?}")).clone();
        let r = find("10.1.0.0/16");
        assert_eq!(
            (r["gateway"].as_str(), r["table"].as_str(), r["metric"].as_u64(), r["protocol"].as_str()),
            (Some("10.0.0.254"), Some("100"), Some(10), Some("static"))
        );
        let r = find("10.2.0.0/16");
        assert_eq!((r["table"].as_str(), r["metrics"][0]["mtu"].as_u64()), (Some("1000"), Some(1400)));
        assert!(ip("route show table 1000").contains("mtu lock 1400"));
        assert_eq!(find("10.3.0.0/16")["via"], serde_json::json!({"family": "inet6", "host": "fe80::1"}));
        assert_eq!(find("2001:db8:a::/64")["pref"], "low");
    });
}

/// One `ip route get` and nlua's route_get for the same question must agree
/// on every field.
fn same_answer(h: &Handle, q: &RouteQuery, ip_args: &str) {
    let links = h.link_list(&Default::default()).unwrap();
    let r = h.route_get(q).unwrap_or_else(|e| panic!("route get {ip_args}: {e}"));
    let ours: J = serde_json::from_str(&route_json(&r, &LinkTable(&links), &RtNames::load()).to_string_compact()).unwrap();
    let theirs = ip_json(&format!("route get {ip_args}"));
    assert_eq!(vec![ours], theirs, "route get {ip_args}");
}

#[test]
fn route_get_agrees_with_ip_across_tables_rules_and_multipath() {
    in_netns(|| {
        setup();
        sh("sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1");
        for cmd in [
            "route add default via 10.0.0.254",
            "route add 10.50.0.0/16 via 10.0.1.254 table 100",
            "route add 10.60.0.0/16 via 10.0.1.254 table 200",
            "rule add from 10.0.1.0/24 lookup 100 priority 1000",
            "rule add fwmark 7 lookup 200 priority 1001",
            "route add 10.70.0.0/16 nexthop via 10.0.0.2 weight 1 nexthop via 10.0.1.2 weight 2",
            "-6 route add 2001:db8:70::/64 nexthop via 2001:db8::2 dev v0 nexthop via 2001:db8:1::2 dev v1",
            "-6 route add default via 2001:db8::fe",
            "route add 10.80.0.0/16 via 10.0.1.253 table 1000",
            "rule add to 10.80.0.0/16 lookup 1000 priority 1002",
            "rule add ipproto tcp dport 443 lookup 200 priority 1003",
            "rule add tos 0x10 lookup 200 priority 1004",
            "-6 route add 2001:db8:90::/64 from 2001:db8:ff::/64 via 2001:db8:1::5",
            "-6 route add 2001:db8:91::/64 via 2001:db8::7 table 300",
            "-6 rule add from 2001:db8:77::/64 lookup 300 priority 1000",
        ] {
            ip(cmd);
        }
        let h = Handle::new().unwrap();
        let v0 = h.link_index("v0").unwrap();
        let v1 = h.link_index("v1").unwrap();
        let q = |d: &str| RouteQuery::new(d.parse().unwrap());
        same_answer(&h, &q("8.8.8.8"), "8.8.8.8");
        same_answer(&h, &q("10.0.0.9"), "10.0.0.9");
        same_answer(&h, &RouteQuery { from: Some("10.0.1.1".parse().unwrap()), ..q("10.50.1.1") }, "10.50.1.1 from 10.0.1.1");
        same_answer(&h, &RouteQuery { mark: Some(7), ..q("10.60.1.1") }, "10.60.1.1 mark 7");
        same_answer(&h, &RouteQuery { oif: Some(v1), ..q("10.99.0.1") }, "10.99.0.1 oif v1");
        same_answer(
            &h,
            &RouteQuery { from: Some("10.0.0.9".parse().unwrap()), iif: Some(v0), ..q("10.0.1.9") },
            "10.0.1.9 from 10.0.0.9 iif v0",
        );
        for d in ["10.70.0.1", "10.70.200.9", "10.70.33.33"] {
            same_answer(&h, &q(d), d);
            same_answer(&h, &RouteQuery { fibmatch: true, ..q(d) }, &format!("fibmatch {d}"));
        }
        same_answer(&h, &q("2001:db8:70::5"), "2001:db8:70::5");
        same_answer(&h, &RouteQuery { fibmatch: true, ..q("2001:db8:70::5") }, "fibmatch 2001:db8:70::5");
        same_answer(&h, &q("2001:db8:99::1"), "2001:db8:99::1");
        same_answer(&h, &RouteQuery { uid: Some(1000), ..q("8.8.4.4") }, "8.8.4.4 uid 1000");
        // A table above 255, rules on the protocol and port, on TOS, and on
        // mark with an input interface; IPv6 source-specific routes and rules.
        same_answer(&h, &q("10.80.3.3"), "10.80.3.3");
        same_answer(&h, &q("10.60.1.1"), "10.60.1.1");
        same_answer(
            &h,
            &RouteQuery { ipproto: Some(6), dport: Some(443), ..q("10.60.1.1") },
            "10.60.1.1 ipproto tcp dport 443",
        );
        same_answer(
            &h,
            &RouteQuery { ipproto: Some(6), dport: Some(80), ..q("10.60.1.1") },
            "10.60.1.1 ipproto tcp dport 80",
        );
        same_answer(&h, &RouteQuery { tos: 0x10, ..q("10.60.1.1") }, "10.60.1.1 tos 0x10");
        same_answer(
            &h,
            &RouteQuery { from: Some("10.0.0.9".parse().unwrap()), iif: Some(v0), mark: Some(7), ..q("10.60.2.2") },
            "10.60.2.2 from 10.0.0.9 iif v0 mark 7",
        );
        same_answer(
            &h,
            &RouteQuery { from: Some("2001:db8:ff::1".parse().unwrap()), ..q("2001:db8:90::1") },
            "2001:db8:90::1 from 2001:db8:ff::1",
        );
        same_answer(&h, &q("2001:db8:90::1"), "2001:db8:90::1");
        same_answer(
            &h,
            &RouteQuery { from: Some("2001:db8:77::1".parse().unwrap()), ..q("2001:db8:91::1") },
            "2001:db8:91::1 from 2001:db8:77::1",
        );
        // No route: the kernel's errno comes through.
        ip("route del default");
        let e = h.route_get(&q("8.8.8.8")).unwrap_err();
        assert_eq!((e.errno, e.code(), e.op.as_str()), (101, "ENETUNREACH", "route get 8.8.8.8"));
    });
}

/// A table listing in an order independent of link timing: the kernel adds
/// each link's IPv6 link-local routes when the link gets carrier, so two
/// namespaces set up alike can list them in either order. The sort is stable,
/// so routes with the same table, prefix and device keep their order (what
/// append and prepend decide).
fn canonical(mut v: Vec<J>) -> Vec<J> {
    let key = |r: &J| (r["table"].to_string(), r["dst"].to_string(), r["dev"].to_string());
    v.sort_by_key(key);
    v
}

/// Apply route verbs the way `ip route VERB` does, recording each outcome.
fn apply_with_ip(steps: &[(&str, &str)]) -> (Vec<Option<i32>>, Vec<J>) {
    let mut outcome = Vec::new();
    for (verb, args) in steps {
        let o = std::process::Command::new("sh").arg("-c").arg(format!("ip route {verb} {args}")).output().unwrap();
        outcome.push(if o.status.success() { None } else { Some(errno_of(&String::from_utf8_lossy(&o.stderr))) });
    }
    (outcome, canonical(ip_json("route show table all")))
}

fn errno_of(stderr: &str) -> i32 {
    if stderr.contains("File exists") {
        17
    } else if stderr.contains("No such file") || stderr.contains("No such process") {
        2
    } else {
        panic!("unexpected ip error: {stderr}")
    }
}

fn apply_with_nlua(steps: &[(&str, Vec<(String, Opt)>)]) -> (Vec<Option<i32>>, Vec<J>) {
    let h = Handle::new().unwrap();
    let mut outcome = Vec::new();
    for (verb, o) in steps {
        let v = match *verb {
            "add" => RouteVerb::Add,
            "replace" => RouteVerb::Replace,
            "change" => RouteVerb::Change,
            "append" => RouteVerb::Append,
            "prepend" => RouteVerb::Prepend,
            _ => RouteVerb::Del,
        };
        let spec = RouteSpec::from_opts(o, &h).unwrap();
        outcome.push(h.route_modify(&spec, v).err().map(|e| if e.errno == 3 { 2 } else { e.errno }));
    }
    (outcome, canonical(ip_json("route show table all")))
}

#[test]
fn replace_append_change_prepend_do_what_ip_does() {
    let gw = |d: &str, g: &str| opts(&[("dst", s(d)), ("gw", s(g)), ("metric", Opt::Int(10))]);
    let gw_only = |g: &str| opts(&[("gw", s(g))]);
    let in_table = |mut o: Vec<(String, Opt)>, t: i64| {
        o.push(("table".into(), Opt::Int(t)));
        o
    };
    let ip_steps: Vec<(&str, &str)> = vec![
        ("add", "10.20.0.0/16 via 10.0.0.2 metric 10"),
        ("append", "10.20.0.0/16 via 10.0.0.3 metric 10"),
        ("prepend", "10.20.0.0/16 via 10.0.0.4 metric 10"),
        ("add", "10.20.0.0/16 via 10.0.0.5 metric 10"),
        ("replace", "10.21.0.0/16 via 10.0.0.2 metric 10"),
        ("replace", "10.21.0.0/16 via 10.0.0.3 metric 10"),
        ("change", "10.21.0.0/16 via 10.0.0.4 metric 10"),
        ("change", "10.22.0.0/16 via 10.0.0.2 metric 10"),
        ("add", "2001:db8:20::/64 via 2001:db8::2 metric 10"),
        ("append", "2001:db8:20::/64 via 2001:db8::3 metric 10"),
        ("replace", "2001:db8:21::/64 via 2001:db8::2 metric 10"),
        ("replace", "2001:db8:21::/64 via 2001:db8::4 metric 10"),
        ("del", "10.20.0.0/16 via 10.0.0.3 metric 10"),
        ("del", "10.20.0.0/16 via 10.0.0.9 metric 10"),
        ("add", "2001:db8:20::/64 via 2001:db8::5 metric 10"),
        ("prepend", "2001:db8:21::/64 via 2001:db8::6 metric 10"),
        ("change", "2001:db8:21::/64 via 2001:db8::7 metric 10"),
        ("add", "10.23.0.0/16 metric 10 table 1000 nexthop via 10.0.0.2 nexthop via 10.0.1.2"),
        ("replace", "10.23.0.0/16 via 10.0.0.3 metric 10 table 1000"),
        ("append", "10.23.0.0/16 via 10.0.0.4 metric 10 table 1000"),
    ];
    let nlua_steps: Vec<(&str, Vec<(String, Opt)>)> = vec![
        ("add", gw("10.20.0.0/16", "10.0.0.2")),
        ("append", gw("10.20.0.0/16", "10.0.0.3")),
        ("prepend", gw("10.20.0.0/16", "10.0.0.4")),
        ("add", gw("10.20.0.0/16", "10.0.0.5")),
        ("replace", gw("10.21.0.0/16", "10.0.0.2")),
        ("replace", gw("10.21.0.0/16", "10.0.0.3")),
        ("change", gw("10.21.0.0/16", "10.0.0.4")),
        ("change", gw("10.22.0.0/16", "10.0.0.2")),
        ("add", gw("2001:db8:20::/64", "2001:db8::2")),
        ("append", gw("2001:db8:20::/64", "2001:db8::3")),
        ("replace", gw("2001:db8:21::/64", "2001:db8::2")),
        ("replace", gw("2001:db8:21::/64", "2001:db8::4")),
        ("del", gw("10.20.0.0/16", "10.0.0.3")),
        ("del", gw("10.20.0.0/16", "10.0.0.9")),
        ("add", gw("2001:db8:20::/64", "2001:db8::5")),
        ("prepend", gw("2001:db8:21::/64", "2001:db8::6")),
        ("change", gw("2001:db8:21::/64", "2001:db8::7")),
        (
            "add",
            opts(&[
                ("dst", s("10.23.0.0/16")),
                ("nexthops", Opt::List(vec![Opt::Map(gw_only("10.0.0.2")), Opt::Map(gw_only("10.0.1.2"))])),
                ("metric", Opt::Int(10)),
                ("table", Opt::Int(1000)),
            ]),
        ),
        ("replace", in_table(gw("10.23.0.0/16", "10.0.0.3"), 1000)),
        ("append", in_table(gw("10.23.0.0/16", "10.0.0.4"), 1000)),
    ];
    let by_ip = in_netns(move || {
        setup();
        apply_with_ip(&ip_steps)
    });
    let by_nlua = in_netns(move || {
        setup();
        apply_with_nlua(&nlua_steps)
    });
    assert_eq!(by_nlua.0, by_ip.0, "each step succeeds or fails alike");
    assert_eq!(by_nlua.1, by_ip.1, "the resulting tables are the same");
    // The sequence really exercised the semantics: EEXIST, ENOENT, a v6 multipath.
    let (ok, eexist, enoent) = (None, Some(17), Some(2));
    #[rustfmt::skip]
    let want = vec![
        ok, ok, ok, eexist,         // add, append, prepend, add again
        ok, ok, ok, enoent,         // replace (creates), replace, change, change of nothing
        ok, ok, ok, ok,             // IPv6: add, append (a second path), replace (creates), replace
        ok, enoent,                 // del of one of the routes by gateway, del of none
        eexist, ok, ok,             // IPv6 add of another gateway, prepend, change
        ok, ok, ok,                 // multipath in table 1000, replaced by one path, appended
    ];
    assert_eq!(by_ip.0, want);
    assert!(by_ip.1.iter().any(|r| r["dst"] == "2001:db8:20::/64" && r["nexthops"].as_array().is_some_and(|a| a.len() == 2)));
}

#[test]
fn kernel_errors_keep_errno_and_extack() {
    in_netns(|| {
        setup();
        let h = Handle::new().unwrap();
        let spec = RouteSpec::from_opts(&opts(&[("dst", s("10.9.0.0/16")), ("gw", s("192.0.2.1"))]), &h).unwrap();
        let e = h.route_add(&spec).unwrap_err();
        assert_eq!((e.errno, e.code()), (101, "ENETUNREACH"));
        assert_eq!(e.message, "Nexthop has invalid gateway");
        assert_eq!(e.to_string(), "route add 10.9.0.0/16 via 192.0.2.1: Nexthop has invalid gateway (ENETUNREACH)");
        let spec =
            RouteSpec::from_opts(&opts(&[("dst", s("10.9.0.0/16")), ("gw", s("10.0.0.2")), ("dev", s("v0"))]), &h).unwrap();
        h.route_add(&spec).unwrap();
        let e = h.route_add(&spec).unwrap_err();
        assert_eq!((e.errno, e.code(), e.op.as_str()), (17, "EEXIST", "route add 10.9.0.0/16 via 10.0.0.2 dev v0"));
        // Host bits set: the kernel's own words.
        let spec = RouteSpec::from_opts(&opts(&[("dst", s("10.9.1.1/16")), ("dev", s("v0"))]), &h).unwrap();
        let e = h.route_add(&spec).unwrap_err();
        assert_eq!((e.code(), e.message.as_str()), ("EINVAL", "Invalid prefix for given prefix length"));
    });
}

#[test]
fn flush_and_delete_by_object() {
    in_netns(|| {
        setup();
        for i in 0..20 {
            ip(&format!("route add 10.30.{i}.0/24 via 10.0.0.2 table 300 proto static"));
        }
        ip("route add 10.31.0.0/24 via 10.0.0.2 table 300 proto zebra");
        let h = Handle::new().unwrap();
        let f = RouteFilter { table: Some(300), protocol: Some(4), ..Default::default() };
        assert_eq!(h.route_list(&f).unwrap().len(), 20);
        assert_eq!(h.route_flush(&f).unwrap(), 20);
        let left = ip_json("route show table 300");
        assert_eq!(left.len(), 1);
        assert_eq!(left[0]["protocol"], "zebra");
        let r = h.route_list(&RouteFilter { table: Some(300), ..Default::default() }).unwrap().remove(0);
        h.route_del_route(&r).unwrap();
        assert!(ip_json("route show table 300").is_empty());
        // A table that was never made lists as empty, not as an error.
        assert!(h.route_list(&RouteFilter { table: Some(4242), family: 2, ..Default::default() }).unwrap().is_empty());
    });
}
