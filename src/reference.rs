//! The user reference (`docs/reference.md`) and the editor files
//! (`nlua --types DIR`), both made from the LuaLS stubs in `lua/types/`: the
//! one source that editors, the REPL's help and the reference all read. A test
//! keeps the committed reference equal to [`markdown`], and another keeps the
//! stubs equal to what the live VM registers, so neither can drift.
//!
//! Conventions the stubs follow for the reference: a `---` line that starts
//! with `Example: ` is an example (rendered as a Lua code block); every
//! function, object class and option class has one.

use std::fmt::Write as _;
use std::path::Path;

use crate::stubs::{self, Class, Func, Member, Stubs};

/// Where the stubs go under the `--types` directory.
pub const TYPES_SUBDIR: &str = ".nlua/types";

/// Write the stubs to `DIR/.nlua/types/*.lua` and a `.luarc.json` in `DIR`
/// pointing lua-language-server (and emmylua) at them, so a project's scripts
/// complete and type-check. An existing `.luarc.json` that nlua did not write
/// is left alone; the returned lines say what was done.
pub fn write_types(dir: &Path) -> std::io::Result<Vec<String>> {
    let types = dir.join(TYPES_SUBDIR);
    std::fs::create_dir_all(&types)?;
    let mut out = Vec::new();
    for (name, text) in stubs::FILES {
        std::fs::write(types.join(name), text)?;
    }
    out.push(format!("wrote {} stub files to {}", stubs::FILES.len(), types.display()));
    let rc = dir.join(".luarc.json");
    let ours = luarc();
    match std::fs::read_to_string(&rc) {
        Ok(old) if old != ours && !old.contains(TYPES_SUBDIR) => {
            out.push(format!("{} exists: left as it is; add \"{TYPES_SUBDIR}\" to its \"workspace.library\"", rc.display()));
        }
        _ => {
            std::fs::write(&rc, ours)?;
            out.push(format!("wrote {}", rc.display()));
        }
    }
    Ok(out)
}

/// The `.luarc.json` `--types` writes.
pub fn luarc() -> String {
    format!(
        "{{\n  \"$schema\": \"https://raw.githubusercontent.com/LuaLS/vscode-lua/master/setting/schema.json\",\n  \
         \"runtime.version\": \"Lua 5.4\",\n  \"workspace.library\": [\"{TYPES_SUBDIR}\"],\n  \
         \"diagnostics.globals\": [\"arg\"]\n}}\n"
    )
}

/// A markdown table cell: pipes escaped, newlines joined.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A doc text split into prose and example lines.
fn split_doc(doc: &str) -> (String, Vec<String>) {
    let mut prose = Vec::new();
    let mut examples = Vec::new();
    for line in doc.lines() {
        match line.strip_prefix("Example: ") {
            Some(ex) => examples.push(ex.trim().trim_matches('`').to_string()),
            None => prose.push(line),
        }
    }
    (prose.join("\n").trim().to_string(), examples)
}

fn push_doc(out: &mut String, doc: &str) {
    let (prose, examples) = split_doc(doc);
    if !prose.is_empty() {
        out.push_str(&prose);
        out.push_str("\n\n");
    }
    if !examples.is_empty() {
        out.push_str("```lua\n");
        for e in examples {
            out.push_str(&e);
            out.push('\n');
        }
        out.push_str("```\n\n");
    }
}

/// A GitHub anchor for a heading text.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' | '-' | '_' => Some(c),
            ' ' => Some('-'),
            _ => None,
        })
        .collect()
}

fn push_func(out: &mut String, f: &Func) {
    let _ = writeln!(out, "#### `{}`\n", f.signature());
    for o in &f.overloads {
        // `fun(names: string[]): Netns[]` shown like the signature above.
        let o = o.strip_prefix("fun(").unwrap_or(o);
        let o = if f.method { o.split_once(", ").filter(|(s, _)| s.starts_with("self")).map_or(o, |(_, r)| r) } else { o };
        let shown = match o.rsplit_once("): ") {
            Some((args, ret)) => format!("{}({args}) -> {ret}", f.name()),
            None => format!("{}({o}", f.name()),
        };
        let _ = writeln!(out, "Also `{shown}`.\n");
    }
    push_doc(out, &f.doc);
    let params: Vec<_> = (0..f.args.len()).filter_map(|i| f.param(i)).filter(|p| !p.desc.is_empty()).collect();
    for p in params {
        let _ = writeln!(out, "- `{}`: {}", p.name, p.desc);
    }
    for r in f.returns.iter().filter(|r| !r.desc.is_empty()) {
        let _ = writeln!(out, "- returns `{}`: {}", r.ty, r.desc);
    }
    if !out.ends_with("\n\n") {
        out.push('\n');
    }
}

fn push_fields(out: &mut String, c: &Class) {
    if !c.members.iter().any(|m| matches!(m, Member::Field(_))) {
        return;
    }
    out.push_str("| field | type | |\n|---|---|---|\n");
    for m in &c.members {
        match m {
            Member::Field(f) => {
                let _ = writeln!(out, "| `{}` | `{}` | {} |", cell(&f.name), cell(&f.ty), cell(&f.desc));
            }
            Member::Note(n) => {
                let _ = writeln!(out, "| *{}* | | |", cell(n));
            }
        }
    }
    out.push('\n');
}

fn push_class(out: &mut String, s: &Stubs, c: &Class) {
    let what = if s.is_object(&c.name) { "object" } else { "table" };
    let parents = if c.parents.is_empty() { String::new() } else { format!(" (extends {})", c.parents.join(", ")) };
    let _ = writeln!(out, "### {} ({what}){parents}\n", c.name);
    push_doc(out, &c.doc);
    push_fields(out, c);
    let methods = s.methods(&c.name);
    let (bare, documented): (Vec<&Func>, Vec<&Func>) = methods.into_iter().partition(|f| f.is_bare());
    for f in documented {
        push_func(out, f);
    }
    if !bare.is_empty() {
        let names: Vec<String> = bare.iter().map(|f| format!("`{}`", f.member)).collect();
        let _ = writeln!(
            out,
            "Every module function as a method bound to this object's namespace (`h:link_add{{...}}` is `link.add{{...}}` there): {}.\n",
            names.join(", ")
        );
    }
}

/// The section a class is listed in: the module of its file (a file without
/// a module table lists its classes under the module of its first function).
fn section_of(s: &Stubs, file: &str) -> String {
    let text = stubs::FILES.iter().find(|(n, _)| *n == file).map(|(_, t)| *t).unwrap_or("");
    s.modules
        .iter()
        .find(|m| text.contains(&format!("\n{m} = {{}}")))
        .cloned()
        .or_else(|| s.funcs.iter().find(|f| f.file == file && !f.method).map(|f| f.owner.clone()))
        .unwrap_or_default()
}

/// The reference, in markdown.
pub fn markdown() -> String {
    let s = stubs::get();
    let mut out = String::new();
    out.push_str("# nlua reference\n\n");
    out.push_str(
        "<!-- Generated from lua/types/*.lua by `nlua --reference > docs/reference.md`; do not edit by hand:\n     \
         edit the stubs. `cargo test` fails while this file differs from what the stubs generate. -->\n\n",
    );
    out.push_str(
        "Every module, function, method, field and option of nlua's Lua API, generated from the LuaLS type\n\
         stubs in `lua/types/` — the files editors read (`nlua --types DIR` installs them for a project) and\n\
         the REPL's `help()` prints. Types are LuaLS's: `T?` may be nil, `A|B` is either, `T[]` a list,\n\
         `{k: T}` a table with these keys. Module functions act in the current namespace; each is also a\n\
         method of a `Handle` and a `Netns` (`h:link_list()`, `ns:route_add{...}`) acting in theirs.\n\
         Topics are explained in `docs/`: namespaces (`netns.md`), routing (`routing.md`), traffic control\n\
         (`tc.md`), events (`events.md`), the journal and `--down` (`lifecycle.md`), the REPL (`repl.md`).\n\n",
    );
    let mut sections: Vec<String> = s.modules.clone();
    sections.push(String::new());
    out.push_str("Contents: [errors](#errors)");
    for m in &sections {
        let title = if m.is_empty() { GLOBALS.to_string() } else { m.to_string() };
        let _ = write!(out, " · [{title}](#{})", anchor(&title));
    }
    out.push_str("\n\n");

    out.push_str("## errors\n\n");
    if let Some(c) = s.class("NluaError") {
        push_doc(&mut out, &c.doc);
        push_fields(&mut out, c);
    }

    for m in &sections {
        let _ = writeln!(out, "## {}\n", if m.is_empty() { GLOBALS } else { m });
        if m.is_empty() {
            out.push_str("Functions the REPL defines (`help`, `repl`) and those a `*_test.lua` file run by `nlua --test` registers its tests with (`test`, `describe`, ...; see `docs/testing.md`).\n\n");
        }
        if let Some((_, d)) = s.module_docs.iter().find(|(n, _)| n == m) {
            push_doc(&mut out, d);
        }
        let funcs: Vec<&Func> = s.funcs.iter().filter(|f| !f.method && &f.owner == m).collect();
        if !funcs.is_empty() {
            out.push_str("### functions\n\n");
            for f in funcs {
                push_func(&mut out, f);
            }
        }
        for (_, fld) in s.module_fields.iter().filter(|(mm, _)| mm == m) {
            let _ = writeln!(out, "#### `{m}.{}` ({})\n\n{}\n", fld.name, fld.ty, fld.desc);
        }
        for c in s.classes.iter().filter(|c| c.name != "NluaError" && &section_of(s, c.file) == m) {
            push_class(&mut out, s, c);
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The section of functions that belong to no module.
const GLOBALS: &str = "globals";

#[cfg(test)]
mod tests;
