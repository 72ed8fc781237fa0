//! The reference cannot drift: the committed file is the generated one, every
//! entry has an example, and the stubs it is made from list exactly what the
//! live VM registers — module functions and fields, userdata fields and
//! methods, error fields.

use super::*;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/reference.md");

#[test]
fn committed_reference_is_the_generated_one() {
    let want = markdown();
    let have = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    if have != want && std::env::var_os("NLUA_BLESS").is_some() {
        std::fs::write(COMMITTED, &want).unwrap();
        return;
    }
    if have != want {
        let line = have.lines().zip(want.lines()).position(|(a, b)| a != b).unwrap_or(have.lines().count().min(want.lines().count()));
        panic!(
            "docs/reference.md differs from what lua/types/*.lua generate (first at line {}):\n  have: {:?}\n  want: {:?}\n\
             regenerate it: cargo run -- --reference > docs/reference.md",
            line + 1,
            have.lines().nth(line),
            want.lines().nth(line)
        );
    }
}

#[test]
fn every_function_and_class_has_an_example() {
    let s = stubs::get();
    let mut missing = Vec::new();
    for f in s.funcs.iter().filter(|f| !f.is_bare()) {
        if split_doc(&f.doc).1.is_empty() {
            missing.push(f.name());
        }
    }
    for c in &s.classes {
        if split_doc(&c.doc).1.is_empty() {
            missing.push(c.name.clone());
        }
    }
    assert!(missing.is_empty(), "no `---Example: ...` line in lua/types for: {}", missing.join(", "));
}

/// Methods a class provides through its `__index` metamethod, checked on a
/// live object instead of read from the UserData impl.
const INDEXED: &[(&str, &str)] = &[("Netns", "netns.current()")];

#[test]
fn userdata_members_match_the_stubs_both_ways() {
    let rt = crate::Runtime::new().unwrap();
    let s = stubs::get();
    let mut wrong = Vec::new();
    let live = crate::lua::members::all();
    for (class, m) in &live {
        let fields: Vec<String> = s.fields(class).into_iter().map(|f| f.name).collect();
        let methods: Vec<String> = s.methods(class).iter().map(|f| f.member.clone()).collect();
        for f in m.fields.iter().filter(|f| !fields.contains(f)) {
            wrong.push(format!("{class}.{f}: a field in Lua, not in the stubs"));
        }
        for f in fields.iter().filter(|f| !m.fields.contains(f)) {
            wrong.push(format!("{class}.{f}: in the stubs, not a field in Lua"));
        }
        for f in m.methods.iter().filter(|f| !f.starts_with('_') && !methods.contains(f)) {
            wrong.push(format!("{class}:{f}: a method in Lua, not in the stubs"));
        }
        for f in methods.iter().filter(|f| !m.methods.contains(f)) {
            let probe = INDEXED.iter().find(|(c, _)| c == class).map(|(_, make)| format!("return type(({make}).{f}) == 'function'"));
            let found = probe.is_some_and(|p| rt.lua().load(p).eval::<bool>().unwrap_or(false));
            if !found {
                wrong.push(format!("{class}:{f}: in the stubs, not a method in Lua"));
            }
        }
        for meta in ["__tostring", "__eq"] {
            if !m.meta.iter().any(|x| x == meta) {
                wrong.push(format!("{class}: no {meta} (CONVENTIONS 10)"));
            }
        }
    }
    // TestContext (test.lua) is a Lua table the test runner makes, not a userdata.
    for c in s.classes.iter().filter(|c| s.is_object(&c.name) && !s.funcs.iter().any(|f| f.owner == c.name && f.file == "test.lua")) {
        if !live.iter().any(|(n, _)| *n == c.name) {
            wrong.push(format!("{}: an object class in the stubs with no userdata in lua::members::all()", c.name));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn modules_and_globals_match_the_stubs_both_ways() {
    let rt = crate::Runtime::new().unwrap();
    let s = stubs::get();
    let registered: Vec<&str> = crate::lua::MODULES.iter().map(|m| m.name).collect();
    let mut stub_modules = s.modules.clone();
    stub_modules.sort();
    let mut live = registered.iter().map(|m| m.to_string()).collect::<Vec<_>>();
    live.sort();
    assert_eq!(stub_modules, live, "the stubs' module tables are the registered modules");
    // Module members both ways (functions and typed fields like nlua.version).
    let mut wrong = Vec::new();
    for m in &registered {
        let t: mlua::Table = rt.lua().globals().get(*m).unwrap();
        for pair in t.pairs::<String, mlua::Value>() {
            let (k, v) = pair.unwrap();
            let documented = match v {
                mlua::Value::Function(_) => s.func(&format!("{m}.{k}")).is_some(),
                _ => s.module_fields.iter().any(|(mm, f)| mm == m && f.name == k),
            };
            if !documented {
                wrong.push(format!("{m}.{k}: in Lua, not in the stubs"));
            }
        }
        for f in s.module_funcs(m) {
            if !matches!(t.get::<mlua::Value>(f.member.as_str()).unwrap(), mlua::Value::Function(_)) {
                wrong.push(format!("{}: in the stubs, not a function in Lua", f.name()));
            }
        }
        for (_, f) in s.module_fields.iter().filter(|(mm, _)| mm == m) {
            if t.get::<mlua::Value>(f.name.as_str()).unwrap().is_nil() {
                wrong.push(format!("{m}.{}: in the stubs, not in Lua", f.name));
            }
        }
    }
    // Stub functions of no module are the REPL's globals and the test runner's.
    for f in s.funcs.iter().filter(|f| f.owner.is_empty()) {
        assert!(f.file == "repl.lua" || f.file == "test.lua", "{} is a global outside repl.lua and test.lua", f.member);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn error_fields_in_the_stubs_are_there() {
    crate::lua::error::install(&mlua::Lua::new()).unwrap();
    let rt = crate::Runtime::new().unwrap();
    let s = stubs::get();
    let fields: Vec<String> = s.fields("NluaError").into_iter().map(|f| f.name).collect();
    for f in ["errno", "code", "message", "op", "kind", "stdout", "stderr", "status", "signal", "timed_out"] {
        assert!(fields.iter().any(|x| x == f), "NluaError.{f} is not in the stubs");
    }
    // An input error has the common fields; a failed command the rest.
    let input: Vec<bool> = rt
        .lua()
        .load("local ok, e = pcall(link.add, {name = 1}) return {e.errno ~= nil, e.code ~= nil, e.message ~= nil, e.op ~= nil, e.kind ~= nil}")
        .eval()
        .unwrap();
    assert_eq!(input, [true; 5]);
    let failed: Vec<bool> = rt
        .lua()
        .load("local ok, e = pcall(netns.current().exec, netns.current(), {'sh', '-c', 'echo out; echo err >&2; exit 3'}, {check = true})
               return {e.stdout == 'out\\n', e.stderr == 'err\\n', e.status == 3, e.signal == nil, e.timed_out == false, e.code == 'ECHILD'}")
        .eval()
        .unwrap();
    assert_eq!(failed, [true; 6]);
}

#[test]
fn types_dir_gets_the_stubs_and_a_luarc() {
    let dir = std::env::temp_dir().join(format!("nlua-types-{}", std::process::id()));
    let said = write_types(&dir).unwrap();
    for (name, text) in stubs::FILES {
        assert_eq!(&std::fs::read_to_string(dir.join(TYPES_SUBDIR).join(name)).unwrap(), text);
    }
    assert_eq!(std::fs::read_to_string(dir.join(".luarc.json")).unwrap(), luarc());
    assert!(said.iter().any(|l| l.contains(".luarc.json")));
    // A .luarc.json the user wrote stays.
    std::fs::write(dir.join(".luarc.json"), "{\"mine\": true}").unwrap();
    let said = write_types(&dir).unwrap();
    assert_eq!(std::fs::read_to_string(dir.join(".luarc.json")).unwrap(), "{\"mine\": true}");
    assert!(said.iter().any(|l| l.contains("left as it is")), "{said:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn error_code_table_matches_the_engine() {
    let doc = &stubs::get().class("NluaError").unwrap().doc;
    let mut rows = 0;
    for line in doc.lines().filter(|l| l.starts_with("| `E")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (code, errno) = (cells[1].trim_matches('`'), cells[2].parse::<i32>().unwrap());
        assert_eq!(crate::engine::error::errno_name(errno), code, "{line}");
        rows += 1;
    }
    assert!(rows >= 10, "{rows} codes documented");
}
