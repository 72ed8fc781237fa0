//! `.help` and `help(x)`: documentation from the type stubs, the same text
//! editors show (`---` lines, `---@param`, `---@field`, `---@return`).

use std::fmt::Write;

use mlua::{Lua, Value};

use super::resolve::{self, class_of};
use crate::stubs::{self, Func, Member};

/// What the REPL can do.
pub fn repl_help(history: Option<&std::path::Path>) -> String {
    let s = stubs::get();
    let mut out = String::from(
        "nlua REPL: Lua 5.4 with nlua's modules.\n\
         \x20 an expression prints its values (=expr too); statements run as in lua;\n\
         \x20 an unfinished statement continues on the next line (>>)\n\
         \x20 help(f), help(link), help(\"Link\"), help(obj)   documentation from the type stubs\n\
         \x20 :json EXPR   the value as JSON (the keys `ip -j` uses)\n\
         \x20 repl()       a REPL inside the running chunk: red:run(repl) explores namespace red\n\
         \x20 Tab          completes names, methods, fields, option names and live link/namespace names\n\
         \x20 Ctrl-C       cancels the line, or interrupts a running chunk;  Ctrl-D exits\n",
    );
    if let Some(p) = history {
        let _ = writeln!(out, "  history      {}", p.display());
    }
    let _ = writeln!(out, "modules: {}", s.modules.join(" "));
    out
}

/// `help(x)`: a function, a module table, an object, or a name ("link.add", "Link:set", "Link").
pub fn help(lua: &Lua, x: &Value) -> String {
    let s = stubs::get();
    match x {
        Value::Nil => repl_help(None),
        Value::String(name) => by_name(&name.to_string_lossy()).unwrap_or_else(|| format!("no documentation for {:?}\n", name.to_string_lossy())),
        Value::Function(_) => match function_name(lua, x) {
            Some(name) => by_name(&name).unwrap_or_else(|| format!("{name}: no documentation\n")),
            None => "no documentation for this function (help knows nlua's functions; Lua's own are in the Lua 5.4 manual)\n".to_string(),
        },
        Value::Table(_) => match s.modules.iter().find(|m| lua.globals().raw_get::<Value>(m.as_str()).is_ok_and(|v| v == *x)) {
            Some(m) => module(m),
            None => "a table (help knows nlua's modules, functions and types)\n".to_string(),
        },
        Value::UserData(_) => match class_of(x) {
            Some(c) => class(&c).unwrap_or_else(|| format!("{c}: no documentation\n")),
            None => "a userdata nlua does not know\n".to_string(),
        },
        other => format!("a {} (help knows nlua's modules, functions and types)\n", other.type_name()),
    }
}

/// The global name of a function value: `link.add`, `help`.
fn function_name(lua: &Lua, f: &Value) -> Option<String> {
    let s = stubs::get();
    for m in &s.modules {
        if let Ok(Value::Table(t)) = lua.globals().raw_get::<Value>(m.as_str()) {
            for (k, v) in t.pairs::<String, Value>().flatten() {
                if v == *f {
                    return Some(format!("{m}.{k}"));
                }
            }
        }
    }
    s.funcs
        .iter()
        .filter(|g| g.owner.is_empty())
        .find(|g| lua.globals().raw_get::<Value>(g.member.as_str()).is_ok_and(|v| v == *f))
        .map(|g| g.member.clone())
}

/// Help for a name: a function, a method, a class or a module.
pub fn by_name(name: &str) -> Option<String> {
    let s = stubs::get();
    let name = name.trim();
    if let Some(f) = s.func(name).filter(|f| !f.is_bare()) {
        return Some(function(f, name));
    }
    // `Link.up` for `Link:up`; `Handle:link_add` is link.add.
    if let Some((class, member)) = name.split_once(['.', ':']) {
        let method = format!("{class}:{member}");
        if let Some(f) = s.func(&method).filter(|f| !f.is_bare()) {
            return Some(function(f, &method));
        }
        if matches!(class, "Handle" | "Netns")
            && let Some((m, o)) = resolve::handle_op(member)
            && let Some(f) = s.func(&format!("{m}.{o}"))
        {
            return Some(function(f, &method));
        }
    }
    if let Some(f) = s.func(name) {
        return Some(function(f, name));
    }
    if s.class(name).is_some() {
        return class(name);
    }
    if s.modules.iter().any(|m| m == name) {
        return Some(module(name));
    }
    s.alias(name).map(|a| format!("{}: {} — {}\n", a.name, a.ty, a.desc))
}

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| format!("{by}{l}\n")).collect()
}

/// A function: signature, description, parameters (option tables spelled
/// out), returns.
pub fn function(f: &Func, shown: &str) -> String {
    let s = stubs::get();
    let mut out = format!("{}\n", f.signature_as(shown));
    if !f.doc.is_empty() {
        out.push_str(&indent(&f.doc, "  "));
    }
    for i in 0..f.args.len() {
        let Some(p) = f.param(i) else { continue };
        let mut fields = s.table_fields(&p.ty);
        // `[string] any  the kind's options: ...` says what else the table takes
        fields.extend(stubs::union_parts(&p.ty).iter().filter(|c| !s.is_object(c)).flat_map(|c| s.fields(c)).filter(|f| f.name.starts_with('[')));
        if p.desc.is_empty() && fields.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  {}{}: {}{}", p.name, if p.optional { "?" } else { "" }, p.ty, dash(&p.desc));
        let width = fields.iter().map(|f| f.name.len() + usize::from(f.optional)).max().unwrap_or(0);
        for fd in fields {
            let name = format!("{}{}", fd.name, if fd.optional { "?" } else { "" });
            let _ = writeln!(out, "      {name:<width$}  {}{}", fd.ty, dash(&fd.desc));
        }
    }
    for r in f.returns.iter().filter(|r| !r.desc.is_empty()) {
        let _ = writeln!(out, "  returns {}{}", r.ty, dash(&r.desc));
    }
    out
}

/// The first sentence of a description (which may run over several lines).
fn summary(doc: &str) -> String {
    let text = doc.split("\n\n").next().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
    match text.find(". ") {
        Some(i) => text[..=i].to_string(),
        None => text,
    }
}

fn dash(desc: &str) -> String {
    if desc.is_empty() { String::new() } else { format!("  {desc}") }
}

/// A class: its fields, then its methods with the first sentence of their doc.
pub fn class(name: &str) -> Option<String> {
    let s = stubs::get();
    let c = s.class(name)?;
    let mut out = format!("{name}{}\n", if c.parents.is_empty() { String::new() } else { format!(" (extends {})", c.parents.join(", ")) });
    if !c.doc.is_empty() {
        out.push_str(&indent(&c.doc, "  "));
    }
    let fields: Vec<&Member> = c.members.iter().collect();
    if !fields.is_empty() {
        out.push_str("fields:\n");
        let width = c.members.iter().filter_map(|m| if let Member::Field(f) = m { Some(f.name.len()) } else { None }).max().unwrap_or(0);
        for m in fields {
            match m {
                Member::Field(f) => {
                    let _ = writeln!(out, "  {:<width$}  {}{}", f.name, f.ty, dash(&f.desc));
                }
                Member::Note(n) => {
                    let _ = writeln!(out, "  -- {n}");
                }
            }
        }
    }
    let methods = s.methods(name);
    if !methods.is_empty() {
        out.push_str("methods:\n");
        for f in methods {
            let _ = writeln!(out, "  {}{}", f.signature(), dash(&summary(&f.doc)));
        }
    }
    if name == "Handle" || name == "Netns" {
        out.push_str("  and every module function as a method <module>_<op>: h:link_add{...} is link.add{...} in this namespace\n");
    }
    Some(out)
}

/// A module: each function's signature and the first sentence of its doc.
pub fn module(name: &str) -> String {
    let s = stubs::get();
    let mut out = format!("module {name}\n");
    for f in s.module_funcs(name) {
        let _ = writeln!(out, "  {}{}", f.signature(), dash(&summary(&f.doc)));
    }
    for (_, fd) in s.module_fields.iter().filter(|(m, _)| m == name) {
        let _ = writeln!(out, "  {name}.{}: {}{}", fd.name, fd.ty, dash(&fd.desc));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_help_spells_out_option_tables() {
        let h = by_name("link.add").unwrap();
        assert!(h.starts_with("link.add(opts: LinkAddOpts) -> Link, Link\n  Create a link"), "{h}");
        assert!(h.contains("\n      mtu?   ") && h.contains("68..65535"), "{h}");
        let h = by_name("Handle:link_add").unwrap();
        assert!(h.starts_with("Handle:link_add(opts: LinkAddOpts)"), "{h}");
        assert!(by_name("Link").unwrap().contains("methods:\n  Link:up() -> Link  Bring the link up."));
        assert!(by_name("netns").unwrap().contains("  netns.enter(ns: NetnsName|Netns) -> Netns  Move this thread"));
        assert!(by_name("nosuch").is_none());
    }

    #[test]
    fn help_of_values() {
        let rt = crate::Runtime::new().unwrap();
        let lua = rt.lua();
        let f: Value = lua.load("return route.add").eval().unwrap();
        assert!(help(lua, &f).starts_with("route.add("), "{}", help(lua, &f));
        let m: Value = lua.load("return qdisc").eval().unwrap();
        assert!(help(lua, &m).starts_with("module qdisc\n  qdisc.list("));
        let p: Value = lua.load("return print").eval().unwrap();
        assert!(help(lua, &p).contains("Lua 5.4 manual"));
    }
}
