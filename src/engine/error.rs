//! The one error type of the engine: a kernel refusal, bad input, or a system call
//! that failed. Every variant keeps the errno and says which operation failed, so a
//! Lua script can branch on `err.code == "EEXIST"` and a human reads one clear line.

use nix::libc;
use std::fmt;

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The kernel answered a request with NLMSG_ERROR.
    Kernel,
    /// The caller's input was rejected before anything was sent.
    Input,
    /// A system call (socket, setns, mount, ioctl...) failed.
    System,
}

/// An engine error: errno, a message (the kernel's extack text when it gave one,
/// otherwise strerror) and the operation (`link add v0 type veth`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    /// What kind of failure this is.
    pub kind: ErrorKind,
    /// The errno (positive), `EINVAL` for bad input.
    pub errno: i32,
    /// The kernel's extack message, strerror, or the input problem.
    pub message: String,
    /// The operation, in iproute2 words (`link add v0 type veth`) or the
    /// function for input errors (`link.add`).
    pub op: String,
}

/// The engine's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A kernel refusal; `extack` is the kernel's message if it sent one.
    pub fn kernel(errno: i32, extack: Option<String>, op: impl Into<String>) -> Error {
        let message = match extack {
            Some(m) if !m.is_empty() => m,
            _ => strerror(errno),
        };
        Error { kind: ErrorKind::Kernel, errno, message, op: op.into() }
    }

    /// Bad input for `op` (a function name such as `link.add`).
    pub fn input(op: impl Into<String>, message: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Input, errno: libc::EINVAL, message: message.into(), op: op.into() }
    }

    /// A failed system call.
    pub fn system(errno: i32, op: impl Into<String>) -> Error {
        Error { kind: ErrorKind::System, errno, message: strerror(errno), op: op.into() }
    }

    /// A failed system call, from an `std::io::Error`.
    pub fn io(e: &std::io::Error, op: impl Into<String>) -> Error {
        Error::system(e.raw_os_error().unwrap_or(libc::EIO), op)
    }

    /// A failed system call, from a nix errno.
    pub fn nix(e: nix::errno::Errno, op: impl Into<String>) -> Error {
        Error::system(e as i32, op)
    }

    /// The errno's symbolic name: `"EEXIST"`.
    pub fn code(&self) -> &'static str {
        errno_name(self.errno)
    }

    /// Replace the operation text (bindings name the call, e.g. `link.add`).
    pub fn with_op(mut self, op: impl Into<String>) -> Error {
        self.op = op.into();
        self
    }

    /// True when the object the operation named does not exist (ENODEV, ENOENT,
    /// ESRCH, EADDRNOTAVAIL): what idempotent teardown tolerates.
    pub fn is_not_found(&self) -> bool {
        matches!(self.errno, libc::ENODEV | libc::ENOENT | libc::ESRCH | libc::EADDRNOTAVAIL)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Input => write!(f, "{}: {}", self.op, self.message),
            _ => write!(f, "{}: {} ({})", self.op, self.message, self.code()),
        }
    }
}

/// strerror(errno), e.g. "File exists".
pub fn strerror(errno: i32) -> String {
    nix::errno::Errno::from_raw(errno).desc().to_string()
}

/// The symbolic name of an errno ("EEXIST"); `E<n>`-style names are never
/// produced: unknown numbers read "EUNKNOWN".
pub fn errno_name(errno: i32) -> &'static str {
    use nix::errno::Errno;
    // Errno's Debug output is the symbolic name; keep a static copy per value.
    const NAMES: &[(Errno, &str)] = &[
        (Errno::EPERM, "EPERM"), (Errno::ENOENT, "ENOENT"), (Errno::ESRCH, "ESRCH"),
        (Errno::EINTR, "EINTR"), (Errno::EIO, "EIO"), (Errno::ENXIO, "ENXIO"),
        (Errno::E2BIG, "E2BIG"), (Errno::EBADF, "EBADF"), (Errno::ECHILD, "ECHILD"),
        (Errno::EAGAIN, "EAGAIN"), (Errno::ENOMEM, "ENOMEM"), (Errno::EACCES, "EACCES"),
        (Errno::EFAULT, "EFAULT"), (Errno::EBUSY, "EBUSY"), (Errno::EEXIST, "EEXIST"),
        (Errno::EXDEV, "EXDEV"), (Errno::ENODEV, "ENODEV"), (Errno::ENOTDIR, "ENOTDIR"),
        (Errno::EISDIR, "EISDIR"), (Errno::EINVAL, "EINVAL"), (Errno::ENFILE, "ENFILE"),
        (Errno::EMFILE, "EMFILE"), (Errno::ENOTTY, "ENOTTY"), (Errno::EFBIG, "EFBIG"),
        (Errno::ENOSPC, "ENOSPC"), (Errno::ESPIPE, "ESPIPE"), (Errno::EROFS, "EROFS"),
        (Errno::EMLINK, "EMLINK"), (Errno::EPIPE, "EPIPE"), (Errno::EDOM, "EDOM"),
        (Errno::ERANGE, "ERANGE"), (Errno::EDEADLK, "EDEADLK"), (Errno::ENAMETOOLONG, "ENAMETOOLONG"),
        (Errno::ENOSYS, "ENOSYS"), (Errno::ENOTEMPTY, "ENOTEMPTY"), (Errno::ELOOP, "ELOOP"),
        (Errno::ENOMSG, "ENOMSG"), (Errno::ENODATA, "ENODATA"), (Errno::ETIME, "ETIME"),
        (Errno::ENOLINK, "ENOLINK"), (Errno::EPROTO, "EPROTO"), (Errno::EBADMSG, "EBADMSG"),
        (Errno::EOVERFLOW, "EOVERFLOW"), (Errno::ENOTSOCK, "ENOTSOCK"), (Errno::EMSGSIZE, "EMSGSIZE"),
        (Errno::EPROTONOSUPPORT, "EPROTONOSUPPORT"), (Errno::EOPNOTSUPP, "EOPNOTSUPP"),
        (Errno::EAFNOSUPPORT, "EAFNOSUPPORT"), (Errno::EADDRINUSE, "EADDRINUSE"),
        (Errno::EADDRNOTAVAIL, "EADDRNOTAVAIL"), (Errno::ENETDOWN, "ENETDOWN"),
        (Errno::ENETUNREACH, "ENETUNREACH"), (Errno::ENOBUFS, "ENOBUFS"), (Errno::EISCONN, "EISCONN"),
        (Errno::ENOTCONN, "ENOTCONN"), (Errno::ETIMEDOUT, "ETIMEDOUT"), (Errno::ECONNREFUSED, "ECONNREFUSED"),
        (Errno::EHOSTDOWN, "EHOSTDOWN"), (Errno::EHOSTUNREACH, "EHOSTUNREACH"), (Errno::EALREADY, "EALREADY"),
        (Errno::EINPROGRESS, "EINPROGRESS"), (Errno::ENOTSUP, "ENOTSUP"), (Errno::ENOKEY, "ENOKEY"),
        (Errno::ERFKILL, "ERFKILL"), (Errno::EPFNOSUPPORT, "EPFNOSUPPORT"), (Errno::ENOPROTOOPT, "ENOPROTOOPT"),
    ];
    NAMES.iter().find(|(e, _)| *e as i32 == errno).map(|(_, n)| *n).unwrap_or("EUNKNOWN")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_reads_like_the_design() {
        let e = Error::kernel(libc::EEXIST, None, "link add veth0 type veth");
        assert_eq!(e.to_string(), "link add veth0 type veth: File exists (EEXIST)");
        assert_eq!(e.code(), "EEXIST");
        let e = Error::kernel(libc::EOPNOTSUPP, Some("Unknown device type".into()), "link add x type dummy");
        assert_eq!(e.message, "Unknown device type");
        let e = Error::input("link.add", "field 'mtu': expected integer 68..65535, got \"big\"");
        assert_eq!(e.to_string(), "link.add: field 'mtu': expected integer 68..65535, got \"big\"");
        assert_eq!(e.code(), "EINVAL");
    }
}
