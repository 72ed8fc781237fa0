//! The `nlua` command. It follows the `lua` interpreter: `nlua script.lua a b`,
//! `-e chunk`, `-l mod`, `-i`, `-` for stdin, `-v`; nlua's own flags sit beside.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use clap::Parser;
use mlua::{MultiValue, Value};
use nlua::Runtime;

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
    /// Run everything inside the named network namespace (like `ip -n NAME`)
    #[arg(long = "netns", value_name = "NAME")]
    netns: Option<String>,
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
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("nlua: {msg}");
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

fn run(cli: Cli) -> Result<ExitCode, String> {
    if cli.version {
        println!("nlua {} (Lua 5.4)", env!("CARGO_PKG_VERSION"));
        if cli.exec.is_empty() && cli.script.is_empty() && !cli.interactive {
            return Ok(ExitCode::SUCCESS);
        }
    }
    if let Some(name) = &cli.netns {
        // Still single-threaded: the whole process moves, so handles,
        // os.execute and /proc reads all see the namespace.
        let ns = nlua::netns::open(name).map_err(|e| e.to_string())?;
        nlua::netns::enter_for_good(&ns).map_err(|e| e.to_string())?;
    }
    let rt = Runtime::new().map_err(|e| e.to_string())?;
    let lua = rt.lua();

    // arg: arg[0] is the script, arg[1..] its arguments, arg[-1] the interpreter.
    let argt = lua.create_table().map_err(|e| e.to_string())?;
    let _ = argt.raw_set(-1, "nlua");
    for (i, a) in cli.script.iter().enumerate() {
        let _ = argt.raw_set(i as i64, a.as_str());
    }
    lua.globals().set("arg", argt).map_err(|e| e.to_string())?;

    for m in &cli.libs {
        let require: mlua::Function = lua.globals().get("require").map_err(|e| e.to_string())?;
        let v: Value = require.call(m.as_str()).map_err(|e| nlua::lua::error::message(&e))?;
        let global = m.rsplit('.').next().unwrap_or(m);
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
            if let Err(e) = rt.call_traced(&f, args) {
                report_running(&rt);
                return Err(e);
            }
        }
        None if cli.exec.is_empty() && !cli.interactive && !stdin_tty => {
            let mut src = Vec::new();
            std::io::stdin().read_to_end(&mut src).map_err(|e| format!("cannot read stdin: {e}"))?;
            let f = rt.load_source(&src, "=stdin").map_err(|e| nlua::lua::error::message(&e))?;
            rt.call_traced(&f, MultiValue::new())?;
        }
        None => {}
    }

    report_running(&rt);
    let want_repl = cli.interactive || (cli.script.is_empty() && cli.exec.is_empty() && stdin_tty);
    if want_repl {
        if !cli.version {
            println!("nlua {} (Lua 5.4) — Ctrl-D to exit", env!("CARGO_PKG_VERSION"));
        }
        nlua::repl::run(&rt).map_err(|e| e.to_string())?;
    }
    Ok(ExitCode::SUCCESS)
}
