//! The Lua-level tests under tests/lua/ run through `nlua --test`, one
//! `#[test]` per file, so the runner itself is exercised on every run: each
//! file's tests run in worlds of their own inside an isolated world (fresh
//! network and mount namespaces, a private /run). A failing Lua test shows
//! in the failing `#[test]`'s message as the runner printed it: its name,
//! the failure at its line, and the traceback.

mod common;

/// Run `nlua --test ARGS` in an isolated world; (exit ok, stdout, stderr).
fn run_tests(args: &[&str]) -> (bool, String, String) {
    let mut all = vec!["--test"];
    all.extend_from_slice(args);
    common::outcome(&common::nlua(&all))
}

/// `N passed, 0 failed` with N the number of `ok` lines, and nothing skipped.
fn assert_all_passed(out: &str, err: &str, ok: bool) -> usize {
    let last = out.lines().last().unwrap_or("");
    let oks = out.lines().filter(|l| l.starts_with("ok ")).count();
    assert!(ok && oks > 0 && last == format!("{oks} passed, 0 failed"), "nlua --test failed:\n{out}\nstderr:\n{err}");
    oks
}

macro_rules! lua_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lua/", stringify!($name), "_test.lua");
                let (ok, out, err) = run_tests(&[path]);
                assert_all_passed(&out, &err, ok);
            }
        )*
        /// The files listed, for the completeness check below.
        const LISTED: &[&str] = &[$(stringify!($name)),*];
    };
}

// One line per file (tests/lua/NAME_test.lua), so branches adding files merge cleanly.
lua_tests!(
    link_basics,
    addr_basics,
    errors,
    route_basics,
    route_batch,
    rule_basics,
    neigh_basics,
    routing_errors,
    routing_flush_del,
    tc_qdisc,
    tc_filter,
    tc_errors,
    netns_basics,
    netns_run,
    netns_process,
    netns_errors,
    netns_lifetime,
    netns_mounts,
    monitor_basics,
    monitor_errors,
    assertions,
    fixtures,
);

/// Every file in tests/lua/ is a `*_test.lua` (so the runner finds it) and is
/// listed above (a new file cannot be forgotten).
#[test]
fn every_script_is_listed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lua");
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        let stem = name.strip_suffix("_test.lua");
        assert!(stem.is_some(), "tests/lua/{name}: name test files NAME_test.lua (nlua --test finds only those)");
        assert!(LISTED.contains(&stem.unwrap()), "tests/lua/{name} is not in lua_tests!");
    }
}

/// The whole directory at once, files in parallel: every file is found and
/// the totals are the sum of the files' tests.
#[test]
fn the_whole_directory_in_parallel() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lua");
    let (ok, out, err) = run_tests(&[dir, "--jobs", "3"]);
    let n = assert_all_passed(&out, &err, ok);
    let headers: Vec<&str> = out.lines().filter(|l| l.starts_with("# ")).collect();
    let mut want: Vec<String> = LISTED.iter().map(|s| format!("# {dir}/{s}_test.lua")).collect();
    want.sort();
    assert_eq!(headers, want, "one header per file, in file order");
    let numbers: Vec<usize> = out.lines().filter_map(|l| l.strip_prefix("ok ")?.split(' ').next()?.parse().ok()).collect();
    assert_eq!(numbers, (1..=n).collect::<Vec<_>>(), "tests numbered in print order");
}
