//! `nlua.batch(fn)` (issue 11): changes queued and sent pipelined when `fn`
//! returns or when something needs the kernel first; every failed change
//! reported with its line in one error; the journal records exactly what
//! succeeded. Each case runs nlua in a world of its own (fresh network and
//! mount namespaces, a private /run).

mod common;

/// Run `body` (sh) in a fresh world with `$N` = nlua; the Lua script `lua`
/// is in `$L` (a file named batchtest.lua, so its journal is "batchtest"),
/// on the world's own /run.
fn world(lua: &str, body: &str) -> std::process::Output {
    let sh = format!("set -u\nip link set lo up\nN=$NLUA\nmkdir -p /run/tmp; L=/run/tmp/batchtest.lua\ncat > $L <<'NLUA_EOF'\n{lua}NLUA_EOF\n{body}");
    common::world_sh(&sh).output().expect("run sh")
}

fn both(o: &std::process::Output) -> String {
    format!("stdout:\n{}\nstderr:\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A pre-existing veth (made with ip) with an address and a route, for the
/// journal to have something to restore. (The address stays: the kernel
/// takes a link's IPv4 routes away with its last IPv4 address.)
const PRE: &str = "ip link add v0 type veth peer name v1; ip link set v0 up; ip link set v1 up
ip addr add 10.6.0.1/24 dev v0; ip route add 10.1.0.0/16 dev v0";

const QUEUED: &str = r#"local v0 = link.get("v0")
local function shown() return io.popen("ip route show"):read("a") end
local ok, err = pcall(nlua.batch, function()
  v0:addr_add("10.0.0.1/24")
  route.add{dst = "10.2.0.0/16", dev = "v0"}
  assert(not shown():find("10.2.0.0/16"), "queued, not sent yet")
  route.add{dst = "10.1.0.0/16", dev = "v0"}
  route.add{dst = "10.3.0.0/16", gw = "10.99.0.1"}
  assert(#route.list{dst = "10.2.0.0/16"} == 1, "a read sends the queue first")
  v0:set{mtu = 1400}
  route.add{dst = "10.4.0.0/16", dev = "v0"}
end)
assert(not ok)
print(tostring(err))
print(err.code, err.errno, #err.errors)
for _, e in ipairs(err.errors) do print(e.where, e.op, e.code) end
assert(shown():find("10.4.0.0/16"), "the changes after a failure were sent")
assert(v0.mtu == 1400)
"#;

#[test]
fn changes_wait_until_a_read_and_each_failure_names_its_line() {
    let o = world(QUEUED, &format!("{PRE}\n$N $L; echo rc=$?"));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("rc=0\n"), "{}", both(&o));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].contains("nlua.batch: 2 of 6 changes failed: ")
            && lines[0].contains("batchtest.lua:7: route add 10.1.0.0/16 dev v0: File exists (EEXIST); ")
            && lines[0].contains("batchtest.lua:8: route add 10.3.0.0/16 via 10.99.0.1: "),
        "{}",
        both(&o)
    );
    assert_eq!(lines[1], "EEXIST\t17\t2", "{}", both(&o));
    assert!(lines[2].ends_with("batchtest.lua:7\troute add 10.1.0.0/16 dev v0\tEEXIST"), "{}", both(&o));
    assert!(lines[3].ends_with("batchtest.lua:8\troute add 10.3.0.0/16 via 10.99.0.1\tENETUNREACH"), "{}", both(&o));
}

#[test]
fn the_journal_keeps_exactly_what_succeeded() {
    let o = world(
        QUEUED,
        &format!(
            "{PRE}\n$N $L >/dev/null; echo rc=$?
echo '== built'; ip -4 route show; ip -4 -o addr show dev v0 | awk '{{print $4}}'; ip -o link show v0 | grep -o 'mtu [0-9]*'
$N --down batchtest 2>&1; echo '== down'; ip -4 route show; ip -4 -o addr show dev v0 | awk '{{print $4}}'; ip -o link show v0 | grep -o 'mtu [0-9]*'"
        ),
    );
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let (built, down) = out.split_once("== down").unwrap_or_else(|| panic!("{}", both(&o)));
    assert!(built.contains("rc=0\n"), "{}", both(&o));
    for r in ["10.1.0.0/16", "10.2.0.0/16", "10.4.0.0/16", "10.0.0.1/24", "mtu 1400"] {
        assert!(built.contains(r), "built: {r}\n{}", both(&o));
    }
    // The route that existed before (its add failed: EEXIST) stays; what the
    // batch made goes; the MTU comes back.
    assert!(down.contains("10.1.0.0/16 dev v0") && down.contains("10.6.0.1/24") && down.contains("mtu 1500"), "{}", both(&o));
    for gone in ["10.2.0.0/16", "10.4.0.0/16", "10.0.0.1/24", "10.3.0.0/16"] {
        assert!(!down.contains(gone), "down: {gone} left\n{}", both(&o));
    }
    // Each undo is printed with its device named.
    assert!(built.contains("undo: ip route del 10.4.0.0/16 dev v0\n"), "{}", both(&o));
    assert!(built.contains("undo: ip addr del 10.0.0.1/24 scope global dev v0\n"), "{}", both(&o));
}

#[test]
fn an_error_in_fn_still_sends_what_it_queued_and_the_rollback_takes_it_away() {
    let o = world(
        r#"local v0 = link.get("v0")
nlua.batch(function()
  route.add{dst = "10.5.0.0/16", dev = "v0"}
  v0:set{mtu = 1300}
  error("boom")
end)
"#,
        &format!("{PRE}\n$N $L; echo rc=$?; ip -4 route show; ip -o link show v0 | grep -o 'mtu [0-9]*'"),
    );
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(out.contains("rc=1\n") && err.contains("batchtest.lua:5: boom"), "{}", both(&o));
    assert!(err.contains("undo: ip route del 10.5.0.0/16 dev v0\n") && err.contains("undo: ip link set dev v0 mtu 1500"), "{}", both(&o));
    assert!(!out.contains("10.5.0.0/16") && out.contains("mtu 1500") && out.contains("10.1.0.0/16"), "{}", both(&o));
}

#[test]
fn queued_changes_keep_their_order_across_namespaces_and_nested_batches_join() {
    let o = world(
        r#"local red = netns.add("red")
local a, b = link.add{name = "a", kind = "veth", peer = {name = "b", netns = red}}
local r = nlua.batch(function(x)
  a:set{mtu = 1300}
  b:set{mtu = 1300}
  a:up()
  b:up()
  b:addr_add("10.8.0.2/24")
  a:addr_add("10.8.0.1/24")
  local inner = nlua.batch(function() route.add{dst = "10.9.0.0/16", gw = "10.8.0.2"} return "inner" end)
  red:handle():route_add{dst = "default", gw = "10.8.0.1"}
  b:set{mtu = 1200} -- after the 1300: the last one wins
  return x .. "/" .. inner
end, "outer")
print(r)
print(a.mtu, b.mtu, a.is_up, b.is_up)
local ok = red:exec{"ip", "route", "show", "default"}
print(ok.stdout)
"#,
        "$N $L; echo rc=$?; ip -4 route show 10.9.0.0/16",
    );
    let out = common::ok_stdout(&o);
    assert!(out.starts_with("outer/inner\n1300\t1200\ttrue\ttrue\ndefault via 10.8.0.1 dev b"), "{}", both(&o));
    assert!(out.contains("rc=0\n10.9.0.0/16 via 10.8.0.2 dev a"), "{}", both(&o));
}

#[test]
fn trace_lines_come_in_the_order_the_changes_were_asked_for() {
    let o = world(
        r#"nlua.batch(function()
  route.add{dst = "10.6.0.0/16", dev = "v0"}
  link.get("v1"):set{mtu = 1400}
  route.add{dst = "10.7.0.0/16", dev = "v0"}
end)
"#,
        &format!("{PRE}\n$N --trace $L >/dev/null; echo rc=$?"),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    let trace: Vec<&str> = err.lines().filter(|l| l.starts_with("+ ")).collect();
    assert_eq!(
        trace,
        ["+ ip route add 10.6.0.0/16 dev v0", "+ ip link set dev v1 mtu 1400", "+ ip route add 10.7.0.0/16 dev v0"],
        "{}",
        both(&o)
    );
}

#[test]
fn device_names_are_looked_up_once_and_a_queued_rename_is_sent_before_the_next_lookup() {
    let o = world(
        r#"nlua.batch(function()
  for i = 1, 50 do route.add{dst = ("10.20.%d.0/24"):format(i), dev = "v0"} end
  assert(not io.popen("ip route show"):read("a"):find("10.20.1.0/24"), "looking v0 up did not send the queue")
  link.get("v0"):set{name = "w0"}
  route.add{dst = "10.21.0.0/16", dev = "w0"}
  local ok, e = pcall(route.add, {dst = "10.22.0.0/16", dev = "v0"})
  print(ok, e.code)
end)
"#,
        &format!("{PRE}\n$N $L; echo rc=$?; ip -4 route show | grep -c '^10.20'; ip -4 route show 10.21.0.0/16"),
    );
    let out = common::ok_stdout(&o);
    assert_eq!(out, "false\tEINVAL\nrc=0\n50\n10.21.0.0/16 dev w0 scope link \n", "{}", both(&o));
}
