//! `nlua --monitor` against the oracle: `ip monitor` and `tc monitor` run in
//! parallel in the same private namespace, the same changes are made, and the
//! two print the same events. `--json` lines carry what `ip -j` reports.

mod common;

use common::nlua;

/// Start the monitors, wait until each has subscribed (a marker rule and a
/// marker qdisc show up in every output), run `actions`, add a sentinel rule
/// and qdisc, wait until every output has them, stop, and print the outputs.
const HARNESS: &str = r#"
set -u
D=/run/mon; mkdir -p $D
ip link set lo up
ip link add m0 type veth peer name m1
ip monitor link address route rule neigh > $D/ip.txt 2>&1 & P1=$!
"$NLUA" --monitor link addr route rule neigh > $D/n.txt 2>$D/n.err & P2=$!
tc monitor > $D/tc.txt 2>&1 & P3=$!
"$NLUA" --monitor qdisc class filter > $D/ntc.txt 2>$D/ntc.err & P4=$!
"$NLUA" --monitor link --json > $D/json.txt 2>$D/json.err & P5=$!
seen() { grep -qs "$1" $D/ip.txt && grep -qs "$1" $D/n.txt && grep -qs "$2" $D/tc.txt && grep -qs "$2" $D/ntc.txt; }
i=0
until seen "Deleted 1:" "deleted qdisc pfifo 9:" && grep -qs '"ifname":"m0"' $D/json.txt; do
  ip rule add pref 1 lookup 1; ip rule del pref 1
  tc qdisc add dev m0 root handle 9: pfifo; tc qdisc del dev m0 root
  ip link set m0 mtu $((1400 + i % 2))
  i=$((i+1)); [ $i -gt 500 ] && { echo "monitors never subscribed" >&2; exit 1; }
  sleep 0.02
done
echo "===actions"
sh -ec "$ACTIONS" || { echo "an action failed" >&2; exit 1; }
ip rule add pref 2 lookup 2
tc qdisc add dev m0 root handle 8: pfifo
i=0
until seen "^2:" "qdisc pfifo 8:"; do
  i=$((i+1)); [ $i -gt 1000 ] && { echo "sentinels never arrived" >&2; exit 1; }
  sleep 0.02
done
kill $P1 $P2 $P3 $P4 $P5
for f in ip n tc ntc json; do echo "===$f"; cat $D/$f.txt; done
echo "===ipj"; cat $D/ipj.txt 2>/dev/null
for f in n ntc json; do cat $D/$f.err >&2; done
"#;

const ACTIONS: &str = r#"
ip link add v0 type veth peer name v1
ip link set v0 up; ip link set v1 up
ip link set v0 mtu 1400
ip addr add 10.0.0.1/24 dev v0
ip addr add 2001:db8::1/64 dev v0 nodad
ip route add 10.1.0.0/16 via 10.0.0.254
ip route replace 10.1.0.0/16 via 10.0.0.253
ip route add 2001:db8:1::/64 via 2001:db8::fe
ip route del 10.1.0.0/16
ip route del 2001:db8:1::/64
ip route add blackhole 192.0.2.0/24 table 100 metric 5
ip route del blackhole 192.0.2.0/24 table 100 metric 5
ip rule add from 10.1.0.0/16 table 100 priority 1000
ip rule del priority 1000
ip -6 rule add from 2001:db8::/32 table 100 priority 1001
ip -6 rule del priority 1001
ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev v0 nud permanent
ip neigh replace 10.0.0.9 lladdr 02:00:00:00:00:0a dev v0 nud permanent
ip neigh del 10.0.0.9 dev v0
ip -6 neigh add 2001:db8::9 lladdr 02:00:00:00:00:09 dev v0 nud reachable
ip -6 neigh del 2001:db8::9 dev v0
tc qdisc add dev v0 root handle 1: htb default 10
tc class add dev v0 parent 1: classid 1:10 htb rate 1mbit
tc filter add dev v0 parent 1: protocol ip prio 1 u32 match ip dst 10.0.0.2/32 flowid 1:10
tc filter del dev v0 parent 1: protocol ip prio 1
tc class del dev v0 classid 1:10
tc qdisc del dev v0 root
tc qdisc add dev v0 root tbf rate 1mbit burst 32kb latency 50ms
tc qdisc del dev v0 root
ip addr del 10.0.0.1/24 dev v0
ip link set v0 down
ip link del v0
"#;

/// The sections of the harness output, by name.
fn sections(out: &str) -> Vec<(String, Vec<String>)> {
    let mut v: Vec<(String, Vec<String>)> = Vec::new();
    for line in out.lines() {
        match line.strip_prefix("===") {
            Some(name) => v.push((name.to_string(), Vec::new())),
            None => {
                if let Some(s) = v.last_mut() {
                    s.1.push(line.to_string());
                }
            }
        }
    }
    v
}

// Renames are left out: ip 6.1's name cache keeps a renamed link's old name
// (ll_remember_index rehashes but does not copy the new one), where nlua
// prints the new name.

/// Lines after the last line containing `start`, trailing spaces trimmed
/// (ip leaves one after some fields), without `skip`ped ones.
fn after(lines: &[String], start: &str, skip: &dyn Fn(&str) -> bool) -> Vec<String> {
    let from = lines.iter().rposition(|l| l.contains(start)).unwrap_or_else(|| panic!("no {start:?} in {lines:#?}")) + 1;
    lines[from..].iter().map(|l| l.trim_end().to_string()).filter(|l| !skip(l)).collect()
}

fn run_harness(actions: &str) -> Vec<(String, Vec<String>)> {
    let (ok, out, err) = common::run(common::world_sh(HARNESS).env("ACTIONS", actions));
    assert!(ok, "harness failed:\n{out}\nstderr:\n{err}");
    assert!(err.is_empty(), "nlua wrote to stderr:\n{err}");
    sections(&out)
}

fn section<'a>(s: &'a [(String, Vec<String>)], name: &str) -> &'a [String] {
    &s.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no section {name}")).1
}

#[test]
fn cli_monitor_prints_what_ip_monitor_and_tc_monitor_print() {
    let s = run_harness(ACTIONS);
    let none = |_: &str| false;
    let ip = after(section(&s, "ip"), "Deleted 1:", &none);
    let ours = after(section(&s, "n"), "Deleted 1:", &none);
    // Something of every family and action is in there.
    for want in [
        "4: v1@NONE:",
        "5: v0@v1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500",
        "5: v0    inet 10.0.0.1/24 scope global v0",
        "5: v0    inet6 2001:db8::1/64 scope global nodad",
        "10.1.0.0/16 via 10.0.0.254 dev v0",
        "Deleted 10.1.0.0/16 via 10.0.0.253 dev v0",
        "Deleted blackhole 192.0.2.0/24 table 100 metric 5",
        "1000:\tfrom 10.1.0.0/16 lookup 100",
        "Deleted 1001:\tfrom 2001:db8::/32 lookup 100",
        "10.0.0.9 dev v0 lladdr 02:00:00:00:00:09 PERMANENT",
        "2001:db8::9 dev v0 lladdr 02:00:00:00:00:09 REACHABLE",
        "Deleted 2001:db8::9 dev v0 FAILED",
        "5: v0@v1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400",
        "Deleted 5: v0    inet 10.0.0.1/24 scope global v0",
        "Deleted 5: v0@NONE:",
    ] {
        assert!(ip.iter().any(|l| l.starts_with(want)), "ip monitor did not print {want:?}:\n{}", ip.join("\n"));
    }
    assert_eq!(ours, ip, "\n--- nlua --monitor:\n{}\n--- ip monitor:\n{}", ours.join("\n"), ip.join("\n"));

    // tc monitor also reports filter chains, which nlua does not watch.
    let chains = |l: &str| l.starts_with("added chain") || l.starts_with("deleted chain");
    let tc = after(section(&s, "tc"), "deleted qdisc pfifo 9:", &chains);
    let ours = after(section(&s, "ntc"), "deleted qdisc pfifo 9:", &none);
    for want in ["qdisc htb 1: dev v0 root", "class htb 1:10 dev v0 root", "added filter dev v0 parent 1: protocol ip pref 1 u32", "deleted filter", "deleted class htb 1:10", "deleted qdisc htb 1:", "qdisc tbf"] {
        assert!(tc.iter().any(|l| l.starts_with(want)), "tc monitor did not print {want:?}:\n{}", tc.join("\n"));
    }
    assert_eq!(ours, tc, "\n--- nlua --monitor:\n{}\n--- tc monitor:\n{}", ours.join("\n"), tc.join("\n"));
}

#[test]
fn cli_monitor_json_lines_carry_what_ip_j_reports() {
    // What ip -j -s -d reads right after the mtu change (v0 stays down, so its
    // counters stay still) is what the change event carries.
    let s = run_harness(
        "ip link add v0 type veth peer name v1; ip link set v0 mtu 1400
         ip -j -s -d link show dev v0 > /run/mon/ipj.txt; ip link del v0",
    );
    let events: Vec<serde_json::Value> =
        section(&s, "json").iter().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}"))).collect();
    let v0: Vec<&serde_json::Value> = events.iter().filter(|e| e["object"]["ifname"] == "v0").collect();
    let actions: Vec<&str> = v0.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions.first(), Some(&"new"), "{v0:?}");
    assert_eq!(actions.last(), Some(&"del"), "{v0:?}");
    assert!(v0.iter().all(|e| e["kind"] == "link"));
    let changed = v0.iter().find(|e| e["action"] == "change" && e["object"]["mtu"] == 1400).expect("the mtu change");
    // The object has ip -j's keys and values.
    for k in ["ifindex", "ifname", "flags", "mtu", "operstate", "address", "link_type"] {
        assert!(changed["object"].get(k).is_some(), "no {k} in {changed}");
    }
    assert_eq!(changed["object"]["link"], "v1");
    let ip: serde_json::Value = serde_json::from_str(&section(&s, "ipj").join("\n")).expect("ip -j output");
    assert_eq!(changed["object"], ip[0], "the event's object is what ip -j -s -d link show reads");
}

#[test]
fn cli_monitor_rejects_an_unknown_family_and_a_stray_json() {
    let o = nlua(&["--monitor", "link", "lnik"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nlua: --monitor: unknown family \"lnik\"; expected link, addr, route, rule, neigh, qdisc, class, filter, all or label"), "{err}");
    let o = nlua(&["--json", "-e", "print(1)"]);
    assert!(!o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stderr), "nlua: --json goes with --monitor\n");
}
