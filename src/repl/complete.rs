//! Tab completion: globals, module functions, object methods and fields,
//! option names of the table being written (with the options of its `kind`),
//! and live names inside strings (this namespace's links, named namespaces).

use mlua::{Lua, Value};
use rustyline::completion::Pair;

use super::context::{Context, KEYWORDS, Owner, Site, StrSite, Table};
use super::resolve::{self, Resolved};
use crate::engine::schema;
use crate::engine::tc::{Obj, kinds};
use crate::lua::MODULES;
use crate::stubs;

fn is_ident(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Candidates for the text before the cursor: (byte offset where the
/// replaced word starts, candidates). `after` is the text after the cursor.
pub fn candidates(lua: &Lua, text: &str, after: &str) -> (usize, Vec<Pair>) {
    if text.trim_start().starts_with(['.', ':']) && !text.contains(char::is_whitespace) {
        let words = [".help", ":json "].into_iter().filter(|w| w.starts_with(text.trim_start()));
        return (text.len() - text.trim_start().len(), words.map(|w| pair(w, w)).collect());
    }
    let Some(cx) = Context::new(text) else { return (text.len(), Vec::new()) };
    match cx.site() {
        Site::Global { partial, start } => (start, finish(globals(lua), &partial, |w| w.to_string())),
        Site::Member { path, colon, partial, start } => (start, finish(members(lua, &path, colon), &partial, |w| w.to_string())),
        Site::Key { table, partial, start } => {
            let keys = table_keys(lua, &table);
            if keys.is_empty() {
                return (start, finish(globals(lua), &partial, |w| w.to_string()));
            }
            (start, finish(keys, &partial, |w| format!("{w}=")))
        }
        Site::Str { site, partial, start, quote } => {
            let close = if after.starts_with(quote) { String::new() } else { quote.to_string() };
            (start, finish(string_values(lua, &site), &partial, |w| format!("{w}{close}")))
        }
        Site::None => (text.len(), Vec::new()),
    }
}

fn pair(display: &str, replacement: &str) -> Pair {
    Pair { display: display.to_string(), replacement: replacement.to_string() }
}

/// Those starting with `partial`, sorted, each once.
fn finish(mut words: Vec<String>, partial: &str, replacement: impl Fn(&str) -> String) -> Vec<Pair> {
    words.retain(|w| w.starts_with(partial));
    words.sort();
    words.dedup();
    words.iter().map(|w| pair(w, &replacement(w))).collect()
}

fn globals(lua: &Lua) -> Vec<String> {
    let mut out: Vec<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
    for (k, _) in lua.globals().pairs::<Value, Value>().flatten() {
        if let Value::String(s) = k
            && let Ok(s) = s.to_str()
            && is_ident(&s)
        {
            out.push(s.to_string());
        }
    }
    out
}

/// Methods (after `:`) or fields (after `.`) of an object class.
pub fn class_members(class: &str, colon: bool) -> Vec<String> {
    let s = stubs::get();
    if !colon {
        return s.fields(class).into_iter().map(|f| f.name).filter(|n| is_ident(n)).collect();
    }
    let mut out: Vec<String> = s.methods(class).iter().map(|f| f.member.clone()).collect();
    // Every module op is a Handle method, and a Netns forwards them.
    if class == "Handle" || class == "Netns" {
        out.extend(MODULES.iter().flat_map(|m| m.ops.iter().map(move |o| format!("{}_{}", m.name, o.name))));
    }
    out
}

fn members(lua: &Lua, path: &[String], colon: bool) -> Vec<String> {
    let Some(r) = resolve::path(lua, path) else { return Vec::new() };
    if let Some(class) = r.class() {
        return class_members(&class, colon);
    }
    let t = match r {
        Resolved::Value(Value::Table(t)) => t,
        Resolved::Value(Value::String(_)) if colon => match lua.globals().raw_get::<Value>("string") {
            Ok(Value::Table(t)) => t,
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    for (k, v) in t.pairs::<Value, Value>().flatten() {
        if let Value::String(s) = k
            && let Ok(s) = s.to_str()
            && is_ident(&s)
            && (!colon || matches!(v, Value::Function(_)))
        {
            out.push(s.to_string());
        }
    }
    out
}

/// The declared type of a table being written, and the object a method is called on.
fn table_type(lua: &Lua, t: &Table) -> Option<(String, Option<Value>)> {
    match &t.owner {
        Owner::Arg(call) => {
            let target = resolve::func(lua, &call.callee, call.colon)?;
            let p = target.func.param(call.arg.checked_sub(target.shift)?)?;
            Some((p.ty, target.receiver))
        }
        Owner::Field(parent, key) => {
            let (pty, recv) = table_type(lua, parent)?;
            let f = stubs::get().table_fields(&pty).into_iter().find(|f| &f.name == key)?;
            Some((f.ty, recv))
        }
        Owner::Unknown => None,
    }
}

/// The link kind whose options apply: `kind="..."` in the table, or the kind
/// of the Link being changed (a field of the object's last read).
fn link_kind(t: &Table, receiver: Option<&Value>) -> Option<String> {
    if let Some((_, Some(k))) = t.keys.iter().find(|(k, _)| k == "kind") {
        return Some(k.clone());
    }
    match receiver {
        Some(Value::UserData(ud)) => ud.borrow::<crate::lua::link::Link>().ok()?.l.kind.clone(),
        _ => None,
    }
}

/// Option names of the table being written, minus those already there.
fn table_keys(lua: &Lua, t: &Table) -> Vec<String> {
    let s = stubs::get();
    let Some((ty, recv)) = table_type(lua, t) else { return Vec::new() };
    let mut out: Vec<String> = s.table_fields(&ty).into_iter().map(|f| f.name).collect();
    if (s.type_mentions(&ty, "LinkAddOpts") || s.type_mentions(&ty, "LinkSetOpts"))
        && let Some(set) = link_kind(t, recv.as_ref()).and_then(|k| schema::link::kind_set(&k))
    {
        out.extend(set.attrs.iter().filter(|a| !a.read_only).map(|a| a.name.to_string()));
    }
    out.retain(|k| is_ident(k) && !t.keys.iter().any(|(have, _)| have == k));
    out
}

/// The quoted words of a description that could be values: `"inet" or "inet6"`.
fn quoted_words(desc: &str) -> Vec<String> {
    desc.split('"')
        .skip(1)
        .step_by(2)
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)) && w.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .map(str::to_string)
        .collect()
}

/// Live values for a string being written where the stubs expect a link
/// (its links' names), a namespace (the named namespaces), a kind, or one of
/// the words the description quotes.
fn string_values(lua: &Lua, site: &StrSite) -> Vec<String> {
    let s = stubs::get();
    let (ty, desc, key, table_ty, recv) = match site {
        StrSite::Arg(call) => {
            let Some(target) = resolve::func(lua, &call.callee, call.colon) else { return Vec::new() };
            let Some(p) = call.arg.checked_sub(target.shift).and_then(|i| target.func.param(i)) else { return Vec::new() };
            (p.ty, p.desc, None, None, target.receiver)
        }
        StrSite::Field(t, key) => {
            let Some((tty, recv)) = table_type(lua, t) else { return Vec::new() };
            let Some(f) = s.table_fields(&tty).into_iter().find(|f| &f.name == key) else { return Vec::new() };
            (f.ty, f.desc, Some(key.as_str()), Some(tty), recv)
        }
    };
    let mut out = Vec::new();
    if s.type_mentions(&ty, "Link") || s.type_mentions(&ty, "LinkName") {
        if let Some(h) = resolve::handle_for_call(lua, recv.as_ref())
            && let Ok(links) = h.link_list(&Default::default())
        {
            out.extend(links.into_iter().map(|l| l.name));
        }
    } else if s.type_mentions(&ty, "Netns") || s.type_mentions(&ty, "NetnsName") {
        out.extend(crate::netns::list().unwrap_or_default());
    }
    if key == Some("kind")
        && let Some(tty) = &table_ty
    {
        if s.type_mentions(tty, "LinkAddOpts") {
            out.extend(schema::link::known_kinds().map(str::to_string));
        }
        for (class, obj) in [("QdiscOpts", Obj::Qdisc), ("ClassOpts", Obj::Class), ("FilterOpts", Obj::Filter)] {
            if s.type_mentions(tty, class) {
                out.extend(kinds::known_kinds(obj).into_iter().map(str::to_string));
            }
        }
    }
    out.extend(quoted_words(&desc));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_words_are_value_like() {
        assert_eq!(quoted_words(r#""inet" or "inet6""#), ["inet", "inet6"]);
        assert_eq!(quoted_words(r#""10.0.0.0/24", "2001:db8::/64" or "default""#), ["default"]);
    }

    fn words(lua: &Lua, text: &str) -> Vec<String> {
        candidates(lua, text, "").1.into_iter().map(|p| p.replacement).collect()
    }

    /// Completion that reads only the VM and the stubs (no netlink).
    #[test]
    fn names_members_and_options() {
        let rt = crate::Runtime::new().unwrap();
        let lua = rt.lua();
        assert_eq!(words(lua, "link."), ["add", "del", "get", "list", "set", "wait"]);
        assert!(words(lua, "lin").contains(&"link".to_string()));
        assert!(words(lua, "ret").contains(&"return".to_string()));
        assert_eq!(words(lua, "netns.op"), ["open"]);
        let vx = words(lua, "link.add{name='vx0', kind='vxlan', ");
        for k in ["mtu=", "master=", "id=", "dstport=", "remote=", "peer="] {
            assert!(vx.contains(&k.to_string()), "{k} not in {vx:?}");
        }
        assert!(!vx.contains(&"name=".to_string()), "name is already there: {vx:?}");
        let br = words(lua, "link.add{kind='bridge', st");
        assert!(br.contains(&"stp_state=".to_string()) && !br.contains(&"id=".to_string()), "{br:?}");
        assert_eq!(words(lua, "link.add{name='a', kind='veth', peer={na"), ["name="]);
        assert!(words(lua, "link.add{kind=\"vx").contains(&"vxlan\"".to_string()));
        assert!(words(lua, "qdisc.add{kind='h").contains(&"htb'".to_string()));
        assert_eq!(words(lua, "neigh.list{family=\"inet"), ["inet\"", "inet6\""]);
        assert_eq!(words(lua, ".he"), [".help"]);
        lua.load("s = 'x'").exec().unwrap();
        assert!(words(lua, "s:up").contains(&"upper".to_string()));
    }
}
