//! Shared test helpers. Every test runs in network namespaces of its own:
//! in-process tests on a thread that unshared its network namespace, CLI and Lua
//! tests in a child process with fresh network and mount namespaces and a
//! private tmpfs on /run (so /run/netns and /run/nlua are its own). Nothing here
//! touches the host's links, routes or /run/netns.
#![allow(dead_code)]

pub mod bpf;
pub mod pty;

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Output};

use nix::mount::{MsFlags, mount};
use nix::sched::{CloneFlags, unshare};

/// Run `f` on a new thread inside a fresh network namespace with lo up.
pub fn in_netns<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(move || {
        unshare(CloneFlags::CLONE_NEWNET).expect("unshare(CLONE_NEWNET): tests need root (CAP_SYS_ADMIN)");
        sh("ip link set lo up");
        f()
    })
    .join()
    .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// A fresh network namespace (lo down), kept alive by the returned descriptor.
pub fn fresh_ns() -> nlua::engine::NsInfo {
    std::thread::spawn(|| {
        unshare(CloneFlags::CLONE_NEWNET).expect("unshare(CLONE_NEWNET)");
        nlua::engine::NsInfo::current().unwrap()
    })
    .join()
    .unwrap()
}

/// Run a shell command in the caller's namespaces; panic with its stderr on failure.
pub fn sh(cmd: &str) -> String {
    let o = Command::new("sh").arg("-c").arg(cmd).output().expect("spawn sh");
    assert!(o.status.success(), "`{cmd}` failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).expect("utf8")
}

/// `ip -batch -` fed `commands` (one per line) in the caller's namespaces;
/// panics with ip's stderr on failure.
pub fn ip_batch(commands: &str) {
    use std::io::Write;
    let mut child = Command::new("ip")
        .args(["-batch", "-"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn ip");
    child.stdin.take().unwrap().write_all(commands.as_bytes()).unwrap();
    let o = child.wait_with_output().expect("wait ip");
    assert!(o.status.success(), "ip -batch failed: {}", String::from_utf8_lossy(&o.stderr));
}

/// `ip ARGS` (split on spaces).
pub fn ip(args: &str) -> String {
    sh(&format!("ip {args}"))
}

/// `ip -j ARGS` parsed.
pub fn ip_json(args: &str) -> serde_json::Value {
    serde_json::from_str(&sh(&format!("ip -j {args}"))).expect("ip -j output is JSON")
}

/// The nlua binary under test.
pub fn nlua_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_nlua"))
}

/// Make `cmd` start in fresh network and mount namespaces with a private
/// tmpfs on /run (so /run/netns and the state dir are its own); lo is
/// down, as in any new namespace (scripts bring it up).
pub fn isolate(cmd: &mut Command) -> &mut Command {
    // SAFETY: only async-signal-safe system calls run between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            unshare(CloneFlags::CLONE_NEWNET | CloneFlags::CLONE_NEWNS)?;
            mount(None::<&str>, "/", None::<&str>, MsFlags::MS_REC | MsFlags::MS_PRIVATE, None::<&str>)?;
            mount(Some("tmpfs"), "/run", Some("tmpfs"), MsFlags::empty(), Some("mode=0755"))?;
            Ok(())
        })
    }
}

/// Make `cmd` start in a fresh mount namespace with a private tmpfs on /run
/// (the state dir) while it stays in the caller's network namespace: for runs
/// that must see links a test made with `in_netns`.
pub fn private_run(cmd: &mut Command) -> &mut Command {
    // SAFETY: only async-signal-safe system calls run between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            unshare(CloneFlags::CLONE_NEWNS)?;
            mount(None::<&str>, "/", None::<&str>, MsFlags::MS_REC | MsFlags::MS_PRIVATE, None::<&str>)?;
            mount(Some("tmpfs"), "/run", Some("tmpfs"), MsFlags::empty(), Some("mode=0755"))?;
            Ok(())
        })
    }
}

/// `sh -c SCRIPT`, to start in an isolated world (see [`isolate`]) with
/// $NLUA the binary under test and $ROOT the source tree; give it a
/// directory or more variables, then [`run`] it.
pub fn world_sh(script: &str) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c").arg(script).env("NLUA", nlua_bin()).env("ROOT", env!("CARGO_MANIFEST_DIR")).env_remove("NLUA_RUNTIME");
    isolate(&mut c);
    c
}

/// Run `cmd` to its end: (exit ok, stdout, stderr).
pub fn run(cmd: &mut Command) -> (bool, String, String) {
    outcome(&cmd.output().expect("spawn"))
}

/// A finished run as (exit ok, stdout, stderr).
pub fn outcome(o: &Output) -> (bool, String, String) {
    (o.status.success(), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// Run nlua with `args` in an isolated world; returns its output.
pub fn nlua(args: &[&str]) -> Output {
    nlua_stdin(args, None)
}

/// Like [`nlua`], feeding `stdin`.
pub fn nlua_stdin(args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut c = Command::new(nlua_bin());
    c.args(args).env_remove("NLUA_RUNTIME");
    c.stdin(if stdin.is_some() { std::process::Stdio::piped() } else { std::process::Stdio::null() });
    c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    isolate(&mut c);
    let mut child = c.spawn().expect("spawn nlua");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    child.wait_with_output().expect("wait nlua")
}

/// stdout of a run that must succeed.
pub fn ok_stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "nlua failed ({}):\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Find the entry of an `ip -j` array whose `ifname` is `name`.
pub fn by_ifname<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v.as_array()
        .and_then(|a| a.iter().find(|x| x["ifname"] == name))
        .unwrap_or_else(|| panic!("no {name} in {v}"))
}

/// A captured iproute2 request (tests/fixtures/netlink/NAME.hex).
pub struct Fixture {
    /// The command that made it.
    pub cmd: String,
    /// (nlmsg_type, nlmsg_flags, bytes after the netlink header), in send order.
    pub msgs: Vec<(u16, u16, Vec<u8>)>,
}

impl Fixture {
    /// The last message of type `ty` (the mutation, after any lookups).
    pub fn last(&self, ty: u16) -> (u16, &[u8]) {
        let (_, f, p) = self.msgs.iter().rev().find(|(t, _, _)| *t == ty).unwrap_or_else(|| panic!("no type {ty} in `{}`", self.cmd));
        (*f, p)
    }
}

/// Load a fixture captured with tests/fixtures/capture.py.
pub fn fixture(name: &str) -> Fixture {
    let path = format!("{}/tests/fixtures/netlink/{name}.hex", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut fx = Fixture { cmd: String::new(), msgs: Vec::new() };
    for line in text.lines() {
        if let Some(c) = line.strip_prefix("# cmd: ") {
            fx.cmd = c.to_string();
        } else if !line.starts_with('#') && !line.is_empty() {
            let mut it = line.split_whitespace();
            let ty = it.next().unwrap().parse().unwrap();
            let fl = u16::from_str_radix(it.next().unwrap().trim_start_matches("0x"), 16).unwrap();
            let hex = it.next().unwrap_or("");
            let bytes = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
            fx.msgs.push((ty, fl, bytes));
        }
    }
    fx
}

/// Hex for assertion messages.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A world-readable directory of test files under the temp dir, removed when
/// dropped (`tag` keeps directories of one test binary apart).
pub struct Dir(pub PathBuf);

impl Dir {
    /// A fresh, empty directory.
    pub fn new(tag: &str) -> Dir {
        use std::os::unix::fs::PermissionsExt;
        let d = std::env::temp_dir().join(format!("nlua-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
        Dir(d)
    }

    /// Write file `name` (relative to the directory).
    pub fn file(&self, name: &str, body: &str) -> &Dir {
        std::fs::write(self.0.join(name), body).unwrap();
        self
    }

    /// The directory.
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
