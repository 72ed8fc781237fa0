//! An editor-grade checker (emmylua_check, from crates.io; `.ci/run` installs
//! it) reads the scripts against the LuaLS stubs in lua/types through the
//! repository's `.luarc.json`: scripts/ must check clean (no warning at all),
//! tests/lua must have no error, and the checker must really see the stubs (a
//! wrong call is caught).

mod common;

use std::path::PathBuf;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The checker: $NLUA_EMMYLUA_CHECK, on PATH, or in ~/.cargo/bin.
fn checker() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NLUA_EMMYLUA_CHECK") {
        return Some(p.into());
    }
    let on_path = std::env::var_os("PATH").into_iter().flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let home = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin"));
    on_path.chain(home).map(|d| d.join("emmylua_check")).find(|p| p.is_file())
}

/// Run the checker on `dir` with the repository's config; (success, output).
fn check(dir: &str, extra: &[&str]) -> Option<(bool, String)> {
    let Some(bin) = checker() else {
        // CI installs it; a developer without it is told how to get it.
        assert!(std::env::var_os("CI").is_none(), "emmylua_check is not installed (.ci/run installs it)");
        eprintln!("luals: emmylua_check not found: `cargo install --locked emmylua_check` to run this check");
        return None;
    };
    let o = Command::new(bin).current_dir(ROOT).args(["-c", ".luarc.json", dir]).args(extra).output().unwrap();
    Some((o.status.success(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))))
}

#[test]
fn scripts_check_clean_against_the_stubs() {
    if let Some((ok, out)) = check("scripts", &["--warnings-as-errors"]) {
        assert!(ok && out.contains("No issues found"), "{out}");
    }
}

#[test]
fn test_scripts_have_no_errors() {
    if let Some((ok, out)) = check("tests/lua", &["--severity", "error"]) {
        assert!(ok && out.contains("No issues found"), "{out}");
    }
}

/// The checker reads the stubs: a misspelt method and an option of the wrong
/// type are caught.
#[test]
fn the_checker_sees_the_stubs() {
    let dir = common::Dir::new("luals");
    dir.file("bad.lua", "local l = link.get(\"x\")\nl:frobnicate()\nlink.add{name = 1, kind = \"veth\"}\n");
    let res = check(dir.path().to_str().unwrap(), &["--warnings-as-errors"]);
    if let Some((ok, out)) = res {
        assert!(!ok, "{out}");
        assert!(out.contains("Undefined field `frobnicate`"), "{out}");
        assert!(out.contains("Cannot assign `integer` to `string`"), "{out}");
    }
}
