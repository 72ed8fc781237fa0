//! The identity of a network namespace (device and inode of its nsfs file),
//! and running a closure inside one: on the calling thread, moved in and back
//! ([`NsInfo::run_here`]), or on a short-lived thread ([`NsInfo::run_on_thread`]).

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::{Arc, Mutex};

use nix::fcntl::{OFlag, open};
use nix::libc;
use nix::sched::{CloneFlags, setns};
use nix::sys::stat::{Mode, fstat};

use super::error::{Error, Result};

/// An open namespace descriptor, shared by the copies of an [`NsInfo`]. It can
/// be ended early (the namespace was deleted, or a temporary one closed): the
/// descriptor is closed at once, so it no longer keeps the namespace alive,
/// and every later use fails with the reason.
#[derive(Debug)]
pub struct NsFd(Mutex<std::result::Result<OwnedFd, (i32, &'static str)>>);

impl NsFd {
    /// Wrap an open descriptor.
    pub fn new(fd: OwnedFd) -> NsFd {
        NsFd(Mutex::new(Ok(fd)))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::result::Result<OwnedFd, (i32, &'static str)>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The raw descriptor, or -1 once ended (the kernel then answers EBADF).
    pub fn raw(&self) -> i32 {
        self.lock().as_ref().map(|fd| fd.as_raw_fd()).unwrap_or(-1)
    }

    /// Close the descriptor now; later uses fail with "was `why`": ENOENT
    /// when `why` is "deleted", EBADF otherwise ("closed").
    pub fn end(&self, why: &'static str) {
        let errno = if why == "deleted" { libc::ENOENT } else { libc::EBADF };
        let mut g = self.lock();
        if g.is_ok() {
            *g = Err((errno, why));
        }
    }

    /// Why it was ended (errno, "deleted" / "closed"), if it was.
    pub fn ended(&self) -> Option<(i32, &'static str)> {
        self.lock().as_ref().err().copied()
    }
}

/// A network namespace: its nsfs identity, an open fd that keeps it alive, and
/// the name it was opened by, if any.
#[derive(Debug, Clone)]
pub struct NsInfo {
    /// Device of the nsfs file.
    pub dev: u64,
    /// Inode of the nsfs file: equal inodes are the same namespace.
    pub inode: u64,
    /// An open descriptor of the namespace (shared by copies; see [`NsFd`]).
    pub fd: Arc<NsFd>,
    /// The name under /run/netns, if it was opened by one.
    pub name: Option<String>,
    /// The path it was opened from.
    pub path: Option<String>,
}

impl PartialEq for NsInfo {
    /// The same namespace. An ended one equals nothing: its inode may already
    /// number a new namespace.
    fn eq(&self, o: &NsInfo) -> bool {
        self.dev == o.dev && self.inode == o.inode && self.fd.ended().is_none() && o.fd.ended().is_none()
    }
}

impl NsInfo {
    /// The calling thread's current network namespace.
    pub fn current() -> Result<NsInfo> {
        NsInfo::open_path("/proc/thread-self/ns/net", None)
    }

    /// Open a namespace file (an nsfs file or a bind mount of one).
    pub fn open_path(path: &str, name: Option<String>) -> Result<NsInfo> {
        let fd = open(path, OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty())
            .map_err(|e| Error::nix(e, format!("open netns {path}")))?;
        NsInfo::from_fd(fd, name, Some(path.to_string()))
    }

    /// Identify an open namespace descriptor.
    pub fn from_fd(fd: OwnedFd, name: Option<String>, path: Option<String>) -> Result<NsInfo> {
        let st = fstat(fd.as_fd()).map_err(|e| Error::nix(e, "stat netns"))?;
        // nsfs files have a magic filesystem; a plain file would make setns fail with EINVAL later.
        Ok(NsInfo { dev: st.st_dev as u64, inode: st.st_ino as u64, fd: Arc::new(NsFd::new(fd)), name, path })
    }

    /// How to name this namespace in messages: its name, path or inode.
    pub fn label(&self) -> String {
        self.name.clone().or_else(|| self.path.clone()).unwrap_or_else(|| format!("inode {}", self.inode))
    }

    /// The raw descriptor (valid while this NsInfo lives; -1 once ended).
    pub fn raw_fd(&self) -> i32 {
        self.fd.raw()
    }

    /// The error for using this namespace after it was deleted or closed.
    pub fn ended(&self) -> Option<Error> {
        let (errno, why) = self.fd.ended()?;
        let what = match &self.name {
            Some(n) => format!("namespace {n:?}"),
            None => format!("namespace (inode {})", self.inode),
        };
        Some(Error { message: format!("{what} was {why}"), ..Error::system(errno, self.label()) })
    }

    /// Fail if this namespace was deleted or closed.
    pub fn check_live(&self) -> Result<()> {
        self.ended().map_or(Ok(()), Err)
    }

    /// End every copy's hold on the namespace now (see [`NsFd::end`]).
    pub fn end(&self, why: &'static str) {
        self.fd.end(why);
    }

    /// Call `f` with the open descriptor (an error if the namespace was ended).
    pub fn with_fd<T>(&self, f: impl FnOnce(BorrowedFd<'_>) -> Result<T>) -> Result<T> {
        let g = self.fd.lock();
        match g.as_ref() {
            Ok(fd) => f(fd.as_fd()),
            Err(_) => {
                drop(g);
                Err(self.ended().unwrap_or_else(|| Error::system(libc::EBADF, self.label())))
            }
        }
    }

    /// Move the calling thread into this namespace.
    pub fn setns_here(&self) -> Result<()> {
        self.with_fd(|fd| setns(fd, CloneFlags::CLONE_NEWNET).map_err(|e| Error::nix(e, format!("setns {}", self.label()))))
    }

    /// Run `f` on the calling thread moved into this namespace, and move it back
    /// before returning (on error too). Two setns calls instead of a thread:
    /// opening a handle or making a namespace costs microseconds, not a thread
    /// start and join (milliseconds on a busy machine). Failing to move back
    /// aborts: nothing may run on in the wrong namespace.
    pub fn run_here<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let _home = Home::save()?;
        self.setns_here()?;
        f()
    }

    /// Run `f` on a new thread that has entered this namespace; the calling thread
    /// stays where it is.
    pub fn run_on_thread<T: Send + 'static>(&self, f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
        let ns = self.clone();
        std::thread::spawn(move || {
            ns.setns_here()?;
            f()
        })
        .join()
        .unwrap_or_else(|_| Err(Error::system(nix::libc::EIO, "netns thread panicked")))
    }
}

/// The calling thread's namespace, to come back to after a setns or unshare:
/// the thread moves back when this is dropped (on an early return or an
/// unwind too).
pub struct Home(OwnedFd);

impl Home {
    /// Remember where the calling thread is now.
    pub fn save() -> Result<Home> {
        open("/proc/thread-self/ns/net", OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty())
            .map(Home)
            .map_err(|e| Error::nix(e, "open /proc/thread-self/ns/net"))
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        // Failing to return would leave the thread in the wrong namespace for
        // everything after: there is no safe way to go on.
        if let Err(e) = setns(self.0.as_fd(), CloneFlags::CLONE_NEWNET) {
            eprintln!("nlua: cannot return to the original network namespace: {e}");
            std::process::abort();
        }
    }
}
