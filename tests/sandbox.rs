//! `--sandbox` (issue 8): an unprivileged user (uid 65534, through setpriv)
//! builds veths, namespaces and routes, pings across, runs tests and a REPL;
//! the world it ran from sees nothing of it. Each case runs inside an isolated
//! world (fresh network and mount namespaces, a private /run), which stands in
//! for the host: its links, routes, named namespaces and /run are compared
//! before and after.

mod common;

use common::Dir;

/// Run `script` (sh) in an isolated world, in `dir`. `$NOBODY` runs a
/// command as uid/gid 65534 without supplementary groups or capabilities;
/// `snap` prints what a user of the world sees of it.
fn sh_in(dir: &Dir, script: &str) -> (bool, String, String) {
    // The binary may live where uid 65534 cannot reach (a clone under /root):
    // bind it into the world-readable test directory, in this world only.
    let full = format!(
        "NOBODY='setpriv --reuid=65534 --regid=65534 --clear-groups'
         touch nlua-exe && mount -n --bind \"$NLUA\" nlua-exe && chmod a+rx nlua-exe && NLUA=$PWD/nlua-exe || exit 1
         snap() {{ ip -br link; ip netns list; ip route; ip -6 route; ls -A /run; ls -A /run/netns 2>/dev/null; }}
         {script}"
    );
    common::run(common::world_sh(&full).current_dir(dir.path()))
}

const LAB: &str = r#"
local red, blue = netns.add("red"), netns.add("blue")
local a, b = link.add{name = "eth0", kind = "veth", netns = red, peer = {name = "eth0", netns = blue}}
a:addr_add("10.0.0.1/24"); b:addr_add("10.0.0.2/24")
a:up(); b:up()
red:route_add{dst = "10.9.0.0/16", gw = "10.0.0.2"}
link.add{name = "v0", kind = "veth", up = true, peer = {name = "v1", up = true}}
addr.add("v0", "10.20.0.1/24")
route.add{dst = "10.21.0.0/16", gw = "10.20.0.2"}
local r = red:exec{"ping", "-c1", "-W2", "10.0.0.2"}
assert(r.ok, "ping across: " .. r.stdout .. r.stderr)
assert(#red:route_list{dst = "10.9.0.0/16"} == 1)
print(io.popen("id -u"):read("l"))
print(#netns.list(), #link.list())
print((io.popen("ip -br link | cut -d' ' -f1 | tr '\n' ' '"):read("a")))
print((io.popen("ip netns list | cut -d' ' -f1 | sort | tr '\n' ' '"):read("a")))
"#;

#[test]
fn an_unprivileged_user_builds_a_lab_the_world_outside_never_sees() {
    let d = Dir::new("lab");
    d.file("lab.lua", LAB);
    let (ok, out, err) = sh_in(
        &d,
        r#"before=$(snap)
           $NOBODY $NLUA --sandbox lab.lua; echo rc=$?
           [ "$before" = "$(snap)" ] && echo same world || snap"#,
    );
    assert!(ok, "{err}");
    assert_eq!(out, "0\n2\t3\nlo v1@v0 v0@v1 \nblue red \nrc=0\nsame world\n", "stderr: {err}");
    assert_eq!(err, "");
}

/// Where /run/netns exists outside (with a namespace in it), the sandbox
/// still starts with none, and the one outside stays as it was.
#[test]
fn named_namespaces_outside_stay_outside() {
    let d = Dir::new("outside");
    d.file("lab.lua", LAB);
    let (ok, out, err) = sh_in(
        &d,
        r#"ip netns add outside
           before=$(snap)
           $NOBODY $NLUA --sandbox lab.lua | tail -n 1; echo rc=$?
           $NOBODY $NLUA --sandbox -e 'print(#netns.list(), pcall(netns.open, "outside"))' | cut -f1,2
           [ "$before" = "$(snap)" ] && echo same world || snap
           ip netns list"#,
    );
    assert!(ok, "{err}");
    assert_eq!(out, "blue red \nrc=0\n0\tfalse\nsame world\noutside\n", "stderr: {err}");
}

#[test]
fn an_unprivileged_user_runs_tests_in_the_sandbox() {
    let d = Dir::new("tests");
    d.file(
        "lab_test.lua",
        r#"test("two namespaces ping across", function(t)
  local a, b = t:netns(), t:netns()
  local x, y = t:veth{netns = a, peer = {netns = b}}
  x:addr_add("10.0.0.1/24"); y:addr_add("10.0.0.2/24")
  x:up(); y:up()
  a:route_add{dst = "10.9.0.0/16", gw = "10.0.0.2"}
  t:wait_up(x)
  t:ping(a, "10.0.0.2")
end)
test("and the next test starts empty", function(t)
  t:eq(#netns.list(), 0)
  t:eq(#link.list(), 1)
end)
"#,
    );
    let (ok, out, err) = sh_in(
        &d,
        r#"before=$(snap)
           $NOBODY $NLUA --test . --sandbox --jobs 2 | sed 's/([0-9]* ms)/(N ms)/'; echo rc=$?
           [ "$before" = "$(snap)" ] && echo same world || snap"#,
    );
    assert!(ok, "{err}");
    assert_eq!(
        out,
        "# lab_test.lua\nok 1 - two namespaces ping across (N ms)\nok 2 - and the next test starts empty (N ms)\n2 passed, 0 failed\nrc=0\nsame world\n",
        "stderr: {err}"
    );
}

#[test]
fn the_repl_runs_in_the_sandbox() {
    let d = Dir::new("repl");
    let (ok, out, err) = sh_in(
        &d,
        r#"before=$(snap)
           echo 'print(netns.add("x").name, #link.list(), link.get("lo").operstate)' | $NOBODY $NLUA --sandbox -i | tail -n 1
           [ "$before" = "$(snap)" ] && echo same world || snap"#,
    );
    assert!(ok, "{err}");
    assert_eq!(out, "x\t1\tUNKNOWN\nsame world\n", "stderr: {err}");
}

/// Without root and without --sandbox: errors that say what to do.
#[test]
fn without_root_the_errors_point_at_the_sandbox() {
    let d = Dir::new("noroot");
    d.file("a_test.lua", "test('x', function() end)\n");
    let (_, out, err) = sh_in(
        &d,
        r#"$NOBODY $NLUA --test .; echo rc=$?
           $NOBODY $NLUA -e 'link.add{name = "v0", kind = "veth", peer = {name = "v1"}}' 2>&1 | tail -n 1"#,
    );
    assert_eq!(
        err,
        "nlua: each test runs in network and mount namespaces of its own, which needs CAP_SYS_ADMIN: run as root, or add --sandbox to run without root\n"
    );
    assert_eq!(
        out,
        "rc=1\nnlua: changing the network needs CAP_NET_ADMIN: run as root, or add --sandbox to work in namespaces of your own\n"
    );
}

/// Where user namespaces cannot be made, the error names the sysctl. A user
/// namespace whose user.max_user_namespaces is 0 stands in for a system that
/// forbids them (the limit is per user namespace, so the host's stays as is).
#[test]
fn disabled_user_namespaces_name_the_sysctl() {
    let d = Dir::new("disabled");
    let (_, out, err) = sh_in(
        &d,
        r#"unshare --user --map-root-user sh -c 'echo 0 > /proc/sys/user/max_user_namespaces && $NLUA --sandbox -e "print(1)"; echo rc=$?'"#,
    );
    assert_eq!(out, "rc=1\n");
    assert_eq!(
        err,
        "nlua: --sandbox: cannot create a user namespace: No space left on device: the limit user.max_user_namespaces (0) is reached or zero; \
         raise it, e.g. `sysctl -w user.max_user_namespaces=15000`\n"
    );
}

/// README's first set-up command (`cargo run --release -- ARGS`) is safe for
/// anyone: its ARGS run as nobody, and README's test example passes the same
/// way; the world outside sees nothing of either.
#[test]
fn the_readme_examples_run_without_root() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let setup = readme.split("```sh\n").nth(1).unwrap().lines().next().unwrap();
    let args = setup.strip_prefix("cargo run --release -- ").expect("README's first command runs nlua through cargo run");
    assert!(args.starts_with("--sandbox "), "README's example runs in the sandbox: {setup}");
    let example = readme.split("```lua\ntest(").nth(1).expect("README shows a test").split("```").next().unwrap();
    let d = Dir::new("readme");
    d.file("readme_test.lua", &format!("test({example}"));
    // The command's files, copied where uid 65534 can read them.
    let script = args.split_whitespace().last().unwrap();
    std::fs::create_dir_all(d.0.join(script).parent().unwrap()).unwrap();
    std::fs::copy(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(script), d.0.join(script)).unwrap();
    {
        let p = d.0.join(script).parent().unwrap().to_path_buf();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let (ok, out, err) = sh_in(
        &d,
        &format!(
            r#"before=$(snap)
               $NOBODY $NLUA {args} | tail -n 1
               $NOBODY $NLUA --sandbox --test readme_test.lua | tail -n 1
               [ "$before" = "$(snap)" ] && echo same world || snap"#
        ),
    );
    assert!(ok, "{err}");
    assert_eq!(out, "lab torn down: 0 namespaces left\n1 passed, 0 failed\nsame world\n", "stderr: {err}");
}

/// Directories the sandbox needs but the world lacks (/run/netns, a state
/// directory under another missing one) are made inside only: their parents
/// are covered by tmpfs showing what was there, and nothing is written outside.
#[test]
fn missing_directories_are_made_inside_only() {
    let d = Dir::new("dirs");
    let (ok, out, err) = sh_in(
        &d,
        r#"mkdir -p /run/a && echo kept > /run/a/f && chmod -R a+rX /run
           before=$(snap; ls -AR /run)
           NLUA_STATE_DIR=/run/a/state/nlua $NOBODY $NLUA --sandbox -e 'netns.add("x")
             print((io.popen("ls -A /run /run/a /run/netns /run/a/state/nlua; cat /run/a/f"):read("a"):gsub("\n+", " ")))'
           [ "$before" = "$(snap; ls -AR /run)" ] && echo same world || ls -AR /run"#,
    );
    assert!(ok, "{err}");
    assert_eq!(out, "/run: a netns /run/a: f state /run/a/state/nlua: /run/netns: x kept \nsame world\n", "stderr: {err}");
}

/// `netns.add{...}` is all or nothing: the sandbox's user namespace allows
/// only four network namespaces (the sandbox's own and three), so one of
/// ten names fails with ENOSPC (named), and the ones made by the same call
/// are deleted again.
#[test]
fn a_list_of_namespaces_that_cannot_all_be_made_leaves_none() {
    let d = Dir::new("nsmany");
    d.file(
        "many.lua",
        r#"
local f = assert(io.open("/proc/sys/user/max_net_namespaces", "w"))
f:write("4\n") f:close()
local names = {}
for i = 1, 10 do names[i] = "q" .. i end
local ok, err = pcall(netns.add, names)
-- Which name meets the limit depends on which thread gets there first.
print(ok, err.code, err.op:match("^netns add q%d+$") ~= nil)
print("left: " .. #netns.list())
-- (The three deleted ones count until the kernel has freed them.)
f = assert(io.open("/proc/sys/user/max_net_namespaces", "w"))
f:write("20\n") f:close()
local two = netns.add{"r1", "r2"}
print(two[1].name, two[2].name, #netns.list())
"#,
    );
    let (ok, out, err) = sh_in(&d, "$NOBODY $NLUA --sandbox many.lua; echo rc=$?");
    assert!(ok, "{err}");
    assert_eq!(out, "false\tENOSPC\ttrue\nleft: 0\nr1\tr2\t2\nrc=0\n", "stderr: {err}");
}
