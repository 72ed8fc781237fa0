//! A small JSON value and writer (objects keep their key order, as `ip -j`
//! output does).

use std::fmt::Write;

use crate::engine::Opt;

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
    /// Already-serialized JSON, embedded as is.
    Raw(String),
}

impl Json {
    /// An empty object to push into.
    pub fn obj() -> Json {
        Json::Obj(Vec::new())
    }

    /// Add a key to an object (no-op on other values).
    pub fn set(&mut self, k: &str, v: impl Into<Json>) -> &mut Json {
        if let Json::Obj(m) = self {
            m.push((k.to_string(), v.into()));
        }
        self
    }

    /// Serialize compactly.
    pub fn to_string_compact(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Json::UInt(i) => {
                let _ = write!(out, "{i}");
            }
            Json::Num(n) if n.is_finite() => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    let _ = write!(out, "{}", *n as i64);
                } else {
                    let _ = write!(out, "{n}");
                }
            }
            Json::Num(_) => out.push_str("null"),
            Json::Str(s) => write_str(s, out),
            Json::Arr(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Json::Obj(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
            Json::Raw(r) => out.push_str(r),
        }
    }
}

/// Write a JSON string literal.
pub fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl From<&str> for Json {
    fn from(s: &str) -> Json {
        Json::Str(s.to_string())
    }
}
impl From<String> for Json {
    fn from(s: String) -> Json {
        Json::Str(s)
    }
}
impl From<bool> for Json {
    fn from(b: bool) -> Json {
        Json::Bool(b)
    }
}
impl From<u32> for Json {
    fn from(n: u32) -> Json {
        Json::UInt(n as u64)
    }
}
impl From<u64> for Json {
    fn from(n: u64) -> Json {
        Json::UInt(n)
    }
}
impl From<i32> for Json {
    fn from(n: i32) -> Json {
        Json::Int(n as i64)
    }
}
impl From<u8> for Json {
    fn from(n: u8) -> Json {
        Json::UInt(n as u64)
    }
}
impl From<Vec<Json>> for Json {
    fn from(v: Vec<Json>) -> Json {
        Json::Arr(v)
    }
}

impl From<&Opt> for Json {
    fn from(o: &Opt) -> Json {
        match o {
            Opt::Bool(b) => Json::Bool(*b),
            Opt::Int(i) => Json::Int(*i),
            Opt::Num(n) => Json::Num(*n),
            Opt::Str(s) => Json::Str(s.clone()),
            Opt::Bytes(b) => Json::Str(b.iter().map(|x| format!("{x:02x}")).collect()),
            Opt::List(l) => Json::Arr(l.iter().map(Json::from).collect()),
            Opt::Map(m) => Json::Obj(m.iter().map(|(k, v)| (k.clone(), Json::from(v))).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_compact_json() {
        let mut o = Json::obj();
        o.set("a", 1u32).set("b", "x\"y\n").set("c", Json::Arr(vec![Json::Null, Json::Bool(true), Json::Num(1.5)]));
        assert_eq!(o.to_string_compact(), r#"{"a":1,"b":"x\"y\n","c":[null,true,1.5]}"#);
    }
}
