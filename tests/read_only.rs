//! A read-only runtime refuses every call that would change the system — module
//! functions, Handle methods and object methods alike — with an error naming
//! the call, and still reads.

mod common;

use common::{in_netns, sh};

/// (chunk, the call the refusal names)
const MUTATIONS: &[(&str, &str)] = &[
    (r#"link.add{name = "x", kind = "bridge"}"#, "link.add"),
    (r#"link.del("v0")"#, "link.del"),
    (r#"link.set("v0", {mtu = 1400})"#, "link.set"),
    (r#"link.get("v0"):up()"#, "Link.up"),
    (r#"link.get("v0"):down()"#, "Link.down"),
    (r#"link.get("v0"):set{mtu = 1400}"#, "Link.set"),
    (r#"link.get("v0"):del()"#, "Link.del"),
    (r#"link.get("v0"):addr_add("10.9.0.1/24")"#, "addr.add"),
    (r#"link.get("v0"):addr_flush()"#, "Link.addr_flush"),
    (r#"addr.add("v0", "10.9.0.1/24")"#, "addr.add"),
    (r#"addr.del("v0", "10.0.0.1/24")"#, "addr.del"),
    (r#"addr.list{dev = "v0"}[1]:del()"#, "Addr.del"),
    (r#"addr.flush("v0")"#, "addr.flush"),
    (r#"nlua.handle():link_add{name = "x", kind = "bridge"}"#, "link.add"),
    (r#"route.add{dst = "10.8.0.0/16", dev = "v0"}"#, "route.add"),
    (r#"route.list()[1]:del()"#, "Route.del"),
    (r#"route.flush{dev = "v0"}"#, "route.flush"),
    (r#"rule.add{from = "10.1.0.0/16", table = 100, priority = 100}"#, "rule.add"),
    (r#"rule.list()[1]:del()"#, "Rule.del"),
    (r#"neigh.add{dev = "v0", dst = "10.0.0.9", lladdr = "02:00:00:00:00:09"}"#, "neigh.add"),
    (r#"qdisc.add{dev = "v0", parent = "root", kind = "pfifo"}"#, "qdisc.add"),
    (r#"qdisc.list{dev = "v1"}[1]:del()"#, "Qdisc.del"),
    (r#"qdisc.list{dev = "v1"}[1]:change{limit = 5}"#, "Qdisc.change"),
    (r#"link.get("v0"):qdisc_add{parent = "root", kind = "pfifo"}"#, "qdisc.add"),
    (r#"class.add{dev = "v0", parent = "1:", classid = "1:1", kind = "htb", rate = "1mbit"}"#, "class.add"),
    (r#"filter.add{dev = "v0", parent = "1:", kind = "u32", match = {dst = "10.0.0.2/32"}, flowid = "1:1"}"#, "filter.add"),
];

#[test]
fn read_only_refuses_every_mutation_and_still_reads() {
    in_netns(|| {
        sh("ip link add v0 type veth peer name v1 && ip link set v0 up && ip addr add 10.0.0.1/24 dev v0 \
            && ip rule add from 10.7.0.0/16 table 7 priority 77 && tc qdisc add dev v1 root pfifo limit 10");
        let before = sh("ip -d link; ip addr; ip route show table all; ip rule; tc qdisc");
        let rt = nlua::Runtime::builder().read_only(true).build().unwrap();
        let mut wrong = Vec::new();
        for (chunk, call) in MUTATIONS {
            let want = format!("{call}: refused: this runtime is read-only");
            let got: String = rt
                .lua()
                .load(format!("local ok, e = pcall(function() return {chunk} end) return ok and 'ran' or tostring(e)"))
                .eval()
                .unwrap();
            if got != want {
                wrong.push(format!("{chunk}\n   want: {want}\n    got: {got}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        assert_eq!(sh("ip -d link; ip addr; ip route show table all; ip rule; tc qdisc"), before, "nothing changed");
        let n: i64 = rt.lua().load("return #link.list() + #addr.list() + #route.list{table = 'all'} + #qdisc.list()").eval().unwrap();
        assert!(n > 5, "reads still work");
    });
}

/// Every module op that changes the system is refused by a read-only runtime
/// before it looks at its arguments, whether called as a module function or
/// as a Handle method; and the builder's other options do not lift it.
#[test]
fn read_only_covers_every_mutating_op() {
    in_netns(|| {
        let rt = nlua::Runtime::builder().read_only(true).stdlib(nlua::Stdlib::Safe).modules(["link", "addr", "route", "rule", "neigh", "qdisc", "class", "filter", "netns"]).build().unwrap();
        let mut checked = 0;
        let mut wrong = Vec::new();
        for m in nlua::lua::MODULES {
            for op in m.ops.iter().filter(|op| op.mutates) {
                for call in [format!("{}.{}()", m.name, op.name), format!("nlua.handle():{}_{}()", m.name, op.name)] {
                    let want = format!("{}.{}: refused: this runtime is read-only", m.name, op.name);
                    let got: String = rt
                        .lua()
                        .load(format!("local ok, e = pcall(function() return {call} end) return ok and 'ran' or tostring(e)"))
                        .eval()
                        .unwrap();
                    if got != want {
                        wrong.push(format!("{call}: {got}"));
                    }
                    checked += 1;
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        assert!(checked >= 60, "only {checked} calls checked");
        for (chunk, want) in [
            ("netns.add('x')", "netns.add: refused: this runtime is read-only"),
            ("netns.current():del()", "Netns.del: refused: this runtime is read-only"),
        ] {
            let got: String = rt.lua().load(format!("local ok, e = pcall(function() return {chunk} end) return tostring(e)")).eval().unwrap();
            assert_eq!(got, want);
        }
    });
}
