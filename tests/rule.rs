//! Policy rules against the real kernel, iproute2 as the oracle both ways.

mod common;

use common::{in_netns, ip, sh};
use nlua::engine::rule::RuleFilter;
use nlua::engine::schema::Opt;
use nlua::engine::{Handle, RuleSpec};
use nlua::show::route::RtNames;
use nlua::show::rule::rule_json;
use serde_json::Value as J;

fn ours(h: &Handle, family: u8) -> Vec<J> {
    let names = RtNames::load();
    h.rule_list(&RuleFilter { family, ..Default::default() })
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str(&rule_json(r, &names).to_string_compact()).unwrap())
        .collect()
}

fn spec(pairs: &[(&str, Opt)]) -> RuleSpec {
    let o: Vec<(String, Opt)> = pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    RuleSpec::from_opts(&o, &|_| None).unwrap()
}

fn s(v: &str) -> Opt {
    Opt::Str(v.into())
}
fn i(v: i64) -> Opt {
    Opt::Int(v)
}

#[test]
fn rules_made_by_ip_read_back_field_by_field() {
    in_netns(|| {
        sh("ip link add v0 type veth peer name v1");
        for cmd in [
            "rule add from 10.0.0.0/8 lookup 100 priority 1000",
            "rule add not to 192.168.0.0/16 lookup main priority 1001",
            "rule add fwmark 0x7/0xff lookup 200 priority 1002",
            "rule add fwmark 5 lookup 200 priority 1003",
            "rule add iif v0 oif v1 lookup 100 priority 1004",
            "rule add tos 0x10 lookup 100 priority 1005",
            "rule add ipproto tcp sport 1000-2000 dport 80 lookup 100 priority 1006",
            "rule add uidrange 1000-2000 lookup 100 priority 1007",
            "rule add from 10.1.0.0/16 priority 1008 goto 1010",
            "rule add priority 1009 nop",
            "rule add priority 1010 blackhole",
            "rule add priority 1011 unreachable",
            "rule add priority 1012 prohibit",
            "rule add lookup main suppress_prefixlength 0 priority 1013",
            "rule add lookup main suppress_ifgroup 5 priority 1014",
            "rule add from 10.2.0.0/16 lookup 1000 priority 1015",
            "rule add from 10.3.0.0/16 lookup 100 priority 1016 protocol static",
            "rule add from 10.4.0.0/16 lookup 100 realms 3/4 priority 1017",
            "rule add l3mdev priority 1018",
            "rule add tun_id 5 lookup 100 priority 1019",
            "rule add iif nosuchdev lookup 100 priority 1020",
            "rule add ipproto udp dport 53 lookup 100 priority 1021",
            "-6 rule add from 2001:db8::/32 lookup 100 priority 2000",
            "-6 rule add to 2001:db8:1::/48 fwmark 3 lookup 1000 priority 2001",
            "-6 rule add not from 2001:db8:2::1 lookup 100 priority 2002",
        ] {
            ip(cmd);
        }
        let h = Handle::new().unwrap();
        assert_eq!(ours(&h, 2), common::ip_json("rule show").as_array().unwrap().clone());
        assert_eq!(ours(&h, 10), common::ip_json("-6 rule show").as_array().unwrap().clone());
        // No family: IPv4 then IPv6, and not the multicast routing families'
        // rules an unspecified dump also returns.
        let mut both = common::ip_json("rule show").as_array().unwrap().clone();
        both.extend(common::ip_json("-6 rule show").as_array().unwrap().clone());
        assert_eq!(ours(&h, 0), both);
        assert!(h.rule_list(&RuleFilter::default()).unwrap().iter().all(|r| r.family == 2 || r.family == 10));
        // The typed view.
        let all = h.rule_list(&RuleFilter::default()).unwrap();
        let by = |p: u32| all.iter().find(|r| r.priority == p).unwrap_or_else(|| panic!("no rule {p}"));
        assert_eq!((by(1000).from_prefix().as_deref(), by(1000).table), (Some("10.0.0.0/8"), 100));
        assert!(by(1001).is_not());
        assert_eq!((by(1002).fwmark, by(1002).fwmask), (Some(7), Some(0xff)));
        assert_eq!((by(1004).iif.as_deref(), by(1004).oif.as_deref()), (Some("v0"), Some("v1")));
        assert_eq!((by(1006).ipproto, by(1006).sport, by(1006).dport), (Some(6), Some((1000, 2000)), Some((80, 80))));
        assert_eq!(by(1007).uid_range, Some((1000, 2000)));
        assert_eq!((by(1008).action_name(), by(1008).goto), ("goto".to_string(), Some(1010)));
        assert_eq!(by(1010).action_name(), "blackhole");
        assert_eq!(by(1015).table, 1000);
        assert!(by(1018).l3mdev);
        assert_eq!(by(1019).tun_id, Some(5));
        assert_eq!(by(1020).flags & 0x08, 0x08, "iif detached");
    });
}

#[test]
fn rules_made_by_nlua_read_back_by_ip() {
    in_netns(|| {
        sh("ip link add v0 type veth peer name v1");
        let h = Handle::new().unwrap();
        let add = |pairs: &[(&str, Opt)]| h.rule_add(&spec(pairs)).unwrap();
        add(&[("from", s("10.0.0.0/8")), ("table", i(100)), ("priority", i(1000))]);
        add(&[("to", s("192.168.0.0/16")), ("not_", Opt::Bool(true)), ("table", s("main")), ("priority", i(1001))]);
        add(&[("fwmark", i(7)), ("mask", i(0xff)), ("table", i(200)), ("priority", i(1002))]);
        add(&[("iif", s("v0")), ("oif", s("v1")), ("table", i(100)), ("priority", i(1004))]);
        add(&[("tos", i(0x10)), ("table", i(100)), ("priority", i(1005))]);
        add(&[("ipproto", s("tcp")), ("sport", s("1000-2000")), ("dport", i(80)), ("table", i(100)), ("priority", i(1006))]);
        add(&[("uidrange", Opt::List(vec![i(1000), i(2000)])), ("table", i(100)), ("priority", i(1007))]);
        add(&[("from", s("10.1.0.0/16")), ("priority", i(1008)), ("action", s("goto")), ("goto", i(1010))]);
        add(&[("priority", i(1009)), ("action", s("nop"))]);
        add(&[("priority", i(1010)), ("action", s("blackhole"))]);
        add(&[("priority", i(1011)), ("action", s("unreachable"))]);
        add(&[("priority", i(1012)), ("action", s("prohibit"))]);
        add(&[("table", s("main")), ("suppress_prefixlength", i(0)), ("priority", i(1013))]);
        add(&[("table", s("main")), ("suppress_ifgroup", i(5)), ("priority", i(1014))]);
        add(&[("from", s("10.2.0.0/16")), ("table", i(1000)), ("priority", i(1015))]);
        add(&[("from", s("10.3.0.0/16")), ("table", i(100)), ("priority", i(1016)), ("proto", s("static"))]);
        add(&[("l3mdev", Opt::Bool(true)), ("priority", i(1018))]);
        add(&[("from", s("2001:db8::/32")), ("table", i(100)), ("priority", i(2000))]);
        let v4 = common::ip_json("rule show");
        let v6 = common::ip_json("-6 rule show");
        let by = |j: &J, p: u64| {
            j.as_array().unwrap().iter().find(|r| r["priority"] == p).unwrap_or_else(|| panic!("no rule {p}: {j}")).clone()
        };
        let expect = |p: u64, want: J| {
            let got = by(&v4, p);
            assert_eq!(got, want, "rule {p}");
        };
        use serde_json::json;
        expect(1000, json!({"priority": 1000, "src": "10.0.0.0", "srclen": 8, "table": "100"}));
        expect(1001, json!({"priority": 1001, "not": null, "src": "all", "dst": "192.168.0.0", "dstlen": 16, "table": "main"}));
        expect(1002, json!({"priority": 1002, "src": "all", "fwmark": "0x7", "fwmask": "0xff", "table": "200"}));
        expect(1004, json!({"priority": 1004, "src": "all", "iif": "v0", "oif": "v1", "table": "100"}));
        expect(1005, json!({"priority": 1005, "src": "all", "tos": "0x10", "table": "100"}));
        expect(
            1006,
            json!({"priority": 1006, "src": "all", "ipproto": "tcp", "sport_start": 1000, "sport_end": 2000, "dport": 80, "table": "100"}),
        );
        expect(1007, json!({"priority": 1007, "src": "all", "uid_start": 1000, "uid_end": 2000, "table": "100"}));
        expect(1008, json!({"priority": 1008, "src": "10.1.0.0", "srclen": 16, "goto": 1010}));
        expect(1009, json!({"priority": 1009, "src": "all", "nop": null}));
        expect(1010, json!({"priority": 1010, "src": "all", "action": "blackhole"}));
        expect(1011, json!({"priority": 1011, "src": "all", "action": "unreachable"}));
        expect(1012, json!({"priority": 1012, "src": "all", "action": "prohibit"}));
        expect(1013, json!({"priority": 1013, "src": "all", "table": "main", "suppress_prefixlen": 0}));
        expect(1014, json!({"priority": 1014, "src": "all", "table": "main", "suppress_ifgroup": "5"}));
        expect(1015, json!({"priority": 1015, "src": "10.2.0.0", "srclen": 16, "table": "1000"}));
        expect(1016, json!({"priority": 1016, "src": "10.3.0.0", "srclen": 16, "table": "100", "protocol": "static"}));
        expect(1018, json!({"priority": 1018, "src": "all", "l3mdev": null}));
        assert_eq!(by(&v6, 2000), json!({"priority": 2000, "src": "2001:db8::", "srclen": 32, "table": "100"}));
    });
}

#[test]
fn delete_by_selectors_and_by_object_and_kernel_errors() {
    in_netns(|| {
        let h = Handle::new().unwrap();
        let r = spec(&[("from", s("10.0.0.0/8")), ("table", i(100)), ("priority", i(1000))]);
        h.rule_add(&r).unwrap();
        let e = h.rule_add(&r).unwrap_err();
        assert_eq!((e.errno, e.code(), e.op.as_str()), (17, "EEXIST", "rule add from 10.0.0.0/8 lookup 100 priority 1000"));
        h.rule_del(&spec(&[("priority", i(1000))])).unwrap();
        let e = h.rule_del(&spec(&[("priority", i(1000))])).unwrap_err();
        assert_eq!(e.code(), "ENOENT");
        ip("rule add from 10.9.0.0/16 lookup 100 priority 1234");
        let listed = h.rule_list(&RuleFilter { priority: Some(1234), ..Default::default() }).unwrap();
        assert_eq!(listed.len(), 1);
        h.rule_del_rule(&listed[0]).unwrap();
        assert!(!ip("rule show").contains("1234:"));
        // goto a rule that does not exist yet: the kernel says unresolved.
        h.rule_add(&spec(&[("priority", i(10)), ("action", s("goto")), ("goto", i(20))])).unwrap();
        assert!(ip("rule show").contains("10:\tfrom all goto 20 [unresolved]"));
    });
}
