//! The bpf classifier (tc/f_bpf.c): a program from an ELF object file
//! (`obj`, `sec`), a pinned one (`pinned`), or one already loaded (`id`),
//! plus `da` (direct action), `flowid`, `skip_hw`/`skip_sw`, `actions`.
//!
//! nlua loads self-contained programs itself (no maps, no relocations): the
//! section's instructions and the object's license go to BPF_PROG_LOAD. A
//! program that needs maps is loaded by its own loader and pinned, then
//! attached with `pinned`.

use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use nix::libc;

use super::action::{decode_actions, take_actions};
use super::kinds::{Ctx, DecodeCtx, attr, flowid, u32v};
use super::field_err;
use crate::engine::error::{Error, Result};
use crate::engine::schema::tc_filter::{self as F};
use crate::engine::schema::{Attrs, FieldError, Fields, Opt, Value};
use crate::units;

const BPF_PROG_LOAD: libc::c_long = 5;
const BPF_OBJ_PIN: libc::c_long = 6;
const BPF_OBJ_GET: libc::c_long = 7;
const BPF_PROG_GET_FD_BY_ID: libc::c_long = 13;
const BPF_OBJ_GET_INFO_BY_FD: libc::c_long = 15;
/// BPF_PROG_TYPE_SCHED_CLS.
pub const PROG_TYPE_SCHED_CLS: u32 = 3;
/// BPF_PROG_TYPE_SCHED_ACT.
pub const PROG_TYPE_SCHED_ACT: u32 = 4;
const TCA_BPF_FLAG_ACT_DIRECT: u32 = 1;

/// union bpf_attr is at most this big for the commands used here.
const ATTR_SIZE: usize = 128;

fn bpf(cmd: libc::c_long, attr: &mut [u8; ATTR_SIZE]) -> std::result::Result<i32, i32> {
    // SAFETY: `attr` is a properly sized, initialized union bpf_attr for `cmd`;
    // pointers inside it point to buffers that outlive the call.
    let r = unsafe { libc::syscall(libc::SYS_bpf, cmd, attr.as_mut_ptr(), ATTR_SIZE as libc::c_uint) };
    if r < 0 { Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EINVAL)) } else { Ok(r as i32) }
}

fn owned(fd: i32) -> OwnedFd {
    // SAFETY: the bpf syscall just returned this descriptor; nothing else owns it.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

fn put(attr: &mut [u8; ATTR_SIZE], off: usize, v: &[u8]) {
    attr[off..off + v.len()].copy_from_slice(v);
}

/// Load `insns` (8-byte eBPF instructions) as a program of `prog_type`.
pub fn prog_load(prog_type: u32, insns: &[u8], license: &str, name: &str) -> Result<OwnedFd> {
    let op = || format!("bpf prog load {name}");
    if insns.is_empty() || !insns.len().is_multiple_of(8) {
        return Err(Error::input(op(), "the section holds no whole eBPF instructions"));
    }
    let lic = CString::new(license).map_err(|_| Error::input(op(), "license has a NUL byte"))?;
    let mut log = vec![0u8; 64 * 1024];
    let mut attempt = |with_log: bool| {
        let mut a = [0u8; ATTR_SIZE];
        put(&mut a, 0, &prog_type.to_ne_bytes());
        put(&mut a, 4, &((insns.len() / 8) as u32).to_ne_bytes());
        put(&mut a, 8, &(insns.as_ptr() as u64).to_ne_bytes());
        put(&mut a, 16, &(lic.as_ptr() as u64).to_ne_bytes());
        if with_log {
            put(&mut a, 24, &1u32.to_ne_bytes());
            put(&mut a, 28, &(log.len() as u32).to_ne_bytes());
            put(&mut a, 32, &(log.as_mut_ptr() as u64).to_ne_bytes());
        }
        // prog_name: at most 15 characters of [A-Za-z0-9_.]
        let pname: Vec<u8> = name.bytes().filter(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.').take(15).collect();
        put(&mut a, 48, &pname);
        bpf(BPF_PROG_LOAD, &mut a)
    };
    match attempt(false) {
        Ok(fd) => Ok(owned(fd)),
        Err(_) => match attempt(true) {
            Ok(fd) => Ok(owned(fd)),
            Err(e) => {
                let text = String::from_utf8_lossy(log.split(|b| *b == 0).next().unwrap_or(&[])).trim().to_string();
                let mut err = Error::system(e, op());
                if !text.is_empty() {
                    err.message = format!("{}: verifier: {}", err.message, text.lines().last().unwrap_or(""));
                }
                Err(err)
            }
        },
    }
}

/// Open a pinned object (BPF_OBJ_GET).
pub fn obj_get(path: &str) -> Result<OwnedFd> {
    let p = CString::new(path).map_err(|_| Error::input("bpf obj get", "path has a NUL byte"))?;
    let mut a = [0u8; ATTR_SIZE];
    put(&mut a, 0, &(p.as_ptr() as u64).to_ne_bytes());
    bpf(BPF_OBJ_GET, &mut a).map(owned).map_err(|e| Error::system(e, format!("bpf obj get {path}")))
}

/// Pin a program or map at `path` on a bpf filesystem (BPF_OBJ_PIN).
pub fn obj_pin(fd: &OwnedFd, path: &str) -> Result<()> {
    let p = CString::new(path).map_err(|_| Error::input("bpf obj pin", "path has a NUL byte"))?;
    let mut a = [0u8; ATTR_SIZE];
    put(&mut a, 0, &(p.as_ptr() as u64).to_ne_bytes());
    put(&mut a, 8, &(fd.as_raw_fd() as u32).to_ne_bytes());
    bpf(BPF_OBJ_PIN, &mut a).map(|_| ()).map_err(|e| Error::system(e, format!("bpf obj pin {path}")))
}

/// Open a loaded program by id (BPF_PROG_GET_FD_BY_ID).
pub fn prog_by_id(id: u32) -> Result<OwnedFd> {
    let mut a = [0u8; ATTR_SIZE];
    put(&mut a, 0, &id.to_ne_bytes());
    bpf(BPF_PROG_GET_FD_BY_ID, &mut a).map(owned).map_err(|e| Error::system(e, format!("bpf prog id {id}")))
}

/// What the kernel says about a loaded program: its name, tag (hex) and
/// whether it was JIT-compiled (as `tc filter show` prints them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgInfo {
    /// The program's name as the kernel shows it.
    pub name: String,
    /// The program's tag (hex).
    pub tag: String,
    /// Whether the kernel compiled it.
    pub jited: bool,
}

/// BPF_OBJ_GET_INFO_BY_FD for program `id` (None when it is gone or hidden).
pub fn prog_info(id: u32) -> Option<ProgInfo> {
    let fd = prog_by_id(id).ok()?;
    let mut info = [0u8; 256];
    let mut a = [0u8; ATTR_SIZE];
    put(&mut a, 0, &(fd.as_raw_fd() as u32).to_ne_bytes());
    put(&mut a, 4, &(info.len() as u32).to_ne_bytes());
    put(&mut a, 8, &(info.as_mut_ptr() as u64).to_ne_bytes());
    bpf(BPF_OBJ_GET_INFO_BY_FD, &mut a).ok()?;
    let name = &info[64..80];
    Some(ProgInfo {
        name: String::from_utf8_lossy(name.split(|b| *b == 0).next().unwrap_or(&[])).into_owned(),
        tag: info[8..16].iter().map(|b| format!("{b:02x}")).collect(),
        jited: u32::from_ne_bytes(info[16..20].try_into().unwrap()) != 0,
    })
}

/// The bytes of section `name` of an ELF64 object and the object's license.
pub fn elf_section(data: &[u8], name: &str) -> std::result::Result<(Vec<u8>, String), String> {
    let u16_at = |o: usize| data.get(o..o + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at = |o: usize| data.get(o..o + 4).map(|b| u32::from_le_bytes(b.try_into().unwrap()));
    let u64_at = |o: usize| data.get(o..o + 8).map(|b| u64::from_le_bytes(b.try_into().unwrap()));
    if data.get(0..4) != Some(b"\x7fELF") || data.get(4) != Some(&2) || data.get(5) != Some(&1) {
        return Err("not a little-endian ELF64 object".into());
    }
    let bad = || "a truncated ELF object".to_string();
    let shoff = u64_at(0x28).ok_or_else(bad)? as usize;
    let shentsize = u16_at(0x3a).ok_or_else(bad)? as usize;
    let shnum = u16_at(0x3c).ok_or_else(bad)? as usize;
    let shstrndx = u16_at(0x3e).ok_or_else(bad)? as usize;
    let sh = |i: usize| shoff + i * shentsize;
    let bytes_of = |i: usize| -> Option<&[u8]> {
        let off = u64_at(sh(i) + 24)? as usize;
        let size = u64_at(sh(i) + 32)? as usize;
        data.get(off..off.checked_add(size)?)
    };
    let strtab = bytes_of(shstrndx).ok_or_else(bad)?;
    let name_of = |i: usize| -> Option<&str> {
        let n = u32_at(sh(i))? as usize;
        let s = strtab.get(n..)?;
        std::str::from_utf8(&s[..s.iter().position(|b| *b == 0)?]).ok()
    };
    let mut found = None;
    let mut license = String::new();
    for i in 0..shnum {
        match name_of(i) {
            Some(n) if n == name => found = Some(i),
            Some("license") => {
                let b = bytes_of(i).ok_or_else(bad)?;
                license = String::from_utf8_lossy(b.split(|c| *c == 0).next().unwrap_or(&[])).into_owned();
            }
            _ => {}
        }
    }
    let idx = found.ok_or_else(|| format!("no section {name:?} in the object"))?;
    // SHT_REL sections that apply to ours mean map references nlua cannot fix up.
    for i in 0..shnum {
        let ty = u32_at(sh(i) + 4).ok_or_else(bad)?;
        let info = u32_at(sh(i) + 44).ok_or_else(bad)? as usize;
        if ty == 9 && info == idx && bytes_of(i).is_some_and(|b| !b.is_empty()) {
            return Err(format!("section {name:?} has relocations (maps); load it with its own loader, pin it and attach it with 'pinned'"));
        }
    }
    Ok((bytes_of(idx).ok_or_else(bad)?.to_vec(), license))
}

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// Encode bpf options (attributes in tc's order: classid, actions, fd, name, flags).
pub fn encode(f: &mut Fields<'_>, ctx: &Ctx<'_>) -> std::result::Result<Option<Value>, FieldError> {
    let obj = f.str("obj")?;
    let sec = f.str("sec")?;
    let pinned = f.str("pinned")?;
    let id = f.u32("id")?;
    let name_opt = f.str("name")?;
    let classid = flowid(f)?;
    let actions = take_actions(f, ctx)?;
    let da = f.bool("da")?.unwrap_or(false);
    let mut genflags = 0;
    if f.bool("skip_hw")? == Some(true) {
        genflags |= 1;
    }
    if f.bool("skip_sw")? == Some(true) {
        genflags |= 2;
    }
    let given = [obj.is_some(), pinned.is_some(), id.is_some()].iter().filter(|x| **x).count();
    if given != 1 {
        return Err(FieldError(format!(
            "field '{}': give exactly one of 'obj' (with 'sec'), 'pinned' or 'id'",
            f.path("obj")
        )));
    }
    if sec.is_some() && obj.is_none() {
        return Err(field_err(&f.path("sec"), "goes with 'obj'"));
    }
    let (fd, name) = if let Some(path) = &obj {
        let sec = sec.unwrap_or_else(|| "classifier".to_string());
        let data = std::fs::read(path).map_err(|e| field_err(&f.path("obj"), format!("cannot read {path:?}: {e}")))?;
        let (insns, license) = elf_section(&data, &sec).map_err(|e| field_err(&f.path("obj"), format!("{path:?}: {e}")))?;
        let fd = prog_load(PROG_TYPE_SCHED_CLS, &insns, &license, &sec).map_err(|e| field_err(&f.path("obj"), e.to_string()))?;
        (fd, format!("{}:[{sec}]", basename(path)))
    } else if let Some(path) = &pinned {
        let fd = obj_get(path).map_err(|e| field_err(&f.path("pinned"), e.to_string()))?;
        (fd, format!("{}:[*fsobj]", basename(path)))
    } else {
        let id = id.unwrap_or(0);
        let fd = prog_by_id(id).map_err(|e| field_err(&f.path("id"), e.to_string()))?;
        (fd, name_opt.clone().unwrap_or_else(|| format!("id:[{id}]")))
    };
    let name = if obj.is_some() || pinned.is_some() { name_opt.unwrap_or(name) } else { name };
    let mut attrs = Vec::new();
    if let Some(c) = classid {
        attrs.push(attr(&F::BPF_OPTS, F::TCA_BPF_CLASSID, u32v(c)));
    }
    if let Some(a) = actions {
        attrs.push(attr(&F::BPF_OPTS, F::TCA_BPF_ACT, a));
    }
    attrs.push(attr(&F::BPF_OPTS, F::TCA_BPF_FD, u32v(fd.as_raw_fd() as u32)));
    attrs.push(attr(&F::BPF_OPTS, F::TCA_BPF_NAME, Value::Str(name)));
    if genflags != 0 {
        attrs.push(attr(&F::BPF_OPTS, F::TCA_BPF_FLAGS_GEN, u32v(genflags)));
    }
    if da {
        attrs.push(attr(&F::BPF_OPTS, F::TCA_BPF_FLAGS, u32v(TCA_BPF_FLAG_ACT_DIRECT)));
    }
    ctx.keep.borrow_mut().push(fd);
    Ok(Some(Value::Nested(Attrs(attrs))))
}

/// Decode bpf options: the program comes back as `id` (and its `name`), which
/// `encode` accepts, so a listed filter can be re-attached.
pub fn decode(v: &Value, ctx: &DecodeCtx<'_>) -> Vec<(String, Opt)> {
    let Value::Nested(a) = v else { return Vec::new() };
    let mut out = Vec::new();
    if let Some(id) = a.uint(F::TCA_BPF_ID) {
        out.push(("id".to_string(), Opt::Int(id as i64)));
    }
    if let Some(n) = a.str(F::TCA_BPF_NAME) {
        out.push(("name".into(), Opt::Str(n.into())));
    }
    if let Some(c) = a.uint(F::TCA_BPF_CLASSID) {
        out.push(("flowid".into(), Opt::Str(units::format_classid(c as u32))));
    }
    if let Some(acts) = a.value(F::TCA_BPF_ACT) {
        out.push(("actions".into(), decode_actions(acts, ctx)));
    }
    if a.uint(F::TCA_BPF_FLAGS).is_some_and(|x| x as u32 & TCA_BPF_FLAG_ACT_DIRECT != 0) {
        out.push(("da".into(), Opt::Bool(true)));
    }
    let genflags = a.uint(F::TCA_BPF_FLAGS_GEN).unwrap_or(0);
    if genflags & 1 != 0 {
        out.push(("skip_hw".into(), Opt::Bool(true)));
    }
    if genflags & 2 != 0 {
        out.push(("skip_sw".into(), Opt::Bool(true)));
    }
    out
}

/// The program tag (8 bytes, hex) the kernel reports.
pub fn tag(a: &Attrs) -> Option<String> {
    match a.value(F::TCA_BPF_TAG)? {
        Value::Bytes(b) => Some(b.iter().map(|x| format!("{x:02x}")).collect()),
        _ => None,
    }
}
