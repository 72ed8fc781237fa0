//! How `nlua --test` reports: one line per test with the failure, traceback
//! and output under a failed one, or strict TAP 14 (`--tap`, failures as YAML
//! diagnostics), ending with `N passed, N failed[, N skipped]`; and the
//! JUnit XML file of `--junit`. Files run in parallel are printed in file
//! order, each as soon as the files before it are done.

use std::io::Write;

use super::Event;

/// How a test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    /// Every assertion held.
    #[default]
    Pass,
    /// An assertion failed or the test raised an error.
    Fail,
    /// Skipped (`skip`, `only` elsewhere in the file, `t:skip`).
    Skip,
}

/// One test's result.
#[derive(Debug, Clone, Default)]
pub struct TestResult {
    /// The test file.
    pub file: String,
    /// The test's name, with its `describe` groups.
    pub name: String,
    /// How it ended.
    pub status: Status,
    /// How long it took, in milliseconds.
    pub ms: f64,
    /// The failure (with its position), or the skip reason.
    pub message: String,
    /// Where the failure came from.
    pub traceback: String,
    /// What the test printed (stdout and stderr).
    pub output: String,
}

/// Prints events in file order and counts.
pub struct Printer {
    tap: bool,
    files: Vec<String>,
    /// Events of files not yet printable (a file before them is still running).
    pending: Vec<Vec<Event>>,
    /// The file being printed.
    current: usize,
    header_done: Vec<bool>,
    n: usize,
    passed: usize,
    failed: usize,
    skipped: usize,
    fatal: bool,
    results: Vec<TestResult>,
    out: std::io::Stdout,
}

impl Printer {
    /// A printer for `files`, in TAP 14 when `tap`.
    pub fn new(tap: bool, files: &[String]) -> Printer {
        let p = Printer {
            tap,
            files: files.to_vec(),
            pending: files.iter().map(|_| Vec::new()).collect(),
            current: 0,
            header_done: vec![false; files.len()],
            n: 0,
            passed: 0,
            failed: 0,
            skipped: 0,
            fatal: false,
            results: Vec::new(),
            out: std::io::stdout(),
        };
        if tap {
            p.line("TAP version 14");
        }
        p
    }

    fn line(&self, s: &str) {
        let mut o = self.out.lock();
        let _ = writeln!(o, "{s}");
        let _ = o.flush();
    }

    /// An event of file `i`: printed now if every file before it is done.
    pub fn event(&mut self, i: usize, ev: Event) {
        self.pending[i].push(ev);
        while self.current < self.files.len() {
            let evs: Vec<Event> = std::mem::take(&mut self.pending[self.current]);
            let mut done = false;
            for ev in evs {
                if done {
                    // Nothing follows Done; keep the order anyway.
                    self.pending[self.current].push(ev);
                    continue;
                }
                done = matches!(ev, Event::Done);
                self.print(self.current, ev);
            }
            if !done {
                break;
            }
            self.current += 1;
        }
    }

    fn header(&mut self, i: usize) {
        if !self.header_done[i] {
            self.header_done[i] = true;
            self.line(&format!("# {}", self.files[i]));
        }
    }

    fn print(&mut self, i: usize, ev: Event) {
        match ev {
            Event::Done => {}
            Event::Note(s) => {
                self.header(i);
                self.line(&format!("# {s}"));
            }
            Event::Fatal(msg) => {
                if !self.fatal {
                    self.fatal = true;
                    if self.tap {
                        self.line(&format!("Bail out! {}", msg.replace('\n', " ")));
                    }
                    eprintln!("nlua: {msg}");
                }
            }
            Event::Test(r) => {
                self.header(i);
                self.n += 1;
                match r.status {
                    Status::Pass => self.passed += 1,
                    Status::Fail => self.failed += 1,
                    Status::Skip => self.skipped += 1,
                }
                let text = if self.tap { tap_point(self.n, &r) } else { text_point(self.n, &r) };
                self.line(text.trim_end_matches('\n'));
                self.results.push(*r);
            }
        }
    }

    /// The last lines: the TAP plan, and `N passed, N failed[, N skipped]`.
    pub fn finish(&mut self) {
        if self.fatal {
            return;
        }
        let mut summary = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            summary.push_str(&format!(", {} skipped", self.skipped));
        }
        if self.tap {
            self.line(&format!("1..{}", self.n));
            self.line(&format!("# {summary}"));
        } else {
            self.line(&summary);
        }
    }

    /// True when no test failed and the run was not cut short.
    pub fn ok(&self) -> bool {
        self.failed == 0 && !self.fatal
    }

    /// Every result so far, in the order printed.
    pub fn results(&self) -> &[TestResult] {
        &self.results
    }
}

fn indent(text: &str, pad: &str) -> String {
    text.lines().map(|l| format!("{pad}{}\n", l.replace('\t', "    "))).collect()
}

/// `ok 3 - veth pair pings (12 ms)`, and under a failure its message,
/// traceback and output.
fn text_point(n: usize, r: &TestResult) -> String {
    match r.status {
        Status::Pass => format!("ok {n} - {} ({:.0} ms)\n", r.name, r.ms),
        Status::Skip => format!("ok {n} - {} # SKIP {}\n", r.name, r.message),
        Status::Fail => {
            let mut s = format!("not ok {n} - {} ({:.0} ms)\n", r.name, r.ms);
            s.push_str(&indent(&r.message, "  "));
            if !r.traceback.is_empty() {
                s.push_str(&indent(&r.traceback, "  "));
            }
            if !r.output.trim().is_empty() {
                s.push_str("  output:\n");
                s.push_str(&indent(&r.output, "    "));
            }
            s
        }
    }
}

/// A TAP 14 description: `#` and `\` escaped, one line.
fn tap_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('#', "\\#").replace(['\n', '\r'], " ")
}

/// A YAML literal block scalar at `pad` (`|`: the form every TAP consumer's
/// YAML reader knows).
fn yaml_block(key: &str, text: &str, pad: &str) -> String {
    let mut s = format!("{pad}{key}: |\n");
    for l in text.trim_end().lines() {
        s.push_str(&format!("{pad}  {}\n", l.replace('\t', "    ")));
    }
    s
}

fn tap_point(n: usize, r: &TestResult) -> String {
    let name = tap_escape(&r.name);
    match r.status {
        Status::Pass => format!("ok {n} - {name}\n"),
        Status::Skip => format!("ok {n} - {name} # SKIP {}\n", tap_escape(&r.message)),
        Status::Fail => {
            let mut s = format!("not ok {n} - {name}\n  ---\n");
            s.push_str(&yaml_block("message", &r.message, "  "));
            s.push_str("  severity: fail\n");
            s.push_str(&format!("  file: \"{}\"\n", r.file.replace('\\', "\\\\").replace('"', "\\\"")));
            s.push_str(&format!("  duration_ms: {:.0}\n", r.ms));
            if !r.traceback.is_empty() {
                s.push_str(&yaml_block("traceback", &r.traceback, "  "));
            }
            if !r.output.trim().is_empty() {
                s.push_str(&yaml_block("output", &r.output, "  "));
            }
            s.push_str("  ...\n");
            s
        }
    }
}

fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // XML 1.0 has no place for other control characters.
            '\t' | '\n' | '\r' => o.push(c),
            c if (c as u32) < 0x20 => {}
            c => o.push(c),
        }
    }
    o
}

/// The JUnit XML report: one testsuite per file, one testcase per test.
pub fn write_junit(w: &mut dyn Write, files: &[String], results: &[TestResult]) -> std::io::Result<()> {
    let count = |rs: &[&TestResult], st: Status| rs.iter().filter(|r| r.status == st).count();
    let all: Vec<&TestResult> = results.iter().collect();
    let secs = |rs: &[&TestResult]| rs.iter().map(|r| r.ms).sum::<f64>() / 1000.0;
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="nlua" tests="{}" failures="{}" skipped="{}" time="{:.3}">"#,
        all.len(),
        count(&all, Status::Fail),
        count(&all, Status::Skip),
        secs(&all)
    )?;
    for f in files {
        let rs: Vec<&TestResult> = results.iter().filter(|r| &r.file == f).collect();
        if rs.is_empty() {
            continue;
        }
        writeln!(
            w,
            r#"  <testsuite name="{}" tests="{}" failures="{}" errors="0" skipped="{}" time="{:.3}">"#,
            xml(f),
            rs.len(),
            count(&rs, Status::Fail),
            count(&rs, Status::Skip),
            secs(&rs)
        )?;
        for r in rs {
            write!(w, r#"    <testcase name="{}" classname="{}" time="{:.3}">"#, xml(&r.name), xml(f), r.ms / 1000.0)?;
            match r.status {
                Status::Pass => {}
                Status::Skip => write!(w, r#"<skipped message="{}"/>"#, xml(&r.message))?,
                Status::Fail => {
                    let first = r.message.lines().next().unwrap_or("");
                    let body = if r.traceback.is_empty() { r.message.clone() } else { format!("{}\n{}", r.message, r.traceback) };
                    write!(w, r#"<failure message="{}" type="failure">{}</failure>"#, xml(first), xml(&body))?;
                }
            }
            if !r.output.is_empty() {
                write!(w, "<system-out>{}</system-out>", xml(&r.output))?;
            }
            writeln!(w, "</testcase>")?;
        }
        writeln!(w, "  </testsuite>")?;
    }
    writeln!(w, "</testsuites>")
}
