//! Commands inside namespaces, as `ip netns exec` runs them: to completion
//! (`exec`, with output captured, stdin, a timeout) or in the background
//! (`Process`, reaped by a waiter thread the moment it ends). Waiting uses a
//! pidfd or a condition variable, so timeouts cost no polling. No Lua here.

use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

use nix::libc;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use crate::engine::{Error, NsInfo, Result};
use crate::netns::ExecSetup;

/// A command: an argv, or a line for `/bin/sh -c`.
#[derive(Debug, Clone)]
pub enum Cmd {
    /// An argv vector, run directly.
    Argv(Vec<String>),
    /// A shell line, run with /bin/sh -c.
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
    /// Bytes written to the command's stdin.
    pub stdin: Option<Vec<u8>>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// Working directory.
    pub cwd: Option<String>,
    /// Kill the process group after this long.
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
    /// Exit status (None when killed by a signal).
    pub code: Option<i32>,
    /// The signal that ended it.
    pub signal: Option<i32>,
    /// What it wrote to stdout.
    pub stdout: Vec<u8>,
    /// What it wrote to stderr.
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

/// A command that `check` required to succeed and that did not: the error,
/// and everything the command produced.
#[derive(Debug, Clone)]
pub struct Failed {
    /// The error (ECHILD, or ETIMEDOUT).
    pub error: Error,
    /// What the command did.
    pub outcome: Outcome,
}

impl Failed {
    /// The error for `outcome` of `cmd`: why it failed, then its stderr (or,
    /// when that is empty, its stdout: ping reports there), last lines only.
    pub fn new(cmd: &Cmd, outcome: Outcome) -> Failed {
        let why = match (outcome.timed_out, outcome.code, outcome.signal) {
            (true, _, _) => "timed out".to_string(),
            (_, Some(c), _) => format!("exited with status {c}"),
            (_, _, Some(sig)) => format!("killed by signal {sig}"),
            _ => "failed".to_string(),
        };
        let errno = if outcome.timed_out { libc::ETIMEDOUT } else { libc::ECHILD };
        let text = if outcome.stderr.iter().all(u8::is_ascii_whitespace) { &outcome.stdout } else { &outcome.stderr };
        let text = String::from_utf8_lossy(text);
        let lines: Vec<&str> = text.trim_end().lines().collect();
        let tail = lines[lines.len().saturating_sub(10)..].join("\n");
        let mut error = Error::system(errno, format!("exec {}", cmd.text()));
        error.message = if tail.trim().is_empty() { why } else { format!("{why}: {tail}") };
        Failed { error, outcome }
    }
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for Failed {}

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
        // Checked here: a failed chdir in the child reads like a missing command.
        let bad = match std::fs::metadata(d) {
            Ok(m) if m.is_dir() => None,
            Ok(_) => Some(Error::system(libc::ENOTDIR, "")),
            Err(e) => Some(Error::io(&e, "")),
        };
        if let Some(e) = bad {
            return Err(Error { message: format!("cwd {d}: {}", e.message), ..e.with_op(format!("exec {}", cmd.text())) });
        }
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

/// How long output may keep coming after a timed-out command's process group
/// was killed (a daemon that left the group may hold the pipe for good).
const OUTPUT_GRACE: Duration = Duration::from_secs(1);

/// Output read on a thread into a shared buffer, so what came so far can be
/// taken before the end (a command that forks a daemon keeps the pipe open
/// after it exits itself).
struct Capture {
    buf: Arc<Mutex<Vec<u8>>>,
    eof: mpsc::Receiver<()>,
    at_eof: bool,
}

impl Capture {
    fn new(mut r: impl Read + Send + 'static) -> Capture {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let (tx, eof) = mpsc::channel();
        let b = buf.clone();
        std::thread::spawn(move || {
            let mut chunk = vec![0u8; 16 << 10];
            loop {
                match r.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => b.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            let _ = tx.send(());
        });
        Capture { buf, eof, at_eof: false }
    }

    /// Wait for the end of the output until `deadline` (forever when None);
    /// true once it has ended.
    fn settle(&mut self, deadline: Option<Instant>) -> bool {
        if !self.at_eof {
            self.at_eof = match deadline {
                None => {
                    let _ = self.eof.recv();
                    true
                }
                Some(d) => !matches!(self.eof.recv_timeout(d.saturating_duration_since(Instant::now())), Err(mpsc::RecvTimeoutError::Timeout)),
            };
        }
        self.at_eof
    }

    /// The output so far.
    fn take(&self) -> Vec<u8> {
        self.buf.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Run a command to completion in `ns` (or here), capturing its output. With a
/// timeout the command runs in a process group of its own, and the timeout
/// kills the whole group (as timeout(1) does), so nothing it started lingers
/// or holds the output open.
pub fn exec(cmd: &Cmd, opts: &RunOpts, ns: Option<&NsInfo>) -> Result<Outcome> {
    let mut c = command(cmd, opts, ns)?;
    if opts.timeout.is_some() {
        c.process_group(0);
    }
    c.stdin(if opts.stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let deadline = opts.timeout.map(|t| Instant::now() + t);
    let mut child = c.spawn().map_err(|e| spawn_err(e, cmd))?;
    let mut out = Capture::new(child.stdout.take().unwrap());
    let mut err = Capture::new(child.stderr.take().unwrap());
    if let (Some(data), Some(mut stdin)) = (opts.stdin.clone(), child.stdin.take()) {
        // A writer thread, so a command that does not read cannot block us.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
    }
    let group = Pid::from_raw(child.id() as i32);
    let (status, timed_out) = match wait_for(&mut child, opts.timeout)? {
        Some(st) => (st, false),
        None => {
            let _ = killpg(group, Signal::SIGKILL);
            (child.wait().map_err(|e| Error::io(&e, format!("wait {}", cmd.text())))?, true)
        }
    };
    // The output ends when the last process holding it does: by the deadline,
    // or what is left of the group is killed too.
    if !(out.settle(deadline) & err.settle(deadline)) {
        let _ = killpg(group, Signal::SIGKILL);
        let grace = Some(Instant::now() + OUTPUT_GRACE);
        out.settle(grace);
        err.settle(grace);
    }
    let mut o = Outcome::from_status(status);
    o.timed_out = timed_out;
    o.stdout = out.take();
    o.stderr = err.take();
    Ok(o)
}

/// A descriptor naming process `pid` (our child, not yet reaped).
fn pidfd_open(pid: u32) -> Result<OwnedFd> {
    // SAFETY: pidfd_open on our own child's pid; the result is a new descriptor.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::c_int, 0) };
    if fd < 0 {
        return Err(Error::system(nix::errno::Errno::last_raw(), "pidfd_open"));
    }
    // SAFETY: fd is a fresh descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Wait for `child` up to `timeout` (forever when None); None when it is still
/// running at the deadline. Uses a pidfd, so no polling loop.
pub fn wait_for(child: &mut Child, timeout: Option<Duration>) -> Result<Option<ExitStatus>> {
    let Some(t) = timeout else {
        return child.wait().map(Some).map_err(|e| Error::io(&e, "wait"));
    };
    let pidfd = pidfd_open(child.id())?;
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

/// The fields of /proc/PID/stat after the command name: state, ppid, ...
/// (field 3 on). None when there is no such process.
pub fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may contain spaces and parentheses.
    let rest = s.get(s.rfind(')')? + 1..)?;
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// Field 22 of /proc/PID/stat: when the process started (clock ticks since
/// boot). With the pid it names a process uniquely: a reused pid has another.
pub fn start_time(pid: u32) -> Option<u64> {
    stat_fields(pid)?.get(19)?.parse().ok()
}

/// A zombie (ended, not yet reaped) or gone.
pub fn is_dead(pid: u32) -> bool {
    stat_fields(pid).is_none_or(|f| f.first().is_some_and(|s| s == "Z" || s == "X"))
}

/// How a background process ended, set by its waiter thread.
#[derive(Default)]
struct Exit {
    status: Mutex<Option<ExitStatus>>,
    done: Condvar,
}

/// A command running in the background. A waiter thread reaps it the moment
/// it ends, so it never lingers as a zombie, whether or not anyone waits; its
/// pidfd names that very process, so a signal never reaches a reused pid.
pub struct Process {
    pidfd: OwnedFd,
    exit: Arc<Exit>,
    /// Its process id.
    pub pid: u32,
    /// See [`start_time`].
    pub start_time: u64,
    /// Its command line.
    pub cmd: Cmd,
    out: Option<Capture>,
    err: Option<Capture>,
    /// The outcome, once it ended and its output did too.
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
        // Opened before anything can reap the child, so it names this process.
        let pidfd = match pidfd_open(pid) {
            Ok(fd) => fd,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        };
        if let (Some(data), Some(mut stdin)) = (opts.stdin.clone(), child.stdin.take()) {
            std::thread::spawn(move || {
                let _ = stdin.write_all(&data);
            });
        }
        let out = child.stdout.take().map(Capture::new);
        let err = child.stderr.take().map(Capture::new);
        let start_time = start_time(pid).unwrap_or(0);
        let exit = Arc::new(Exit::default());
        let e = exit.clone();
        std::thread::spawn(move || {
            if let Ok(st) = child.wait() {
                *e.status.lock().unwrap_or_else(|p| p.into_inner()) = Some(st);
            }
            e.done.notify_all();
        });
        Ok(Process { pidfd, exit, start_time, pid, cmd: cmd.clone(), out, err, done: None })
    }

    /// Still running. (Never waits for its output.)
    pub fn running(&mut self) -> bool {
        self.done.is_none() && self.status(Some(Duration::ZERO)).is_none()
    }

    /// The exit status, once the waiter has seen the end (waiting up to
    /// `timeout`, forever when None).
    fn status(&self, timeout: Option<Duration>) -> Option<ExitStatus> {
        let g = self.exit.status.lock().unwrap_or_else(|p| p.into_inner());
        let g = match timeout {
            None => self.exit.done.wait_while(g, |s| s.is_none()).unwrap_or_else(|p| p.into_inner()),
            Some(t) => self.exit.done.wait_timeout_while(g, t, |s| s.is_none()).unwrap_or_else(|p| p.into_inner()).0,
        };
        *g
    }

    /// Wait until it ends (up to `timeout`); None if it is still running then.
    /// Captured output is read until it ends too (within the same timeout: a
    /// daemon it forked may hold it open), so `wait()` without a timeout
    /// waits like a shell's `$(...)`.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<Option<Outcome>> {
        if let Some(o) = &self.done {
            return Ok(Some(o.clone()));
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        let Some(st) = self.status(timeout) else { return Ok(None) };
        let mut complete = true;
        for c in [&mut self.out, &mut self.err].into_iter().flatten() {
            complete &= c.settle(deadline);
        }
        let mut o = Outcome::from_status(st);
        o.stdout = self.out.as_ref().map(Capture::take).unwrap_or_default();
        o.stderr = self.err.as_ref().map(Capture::take).unwrap_or_default();
        if complete {
            self.done = Some(o.clone());
        }
        Ok(Some(o))
    }

    /// Send a signal (if it is still running).
    pub fn kill(&mut self, sig: Signal) -> Result<()> {
        if !self.running() {
            return Ok(());
        }
        // SAFETY: pidfd_send_signal on our own pidfd, no siginfo.
        let r = unsafe { libc::syscall(libc::SYS_pidfd_send_signal, self.pidfd.as_raw_fd(), sig as libc::c_int, std::ptr::null::<libc::siginfo_t>(), 0) };
        match r {
            0 => Ok(()),
            // It ended meanwhile: nothing left to signal.
            _ if nix::errno::Errno::last() == nix::errno::Errno::ESRCH => Ok(()),
            _ => Err(Error::system(nix::errno::Errno::last_raw(), format!("kill -{} {}", sig as i32, self.pid))),
        }
    }
}
