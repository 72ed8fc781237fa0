//! Round trips against the real kernel, iproute2 the oracle: objects `tc`
//! made, listed by nlua and re-made from the listed options, read the same
//! in `tc -d -j`; every kind the kernel has prints like `tc -s` and `tc -s -j`;
//! units parse as tc parses them. Each test in a fresh network namespace.

mod common;

use common::bpf::{lua, tc_json};
use common::{in_netns, sh};

fn veth() {
    sh("ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up");
}

/// nlua's JSON of every qdisc of `dev`, as a JSON array.
fn nlua_qdiscs(dev: &str) -> serde_json::Value {
    serde_json::from_str(&lua(&format!("return nlua.json(qdisc.list{{dev='{dev}'}})"))[0]).unwrap()
}

/// For each `tc` command: nlua reads what tc made, deletes it and adds back
/// what it read; `tc -d -j` (or, for classes, tc 6.1's -d text) must read
/// the same before and after. Returns the mismatches.
fn recreate_each(setup: &str, cmds: &[String], show: &str, lua_recreate: &str) -> Vec<String> {
    let mut bad = Vec::new();
    for cmd in cmds {
        sh(setup);
        sh(cmd);
        let before = sh(show);
        let opts = lua(lua_recreate);
        let after = sh(show);
        if before != after {
            bad.push(format!("{cmd}\n  nlua read: {}\n  before: {before}  after:  {after}", opts.join(" ")));
        }
    }
    bad
}

#[test]
fn listed_options_recreate_the_same_qdiscs() {
    in_netns(|| {
        veth();
        let mut cmds = Vec::new();
        // tbf: the kernel turns burst and mtu into times with the overhead,
        // mpu and ATM cells of the rate; the sizes nlua reads must give the same times
        for rate in ["64kbit", "33333kbit", "2500mbit", "100gbit", "5mbps"] {
            for burst in ["1540", "32kb", "777777"] {
                for extra in ["", " linklayer atm", " overhead 24 linklayer atm mpu 96", " mpu 64", " peakrate 200gbit mtu 1500"] {
                    cmds.push(format!("tc qdisc add dev v0 root handle 1: tbf rate {rate} burst {burst} latency 20ms{extra}"));
                }
            }
        }
        cmds.push("tc qdisc add dev v0 root handle 1: tbf rate 3mbit burst 20k limit 1mb peakrate 4mbit mtu 1600".into());
        for q in [
            "pfifo limit 33",
            "bfifo limit 64kb",
            "pfifo_fast",
            "mq",
            "htb default 20 r2q 5 direct_qlen 7",
            "htb",
        ] {
            cmds.push(format!("tc qdisc add dev v0 root handle 5: {q}"));
        }
        cmds.push("tc qdisc add dev v0 ingress".into());
        cmds.push("tc qdisc add dev v0 clsact".into());
        let bad = recreate_each(
            "tc qdisc del dev v0 root 2>/dev/null; tc qdisc del dev v0 ingress 2>/dev/null; tc qdisc del dev v0 clsact 2>/dev/null; true",
            &cmds,
            // htb's direct_packets_stat counts what the link itself sends
            // meanwhile (IPv6 router solicitations): a counter, not an option.
            "tc -d -j qdisc show dev v0 | sed 's/\"direct_packets_stat\":[0-9]*,//'",
            "local q = qdisc.list{dev='v0', handle='1:'}[1] or qdisc.list{dev='v0', handle='5:'}[1] or qdisc.list{dev='v0', handle='ffff:'}[1]
             local o = q.options; q:del(); qdisc.replace(o); return nlua.json(o)",
        );
        assert!(bad.is_empty(), "{} of {} differ:\n{}", bad.len(), cmds.len(), bad.join("\n"));
        // in place: `qdisc.replace(q.options)` on the qdisc itself changes nothing
        let in_place: Vec<String> = cmds.iter().filter(|c| !c.contains(" htb") && (!c.contains("tbf") || c.ends_with("20ms"))).cloned().collect();
        let bad = recreate_each(
            "tc qdisc del dev v0 root 2>/dev/null; tc qdisc del dev v0 ingress 2>/dev/null; tc qdisc del dev v0 clsact 2>/dev/null; true",
            &in_place,
            "tc -d -j qdisc show dev v0",
            "local q = qdisc.list{dev='v0', handle='1:'}[1] or qdisc.list{dev='v0', handle='5:'}[1] or qdisc.list{dev='v0', handle='ffff:'}[1]
             qdisc.replace(q.options); return nlua.json(q.options)",
        );
        assert!(bad.is_empty(), "{} of {} differ:\n{}", bad.len(), in_place.len(), bad.join("\n"));
        // htb has no change operation: the kernel refuses in place, for tc too
        sh("tc qdisc del dev v0 root; tc qdisc add dev v0 root handle 1: htb default 3");
        let tc = std::process::Command::new("tc").args("qdisc replace dev v0 root handle 1: htb default 3".split(' ')).output().unwrap();
        assert!(String::from_utf8_lossy(&tc.stderr).contains("Change operation not supported by specified qdisc"));
        let ours = lua("local q = qdisc.list{dev='v0'}[1]; local ok, e = pcall(qdisc.replace, q.options); return e.code, e.message");
        assert_eq!(ours, ["EINVAL", "Change operation not supported by specified qdisc"]);
    });
}

#[test]
fn listed_options_recreate_the_same_htb_classes() {
    in_netns(|| {
        veth();
        let mut cmds = Vec::new();
        for rate in ["64kbit", "33333kbit", "40gbit"] {
            for extra in ["", " ceil 50gbit", " burst 15k cburst 3000", " burst 10k/16 cburst 1mb/32", " prio 3 quantum 3000", " mtu 9000", " mpu 64 overhead 10", " overhead 20 linklayer atm"] {
                cmds.push(format!("tc class add dev v0 parent 1: classid 1:10 htb rate {rate}{extra}"));
            }
        }
        let bad = recreate_each(
            "tc qdisc del dev v0 root 2>/dev/null; tc qdisc add dev v0 root handle 1: htb",
            &cmds,
            "tc -d class show dev v0",
            "local c = class.list('v0')[1]; local o = c.options; c:del(); class.add(o); return nlua.json(o)",
        );
        assert!(bad.is_empty(), "{} of {} differ:\n{}", bad.len(), cmds.len(), bad.join("\n"));
    });
}

#[test]
fn each_kernel_kind_prints_like_tc_show_and_tc_json() {
    // Links stay down, so the counters hold still between tc's read and nlua's.
    in_netns(|| {
        sh("ip link add v0 type veth peer name v1 numtxqueues 2 numrxqueues 2");
        let mut n = 0;
        for q in [
            "root handle 1: tbf rate 5mbps burst 10k/16 latency 1s mpu 64 overhead 4 linklayer atm",
            "root handle 1: tbf rate 40gbit burst 1mb limit 2mb peakrate 50gbit mtu 64kb",
            "root handle 1: estimator 250ms 1sec pfifo limit 50",
            "root handle 1: bfifo limit 10kb",
            "root handle 1: pfifo_fast",
            "root handle 1: mq",
            "root handle 1: htb default 0x10 r2q 7 direct_qlen 9",
            "ingress",
            "clsact",
        ] {
            sh(&format!("tc qdisc del dev v0 root 2>/dev/null; tc qdisc del dev v0 ingress 2>/dev/null; tc qdisc del dev v0 clsact 2>/dev/null; tc qdisc add dev v0 {q}"));
            let text = sh("tc -s qdisc show dev v0");
            let ours = lua("local t = {} for _, q in ipairs(qdisc.list{dev='v0'}) do t[#t+1] = q:show{stats=true} end return table.concat(t, '\\n')");
            let norm = |s: &str| s.lines().map(|l| l.replace(" dev v0", "").trim_end().to_string()).filter(|l| !l.is_empty()).collect::<Vec<_>>();
            assert_eq!(norm(&ours[0]), norm(&text), "tc qdisc add dev v0 {q}");
            let mut tc = tc_json("-s qdisc show dev v0");
            let mut mine = nlua_qdiscs("v0");
            for x in tc.as_array_mut().unwrap().iter_mut().chain(mine.as_array_mut().unwrap()) {
                x.as_object_mut().unwrap().remove("dev");
            }
            assert_eq!(mine, tc, "tc -s -j after tc qdisc add dev v0 {q}");
            n += 1;
        }
        assert_eq!(n, 9);
    });
}

#[test]
fn units_parse_as_tc_parses_them() {
    // tc is the oracle: what it sends for a word, read back from the kernel,
    // must be what nlua's parser makes of the same word.
    in_netns(|| {
        sh("ip link add v0 type veth peer name v1");
        let reset = "tc qdisc del dev v0 root 2>/dev/null; true";
        for rate in ["1mbit", "1Mbit", "1MBIT", "100kbit", "1.5mbit", ".5gbit", "1e3kbit", "10MBps", "1kbps", "8000", "1Kibit", "3mibit", "1gibit", "2tbit", "40gbit", "1TBps"] {
            sh(&format!("{reset}; tc qdisc add dev v0 root tbf rate {rate} burst 100k latency 10ms"));
            let tc = tc_json("qdisc show dev v0")[0]["options"]["rate"].as_u64().unwrap();
            assert_eq!(nlua::units::parse_rate(rate).unwrap(), tc, "rate {rate}");
        }
        for size in ["1500", "1500b", "32kb", "32k", "32KB", "1mb", "1m", "1.5kb", "8kbit", "1mbit", "1gbit", "1gb", "2e3"] {
            sh(&format!("{reset}; tc qdisc add dev v0 root bfifo limit {size}"));
            let tc = tc_json("qdisc show dev v0")[0]["options"]["limit"].as_u64().unwrap();
            assert_eq!(nlua::units::parse_size(size).unwrap() as u64, tc, "size {size}");
        }
        // tbf at 1000000 bytes/s with a 1000-byte burst: its limit is latency µs + 1000
        for time in ["100ms", "1.5s", "250us", "250", "10MS", "1sec", "2secs", "3msec", "4msecs", "5usec", "6usecs", "0.5ms", "1e3us"] {
            sh(&format!("{reset}; tc qdisc add dev v0 root handle 1: tbf rate 8mbit burst 1000 latency {time}"));
            let limit = nlua::units::parse_size(&lua("return qdisc.list{dev='v0'}[1].options.limit")[0]).unwrap();
            assert_eq!(nlua::units::parse_time(time).unwrap() + 1000, limit, "time {time}");
        }
        // and what tc refuses, nlua refuses (with the field named, see tests/lua/tc_errors_test.lua)
        for (what, bad) in [("rate", "10 mbit"), ("rate", "10mbits"), ("rate", "mbit"), ("size", "10 kb"), ("size", "10kib"), ("time", "10 ms"), ("time", "10min")] {
            let (cmd, ours) = match what {
                "rate" => (format!("tc qdisc add dev v0 root tbf rate '{bad}' burst 10k latency 10ms"), nlua::units::parse_rate(bad).is_err()),
                "size" => (format!("tc qdisc add dev v0 root bfifo limit '{bad}'"), nlua::units::parse_size(bad).is_err()),
                _ => (format!("tc qdisc add dev v0 root tbf rate 1mbit burst 10k latency '{bad}'"), nlua::units::parse_time(bad).is_err()),
            };
            sh(reset);
            let tc_ok = std::process::Command::new("sh").arg("-c").arg(&cmd).output().unwrap().status.success();
            assert!(!tc_ok && ours, "{what} {bad:?}: tc accepts: {tc_ok}, nlua refuses: {ours}");
        }
    });
}
