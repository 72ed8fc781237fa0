//! The REPL through a pseudo-terminal, the way a person uses it: each session
//! is nlua with no script on a terminal, in fresh network and mount namespaces
//! (a private /run), with its own state directory for the history.

mod common;

use common::Dir;
use common::pty::{Pty, Screen};

const PROMPT: &str = "nlua> ";

/// A state directory of the test's own (XDG_STATE_HOME and HOME), removed after.
fn state_dir(name: &str) -> Dir {
    Dir::new(&format!("repl-{name}"))
}

fn session(state: &Dir) -> Pty {
    let s = state.path().to_str().unwrap();
    let mut p = Pty::spawn(&[], &[("XDG_STATE_HOME", s), ("HOME", s)]);
    p.expect(PROMPT);
    p
}

/// Type a line and return what it printed before the next prompt.
fn line(p: &mut Pty, text: &str) -> String {
    p.send(&format!("{text}\r"));
    let out = p.expect(PROMPT);
    // drop the echoed line itself
    let out = out.split_once('\n').map(|(_, rest)| rest).unwrap_or("");
    out.strip_suffix(PROMPT).unwrap_or(out).to_string()
}

fn bye(mut p: Pty) {
    p.send("\x04");
    let status = p.wait();
    assert!(status.success(), "nlua exited with {status}");
}

#[test]
fn expressions_print_errors_carry_their_position_and_the_loop_goes_on() {
    let st = state_dir("expr");
    let mut p = session(&st);
    assert_eq!(line(&mut p, "20 + 22"), "42\n");
    // values are tab-separated (the terminal moves to the next tab stop)
    assert_eq!(line(&mut p, "=  'a' .. 'b', 2"), "ab      2\n");
    assert_eq!(line(&mut p, "error('boom')").lines().next(), Some("repl:1: boom"));
    assert_eq!(line(&mut p, "x = = 1"), "repl:1: unexpected symbol near '='\n");
    assert_eq!(line(&mut p, "local t = {b = {1, 2}, a = 'x'} t.self = t return t"), "{ a = \"x\", b = { 1, 2 }, self = <cycle> }\n");
    assert_eq!(line(&mut p, "{z = {y = {x = {w = {v = 1}}}}, [1] = 'one'}"), "{ [1] = \"one\", z = { y = { x = { w = {...} } } } }\n");
    // a Link reads as `ip link` does
    let lo = line(&mut p, "link.get('lo')");
    assert!(lo.starts_with("1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN"), "{lo}");
    assert!(lo.contains("\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00"), "{lo}");
    bye(p);
}

#[test]
fn a_list_of_links_prints_like_ip_br_link() {
    let st = state_dir("brief");
    let mut p = session(&st);
    line(&mut p, "link.add{name = 'alpha0', kind = 'veth', peer = {name = 'beta0'}}");
    line(&mut p, "link.get('alpha0'):up()");
    let ours = line(&mut p, "link.list()");
    let ip = line(&mut p, "os.execute('ip -br link')");
    let norm = |s: &str| s.lines().map(|l| l.trim_end().to_string()).filter(|l| !l.is_empty() && !l.starts_with("true")).collect::<Vec<_>>();
    assert_eq!(norm(&ours), norm(&ip), "nlua:\n{ours}\nip -br link:\n{ip}");
    assert_eq!(norm(&ours).len(), 3, "{ours}");
    let json = line(&mut p, ":json link.get('alpha0')");
    assert!(json.contains("\"ifname\": \"alpha0\""), "{json}");
    bye(p);
}

#[test]
fn a_function_definition_continues_over_lines() {
    let st = state_dir("multi");
    let mut p = session(&st);
    p.send("function twice(a)\r");
    p.expect(">> ");
    p.send("  return a * 2\r");
    p.expect(">> ");
    p.send("end\r");
    p.expect(PROMPT);
    assert_eq!(line(&mut p, "twice(21)"), "42\n");
    bye(p);
}

#[test]
fn tab_completes_module_functions_options_and_live_names() {
    let st = state_dir("complete");
    let mut p = session(&st);
    line(&mut p, "link.add{name = 'alpha0', kind = 'veth', peer = {name = 'beta0'}}");
    line(&mut p, "netns.add('blue')");
    // `link.` lists the module's functions (a second Tab lists them all)
    p.send("link.\t\t");
    let listed = p.expect("set");
    let words: Vec<&str> = listed.lines().last().unwrap().split_whitespace().collect();
    assert_eq!(words, ["add", "del", "get", "list", "set"], "{listed}");
    // Ctrl-C drops the line (the list left it on a line of its own)
    p.send("\x03");
    p.expect("link.\nnlua> ");
    // a live link name inside link.get(", completed with its closing quote
    p.send("link.get(\"al\t)\r");
    let out = p.expect(PROMPT);
    assert!(out.contains("link.get(\"alpha0\")"), "{out}");
    assert!(out.contains(": alpha0@beta0: <BROADCAST,MULTICAST,M-DOWN>"), "{out}");
    // a named namespace inside netns.open("
    p.send("netns.open('bl\t)\r");
    assert!(p.expect(PROMPT).contains("Netns(blue)"));
    // option names of the kind being written; and the signature hint
    p.send("link.add{name = 'vx0', kind = 'vxlan', dstp\t");
    p.shows("kind = 'vxlan', dstport=");
    p.send("4789, id = 42");
    p.shows("4789, id = 42  -- link.add(opts: LinkAddOpts) -> Link, Link");
    p.send("}\r");
    let out = p.expect(PROMPT);
    assert!(out.contains(": vx0: <BROADCAST,MULTICAST> mtu "), "{out}");
    assert!(!out.contains("-- link.add"), "the hint goes when the line is entered: {out}");
    // methods of a variable's object
    line(&mut p, "v = link.get('alpha0')");
    p.send("v:addr_\t\t");
    let listed = p.expect("addr_replace");
    assert!(listed.contains("addr_add") && listed.contains("addr_del") && listed.contains("addr_flush"), "{listed}");
    p.send("\x03");
    p.expect("v:addr_\nnlua> ");
    bye(p);
}

#[test]
fn history_persists_across_sessions_once_per_entry() {
    let st = state_dir("history");
    let mut p = session(&st);
    assert_eq!(line(&mut p, "print('hist' .. 'ory ok')"), "history ok\n");
    line(&mut p, "x = 1");
    line(&mut p, "print('hist' .. 'ory ok')");
    bye(p);
    let file = std::fs::read_to_string(st.path().join("nlua/history")).unwrap();
    assert_eq!(file, "#V2\nx = 1\nprint('hist' .. 'ory ok')\n");
    // the next session recalls it with Up
    let mut p = session(&st);
    p.send("\x1b[A\r");
    let out = p.expect(PROMPT);
    assert!(out.contains("history ok\n"), "{out}");
    bye(p);
    // without XDG_STATE_HOME: ~/.local/state/nlua/history
    let home = state_dir("home");
    let h = home.path().to_str().unwrap();
    let mut p = Pty::spawn(&[], &[("XDG_STATE_HOME", ""), ("HOME", h)]);
    p.expect(PROMPT);
    line(&mut p, "y = 2");
    bye(p);
    assert_eq!(std::fs::read_to_string(home.path().join(".local/state/nlua/history")).unwrap(), "#V2\ny = 2\n");
}

#[test]
fn ctrl_c_interrupts_a_running_chunk_and_cancels_a_line() {
    let st = state_dir("interrupt");
    let mut p = session(&st);
    p.send("print('spin' .. 'ning') while true do end\r");
    // the chunk is running (the terminal is no longer raw) once it printed
    p.expect("spinning\n");
    p.send("\x03");
    let out = p.expect(PROMPT);
    assert!(out.contains("repl:1: interrupted"), "{out}");
    // a pcall inside the chunk cannot swallow it
    p.send("print('spin' .. 'again') while true do pcall(function() while true do end end) end\r");
    p.expect("spinagain\n");
    p.send("\x03");
    assert!(p.expect(PROMPT).contains("interrupted"));
    assert_eq!(line(&mut p, "20 + 22"), "42\n");
    // inside ns:run the namespace is left on the way out; background processes live on
    line(&mut p, "blue = netns.add('blue') bg = blue:spawn{'sleep', '1000'}");
    p.send("blue:run(function() print('in' .. 'side') while true do end end)\r");
    p.expect("inside\n");
    p.send("\x03");
    assert!(p.expect(PROMPT).contains("interrupted"));
    assert_eq!(line(&mut p, "bg:running(), netns.current() == blue"), "true    false\n");
    line(&mut p, "bg:kill('KILL') bg:wait()");
    // Ctrl-C on a line being edited drops it
    p.send("error('never')\x03");
    p.expect(PROMPT);
    assert_eq!(line(&mut p, "1 + 1"), "2\n");
    assert!(!p.transcript().contains("repl:1: never"));
    bye(p);
}

#[test]
fn the_prompt_names_the_namespace_and_help_reads_the_stubs() {
    let st = state_dir("prompt");
    let mut p = session(&st);
    // a nested REPL inside ns:run, then back
    line(&mut p, "blue = netns.add('blue')");
    p.send("blue:run(repl)\r");
    p.expect("nlua(blue)> ");
    p.send("link.add{name = 'inblue', kind = 'veth', peer = {name = 'bluepeer'}}\r");
    p.expect("nlua(blue)> ");
    p.send("\x04");
    p.expect(PROMPT);
    // back home; a Netns completes the names of its own links
    assert_eq!(line(&mut p, "#link.list()"), "1\n");
    p.send("blue:link('inb\t)\r");
    let out = p.expect(PROMPT);
    assert!(out.contains("blue:link('inblue')") && out.contains(": inblue@bluepeer: <"), "{out}");
    // after netns.enter
    p.send("netns.enter(netns.add('red'))\r");
    p.expect("Netns(red)\nnlua(red)> ");
    p.send("#link.list()\r");
    p.expect("1\nnlua(red)> ");
    p.send("help(link.add)\r");
    let h = p.expect("nlua(red)> ");
    assert!(h.contains("link.add(opts: LinkAddOpts) -> Link, Link\n  Create a link"), "{h}");
    p.send(".help\r");
    assert!(p.expect("nlua(red)> ").contains("Ctrl-C"));
    bye(p);
}

/// The test terminal itself: repaints overwrite, erases erase, and a cursor
/// position query is answered.
#[test]
fn the_test_screen_plays_repaints() {
    let mut s = Screen::default();
    s.feed(b"nlua> ab\r\x1b[Knlua> abc  -- hint\r\x1b[9C\r\n42\r\n");
    s.feed(b"nlua> \x1b[6");
    s.feed("n\u{e9}".as_bytes());
    assert_eq!(s.text(), "nlua> abc  -- hint\n42\nnlua> \u{e9}");
    assert_eq!(s.replies, b"\x1b[3;7R");
}

/// netns.enter changes nothing on the system: the journal records the
/// namespace and the link made in it, not the move, and `--down` undoes them.
#[test]
fn netns_enter_leaves_no_journal_record() {
    let n = common::nlua_bin();
    let n = n.display();
    let chunk = "netns.enter(netns.add('red')) link.add{name = 'v0', kind = 'veth', peer = {name = 'v1'}}";
    let script = format!("{n} --trace --name t -e \"{chunk}\" && ip -n red -br link && {n} --down t && echo netns: && ip netns list");
    let mut c = std::process::Command::new("sh");
    c.arg("-c").arg(script);
    common::isolate(&mut c);
    let o = c.output().unwrap();
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{out}\n{err}");
    let traced: Vec<&str> = err.lines().filter(|l| l.starts_with("+ ")).collect();
    assert_eq!(traced.len(), 2, "{err}");
    assert!(traced[0].contains("netns add red") && traced[1].contains("-n red link add name v0"), "{err}");
    assert!(out.contains("v0@v1"), "{out}");
    assert!(out.trim_end().ends_with("netns:"), "red is gone after --down: {out}");
}
