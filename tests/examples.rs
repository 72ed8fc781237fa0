//! The Rust examples (examples/hooks.rs, examples/topology.rs), built and run
//! in fresh network and mount namespaces with a private /run, as a user would
//! run them; iproute2 checks what they did.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{by_ifname, isolate};

/// The example binary `name`, built for this test's profile (a no-op when
/// `cargo test` has built the examples already).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap().to_path_buf();
    let mut c = Command::new(env!("CARGO"));
    c.args(["build", "--quiet", "--example", name]).current_dir(env!("CARGO_MANIFEST_DIR"));
    if profile_dir.ends_with("release") {
        c.arg("--release");
    }
    let o = c.output().expect("run cargo");
    assert!(o.status.success(), "cargo build --example {name}: {}", String::from_utf8_lossy(&o.stderr));
    profile_dir.join("examples").join(name)
}

/// Run `script` with sh in an isolated world ($EXAMPLE, $ROOT set); its stdout.
fn world(example_bin: PathBuf, script: &str) -> String {
    let mut c = Command::new("sh");
    c.arg("-c").arg(script).env("EXAMPLE", example_bin).env("ROOT", env!("CARGO_MANIFEST_DIR"));
    isolate(&mut c);
    let o = c.output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{out}\n{}", String::from_utf8_lossy(&o.stderr));
    out
}

/// The host loads examples/hooks.lua into a read-only, safe runtime bound to
/// namespace "lab" and calls on_link_up for each link that comes up there,
/// with the Link scripts see; the hook's change is refused.
#[test]
fn hooks_host_calls_on_link_up_for_each_link_that_comes_up() {
    let out = world(
        example("hooks"),
        r#"ip netns add lab && ip netns exec lab sysctl -qw net.ipv6.conf.default.disable_ipv6=1
           out=$(mktemp); trap 'rm -f $out' EXIT
           $EXAMPLE --netns lab --events 2 --timeout 20 $ROOT/examples/hooks.lua > $out 2>&1 &
           pid=$!
           i=0; while ! grep -q watching $out && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
           ip -n lab link add v0 type veth peer name v1 && ip -n lab addr add 10.0.0.1/24 dev v0
           ip -n lab link set v0 up && ip -n lab link set v1 up
           wait $pid; echo "rc=$?"; cat $out
           echo @@; ip -n lab -j link show"#,
    );
    let (run, links) = out.split_once("@@\n").unwrap();
    let links: serde_json::Value = serde_json::from_str(links).unwrap();
    let index = |name: &str| by_ifname(&links, name)["ifindex"].as_u64().unwrap();
    let want = format!(
        "rc=0\n\
         hooks: watching links in lab (0 up)\n\
         up: v0 (index {}, mtu 1500, kind veth, 1 addresses: 10.0.0.1/24)\n  \
         set refused: Link.set: refused: this runtime is read-only\n  \
         os.execute: nil, io: nil\n\
         up: v1 (index {}, mtu 1500, kind veth, 0 addresses: )\n  \
         set refused: Link.set: refused: this runtime is read-only\n  \
         os.execute: nil, io: nil\n\
         hooks: 2 calls\n",
        index("v0"),
        index("v1")
    );
    assert_eq!(run, want);
    for name in ["v0", "v1"] {
        assert_eq!(by_ifname(&links, name)["mtu"], 1500, "the hook's set was refused");
    }
}

/// A hooks file without on_link_up, or one that does not load, is refused
/// with a clear message before anything is watched.
#[test]
fn hooks_host_refuses_a_script_without_the_hook() {
    let out = world(
        example("hooks"),
        r#"d=$(mktemp -d); trap 'rm -rf $d' EXIT; cd $d
           echo 'x = 1' > none.lua; $EXAMPLE none.lua 2>&1; echo "rc=$?"
           echo 'os.execute("true")' > exec.lua; $EXAMPLE exec.lua 2>&1; echo "rc=$?""#,
    );
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("hooks: none.lua: defines no on_link_up(link)"));
    assert_eq!(lines.next(), Some("rc=1"));
    let exec = lines.next().unwrap();
    assert!(exec.starts_with("hooks: exec.lua:1: attempt to call a nil value (field 'execute')"), "{out}");
    assert_eq!(out.lines().last(), Some("rc=1"));
}

#[test]
fn topology_builds_pings_and_tears_down() {
    let out = world(example("topology"), "$EXAMPLE && ip netns list | wc -l");
    assert_eq!(
        out,
        "a: lo up 127.0.0.1/8\n\
         a: eth0 up 10.0.0.1/24\n\
         a: route 192.0.2.0/24 via 10.0.0.2\n\
         b: lo up 127.0.0.1/8 192.0.2.1/32\n\
         b: eth0 up 10.0.0.2/24\n\
         ping a -> 192.0.2.1 (b): ok\n\
         torn down: namespaces a and b deleted\n\
         0\n"
    );
}

/// With --keep the topology stays, and iproute2 reads what the engine wrote.
#[test]
fn topology_kept_reads_the_same_through_iproute2() {
    let out = world(
        example("topology"),
        "$EXAMPLE --keep >/dev/null && ip netns list | sort | tr '\\n' ' ' && echo \
         && ip -n a -j route show 192.0.2.0/24 && ip -n b -j addr show lo && ip -n a -d -j link show eth0 \
         && ip netns exec a ping -c1 -W2 10.0.0.2 >/dev/null && echo pinged",
    );
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("a b "));
    let route: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!((&route[0]["gateway"], &route[0]["dev"]), (&"10.0.0.2".into(), &"eth0".into()));
    let lo: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert!(lo[0]["addr_info"].as_array().unwrap().iter().any(|a| a["local"] == "192.0.2.1" && a["prefixlen"] == 32), "{lo}");
    let eth0: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(eth0[0]["linkinfo"]["info_kind"], "veth");
    assert_eq!(eth0[0]["operstate"], "UP");
    assert_eq!(lines.next(), Some("pinged"));
}
