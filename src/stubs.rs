//! The LuaLS type stubs (`lua/types/*.lua`), shipped inside the binary, and a
//! reader of their annotations. The stubs are the one source of what each
//! function takes and returns: editors read them, and the REPL derives its
//! help, signature hints and option-name completion from them.

use std::sync::OnceLock;

/// The stub files, by file name.
pub static FILES: &[(&str, &str)] = &[
    ("link.lua", include_str!("../lua/types/link.lua")),
    ("addr.lua", include_str!("../lua/types/addr.lua")),
    ("route.lua", include_str!("../lua/types/route.lua")),
    ("rule.lua", include_str!("../lua/types/rule.lua")),
    ("neigh.lua", include_str!("../lua/types/neigh.lua")),
    ("qdisc.lua", include_str!("../lua/types/qdisc.lua")),
    ("class.lua", include_str!("../lua/types/class.lua")),
    ("filter.lua", include_str!("../lua/types/filter.lua")),
    ("netns.lua", include_str!("../lua/types/netns.lua")),
    ("nlua.lua", include_str!("../lua/types/nlua.lua")),
    ("repl.lua", include_str!("../lua/types/repl.lua")),
    ("monitor.lua", include_str!("../lua/types/monitor.lua")),
    ("test.lua", include_str!("../lua/types/test.lua")),
];

/// A `---@param` or `---@field` line.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Field or parameter name.
    pub name: String,
    /// The type, as written in the stub.
    pub ty: String,
    /// Its description.
    pub desc: String,
    /// Declared optional (`name?` or `T?`).
    pub optional: bool,
}

/// A `---@return` type.
#[derive(Debug, Clone, PartialEq)]
pub struct Return {
    /// The returned type.
    pub ty: String,
    /// The name and description after the type ("count").
    pub desc: String,
}

/// A documented function: `link.add` (module function) or `Link:up` (method).
#[derive(Debug, Clone, Default)]
pub struct Func {
    /// "link" or "Link".
    pub owner: String,
    /// "add" or "up".
    pub member: String,
    /// Declared with `:` (self is implicit).
    pub method: bool,
    /// The parameter names of the `function` line.
    pub args: Vec<String>,
    /// The `---@param` lines.
    pub params: Vec<Field>,
    /// The `---@return` types.
    pub returns: Vec<Return>,
    /// The `---@overload` signatures (`fun(names: string[]): Netns[]`).
    pub overloads: Vec<String>,
    /// The `---` text lines before it.
    pub doc: String,
    /// The stub file it is declared in ("link.lua").
    pub file: &'static str,
}

impl Func {
    /// "link.add" or "Link:up".
    pub fn name(&self) -> String {
        if self.owner.is_empty() {
            return self.member.clone();
        }
        format!("{}{}{}", self.owner, if self.method { ":" } else { "." }, self.member)
    }

    /// The `---@param` of argument `i` (0-based, self excluded), or a bare one.
    pub fn param(&self, i: usize) -> Option<Field> {
        let name = self.args.get(i)?;
        Some(self.params.iter().find(|p| &p.name == name).cloned().unwrap_or(Field {
            name: name.clone(),
            ty: String::new(),
            desc: String::new(),
            optional: false,
        }))
    }

    /// `link.add(opts: LinkAddOpts) -> Link, Link`, under the name `shown`.
    pub fn signature_as(&self, shown: &str) -> String {
        let args: Vec<String> = (0..self.args.len())
            .filter_map(|i| self.param(i))
            .map(|p| {
                let opt = if p.optional { "?" } else { "" };
                if p.ty.is_empty() || p.name == "..." { format!("{}{opt}", p.name) } else { format!("{}{opt}: {}", p.name, p.ty) }
            })
            .collect();
        let mut s = format!("{shown}({})", args.join(", "));
        if !self.returns.is_empty() {
            s.push_str(" -> ");
            s.push_str(&self.returns.iter().map(|r| r.ty.as_str()).collect::<Vec<_>>().join(", "));
        }
        s
    }

    /// A Handle method with no text of its own: the module function of the
    /// same name (`Handle:link_add` is `link.add`), typed like it for editors.
    pub fn is_bare(&self) -> bool {
        self.method && self.owner == "Handle" && self.doc.is_empty()
    }

    /// The signature under its own name.
    pub fn signature(&self) -> String {
        self.signature_as(&self.name())
    }
}

/// One line of a class: a field, or a `---` note that heads a group of fields.
#[derive(Debug, Clone)]
pub enum Member {
    /// A `---@field` line.
    Field(Field),
    /// A `---` note heading a group of fields.
    Note(String),
}

/// A `---@class`, merged across the files that extend it.
#[derive(Debug, Clone, Default)]
pub struct Class {
    /// The class name (`Link`, `LinkAddOpts`).
    pub name: String,
    /// Classes it extends.
    pub parents: Vec<String>,
    /// The `---` text before it.
    pub doc: String,
    /// Its fields and notes, in order.
    pub members: Vec<Member>,
    /// The stub file that declares it first ("link.lua").
    pub file: &'static str,
}

/// A `---@alias NAME TYPE description`.
#[derive(Debug, Clone)]
pub struct Alias {
    /// The alias name (`LinkName`).
    pub name: String,
    /// The type it stands for.
    pub ty: String,
    /// Its description.
    pub desc: String,
}

/// Everything the stubs declare.
#[derive(Debug, Default)]
pub struct Stubs {
    /// Functions and methods.
    pub funcs: Vec<Func>,
    /// Classes.
    pub classes: Vec<Class>,
    /// Aliases.
    pub aliases: Vec<Alias>,
    /// Global tables (`link = {}`), in file order.
    pub modules: Vec<String>,
    /// The `---` text before a global table (`link = {}`), by module.
    pub module_docs: Vec<(String, String)>,
    /// Typed non-function members of modules (`nlua.version`): (module, field).
    pub module_fields: Vec<(String, Field)>,
}

/// The stubs shipped in the binary, parsed once.
pub fn get() -> &'static Stubs {
    static STUBS: OnceLock<Stubs> = OnceLock::new();
    STUBS.get_or_init(|| {
        let mut s = Stubs::default();
        for (file, text) in FILES {
            s.parse(file, text);
        }
        s
    })
}

/// Split off one type expression (balanced over `{}`, `()`, `<>`), then the rest.
fn take_type(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '{' | '(' | '<' => depth += 1,
            '}' | ')' | '>' => depth -= 1,
            ',' | ' ' | '\t' if depth <= 0 => {
                // `fun(a: T): R` and `a | b` keep going past a space.
                let rest = s[i..].trim_start();
                if c == ' ' && (rest.starts_with('|') || s[..i].ends_with('|') || s[..i].ends_with(':')) {
                    continue;
                }
                return (&s[..i], &s[i..]);
            }
            _ => {}
        }
    }
    (s, "")
}

/// Split a union type at its top-level `|` ("string|integer|Link").
pub fn union_parts(ty: &str) -> Vec<&str> {
    let ty = ty.trim().trim_end_matches('?');
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in ty.char_indices() {
        match c {
            '{' | '(' | '<' => depth += 1,
            '}' | ')' | '>' => depth -= 1,
            '|' if depth == 0 => {
                parts.push(ty[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(ty[start..].trim());
    parts.into_iter().map(|p| p.trim_end_matches('?')).filter(|p| !p.is_empty()).collect()
}

/// The fields of an inline table type `{dev?: string|integer|Link, family?: string}`.
pub fn inline_fields(ty: &str) -> Vec<Field> {
    let Some(inner) = ty.trim().strip_prefix('{').and_then(|t| t.strip_suffix('}')) else { return Vec::new() };
    let mut out = Vec::new();
    let mut rest = inner;
    while !rest.trim().is_empty() {
        let Some(colon) = rest.find(':') else { break };
        let name = rest[..colon].trim().trim_start_matches(',').trim();
        let (t, r) = take_type(&rest[colon + 1..]);
        let (name, optional) = name_and_optional(name);
        out.push(Field { name, ty: t.to_string(), desc: String::new(), optional });
        rest = r.trim_start().trim_start_matches(',');
    }
    out
}

fn name_and_optional(word: &str) -> (String, bool) {
    match word.strip_suffix('?') {
        Some(n) => (n.to_string(), true),
        None => (word.to_string(), false),
    }
}

/// `---@field name type desc` / `---@param name type desc`.
fn field_line(rest: &str) -> Field {
    let rest = rest.trim_start();
    let (word, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let (name, mut optional) = name_and_optional(word);
    let (ty, desc) = take_type(after);
    if ty.ends_with('?') {
        optional = true;
    }
    Field { name, ty: ty.to_string(), desc: desc.trim().to_string(), optional }
}

/// `---@return T1, T2 name desc`.
fn return_line(rest: &str) -> Vec<Return> {
    let mut out = Vec::new();
    let mut rest = rest.trim_start();
    loop {
        let (ty, after) = take_type(rest);
        if ty.is_empty() {
            break;
        }
        if let Some(more) = after.trim_start().strip_prefix(',') {
            out.push(Return { ty: ty.to_string(), desc: String::new() });
            rest = more.trim_start();
            continue;
        }
        out.push(Return { ty: ty.to_string(), desc: after.trim().to_string() });
        break;
    }
    out
}

/// `function link.add(opts) end` / `function Link:up() end`.
fn function_line(line: &str) -> Option<(String, bool, String, Vec<String>)> {
    let rest = line.strip_prefix("function ")?;
    let open = rest.find('(')?;
    let close = rest[open..].find(')')? + open;
    let path = rest[..open].trim();
    let (owner, method, member) = match (path.rsplit_once(':'), path.rsplit_once('.')) {
        (Some((o, m)), _) => (o, true, m),
        (None, Some((o, m))) => (o, false, m),
        // a global function (`help`)
        (None, None) => ("", false, path),
    };
    let args = rest[open + 1..close].split(',').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
    Some((owner.to_string(), method, member.to_string(), args))
}

impl Stubs {
    fn class_mut(&mut self, name: &str, file: &'static str) -> &mut Class {
        if let Some(i) = self.classes.iter().position(|c| c.name == name) {
            return &mut self.classes[i];
        }
        self.classes.push(Class { name: name.to_string(), file, ..Default::default() });
        self.classes.last_mut().unwrap()
    }

    /// Read one stub file.
    fn parse(&mut self, file: &'static str, text: &str) {
        let mut doc: Vec<String> = Vec::new();
        let mut params = Vec::new();
        let mut returns = Vec::new();
        let mut overloads = Vec::new();
        let mut class: Option<String> = None;
        let mut typed: Option<String> = None;
        for raw in text.lines() {
            let line = raw.trim();
            if let Some(ann) = line.strip_prefix("---@") {
                let (tag, rest) = ann.split_once(char::is_whitespace).unwrap_or((ann, ""));
                match tag {
                    "meta" => {}
                    "class" => {
                        let (name, parents) = match rest.split_once(':') {
                            Some((n, p)) => (n.trim(), p.split(',').map(|x| x.trim().to_string()).collect()),
                            None => (rest.trim(), Vec::new()),
                        };
                        let d = std::mem::take(&mut doc).join("\n");
                        let c = self.class_mut(name, file);
                        c.parents.extend(parents);
                        if c.doc.is_empty() {
                            c.doc = d;
                        }
                        class = Some(name.to_string());
                    }
                    "field" => {
                        let f = field_line(rest);
                        if let Some(c) = &class {
                            let notes = std::mem::take(&mut doc);
                            let c = self.class_mut(&c.clone(), file);
                            c.members.extend(notes.into_iter().map(Member::Note));
                            c.members.push(Member::Field(f));
                        }
                    }
                    "param" => params.push(field_line(rest)),
                    "return" => returns.extend(return_line(rest)),
                    "overload" => overloads.push(rest.trim().to_string()),
                    "alias" => {
                        let (name, after) = rest.trim().split_once(char::is_whitespace).unwrap_or((rest.trim(), ""));
                        let (ty, desc) = take_type(after);
                        self.aliases.push(Alias { name: name.to_string(), ty: ty.to_string(), desc: desc.trim().to_string() });
                    }
                    "type" => typed = Some(take_type(rest).0.to_string()),
                    _ => {}
                }
            } else if let Some(text) = line.strip_prefix("---") {
                doc.push(text.strip_prefix(' ').unwrap_or(text).to_string());
            } else if let Some((owner, method, member, args)) = function_line(line) {
                self.funcs.push(Func {
                    owner,
                    member,
                    method,
                    args,
                    params: std::mem::take(&mut params),
                    returns: std::mem::take(&mut returns),
                    overloads: std::mem::take(&mut overloads),
                    doc: std::mem::take(&mut doc).join("\n"),
                    file,
                });
                class = None;
            } else {
                if let Some((lhs, _)) = line.split_once('=') {
                    let lhs = lhs.trim();
                    if line.ends_with("= {}") && !lhs.starts_with("local ") && lhs.chars().all(|c| c.is_alphanumeric() || c == '_') {
                        self.modules.push(lhs.to_string());
                        if !doc.is_empty() {
                            self.module_docs.push((lhs.to_string(), doc.join("\n")));
                        }
                    } else if let (Some(ty), Some((m, f))) = (&typed, lhs.split_once('.')) {
                        let field = Field { name: f.to_string(), ty: ty.clone(), desc: doc.join(" "), optional: false };
                        self.module_fields.push((m.to_string(), field));
                    }
                }
                if !line.starts_with("--") {
                    doc.clear();
                    params.clear();
                    returns.clear();
                    overloads.clear();
                    typed = None;
                    if !line.is_empty() {
                        class = None;
                    }
                }
            }
        }
    }

    /// The function named `link.add` or `Link:up`.
    pub fn func(&self, name: &str) -> Option<&Func> {
        self.funcs.iter().find(|f| f.name() == name)
    }

    /// The class named `name`.
    pub fn class(&self, name: &str) -> Option<&Class> {
        self.classes.iter().find(|c| c.name == name)
    }

    /// The alias named `name`.
    pub fn alias(&self, name: &str) -> Option<&Alias> {
        self.aliases.iter().find(|a| a.name == name)
    }

    /// The methods declared for class `name`, in file order.
    pub fn methods(&self, name: &str) -> Vec<&Func> {
        self.funcs.iter().filter(|f| f.method && f.owner == name).collect()
    }

    /// The functions of module `name`, in file order.
    pub fn module_funcs(&self, name: &str) -> Vec<&Func> {
        self.funcs.iter().filter(|f| !f.method && f.owner == name).collect()
    }

    /// A class that stands for an object (it has methods), not an option table.
    pub fn is_object(&self, name: &str) -> bool {
        self.funcs.iter().any(|f| f.method && f.owner == name)
    }

    /// The fields of class `name` and of the classes it extends.
    pub fn fields(&self, name: &str) -> Vec<Field> {
        let mut out = Vec::new();
        self.collect_fields(name, &mut out, 0);
        out
    }

    fn collect_fields(&self, name: &str, out: &mut Vec<Field>, depth: usize) {
        let Some(c) = self.class(name) else { return };
        if depth > 8 {
            return;
        }
        for m in &c.members {
            if let Member::Field(f) = m
                && !out.iter().any(|o| o.name == f.name)
            {
                out.push(f.clone());
            }
        }
        for p in &c.parents {
            self.collect_fields(p, out, depth + 1);
        }
    }

    /// The keys an option table of type `ty` takes: the fields of the option
    /// classes and inline tables in the union (object classes excluded).
    pub fn table_fields(&self, ty: &str) -> Vec<Field> {
        let mut out: Vec<Field> = Vec::new();
        for part in union_parts(ty) {
            let fs = if part.starts_with('{') {
                inline_fields(part)
            } else if self.class(part).is_some() && !self.is_object(part) {
                self.fields(part)
            } else {
                Vec::new()
            };
            for f in fs {
                if !f.name.starts_with('[') && !out.iter().any(|o| o.name == f.name) {
                    out.push(f);
                }
            }
        }
        out
    }

    /// The object class a value of type `ty` is, if exactly one ("Link?" -> Link).
    pub fn object_class(&self, ty: &str) -> Option<&str> {
        let objs: Vec<&Class> = union_parts(ty).into_iter().filter_map(|p| self.class(p)).collect();
        match objs.as_slice() {
            [one] => Some(one.name.as_str()),
            _ => None,
        }
    }

    /// Whether the union `ty` names `word` (a class or an alias), as a whole word.
    pub fn type_mentions(&self, ty: &str, word: &str) -> bool {
        union_parts(ty).iter().any(|p| {
            let p = p.trim_end_matches("[]");
            p == word || self.alias(p).is_some_and(|a| a.name != word && self.type_mentions(&a.ty, word))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_carry_params_returns_and_doc() {
        let s = get();
        let add = s.func("link.add").expect("link.add is in the stubs");
        assert_eq!(add.signature(), "link.add(opts: LinkAddOpts) -> Link, Link");
        assert!(add.doc.starts_with("Create a link"), "{}", add.doc);
        let up = s.func("Link:up").unwrap();
        assert_eq!(up.signature(), "Link:up() -> Link");
        let list = s.func("addr.list").unwrap();
        assert_eq!(list.param(0).unwrap().ty, "{dev?: string|integer|Link, family?: string, scope?: string, label?: string}");
        assert!(list.param(0).unwrap().optional);
        let run = s.func("Netns:run").unwrap();
        assert_eq!(run.args, ["fn", "..."]);
        assert_eq!(s.func("addr.flush").unwrap().returns[0].desc, "count");
    }

    #[test]
    fn classes_merge_across_files_and_inherit() {
        let s = get();
        let names: Vec<String> = s.methods("Link").iter().map(|f| f.member.clone()).collect();
        for m in ["up", "set", "addrs", "qdiscs", "filters", "neighs"] {
            assert!(names.iter().any(|n| n == m), "Link:{m} missing from {names:?}");
        }
        let spec: Vec<String> = s.fields("AddrSpecOpts").into_iter().map(|f| f.name).collect();
        assert!(spec.contains(&"dev".to_string()) && spec.contains(&"nodad".to_string()), "{spec:?}");
        assert!(s.is_object("Link") && !s.is_object("LinkAddOpts"));
        let peer = s.fields("LinkAddOpts").into_iter().find(|f| f.name == "peer").unwrap();
        assert_eq!(peer.ty, "LinkPeerOpts");
        assert!(peer.optional);
        assert_eq!(s.object_class("Link?"), Some("Link"));
        assert!(s.type_mentions("string|integer|Link", "Link"));
        assert!(!s.type_mentions("LinkAddOpts", "Link"));
    }

    #[test]
    fn union_and_inline_types() {
        assert_eq!(union_parts("string|integer|{dev: string|Link}?"), ["string", "integer", "{dev: string|Link}"]);
        let f = inline_fields("{ok: boolean, code: integer?, stdout: string}");
        assert_eq!(f.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["ok", "code", "stdout"]);
        assert_eq!(f[1].ty, "integer?");
    }
}

#[cfg(test)]
mod coverage {
    /// Every file in lua/types is built into the binary.
    #[test]
    fn every_stub_file_is_shipped() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/lua/types");
        for e in std::fs::read_dir(dir).unwrap() {
            let name = e.unwrap().file_name().into_string().unwrap();
            assert!(super::FILES.iter().any(|(n, _)| *n == name), "lua/types/{name} is not in stubs::FILES");
        }
    }
}

