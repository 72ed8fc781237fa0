//! Drive nlua through a pseudo-terminal, as a person at a terminal would: the
//! child gets the pty as its controlling terminal (so Ctrl-C raises SIGINT),
//! runs isolated like every CLI test, and its output is played onto a small
//! screen (cursor moves, erases, repaints), which also answers the cursor
//! position query a line editor sends, as a terminal does.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use nix::pty::{Winsize, openpty};

/// Guards against a hung child; no test measures time.
const PATIENCE: Duration = Duration::from_secs(60);
const COLS: usize = 200;

/// What the terminal shows: every line since the start, and the cursor.
#[derive(Default)]
pub struct Screen {
    lines: Vec<Vec<char>>,
    row: usize,
    col: usize,
    /// Bytes of an escape sequence or character not complete yet.
    pending: Vec<u8>,
    /// Answers owed to the program (cursor position reports).
    pub replies: Vec<u8>,
    /// The program closed the terminal.
    closed: bool,
}

impl Screen {
    fn line(&mut self) -> &mut Vec<char> {
        while self.lines.len() <= self.row {
            self.lines.push(Vec::new());
        }
        &mut self.lines[self.row]
    }

    fn put(&mut self, c: char) {
        if self.col >= COLS {
            self.row += 1;
            self.col = 0;
        }
        let col = self.col;
        let line = self.line();
        while line.len() < col {
            line.push(' ');
        }
        if col < line.len() {
            line[col] = c;
        } else {
            line.push(c);
        }
        self.col += 1;
    }

    fn csi(&mut self, params: &str, fin: u8) {
        let n = params.trim_start_matches('?').split(';').next().and_then(|p| p.parse::<usize>().ok());
        let by = n.unwrap_or(1).max(1);
        match fin {
            b'A' => self.row = self.row.saturating_sub(by),
            b'B' => self.row += by,
            b'C' => self.col += by,
            b'D' => self.col = self.col.saturating_sub(by),
            b'G' => self.col = by - 1,
            b'K' => {
                let col = self.col;
                let line = self.line();
                match n.unwrap_or(0) {
                    0 => line.truncate(col),
                    1 => line.iter_mut().take(col + 1).for_each(|c| *c = ' '),
                    _ => line.clear(),
                }
            }
            b'J' => {
                let col = self.col;
                self.line().truncate(col);
                self.lines.truncate(self.row + 1);
            }
            b'n' if params == "6" => {
                let reply = format!("\x1b[{};{}R", self.row.min(49) + 1, self.col + 1);
                self.replies.extend_from_slice(reply.as_bytes());
            }
            _ => {}
        }
    }

    /// Play bytes the program wrote.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        let buf = std::mem::take(&mut self.pending);
        let mut i = 0;
        while i < buf.len() {
            let b = buf[i];
            let used = match b {
                0x1b => match buf.get(i + 1) {
                    None => None,
                    Some(b'[') => buf[i + 2..].iter().position(|c| (0x40..=0x7e).contains(c)).map(|j| {
                        let fin = buf[i + 2 + j];
                        let params = String::from_utf8_lossy(&buf[i + 2..i + 2 + j]).into_owned();
                        self.csi(&params, fin);
                        j + 3
                    }),
                    Some(b']') => buf[i..].iter().position(|c| *c == 0x07).map(|j| j + 1),
                    Some(_) => Some(2),
                },
                b'\r' => {
                    self.col = 0;
                    Some(1)
                }
                b'\n' => {
                    self.row += 1;
                    self.line();
                    Some(1)
                }
                0x08 => {
                    self.col = self.col.saturating_sub(1);
                    Some(1)
                }
                b'\t' => {
                    self.col = (self.col / 8 + 1) * 8;
                    Some(1)
                }
                c if c < 0x20 => Some(1),
                c => {
                    let len = match c {
                        0xf0.. => 4,
                        0xe0.. => 3,
                        0xc0.. => 2,
                        _ => 1,
                    };
                    (i + len <= buf.len()).then(|| {
                        String::from_utf8_lossy(&buf[i..i + len]).chars().for_each(|ch| self.put(ch));
                        len
                    })
                }
            };
            match used {
                Some(n) => i += n,
                None => break,
            }
        }
        self.pending = buf[i..].to_vec();
    }

    /// The screen's text.
    pub fn text(&self) -> String {
        let lines: Vec<String> = self.lines.iter().map(|l| l.iter().collect()).collect();
        lines.join("\n")
    }
}

type Shared = Arc<(Mutex<Screen>, Condvar)>;

pub struct Pty {
    master: File,
    child: Option<Child>,
    screen: Shared,
    /// How much of the screen's text earlier expects consumed.
    mark: usize,
}

fn lock(s: &Shared) -> MutexGuard<'_, Screen> {
    s.0.lock().unwrap_or_else(|e| e.into_inner())
}

impl Pty {
    /// Start nlua with `args` and `env` on a new 200-column terminal.
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Pty {
        let ws = Winsize { ws_row: 50, ws_col: COLS as u16, ws_xpixel: 0, ws_ypixel: 0 };
        let pty = openpty(&ws, None).expect("openpty");
        let slave = |fd: &OwnedFd| Stdio::from(fd.try_clone().expect("dup pty"));
        let mut cmd = Command::new(super::nlua_bin());
        cmd.args(args).env_remove("NLUA_RUNTIME").env("TERM", "xterm");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.stdin(slave(&pty.slave)).stdout(slave(&pty.slave)).stderr(slave(&pty.slave));
        super::isolate(&mut cmd);
        // SAFETY: setsid and ioctl are async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                nix::unistd::setsid()?;
                if nix::libc::ioctl(0, nix::libc::TIOCSCTTY, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn nlua on a pty");
        drop(cmd);
        drop(pty.slave);
        let master = File::from(pty.master);
        let screen: Shared = Arc::new((Mutex::new(Screen::default()), Condvar::new()));
        let mut reader = master.try_clone().expect("dup master");
        let mut answer = master.try_clone().expect("dup master");
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                // EIO once the child and its descendants closed the terminal
                let n = reader.read(&mut buf).unwrap_or(0);
                let mut s = lock(&sink);
                if n == 0 {
                    s.closed = true;
                    sink.1.notify_all();
                    return;
                }
                s.feed(&buf[..n]);
                let replies = std::mem::take(&mut s.replies);
                drop(s);
                if !replies.is_empty() {
                    let _ = answer.write_all(&replies);
                }
                sink.1.notify_all();
            }
        });
        Pty { master, child: Some(child), screen, mark: 0 }
    }

    /// Type `keys` (`\r` is Enter, `\t` Tab, `\x03` Ctrl-C, `\x04` Ctrl-D).
    pub fn send(&mut self, keys: &str) {
        self.master.write_all(keys.as_bytes()).expect("write to pty");
    }

    /// Everything on the screen.
    pub fn transcript(&self) -> String {
        lock(&self.screen).text()
    }

    /// Wait until `needle` shows after what earlier calls consumed; return
    /// the text up to and including it, and consume it.
    pub fn expect(&mut self, needle: &str) -> String {
        let (got, end) = self.find(needle);
        self.mark = end;
        got
    }

    /// Wait until `needle` shows after what earlier calls consumed, without
    /// consuming it: for the line being edited, which repaints change (a
    /// hint, a completion).
    pub fn shows(&mut self, needle: &str) -> String {
        self.find(needle).0
    }

    fn find(&self, needle: &str) -> (String, usize) {
        let deadline = Instant::now() + PATIENCE;
        let mut s = lock(&self.screen);
        loop {
            let text = s.text();
            if let Some(i) = text.get(self.mark..).and_then(|t| t.find(needle)) {
                let end = self.mark + i + needle.len();
                return (text[self.mark..end].to_string(), end);
            }
            let now = Instant::now();
            if s.closed || now >= deadline {
                drop(s);
                panic!("never saw {needle:?}; the terminal shows:\n{text}");
            }
            s = self.screen.1.wait_timeout(s, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Wait for nlua to exit (after Ctrl-D).
    pub fn wait(mut self) -> ExitStatus {
        self.child.take().unwrap().wait().expect("wait nlua")
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
