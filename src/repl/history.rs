//! The REPL's history file: `$XDG_STATE_HOME/nlua/history`, else
//! `~/.local/state/nlua/history`. Sessions share it: each entry is written
//! when it is entered (under a lock), an entry entered again moves to the end
//! instead of appearing twice, and every session reads the others' entries
//! back after each line. The format is rustyline's (`#V2`, `\n` escaped).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

/// Entries kept.
pub const MAX_ENTRIES: usize = 1000;

const HEADER: &str = "#V2";

/// Where the history lives, if a state or home directory is known.
pub fn default_path() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("nlua/history"))
}

fn escape(entry: &str) -> String {
    entry.replace('\\', "\\\\").replace('\n', "\\n")
}

fn unescape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut it = line.chars();
    while let Some(c) = it.next() {
        match (c, c == '\\') {
            (_, true) => match it.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            (c, false) => out.push(c),
        }
    }
    out
}

/// Parse a history file's text: entries oldest first, each once (the latest
/// occurrence wins), at most MAX_ENTRIES.
pub fn parse(text: &str) -> Vec<String> {
    let mut lines = text.lines().peekable();
    let v2 = lines.peek() == Some(&HEADER);
    if v2 {
        lines.next();
    }
    let mut out = Vec::new();
    for l in lines.filter(|l| !l.is_empty()) {
        add_unique(&mut out, if v2 { unescape(l) } else { l.to_string() });
    }
    out
}

fn add_unique(list: &mut Vec<String>, entry: String) {
    list.retain(|e| *e != entry);
    list.push(entry);
    if list.len() > MAX_ENTRIES {
        list.drain(..list.len() - MAX_ENTRIES);
    }
}

fn render(entries: &[String]) -> String {
    let mut s = format!("{HEADER}\n");
    for e in entries {
        s.push_str(&escape(e));
        s.push('\n');
    }
    s
}

/// The history file of this session.
pub struct HistoryFile {
    pub path: Option<PathBuf>,
}

impl HistoryFile {
    fn open(&self) -> Option<File> {
        let path = self.path.as_ref()?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).ok()?;
        }
        let f = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).ok()?;
        // History can hold secrets typed at the prompt: owner only, as shells do.
        use std::os::unix::fs::PermissionsExt;
        let _ = f.set_permissions(std::fs::Permissions::from_mode(0o600));
        f.lock().ok()?;
        Some(f)
    }

    fn read(f: &mut File) -> Vec<String> {
        let mut text = String::new();
        let _ = f.read_to_string(&mut text);
        parse(&text)
    }

    /// The entries so far (none without a file).
    pub fn load(&self) -> Vec<String> {
        self.open().map(|mut f| Self::read(&mut f)).unwrap_or_default()
    }

    /// Record `entry` and return the whole history, every session's,
    /// deduplicated (None without a file: the session keeps its own).
    pub fn add(&self, entry: &str) -> Option<Vec<String>> {
        let mut f = self.open()?;
        let mut entries = Self::read(&mut f);
        add_unique(&mut entries, entry.to_string());
        let text = render(&entries);
        // Rewritten in place under the lock, so a concurrent session never
        // reads half a file or loses its own line.
        let ok = f.seek(SeekFrom::Start(0)).is_ok() && f.set_len(0).is_ok() && f.write_all(text.as_bytes()).is_ok();
        if !ok {
            eprintln!("nlua: cannot write the history file {}", self.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default());
        }
        Some(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_stay_unique() {
        let entries = vec!["a = 1".to_string(), "function f()\n  return '\\\\'\nend".to_string()];
        assert_eq!(parse(&render(&entries)), entries);
        assert_eq!(parse("#V2\nx\ny\nx\n"), ["y", "x"]);
        // a file rustyline wrote before the V2 format
        assert_eq!(parse("old\n"), ["old"]);
    }

    #[test]
    fn two_sessions_share_one_file() {
        let dir = std::env::temp_dir().join(format!("nlua-history-{}", std::process::id()));
        let a = HistoryFile { path: Some(dir.join("nlua/history")) };
        let b = HistoryFile { path: a.path.clone() };
        a.add("print(1)");
        b.add("print(2)");
        assert_eq!(a.add("print(1)").unwrap(), ["print(2)", "print(1)"]);
        assert_eq!(b.load(), ["print(2)", "print(1)"]);
        let mode = std::fs::metadata(a.path.as_ref().unwrap()).unwrap().permissions();
        assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777, 0o600);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
