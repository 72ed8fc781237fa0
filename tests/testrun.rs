//! `nlua --test` (issue 8): what it prints (text, strict TAP 14 read back by
//! Perl's TAP::Parser, JUnit XML read back by Python's XML parser), that each
//! test gets a fresh world and leaves nothing (links, namespaces, processes,
//! files under /run), hooks, selection, parallel files, and failures of every
//! kind. Each case runs the runner inside an isolated world of its own.

mod common;

use common::Dir;

/// Run `script` (sh) in an isolated world, in `dir`, with $NLUA the binary
/// under test; (exit ok, stdout, stderr).
fn sh_in(dir: &Dir, script: &str) -> (bool, String, String) {
    common::run(common::world_sh(script).current_dir(dir.path()))
}

/// Durations vary from run to run: "(12 ms)" reads "(N ms)", "duration_ms: 12" reads "duration_ms: N".
fn normalize(out: &str) -> String {
    let mut s = String::new();
    for line in out.lines() {
        let mut l = line.to_string();
        if let Some(i) = l.rfind(" ms)")
            && let Some(j) = l[..i].rfind('(')
            && l[j + 1..i].chars().all(|c| c.is_ascii_digit())
        {
            l = format!("{}(N ms){}", &l[..j], &l[i + 4..]);
        }
        if let Some(i) = l.find("duration_ms: ") {
            l = format!("{}duration_ms: N", &l[..i]);
        }
        s.push_str(&l);
        s.push('\n');
    }
    s
}

const REPORT: &str = r#"test("passes", function(t) t:eq(1, 1) end)
test("a table differs", function(t)
  print("printed by the test")
  t:eq({mtu = 1400, name = "v0"}, {mtu = 1500, name = "v0"})
end)
test("a kernel error", function(t)
  link.add{name = "v0", kind = "veth", peer = {name = "v1"}}
  link.add{name = "v0", kind = "veth", peer = {name = "v1"}}
end)
skip("not yet", function(t) error("never runs") end)
test("skips itself", function(t) t:skip("no netem here") end)
describe("group", function()
  describe("inner", function()
    test("nested # name", function(t) t:ok(true) end)
  end)
end)
"#;

#[test]
fn one_line_per_test_failures_with_message_traceback_and_output() {
    let d = Dir::new("report");
    d.file("report_test.lua", REPORT);
    let (ok, out, err) = sh_in(&d, "$NLUA --test .");
    assert!(!ok, "a failure makes the exit status 1");
    assert_eq!(err, "");
    assert_eq!(
        normalize(&out),
        "# report_test.lua
ok 1 - passes (N ms)
not ok 2 - a table differs (N ms)
  report_test.lua:4: t:eq: tables differ
    .mtu: got 1400, want 1500
  stack traceback:
      report_test.lua:4: in function <report_test.lua:2>
  output:
    printed by the test
not ok 3 - a kernel error (N ms)
  report_test.lua:8: link add v0 type veth peer name v1: File exists (EEXIST)
  stack traceback:
      [C]: in field 'add'
      report_test.lua:8: in function <report_test.lua:6>
ok 4 - not yet # SKIP skipped
ok 5 - skips itself # SKIP no netem here
ok 6 - group > inner > nested # name (N ms)
2 passed, 2 failed, 2 skipped
"
    );
    let (ok, out, _) = sh_in(&d, "$NLUA --test report_test.lua --filter passes; echo rc=$?");
    assert!(ok);
    assert_eq!(normalize(&out), "# report_test.lua\nok 1 - passes (N ms)\n1 passed, 0 failed\nrc=0\n", "no skipped count when none");
}

#[test]
fn tap_is_strict_tap_14() {
    let d = Dir::new("tap");
    d.file("report_test.lua", REPORT);
    let (_, out, _) = sh_in(&d, "$NLUA --test --tap . > out.tap; echo rc=$?; cat out.tap");
    assert_eq!(
        normalize(&out),
        r#"rc=1
TAP version 14
# report_test.lua
ok 1 - passes
not ok 2 - a table differs
  ---
  message: |
    report_test.lua:4: t:eq: tables differ
      .mtu: got 1400, want 1500
  severity: fail
  file: "report_test.lua"
  duration_ms: N
  traceback: |
    stack traceback:
        report_test.lua:4: in function <report_test.lua:2>
  output: |
    printed by the test
  ...
not ok 3 - a kernel error
  ---
  message: |
    report_test.lua:8: link add v0 type veth peer name v1: File exists (EEXIST)
  severity: fail
  file: "report_test.lua"
  duration_ms: N
  traceback: |
    stack traceback:
        [C]: in field 'add'
        report_test.lua:8: in function <report_test.lua:6>
  ...
ok 4 - not yet # SKIP skipped
ok 5 - skips itself # SKIP no netem here
ok 6 - group > inner > nested \# name
1..6
# 2 passed, 2 failed, 2 skipped
"#
    );
    // A TAP consumer reads it without a parse error. Perl's TAP::Parser knows
    // TAP 13, which TAP 14 extends without changing anything used here.
    let (ok, parsed, err) = sh_in(
        &d,
        r#"sed 's/^TAP version 14$/TAP version 13/' out.tap > out13.tap
           perl -MTAP::Parser -e 'my $p = TAP::Parser->new({source => $ARGV[0]}); my $yaml = 0;
             while (my $r = $p->next) { $yaml++ if $r->is_yaml && $r->data->{message} =~ /tables differ|File exists/ }
             printf "tests=%d passed=%d failed=%d skipped=%d plan=%s yaml=%d errors=%s\n", $p->tests_run, scalar($p->passed),
               scalar($p->failed), scalar($p->skipped), $p->plan, $yaml, join("|", $p->parse_errors)' out13.tap"#,
    );
    assert!(ok, "{err}");
    assert_eq!(parsed, "tests=6 passed=4 failed=2 skipped=2 plan=1..6 yaml=2 errors=\n");
}

#[test]
fn junit_report_is_well_formed_xml_with_every_test() {
    let d = Dir::new("junit");
    d.file("report_test.lua", REPORT).file("other_test.lua", "test(\"fine & <good>\", function(t) print('x < y') end)\n");
    let (ok, out, err) = sh_in(
        &d,
        r#"$NLUA --test . --junit report.xml > /dev/null; echo rc=$?
           python3 -c '
import sys, xml.dom.minidom as m
d = m.parse("report.xml")
top = d.documentElement
print(top.tagName, top.getAttribute("tests"), top.getAttribute("failures"), top.getAttribute("skipped"))
for s in d.getElementsByTagName("testsuite"):
    print(" ", s.getAttribute("name"), s.getAttribute("tests"), s.getAttribute("failures"), s.getAttribute("skipped"))
    for c in s.getElementsByTagName("testcase"):
        kinds = [k.tagName + ":" + (k.getAttribute("message") or k.firstChild.data if k.firstChild else k.getAttribute("message")) for k in c.childNodes if k.nodeType == 1]
        print("   ", c.getAttribute("name"), c.getAttribute("classname"), kinds)
'"#,
    );
    assert!(ok, "{err}");
    assert_eq!(
        out,
        r#"rc=1
testsuites 7 2 2
  other_test.lua 1 0 0
    fine & <good> other_test.lua ['system-out:x < y\n']
  report_test.lua 6 2 2
    passes report_test.lua []
    a table differs report_test.lua ['failure:report_test.lua:4: t:eq: tables differ', 'system-out:printed by the test\n']
    a kernel error report_test.lua ['failure:report_test.lua:8: link add v0 type veth peer name v1: File exists (EEXIST)']
    not yet report_test.lua ['skipped:skipped']
    skips itself report_test.lua ['skipped:no netem here']
    group > inner > nested # name report_test.lua []
"#
    );
}

/// Two tests build the same names (a second run in a shared world would hit
/// EEXIST), start processes three ways, and the first fails: afterwards the
/// world the runner ran in has the same links, namespaces and /run, and no
/// process of theirs is alive.
#[test]
fn each_test_gets_a_fresh_world_and_leaves_nothing() {
    let d = Dir::new("world");
    d.file(
        "world_test.lua",
        r#"for _, n in ipairs{"first", "second"} do
  test(n, function(t)
    t:eq(#netns.list(), 0)
    t:eq(#link.list(), 1)
    local red = netns.add("red")
    local x0 = link.add{name = "x0", kind = "veth", up = true, peer = {name = "x1", netns = red}}
    x0:addr_add("10.9.0.1/24")
    route.add{dst = "10.10.0.0/16", gw = "10.9.0.2"}
    red:spawn{"sleep", "31337"}
    os.execute("setsid sleep 31338 >/dev/null 2>&1 &")
    os.execute("sleep 31339 >/dev/null 2>&1 &")
    nlua.defer(function() print("deferred cleanup ran") end)
    if n == "first" then error("fails after building") end
  end)
end
"#,
    );
    let (_, out, err) = sh_in(
        &d,
        r#"snap() { ip -br link; ip netns list; ip route; ls -A /run; }
           before=$(snap)
           $NLUA --test .; echo rc=$?
           pgrep -af 'slee[p] 3133[789]' && echo PROCESSES LEFT
           [ "$before" = "$(snap)" ] && echo same world"#,
    );
    assert_eq!(
        normalize(&out),
        "# world_test.lua
not ok 1 - first (N ms)
  world_test.lua:13: fails after building
  stack traceback:
      world_test.lua:13: in function <world_test.lua:2>
  output:
    deferred cleanup ran
ok 2 - second (N ms)
1 passed, 1 failed
rc=1
same world
",
        "stderr: {err}"
    );
}

#[test]
fn hooks_run_outer_to_inner_and_after_hooks_run_whatever_happens() {
    let d = Dir::new("hooks");
    let log = d.path().join("log");
    d.file(
        "hooks_test.lua",
        &format!(
            r#"local function log(s) local f = assert(io.open("{}", "a")); f:write(s, "\n"); f:close() end
before_each(function(t) log("before outer: " .. t.name) end)
after_each(function(t) log("after outer") end)
describe("g", function()
  before_each(function(t) log("before inner") end)
  after_each(function(t) log("after inner") end)
  test("passes", function(t)
    log("body")
    t:cleanup(function() log("cleanup 1") end)
    t:cleanup(function() log("cleanup 2") end)
  end)
  test("fails", function(t) log("body"); error("boom") end)
end)
describe("h", function()
  before_each(function(t) error("setup broke") end)
  test("never runs", function(t) log("body of never runs") end)
end)
"#,
            log.display()
        ),
    );
    let (_, out, _) = sh_in(&d, "$NLUA --test .; echo rc=$?");
    let out = normalize(&out);
    assert!(out.starts_with("# hooks_test.lua\nok 1 - g > passes (N ms)\nnot ok 2 - g > fails (N ms)\n  hooks_test.lua:12: boom\n"), "{out}");
    assert!(out.contains("not ok 3 - h > never runs (N ms)\n  hooks_test.lua:15: setup broke\n"), "{out}");
    assert!(out.ends_with("1 passed, 2 failed\nrc=1\n"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "before outer: g > passes\nbefore inner\nbody\nafter inner\nafter outer\ncleanup 2\ncleanup 1\n\
         before outer: g > fails\nbefore inner\nbody\nafter inner\nafter outer\n\
         before outer: h > never runs\nafter outer\n"
    );
}

#[test]
fn only_focuses_a_file_and_filter_selects_by_name_or_path() {
    let d = Dir::new("select");
    d.file("focus_test.lua", "test('a', function() end)\nonly('b', function() end)\ntest('c', function() end)\n");
    d.file("plain_test.lua", "test('x one', function() end)\ntest('y two', function() end)\n");
    let (ok, out, _) = sh_in(&d, "$NLUA --test .");
    assert!(ok);
    assert_eq!(
        normalize(&out),
        "# focus_test.lua\nok 1 - a # SKIP not marked only\nok 2 - b (N ms)\nok 3 - c # SKIP not marked only\n\
         # plain_test.lua\nok 4 - x one (N ms)\nok 5 - y two (N ms)\n3 passed, 0 failed, 2 skipped\n"
    );
    // (a --timeout too long for a clock is no limit; a file given twice runs once)
    let (_, out, _) = sh_in(&d, "$NLUA --test --filter two .; $NLUA --test plain_test.lua . --filter plain_ --timeout 1e300");
    assert_eq!(
        normalize(&out),
        "# plain_test.lua\nok 1 - y two (N ms)\n1 passed, 0 failed\n# plain_test.lua\nok 1 - x one (N ms)\nok 2 - y two (N ms)\n2 passed, 0 failed\n"
    );
}

/// With --jobs 2 the second file runs while the first waits for it: the
/// first opens a FIFO for reading, which blocks until the second opens it
/// for writing (with --jobs 1 it would wait until --timeout). The report
/// keeps file order.
#[test]
fn jobs_run_files_in_parallel_and_report_in_file_order() {
    let d = Dir::new("jobs");
    let fifo = d.path().join("fifo");
    d.file(
        "a_test.lua",
        &format!("test(\"waits for b\", function(t) t:eq(assert(io.open(\"{f}\")):read(\"a\"), \"from b\") end)\ntest(\"a second\", function() end)\n", f = fifo.display()),
    );
    d.file("b_test.lua", &format!("test(\"writes to a\", function() local f = assert(io.open(\"{}\", \"w\")); f:write(\"from b\"); f:close() end)\n", fifo.display()));
    let (ok, out, err) = sh_in(&d, "mkfifo fifo && $NLUA --test --jobs 2 --timeout 60 .");
    assert!(ok, "{out}{err}");
    assert_eq!(
        normalize(&out),
        "# a_test.lua\nok 1 - waits for b (N ms)\nok 2 - a second (N ms)\n# b_test.lua\nok 3 - writes to a (N ms)\n3 passed, 0 failed\n"
    );
    let (ok, out, _) = sh_in(&d, "$NLUA --test --jobs 1 --timeout 1 a_test.lua");
    assert!(!ok);
    assert!(normalize(&out).starts_with("# a_test.lua\nnot ok 1 - waits for b (N ms)\n  timed out: still running after 1 s (--timeout)\n"), "{out}");
}

#[test]
fn load_errors_exits_and_timeouts_fail_visibly() {
    let d = Dir::new("broken");
    d.file("syntax_test.lua", "test('x', function()\n  local = 1\nend)\n");
    d.file("dup_test.lua", "test('same', function() end)\ntest('same', function() end)\n");
    d.file("exit_test.lua", "test('exits', function() os.exit(3) end)\ntest('hangs', function() while true do end end)\n");
    d.file("empty_test.lua", "-- nothing yet\n");
    let (ok, out, _) = sh_in(&d, "$NLUA --test . --timeout 1");
    assert!(!ok);
    assert_eq!(
        normalize(&out),
        "# dup_test.lua
not ok 1 - (loading the file) (N ms)
  dup_test.lua:2: test: duplicate test name \"same\"
  stack traceback:
      dup_test.lua:2: in main chunk
# empty_test.lua
# no tests
# exit_test.lua
not ok 2 - exits (N ms)
  the test's process exited with status 3 before the test finished (os.exit?)
not ok 3 - hangs (N ms)
  timed out: still running after 1 s (--timeout)
# syntax_test.lua
not ok 4 - (loading the file) (N ms)
  syntax_test.lua:2: <name> expected near '='
0 passed, 4 failed
"
    );
}

/// test, describe and the hooks check their arguments when the file loads;
/// the file then fails to load, pointing at the bad call.
#[test]
fn registering_with_bad_arguments_fails_the_file_at_that_line() {
    let d = Dir::new("badreg");
    d.file("a_test.lua", "test(42, function() end)\n");
    d.file("b_test.lua", "test(\"x\", 5)\n");
    d.file("c_test.lua", "describe(\"\", function() end)\n");
    d.file("d_test.lua", "describe(\"g\", function()\n  after_each(\"x\")\nend)\n");
    let (ok, out, _) = sh_in(&d, "$NLUA --test .");
    assert!(!ok);
    let failures: Vec<&str> = out.lines().filter(|l| l.starts_with("  ") && l.contains(": argument #")).map(str::trim).collect();
    assert_eq!(
        failures,
        [
            "a_test.lua:1: test: argument #1: expected the test's name (a string), got 42",
            "b_test.lua:1: test: argument #2: expected the test function, got number",
            "c_test.lua:1: describe: argument #1: expected the group's name (a string), got \"\"",
            "d_test.lua:2: after_each: argument #1: expected a function, got string",
        ]
    );
    assert!(out.ends_with("0 passed, 4 failed\n"), "{out}");
}

#[test]
fn no_test_files_is_an_error() {
    let d = Dir::new("none");
    d.file("helper.lua", "return 1\n");
    let (ok, _, err) = sh_in(&d, "$NLUA --test .");
    assert!(!ok);
    assert_eq!(err, "nlua: --test: no *_test.lua files in .\n");
    let (ok, _, err) = sh_in(&d, "$NLUA --test nowhere");
    assert!(!ok);
    assert_eq!(err, "nlua: --test: nowhere: No such file or directory (os error 2)\n");
    // A usage error exits 1, as the interpreter's do; --help exits 0.
    let (_, out, err) = sh_in(&d, "$NLUA --test . --jobs x; echo rc=$?; $NLUA --test --help > /dev/null; echo rc=$?");
    assert_eq!(out, "rc=1\nrc=0\n");
    assert!(err.starts_with("error: invalid value 'x' for '--jobs <N>'"), "{err}");
}
