//! `Handle::link_wait` and `Handle::addr_wait` against the real kernel, each
//! test in a namespace of its own. Ordering, not timing, is asserted: a wait
//! returns only once the state holds, and the change came from the other
//! thread after the wait had begun.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{in_netns, ip_json, sh};
use nix::libc;
use nlua::engine::wait::{LinkState, link_is_up};
use nlua::engine::{Handle, NsInfo};

/// Never reached when the code is right; keeps a broken build from hanging.
const SAFETY: Option<Duration> = Some(Duration::from_secs(20));

/// Run `cmd` in namespace `ns` on another thread after `started` is set; the
/// short sleep only makes it likely that the wait is already sleeping.
fn later(ns: &NsInfo, cmd: &'static str) -> (Arc<AtomicBool>, std::thread::JoinHandle<()>) {
    let started = Arc::new(AtomicBool::new(false));
    let (s, ns) = (started.clone(), ns.clone());
    let t = std::thread::spawn(move || {
        ns.setns_here().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        s.store(true, Ordering::SeqCst);
        sh(cmd);
    });
    (started, t)
}

/// The entry `ip -j -6 addr show dev DEV` gives for address `local`.
fn ip_addr(dev: &str, local: &str) -> serde_json::Value {
    let shown = ip_json(&format!("-6 addr show dev {dev}"));
    let info = common::by_ifname(&shown, dev)["addr_info"].as_array().expect("addr_info");
    info.iter().find(|x| x["local"] == local).unwrap_or_else(|| panic!("{local} not listed: {shown}")).clone()
}

#[test]
fn link_wait_returns_once_the_link_is_up() {
    in_netns(|| {
        let h = Handle::new().unwrap();
        sh("ip link add v0 type veth peer name v1; ip link set v1 up");
        assert!(!link_is_up(&h.link_get("v0").unwrap()));
        let (started, t) = later(h.ns(), "ip link set v0 up");
        let l = h.link_wait("v0", LinkState::Up, SAFETY).unwrap().expect("a link");
        assert!(started.load(Ordering::SeqCst), "returned before anyone brought v0 up");
        assert_eq!((l.name.as_str(), l.operstate_name()), ("v0", "UP"));
        assert!(l.is_up());
        t.join().unwrap();
        // ip agrees.
        assert_eq!(common::by_ifname(&ip_json("link show dev v0"), "v0")["operstate"], "UP");
    });
}

#[test]
fn link_wait_up_needs_the_carrier_too() {
    in_netns(|| {
        let h = Handle::new().unwrap();
        // v0 is administratively up but its peer is down: LOWERLAYERDOWN, not up.
        sh("ip link add v0 type veth peer name v1; ip link set v0 up");
        assert_eq!(h.link_get("v0").unwrap().operstate_name(), "LOWERLAYERDOWN");
        let (started, t) = later(h.ns(), "ip link set v1 up");
        let l = h.link_wait("v0", LinkState::Up, SAFETY).unwrap().unwrap();
        assert!(started.load(Ordering::SeqCst));
        assert_eq!(l.operstate_name(), "UP");
        t.join().unwrap();
        // lo reports no carrier state: UNKNOWN with IFF_UP counts as up.
        let lo = h.link_wait("lo", LinkState::Up, Some(Duration::ZERO)).unwrap().unwrap();
        assert_eq!(lo.operstate_name(), "UNKNOWN");
    });
}

#[test]
fn link_wait_present_and_gone() {
    in_netns(|| {
        let h = Handle::new().unwrap();
        let (started, t) = later(h.ns(), "ip link add w0 type veth peer name w1");
        let l = h.link_wait("w0", LinkState::Present, SAFETY).unwrap().unwrap();
        assert!(started.load(Ordering::SeqCst));
        assert_eq!(l.name, "w0");
        t.join().unwrap();
        // By index: the link that was there is the one waited for.
        let (started, t) = later(h.ns(), "ip link del w1");
        assert_eq!(h.link_wait(l.index, LinkState::Gone, SAFETY).unwrap(), None);
        assert!(started.load(Ordering::SeqCst));
        t.join().unwrap();
        assert!(h.link_get("w0").is_err());
        // A state that already holds returns at once, even with no time to wait,
        // and a timeout no clock can reach is no limit (not a panic).
        assert_eq!(h.link_wait("w0", LinkState::Gone, Some(Duration::ZERO)).unwrap(), None);
        assert_eq!(h.link_wait("w0", LinkState::Gone, Some(Duration::MAX)).unwrap(), None);
    });
}

#[test]
fn link_wait_times_out_with_etimedout() {
    in_netns(|| {
        let h = Handle::new().unwrap();
        let e = h.link_wait("nope", LinkState::Present, Some(Duration::from_millis(50))).unwrap_err();
        assert_eq!((e.errno, e.code()), (libc::ETIMEDOUT, "ETIMEDOUT"));
        assert_eq!(e.to_string(), "link wait nope present: timed out after 50ms (ETIMEDOUT)");
    });
}

#[test]
fn addr_wait_returns_once_dad_is_over() {
    in_netns(|| {
        let h = Handle::new().unwrap();
        sh("ip link add v0 type veth peer name v1; ip link set v1 up; ip link set v0 up
            ip addr add 2001:db8::1/64 dev v0");
        let idx = h.link_get("v0").unwrap().index;
        let a = h.addr_wait(idx, "2001:db8::1".parse().unwrap(), Some(64), SAFETY).unwrap();
        assert!(!a.is_tentative(), "{:?}", a.flag_names());
        // ip agrees: the address is there and not tentative.
        let entry = ip_addr("v0", "2001:db8::1");
        assert_eq!(entry.get("tentative"), None, "{entry}");
        // IPv4 has no DAD: present is enough.
        sh("ip addr add 10.0.0.1/24 dev v0");
        let a = h.addr_wait(idx, "10.0.0.1".parse().unwrap(), None, SAFETY).unwrap();
        assert_eq!(a.prefix(), "10.0.0.1/24");
    });
}

#[test]
fn addr_wait_sees_an_address_added_while_it_waits() {
    in_netns(|| {
        let h = Handle::new().unwrap();
        sh("ip link add v0 type veth peer name v1; ip link set v1 up; ip link set v0 up");
        let idx = h.link_get("v0").unwrap().index;
        let (started, t) = later(h.ns(), "ip addr add 2001:db8::7/64 dev v0");
        let a = h.addr_wait(idx, "2001:db8::7".parse().unwrap(), None, SAFETY).unwrap();
        assert!(started.load(Ordering::SeqCst));
        assert!(!a.is_tentative());
        t.join().unwrap();
    });
}

#[test]
fn addr_wait_reports_a_duplicate_address() {
    in_netns(|| {
        let h = Handle::new().unwrap();
        // The peer, in another namespace, already has the address.
        let peer = common::fresh_ns();
        sh("ip link add v0 type veth peer name v1");
        let ph = Handle::new_in(&peer).unwrap();
        let v1 = h.link_get("v1").unwrap();
        let change = nlua::engine::LinkChange { netns: Some(nlua::engine::NetnsTarget::Ns(peer.clone())), ..Default::default() };
        h.link_set(&v1, &change).unwrap();
        let v1 = ph.link_get("v1").unwrap();
        ph.link_set(&v1, &nlua::engine::LinkChange { up: Some(true), ..Default::default() }).unwrap();
        let o = vec![
            ("dev".to_string(), nlua::engine::Opt::Int(v1.index as i64)),
            ("address".to_string(), nlua::engine::Opt::Str("2001:db8::5/64".into())),
            ("nodad".to_string(), nlua::engine::Opt::Bool(true)),
        ];
        ph.addr_add(&nlua::engine::AddrSpec::from_opts(&o, &ph).unwrap(), "v1").unwrap();
        sh("ip link set v0 up; ip addr add 2001:db8::5/64 dev v0");
        let idx = h.link_get("v0").unwrap().index;
        let e = h.addr_wait(idx, "2001:db8::5".parse().unwrap(), None, SAFETY).unwrap_err();
        assert_eq!(e.code(), "EADDRNOTAVAIL", "{e}");
        assert!(e.to_string().contains("duplicate address detection failed"), "{e}");
        // ip agrees.
        let entry = ip_addr("v0", "2001:db8::5");
        assert_eq!(entry["dadfailed"], true, "{entry}");
    });
}

#[test]
fn addr_wait_fails_when_the_link_goes_away() {
    in_netns(|| {
        let h = Handle::new().unwrap();
        sh("ip link add v0 type veth peer name v1");
        let idx = h.link_get("v0").unwrap().index;
        let (started, t) = later(h.ns(), "ip link del v0");
        let e = h.addr_wait(idx, "10.9.9.9".parse().unwrap(), None, SAFETY).unwrap_err();
        assert!(started.load(Ordering::SeqCst));
        assert_eq!(e.to_string(), format!("addr wait 10.9.9.9 dev {idx}: the link went away (ENODEV)"));
        t.join().unwrap();
    });
}
