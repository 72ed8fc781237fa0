//! `nlua --test [PATHS]`: runs the tests of `*_test.lua` files, each test in
//! a process and a world of its own (see [`worker`]). The runner finds the
//! files, asks a worker to list each file's tests, runs one worker per test
//! (files in parallel with `--jobs`), and prints the results in file order
//! ([`report`]): one line per test, strict TAP 14 with `--tap`, a JUnit file
//! with `--junit`.

pub mod report;
pub mod worker;

use std::fs::File;
use std::io::{Read, Seek};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use nix::libc;
use nix::sys::memfd::{MFdFlags, memfd_create};

use crate::show::Json;
use report::{Printer, Status, TestResult};

/// The command-line options of the test runner.
#[derive(clap::Args, Debug, Clone)]
pub struct TestArgs {
    /// Run the tests of the *_test.lua files under the given paths (default: .), each in namespaces of its own
    #[arg(long = "test")]
    pub test: bool,
    /// With --test: print strict TAP version 14
    #[arg(long = "tap", requires = "test")]
    pub tap: bool,
    /// With --test: also write a JUnit XML report to FILE
    #[arg(long = "junit", value_name = "FILE", requires = "test")]
    pub junit: Option<PathBuf>,
    /// With --test: run only the tests whose name or file path contains PATTERN
    #[arg(long = "filter", value_name = "PATTERN", requires = "test")]
    pub filter: Option<String>,
    /// With --test: run N files at a time (each test still in its own process)
    #[arg(long = "jobs", value_name = "N", requires = "test")]
    pub jobs: Option<usize>,
    /// With --test: a test still running after SECONDS fails (default 120)
    #[arg(long = "timeout", value_name = "SECONDS", requires = "test")]
    pub timeout: Option<f64>,
    /// (internal) run one test of FILE in a world of its own
    #[arg(long = "test-worker", value_name = "FILE", hide = true)]
    pub worker: Option<String>,
    /// (internal) which test the worker runs; 0 lists them
    #[arg(long = "test-index", value_name = "N", hide = true, requires = "worker")]
    pub index: Option<usize>,
}

/// `nlua --test ...` as a command line of its own: options may follow the
/// paths (`nlua --test tests/ --tap`), which the interpreter's command line
/// would hand to a script as its arguments.
#[derive(clap::Parser, Debug)]
#[command(name = "nlua --test", about = "Run Lua tests, each in namespaces of its own")]
struct TestCli {
    #[command(flatten)]
    args: TestArgs,
    /// First enter new user, network and mount namespaces (no root needed)
    #[arg(long = "sandbox")]
    sandbox: bool,
    /// Files, or directories to search for *_test.lua files
    #[arg(value_name = "PATHS")]
    paths: Vec<String>,
}

/// The runner's entry point from `main`: parse the whole command line again
/// as a test run, enter the sandbox if asked (still single-threaded), run.
pub fn main() -> Result<ExitCode, String> {
    // As for the interpreter: a usage error exits 1 (clap's default is 2), --help 0.
    let cli = match <TestCli as clap::Parser>::try_parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return Ok(if e.use_stderr() { ExitCode::FAILURE } else { ExitCode::SUCCESS });
        }
    };
    if cli.sandbox {
        crate::sandbox::enter()?;
    }
    run(&cli.args, &cli.paths)
}

/// The `*_test.lua` files under `paths` (files given are taken as they are), sorted per path.
pub fn discover(paths: &[String]) -> Result<Vec<String>, String> {
    let paths: Vec<String> = if paths.is_empty() { vec![".".into()] } else { paths.to_vec() };
    let mut out = Vec::new();
    for p in &paths {
        let meta = std::fs::metadata(p).map_err(|e| format!("--test: {p}: {e}"))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(Path::new(p), &mut found).map_err(|e| format!("--test: {p}: {e}"))?;
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    // A file named twice (on its own and under a directory given) runs once.
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| seen.insert(f.clone()));
    if out.is_empty() {
        return Err(format!("--test: no *_test.lua files in {}", paths.join(", ")));
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let path = e.path();
        let name = e.file_name();
        let name = name.to_string_lossy();
        if e.file_type()?.is_dir() {
            if !name.starts_with('.') && name != "target" {
                walk(&path, out)?;
            }
        } else if name.ends_with("_test.lua") {
            out.push(path.to_string_lossy().trim_start_matches("./").to_string());
        }
    }
    Ok(())
}

/// What a worker reports while a file runs.
pub enum Event {
    /// A test ended.
    Test(Box<TestResult>),
    /// A remark about the file (printed as a comment).
    Note(String),
    /// The run cannot go on (tests cannot get worlds of their own).
    Fatal(String),
    /// The file is finished.
    Done,
}

/// Run the tests of `paths` and print the report; exit 1 on any failure.
pub fn run(args: &TestArgs, paths: &[String]) -> Result<ExitCode, String> {
    let files = discover(paths)?;
    let exe = std::env::current_exe().map_err(|e| format!("--test: cannot find the nlua binary: {e}"))?;
    let jobs = args.jobs.unwrap_or(1).max(1).min(files.len());
    let timeout = match args.timeout {
        None => Duration::from_secs(120),
        // (capped: a deadline past ~136 years could not be computed, and means no limit)
        Some(s) if s.is_finite() && s > 0.0 => Duration::from_secs_f64(s.min(u32::MAX as f64)),
        Some(s) => return Err(format!("--timeout: expected a positive number of seconds, got {s}")),
    };
    let junit = match &args.junit {
        Some(p) => Some(File::create(p).map_err(|e| format!("--junit: cannot create {}: {e}", p.display()))?),
        None => None,
    };
    let mut printer = Printer::new(args.tap, &files);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, Event)>();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (files, next, stop, exe) = (&files, &next, &stop, &exe);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= files.len() || stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let mut emit = |ev: Event| {
                        if matches!(ev, Event::Fatal(_)) {
                            stop.store(true, Ordering::SeqCst);
                        }
                        let _ = tx.send((i, ev));
                    };
                    run_file(exe, &files[i], args, timeout, stop, &mut emit);
                    emit(Event::Done);
                }
            });
        }
        drop(tx);
        for (i, ev) in rx {
            printer.event(i, ev);
        }
    });
    printer.finish();
    if let Some(mut f) = junit {
        report::write_junit(&mut f, &files, printer.results()).map_err(|e| format!("--junit: {e}"))?;
    }
    Ok(if printer.ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// One test as listed by a worker.
struct Listed {
    name: String,
    skip: Option<String>,
    only: bool,
}

fn run_file(exe: &Path, file: &str, args: &TestArgs, timeout: Duration, stop: &AtomicBool, emit: &mut dyn FnMut(Event)) {
    let fail = |name: &str, message: String, w: Worker| {
        let (ms, output) = (w.elapsed.as_secs_f64() * 1000.0, w.output);
        Event::Test(Box::new(TestResult { file: file.to_string(), name: name.to_string(), status: Status::Fail, message, output, ms, ..Default::default() }))
    };
    let w = match spawn_worker(exe, file, 0, timeout) {
        Ok(w) => w,
        Err(e) => return emit(Event::Fatal(e)),
    };
    let listed = match w.json.as_ref() {
        Some(j) if j.get("fatal").is_some() => return emit(Event::Fatal(j.get("fatal").and_then(Json::as_str).unwrap_or("").to_string())),
        Some(j) if j.get("tests").is_some() => parse_list(j),
        Some(j) => {
            let msg = j.get("error").and_then(Json::as_str).unwrap_or("no test list").to_string();
            return emit(fail("(loading the file)", msg, w));
        }
        None => return emit(fail("(loading the file)", w.ended(), w)),
    };
    if listed.is_empty() {
        return emit(Event::Note("no tests".into()));
    }
    let focused = listed.iter().any(|t| t.only);
    for (i, t) in listed.iter().enumerate() {
        if let Some(f) = &args.filter
            && !t.name.contains(f.as_str())
            && !file.contains(f.as_str())
        {
            continue;
        }
        let skip = t.skip.clone().or_else(|| (focused && !t.only).then(|| "not marked only".to_string()));
        if let Some(reason) = skip {
            emit(Event::Test(Box::new(TestResult { file: file.into(), name: t.name.clone(), status: Status::Skip, message: reason, ..Default::default() })));
            continue;
        }
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let ev = match spawn_worker(exe, file, i + 1, timeout) {
            Err(e) => Event::Fatal(e),
            Ok(w) => match w.json.as_ref() {
                Some(j) if j.get("fatal").is_some() => Event::Fatal(j.get("fatal").and_then(Json::as_str).unwrap_or("").to_string()),
                Some(j) if j.get("status").is_some() => Event::Test(Box::new(test_result(file, &t.name, j, w.output))),
                Some(j) => {
                    let msg = j.get("error").and_then(Json::as_str).unwrap_or("no result").to_string();
                    fail(&t.name, msg, w)
                }
                None => fail(&t.name, w.ended(), w),
            },
        };
        emit(ev);
    }
}

fn parse_list(j: &Json) -> Vec<Listed> {
    let items = j.get("tests").and_then(Json::as_array).unwrap_or(&[]);
    items
        .iter()
        .map(|t| Listed {
            name: t.get("name").and_then(Json::as_str).unwrap_or("?").to_string(),
            skip: t.get("skip").and_then(Json::as_str).map(str::to_string),
            only: matches!(t.get("only"), Some(Json::Bool(true))),
        })
        .collect()
}

fn test_result(file: &str, listed_name: &str, j: &Json, output: String) -> TestResult {
    let s = |k: &str| j.get(k).and_then(Json::as_str).unwrap_or("").to_string();
    let ms = match j.get("ms") {
        Some(Json::Num(n)) => *n,
        Some(v) => v.as_i64().unwrap_or(0) as f64,
        None => 0.0,
    };
    let mut r = TestResult { file: file.into(), name: listed_name.into(), ms, output, traceback: s("traceback"), ..Default::default() };
    (r.status, r.message) = match s("status").as_str() {
        "pass" => (Status::Pass, String::new()),
        "skip" => (Status::Skip, s("reason")),
        _ => (Status::Fail, s("message")),
    };
    if s("name") != listed_name {
        r.status = Status::Fail;
        r.message = format!("the file registered other tests when loaded again: test {listed_name:?} came back as {:?}", s("name"));
    }
    r
}

/// What a worker left: its result line, its output, how it ended.
struct Worker {
    json: Option<Json>,
    output: String,
    status: std::process::ExitStatus,
    timed_out: Option<Duration>,
    elapsed: Duration,
}

impl Worker {
    /// Why there is no result.
    fn ended(&self) -> String {
        if let Some(t) = self.timed_out {
            return format!("timed out: still running after {} s (--timeout)", t.as_secs_f64());
        }
        match (self.status.code(), self.status.signal()) {
            (Some(c), _) => format!("the test's process exited with status {c} before the test finished (os.exit?)"),
            (_, Some(s)) => format!("the test's process was killed by signal {s}"),
            _ => "the test's process ended without a result".into(),
        }
    }
}

/// Output kept per test, from the end (a test printing in a loop must not
/// fill the runner's memory).
const OUTPUT_LIMIT: u64 = 256 * 1024;

/// Start `nlua --test-worker FILE --test-index N` with stdout and stderr in
/// one memory file and fd 3 in another (files, not pipes: a process the test
/// leaves running cannot hold the runner up), and wait for it.
fn spawn_worker(exe: &Path, file: &str, index: usize, timeout: Duration) -> Result<Worker, String> {
    let out: OwnedFd = memfd_create("nlua-test-output", MFdFlags::MFD_CLOEXEC).map_err(|e| format!("memfd_create: {e}"))?;
    let res: OwnedFd = memfd_create("nlua-test-result", MFdFlags::MFD_CLOEXEC).map_err(|e| format!("memfd_create: {e}"))?;
    let mut c = Command::new(exe);
    c.arg("--test-worker").arg(file).arg("--test-index").arg(index.to_string());
    let dup = |fd: &OwnedFd| fd.try_clone().map(File::from).map_err(|e| format!("dup: {e}"));
    c.stdin(Stdio::null()).stdout(dup(&out)?).stderr(dup(&out)?);
    let res_fd = res.as_raw_fd();
    // SAFETY: only dup2/fcntl, async-signal-safe, between fork and exec.
    unsafe {
        c.pre_exec(move || {
            let r = if res_fd == worker::RESULT_FD {
                libc::fcntl(res_fd, libc::F_SETFD, 0)
            } else {
                libc::dup2(res_fd, worker::RESULT_FD)
            };
            if r < 0 { Err(std::io::Error::last_os_error()) } else { Ok(()) }
        });
    }
    let started = std::time::Instant::now();
    let mut child = c.spawn().map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    let (status, timed_out) = match crate::process::wait_for(&mut child, Some(timeout)).map_err(|e| e.to_string())? {
        Some(st) => (st, None),
        None => {
            worker::kill_descendants(child.id());
            let _ = child.kill();
            (child.wait().map_err(|e| format!("wait: {e}"))?, Some(timeout))
        }
    };
    let text = read_memfd(res, u64::MAX);
    let json = text.lines().find(|l| !l.trim().is_empty()).and_then(|l| Json::parse(l).ok());
    Ok(Worker { json, output: read_memfd(out, OUTPUT_LIMIT), status, timed_out, elapsed: started.elapsed() })
}

fn read_memfd(fd: OwnedFd, limit: u64) -> String {
    let mut f = File::from(fd);
    let len = f.seek(std::io::SeekFrom::End(0)).unwrap_or(0);
    let start = len.saturating_sub(limit);
    let _ = f.seek(std::io::SeekFrom::Start(start));
    let mut v = Vec::new();
    let _ = f.read_to_end(&mut v);
    let mut s = String::from_utf8_lossy(&v).into_owned();
    if start > 0 {
        s.insert_str(0, &format!("(first {start} bytes of output not shown)\n"));
    }
    s
}
