//! The journal: every successful change of a run appends an undo record, so
//! a failed run can be rolled back and `nlua --down` can remove exactly what a
//! run made and restore what it changed. Records are written one line at a
//! time and flushed, so a journal is complete even if nlua is killed.
//! No Lua here: undo runs after the Lua VM is gone.

pub mod observe;
pub mod record;
pub mod tc_words;
pub mod trace;
pub mod undo;

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use nix::libc;
pub use record::{NsKey, Record};

use crate::engine::NsInfo;
use crate::show::Json;

/// How `--trace` prints changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trace {
    /// No trace.
    Off,
    /// `+ ip -n red link add ...` lines on stderr.
    Text,
    /// One JSON object per change on stderr.
    Json,
}

/// Where journals live: `$NLUA_STATE_DIR`, default /run/nlua.
pub fn state_dir() -> PathBuf {
    std::env::var_os("NLUA_STATE_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/run/nlua"))
}

/// The journal name of a script: its file stem ("topo" for topo.lua).
pub fn name_of_script(script: &str) -> String {
    Path::new(script).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "nlua".into())
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains('/') && name != "." && name != ".."
}

/// The journal file of `name`.
pub fn journal_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.journal"))
}

fn lock_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.lock"))
}

/// Take the run lock of `name` (held while the returned file is open).
fn lock(dir: &Path, name: &str) -> Result<File, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create the state directory {}: {e}", dir.display()))?;
    let p = lock_path(dir, name);
    let f = OpenOptions::new().create(true).truncate(false).write(true).read(true).open(&p).map_err(|e| format!("cannot open {}: {e}", p.display()))?;
    // SAFETY: flock on a descriptor we own.
    if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        let holder = std::fs::read_to_string(&p).unwrap_or_default();
        return Err(format!("another run of '{name}' is in progress (pid {})", holder.trim()));
    }
    let mut f = f;
    let _ = f.set_len(0);
    let _ = write!(f, "{}", std::process::id());
    Ok(f)
}

/// Whether a run of `name` holds its lock now (looked at without taking
/// it for long, writing to it or creating it: `--status` changes nothing).
fn running(dir: &Path, name: &str) -> bool {
    let Ok(f) = File::open(lock_path(dir, name)) else { return false };
    // SAFETY: flock on a descriptor we own; closing it releases the lock.
    unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) != 0 }
}

struct Inner {
    file: Option<File>,
    path: Option<PathBuf>,
    /// Every record so far; the record numbered `seq` is at `seq - 1`.
    records: Vec<(u64, Record)>,
    next_seq: u64,
    /// Both ends of every link this run made and has not undone, so "did
    /// this run make it?" is one lookup, not a scan of every record.
    made_links: HashSet<(NsKey, u32)>,
    /// The named namespaces this run made and has not undone.
    made_ns: HashSet<String>,
    _lock: Option<File>,
}

/// The journal of one run.
#[derive(Debug)]
pub struct Journal {
    inner: Mutex<Inner>,
    /// (dev, inode) of the namespace the run started in.
    pub initial: (u64, u64),
    /// What --trace prints.
    pub trace: Trace,
    /// The run's name (the script's stem or `--name`).
    pub name: String,
}

impl Inner {
    /// Remove the journal and, while still holding it, the lock file: a run
    /// that keeps nothing leaves nothing in the state directory.
    fn remove_files(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = std::fs::remove_file(&p);
            if self._lock.is_some() {
                let _ = std::fs::remove_file(p.with_extension("lock"));
            }
        }
    }

    fn append(&mut self, rs: Vec<Record>) {
        let mut text = String::new();
        for r in rs {
            let seq = self.next_seq;
            self.next_seq += 1;
            if self.file.is_some() {
                r.write_line(seq, &mut text);
            }
            self.index(&r);
            self.records.push((seq, r));
        }
        if let Some(f) = self.file.as_mut() {
            // One write(2): complete lines even if the process is killed next.
            if let Err(e) = f.write_all(text.as_bytes()) {
                eprintln!("nlua: cannot write the journal: {e}");
            }
        }
    }
}

impl Inner {
    /// Keep the made-link and made-namespace sets in step with a new record.
    fn index(&mut self, r: &Record) {
        match r {
            Record::LinkAdd { link, peer, .. } => {
                self.made_links.insert((link.ns.clone(), link.index));
                if let Some(p) = peer {
                    self.made_links.insert((p.ns.clone(), p.index));
                }
            }
            Record::NetnsAdd { name } => {
                self.made_ns.insert(name.clone());
            }
            Record::Undone { seq } => match self.records.get((*seq as usize).wrapping_sub(1)) {
                Some((s, Record::LinkAdd { link, peer, .. })) if s == seq => {
                    let (link, peer) = (link.clone(), peer.clone());
                    self.made_links.remove(&(link.ns, link.index));
                    if let Some(p) = peer {
                        self.made_links.remove(&(p.ns, p.index));
                    }
                }
                Some((s, Record::NetnsAdd { name })) if s == seq => {
                    let name = name.clone();
                    self.made_ns.remove(&name);
                }
                _ => {}
            },
            _ => {}
        }
    }
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner").field("path", &self.path).field("records", &self.records.len()).finish()
    }
}

impl Journal {
    fn with(initial: &NsInfo, name: &str, trace: Trace, file: Option<File>, path: Option<PathBuf>, lock: Option<File>) -> Journal {
        Journal {
            inner: Mutex::new(Inner {
                file,
                path,
                records: Vec::new(),
                next_seq: 1,
                made_links: HashSet::new(),
                made_ns: HashSet::new(),
                _lock: lock,
            }),
            initial: (initial.dev, initial.inode),
            trace,
            name: name.to_string(),
        }
    }

    /// A journal kept only in memory (ephemeral runs: always rolled back).
    pub fn in_memory(initial: &NsInfo, trace: Trace) -> Journal {
        Journal::with(initial, "ephemeral", trace, None, None, None)
    }

    /// Start the on-disk journal of run `name`. Refuses while another run of
    /// that name holds the lock, or while an earlier run's journal exists.
    pub fn create(dir: &Path, name: &str, script: &str, initial: &NsInfo, trace: Trace) -> Result<Journal, String> {
        if !valid_name(name) {
            return Err(format!("invalid run name {name:?}"));
        }
        let lock = lock(dir, name)?;
        let path = journal_path(dir, name);
        if path.exists() {
            let what = summary(&path).unwrap_or_else(|e| e);
            return Err(format!(
                "a journal for '{name}' exists from an earlier run ({what}); run `nlua --down {name}` first, or use --force"
            ));
        }
        let mut f = OpenOptions::new().create_new(true).append(true).open(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        let mut h = Json::obj();
        h.set("nlua_journal", Json::Int(record::VERSION)).set("name", name).set("script", script);
        h.set("pid", std::process::id()).set("started", now_secs());
        let mut i = Json::obj();
        i.set("dev", initial.dev).set("inode", initial.inode);
        h.set("initial", i);
        writeln!(f, "{}", h.to_string_compact()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(Journal::with(initial, name, trace, Some(f), Some(path), Some(lock)))
    }

    /// Append a record (written and flushed at once); returns its number.
    pub fn append(&self, r: Record) -> u64 {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let seq = g.next_seq;
        g.append(vec![r]);
        seq
    }

    /// Append records in one write (a batch the kernel has already carried out).
    pub fn append_many(&self, rs: Vec<Record>) {
        if !rs.is_empty() {
            self.inner.lock().unwrap_or_else(|p| p.into_inner()).append(rs);
        }
    }

    /// The records so far.
    pub fn records(&self) -> Vec<(u64, Record)> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).records.clone()
    }

    /// Did this run make link `index` in `ns` (and not undo it)?
    pub fn made_link(&self, ns: &NsKey, index: u32) -> bool {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).made_links.contains(&(ns.clone(), index))
    }

    /// Does everything in `ns` go when the run is undone: a namespace this
    /// run made (deleted whole), or an anonymous one (it dies with the run)?
    pub fn made_ns(&self, ns: &NsKey) -> bool {
        match ns {
            NsKey::Name(n) => self.inner.lock().unwrap_or_else(|p| p.into_inner()).made_ns.contains(n),
            NsKey::Temp { .. } => true,
            _ => false,
        }
    }

    /// True when the run changed nothing.
    pub fn is_empty(&self) -> bool {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).records.is_empty()
    }

    /// The journal file, if kept on disk.
    pub fn path(&self) -> Option<PathBuf> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).path.clone()
    }

    /// Undo everything this run did, newest first, printing one line per
    /// undone change to `out`; then remove the journal.
    pub fn rollback(&self, out: &mut dyn Write) -> Result<undo::Summary, String> {
        let records = self.records();
        let summary = undo::replay(&records, self.initial, out, &mut |seq| {
            self.append(Record::Undone { seq });
        })?;
        self.discard();
        Ok(summary)
    }

    /// Mark as undone the pending records `f` selects: the run itself
    /// removed what they would undo.
    pub fn forget(&self, f: impl Fn(&Record) -> bool) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let todo: Vec<Record> = pending_in(&g.records).filter(|(_, r)| f(r)).map(|(seq, _)| Record::Undone { seq: *seq }).collect();
        if !todo.is_empty() {
            g.append(todo);
        }
    }

    /// The run deleted namespace `name`: if the run made it, nothing in it
    /// needs undoing any more; if not, that cannot be undone (say so).
    pub fn netns_deleted(&self, name: &str) {
        let ours = self.made_ns(&NsKey::Name(name.to_string()));
        if !ours {
            self.append(Record::Note { text: format!("namespace {name} (which existed before the run) was deleted") });
            return;
        }
        let key = NsKey::Name(name.to_string());
        // Veths with an end in there go with it, both ends.
        let pairs = self.made_links(|k| k.ns == key);
        self.forget(|r| match r {
            Record::NetnsAdd { name: n } => n == name,
            Record::Msg { ns, .. } => *ns == key || pairs.iter().any(|k| k.ns == *ns && r.msg_dev() == Some(k.index)),
            Record::LinkRecreate { ns, .. } => *ns == key,
            Record::LinkRestore { now, old } => now.ns == key && old.netns.is_none(),
            _ => false,
        });
        self.forget(|r| matches!(r, Record::LinkAdd { link, peer, .. } if pairs.contains(link) || peer.as_ref().is_some_and(|p| pairs.contains(p))));
    }

    /// The run deleted link `index` in `ns`: if the run made it, the records
    /// about it and its veth peer (addresses, routes, qdiscs...) have nothing
    /// left to undo.
    pub fn link_deleted(&self, ns: &NsKey, index: u32) {
        let gone = self.made_links(|k| k.ns == *ns && k.index == index);
        self.forget(|r| match r {
            Record::LinkAdd { link, .. } => gone.contains(link),
            Record::Msg { ns: n, .. } => gone.iter().any(|k| k.ns == *n && r.msg_dev() == Some(k.index)),
            _ => false,
        });
    }

    /// Both ends of every link this run made (and has not undone) with an
    /// end that `f` selects.
    fn made_links(&self, f: impl Fn(&record::LinkKey) -> bool) -> Vec<record::LinkKey> {
        let g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::new();
        for (_, r) in pending_in(&g.records) {
            if let Record::LinkAdd { link, peer, .. } = r
                && (f(link) || peer.as_ref().is_some_and(&f))
            {
                out.extend(peer.clone());
                out.push(link.clone());
            }
        }
        out
    }

    /// The run succeeded: keep the journal for `--down`, or drop it when
    /// nothing is left to undo (the run changed nothing, or removed all it
    /// made itself and its processes have ended).
    pub fn keep(&self) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        // (Looked at in place: a run of 50,000 routes need not copy them.)
        let work = pending_in(&g.records).any(|(_, r)| match r {
            Record::Note { .. } | Record::Defer => false,
            Record::Process { pid, start, .. } => crate::process::start_time(*pid) == Some(*start),
            _ => true,
        });
        if !work {
            g.remove_files();
        }
        g.file = None;
    }

    /// Remove the journal file.
    pub fn discard(&self) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.file = None;
        g.remove_files();
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// A journal read back from disk.
pub struct Loaded {
    /// The run's name.
    pub name: String,
    /// The script that made it.
    pub script: String,
    /// Process id of the run that wrote the journal.
    pub pid: u32,
    /// The namespace the run started in (device, inode).
    pub initial: (u64, u64),
    /// The records, with their sequence numbers.
    pub records: Vec<(u64, Record)>,
    /// The last line was cut short (the run was killed mid-write).
    pub truncated: bool,
    /// The length in bytes of the whole lines (all of the file unless
    /// `truncated`).
    pub whole: u64,
}

/// Read a journal file. A truncated last line (a run killed while writing)
/// is dropped with a warning; anything else malformed is an error, and nothing
/// is undone from a journal that cannot be trusted.
pub fn load(path: &Path) -> Result<Loaded, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines: Vec<&str> = text.split('\n').collect();
    let truncated = !text.is_empty() && !text.ends_with('\n');
    let whole = text.rfind('\n').map_or(0, |i| i + 1) as u64;
    if truncated {
        lines.pop();
    } else {
        lines.pop(); // the empty string after the final newline
    }
    let header = lines.first().ok_or_else(|| format!("{}: empty journal", path.display()))?;
    let h = Json::parse(header).map_err(|e| format!("{}: line 1: not a journal header ({e})", path.display()))?;
    let version = h.get("nlua_journal").and_then(Json::as_i64).ok_or_else(|| format!("{}: line 1: not an nlua journal", path.display()))?;
    if !record::READS.contains(&version) {
        return Err(format!(
            "{}: journal format version {version}, this nlua reads versions {} (written by another nlua version)",
            path.display(),
            record::READS.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(" and ")
        ));
    }
    let initial = h.get("initial").map(|i| (i.get("dev").and_then(Json::as_i64).unwrap_or(0) as u64, i.get("inode").and_then(Json::as_i64).unwrap_or(0) as u64));
    let mut records = Vec::new();
    for (n, line) in lines.iter().enumerate().skip(1) {
        let j = Json::parse(line).map_err(|e| format!("{}: line {}: corrupt record ({e}); nothing was undone", path.display(), n + 1))?;
        let r = Record::from_json(&j).map_err(|e| format!("{}: line {}: corrupt record ({e}); nothing was undone", path.display(), n + 1))?;
        records.push(r);
    }
    Ok(Loaded {
        name: h.get("name").and_then(Json::as_str).unwrap_or("").to_string(),
        script: h.get("script").and_then(Json::as_str).unwrap_or("").to_string(),
        pid: h.get("pid").and_then(Json::as_i64).unwrap_or(0) as u32,
        initial: initial.unwrap_or((0, 0)),
        records,
        truncated,
        whole,
    })
}

/// The numbers of the records marked undone.
fn undone(records: &[(u64, Record)]) -> HashSet<u64> {
    records.iter().filter_map(|(_, r)| if let Record::Undone { seq } = r { Some(*seq) } else { None }).collect()
}

/// The records still to undo (those not marked undone).
pub fn pending(records: &[(u64, Record)]) -> Vec<(u64, Record)> {
    pending_in(records).cloned().collect()
}

/// [`pending`] in place, without copying them.
fn pending_in(records: &[(u64, Record)]) -> impl Iterator<Item = &(u64, Record)> {
    let done = undone(records);
    records.iter().filter(move |(s, r)| !matches!(r, Record::Undone { .. }) && !done.contains(s))
}

/// "2 namespaces, 5 links, 3 addresses" for a journal file.
pub fn summary(path: &Path) -> Result<String, String> {
    Ok(what_is_left(&load(path)?))
}

/// What a journal still holds, in words: "2 namespaces, 5 links".
fn what_is_left(l: &Loaded) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for (_, r) in pending_in(&l.records) {
        let w = r.kind_word();
        match counts.iter_mut().find(|(k, _)| *k == w) {
            Some((_, n)) => *n += 1,
            None => counts.push((w, 1)),
        }
    }
    if counts.is_empty() {
        return "nothing left to undo".into();
    }
    counts.iter().map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(", ")
}

/// Undo the kept journal of run `name` and remove it (`nlua --down NAME`).
pub fn down(dir: &Path, name: &str, out: &mut dyn Write) -> Result<undo::Summary, String> {
    if !valid_name(name) {
        return Err(format!("invalid run name {name:?}"));
    }
    let path = journal_path(dir, name);
    if !path.exists() {
        return Err(format!("no journal for '{name}' in {} (nothing to take down)", dir.display()));
    }
    let _lock = lock(dir, name)?;
    let l = load(&path)?;
    if l.truncated {
        let _ = writeln!(out, "nlua: the journal's last record was cut short (the run was killed while writing it); it is skipped");
    }
    let here = NsInfo::current().map_err(|e| e.to_string())?;
    if l.initial != (here.dev, here.inode) {
        return Err(format!("the journal of '{name}' was made in another network namespace (inode {}); run --down there (with --netns NAME if it was made with --netns NAME)", l.initial.1));
    }
    if l.records.iter().any(|(_, r)| matches!(r, Record::Defer)) {
        let _ = writeln!(out, "nlua: the run of '{name}' registered nlua.defer cleanups; they were Lua functions and cannot run now");
    }
    let mut f = OpenOptions::new().append(true).open(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    if l.truncated {
        // Marks appended to the cut line would make one corrupt line of
        // both, and a later --down would refuse the journal.
        f.set_len(l.whole).map_err(|e| format!("cannot cut the last record of {}: {e}", path.display()))?;
    }
    let records = pending(&l.records);
    let summary = undo::replay(&records, l.initial, out, &mut |seq| {
        // One write(2): a kill leaves whole lines.
        let mut line = String::new();
        Record::Undone { seq }.write_line(0, &mut line);
        let _ = f.write_all(line.as_bytes());
    })?;
    std::fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
    let _ = std::fs::remove_file(lock_path(dir, name));
    Ok(summary)
}

/// One line per kept journal: name, pid, what it holds, whether it is running.
pub fn status(dir: &Path) -> Result<Vec<String>, String> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", dir.display())),
    };
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = rd.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "journal")).collect();
    paths.sort();
    for p in paths {
        let name = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let running = running(dir, &name);
        let line = match load(&p) {
            Ok(l) => format!(
                "{name}: {} (script {}, pid {}{})",
                what_is_left(&l),
                l.script,
                l.pid,
                if running { ", running" } else { "" }
            ),
            Err(e) => format!("{name}: unreadable: {e}"),
        };
        out.push(line);
    }
    Ok(out)
}
