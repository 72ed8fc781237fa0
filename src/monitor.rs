//! `nlua --monitor [families]`: print events like `ip monitor` (and `tc
//! monitor` for qdiscs, classes and filters), or one JSON object per line
//! with `--json`. Runs until interrupted or its output is closed.

use std::io::Write;
use std::process::ExitCode;

use crate::engine::monitor::{Event, Family, Monitor, MonitorOpts};
use crate::show::event::{EventNames, event_json, event_text, label};
use crate::show::route::RtNames;

/// What the words after `--monitor` ask for.
#[derive(Debug, PartialEq)]
pub struct Request {
    /// Families to print.
    pub families: Vec<Family>,
    /// Put `[LINK]`-style labels before events (`all` or `label`, as ip does).
    pub label: bool,
    /// Print JSON lines.
    pub json: bool,
}

/// Read the words after `--monitor`: families (ip's words too), `all`,
/// `label`, and `--json` (clap leaves it among them when it comes last).
pub fn parse_words(words: &[String], json: bool) -> Result<Request, String> {
    let mut r = Request { families: Vec::new(), label: false, json };
    for w in words {
        match w.as_str() {
            "all" => {
                r.families = Family::ALL.to_vec();
                r.label = true;
            }
            "label" => r.label = true,
            "--json" => r.json = true,
            w => match Family::from_name(w) {
                Some(f) if !r.families.contains(&f) => r.families.push(f),
                Some(_) => {}
                None => {
                    let names: Vec<&str> = Family::ALL.iter().map(|f| f.name()).collect();
                    return Err(format!("--monitor: unknown family {w:?}; expected {}, all or label", names.join(", ")));
                }
            },
        }
    }
    if r.families.is_empty() {
        r.families = Family::ALL.to_vec();
    }
    Ok(r)
}

/// Run the monitor in the current namespace until interrupted.
pub fn run(words: &[String], json: bool) -> Result<ExitCode, String> {
    let req = parse_words(words, json)?;
    let mut mon = Monitor::open(&MonitorOpts::new(&req.families)).map_err(|e| e.to_string())?;
    let rt = RtNames::load();
    let mut out = std::io::stdout().lock();
    loop {
        let Some(ev) = mon.next(None).map_err(|e| e.to_string())? else { continue };
        let line = match &ev {
            Event::Overrun { .. } if req.json => "{\"action\":\"overrun\"}".to_string(),
            Event::Overrun { .. } => {
                // Where `ip monitor` says "netlink receive error No buffer space available".
                eprintln!("nlua: monitor overrun: the kernel dropped events (ENOBUFS); list again to resync");
                continue;
            }
            Event::Object { source, action, object, flags } => {
                let names = EventNames { links: mon.links(*source), handle: mon.handle(*source) };
                if req.json {
                    event_json(*action, object, &names, &rt).to_string_compact()
                } else {
                    let tag = if req.label { label(object.family()) } else { "" };
                    format!("{tag}{}", event_text(*action, object, *flags, &names, &rt))
                }
            }
        };
        // A closed pipe (`nlua --monitor | head`) ends the run quietly.
        if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
            return Ok(ExitCode::SUCCESS);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn words_choose_families_labels_and_json() {
        let r = parse_words(&words(&["link", "address", "neighbor", "--json"]), false).unwrap();
        assert_eq!(r, Request { families: vec![Family::Link, Family::Addr, Family::Neigh], label: false, json: true });
        let r = parse_words(&[], false).unwrap();
        assert_eq!((r.families.len(), r.label), (Family::ALL.len(), false));
        let r = parse_words(&words(&["all"]), false).unwrap();
        assert_eq!((r.families.len(), r.label), (Family::ALL.len(), true));
        let e = parse_words(&words(&["lnk"]), false).unwrap_err();
        assert!(e.starts_with("--monitor: unknown family \"lnk\""), "{e}");
    }
}
