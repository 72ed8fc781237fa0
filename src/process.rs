//! Commands inside namespaces, as `ip netns exec` runs them: to completion
//! (`exec`, with output captured, stdin, a timeout) or in the background
//! (`Process`). Waiting uses a pidfd, so timeouts cost no polling. No Lua here.

use std::io::{Read, Write};
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::libc;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::engine::{Error, NsInfo, Result};
use crate::netns::ExecSetup;

/// A command: an argv, or a line for `/bin/sh -c`.
#[derive(Debug, Clone)]
pub enum Cmd {
    Argv(Vec<String>),
    Shell(String),
}

impl Cmd {
    /// The command as one line, for messages.
    pub fn text(&self) -> String {
        match self {
            Cmd::Argv(a) => a.join(" "),
            Cmd::Shell(s) => s.clone(),
        }
    }
}

/// How to run it.
#[derive(Debug, Clone, Default)]
pub struct RunOpts {
    pub stdin: Option<Vec<u8>>,
    pub env: Vec<(String, String)>,
    pub cwd: Option<String>,
    pub timeout: Option<Duration>,
}

/// Where a background process's output goes.
#[derive(Debug, Clone)]
pub enum Output {
    /// Kept in memory, returned by `wait`.
    Capture,
    /// Appended to a file.
    File(String),
    /// Thrown away.
    Null,
    /// nlua's own stdout/stderr.
    Inherit,
}

/// How a command ended.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Killed because the timeout passed.
    pub timed_out: bool,
}

impl Outcome {
    /// Exited with status 0.
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }

    fn from_status(st: ExitStatus) -> Outcome {
        Outcome { code: st.code(), signal: st.signal(), ..Default::default() }
    }
}

fn command(cmd: &Cmd, opts: &RunOpts, ns: Option<&NsInfo>) -> Result<Command> {
    let mut c = match cmd {
        Cmd::Argv(a) if a.is_empty() => return Err(Error::input("exec", "argument #1: empty command")),
        Cmd::Argv(a) => {
            let mut c = Command::new(&a[0]);
            c.args(&a[1..]);
            c
        }
        Cmd::Shell(s) => {
            let mut c = Command::new("/bin/sh");
            c.arg("-c").arg(s);
            c
        }
    };
    c.envs(opts.env.iter().map(|(k, v)| (k, v)));
    if let Some(d) = &opts.cwd {
        c.current_dir(d);
    }
    if let Some(ns) = ns {
        let setup = ExecSetup::new(ns);
        // SAFETY: apply_in_child makes only async-signal-safe system calls on
        // values prepared before fork.
        unsafe {
            c.pre_exec(move || setup.apply_in_child());
        }
    }
    Ok(c)
}

fn spawn_err(e: std::io::Error, cmd: &Cmd) -> Error {
    let mut err = Error::io(&e, format!("exec {}", cmd.text()));
    if e.kind() == std::io::ErrorKind::NotFound {
        err.message = format!("command not found: {}", cmd.text().split(' ').next().unwrap_or(""));
    }
    err
}

fn reader(mut r: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = r.read_to_end(&mut v);
        v
    })
}

/// Run a command to completion in `ns` (or here), capturing its output.
pub fn exec(cmd: &Cmd, opts: &RunOpts, ns: Option<&NsInfo>) -> Result<Outcome> {
    let mut c = command(cmd, opts, ns)?;
    c.stdin(if opts.stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().map_err(|e| spawn_err(e, cmd))?;
    let out = reader(child.stdout.take().unwrap());
    let err = reader(child.stderr.take().unwrap());
    if let (Some(data), Some(mut stdin)) = (opts.stdin.clone(), child.stdin.take()) {
        // A writer thread, so a command that does not read cannot block us.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
    }
    let (status, timed_out) = match wait_for(&mut child, opts.timeout)? {
        Some(st) => (st, false),
        None => {
            let _ = child.kill();
            (child.wait().map_err(|e| Error::io(&e, format!("wait {}", cmd.text())))?, true)
        }
    };
    let mut o = Outcome::from_status(status);
    o.timed_out = timed_out;
    o.stdout = out.join().unwrap_or_default();
    o.stderr = err.join().unwrap_or_default();
    Ok(o)
}

/// Wait for `child` up to `timeout` (forever when None); None when it is still
/// running at the deadline. Uses a pidfd, so no polling loop.
fn wait_for(child: &mut Child, timeout: Option<Duration>) -> Result<Option<ExitStatus>> {
    let Some(t) = timeout else {
        return child.wait().map(Some).map_err(|e| Error::io(&e, "wait"));
    };
    // SAFETY: pidfd_open on our own child's pid; the result is a new descriptor.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, child.id() as libc::c_int, 0) };
    if fd < 0 {
        return Err(Error::system(nix::errno::Errno::last_raw(), "pidfd_open"));
    }
    // SAFETY: fd is a fresh descriptor we own.
    let pidfd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
    let deadline = Instant::now() + t;
    loop {
        if let Some(st) = child.try_wait().map_err(|e| Error::io(&e, "wait"))? {
            return Ok(Some(st));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        let mut fds = [PollFd::new(pidfd.as_fd(), PollFlags::POLLIN)];
        let ms = PollTimeout::try_from(left.as_millis().clamp(1, i32::MAX as u128) as i32).unwrap_or(PollTimeout::MAX);
        match poll(&mut fds, ms) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(Error::nix(e, "poll pidfd")),
        }
    }
}

/// Field 22 of /proc/PID/stat: when the process started (clock ticks since
/// boot). With the pid it names a process uniquely: a reused pid has another.
pub fn start_time(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may contain spaces and parentheses.
    let rest = &s[s.rfind(')')? + 2..];
    rest.split(' ').nth(19)?.parse().ok()
}

/// A command running in the background.
pub struct Process {
    child: Child,
    pub pid: u32,
    /// See [`start_time`].
    pub start_time: u64,
    pub cmd: Cmd,
    out: Option<JoinHandle<Vec<u8>>>,
    err: Option<JoinHandle<Vec<u8>>>,
    done: Option<Outcome>,
}

impl Process {
    /// Start `cmd` in `ns` (or here), its output going to `output`.
    pub fn spawn(cmd: &Cmd, opts: &RunOpts, ns: Option<&NsInfo>, output: Output) -> Result<Process> {
        let mut c = command(cmd, opts, ns)?;
        // A process group of its own: Ctrl-C at the terminal (interrupting a
        // REPL chunk) reaches the commands being waited for, not background ones.
        c.process_group(0);
        c.stdin(if opts.stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        match &output {
            Output::Capture => {
                c.stdout(Stdio::piped()).stderr(Stdio::piped());
            }
            Output::Null => {
                c.stdout(Stdio::null()).stderr(Stdio::null());
            }
            Output::Inherit => {}
            Output::File(p) => {
                let f = std::fs::OpenOptions::new().create(true).append(true).open(p).map_err(|e| Error::io(&e, format!("open {p}")))?;
                let f2 = f.try_clone().map_err(|e| Error::io(&e, format!("open {p}")))?;
                c.stdout(f).stderr(f2);
            }
        }
        let mut child = c.spawn().map_err(|e| spawn_err(e, cmd))?;
        let pid = child.id();
        if let (Some(data), Some(mut stdin)) = (opts.stdin.clone(), child.stdin.take()) {
            std::thread::spawn(move || {
                let _ = stdin.write_all(&data);
            });
        }
        let out = child.stdout.take().map(reader);
        let err = child.stderr.take().map(reader);
        Ok(Process { start_time: start_time(pid).unwrap_or(0), child, pid, cmd: cmd.clone(), out, err, done: None })
    }

    /// Still running (reaps it if it has ended).
    pub fn running(&mut self) -> bool {
        if self.done.is_some() {
            return false;
        }
        match self.child.try_wait() {
            Ok(Some(st)) => {
                self.finish(st);
                false
            }
            Ok(None) => true,
            Err(_) => false,
        }
    }

    fn finish(&mut self, st: ExitStatus) {
        let mut o = Outcome::from_status(st);
        o.stdout = self.out.take().map(|h| h.join().unwrap_or_default()).unwrap_or_default();
        o.stderr = self.err.take().map(|h| h.join().unwrap_or_default()).unwrap_or_default();
        self.done = Some(o);
    }

    /// Wait until it ends (up to `timeout`); None if it is still running then.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<Option<Outcome>> {
        if let Some(o) = &self.done {
            return Ok(Some(o.clone()));
        }
        match wait_for(&mut self.child, timeout)? {
            Some(st) => {
                self.finish(st);
                Ok(self.done.clone())
            }
            None => Ok(None),
        }
    }

    /// Send a signal (if it is still running).
    pub fn kill(&mut self, sig: Signal) -> Result<()> {
        if !self.running() {
            return Ok(());
        }
        kill(Pid::from_raw(self.pid as i32), sig).map_err(|e| Error::nix(e, format!("kill -{} {}", sig as i32, self.pid)))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // Reap it if it has ended, so no zombie outlives the object; one still
        // running is left alone (the runtime reports those at exit).
        let _ = self.running();
    }
}
