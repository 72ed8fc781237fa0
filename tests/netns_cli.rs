//! Namespaces from the command line, the example lab and the chaos example,
//! each in fresh network and mount namespaces of its own.

mod common;

use common::{fixture, hex};

/// Run `script` with sh in an isolated world; $NLUA is the binary under test.
fn sh_isolated(script: &str) -> (bool, String, String) {
    common::run(&mut common::world_sh(script))
}

#[test]
fn netns_flag_runs_the_script_inside() {
    let (ok, out, err) = sh_isolated(
        r#"ip netns add red && ip -n red link add x0 type bridge &&
           $NLUA --netns red -e 'print(link.get("x0").kind, #link.list(), os.execute("ip link show x0 >/dev/null"))'"#,
    );
    assert!(ok, "{err}");
    assert_eq!(out, "bridge\t2\ttrue\texit\t0\n");
    let (ok, _, err) = sh_isolated("$NLUA --netns nope -e ''");
    assert!(!ok);
    assert_eq!(err, "nlua: netns.open: no namespace named \"nope\" (no /run/netns/nope) (ENOENT)\n");
}

#[test]
fn processes_still_running_at_exit_are_reported() {
    let (ok, _, err) = sh_isolated(r#"$NLUA -e 'P = netns.temp():spawn{"sleep", "3"}'"#);
    assert!(ok);
    assert!(err.starts_with("nlua: process ") && err.ends_with(" (sleep 3) is still running\n"), "{err}");
}

#[test]
fn example_lab_pings_across_and_tears_down() {
    let (ok, out, err) = sh_isolated("$NLUA $ROOT/scripts/lab.lua && ip netns list | wc -l");
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("3 packets transmitted, 3 received"), "{out}");
    assert!(out.contains("inet 10.0.0.1/24 scope global eth0"), "{out}");
    assert!(out.ends_with("lab torn down: 0 namespaces left\n0\n"), "{out}");
}

/// The chaos recipe: a process in a namespace with an eth0; netem at its root
/// by pid. This kernel has no netem, so the run ends in the kernel's refusal
/// (errno and text kept) — and the request nlua sent is byte for byte what
/// `tc qdisc add dev v0 root handle 1: netem delay 100ms 20ms loss random 5%`
/// sends (tests/fixtures/netlink/tc_netem_chaos.hex; eth0 has the same
/// ifindex, 3, as v0 had there).
#[test]
fn chaos_netem_by_pid() {
    let (ok, out, err) = sh_isolated(
        r#"ip netns add c && ip -n c link add eth0 type veth peer name p0 || exit 1
           ip netns exec c sleep 30 & pid=$!
           until [ "$(stat -Lc %i /proc/$pid/ns/net)" = "$(stat -Lc %i /run/netns/c)" ]; do sleep 0.01; done
           python3 $ROOT/tests/fixtures/capture.py chaos_run_tmp -- $NLUA $ROOT/scripts/chaos_netem.lua $pid 100ms 5% 20ms >/dev/null
           $NLUA $ROOT/scripts/chaos_netem.lua $pid 100ms 5% 20ms; echo "rc=$?"; kill $pid"#,
    );
    let tmp = format!("{}/tests/fixtures/netlink/chaos_run_tmp.hex", env!("CARGO_MANIFEST_DIR"));
    let ours = fixture("chaos_run_tmp");
    let _ = std::fs::remove_file(&tmp);
    assert!(ok, "{err}");
    assert!(out.ends_with("rc=1\n"), "{out}");
    assert!(
        err.starts_with(&format!(
            "nlua: {}/scripts/chaos_netem.lua:34: qdisc add dev eth0 root handle 1: netem: field 'kind': this kernel has no qdisc kind \"netem\": Specified qdisc kind is unknown (ENOENT)",
            env!("CARGO_MANIFEST_DIR")
        )),
        "{err}"
    );
    let want = fixture("tc_netem_chaos");
    let (_, want_payload) = want.last(36);
    let (_, our_payload) = ours.last(36);
    assert_eq!(hex(our_payload), hex(want_payload), "RTM_NEWQDISC payload");
}

/// `ns:exec` and `ns:spawn` bind /etc/netns/NAME/* over /etc as `ip netns
/// exec` does, in a mount namespace of their own: the command sees the files,
/// nlua and the rest of the system do not; an anonymous namespace gets none.
/// (/etc is overlaid on a tmpfs first, inside the isolated mount namespace and
/// under its private /run, so the test writes nothing to the host's /etc or /tmp.)
#[test]
fn exec_binds_etc_netns_like_ip_netns_exec() {
    let (ok, out, err) = sh_isolated(
        r#"set -e
           mkdir -p /run/etc-ovl && mount -t tmpfs tmpfs /run/etc-ovl && mkdir /run/etc-ovl/u /run/etc-ovl/w
           mount -t overlay overlay -o lowerdir=/etc,upperdir=/run/etc-ovl/u,workdir=/run/etc-ovl/w /etc
           mkdir -p /etc/netns/red && echo "nameserver 192.0.2.53" > /etc/netns/red/resolv.conf
           echo "red-host" > /etc/netns/red/hostname
           ip netns add red
           echo "ip: $(ip netns exec red cat /etc/resolv.conf /etc/hostname | tr '\n' ' ')"
           $NLUA -e '
             local red = netns.open("red")
             io.write("exec: ", (red:exec("cat /etc/resolv.conf /etc/hostname | tr \"\\n\" \" \"").stdout), "\n")
             local p = red:spawn{"cat", "/etc/hostname"}
             io.write("spawn: ", p:wait().stdout)
             local f = io.open("/etc/hostname"); local mine = f:read("l"); f:close()
             io.write("nlua unchanged: ", tostring(mine ~= "red-host"), "\n")
             io.write("temp: ", tostring(netns.temp():exec("cat /etc/hostname").stdout ~= "red-host\n"), "\n")'
           echo "after: $(grep -c 192.0.2.53 /etc/resolv.conf || true)""#,
    );
    assert!(ok, "{out}\n{err}");
    assert_eq!(
        out,
        "ip: nameserver 192.0.2.53 red-host \nexec: nameserver 192.0.2.53 red-host \nspawn: red-host\nnlua unchanged: true\ntemp: true\nafter: 0\n"
    );
}

/// The two-namespace topology nlua builds reads back the same with `ip -n
/// NAME -j addr`: every address nlua lists is the one ip lists, on the same
/// interface index.
#[test]
fn two_namespace_topology_matches_ip() {
    let (ok, out, err) = sh_isolated(
        r#"set -e
           $NLUA -e '
             local red, blue = netns.add("red"), netns.add("blue")
             local a, b = link.add{name = "a", kind = "veth", netns = red, peer = {name = "b", netns = blue}}
             a:addr_add("10.0.0.1/24"); a:addr_add("2001:db8::1/64", {nodad = true})
             b:addr_add("10.0.0.2/24"); b:addr_add("2001:db8::2/64", {nodad = true})
             a:up(); b:up(); red:link("lo"):up(); blue:link("lo"):up()
             assert(red:exec{"ping", "-c1", "-W2", "10.0.0.2"}.ok)
             for _, ns in ipairs{red, blue} do
               for _, x in ipairs(ns:addr_list{}) do print(ns.name, x.dev, x.index, x.address, x.prefixlen) end
             end'
           echo '--'
           ip -n red -j addr; echo; ip -n blue -j addr"#,
    );
    assert!(ok, "{out}\n{err}");
    let (ours, theirs) = out.split_once("--\n").unwrap();
    let mut want = Vec::new();
    for (ns, json) in ["red", "blue"].iter().zip(theirs.lines().filter(|l| !l.trim().is_empty())) {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        for l in v.as_array().unwrap() {
            for a in l["addr_info"].as_array().unwrap() {
                want.push(format!("{ns}\t{}\t{}\t{}\t{}", l["ifname"].as_str().unwrap(), l["ifindex"], a["local"].as_str().unwrap(), a["prefixlen"]));
            }
        }
    }
    let mut got: Vec<String> = ours.lines().map(str::to_string).collect();
    got.sort();
    want.sort();
    assert!(want.len() >= 8, "{want:?}");
    assert_eq!(got, want);
}
