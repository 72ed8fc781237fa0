//! The journal (issue 6): a failed run leaves nothing behind, `--down` removes
//! what a run made and restores what it changed, `--trace` replays. Each case
//! runs nlua in fresh network and mount namespaces (a private /run), where it
//! first builds some "pre-existing" state with `ip`, then compares snapshots
//! taken with iproute2 before and after.

mod common;

use std::process::{Command, Stdio};

const LAB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/journal/lab.lua");

/// What exists before a run: a veth pair with an address, routes and a label.
const PRE: &str = "ip link add pre0 type veth peer name pre1
ip addr add 10.6.0.1/24 dev pre0 label pre0
ip link set pre0 up
ip route add 10.60.0.0/16 dev pre0 metric 5 proto 42
ip route add 10.61.0.0/16 dev pre0 src 10.6.0.1
ip route add 10.62.0.0/16 dev pre0 table 62
ip link add brX mtu 1400 address 02:aa:bb:cc:dd:ee type bridge stp_state 1
ip addr add 10.8.0.1/24 dev brX
ip rule add priority 500 from 1.2.3.0/24 table 7
tc qdisc add dev pre0 root handle 5: tbf rate 1mbit burst 10kb latency 10ms";

/// Everything iproute2 shows of this world, one JSON document per line.
const SNAP: &str = "snap() {
  ip -j -d link show; ip -j addr show; ip -j route show table all; ip -j -6 route show table all
  ip -j rule show; ip -j -6 rule show; ip -j neigh show; ip -j -6 neigh show; tc -j qdisc show
  for ns in $(ip netns list | cut -d' ' -f1); do
    ip -n $ns -j -d link show; ip -n $ns -j addr show; ip -n $ns -j route show table all; ip -n $ns -j -6 route show table all
    tc -n $ns -j qdisc show
  done
  echo \"[\\\"netns\\\",\\\"$(ip netns list | tr '\\n' ' ')\\\"]\"
  echo \"[\\\"procs\\\",$(ps -eo stat=,args= | awk -v t=$LAB_SLEEP '$1 !~ /^Z/ && $2 == \"sleep\" && $3 == t' | wc -l)]\"
}";

/// Run `body` (sh) in an isolated world with the pre-existing state and
/// `snap` defined; `$N` is nlua and `$LAB` the lab script.
fn world(body: &str) -> std::process::Output {
    let script = format!("set -u\nmkdir -p /run/tmp\nip link set lo up\nexport LAB_SLEEP=4242$$\n{PRE}\n{SNAP}\nN={}\nLAB={LAB}\n{body}", common::nlua_bin().display());
    // A world that hangs (a wait for a file nlua never wrote) fails, not CI.
    let mut c = Command::new("timeout");
    c.args(["300", "sh", "-c"]).arg(script).stdout(Stdio::piped()).stderr(Stdio::piped());
    common::isolate(&mut c);
    c.output().expect("run sh")
}

/// The snapshots printed between `== NAME` marker lines.
fn sections(out: &str) -> Vec<(String, Vec<serde_json::Value>)> {
    let mut v: Vec<(String, Vec<serde_json::Value>)> = Vec::new();
    for line in out.lines() {
        if let Some(n) = line.strip_prefix("== ") {
            v.push((n.to_string(), Vec::new()));
        } else if let Some((_, docs)) = v.last_mut() {
            docs.push(serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")));
        }
    }
    v
}

/// The paths at which two JSON values differ, with both sides.
fn diff(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                diff(&format!("{path}.{k}"), x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), p, q, out);
            }
        }
        (p, q) if p != q => out.push(format!("{path}: {p} != {q}")),
        _ => {}
    }
}

/// Assert two snapshots are equal, naming where they differ.
fn same(what: &str, a: &[serde_json::Value], b: &[serde_json::Value], log: &str) {
    let mut d = Vec::new();
    diff("", &serde_json::Value::from(a.to_vec()), &serde_json::Value::from(b.to_vec()), &mut d);
    assert!(d.is_empty(), "{what}: the snapshots differ (before != after):\n{}\n{log}", d.join("\n"));
}

fn steps() -> usize {
    let o = common::nlua(&[LAB, "count"]);
    common::ok_stdout(&o).trim().parse().unwrap()
}

fn text(o: &std::process::Output) -> String {
    format!("stdout:\n{}\nstderr:\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn a_failure_after_any_step_leaves_nothing_behind() {
    let n = steps();
    assert!(n >= 25, "the lab has {n} steps");
    for k in 1..=n {
        let o = world(&format!(
            "echo '== before'; snap\n$N $LAB {k} fail >/dev/null 2>/run/tmp/err; echo \"rc=$?\" >&2; cat /run/tmp/err >&2\necho '== after'; snap\nls /run/nlua >&2"
        ));
        let log = text(&o);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("rc=1\n"), "k={k}: nlua must exit 1\n{log}");
        assert!(err.contains(&format!("injected failure after step {k}")), "k={k}\n{log}");
        assert!(err.contains("undo: "), "k={k}: each undone change is printed\n{log}");
        assert!(!err.contains("cannot undo") && !err.contains("could not be undone"), "k={k}\n{log}");
        assert!(err.contains("nlua: rolled back ("), "k={k}\n{log}");
        let s = sections(&String::from_utf8_lossy(&o.stdout));
        assert_eq!(s.len(), 2, "{log}");
        same(&format!("k={k}"), &s[0].1, &s[1].1, &log);
        assert!(!err.contains("lab.journal"), "k={k}: the journal of a rolled-back run is removed\n{log}");
    }
}

#[test]
fn sigkill_after_any_step_then_down_leaves_nothing_behind() {
    let n = steps();
    for k in 1..=n {
        let o = world(&format!(
            "echo '== before'; snap\n$N $LAB {k} kill >/dev/null 2>&1; echo \"rc=$?\" >&2\n$N --down lab 1>&2; echo \"down=$?\" >&2\necho '== after'; snap"
        ));
        let log = text(&o);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("rc=137\n"), "k={k}: nlua was killed\n{log}");
        assert!(err.contains("down=0\n"), "k={k}: --down succeeds\n{log}");
        assert!(err.contains("nlua: 'lab' is down (") && !err.contains("could not be undone"), "k={k}\n{log}");
        let s = sections(&String::from_utf8_lossy(&o.stdout));
        same(&format!("k={k}"), &s[0].1, &s[1].1, &log);
    }
}

/// True for "hh:hh:hh:hh:hh:hh".
fn is_mac(s: &str) -> bool {
    s.len() == 17 && s.bytes().enumerate().all(|(i, b)| if i % 3 == 2 { b == b':' } else { b.is_ascii_hexdigit() })
}

/// What differs between two worlds built the same way: MAC addresses (and
/// the bridge ids and IPv6 link-local addresses made from them), running
/// timers, and qdisc handles the kernel picks itself (8000: to ffff:).
fn normalized(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        // bridge ids: "8000.8a:c7:f:68:db:fa"
        Value::String(s) if s.split_once('.').is_some_and(|(_, m)| m.matches(':').count() == 5) => Value::String("<bridge id>".into()),
        Value::String(s) if s.len() >= 17 && is_mac(&s[s.len() - 17..]) => Value::String(format!("{}<mac>", &s[..s.len() - 17])),
        Value::String(s) if s.starts_with("fe80::") => Value::String("<link-local>".into()),
        // handles the kernel picks: 8000: to ffff:, from one counter for the
        // whole machine (so not 8xxx: once other qdiscs have used those)
        Value::String(s) if s.len() == 5 && s.ends_with(':') && u16::from_str_radix(&s[..4], 16).is_ok_and(|h| h >= 0x8000) => {
            Value::String("<auto handle>".into())
        }
        Value::Array(a) => Value::Array(a.iter().map(normalized).collect()),
        Value::Object(o) => Value::Object(o.iter().filter(|(k, _)| !k.ends_with("_timer")).map(|(k, x)| (k.clone(), normalized(x))).collect()),
        x => x.clone(),
    }
}

#[test]
fn the_trace_replayed_by_sh_builds_the_same_network() {
    // The same sleep token in both worlds, so the spawned process counts alike.
    let token = format!("4343{}", std::process::id());
    let built = world(&format!(
        "export LAB_SLEEP={token}\n$N --trace $LAB >/dev/null 2>/run/tmp/trace; echo \"rc=$?\" >&2\necho '== built'; snap\n\
         $N --down lab >/dev/null 2>&1\ngrep '^+ ' /run/tmp/trace | sed 's/^+ //' >&2"
    ));
    let err = String::from_utf8_lossy(&built.stderr).into_owned();
    assert!(err.starts_with("rc=0\n"), "{}", text(&built));
    let trace = &err["rc=0\n".len()..];
    assert!(trace.lines().count() >= 29, "one command per change:\n{trace}");
    assert!(trace.contains("ip link add name v0 netns red type veth peer name v1 netns blue\n"), "{trace}");
    assert!(trace.contains("ip -n red route add default dev v0"), "{trace}");

    let replayed = world(&format!(
        "export LAB_SLEEP={token}\ncat > /run/tmp/trace.sh <<'TRACE'\n{trace}TRACE\nsh -e /run/tmp/trace.sh >&2; echo \"rc=$?\" >&2\n\
         echo '== replayed'; snap\nip netns pids red | xargs -r kill"
    ));
    assert!(String::from_utf8_lossy(&replayed.stderr).contains("rc=0\n"), "{}", text(&replayed));
    let a = sections(&String::from_utf8_lossy(&built.stdout));
    let b = sections(&String::from_utf8_lossy(&replayed.stdout));
    let (a, b): (Vec<_>, Vec<_>) = (a[0].1.iter().map(normalized).collect(), b[0].1.iter().map(normalized).collect());
    same("trace replay", &a, &b, &format!("trace:\n{trace}"));
}

#[test]
fn trace_json_is_one_object_per_change() {
    let o = world("$N --trace=json --ephemeral $LAB 12 >/dev/null 2>/run/tmp/trace; echo \"rc=$?\"; grep '^{' /run/tmp/trace");
    let out = common::ok_stdout(&o);
    assert!(out.starts_with("rc=0\n"), "{}", text(&o));
    let lines: Vec<serde_json::Value> = out.lines().skip(1).map(|l| serde_json::from_str(l).expect("JSON")).collect();
    assert_eq!(lines.len(), 12, "{out}");
    assert_eq!(lines[0]["cmd"], "ip netns add red");
    assert_eq!(lines[3]["netns"], "red");
    assert_eq!(lines[3]["cmd"], "ip -n red addr add 10.0.0.1/24 dev v0");
}

#[test]
fn down_restores_master_mtu_and_namespace_of_a_link_that_existed() {
    let o = world(
        "ip link add brA type bridge; ip link add p0 type veth peer name p1; ip link set p0 master brA mtu 1480
         cat > /run/tmp/take.lua <<'EOF'
         local br = link.add{name = 'br0', kind = 'bridge'}
         local p = link.get('p0')
         p:set{master = br, mtu = 1400}
         assert(p.master == br and p.mtu == 1400)
         local red = netns.add('red')
         p:set{netns = red}
         assert(p.netns == red and red:link('p0').mtu == 1400)
EOF
         echo '== before'; snap
         $N /run/tmp/take.lua >&2 || echo failed >&2
         ip -j link show p0 >&2 && echo 'p0 still here' >&2
         $N --down take >&2
         echo '== after'; snap",
    );
    let log = text(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("failed") && !err.contains("p0 still here"), "{log}");
    assert!(err.contains("nlua: 'take' is down ("), "{log}");
    let s = sections(&String::from_utf8_lossy(&o.stdout));
    same("restore", &s[0].1, &s[1].1, &log);
    let links = &s[1].1[0];
    let p0 = common::by_ifname(links, "p0");
    assert_eq!((p0["master"].as_str(), p0["mtu"].as_u64()), (Some("brA"), Some(1480)), "{log}");
}

#[test]
fn teardown_deletes_namespaces_not_the_links_inside_them() {
    // A star: N namespaces, each joined to a bridge here by a veth whose far end
    // is born inside it. Rollback deletes the namespaces (which take their links
    // along) and the bridge; no link is deleted one by one.
    let o = world(
        "cat > /run/tmp/star.lua <<'EOF'
         local br = link.add{name = 'br0', kind = 'bridge'}
         for i = 1, 20 do
           local ns = netns.add('h' .. i)
           local a = link.add{name = 'p' .. i, kind = 'veth', master = br, peer = {name = 'eth0', netns = ns}}
           a:up()
           ns:link('eth0'):addr_add('10.0.0.' .. i .. '/24')
         end
         error('done')
EOF
         echo '== before'; snap
         $N /run/tmp/star.lua 2>&1 >/dev/null | grep -v '^\\s' >&2
         echo '== after'; snap",
    );
    let log = text(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    let undos: Vec<&str> = err.lines().filter(|l| l.starts_with("undo: ")).collect();
    assert_eq!(undos.iter().filter(|l| l.starts_with("undo: ip netns del h")).count(), 20, "{log}");
    assert_eq!(undos.iter().filter(|l| l.contains("link del")).copied().collect::<Vec<_>>(), ["undo: ip link del dev br0"], "{log}");
    let s = sections(&String::from_utf8_lossy(&o.stdout));
    same("star", &s[0].1, &s[1].1, &log);
}


#[test]
fn a_second_run_is_refused_while_a_journal_exists_and_force_takes_it_down_first() {
    let o = world(
        "$N $LAB 3 2>&1; echo rc1=$?
         $N $LAB 3 2>&1; echo rc2=$?
         ip netns list
         $N --force $LAB 3 2>&1; echo rc3=$?
         $N --status; $N --down lab >/dev/null 2>&1; $N --status; ip netns list",
    );
    let out = String::from_utf8_lossy(&o.stdout);
    let log = text(&o);
    assert!(out.contains("rc1=0\n"), "{log}");
    assert!(
        out.contains("nlua: a journal for 'lab' exists from an earlier run (2 namespaces, 1 links); run `nlua --down lab` first, or use --force\nrc2=1\n"),
        "{log}"
    );
    assert!(out.contains("--force: took the earlier run of 'lab' down (") && out.contains("rc3=0\n"), "{log}");
    assert!(out.contains("lab: 2 namespaces, 1 links (script "), "{log}");
    // (and no namespace is left after it)
    assert!(out.trim_end().ends_with("no kept journals in /run/nlua"), "{log}");
}

#[test]
fn a_lock_keeps_two_runs_of_one_name_apart() {
    let o = world(
        "mkfifo /run/tmp/go
         cat > /run/tmp/hold.lua <<'EOF'
         netns.add('held'); io.open('/run/tmp/ready', 'w'):close(); io.open('/run/tmp/go'):read('l')
EOF
         $N --name same /run/tmp/hold.lua & holder=$!
         while [ ! -e /run/tmp/ready ]; do sleep 0.01; done
         $N --name same -e 'netns.add(\"other\")' 2>&1; echo rc=$?
         $N --status; [ \"$(cat /run/nlua/same.lock)\" = $holder ] && echo 'the lock names the holder'
         echo go > /run/tmp/go; wait $holder; echo holder=$?
         $N --status; [ \"$(cat /run/nlua/same.lock)\" = $holder ] && echo 'status took no lock'
         ip netns list; $N --down same 2>&1",
    );
    let out = String::from_utf8_lossy(&o.stdout);
    let log = text(&o);
    // --status says which run is going on, and leaves its lock as it is.
    assert!(out.contains(", running)\nthe lock names the holder\n"), "{log}");
    assert!(out.contains("holder=0\nsame: 1 namespaces (script /run/tmp/hold.lua, pid "), "{log}");
    assert!(out.contains(&"another run of 'same' is in progress (pid ".to_string()) && out.contains("rc=1\n"), "{log}");
    assert!(out.contains(")\nstatus took no lock\nheld\nundo: ") && !out.contains("running)\nstatus"), "only the holder made a namespace\n{log}");
    assert!(out.contains("undo: ip netns del held"), "{log}");
}

#[test]
fn ephemeral_runs_roll_back_on_success_and_run_deferred_lua_cleanups() {
    let o = world(
        "$N --ephemeral -e 'local red = netns.add(\"red\"); red:spawn{\"sleep\", os.getenv(\"LAB_SLEEP\")}
            nlua.defer(function() print(\"deferred 1\", #netns.list()) end)
            nlua.defer(function() print(\"deferred 2\") end)' 2>&1; echo rc=$?
         echo '== after'; snap",
    );
    let out = String::from_utf8_lossy(&o.stdout);
    let log = text(&o);
    // newest first, before the journal undoes anything (red is still there)
    assert!(out.starts_with("deferred 2\ndeferred 1\t1\n"), "{log}");
    assert!(out.contains("undo: kill ") && out.contains("undo: ip netns del red") && out.contains("rc=0\n"), "{log}");
    let s = sections(&out);
    assert_eq!(s[0].1.last().unwrap(), &serde_json::json!(["procs", 0]), "{log}");
    assert_eq!(s[0].1[s[0].1.len() - 2], serde_json::json!(["netns", ""]), "{log}");
}

#[test]
fn down_says_deferred_cleanups_cannot_run_and_keep_leaves_a_failed_run() {
    let o = world(
        "$N --keep -e 'nlua.defer(function() end)' -e 'netns.add(\"red\")' -e 'error(\"stop\")' --name kept 2>&1; echo rc=$?
         ip netns list
         $N --down kept 2>&1",
    );
    let out = String::from_utf8_lossy(&o.stdout);
    let log = text(&o);
    assert!(out.contains("nlua: --keep: left as it is; `nlua --down kept` takes it down\nrc=1\nred\n"), "{log}");
    assert!(out.contains("registered nlua.defer cleanups; they were Lua functions and cannot run now"), "{log}");
    assert!(out.contains("undo: ip netns del red"), "{log}");
}

#[test]
fn down_refuses_unknown_corrupt_and_foreign_journals_and_never_undoes_twice() {
    let o = world(
        "$N --down nosuch 2>&1; echo rc=$?
         $N $LAB 3 >/dev/null 2>&1
         cp /run/nlua/lab.journal /run/tmp/good
         sed -i '3s/.*/{\"seq\":2,\"t\":\"netns_ad/' /run/nlua/lab.journal
         $N --down lab 2>&1; echo rc=$?; ip netns list
         sed 's/\"nlua_journal\":2/\"nlua_journal\":99/' /run/tmp/good > /run/nlua/lab.journal
         $N --down lab 2>&1; echo rc=$?
         # cut short in its last record, as a SIGKILL mid-write would leave it
         head -c -9 /run/tmp/good > /run/nlua/lab.journal
         $N --down lab 2>&1; echo rc=$?; ip netns list
         # a crash during --down: what was marked undone is not undone again
         $N $LAB 3 >/dev/null 2>&1
         echo '{\"seq\":0,\"t\":\"undone\",\"undone\":2}' >> /run/nlua/lab.journal
         $N --down lab 2>&1; echo rc=$?; ip netns list",
    );
    let out = String::from_utf8_lossy(&o.stdout);
    let log = text(&o);
    assert!(out.contains("nlua: no journal for 'nosuch' in /run/nlua (nothing to take down)\nrc=1\n"), "{log}");
    assert!(out.contains("/run/nlua/lab.journal: line 3: corrupt record ("), "{log}");
    assert!(out.contains("); nothing was undone\nrc=1\nblue\nred\n"), "corrupt: nothing undone\n{log}");
    assert!(out.contains("journal format version 99, this nlua reads versions 1 and 2"), "{log}");
    assert!(out.contains("the journal's last record was cut short"), "{log}");
    // The cut record (the veth) is skipped; both namespaces go.
    assert!(out.contains("undo: ip netns del blue\nundo: ip netns del red\nnlua: 'lab' is down ("), "{log}");
    // Record 2 (netns add blue) was marked undone: blue stays, red goes.
    let last = out.rsplit("rc=").next().unwrap();
    assert!(out.contains("undo: ip netns del red\nnlua: 'lab' is down (") && last == "0\nblue\n", "{log}");
}

/// Shell helpers for hand-written journals: `header NAME` prints a journal's
/// first line (made in this namespace), `index DEV` a link's ifindex.
const HANDMADE: &str = r#"header() { printf '{"nlua_journal":2,"name":"%s","script":"x.lua","pid":1,"started":1,"initial":{"dev":%s,"inode":%s}}\n' "$1" "$(stat -L -c %d /proc/self/ns/net)" "$(stat -L -c %i /proc/self/ns/net)"; }
index() { ip -o link show "$1" | cut -d: -f1; }
mkdir -p /run/nlua"#;

#[test]
fn a_change_that_cannot_be_undone_does_not_stop_the_rest() {
    // Newest first: pre0's old MTU is refused (above the veth maximum), then
    // the namespace still goes, and the journal with it.
    let o = world(&format!(
        r#"{HANDMADE}
ip netns add a
cat > /run/nlua/stuck.journal <<J
$(header stuck)
{{"seq":1,"t":"netns_add","name":"a"}}
{{"seq":2,"t":"link_restore","now":{{"ns":{{"initial":true}},"index":$(index pre0),"name":"pre0"}},"old":{{"mtu":99999}}}}
J
$N --down stuck 2>&1; echo rc=$?; ip netns list; ls /run/nlua"#
    ));
    let out = String::from_utf8_lossy(&o.stdout);
    let log = text(&o);
    assert!(out.contains("undo: restore pre0: link set dev pre0 mtu 99999: ") && out.contains("(EINVAL)\nundo: ip netns del a\n"), "{log}");
    assert!(out.ends_with("nlua: 'stuck' is down (1 undone, 0 gone with their namespace or already gone, 1 could not be undone)\nrc=1\n"), "{log}");
}

#[test]
fn a_down_killed_after_a_cut_record_leaves_a_journal_that_still_reads() {
    // A run killed while writing its last record; a --down of it killed in
    // turn once it has marked a record undone (it then waits for q0, whose
    // peer's namespace was to go, to go too); a second --down finishes.
    let o = world(&format!(
        r#"{HANDMADE}
ip link add q0 type veth peer name q1
cat > /run/nlua/cut.journal <<J
$(header cut)
{{"seq":1,"t":"netns_add","name":"zz"}}
{{"seq":2,"t":"link_add","link":{{"ns":{{"initial":true}},"index":$(index q0),"name":"q0"}},"peer":{{"ns":{{"name":"zz"}},"index":9,"name":"x"}},"kind":"veth"}}
J
printf '{{"seq":3,"t":"netns_ad' >> /run/nlua/cut.journal
$N --down cut 2>/dev/null & p=$!
until grep -q '"undone":1}}$' /run/nlua/cut.journal; do sleep 0.01; done
kill -KILL $p; wait $p; echo killed=$?
$N --down cut 2>&1; echo rc=$?; ip -o link | grep -c 'q[01]@'"#
    ));
    let out = String::from_utf8_lossy(&o.stdout);
    let log = text(&o);
    assert!(out.starts_with("killed=137\n"), "{log}");
    assert!(out.ends_with("undo: ip link del dev q0\nnlua: 'cut' is down (1 undone, 0 gone with their namespace or already gone)\nrc=0\n0\n"), "{log}");
}

#[test]
fn a_process_whose_pid_was_reused_is_never_killed() {
    let o = world(
        "$N --name procs -e 'netns.temp():spawn{\"sleep\", os.getenv(\"LAB_SLEEP\")}' 2>/dev/null
         pid=$(grep '\"t\":\"process\"' /run/nlua/procs.journal | sed 's/.*\"pid\":\\([0-9]*\\).*/\\1/')
         kill $pid 2>/dev/null; sleep 0.05 # start times count in 10 ms ticks: be a tick later
         sleep $LAB_SLEEP & other=$!
         # pretend the run's pid is now this other process: only its start time differs
         sed -i \"s/\\\"pid\\\":$pid,/\\\"pid\\\":$other,/\" /run/nlua/procs.journal
         $N --down procs 2>&1; kill -0 $other && echo 'still running'; kill $other",
    );
    let out = String::from_utf8_lossy(&o.stdout);
    let log = text(&o);
    assert!(out.contains("nlua: 'procs' is down (0 undone, 1 gone") && out.contains("still running"), "{log}");
    assert!(!out.contains("undo: kill"), "{log}");
}

#[test]
fn a_run_that_removes_what_it_made_leaves_no_journal_and_can_run_again() {
    let lab = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/lab.lua");
    let o = world(&format!(
        "cat > /run/tmp/tidy.lua <<'EOF'
         local red = netns.add('red')
         local a, b = link.add{{name = 'a', kind = 'veth', peer = {{name = 'b'}}}}
         a:addr_add('10.1.0.1/24'); a:up(); route.add{{dst = '10.2.0.0/16', dev = 'a'}}
         qdisc.add{{dev = 'b', parent = 'root', kind = 'tbf', rate = '1mbit', burst = '10kb', latency = '10ms'}}
         local c, d = link.add{{name = 'c', kind = 'veth', netns = red, peer = {{name = 'd'}}}}
         d:addr_add('10.3.0.1/24')
         a:del()        -- b goes with it, and what was on both
         netns.del(red) -- c goes with it, and d with c
EOF
         $N /run/tmp/tidy.lua; echo rc=$?; ls /run/nlua
         $N {lab} >/dev/null; echo lab1=$?
         $N {lab} >/dev/null; echo lab2=$?; ls /run/nlua"
    ));
    let out = String::from_utf8_lossy(&o.stdout);
    // Nothing left in the state directory, not even a lock file.
    assert_eq!(out, "rc=0\nlab1=0\nlab2=0\n", "{}", text(&o));
}

#[test]
fn what_a_run_adds_then_deletes_rolls_back_cleanly() {
    // Each object made and removed again: undo re-adds it from what was read
    // before the delete, then deletes it. Both must work for every family.
    let o = world(
        "cat > /run/tmp/churn.lua <<'EOF'
         local p = link.get('pre0')
         qdisc.del{dev = 'pre0', parent = 'root'}
         qdisc.add{dev = 'pre0', parent = 'root', handle = '1:', kind = 'htb', default = '1:10'}
         class.add{dev = 'pre0', parent = '1:', classid = '1:10', kind = 'htb', rate = '10mbit', ceil = '20mbit'}
         filter.add{dev = 'pre0', parent = '1:', prio = 5, kind = 'u32', match = {dst = '10.6.0.2/32'}, flowid = '1:10'}
         filter.del{dev = 'pre0', parent = '1:', prio = 5}
         class.del{dev = 'pre0', classid = '1:10'}
         qdisc.del{dev = 'pre0', parent = 'root'}
         qdisc.add{dev = 'pre0', parent = 'root', kind = 'tbf', rate = '1mbit', burst = '10kb', latency = '10ms'}
         qdisc.del{dev = 'pre0', parent = 'root'}
         neigh.add{dev = 'pre0', dst = '10.6.0.9', lladdr = '02:00:00:00:00:09'}
         neigh.del{dev = 'pre0', dst = '10.6.0.9'}
         neigh.add{dev = 'pre0', dst = '10.6.0.7', state = 'incomplete'}
         neigh.del{dev = 'pre0', dst = '10.6.0.7'}
         route.add{dst = '10.70.0.0/16', dev = 'pre0', table = 70}
         route.del{dst = '10.70.0.0/16', table = 70}
         rule.add{to = '10.70.0.0/16', table = 70, priority = 700}
         rule.del{priority = 700}
         p:addr_add('10.71.0.1/24'); addr.del('pre0', '10.71.0.1/24')
         error('churned')
EOF
         echo '== before'; snap
         $N /run/tmp/churn.lua >&2
         echo '== after'; snap",
    );
    let log = text(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nlua: rolled back (") && !err.contains("could not be undone"), "{log}");
    // Each undo printed as the command it sends: the deleted address comes back with an add.
    assert!(err.contains("undo: ip addr add 10.71.0.1/24 label pre0 scope global dev pre0\nundo: ip addr del 10.71.0.1/24 scope global dev pre0\n"), "{log}");
    let s = sections(&String::from_utf8_lossy(&o.stdout));
    same("churn", &s[0].1, &s[1].1, &log);
}

#[test]
fn a_filter_given_its_prio_by_the_kernel_is_the_one_undone() {
    // A filter added without a prio gets a new band from the kernel, here
    // below the one it gave before (49151 under 49152): undo deletes that
    // band, not the highest one, which existed before the run.
    let o = world(
        r#"tc qdisc add dev pre1 root handle 1: htb
tc filter add dev pre1 parent 1: u32 match u32 0 0 flowid 1:1
cat > /run/tmp/auto.lua <<'EOF'
filter.add{dev = 'pre1', parent = '1:', kind = 'u32', match = {dst = '10.9.0.2/32'}, flowid = '1:10'}
os.execute("tc -j filter show dev pre1 parent 1: > /run/tmp/during")
error('undo it')
EOF
echo '== before'; tc -j filter show dev pre1 parent 1:
$N /run/tmp/auto.lua >&2
echo '== during'; cat /run/tmp/during
echo '== after'; tc -j filter show dev pre1 parent 1:"#,
    );
    let log = text(&o);
    let s = sections(&String::from_utf8_lossy(&o.stdout));
    let prefs = |docs: &[serde_json::Value]| {
        let mut p: Vec<u64> = docs[0].as_array().unwrap().iter().filter_map(|f| f["pref"].as_u64()).collect();
        p.dedup();
        p
    };
    assert_eq!((prefs(&s[0].1), prefs(&s[1].1)), (vec![49152], vec![49151, 49152]), "{log}");
    same("auto prio", &s[0].1, &s[2].1, &log);
}

#[test]
fn a_run_made_with_netns_is_taken_down_with_netns() {
    let o = world(
        "ip netns add red
         echo 'link.add{name = \"v0\", kind = \"veth\", peer = {name = \"v1\"}}' > /run/tmp/inred.lua
         $N --netns red /run/tmp/inred.lua; ip -n red -br link | grep -c '^v[01]@'
         $N --down inred 2>&1; echo rc=$?
         $N --netns red --down inred 2>&1; echo rc=$?; ip -n red -br link | grep -c '^v[01]@'",
    );
    let out = String::from_utf8_lossy(&o.stdout);
    let log = text(&o);
    assert!(out.starts_with("2\nnlua: the journal of 'inred' was made in another network namespace (inode "), "{log}");
    assert!(out.contains("(with --netns NAME if it was made with --netns NAME)\nrc=1\n"), "{log}");
    assert!(out.ends_with("undo: ip link del dev v0\nnlua: 'inred' is down (1 undone, 0 gone with their namespace or already gone)\nrc=0\n0\n"), "{log}");
}

#[test]
fn ctrl_c_or_sigterm_rolls_the_run_back_like_an_error() {
    for sig in ["INT", "TERM"] {
        let o = world(&format!(
            "cat > /run/tmp/spin.lua <<'EOF'
             netns.add('spun')
             io.open('/run/tmp/ready', 'w'):close()
             while true do end
EOF
             rm -f /run/tmp/ready
             # sh starts background jobs with SIGINT ignored (and nlua keeps it so)
             env --default-signal=INT $N /run/tmp/spin.lua 2>/run/tmp/err & p=$!
             while [ ! -e /run/tmp/ready ]; do sleep 0.01; done
             kill -{sig} $p; wait $p; echo rc=$?; cat /run/tmp/err; ip netns list; ls /run/nlua
             # ignored stays ignored: a background job of sh is not interrupted by SIGINT
             rm -f /run/tmp/ready; $N /run/tmp/spin.lua 2>/dev/null & p=$!
             while [ ! -e /run/tmp/ready ]; do sleep 0.01; done
             kill -INT $p; sleep 0.2; kill -0 $p && echo 'still spinning'; kill -KILL $p"
        ));
        let out = String::from_utf8_lossy(&o.stdout);
        let log = text(&o);
        assert!(out.starts_with("rc=1\nnlua: /run/tmp/spin.lua:3: interrupted\n"), "SIG{sig}\n{log}");
        assert!(out.contains("undo: ip netns del spun\nnlua: rolled back (1 undone, 0 gone with their namespace or already gone)\nstill spinning\n"), "SIG{sig}\n{log}");
    }
}

/// `route.replace` through a link the run made overwrites the route that was
/// there (same destination, another device): the rollback deletes the link
/// and puts the old route back.
#[test]
fn a_route_replaced_through_a_made_link_comes_back() {
    let o = world(
        "echo 'local v = link.add{name = \"v0\", kind = \"veth\", peer = {name = \"v1\"}, up = true}
               route.replace{dst = \"10.60.0.0/16\", dev = v, metric = 5}
               print(#route.list{dst = \"10.60.0.0/16\", dev = \"v0\"})
               error(\"boom\")' > /run/tmp/rep.lua
         $N /run/tmp/rep.lua 2>/dev/null; echo rc=$?
         ip route show 10.60.0.0/16",
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out, "1\nrc=1\n10.60.0.0/16 dev pre0 proto babel scope link metric 5 linkdown \n", "{}", text(&o));
}
