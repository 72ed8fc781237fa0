//! The interactive loop: a line that is an expression prints its values,
//! incomplete input continues on the next line, errors print and the loop goes on.

use mlua::{MultiValue, Value};
use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;

use crate::Runtime;

/// What a line of input turned out to be.
enum Parsed {
    Ready(mlua::Function),
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

/// Render values the way the REPL prints them (through nlua.inspect).
pub fn render(rt: &Runtime, vals: &MultiValue) -> String {
    let inspect: Option<mlua::Function> = rt
        .lua()
        .load("return require('nlua.inspect')")
        .eval::<mlua::Table>()
        .ok()
        .and_then(|t| t.get("inspect").ok());
    vals.iter()
        .map(|v| match (&inspect, v) {
            (_, Value::UserData(_)) => v.to_string().unwrap_or_else(|_| format!("{v:?}")),
            (Some(f), _) => f.call::<String>(v.clone()).unwrap_or_else(|_| format!("{v:?}")),
            (None, _) => v.to_string().unwrap_or_default(),
        })
        .collect::<Vec<_>>()
        .join("\t")
}

/// Run the REPL until end of input.
pub fn run(rt: &Runtime) -> rustyline::Result<()> {
    let mut ed = DefaultEditor::new()?;
    let mut buf = String::new();
    loop {
        let prompt = if buf.is_empty() { "nlua> " } else { ">> " };
        match ed.readline(prompt) {
            Ok(line) => {
                if !buf.is_empty() {
                    buf.push('\n');
                }
                buf.push_str(&line);
                match parse(rt, &buf) {
                    Parsed::Incomplete => continue,
                    Parsed::Error(e) => eprintln!("{e}"),
                    Parsed::Ready(f) => match rt.call_traced(&f, MultiValue::new()) {
                        Ok(vals) if !vals.is_empty() => println!("{}", render(rt, &vals)),
                        Ok(_) => {}
                        Err(e) => eprintln!("{e}"),
                    },
                }
                let _ = ed.add_history_entry(buf.as_str());
                buf.clear();
            }
            Err(ReadlineError::Interrupted) => buf.clear(),
            Err(ReadlineError::Eof) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}
