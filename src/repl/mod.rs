//! The interactive loop (rustyline): a line that is an expression prints its
//! values, unfinished input continues on the next line, errors print with
//! their position and the loop goes on. Results print through
//! `lua/nlua/inspect.lua`; help, hints and option names come from the type
//! stubs; Ctrl-C interrupts a running chunk through a Lua hook.

mod complete;
mod context;
mod help;
mod helper;
mod history;
mod resolve;

use crate::runtime::interrupt;

use std::cell::RefCell;
use std::io::IsTerminal;

use mlua::{Function, MultiValue, Value};
use rustyline::error::ReadlineError;
use rustyline::history::{History, MemHistory};
use rustyline::{CompletionType, Config};

use crate::Runtime;
use crate::engine::NsInfo;
use helper::ReplHelper;

type Editor = rustyline::Editor<ReplHelper, MemHistory>;

/// What a line of input turned out to be.
enum Parsed {
    Ready(Function),
    Incomplete,
    Error(String),
}

fn parse(rt: &Runtime, src: &str) -> Parsed {
    let src = src.strip_prefix('=').map(|e| format!("return {e}")).unwrap_or_else(|| src.to_string());
    // An expression line prints its values: try `return <line>` first.
    if let Ok(f) = rt.load_source(format!("return {src}").as_bytes(), "=repl") {
        return Parsed::Ready(f);
    }
    match rt.load_source(src.as_bytes(), "=repl") {
        Ok(f) => Parsed::Ready(f),
        Err(mlua::Error::SyntaxError { incomplete_input: true, .. }) => Parsed::Incomplete,
        Err(e) => Parsed::Error(crate::lua::error::message(&e)),
    }
}

/// One REPL: the editor and history, shared by nested `repl()` calls.
struct Session<'a> {
    rt: &'a Runtime,
    editor: RefCell<Editor>,
    history: history::HistoryFile,
    /// The namespace the REPL started in (the prompt names any other).
    start_ns: Option<NsInfo>,
    /// nlua.inspect's `results`, the one printer.
    results: Option<Function>,
}

impl Session<'_> {
    /// `nlua> `, or `nlua(red)> ` when the current namespace is a named one or
    /// not the one the REPL started in.
    fn prompt(&self) -> String {
        let Ok(h) = crate::runtime::current_handle(self.rt.lua()) else { return "nlua> ".into() };
        let ns = h.ns();
        let name = ns.name.clone().or_else(|| crate::netns::list().ok()?.into_iter().find(|n| crate::netns::open(n).is_ok_and(|x| x == *ns)));
        match name {
            Some(n) => format!("nlua({n})> "),
            None if self.start_ns.as_ref() != Some(ns) => format!("nlua(inode {})> ", ns.inode),
            None => "nlua> ".into(),
        }
    }

    /// Read, run, print until Ctrl-D.
    fn lines(&self) -> rustyline::Result<()> {
        let mut buf = String::new();
        loop {
            let prompt = if buf.is_empty() { self.prompt() } else { ">> ".to_string() };
            let line = {
                let mut ed = self.editor.try_borrow_mut().map_err(|_| ReadlineError::Io(std::io::Error::other("the REPL is already reading")))?;
                if let Some(h) = ed.helper() {
                    *h.pending.borrow_mut() = buf.clone();
                }
                ed.readline(&prompt)
            };
            match line {
                Ok(line) => {
                    if buf.is_empty() && self.command(&line) {
                        self.remember(&line);
                        continue;
                    }
                    if !buf.is_empty() {
                        buf.push('\n');
                    }
                    buf.push_str(&line);
                    if buf.trim().is_empty() {
                        buf.clear();
                        continue;
                    }
                    match parse(self.rt, &buf) {
                        Parsed::Incomplete => continue,
                        Parsed::Error(e) => eprintln!("{e}"),
                        Parsed::Ready(f) => {
                            if let Some(vals) = self.execute(&f) {
                                self.print(vals);
                            }
                        }
                    }
                    self.remember(&buf);
                    buf.clear();
                }
                Err(ReadlineError::Interrupted) => buf.clear(),
                Err(ReadlineError::Eof) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    /// `.help` and `:json EXPR`; false for Lua.
    fn command(&self, line: &str) -> bool {
        let t = line.trim();
        if t == ".help" {
            print!("{}", help::repl_help(self.history.path.as_deref()));
            return true;
        }
        let Some(expr) = t.strip_prefix(":json") else { return false };
        match self.rt.load_source(format!("return {expr}").as_bytes(), "=repl") {
            Err(e) => eprintln!("{}", crate::lua::error::message(&e)),
            Ok(f) => {
                for v in self.execute(&f).unwrap_or_default() {
                    match crate::lua::nlua::to_json(self.rt.lua(), &v, 0) {
                        Ok(j) => println!("{}", j.to_string_pretty()),
                        Err(e) => eprintln!("{}", crate::lua::error::message(&e)),
                    }
                }
            }
        }
        true
    }

    /// Run a chunk; its results, or None after printing its error.
    fn execute(&self, f: &Function) -> Option<MultiValue> {
        interrupt::clear();
        let r = self.rt.call_traced(f, MultiValue::new());
        interrupt::clear();
        match r {
            Ok(vals) => Some(vals),
            Err(e) => {
                eprintln!("{e}");
                None
            }
        }
    }

    fn print(&self, vals: MultiValue) {
        if vals.is_empty() {
            return;
        }
        let text = match &self.results {
            Some(f) => f.call::<String>(vals).map_err(|e| crate::lua::error::message(&e)),
            None => Ok(vals.iter().map(|v| v.to_string().unwrap_or_else(|_| format!("{v:?}"))).collect::<Vec<_>>().join("\t")),
        };
        interrupt::clear();
        match text {
            Ok(t) => println!("{t}"),
            Err(e) => eprintln!("{e}"),
        }
    }

    /// Add an entry to the shared history and take back every session's.
    fn remember(&self, entry: &str) {
        if entry.trim().is_empty() {
            return;
        }
        let Ok(mut ed) = self.editor.try_borrow_mut() else { return };
        let h = ed.history_mut();
        match self.history.add(entry) {
            Some(all) => {
                let _ = h.clear();
                for e in all {
                    let _ = h.add_owned(e);
                }
            }
            None => {
                let _ = h.add(entry);
            }
        }
    }
}

/// Run the REPL until end of input (Ctrl-D).
pub fn run(rt: &Runtime) -> rustyline::Result<()> {
    let lua = rt.lua();
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .max_history_size(history::MAX_ENTRIES)?
        .auto_add_history(false)
        .build();
    let mem = MemHistory::with_config(&config);
    let mut editor = Editor::with_history(config, mem)?;
    editor.set_helper(Some(ReplHelper::new(lua.clone())));
    // Lines piped into `nlua -i` are not typed: they stay out of the history.
    let typed = std::io::stdin().is_terminal();
    let history = history::HistoryFile { path: history::default_path().filter(|_| typed) };
    for e in history.load() {
        editor.history_mut().add_owned(e)?;
    }
    let results = lua.load("return require('nlua.inspect').results").eval::<Function>().ok();
    let start_ns = crate::runtime::current_handle(lua).ok().map(|h| h.ns().clone());
    let session = Session { rt, editor: RefCell::new(editor), history, start_ns, results };
    let lua_err = |e: mlua::Error| ReadlineError::Io(std::io::Error::other(crate::lua::error::message(&e)));

    let hist_path = session.history.path.clone();
    let help_fn = lua
        .create_function(move |lua, x: Value| {
            match x {
                Value::Nil => print!("{}", help::repl_help(hist_path.as_deref())),
                x => print!("{}", help::help(lua, &x)),
            }
            Ok(())
        })
        .map_err(lua_err)?;
    lua.globals().set("help", help_fn).map_err(lua_err)?;
    let guard = interrupt::install(lua).map_err(lua_err)?;
    let outcome = lua.scope(|scope| {
        // `repl()` runs a REPL inside the running chunk (`red:run(repl)`).
        let nested = scope.create_function(|_, ()| session.lines().map_err(mlua::Error::external))?;
        lua.globals().set("repl", nested)?;
        Ok(session.lines())
    });
    guard.uninstall();
    let _ = lua.globals().set("repl", Value::Nil);
    outcome.map_err(lua_err)?
}
