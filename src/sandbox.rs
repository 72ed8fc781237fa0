//! Private worlds. `--sandbox` puts the whole process in new user, network and
//! mount namespaces with the caller mapped to root inside, so anyone can build
//! labs and run tests without root and without touching the host. Each test of
//! `nlua --test` runs in new network and mount namespaces of its own. In both,
//! /run/netns and the state directory get fresh tmpfs mounts: named
//! namespaces and journals made inside are invisible outside and vanish with
//! the world. No Lua here.

use std::ffi::OsString;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::mount::{MsFlags, mount};
use nix::sched::{CloneFlags, unshare};

/// The sysctls that decide whether unprivileged users may create user namespaces.
const USERNS_SYSCTLS: &str = "kernel.unprivileged_userns_clone, user.max_user_namespaces and kernel.apparmor_restrict_unprivileged_userns";

/// Enter the sandbox: new user, network and mount namespaces, the caller
/// mapped to root inside, fresh /run/netns and state directory, lo up.
/// Must run before the process has a second thread (a multi-threaded process
/// cannot enter a new user namespace).
pub fn enter() -> Result<(), String> {
    let (uid, gid) = (nix::unistd::getuid(), nix::unistd::getgid());
    unshare(CloneFlags::CLONE_NEWUSER | CloneFlags::CLONE_NEWNET | CloneFlags::CLONE_NEWNS).map_err(|e| unshare_error(e, &read_sysctl))?;
    // setgroups must be denied before an unprivileged process may write gid_map.
    match std::fs::write("/proc/self/setgroups", "deny") {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(step_error("write /proc/self/setgroups", e)),
        _ => {}
    }
    std::fs::write("/proc/self/uid_map", format!("0 {uid} 1\n")).map_err(|e| step_error("write /proc/self/uid_map", e))?;
    std::fs::write("/proc/self/gid_map", format!("0 {gid} 1\n")).map_err(|e| step_error("write /proc/self/gid_map", e))?;
    private_dirs().map_err(|e| format!("--sandbox: {e}{}", hint_suffix(&read_sysctl)))?;
    lo_up().map_err(|e| format!("--sandbox: {e}"))
}

/// The world of one test: new network and mount namespaces, fresh
/// /run/netns and state directory, lo up. Needs CAP_SYS_ADMIN (root, or
/// root inside `--sandbox`).
pub fn test_world() -> Result<(), String> {
    unshare(CloneFlags::CLONE_NEWNET | CloneFlags::CLONE_NEWNS).map_err(|e| match e {
        Errno::EPERM => "each test runs in network and mount namespaces of its own, which needs CAP_SYS_ADMIN: \
                         run as root, or add --sandbox to run without root"
            .to_string(),
        e => format!("unshare(CLONE_NEWNET|CLONE_NEWNS): {}", e.desc()),
    })?;
    private_dirs()?;
    lo_up()
}

/// Keep mounts made here from propagating out, then give /run/netns and the
/// state directory tmpfs mounts of their own.
fn private_dirs() -> Result<(), String> {
    mount(None::<&str>, "/", None::<&str>, MsFlags::MS_REC | MsFlags::MS_PRIVATE, None::<&str>)
        .map_err(|e| format!("mount --make-rprivate /: {}", e.desc()))?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let mut shadowed = Vec::new();
    for dir in [PathBuf::from(crate::netns::RUN_DIR), cwd.join(crate::journal::state_dir())] {
        fresh_dir(&dir, &mut shadowed)?;
    }
    Ok(())
}

/// Make `target` an empty directory private to this mount namespace without
/// creating anything on the host: a tmpfs on it when it exists; otherwise its
/// nearest existing ancestor is shadowed (a tmpfs holding binds of what was
/// there) and `target` is made inside.
fn fresh_dir(target: &Path, shadowed: &mut Vec<PathBuf>) -> Result<(), String> {
    if target.is_dir() {
        return mount_tmpfs(target, 0o755);
    }
    let mut anc = target.parent();
    while let Some(a) = anc {
        if a.is_dir() {
            break;
        }
        anc = a.parent();
    }
    let anc = anc.ok_or_else(|| format!("cannot make {} private: no parent directory", target.display()))?;
    if anc == Path::new("/") {
        return Err(format!("cannot make {} private: it would mean hiding /", target.display()));
    }
    // A directory below one shadowed earlier is a bind of the host's: shadow it too.
    if !shadowed.iter().any(|s| s == anc) {
        shadow(anc)?;
        shadowed.push(anc.to_path_buf());
    }
    std::fs::create_dir_all(target).map_err(|e| format!("mkdir {}: {e}", target.display()))
}

fn mount_tmpfs(dir: &Path, mode: u32) -> Result<(), String> {
    mount(Some("tmpfs"), dir, Some("tmpfs"), MsFlags::MS_NOSUID | MsFlags::MS_NODEV, Some(format!("mode={mode:04o}").as_str()))
        .map_err(|e| format!("mount tmpfs on {}: {}", dir.display(), e.desc()))
}

/// Cover `dir` with a tmpfs that shows what `dir` held (each entry bound
/// back from the original), so a new entry can be made without writing to
/// the host's filesystem.
fn shadow(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::{MetadataExt, symlink};
    let meta = std::fs::metadata(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let old = std::fs::File::open(dir).map_err(|e| format!("open {}: {e}", dir.display()))?;
    let entries: Vec<OsString> = std::fs::read_dir(dir).map_err(|e| format!("read {}: {e}", dir.display()))?.flatten().map(|e| e.file_name()).collect();
    mount_tmpfs(dir, meta.mode() & 0o7777)?;
    let from = PathBuf::from(format!("/proc/self/fd/{}", old.as_raw_fd()));
    for name in entries {
        let (src, dst) = (from.join(&name), dir.join(&name));
        let Ok(m) = std::fs::symlink_metadata(&src) else { continue };
        // An entry that cannot be brought back stays hidden; the world works without it.
        if m.file_type().is_symlink() {
            if let Ok(t) = std::fs::read_link(&src) {
                let _ = symlink(t, &dst);
            }
            continue;
        }
        let made = if m.is_dir() { std::fs::create_dir(&dst).is_ok() } else { std::fs::File::create(&dst).is_ok() };
        if made {
            let _ = mount(Some(&src), &dst, None::<&str>, MsFlags::MS_BIND | MsFlags::MS_REC, None::<&str>);
        }
    }
    Ok(())
}

/// A fresh network namespace has lo down; tests and labs expect it up.
fn lo_up() -> Result<(), String> {
    let h = crate::engine::Handle::new().map_err(|e| e.to_string())?;
    let lo = h.link_get("lo").map_err(|e| e.to_string())?;
    h.link_set(&lo, &crate::engine::LinkChange { up: Some(true), ..Default::default() }).map_err(|e| e.to_string())
}

/// What to say under an error the kernel refused for lack of privilege.
pub fn eperm_hint(msg: &str) -> Option<&'static str> {
    msg.contains("(EPERM)").then_some(
        "changing the network needs CAP_NET_ADMIN: run as root, or add --sandbox to work in namespaces of your own",
    )
}

fn read_sysctl(name: &str) -> Option<String> {
    std::fs::read_to_string(format!("/proc/sys/{}", name.replace('.', "/"))).ok().map(|s| s.trim().to_string())
}

/// Why unshare(CLONE_NEWUSER) failed, naming the sysctl that decides it.
fn unshare_error(e: Errno, sysctl: &dyn Fn(&str) -> Option<String>) -> String {
    let head = format!("--sandbox: cannot create a user namespace: {}", e.desc());
    match e {
        Errno::ENOSPC | Errno::EUSERS => {
            let max = sysctl("user.max_user_namespaces").unwrap_or_else(|| "?".into());
            format!("{head}: the limit user.max_user_namespaces ({max}) is reached or zero; raise it, e.g. `sysctl -w user.max_user_namespaces=15000`")
        }
        Errno::EINVAL => format!("{head}: this kernel has no user namespaces (CONFIG_USER_NS)"),
        _ => format!("{head}: {}", userns_hint(sysctl)),
    }
}

/// A failed step after unshare (EPERM there usually means AppArmor took the
/// namespace's capabilities away).
fn step_error(step: &str, e: std::io::Error) -> String {
    format!("--sandbox: {step}: {e}{}", hint_suffix(&read_sysctl))
}

fn hint_suffix(sysctl: &dyn Fn(&str) -> Option<String>) -> String {
    if sysctl("kernel.apparmor_restrict_unprivileged_userns").as_deref() == Some("1") {
        format!(" ({})", userns_hint(sysctl))
    } else {
        String::new()
    }
}

/// Which sysctl keeps unprivileged user namespaces off here, and how to allow them.
fn userns_hint(sysctl: &dyn Fn(&str) -> Option<String>) -> String {
    let mut why = Vec::new();
    if sysctl("kernel.unprivileged_userns_clone").as_deref() == Some("0") {
        why.push("kernel.unprivileged_userns_clone = 0 (`sysctl -w kernel.unprivileged_userns_clone=1` allows them)".to_string());
    }
    if sysctl("user.max_user_namespaces").as_deref() == Some("0") {
        why.push("user.max_user_namespaces = 0 (`sysctl -w user.max_user_namespaces=15000` allows them)".to_string());
    }
    if sysctl("kernel.apparmor_restrict_unprivileged_userns").as_deref() == Some("1") {
        why.push(
            "kernel.apparmor_restrict_unprivileged_userns = 1 (`sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`, \
             or an AppArmor profile for nlua with the `userns,` rule, allows them)"
                .to_string(),
        );
    }
    if why.is_empty() {
        format!("unprivileged user namespaces are not allowed here, though none of {USERNS_SYSCTLS} forbids them (a container's seccomp filter or a chroot may)")
    } else {
        format!("unprivileged user namespaces are disabled on this system: {}", why.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vals: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| vals.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn hint_names_the_sysctl_that_forbids_user_namespaces() {
        let debian = with(&[("kernel.unprivileged_userns_clone", "0"), ("user.max_user_namespaces", "63000")]);
        assert_eq!(
            unshare_error(Errno::EPERM, &debian),
            "--sandbox: cannot create a user namespace: Operation not permitted: unprivileged user namespaces are disabled on this system: \
             kernel.unprivileged_userns_clone = 0 (`sysctl -w kernel.unprivileged_userns_clone=1` allows them)"
        );
        let ubuntu = with(&[("kernel.apparmor_restrict_unprivileged_userns", "1"), ("user.max_user_namespaces", "63000")]);
        assert!(userns_hint(&ubuntu).contains("kernel.apparmor_restrict_unprivileged_userns = 1"), "{}", userns_hint(&ubuntu));
        assert!(hint_suffix(&ubuntu).contains("AppArmor profile"));
        let zero = with(&[("user.max_user_namespaces", "0")]);
        assert_eq!(
            unshare_error(Errno::ENOSPC, &zero),
            "--sandbox: cannot create a user namespace: No space left on device: the limit user.max_user_namespaces (0) is reached or zero; \
             raise it, e.g. `sysctl -w user.max_user_namespaces=15000`"
        );
        let open = with(&[("user.max_user_namespaces", "63000")]);
        assert!(unshare_error(Errno::EPERM, &open).ends_with("though none of kernel.unprivileged_userns_clone, user.max_user_namespaces and kernel.apparmor_restrict_unprivileged_userns forbids them (a container's seccomp filter or a chroot may)"));
        assert_eq!(hint_suffix(&open), "");
    }
}
