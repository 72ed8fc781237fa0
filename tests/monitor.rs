//! The engine's monitor against the real kernel, each test in namespaces of
//! its own: every action of every family arrives as a typed event; a storm
//! with a small buffer is reported as an overrun (and one with the default
//! buffer loses nothing); two namespaces at once keep their events apart.
//! The waits are in tests/wait.rs; the CLI against `ip monitor` in
//! tests/monitor_cli.rs.

mod common;

use std::time::Duration;

use common::{fresh_ns, in_netns, sh};
use nlua::engine::monitor::{Action, Event, Family, Monitor, MonitorOpts, Object};
use nlua::engine::route::{RouteFilter, RouteVerb};
use nlua::engine::schema::Opt;
use nlua::engine::{Handle, NsInfo, RouteSpec};

/// Generous bound on a wait that should end at once (never reached when the
/// code is right; only keeps a broken build from hanging).
const SAFETY: Option<Duration> = Some(Duration::from_secs(20));

/// A short description of an object: family and the keys a person checks.
fn describe(o: &Object) -> String {
    match o {
        Object::Link(l) => format!("link {} mtu {}", l.name, l.mtu),
        Object::Addr(a) => format!("addr {}", a.prefix()),
        Object::Route(r) => format!("route {} table {} gw {:?}", r.prefix(), r.table, r.gateway),
        Object::Rule(r) => format!("rule {} table {}", r.priority, r.table),
        Object::Neigh(n) => format!("neigh {:?}", n.dst),
        Object::Qdisc(q) => format!("qdisc {} {:x}", q.kind, q.handle),
        Object::Class(c) => format!("class {} {:x}", c.kind, c.classid),
        Object::Filter(f) => format!("filter {} prio {}", f.kind, f.prio),
    }
}

/// Read events until the rule with priority `sentinel` is reported as new:
/// notifications reach a socket in order, so everything before it is in.
fn collect_until_rule(m: &mut Monitor, sentinel: u32) -> Vec<(usize, Action, String)> {
    let mut out = Vec::new();
    loop {
        match m.next(SAFETY).unwrap().expect("the sentinel rule arrives") {
            Event::Object { source, action, object, .. } => {
                let done = matches!(&object, Object::Rule(r) if r.priority == sentinel && action == Action::New);
                out.push((source, action, describe(&object)));
                if done {
                    return out;
                }
            }
            Event::Overrun { source } => panic!("unexpected overrun in namespace #{source}"),
        }
    }
}

/// `want` appears in `got` in this order (other events may sit between).
fn assert_in_order(got: &[(usize, Action, String)], want: &[(Action, &str)]) {
    let mut it = got.iter();
    for (a, w) in want {
        if !it.any(|(_, ga, gd)| ga == a && gd == w) {
            let all: Vec<String> = got.iter().map(|(_, a, d)| format!("{} {d}", a.name())).collect();
            panic!("no `{} {w}` (in order) among:\n{}", a.name(), all.join("\n"));
        }
    }
}

#[test]
fn every_action_of_every_family_is_reported_in_order() {
    in_netns(|| {
        let mut m = Monitor::open(&MonitorOpts::new(Family::ALL)).unwrap();
        // The kernel reports a new IPv6 address from its DAD worker (nodad too),
        // just before it adds the address's local route: the script waits for
        // that route, so the report comes before the next command's.
        sh("ip link add v0 type veth peer name v1
            ip link set v0 up; ip link set v1 up
            ip link set v0 mtu 1400
            ip addr add 10.0.0.1/24 dev v0
            ip addr add 2001:db8::1/64 dev v0 nodad
            for i in $(seq 400); do ip -6 route show table local | grep -q '^local 2001:db8::1 ' && break; sleep 0.05; done
            ip route add 10.1.0.0/16 via 10.0.0.254
            ip route replace 10.1.0.0/16 via 10.0.0.253
            ip route del 10.1.0.0/16
            ip route add 2001:db8:1::/64 via 2001:db8::fe
            ip route del 2001:db8:1::/64
            ip rule add from 10.1.0.0/16 table 100 priority 1000
            ip rule del priority 1000
            ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev v0 nud permanent
            ip neigh del 10.0.0.9 dev v0
            tc qdisc add dev v0 root handle 1: htb default 10
            tc class add dev v0 parent 1: classid 1:10 htb rate 1mbit
            tc filter add dev v0 parent 1: protocol ip prio 7 u32 match ip dst 10.0.0.2/32 flowid 1:10
            tc filter del dev v0 parent 1: protocol ip prio 7
            tc class del dev v0 classid 1:10
            tc qdisc del dev v0 root
            ip addr del 10.0.0.1/24 dev v0
            ip addr del 2001:db8::1/64 dev v0
            ip link del v0
            ip rule add priority 9 table 9");
        let got = collect_until_rule(&mut m, 9);
        use Action::*;
        assert_in_order(
            &got,
            &[
                (New, "link v1 mtu 1500"),
                (New, "link v0 mtu 1500"),
                (Change, "link v0 mtu 1400"),
                (New, "addr 10.0.0.1/24"),
                (New, "addr 2001:db8::1/64"),
                (New, "route 10.1.0.0/16 table 254 gw Some(10.0.0.254)"),
                (Change, "route 10.1.0.0/16 table 254 gw Some(10.0.0.253)"),
                (Del, "route 10.1.0.0/16 table 254 gw Some(10.0.0.253)"),
                (New, "route 2001:db8:1::/64 table 254 gw Some(2001:db8::fe)"),
                (Del, "route 2001:db8:1::/64 table 254 gw Some(2001:db8::fe)"),
                (New, "rule 1000 table 100"),
                (Del, "rule 1000 table 100"),
                (New, "neigh Some(10.0.0.9)"),
                (Del, "neigh Some(10.0.0.9)"),
                // The htb replaces the default root qdisc: tc monitor shows the same two.
                (Del, "qdisc noqueue 0"),
                (New, "qdisc htb 10000"),
                (New, "class htb 10010"),
                (New, "filter u32 prio 7"),
                (Del, "filter u32 prio 7"),
                (Del, "class htb 10010"),
                (Del, "qdisc htb 10000"),
                (Del, "addr 10.0.0.1/24"),
                (Del, "addr 2001:db8::1/64"),
                (Del, "link v0 mtu 1400"),
            ],
        );
        // Links that appear are "new" exactly once; everything after is a change.
        let new_v0 = got.iter().filter(|(_, a, d)| *a == New && d.starts_with("link v0 ")).count();
        assert_eq!(new_v0, 1, "{got:?}");
    });
}

/// Route i of a storm: 10.a.b.0/24 through lo in table 100.
fn storm_specs(h: &Handle, n: usize) -> Vec<RouteSpec> {
    let o = vec![
        ("dst".to_string(), Opt::Str("10.0.0.0/24".into())),
        ("dev".to_string(), Opt::Int(1)),
        ("table".to_string(), Opt::Int(100)),
    ];
    let template = RouteSpec::from_opts(&o, h).unwrap();
    (0..n).map(|i| RouteSpec { dst: format!("10.{}.{}.0/24", i >> 8, i & 255).parse().unwrap(), ..template.clone() }).collect()
}

/// Add `n` routes while `m` is not reading, then read everything the kernel
/// queued: (route events of table 100, overruns). Notifications are queued
/// (or dropped) while each request is handled, so once the batch returns the
/// queue holds all there will be: draining it needs no waiting. A sentinel
/// rule added after the drain then shows the monitor still delivers.
fn storm(m: &mut Monitor, n: usize) -> (usize, u64) {
    let h = Handle::new().unwrap();
    let res = h.route_batch(&storm_specs(&h, n), RouteVerb::Add);
    assert!(res.iter().all(|r| r.is_ok()), "a storm route failed");
    let (mut routes, mut overruns) = (0, 0);
    let mut count = |ev: &Event| match ev {
        Event::Overrun { .. } => overruns += 1,
        Event::Object { object: Object::Route(r), action: Action::New, .. } if r.table == 100 => routes += 1,
        Event::Object { .. } => {}
    };
    while let Some(ev) = m.next(Some(Duration::ZERO)).unwrap() {
        count(&ev);
    }
    sh("ip rule add priority 9 table 9");
    loop {
        let ev = m.next(SAFETY).unwrap().expect("the sentinel arrives");
        if matches!(&ev, Event::Object { object: Object::Rule(r), .. } if r.priority == 9) {
            break;
        }
        count(&ev);
    }
    let listed = h.route_list(&RouteFilter { table: Some(100), family: 2, ..Default::default() }).unwrap().len();
    assert_eq!(listed, n, "the kernel holds every route");
    (routes, overruns)
}

#[test]
fn storm_with_a_small_buffer_reports_an_overrun_never_a_silent_loss() {
    in_netns(|| {
        const N: usize = 20_000;
        let mut m = Monitor::open(&MonitorOpts { rcvbuf: 4096, ..MonitorOpts::new(&[Family::Route, Family::Rule]) }).unwrap();
        let (routes, overruns) = storm(&mut m, N);
        eprintln!("small buffer ({} bytes): {routes} of {N} route events, {overruns} overrun(s)", m.rcvbuf().unwrap());
        assert!(routes < N, "a {} byte buffer cannot hold {N} notifications", m.rcvbuf().unwrap());
        // Events went missing, and the monitor said so: the caller resyncs (the
        // list above found all N routes).
        assert!(overruns >= 1, "{} events lost without an overrun", N - routes);
        assert_eq!(m.overruns(0), overruns);
    });
}

#[test]
fn storm_with_the_default_buffer_loses_nothing() {
    in_netns(|| {
        const N: usize = 20_000;
        let mut m = Monitor::open(&MonitorOpts::new(&[Family::Route, Family::Rule])).unwrap();
        let (routes, overruns) = storm(&mut m, N);
        eprintln!("default buffer ({} bytes): {routes} of {N} route events, {overruns} overrun(s)", m.rcvbuf().unwrap());
        assert_eq!((routes, overruns), (N, 0));
    });
}

#[test]
fn two_namespaces_at_once_keep_their_events_apart() {
    in_netns(|| {
        let (a, b) = (fresh_ns(), fresh_ns());
        let mut m = Monitor::open(&MonitorOpts { namespaces: vec![a.clone(), b.clone()], ..MonitorOpts::new(&[Family::Link, Family::Rule]) }).unwrap();
        assert_eq!((m.len(), m.ns(0) == &a, m.ns(1) == &b), (2, true, true));
        let (ha, hb) = (Handle::new_in(&a).unwrap(), Handle::new_in(&b).unwrap());
        let add = |h: &Handle, name: &str, peer: &str| {
            let o = vec![
                ("name".to_string(), Opt::Str(name.into())),
                ("kind".to_string(), Opt::Str("veth".into())),
                ("peer".to_string(), Opt::Map(vec![("name".to_string(), Opt::Str(peer.into()))])),
            ];
            h.link_add(&nlua::engine::LinkSpec::from_opts(&o, h).unwrap()).unwrap();
        };
        // The same names in both, and one only in each.
        add(&ha, "x0", "x1");
        add(&hb, "x0", "x1");
        add(&ha, "a0", "a1");
        add(&hb, "b0", "b1");
        let (xa, xb) = (ha.link_get("x0").unwrap().index, hb.link_get("x0").unwrap().index);
        // A sentinel in each; read until both have arrived.
        let rule = |ns: &NsInfo| {
            let h = Handle::new_in(ns).unwrap();
            let o = vec![("priority".to_string(), Opt::Int(9)), ("table".to_string(), Opt::Int(9))];
            h.rule_add(&nlua::engine::RuleSpec::from_opts(&o, &|_| None).unwrap()).unwrap();
        };
        rule(&a);
        rule(&b);
        let mut seen = [Vec::new(), Vec::new()];
        let mut sentinels = 0;
        while sentinels < 2 {
            match m.next(SAFETY).unwrap().expect("both sentinels arrive") {
                Event::Object { source, object: Object::Link(l), action: Action::New, .. } => seen[source].push((l.name, l.index)),
                Event::Object { object: Object::Rule(_), .. } => sentinels += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
        let names = |s: &[(String, u32)]| {
            let mut v: Vec<String> = s.iter().map(|(n, _)| n.clone()).collect();
            v.sort();
            v
        };
        assert_eq!(names(&seen[0]), ["a0", "a1", "x0", "x1"]);
        assert_eq!(names(&seen[1]), ["b0", "b1", "x0", "x1"]);
        assert!(seen[0].contains(&("x0".into(), xa)) && seen[1].contains(&("x0".into(), xb)));
        // Each namespace's link table is its own.
        assert!(m.links(0).iter().any(|l| l.name == "a0") && !m.links(0).iter().any(|l| l.name == "b0"));
        assert!(m.links(1).iter().any(|l| l.name == "b0") && !m.links(1).iter().any(|l| l.name == "a0"));
    });
}

#[test]
fn a_timeout_with_nothing_happening_returns_none() {
    in_netns(|| {
        let mut m = Monitor::open(&MonitorOpts::new(&[Family::Link])).unwrap();
        assert_eq!(m.next(Some(Duration::ZERO)).unwrap(), None);
        assert_eq!(m.next(Some(Duration::from_millis(20))).unwrap(), None);
        // A timeout no clock can reach is no limit (not a panic): the next event ends it.
        sh("ip link set lo mtu 1400");
        match m.next(Some(Duration::MAX)).unwrap() {
            Some(Event::Object { action: Action::Change, object: Object::Link(l), .. }) => assert_eq!((l.name.as_str(), l.mtu), ("lo", 1400)),
            other => panic!("expected lo's mtu change, got {other:?}"),
        }
        let e = Monitor::open(&MonitorOpts::new(&[])).err().unwrap();
        assert_eq!(e.to_string(), "monitor: no family to watch");
    });
}
