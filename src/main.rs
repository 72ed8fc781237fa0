//! The `nlua` command. It follows the `lua` interpreter: `nlua script.lua a b`,
//! `-e chunk`, `-l mod`, `-i`, `-` for stdin, `-v`; nlua's own flags sit beside.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use std::sync::Arc;

use clap::Parser;
use mlua::{MultiValue, Value};
use nlua::runtime::interrupt::RunGuard;
use nlua::{Runtime, journal};

#[derive(Parser, Debug)]
#[command(name = "nlua", disable_version_flag = true, about = "Script Linux networking in Lua")]
struct Cli {
    /// Execute the string CHUNK (may repeat)
    #[arg(short = 'e', value_name = "CHUNK", action = clap::ArgAction::Append)]
    exec: Vec<String>,
    /// Require library MOD into global MOD (may repeat)
    #[arg(short = 'l', value_name = "MOD", action = clap::ArgAction::Append)]
    libs: Vec<String>,
    /// Enter interactive mode after running the script
    #[arg(short = 'i')]
    interactive: bool,
    /// Print version information
    #[arg(short = 'v', long = "version")]
    version: bool,
    /// Undo what an earlier run made (journal NAME, or the one of SCRIPT) and remove its journal
    #[arg(long = "down", value_name = "NAME|SCRIPT")]
    down: Option<String>,
    /// List kept journals and what they hold
    #[arg(long = "status")]
    status: bool,
    /// On an error, leave everything as it is (for debugging; `--down` cleans up later)
    #[arg(long = "keep")]
    keep: bool,
    /// Always undo everything at exit (for fixtures)
    #[arg(long = "ephemeral")]
    ephemeral: bool,
    /// If an earlier run's journal exists, take that run down first
    #[arg(long = "force")]
    force: bool,
    /// The run's name (default: the script's file stem)
    #[arg(long = "name", value_name = "NAME")]
    name: Option<String>,
    /// Print the ip/tc command of each change before making it (`--trace=json` for JSON lines)
    #[arg(long = "trace", value_name = "FORMAT", num_args = 0..=1, default_missing_value = "text", require_equals = true)]
    trace: Option<String>,
    /// Print netlink events like `ip monitor`; the arguments name families
    /// (link addr route rule neigh qdisc class filter, all, label)
    #[arg(long = "monitor")]
    monitor: bool,
    /// With --monitor: one JSON object per event
    #[arg(long = "json")]
    json: bool,
    /// Write the LuaLS type stubs to DIR/.nlua/types and a .luarc.json in DIR (editor completion and checks)
    #[arg(long = "types", value_name = "DIR")]
    types: Option<std::path::PathBuf>,
    /// Print the API reference (docs/reference.md) generated from the type stubs
    #[arg(long = "reference")]
    reference: bool,
    /// Run everything inside the named network namespace (like `ip -n NAME`)
    #[arg(long = "netns", value_name = "NAME")]
    netns: Option<String>,
    /// First enter new user, network and mount namespaces (no root needed; the host is never touched)
    #[arg(long = "sandbox")]
    sandbox: bool,
    #[command(flatten)]
    test: nlua::testrun::TestArgs,
    /// The script ("-" for stdin) followed by its arguments
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "SCRIPT [ARGS]")]
    script: Vec<String>,
}

fn main() -> ExitCode {
    // A panic must never print Rust internals at the user; bindings turn panics
    // into Lua errors, and anything else is reported below as a bug.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("nlua: internal error: {info}");
    }));
    // Like lua: a usage error exits 1 (clap's default is 2); help and version exit 0.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::FAILURE } else { ExitCode::SUCCESS };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("nlua: {msg}");
            if let Some(hint) = nlua::sandbox::eperm_hint(&msg) {
                eprintln!("nlua: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Processes started with ns:spawn that outlive the script are reported.
fn report_running(rt: &Runtime) {
    for (pid, cmd) in rt.running_processes() {
        eprintln!("nlua: process {pid} ({cmd}) is still running");
    }
}

/// The journal name `--down` means: a script path gives its stem.
fn down_name(arg: &str) -> String {
    if arg.ends_with(".lua") || arg.contains('/') { journal::name_of_script(arg) } else { arg.to_string() }
}

/// Roll the run back: Lua cleanups first, then the VM goes (its handles hold
/// namespaces open), then the journal is replayed.
fn teardown(rt: Runtime, interrupt: RunGuard, j: &journal::Journal) -> Result<journal::undo::Summary, String> {
    // The signal handler lets go of the VM (and an interrupt's hook is
    // cleared): deferred cleanups must run whole, and a signal during the
    // replay must not reach a VM that is gone.
    drop(interrupt);
    nlua::runtime::run_defers(rt.lua());
    drop(rt);
    let s = j.rollback(&mut std::io::stderr())?;
    if s.undone + s.skipped + s.failed > 0 {
        eprintln!("nlua: rolled back ({s})");
    }
    Ok(s)
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    if let Some(file) = &cli.test.worker {
        return Ok(nlua::testrun::worker::main(file, cli.test.index.unwrap_or(0)));
    }
    if cli.test.test {
        return nlua::testrun::main();
    }
    if cli.sandbox {
        // Before any thread exists: a threaded process cannot enter a user namespace.
        nlua::sandbox::enter()?;
    }
    if cli.version {
        println!("nlua {} (Lua 5.4)", env!("CARGO_PKG_VERSION"));
        if cli.exec.is_empty() && cli.script.is_empty() && !cli.interactive {
            return Ok(ExitCode::SUCCESS);
        }
    }
    if let Some(dir) = &cli.types {
        for line in nlua::reference::write_types(dir).map_err(|e| format!("--types {}: {e}", dir.display()))? {
            println!("{line}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    if cli.reference {
        print!("{}", nlua::reference::markdown());
        return Ok(ExitCode::SUCCESS);
    }
    // First, so `--netns red --down topo` takes down a run made with `--netns red`.
    if let Some(name) = &cli.netns {
        // Still single-threaded: the whole process moves, so handles,
        // os.execute and /proc reads all see the namespace.
        let ns = nlua::netns::open(name).map_err(|e| e.to_string())?;
        nlua::netns::enter_for_good(&ns).map_err(|e| e.to_string())?;
    }
    let dir = journal::state_dir();
    if cli.status {
        let lines = journal::status(&dir)?;
        if lines.is_empty() {
            println!("no kept journals in {}", dir.display());
        }
        for l in lines {
            println!("{l}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(arg) = &cli.down {
        let name = down_name(arg);
        let s = journal::down(&dir, &name, &mut std::io::stderr())?;
        eprintln!("nlua: '{name}' is down ({s})");
        return Ok(if s.failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE });
    }
    if cli.monitor {
        return nlua::monitor::run(&cli.script, cli.json);
    } else if cli.json {
        return Err("--json goes with --monitor".into());
    }
    let trace = match cli.trace.as_deref() {
        None => journal::Trace::Off,
        Some("text") => journal::Trace::Text,
        Some("json") => journal::Trace::Json,
        Some(other) => return Err(format!("--trace: expected \"text\" or \"json\", got {other:?}")),
    };
    // A script run keeps a journal (named after the script); -e chunks and the
    // REPL change the system like ip does, unless a name or --ephemeral asks.
    let script_file = cli.script.first().filter(|s| s.as_str() != "-").cloned();
    let initial = nlua::engine::NsInfo::current().map_err(|e| e.to_string())?;
    let journal: Option<Arc<journal::Journal>> = if script_file.is_some() || cli.name.is_some() || cli.ephemeral {
        let name = cli.name.clone().unwrap_or_else(|| script_file.as_deref().map(journal::name_of_script).unwrap_or_else(|| "nlua".into()));
        if cli.force && journal::journal_path(&dir, &name).exists() {
            let s = journal::down(&dir, &name, &mut std::io::stderr())?;
            eprintln!("nlua: --force: took the earlier run of '{name}' down ({} undone)", s.undone);
        }
        let script = script_file.clone().unwrap_or_else(|| "(command line)".into());
        Some(Arc::new(journal::Journal::create(&dir, &name, &script, &initial, trace)?))
    } else if trace != journal::Trace::Off {
        Some(Arc::new(journal::Journal::in_memory(&initial, trace)))
    } else {
        None
    };
    let mut b = Runtime::builder();
    if let Some(j) = &journal {
        b = b.journal(j.clone());
    }
    let rt = b.build().map_err(|e| e.to_string())?;
    // Ctrl-C or SIGTERM during the run: an error, so the run rolls back.
    // Declared after `rt`, so it is dropped first on every path.
    let interrupt = nlua::runtime::interrupt::install_for_run(rt.lua()).map_err(|e| e.to_string())?;
    let outcome = run_chunks(&cli, &rt);
    let Some(j) = journal else {
        if outcome.is_err() {
            report_running(&rt);
        }
        return outcome;
    };
    let kept = j.path().is_some();
    match outcome {
        Ok(code) if cli.ephemeral => {
            let s = teardown(rt, interrupt, &j)?;
            Ok(if s.failed == 0 { code } else { ExitCode::FAILURE })
        }
        Ok(code) => {
            j.keep();
            Ok(code)
        }
        Err(msg) => {
            eprintln!("nlua: {msg}");
            if let Some(hint) = nlua::sandbox::eperm_hint(&msg) {
                eprintln!("nlua: {hint}");
            }
            if cli.keep || !kept {
                report_running(&rt);
                j.keep();
                if kept && !j.is_empty() {
                    eprintln!("nlua: --keep: left as it is; `nlua --down {}` takes it down", j.name);
                }
            } else {
                teardown(rt, interrupt, &j)?;
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

fn run_chunks(cli: &Cli, rt: &Runtime) -> Result<ExitCode, String> {
    let lua = rt.lua();
    // arg, as lua builds it: the whole command line, indexed so that the script
    // is arg[0], its arguments positive, the interpreter and options before it
    // negative; with no script, the interpreter's name is arg[0].
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let script_at = if cli.script.is_empty() { 0 } else { argv.len() - cli.script.len() };
    if let Some(first) = cli.script.first()
        && first.starts_with('-')
        && first != "-"
        && argv.get(script_at - 1).is_none_or(|a| a != "--")
    {
        return Err(format!("unrecognized option '{first}' (try --help)"));
    }
    let argt = lua.create_table().map_err(|e| e.to_string())?;
    for (i, a) in argv.iter().enumerate() {
        let s = lua.create_string(std::os::unix::ffi::OsStrExt::as_bytes(a.as_os_str())).map_err(|e| e.to_string())?;
        let _ = argt.raw_set(i as i64 - script_at as i64, s);
    }
    lua.globals().set("arg", argt).map_err(|e| e.to_string())?;

    for m in &cli.libs {
        // `-l g=mod` sets global g; `-l a.b` sets the last part (b), so that
        // `-l nlua.inspect` cannot replace the `nlua` module.
        let (global, module) = match m.split_once('=') {
            Some((g, m)) => (g, m),
            None => (m.rsplit('.').next().unwrap_or(m), m.as_str()),
        };
        let require: mlua::Function = lua.globals().get("require").map_err(|e| e.to_string())?;
        let v: Value = require.call(module).map_err(|e| nlua::lua::error::message(&e))?;
        lua.globals().set(global, v).map_err(|e| e.to_string())?;
    }
    for chunk in &cli.exec {
        let f = rt.load_source(chunk.as_bytes(), "=(command line)").map_err(|e| nlua::lua::error::message(&e))?;
        rt.call_traced(&f, MultiValue::new())?;
    }

    let stdin_tty = std::io::stdin().is_terminal();
    match cli.script.first().map(String::as_str) {
        Some(path) => {
            let f = if path == "-" {
                let mut src = Vec::new();
                std::io::stdin().read_to_end(&mut src).map_err(|e| format!("cannot read stdin: {e}"))?;
                rt.load_source(&src, "=stdin")
            } else {
                rt.load_file(path)
            }
            .map_err(|e| nlua::lua::error::message(&e))?;
            let args: MultiValue = cli.script[1..].iter().map(|a| Value::String(lua.create_string(a).unwrap())).collect();
            // On an error, what still runs is reported (or killed) by the caller.
            rt.call_traced(&f, args)?;
        }
        None if cli.exec.is_empty() && !cli.interactive && !stdin_tty => {
            let mut src = Vec::new();
            std::io::stdin().read_to_end(&mut src).map_err(|e| format!("cannot read stdin: {e}"))?;
            let f = rt.load_source(&src, "=stdin").map_err(|e| nlua::lua::error::message(&e))?;
            rt.call_traced(&f, MultiValue::new())?;
        }
        None => {}
    }

    if !cli.ephemeral {
        report_running(rt);
    }
    let want_repl = cli.interactive || (cli.script.is_empty() && cli.exec.is_empty() && stdin_tty);
    if want_repl {
        if !cli.version {
            println!("nlua {} (Lua 5.4) — Ctrl-D to exit", env!("CARGO_PKG_VERSION"));
        }
        nlua::repl::run(rt).map_err(|e| e.to_string())?;
    }
    Ok(ExitCode::SUCCESS)
}
