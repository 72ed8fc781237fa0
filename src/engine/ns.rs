//! The identity of a network namespace (device and inode of its nsfs file) and
//! running a closure on a short-lived thread inside one, so the caller's thread
//! never moves.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::Arc;

use nix::fcntl::{OFlag, open};
use nix::sched::{CloneFlags, setns};
use nix::sys::stat::{Mode, fstat};

use super::error::{Error, Result};

/// A network namespace: its nsfs identity, an open fd that keeps it alive, and
/// the name it was opened by, if any.
#[derive(Debug, Clone)]
pub struct NsInfo {
    /// Device of the nsfs file.
    pub dev: u64,
    /// Inode of the nsfs file: equal inodes are the same namespace.
    pub inode: u64,
    /// An open descriptor of the namespace.
    pub fd: Arc<OwnedFd>,
    /// The name under /run/netns, if it was opened by one.
    pub name: Option<String>,
    /// The path it was opened from.
    pub path: Option<String>,
}

impl PartialEq for NsInfo {
    fn eq(&self, o: &NsInfo) -> bool {
        self.dev == o.dev && self.inode == o.inode
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
        Ok(NsInfo { dev: st.st_dev as u64, inode: st.st_ino as u64, fd: Arc::new(fd), name, path })
    }

    /// How to name this namespace in messages: its name, path or inode.
    pub fn label(&self) -> String {
        self.name.clone().or_else(|| self.path.clone()).unwrap_or_else(|| format!("inode {}", self.inode))
    }

    /// The raw descriptor (valid while this NsInfo lives).
    pub fn raw_fd(&self) -> i32 {
        self.fd.as_raw_fd()
    }

    /// Run `f` on the calling thread moved into this namespace, and move it back
    /// before returning (on error too). Two setns calls instead of a thread:
    /// opening a handle or making a namespace costs microseconds, not a thread
    /// start and join (milliseconds on a busy machine). Failing to move back
    /// aborts: nothing may run on in the wrong namespace.
    pub fn run_here<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let back = Home::save()?;
        setns(self.fd.as_fd(), CloneFlags::CLONE_NEWNET).map_err(|e| Error::nix(e, format!("setns {}", self.label())))?;
        let r = f();
        back.restore();
        r
    }

    /// Run `f` on a new thread that has entered this namespace; the calling thread
    /// stays where it is.
    pub fn run_on_thread<T: Send + 'static>(&self, f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
        let fd = self.fd.clone();
        let label = self.label();
        std::thread::spawn(move || {
            setns(fd.as_fd(), CloneFlags::CLONE_NEWNET).map_err(|e| Error::nix(e, format!("setns {label}")))?;
            f()
        })
        .join()
        .unwrap_or_else(|_| Err(Error::system(nix::libc::EIO, "netns thread panicked")))
    }
}

/// The calling thread's namespace, to come back to after a setns or unshare.
pub struct Home(OwnedFd);

impl Home {
    /// Remember where the calling thread is now.
    pub fn save() -> Result<Home> {
        open("/proc/thread-self/ns/net", OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty())
            .map(Home)
            .map_err(|e| Error::nix(e, "open /proc/thread-self/ns/net"))
    }

    /// Move the calling thread back. There is no safe way on if this fails.
    pub fn restore(self) {
        if let Err(e) = setns(self.0.as_fd(), CloneFlags::CLONE_NEWNET) {
            eprintln!("nlua: cannot return to the original network namespace: {e}");
            std::process::abort();
        }
    }
}
