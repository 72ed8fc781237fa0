//! The process that runs one test (or lists a file's tests): `nlua
//! --test-worker FILE --test-index N`, started by the runner. Before anything
//! else, while it has one thread, it moves into a world of its own (new
//! network and mount namespaces, fresh /run/netns and state directory), so
//! nothing the test does can reach the runner's world. The test runs with an
//! in-memory journal that is always rolled back; then every process the test
//! left behind is killed. The result goes to fd 3 as one JSON line.

use std::fs::File;
use std::io::Write;
use std::os::fd::FromRawFd;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mlua::{Function, Lua, MultiValue, Table, Value};
use nix::libc;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::journal::{Journal, Trace};
use crate::lua::error;
use crate::show::Json;
use crate::{Runtime, engine};

/// The descriptor the runner reads results from.
pub const RESULT_FD: i32 = 3;

/// Run the worker: list the tests of `file` (index 0) or run test `index` (from 1).
pub fn main(file: &str, index: usize) -> ExitCode {
    // SAFETY: the runner opened fd 3 for us (see runner::spawn_worker); we
    // take ownership once, and close it from commands the test starts.
    let mut results = unsafe {
        libc::fcntl(RESULT_FD, libc::F_SETFD, libc::FD_CLOEXEC);
        File::from_raw_fd(RESULT_FD)
    };
    let line = match crate::sandbox::test_world() {
        Err(e) => {
            let mut j = Json::obj();
            j.set("fatal", e);
            j
        }
        Ok(()) => {
            // Processes orphaned inside the test come to us, to be killed below.
            let _ = nix::sys::prctl::set_child_subreaper(true);
            let j = run_in_world(file, index);
            kill_descendants(std::process::id());
            j
        }
    };
    match writeln!(results, "{}", line.to_string_compact()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nlua: --test-worker: cannot write the result: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Load the file and list or run; then tear the test's world down.
fn run_in_world(file: &str, index: usize) -> Json {
    let initial = match engine::NsInfo::current() {
        Ok(ns) => ns,
        Err(e) => return error_json(e.to_string()),
    };
    let journal = Arc::new(Journal::in_memory(&initial, Trace::Off));
    let rt = match Runtime::builder().journal(journal.clone()).build() {
        Ok(rt) => rt,
        Err(e) => return error_json(e.to_string()),
    };
    let out = in_vm(&rt, file, index).unwrap_or_else(error_json);
    crate::runtime::run_defers(rt.lua());
    drop(rt);
    let mut log = Vec::new();
    match journal.rollback(&mut log) {
        Ok(s) if s.failed > 0 => eprintln!("nlua: teardown could not undo everything ({s}):\n{}", String::from_utf8_lossy(&log)),
        Err(e) => eprintln!("nlua: teardown: {e}"),
        _ => {}
    }
    out
}

fn error_json(msg: String) -> Json {
    let mut j = Json::obj();
    j.set("error", msg);
    j
}

fn in_vm(rt: &Runtime, file: &str, index: usize) -> Result<Json, String> {
    let lua = rt.lua();
    let chunk = rt.load_file(file).map_err(|e| error::message(&e))?;
    let lib: Table = lua.load("return require('nlua.test')").eval().map_err(|e| error::message(&e))?;
    let collect: Function = lib.get("collect").map_err(|e| e.to_string())?;
    let listed = rt.call_traced(&collect, MultiValue::from_vec(vec![Value::Function(chunk)]))?;
    let list = match (listed.front(), listed.get(1), listed.get(2)) {
        (Some(Value::Table(list)), _, _) => list.clone(),
        // The file raised an error while loading: message and traceback.
        (_, Some(msg), tb) => {
            let text = |v: &Value| v.to_string().unwrap_or_default();
            let tb = tb.map(text).unwrap_or_default();
            return Err(if tb.is_empty() { text(msg) } else { format!("{}\n{tb}", text(msg)) });
        }
        _ => return Err("nlua.test.collect returned no list".into()),
    };
    if index == 0 {
        let mut tests = Vec::new();
        for tc in list.sequence_values::<Table>() {
            let tc = tc.map_err(|e| e.to_string())?;
            let mut j = Json::obj();
            j.set("name", tc.get::<String>("name").map_err(|e| e.to_string())?);
            j.set("skip", tc.get::<Option<String>>("skip").map_err(|e| e.to_string())?.map(Json::Str).unwrap_or(Json::Null));
            j.set("only", tc.get::<bool>("only").unwrap_or(false));
            tests.push(j);
        }
        let mut j = Json::obj();
        j.set("tests", Json::Arr(tests));
        return Ok(j);
    }
    let run: Function = lib.get("run").map_err(|e| e.to_string())?;
    let args = MultiValue::from_vec(vec![Value::Integer(index as i64), Value::Table(host(lua).map_err(|e| e.to_string())?)]);
    let res = rt.call_traced(&run, args)?;
    let Some(Value::Table(r)) = res.front() else { return Err("nlua.test.run returned no result".into()) };
    let mut j = Json::obj();
    for key in ["status", "name", "message", "traceback", "reason"] {
        if let Ok(Some(s)) = r.get::<Option<String>>(key) {
            j.set(key, s);
        }
    }
    j.set("ms", Json::Num(r.get::<f64>("ms").unwrap_or(0.0)));
    Ok(j)
}

/// What the Lua side needs from the host: a monotonic clock (ms).
fn host(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let start = Instant::now();
    t.set("clock", lua.create_function(move |_, ()| Ok(start.elapsed().as_secs_f64() * 1000.0))?)?;
    Ok(t)
}

/// Every live process below `root` (not `root` itself), from /proc.
fn descendants(root: u32) -> Vec<u32> {
    let mut parent_of = Vec::new();
    if let Ok(rd) = std::fs::read_dir("/proc") {
        for e in rd.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
            let Some(f) = crate::process::stat_fields(pid) else { continue };
            let ppid = f.get(1).and_then(|p| p.parse::<u32>().ok()).unwrap_or(0);
            if !f.first().is_some_and(|s| s == "Z" || s == "X") {
                parent_of.push((pid, ppid));
            }
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parent_of.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out.remove(0);
    out
}

/// Kill everything below `root` (SIGKILL), until nothing is left. When `root`
/// is this process, the dead are reaped too (orphans come to us as subreaper).
pub fn kill_descendants(root: u32) {
    let me = root == std::process::id();
    for _ in 0..400 {
        let kids = descendants(root);
        if me {
            // SAFETY: reaping children that are zombies; no Child handle is alive
            // any more (the runtime is gone).
            while unsafe { libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) } > 0 {}
        }
        if kids.is_empty() {
            return;
        }
        for p in kids {
            let _ = kill(Pid::from_raw(p as i32), Signal::SIGKILL);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
