//! The rustyline helper: completion, the signature hint (greyed) and nothing
//! else. It sees the lines already entered for an unfinished chunk, so a
//! table begun on an earlier line still completes its option names.

use std::borrow::Cow;
use std::cell::RefCell;

use mlua::Lua;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::{Hint, Hinter};
use rustyline::validate::Validator;
use rustyline::{Context as RlContext, Helper};

use super::context::Context;
use super::{complete, resolve};

/// Hints are cut here so they stay on one terminal line.
const HINT_MAX: usize = 100;

pub struct ReplHelper {
    lua: Lua,
    /// The lines of an unfinished chunk, before the one being edited.
    pub pending: RefCell<String>,
}

impl ReplHelper {
    pub fn new(lua: Lua) -> ReplHelper {
        ReplHelper { lua, pending: RefCell::new(String::new()) }
    }

    /// Everything typed so far up to `pos` of `line`, and where `line` starts in it.
    fn text(&self, line: &str, pos: usize) -> (String, usize) {
        let pending = self.pending.borrow();
        if pending.is_empty() {
            return (line[..pos].to_string(), 0);
        }
        (format!("{pending}\n{}", &line[..pos]), pending.len() + 1)
    }
}

/// The signature of the function being called.
pub fn signature_hint(lua: &Lua, text: &str) -> Option<String> {
    let cx = Context::new(text)?;
    let (callee, colon) = match cx.call() {
        Some(c) => (c.callee, c.colon),
        None => cx.trailing_path()?,
    };
    let t = resolve::func(lua, &callee, colon)?;
    Some(t.func.signature_as(&t.shown))
}

/// A hint that is shown, never inserted.
pub struct SigHint(String);

impl Hint for SigHint {
    fn display(&self) -> &str {
        &self.0
    }
    fn completion(&self) -> Option<&str> {
        None
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _: &RlContext<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (text, offset) = self.text(line, pos);
        let (start, pairs) = complete::candidates(&self.lua, &text, &line[pos..]);
        match start.checked_sub(offset) {
            Some(s) => Ok((s, pairs)),
            None => Ok((pos, Vec::new())),
        }
    }
}

impl Hinter for ReplHelper {
    type Hint = SigHint;

    fn hint(&self, line: &str, pos: usize, _: &RlContext<'_>) -> Option<SigHint> {
        if pos < line.len() || line.trim().is_empty() {
            return None;
        }
        let (text, _) = self.text(line, pos);
        let sig = signature_hint(&self.lua, &text)?;
        let mut shown = format!("  -- {sig}");
        if shown.len() > HINT_MAX {
            let cut = (0..=HINT_MAX - 3).rev().find(|i| shown.is_char_boundary(*i)).unwrap_or(0);
            shown.truncate(cut);
            shown.push_str("...");
        }
        Some(SigHint(shown))
    }
}

impl Highlighter for ReplHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(format!("\x1b[90m{hint}\x1b[0m"))
    }
}

impl Validator for ReplHelper {}

impl Helper for ReplHelper {}
