//! Replaying a journal backwards. Newest first, idempotent (what is already
//! gone is fine) and fast: namespaces the run created are deleted whole — what
//! was made inside them is not undone one by one — and links in surviving
//! namespaces go in one group deletion instead of ~23 ms each.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::rc::Rc;
use std::time::{Duration, Instant};

use nix::libc;

use super::pending;
use super::record::{LinkKey, LinkOld, NsKey, Record};
use crate::engine::message::MsgBuilder;
use crate::engine::schema::Opt;
use crate::engine::{AddrSpec, Error, Handle, LinkChange, LinkSpec, NetnsTarget, NsInfo};
use crate::show::Json;

/// What a replay did.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    /// Changes undone one by one (each printed).
    pub undone: usize,
    /// Changes that went with a namespace or were already gone.
    pub skipped: usize,
    /// Changes that could not be undone (printed).
    pub failed: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} undone, {} gone with their namespace or already gone", self.undone, self.skipped)?;
        if self.failed > 0 {
            write!(f, ", {} could not be undone", self.failed)?;
        }
        Ok(())
    }
}

/// Errors that mean "already undone": the object is not there (any more).
fn gone(e: &Error) -> bool {
    e.is_not_found()
        || matches!(e.errno, libc::EEXIST | libc::ENETUNREACH)
        // A qdisc of another kind sits there now (a namespace move resets
        // qdiscs, or something replaced it): ours is gone.
        || (e.errno == libc::EINVAL && e.message.contains("must match existing qdisc"))
}

struct Ctx<'a> {
    initial: (u64, u64),
    doomed: HashSet<String>,
    handles: HashMap<NsKey, Rc<Handle>>,
    /// Device names for printing request records, looked up once each.
    names: std::cell::RefCell<HashMap<(NsKey, u32), String>>,
    out: &'a mut dyn Write,
    summary: Summary,
}

impl Ctx<'_> {
    /// The name of device `index` in `ns` (through `h`), for printing.
    fn dev_name(&self, h: &Handle, ns: &NsKey, index: u32) -> String {
        self.names
            .borrow_mut()
            .entry((ns.clone(), index))
            .or_insert_with(|| h.link_get(index).map(|l| l.name).unwrap_or_else(|_| format!("if{index}")))
            .clone()
    }

    fn say(&mut self, line: &str) {
        let _ = writeln!(self.out, "undo: {line}");
    }

    /// A change that could not be undone: said and counted, and the replay
    /// goes on (one that always fails must not keep the rest from undoing).
    fn cannot(&mut self, what: &str, e: &str) {
        self.say(&format!("{what}: {e}"));
        self.summary.failed += 1;
    }

    fn doomed(&self, ns: &NsKey) -> bool {
        match ns {
            NsKey::Name(n) => self.doomed.contains(n),
            // Anonymous namespaces die with the run.
            NsKey::Temp { .. } => true,
            _ => false,
        }
    }

    fn ns_info(&self, key: &NsKey) -> Result<Option<NsInfo>, String> {
        match key {
            NsKey::Initial => {
                let ns = NsInfo::current().map_err(|e| e.to_string())?;
                if (ns.dev, ns.inode) != self.initial {
                    return Err(format!("this is not the network namespace the journal was made in (inode {})", self.initial.1));
                }
                Ok(Some(ns))
            }
            NsKey::Name(n) => Ok(crate::netns::open(n).ok()),
            NsKey::Path { path, inode } => Ok(NsInfo::open_path(path, None).ok().filter(|ns| ns.inode == *inode)),
            NsKey::Temp { .. } => Ok(None),
        }
    }

    /// A handle in `key`'s namespace, or None when the namespace is gone.
    fn handle(&mut self, key: &NsKey) -> Result<Option<Rc<Handle>>, String> {
        if let Some(h) = self.handles.get(key) {
            return Ok(Some(h.clone()));
        }
        let Some(ns) = self.ns_info(key)? else { return Ok(None) };
        let h = Rc::new(if *key == NsKey::Initial { Handle::new() } else { Handle::new_in(&ns) }.map_err(|e| e.to_string())?);
        self.handles.insert(key.clone(), h.clone());
        Ok(Some(h))
    }
}

/// Undo `records` (as stored: oldest first), newest first. `mark(seq)` is
/// called for each record done with, so a crash mid-way never undoes twice.
pub fn replay(records: &[(u64, Record)], initial: (u64, u64), out: &mut dyn Write, mark: &mut dyn FnMut(u64)) -> Result<Summary, String> {
    let recs = pending(records);
    let doomed = recs.iter().filter_map(|(_, r)| if let Record::NetnsAdd { name } = r { Some(name.clone()) } else { None }).collect();
    let mut cx = Ctx { initial, doomed, handles: HashMap::new(), names: Default::default(), out, summary: Summary::default() };
    // Links this run made with an end in a namespace about to go: the pair
    // dies with it, and so does everything on either end.
    let mut dying: HashSet<(NsKey, u32)> = HashSet::new();
    for (_, r) in &recs {
        if let Record::LinkAdd { link, peer: Some(peer), .. } = r
            && (cx.doomed(&link.ns) || cx.doomed(&peer.ns))
        {
            dying.insert((link.ns.clone(), link.index));
            dying.insert((peer.ns.clone(), peer.index));
        }
    }

    // Processes first: they hold namespaces open, and nothing should run on
    // while the network under it is taken away.
    let procs: Vec<(u64, u32, u64, String)> =
        recs.iter().filter_map(|(s, r)| if let Record::Process { pid, start, cmd } = r { Some((*s, *pid, *start, cmd.clone())) } else { None }).collect();
    stop_processes(&mut cx, &procs);
    for (s, ..) in &procs {
        mark(*s);
    }

    let mut link_dels: Vec<(u64, LinkKey)> = Vec::new();
    let mut wait_gone: Vec<LinkKey> = Vec::new();
    for (seq, r) in recs.iter().rev() {
        match r {
            Record::Process { .. } | Record::Undone { .. } => continue,
            Record::NetnsAdd { name } => {
                // Let go of our own handle there, or it would keep the namespace alive.
                cx.handles.remove(&NsKey::Name(name.clone()));
                match crate::netns::del(name) {
                    Ok(()) => {
                        cx.say(&format!("ip netns del {name}"));
                        cx.summary.undone += 1;
                    }
                    Err(e) if e.errno == libc::ENOENT => cx.summary.skipped += 1,
                    Err(e) => {
                        cx.say(&format!("ip netns del {name}: {e}"));
                        cx.summary.failed += 1;
                    }
                }
            }
            Record::LinkAdd { link, peer, .. } => {
                let peer_doomed = peer.as_ref().is_some_and(|p| cx.doomed(&p.ns));
                if cx.doomed(&link.ns) {
                    cx.summary.skipped += 1;
                    continue; // not marked: a later --down skips it the same way
                } else if peer_doomed {
                    // The pair dies with the peer's namespace.
                    wait_gone.push(link.clone());
                    cx.summary.skipped += 1;
                    continue;
                } else {
                    link_dels.push((*seq, link.clone()));
                    continue; // marked when the group deletion has run
                }
            }
            Record::Msg { ns, ty, flags, payload, .. } => {
                // Nothing is sent, or marked, for what goes with a namespace:
                // an interrupted --down skips it again the same way.
                if cx.doomed(ns) || r.msg_dev().is_some_and(|i| dying.contains(&(ns.clone(), i))) {
                    cx.summary.skipped += 1;
                    continue;
                } else {
                    match cx.handle(ns)? {
                        None => cx.summary.skipped += 1,
                        Some(h) => {
                            // The text is derived (devices named) only when printed.
                            let result = h.request(MsgBuilder::from_parts(*ty, *flags, payload), &String::new);
                            let text = |cx: &mut Ctx<'_>| r.msg_text(&|i| cx.dev_name(&h, ns, i)).unwrap_or_default();
                            match result {
                                Ok(()) => {
                                    let t = text(&mut cx);
                                    cx.say(&t);
                                    cx.summary.undone += 1;
                                }
                                Err(e) if gone(&e) => cx.summary.skipped += 1,
                                Err(e) => {
                                    let t = text(&mut cx);
                                    cx.cannot(&t, &format!("{} ({})", e.message, e.code()));
                                }
                            }
                        }
                    }
                }
            }
            Record::LinkRestore { now, old } => {
                // Restored even inside a doomed namespace when the link came
                // from elsewhere: it must be moved out before the namespace goes.
                if cx.doomed(&now.ns) && old.netns.is_none() {
                    cx.summary.skipped += 1;
                } else if let Err(e) = restore_link(&mut cx, now, old) {
                    cx.cannot(&format!("restore {}", now.name), &e);
                }
            }
            Record::LinkRecreate { ns, opts, addrs, text } => {
                if cx.doomed(ns) {
                    cx.summary.skipped += 1;
                } else if let Err(e) = recreate_link(&mut cx, ns, opts, addrs, text) {
                    cx.cannot(text, &e);
                }
            }
            Record::Note { text } => cx.say(&format!("cannot undo: {text}")),
            Record::Defer => {}
        }
        mark(*seq);
    }

    // Links in surviving namespaces: one group deletion per namespace.
    let mut by_ns: Vec<(NsKey, Vec<(u64, LinkKey)>)> = Vec::new();
    for (seq, l) in link_dels {
        match by_ns.iter_mut().find(|(k, _)| *k == l.ns) {
            Some((_, v)) => v.push((seq, l)),
            None => by_ns.push((l.ns.clone(), vec![(seq, l)])),
        }
    }
    for (ns, links) in by_ns {
        if let Err(e) = delete_links(&mut cx, &ns, &links) {
            cx.cannot(&format!("ip {}link del", ns.ip_prefix()), &e);
        }
        for (seq, _) in &links {
            mark(*seq);
        }
    }

    // Namespace teardown is asynchronous in the kernel: wait (briefly) until
    // the ends of pairs whose peers were in deleted namespaces are gone.
    // One dump per look, for all of them.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut by_ns: Vec<(NsKey, Vec<LinkKey>)> = Vec::new();
    for l in wait_gone {
        match by_ns.iter_mut().find(|(k, _)| *k == l.ns) {
            Some((_, v)) => v.push(l),
            None => by_ns.push((l.ns.clone(), vec![l])),
        }
    }
    for (ns, links) in by_ns {
        let Some(h) = cx.handle(&ns)? else { continue };
        while Instant::now() < deadline {
            let Ok(now) = h.link_list(&Default::default()) else { break };
            if !links.iter().any(|l| now.iter().any(|x| x.index == l.index && x.name == l.name)) {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    Ok(cx.summary)
}

fn stop_processes(cx: &mut Ctx<'_>, procs: &[(u64, u32, u64, String)]) {
    let alive = |pid: u32, start: u64| {
        crate::process::start_time(pid) == Some(start) && !crate::process::is_dead(pid)
    };
    let reap = |pid: u32| {
        // Ours (during rollback): reap it so no zombie is left.
        let _ = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(pid as i32), Some(nix::sys::wait::WaitPidFlag::WNOHANG));
    };
    let mut pending = Vec::new();
    for (_, pid, start, cmd) in procs {
        // A reused pid has another start time: never killed.
        if alive(*pid, *start) && nix::sys::signal::kill(nix::unistd::Pid::from_raw(*pid as i32), nix::sys::signal::Signal::SIGTERM).is_ok() {
            cx.say(&format!("kill {pid} ({cmd})"));
            cx.summary.undone += 1;
            pending.push((*pid, *start));
        } else {
            cx.summary.skipped += 1;
        }
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    while !pending.is_empty() && Instant::now() < deadline {
        for (pid, _) in &pending {
            reap(*pid);
        }
        pending.retain(|(p, s)| alive(*p, *s));
        std::thread::sleep(Duration::from_millis(5));
    }
    for (pid, start) in pending {
        if alive(pid, start) {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), nix::sys::signal::Signal::SIGKILL);
            cx.say(&format!("kill -KILL {pid}"));
        }
        std::thread::sleep(Duration::from_millis(5));
        reap(pid);
    }
}

/// Delete links (name and index checked) with one group deletion.
fn delete_links(cx: &mut Ctx<'_>, ns: &NsKey, links: &[(u64, LinkKey)]) -> Result<(), String> {
    let Some(h) = cx.handle(ns)? else {
        cx.summary.skipped += links.len();
        return Ok(());
    };
    let present = h.link_list(&Default::default()).map_err(|e| e.to_string())?;
    let targets: Vec<&LinkKey> = links.iter().map(|(_, l)| l).filter(|l| present.iter().any(|p| p.index == l.index && p.name == l.name)).collect();
    cx.summary.skipped += links.len() - targets.len();
    if targets.is_empty() {
        return Ok(());
    }
    let words = |l: &LinkKey| format!("ip {}link del dev {}", ns.ip_prefix(), l.name);
    if targets.len() == 1 {
        let l = targets[0];
        match h.link_del_index(l.index, &l.name) {
            Ok(()) => {
                cx.say(&words(l));
                cx.summary.undone += 1;
            }
            Err(e) if gone(&e) => cx.summary.skipped += 1,
            Err(e) => return Err(e.to_string()),
        }
        return Ok(());
    }
    // A group no link uses; the links go in one kernel batch.
    let used: HashSet<u32> = present.iter().map(|l| l.group).collect();
    let mut group = 0x6e6c_0000 | (std::process::id() & 0xffff);
    while used.contains(&group) {
        group = group.wrapping_add(1).max(1);
    }
    let indexes: Vec<u32> = targets.iter().map(|l| l.index).collect();
    for r in h.link_group_set(&indexes, group) {
        if let Err(e) = r
            && !gone(&e) {
                return Err(e.to_string());
            }
    }
    h.link_del_group(group).map_err(|e| e.to_string())?;
    for l in targets {
        cx.say(&words(l));
        cx.summary.undone += 1;
    }
    Ok(())
}

fn restore_link(cx: &mut Ctx<'_>, now: &LinkKey, old: &LinkOld) -> Result<(), String> {
    let Some(mut h) = cx.handle(&now.ns)? else {
        cx.summary.skipped += 1;
        return Ok(());
    };
    let found = h.link_get(now.index).ok().filter(|l| l.name == now.name).or_else(|| h.link_get(now.name.as_str()).ok());
    let Some(mut link) = found else {
        cx.summary.skipped += 1;
        return Ok(());
    };
    let mut words = Vec::new();
    if let Some(orig) = old.netns.as_ref().filter(|o| **o != now.ns) {
        let Some(info) = cx.ns_info(orig)? else {
            cx.say(&format!("cannot move {} back: its namespace is gone", now.name));
            cx.summary.failed += 1;
            return Ok(());
        };
        // Ask for its old ifindex back; if another link took it meanwhile, any.
        let mut c = LinkChange { netns: Some(NetnsTarget::Ns(info)), name: old.name.clone(), netns_index: old.index, ..Default::default() };
        if let Err(e) = h.link_set(&link, &c) {
            if c.netns_index.is_none() || e.errno != libc::EBUSY {
                return Err(e.to_string());
            }
            c.netns_index = None;
            h.link_set(&link, &c).map_err(|e| e.to_string())?;
        }
        let name = old.name.clone().unwrap_or_else(|| link.name.clone());
        words.push(format!("ip {}link set dev {} netns {}", now.ns.ip_prefix(), link.name, orig.netns_word()));
        h = cx.handle(orig)?.ok_or("the namespace to move back to is gone")?;
        link = h.link_get(name.as_str()).map_err(|e| e.to_string())?;
    }
    let mut c = LinkChange {
        mtu: old.mtu,
        mac: old.mac.as_deref().and_then(|m| crate::units::parse_mac(m).ok()),
        txqlen: old.txqlen,
        alias: old.alias.clone(),
        promisc: old.promisc,
        allmulticast: old.allmulticast,
        arp: old.arp,
        group: old.group,
        up: old.up,
        ..Default::default()
    };
    if old.netns.is_none() {
        c.name = old.name.clone().filter(|n| *n != link.name);
    }
    c.master = match &old.master {
        None => None,
        Some(None) => Some(None),
        Some(Some(m)) => Some(h.link_index(m).ok()),
    };
    if !c.is_empty() {
        h.link_set(&link, &c).map_err(|e| e.to_string())?;
        let prefix = old.netns.as_ref().unwrap_or(&now.ns).ip_prefix();
        words.push(format!("ip {prefix}{}", super::trace::link_set_words(&h, &link.name, link.kind.as_deref(), &c, cx.initial)));
    }
    for a in &old.addrs {
        let spec = AddrSpec::from_opts(&[("dev".into(), Opt::Int(link.index as i64)), ("address".into(), Opt::Str(a.clone()))], &*h);
        if let Ok(s) = spec {
            match h.addr_add(&s, &link.name) {
                Ok(()) => words.push(format!("ip addr add {a} dev {}", link.name)),
                Err(e) if e.errno == libc::EEXIST => {}
                Err(e) => return Err(e.to_string()),
            }
        }
    }
    for w in words {
        cx.say(&w);
    }
    cx.summary.undone += 1;
    Ok(())
}

/// JSON (from a record) back into an option tree.
fn json_to_opt(j: &Json) -> Opt {
    match j {
        Json::Null => Opt::Bool(false),
        Json::Bool(b) => Opt::Bool(*b),
        Json::Int(i) => Opt::Int(*i),
        Json::UInt(u) => Opt::Int(*u as i64),
        Json::Num(n) => Opt::Num(*n),
        Json::Str(s) | Json::Raw(s) => Opt::Str(s.clone()),
        Json::Arr(a) => Opt::List(a.iter().map(json_to_opt).collect()),
        Json::Obj(m) => Opt::Map(m.iter().map(|(k, v)| (k.clone(), json_to_opt(v))).collect()),
    }
}

/// Options `link.add` takes for any kind; the rest of a recreate record are
/// the kind's own.
const BASE_OPTS: &[&str] = &["name", "kind", "index", "mtu", "mac", "txqlen", "alias", "master", "up", "peer"];

fn recreate_link(cx: &mut Ctx<'_>, ns: &NsKey, opts: &Json, addrs: &[String], text: &str) -> Result<(), String> {
    let Some(h) = cx.handle(ns)? else {
        cx.summary.skipped += 1;
        return Ok(());
    };
    let Opt::Map(map) = json_to_opt(opts) else { return Err("bad recreate record".into()) };
    // Create it with the common fields only, then set just the kind options
    // that differ from what a new link of that kind has: a dump also holds
    // options this kernel reports but refuses to set (vlan_filtering without
    // bridge VLAN support, say), at their defaults.
    let (base, kind_opts): (Vec<_>, Vec<_>) = map.into_iter().partition(|(k, _)| BASE_OPTS.contains(&k.as_str()));
    let up = base.iter().any(|(k, v)| k == "up" && *v == Opt::Bool(true));
    let base: Vec<(String, Opt)> = base.into_iter().filter(|(k, _)| k != "up").collect();
    let spec = LinkSpec::from_opts(&base, &*h).map_err(|e| format!("{text}: {e}"))?;
    match h.link_add(&spec) {
        Ok(()) => {}
        Err(e) if e.errno == libc::EEXIST => {
            cx.summary.skipped += 1;
            return Ok(());
        }
        Err(e) => {
            cx.say(&format!("{text}: {e}"));
            cx.summary.failed += 1;
            return Ok(());
        }
    }
    cx.say(text);
    let name = spec.name.clone().unwrap_or_default();
    let link = h.link_get(name.as_str()).map_err(|e| e.to_string())?;
    let now = match link.kind_data().map(|d| d.to_opt()) {
        Some(Opt::Map(m)) => m,
        _ => Vec::new(),
    };
    let differs: Vec<(String, Opt)> = kind_opts.into_iter().filter(|(k, v)| now.iter().find(|(n, _)| n == k).map(|(_, x)| x) != Some(v)).collect();
    let kind = link.kind.clone();
    let set_all = |opts: &[(String, Opt)]| -> Result<(), String> {
        let c = LinkChange::from_opts(opts, kind.as_deref(), &*h).map_err(|e| e.to_string())?;
        h.link_set(&link, &c).map_err(|e| e.to_string())
    };
    if !differs.is_empty() && set_all(&differs).is_err() {
        for o in &differs {
            if let Err(e) = set_all(std::slice::from_ref(o)) {
                cx.say(&format!("cannot restore {} option {} of {name}: {e}", kind.as_deref().unwrap_or("link"), o.0));
            }
        }
    }
    if up {
        h.link_set(&link, &LinkChange { up: Some(true), ..Default::default() }).map_err(|e| e.to_string())?;
    }
    for a in addrs {
        if let Ok(s) = AddrSpec::from_opts(&[("dev".into(), Opt::Int(link.index as i64)), ("address".into(), Opt::Str(a.clone()))], &*h)
            && h.addr_add(&s, &name).is_ok() {
                cx.say(&format!("ip {}addr add {a} dev {name}", ns.ip_prefix()));
            }
    }
    cx.summary.undone += 1;
    Ok(())
}
