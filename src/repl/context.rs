//! Where the cursor is, in Lua terms: after `a.b.` or `a:`, at a key of a
//! table constructor, inside a string argument, or inside a call. Completion
//! and hints both start here. Only the text is read; nothing is evaluated.

/// Lua's reserved words.
pub const KEYWORDS: &[&str] = &[
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in", "local", "nil", "not", "or",
    "repeat", "return", "then", "true", "until", "while",
];

/// A token of the text before the cursor (byte offsets into that text).
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Name(String),
    /// A string literal; `closed` is false when the text ends inside it.
    Str { value: String, closed: bool, quote: char },
    Num,
    /// Punctuation and operators, one or more characters.
    Punct(String),
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

impl Token {
    fn is(&self, p: &str) -> bool {
        matches!(&self.tok, Tok::Punct(x) if x == p)
    }
    fn name(&self) -> Option<&str> {
        match &self.tok {
            Tok::Name(n) => Some(n),
            _ => None,
        }
    }
}

/// Split Lua source into tokens; None when the text ends inside a comment.
pub fn tokenize(src: &str) -> Option<Vec<Token>> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if src[i..].starts_with("--") {
            let rest = &src[i + 2..];
            if let Some(level) = long_bracket(rest) {
                let close = format!("]{}]", "=".repeat(level));
                i = i + 2 + rest.find(&close).map(|p| p + close.len())?;
            } else {
                match src[i..].find('\n') {
                    Some(p) => i += p + 1,
                    None => return None,
                }
            }
        } else if c == b'"' || c == b'\'' {
            let start = i;
            let mut value = String::new();
            i += 1;
            let mut closed = false;
            while i < b.len() {
                let ch = src[i..].chars().next().unwrap();
                if ch as u32 == c as u32 {
                    closed = true;
                    i += 1;
                    break;
                }
                if ch == '\\' && i + 1 < b.len() {
                    let esc = src[i + 1..].chars().next().unwrap();
                    value.push(esc);
                    i += 1 + esc.len_utf8();
                    continue;
                }
                value.push(ch);
                i += ch.len_utf8();
            }
            out.push(Token { tok: Tok::Str { value, closed, quote: c as char }, start, end: i });
        } else if c == b'[' && long_bracket(&src[i..]).is_some() {
            let level = long_bracket(&src[i..]).unwrap();
            let start = i;
            let close = format!("]{}]", "=".repeat(level));
            let body = i + level + 2;
            let (value, closed, end) = match src[body..].find(&close) {
                Some(p) => (src[body..body + p].to_string(), true, body + p + close.len()),
                None => (src[body..].to_string(), false, b.len()),
            };
            out.push(Token { tok: Tok::Str { value, closed, quote: '[' }, start, end });
            i = end;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Token { tok: Tok::Name(src[start..i].to_string()), start, end: i });
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'_') {
                i += 1;
            }
            out.push(Token { tok: Tok::Num, start, end: i });
        } else {
            let start = i;
            let len = ["...", "..", "::", "==", "~=", "<=", ">=", "//", "<<", ">>"]
                .iter()
                .find(|op| src[i..].starts_with(**op))
                .map(|op| op.len())
                .unwrap_or_else(|| src[i..].chars().next().map(char::len_utf8).unwrap_or(1));
            i += len;
            out.push(Token { tok: Tok::Punct(src[start..i].to_string()), start, end: i });
        }
    }
    Some(out)
}

/// `[[`, `[==[`: the level of a long bracket opening at the start of `s`.
fn long_bracket(s: &str) -> Option<usize> {
    let rest = s.strip_prefix('[')?;
    let level = rest.bytes().take_while(|c| *c == b'=').count();
    rest[level..].starts_with('[').then_some(level)
}

/// A call being written: `link.add(` / `link.add{` / `l:set(`.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The callee path: ["link", "add"], ["l", "set"].
    pub callee: Vec<String>,
    /// Called with `:` (self is implicit).
    pub colon: bool,
    /// Which argument the cursor is in (0-based).
    pub arg: usize,
}

/// What a table constructor being written is.
#[derive(Debug, Clone, PartialEq)]
pub enum Owner {
    /// Argument `call.arg` of a call.
    Arg(Call),
    /// The value of `key` in an enclosing table.
    Field(Box<Table>, String),
    Unknown,
}

/// A table constructor being written, and the `key = "string"` pairs it already has.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub owner: Owner,
    pub keys: Vec<(String, Option<String>)>,
}

/// Where a string literal being written goes.
#[derive(Debug, Clone, PartialEq)]
pub enum StrSite {
    Arg(Call),
    Field(Table, String),
}

/// What the cursor is on.
#[derive(Debug, Clone, PartialEq)]
pub enum Site {
    /// A name after `path.` or `path:`.
    Member { path: Vec<String>, colon: bool, partial: String, start: usize },
    /// A key in a table constructor (or a value: a list item is a name too).
    Key { table: Table, partial: String, start: usize },
    /// Inside a string literal.
    Str { site: StrSite, partial: String, start: usize, quote: char },
    /// A name anywhere else.
    Global { partial: String, start: usize },
    None,
}

/// The analysis of the text before the cursor.
pub struct Context {
    toks: Vec<Token>,
    /// Indexes of the brackets still open, outermost first.
    open: Vec<usize>,
    len: usize,
}

impl Context {
    /// Read `text` (everything typed so far, up to the cursor).
    pub fn new(text: &str) -> Option<Context> {
        let toks = tokenize(text)?;
        let mut open = Vec::new();
        for (i, t) in toks.iter().enumerate() {
            if let Tok::Punct(p) = &t.tok {
                match p.as_str() {
                    "(" | "{" | "[" => open.push(i),
                    ")" | "}" | "]" => {
                        open.pop();
                    }
                    _ => {}
                }
            }
        }
        Some(Context { toks, open, len: text.len() })
    }

    /// The path `a.b.c` / `a.b:c` whose last name is token `end`: (names, last is after `:`).
    fn path_ending_at(&self, end: usize) -> Option<(Vec<String>, bool)> {
        let mut names = vec![self.toks.get(end)?.name()?.to_string()];
        let mut colon = false;
        let mut i = end;
        while i >= 2 && (self.toks[i - 1].is(".") || self.toks[i - 1].is(":")) {
            if self.toks[i - 1].is(":") {
                if names.len() > 1 {
                    return None;
                }
                colon = true;
            }
            names.insert(0, self.toks[i - 2].name()?.to_string());
            i -= 2;
        }
        // `f(x).y` and `t[1].y` are results of evaluation: not a plain path.
        if i >= 1 && (self.toks[i - 1].is(".") || self.toks[i - 1].is(":") || self.toks[i - 1].is(")") || self.toks[i - 1].is("]")) {
            return None;
        }
        Some((names, colon))
    }

    /// Commas at depth 0 between token `from` (exclusive) and `to` (exclusive).
    fn commas(&self, from: usize, to: usize) -> usize {
        let mut depth = 0;
        let mut n = 0;
        for t in &self.toks[from + 1..to] {
            match &t.tok {
                Tok::Punct(p) if p == "(" || p == "{" || p == "[" => depth += 1,
                Tok::Punct(p) if p == ")" || p == "}" || p == "]" => depth -= 1,
                Tok::Punct(p) if p == "," && depth == 0 => n += 1,
                _ => {}
            }
        }
        n
    }

    /// The call an open `(` at token `i` starts, with the cursor's argument at `to`.
    fn paren_call(&self, i: usize, to: usize) -> Option<Call> {
        let (callee, colon) = self.path_ending_at(i.checked_sub(1)?)?;
        Some(Call { callee, colon, arg: self.commas(i, to) })
    }

    /// The table constructor an open `{` at token `i` starts.
    fn table_at(&self, i: usize, depth: usize) -> Table {
        let keys = self.table_keys(i);
        let owner = self.table_owner(i, depth).unwrap_or(Owner::Unknown);
        Table { owner, keys }
    }

    fn table_owner(&self, i: usize, depth: usize) -> Option<Owner> {
        let prev = self.toks.get(i.checked_sub(1)?)?;
        let enclosing = depth.checked_sub(1).and_then(|d| self.open.get(d)).copied();
        if prev.name().is_some() {
            // `f{...}`, or `key = {` inside a table
            if let Some((callee, colon)) = self.path_ending_at(i - 1)
                && !(i >= 2 && self.toks[i - 2].is("="))
            {
                return Some(Owner::Arg(Call { callee, colon, arg: 0 }));
            }
        }
        let e = enclosing?;
        if (prev.is("(") || prev.is(",")) && self.toks[e].is("(") {
            return Some(Owner::Arg(self.paren_call(e, i)?));
        }
        if prev.is("=") && self.toks[e].is("{") && i >= 2 {
            let key = self.toks[i - 2].name()?.to_string();
            return Some(Owner::Field(Box::new(self.table_at(e, depth - 1)), key));
        }
        None
    }

    /// `key = "value"` (value when a closed string) at depth 0 of the table at `i`.
    fn table_keys(&self, i: usize) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        let mut depth = 0;
        let t = &self.toks;
        for j in i + 1..t.len() {
            match &t[j].tok {
                Tok::Punct(p) if p == "(" || p == "{" || p == "[" => depth += 1,
                Tok::Punct(p) if p == ")" || p == "}" || p == "]" => depth -= 1,
                Tok::Punct(p) if p == "=" && depth == 0 => {
                    if let Some(k) = t.get(j.wrapping_sub(1)).and_then(Token::name) {
                        let v = match t.get(j + 1).map(|x| &x.tok) {
                            Some(Tok::Str { value, closed: true, .. }) => Some(value.clone()),
                            _ => None,
                        };
                        out.push((k.to_string(), v));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The innermost call whose arguments the cursor is in.
    pub fn call(&self) -> Option<Call> {
        for d in (0..self.open.len()).rev() {
            let i = self.open[d];
            if self.toks[i].is("(") {
                if let Some(c) = self.paren_call(i, self.toks.len()) {
                    return Some(c);
                }
            } else if self.toks[i].is("{") {
                let t = self.table_at(i, d);
                let mut owner = &t.owner;
                while let Owner::Field(parent, _) = owner {
                    owner = &parent.owner;
                }
                if let Owner::Arg(c) = owner {
                    return Some(c.clone());
                }
            }
        }
        None
    }

    /// A path the text ends with (`link.add`), for hints before the `(`.
    pub fn trailing_path(&self) -> Option<(Vec<String>, bool)> {
        let last = self.toks.len().checked_sub(1)?;
        if self.toks[last].end != self.len {
            return None;
        }
        self.path_ending_at(last)
    }

    /// What the cursor is on.
    pub fn site(&self) -> Site {
        let n = self.toks.len();
        let last = self.toks.last();
        // Inside a string literal.
        if let Some(Token { tok: Tok::Str { value, closed: false, quote }, start, .. }) = last {
            if *quote == '[' {
                return Site::None;
            }
            let at = n - 1;
            let site = match self.open.last().copied() {
                Some(b) if self.toks[b].is("(") => self.paren_call(b, at).map(StrSite::Arg),
                Some(b) if self.toks[b].is("{") && at >= 2 && self.toks[at - 1].is("=") => {
                    let key = self.toks[at - 2].name().map(str::to_string);
                    key.map(|k| StrSite::Field(self.table_at(b, self.open.len() - 1), k))
                }
                _ => None,
            };
            let site = site.or_else(|| {
                let (callee, colon) = self.path_ending_at(at.checked_sub(1)?)?;
                Some(StrSite::Arg(Call { callee, colon, arg: 0 }))
            });
            return match site {
                Some(site) => Site::Str { site, partial: value.clone(), start: start + 1, quote: *quote },
                None => Site::None,
            };
        }
        // A name being typed, or nothing yet after `.`, `:`, `{`, `,`.
        let (partial, start, prev) = match last {
            Some(t) if t.end == self.len && t.name().is_some() => (t.name().unwrap().to_string(), t.start, n.checked_sub(2)),
            Some(t) if matches!(t.tok, Tok::Str { .. } | Tok::Num) => return Site::None,
            _ => (String::new(), self.len, n.checked_sub(1)),
        };
        let Some(p) = prev else { return Site::Global { partial, start } };
        let pt = &self.toks[p];
        if pt.is(".") || pt.is(":") {
            // `..` is concatenation, and `a.` needs a path before the dot.
            return match p.checked_sub(1).and_then(|q| self.path_ending_at(q)) {
                Some((path, false)) => Site::Member { path, colon: pt.is(":"), partial, start },
                _ => Site::None,
            };
        }
        if let Some(&b) = self.open.last()
            && self.toks[b].is("{")
            && (pt.is("{") || pt.is(",") || pt.is(";"))
        {
            return Site::Key { table: self.table_at(b, self.open.len() - 1), partial, start };
        }
        // After a value (`x `, `f() `) a name would not continue the expression.
        let after_value = match &pt.tok {
            Tok::Name(n) => !KEYWORDS.contains(&n.as_str()),
            Tok::Num | Tok::Str { .. } => true,
            Tok::Punct(p) => p == ")" || p == "]" || p == "}",
        };
        if partial.is_empty() && after_value {
            return Site::None;
        }
        Site::Global { partial, start }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(s: &str) -> Site {
        Context::new(s).unwrap().site()
    }

    fn call(c: &[&str], colon: bool, arg: usize) -> Call {
        Call { callee: c.iter().map(|s| s.to_string()).collect(), colon, arg }
    }

    #[test]
    fn members_after_dot_and_colon() {
        assert_eq!(site("link."), Site::Member { path: vec!["link".into()], colon: false, partial: "".into(), start: 5 });
        assert_eq!(site("x = l:ad"), Site::Member { path: vec!["l".into()], colon: true, partial: "ad".into(), start: 6 });
        assert_eq!(site("a.b.c"), Site::Member { path: vec!["a".into(), "b".into()], colon: false, partial: "c".into(), start: 4 });
        // results of calls are not evaluated
        assert_eq!(site("link.get('lo')."), Site::None);
        assert_eq!(site("print(li"), Site::Global { partial: "li".into(), start: 6 });
        assert!(Context::new("x = 1 -- a comment").is_none());
        assert_eq!(site("x = 'a' .."), Site::Global { partial: "".into(), start: 10 });
        assert_eq!(site("x = y "), Site::None);
    }

    #[test]
    fn keys_of_option_tables() {
        let Site::Key { table, partial, .. } = site("link.add{name='v0', kind=\"vxlan\", i") else { panic!() };
        assert_eq!(partial, "i");
        assert_eq!(table.owner, Owner::Arg(call(&["link", "add"], false, 0)));
        assert_eq!(table.keys, [("name".to_string(), Some("v0".to_string())), ("kind".to_string(), Some("vxlan".to_string()))]);
        let Site::Key { table, .. } = site("link.set('v0', { ") else { panic!() };
        assert_eq!(table.owner, Owner::Arg(call(&["link", "set"], false, 1)));
        let Site::Key { table, .. } = site("link.add{name='a', peer={na") else { panic!() };
        let Owner::Field(parent, key) = table.owner else { panic!() };
        assert_eq!((parent.owner, key.as_str()), (Owner::Arg(call(&["link", "add"], false, 0)), "peer"));
        let Site::Key { table, .. } = site("l:set{") else { panic!() };
        assert_eq!(table.owner, Owner::Arg(call(&["l", "set"], true, 0)));
    }

    #[test]
    fn strings_in_arguments_and_fields() {
        assert_eq!(
            site("link.get(\"v"),
            Site::Str { site: StrSite::Arg(call(&["link", "get"], false, 0)), partial: "v".into(), start: 10, quote: '"' }
        );
        let Site::Str { site: StrSite::Field(t, k), .. } = site("link.add{name='x', master='b") else { panic!() };
        assert_eq!((t.owner, k.as_str()), (Owner::Arg(call(&["link", "add"], false, 0)), "master"));
        let Site::Str { site: StrSite::Arg(c), .. } = site("addr.add('v0', '10") else { panic!() };
        assert_eq!(c.arg, 1);
        assert_eq!(site("x = [[abc"), Site::None);
    }

    #[test]
    fn the_call_being_written() {
        let c = |s: &str| Context::new(s).unwrap().call();
        assert_eq!(c("link.add{name='v0', peer={"), Some(call(&["link", "add"], false, 0)));
        assert_eq!(c("print(red:exec({'ip'}, "), Some(call(&["red", "exec"], true, 1)));
        assert_eq!(c("link.get('lo')"), None);
        assert_eq!(Context::new("x = link.add").unwrap().trailing_path(), Some((vec!["link".into(), "add".into()], false)));
    }
}
