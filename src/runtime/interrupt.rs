//! Ctrl-C while a chunk runs, as the `lua` interpreter does it: SIGINT sets a
//! hook on the main Lua thread (lua_sethook may be called from a signal
//! handler), and the hook raises "interrupted" at the next instruction, so
//! `while true do end` stops and the REPL goes on. A script run catches
//! SIGINT and SIGTERM once the same way ([`install_for_run`]): the error rolls
//! the run back like any other; a second signal kills as usual. No hook is set otherwise:
//! a Lua 5.4 count hook halves the speed of Lua code even when it rarely fires.
//!
//! The hook stays until the REPL clears it after the chunk, so a pcall in the
//! chunk cannot swallow the interrupt. A call blocked inside Rust finishes
//! first (SA_RESTART keeps a netlink exchange whole); as in `lua`, a loop
//! inside a coroutine is not reached. While a line is edited the terminal is
//! raw, and rustyline reports Ctrl-C itself.

use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

use mlua::{Lua, ffi};
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};

/// The main thread of the REPL's VM, where its chunks run.
static MAIN: AtomicPtr<ffi::lua_State> = AtomicPtr::new(ptr::null_mut());

extern "C" fn on_sigint(_: nix::libc::c_int) {
    let l = MAIN.load(Ordering::SeqCst);
    if !l.is_null() {
        // SAFETY: lua_sethook is safe to call from a signal handler (lua.c
        // does this); `l` stays valid while the guard is installed.
        unsafe { ffi::lua_sethook(l, Some(stop), ffi::LUA_MASKCOUNT, 1) };
    }
}

unsafe extern "C-unwind" fn stop(l: *mut ffi::lua_State, _: *mut ffi::lua_Debug) {
    // Level 0 in a hook is the running function: "repl:1: interrupted".
    // SAFETY: called by the Lua VM as a hook; raising a Lua error here is
    // what hooks may do (only Lua's C frames lie between here and the pcall).
    unsafe {
        ffi::luaL_where(l, 0);
        ffi::lua_pushstring(l, c"interrupted".as_ptr());
        ffi::lua_concat(l, 2);
        ffi::lua_error(l);
    }
}

/// The SIGINT handler, installed for the REPL's lifetime.
pub struct Guard {
    previous: SigAction,
}

/// Catch SIGINT for the VM of `lua` (call on its main thread).
pub fn install(lua: &Lua) -> mlua::Result<Guard> {
    MAIN.store(lua.current_thread().to_pointer() as *mut ffi::lua_State, Ordering::SeqCst);
    let sa = SigAction::new(SigHandler::Handler(on_sigint), SaFlags::SA_RESTART, SigSet::empty());
    // SAFETY: the handler only reads an atomic and calls lua_sethook.
    let previous = unsafe { sigaction(Signal::SIGINT, &sa) }.map_err(mlua::Error::external)?;
    Ok(Guard { previous })
}

/// For a script run: the first SIGINT or SIGTERM becomes an "interrupted"
/// error in the running chunk, so the journal rolls the run back; the signal
/// then has its default action again (SA_RESETHAND), so a second one kills
/// at once and leaves the journal for `nlua --down`. A signal the parent set
/// to be ignored (a shell's background job) stays ignored. Drop the guard
/// before the VM goes (and before cleanups that must run whole): a first
/// signal after that only spends the handler, the next one kills.
pub fn install_for_run(lua: &Lua) -> mlua::Result<RunGuard> {
    MAIN.store(lua.current_thread().to_pointer() as *mut ffi::lua_State, Ordering::SeqCst);
    let sa = SigAction::new(SigHandler::Handler(on_sigint), SaFlags::SA_RESTART | SaFlags::SA_RESETHAND, SigSet::empty());
    for sig in [Signal::SIGINT, Signal::SIGTERM] {
        // SAFETY: the handler only reads an atomic and calls lua_sethook.
        let previous = unsafe { sigaction(sig, &sa) }.map_err(mlua::Error::external)?;
        if matches!(previous.handler(), SigHandler::SigIgn) {
            // A shell runs background jobs with SIGINT ignored: keep it so.
            // SAFETY: restores the disposition we found.
            unsafe { sigaction(sig, &previous) }.map_err(mlua::Error::external)?;
        }
    }
    Ok(RunGuard(()))
}

/// A script run's hold on the VM for its signal handler ([`install_for_run`]).
pub struct RunGuard(());

impl Drop for RunGuard {
    /// Detach the VM from the handler, then clear a hook it may have set.
    fn drop(&mut self) {
        let l = MAIN.swap(ptr::null_mut(), Ordering::SeqCst);
        if !l.is_null() {
            // SAFETY: `l` is still live (the guard goes before the VM) and
            // the handler can no longer reach it.
            unsafe { ffi::lua_sethook(l, None, 0, 0) };
        }
    }
}

/// Forget an earlier Ctrl-C (before a chunk runs, and after it ends).
pub fn clear() {
    let l = MAIN.load(Ordering::SeqCst);
    if !l.is_null() {
        // SAFETY: `l` is the live main thread; no Lua code runs here.
        unsafe { ffi::lua_sethook(l, None, 0, 0) };
    }
}

impl Guard {
    /// Put SIGINT back as it was.
    pub fn uninstall(self) {
        // SAFETY: restores the disposition saved at install.
        let _ = unsafe { sigaction(Signal::SIGINT, &self.previous) };
        clear();
        MAIN.store(ptr::null_mut(), Ordering::SeqCst);
    }
}
