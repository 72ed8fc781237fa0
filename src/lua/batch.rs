//! `nlua.batch(fn)`: run `fn` with the changes that need no answer from the
//! kernel (addresses, routes, neighbours, rules, link changes) queued and
//! sent pipelined, several per datagram, when `fn` returns or when something
//! needs the kernel's answer first (a read, a change that cannot wait, a
//! program run with `ns:exec`/`ns:spawn`/`ns:run`). Every queued change that fails is reported with the
//! line that asked for it, in one error raised when `fn` returns; the
//! journal records exactly the changes that succeeded.

use mlua::{Function, Lua, MultiValue};

use crate::engine;
use crate::runtime;

/// Queued changes the kernel refused, as one error: `err.errors` lists them.
#[derive(Debug, Clone)]
pub struct BatchFailed {
    /// The summary: errno and code of the first failure, every failure in
    /// the message.
    pub error: engine::Error,
    /// Each change that failed, in the order asked.
    pub failed: Vec<engine::deferred::Failed>,
}

impl std::fmt::Display for BatchFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for BatchFailed {}

impl BatchFailed {
    fn new(total: usize, failed: Vec<engine::deferred::Failed>) -> BatchFailed {
        let error = engine::Error {
            message: super::error::many_failed(total, " changes", failed.len(), failed.iter().map(|x| format!("{}: {}", x.site, x.error))),
            op: "nlua.batch".into(),
            ..failed[0].error.clone()
        };
        BatchFailed { error, failed }
    }
}

/// `nlua.batch(fn, ...)`: returns what `fn` returns. Inside an open batch it
/// just calls `fn` (the outer batch sends and reports).
pub fn batch(lua: &Lua, (f, args): (Function, MultiValue)) -> mlua::Result<MultiValue> {
    let Some(d) = runtime::open_batch(lua) else {
        return f.call(args);
    };
    let r = f.call::<MultiValue>(args);
    // Sent whatever happened: what `fn` asked for before an error is done,
    // as it would be without a batch (and a rollback undoes it).
    runtime::close_batch(lua);
    let (total, failed) = d.take_outcome();
    let values = r?;
    if failed.is_empty() {
        return Ok(values);
    }
    Err(mlua::Error::external(BatchFailed::new(total, failed)))
}
