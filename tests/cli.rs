//! The `nlua` command behaves like the `lua` interpreter (each run in fresh
//! network and mount namespaces).

mod common;

use common::{Dir, nlua, nlua_stdin, ok_stdout};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A script file in a directory of its own (removed with the Dir) and its path.
fn tmp_script(name: &str, body: &str) -> (Dir, String) {
    let d = Dir::new(name);
    d.file(name, body);
    let p = d.path().join(name).display().to_string();
    (d, p)
}

#[test]
fn version_flag() {
    let o = nlua(&["-v"]);
    assert_eq!(ok_stdout(&o), format!("nlua {} (Lua 5.4)\n", env!("CARGO_PKG_VERSION")));
    assert!(ok_stdout(&nlua(&["--version"])).starts_with("nlua "));
}

#[test]
fn exec_chunks_in_order() {
    assert_eq!(ok_stdout(&nlua(&["-e", "x = 40", "-e", "print(x + 2)"])), "42\n");
}

#[test]
fn script_gets_arg_table_and_varargs() {
    let (_d, p) = tmp_script("args.lua", "print(arg[0], arg[1], arg[2], select('#', ...), ...)\n");
    let out = ok_stdout(&nlua(&[&p, "a", "-b"]));
    assert_eq!(out, format!("{p}\ta\t-b\t2\ta\t-b\n"));
}

#[test]
fn shebang_line_is_skipped_and_lines_stay_right() {
    let (_d, p) = tmp_script("shebang.lua", "#!/usr/bin/env nlua\nprint('hi')\nerror('boom')\n");
    let o = nlua(&[&p]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "hi\n");
    assert!(stderr(&o).starts_with(&format!("nlua: {p}:3: boom\nstack traceback:")), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn dash_reads_the_script_from_stdin() {
    assert_eq!(ok_stdout(&nlua_stdin(&["-", "x"], Some("print('from stdin', ...)"))), "from stdin\tx\n");
    // no arguments and stdin not a terminal: run stdin, like lua
    assert_eq!(ok_stdout(&nlua_stdin(&[], Some("print(1 + 1)"))), "2\n");
}

#[test]
fn require_library_with_l() {
    let out = ok_stdout(&nlua(&["-l", "nlua.inspect", "-e", "print(inspect({b = 1, a = {1, 2}}))"]));
    assert_eq!(out, "{ a = { 1, 2 }, b = 1 }\n");
}

#[test]
fn uncaught_engine_error_reports_position_message_and_traceback() {
    let o = nlua(&["-e", "local x = 1\nlink.get('nosuch')"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.starts_with("nlua: (command line):2: link show dev nosuch: No such device (ENODEV)\nstack traceback:\n"), "{e}");
    assert!(e.contains("in field 'get'"), "{e}");
}

#[test]
fn syntax_error_and_missing_file_exit_1() {
    let o = nlua(&["-e", "x = = 1"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "nlua: (command line):1: unexpected symbol near '='\n");
    let (_d, p) = tmp_script("syntax.lua", "local a = 1\nx = = 1\n");
    let o = nlua(&[&p]);
    assert_eq!((o.status.code(), stderr(&o)), (Some(1), format!("nlua: {p}:2: unexpected symbol near '='\n")));
    let o = nlua(&["/nonexistent/x.lua"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "nlua: cannot open /nonexistent/x.lua: No such file or directory (ENOENT)\n");
}

#[test]
fn interactive_after_script_reads_stdin_lines() {
    let out = ok_stdout(&nlua_stdin(&["-i", "-e", "y = 20"], Some("y + 1\nfunction f(a)\n  return a * 2\nend\n=f(21)\n")));
    assert!(out.contains("21\n") && out.contains("42\n"), "{out}");
}

#[test]
fn links_print_like_ip_link_from_the_command_line() {
    // In a fresh namespace only lo exists; the full comparison with several
    // kinds of links is in tests/oracle_link.rs.
    let out = ok_stdout(&nlua(&["-e", "for _, l in ipairs(link.list()) do print(l) end"]));
    assert_eq!(out, "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n");
}

#[test]
fn arg_table_holds_the_whole_command_line_like_lua() {
    let bin = common::nlua_bin().display().to_string();
    let (_d, p) = tmp_script("argv.lua", "print(arg[-3], arg[-2], arg[-1], arg[0], arg[1], #arg)\n");
    assert_eq!(ok_stdout(&nlua(&["-e", "x=1", &p, "q"])), format!("{bin}\t-e\tx=1\t{p}\tq\t1\n"));
    // no script: the interpreter is arg[0] and the options follow it
    let out = ok_stdout(&nlua(&["-e", "print(#arg, arg[0], arg[1], arg[-1])"]));
    assert_eq!(out, format!("2\t{bin}\t-e\tnil\n"));
}

#[test]
fn options_end_at_double_dash_and_unknown_options_are_refused() {
    let d = Dir::new("dash");
    d.file("-dash.lua", "print('ran', ...)\n");
    let mut c = std::process::Command::new(common::nlua_bin());
    c.current_dir(d.path()).args(["--", "-dash.lua", "z"]);
    let o = common::isolate(&mut c).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "ran\tz\n");
    let o = nlua(&["-x"]);
    assert_eq!((o.status.code(), stderr(&o)), (Some(1), "nlua: unrecognized option '-x' (try --help)\n".to_string()));
    // a usage error exits 1 like lua's, not clap's 2; help exits 0
    let o = nlua(&["-e"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("'-e <CHUNK>'"), "{}", stderr(&o));
    assert_eq!(nlua(&["--help"]).status.code(), Some(0));
}

#[test]
fn l_takes_global_equals_module() {
    assert_eq!(ok_stdout(&nlua(&["-l", "i=nlua.inspect", "-e", "print(i({1}), type(inspect))"])), "{ 1 }\tnil\n");
    let o = nlua(&["-l", "nosuchmod"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("nlua: module 'nosuchmod' not found:"), "{}", stderr(&o));
}

#[test]
fn error_objects_that_are_not_messages_read_like_lua() {
    for (chunk, first_line) in [
        ("error({x = 1})", "nlua: (command line):1: (error object is a table value)"),
        ("error(nil)", "nlua: (command line):1: (error object is a nil value)"),
        ("error(42)", "nlua: 42"),
        ("error(true)", "nlua: (command line):1: (error object is a boolean value)"),
        ("error(setmetatable({}, {__tostring = function() return 'custom' end}))", "nlua: (command line):1: custom"),
    ] {
        let o = nlua(&["-e", chunk]);
        assert_eq!(o.status.code(), Some(1), "{chunk}");
        let e = stderr(&o);
        assert_eq!(e.lines().next(), Some(first_line), "{chunk}: {e}");
        assert!(e.contains("stack traceback:"), "{chunk}: {e}");
    }
}

#[test]
fn os_exit_sets_the_status() {
    assert_eq!(nlua(&["-e", "os.exit(3)"]).status.code(), Some(3));
    assert_eq!(nlua(&["-e", "os.exit(false)"]).status.code(), Some(1));
    assert_eq!(nlua(&["-e", "os.exit(true)"]).status.code(), Some(0));
    assert_eq!(nlua(&["-e", "print(1)"]).status.code(), Some(0));
}
