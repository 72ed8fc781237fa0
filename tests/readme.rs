//! The README's first Lua block (the ten-line lab) runs as shown, and prints
//! what its `-->` comment says; the set-up block keeps `cargo test` where
//! .ci/run reads it.

mod common;

const README: &str = include_str!("../README.md");

/// The body of the first fenced block that opens with "```{lang}".
fn block(lang: &str) -> &'static str {
    let open = format!("```{lang}\n");
    let start = README.find(&open).unwrap_or_else(|| panic!("no {lang} block")) + open.len();
    &README[start..start + README[start..].find("```").unwrap()]
}

#[test]
fn setup_block_has_the_test_command_third() {
    let text = format!("```sh\n{}", block("sh"));
    assert_eq!(text.lines().nth(2), Some("cargo test"), "{text}");
}

#[test]
fn the_ten_line_lab_runs_as_shown() {
    let lab = block("lua");
    assert!(lab.lines().count() <= 10, "{lab}");
    let dir = common::Dir::new("readme");
    dir.file("topo.lua", lab);
    let o = common::nlua(&[dir.path().join("topo.lua").to_str().unwrap()]);
    let out = common::ok_stdout(&o);
    assert!(out.contains("1 packets transmitted, 1 received"), "{out}");
    let want = lab.lines().last().unwrap().split_once("--> ").unwrap().1;
    assert_eq!(out.lines().last(), Some(want), "{out}");
}
