//! The socket and the exchanges under every operation, against the real kernel:
//! a message bigger than the first receive buffer arrives whole (MSG_TRUNC peek
//! and grow), strict checking and extended acks are on (the kernel's own words
//! come back in the error), and a dump that keeps being interrupted gives up
//! after a bounded number of restarts with EINTR.

mod common;

use std::cell::Cell;

use common::{in_netns, ip_batch, sh};
use nlua::engine::Handle;
use nlua::engine::addr::RTM_GETADDR;
use nlua::engine::handle::DUMP_RETRIES;
use nlua::engine::link::RTM_GETLINK;
use nlua::engine::message::MsgBuilder;

/// 400 alternative names of 124 characters: one RTM_NEWLINK of ~55 KB, larger
/// than the 32 KB the handle's receive buffer starts with (and than a page,
/// and than the kernel's default dump chunk).
fn link_with_huge_message() -> Vec<String> {
    let names: Vec<String> = (0..400).map(|i| format!("n{i:03}{}", "x".repeat(120))).collect();
    let batch: String = names.iter().map(|n| format!("link property add dev big0 altname {n}\n")).collect();
    sh("ip link add big0 type veth peer name big1");
    ip_batch(&batch);
    names
}

#[test]
fn messages_larger_than_the_receive_buffer_arrive_whole() {
    in_netns(|| {
        let names = link_with_huge_message();
        let size = sh("ip -d link show dev big0").len();
        assert!(size > 50_000, "the link message is big ({size} bytes of text)");
        let h = Handle::new().unwrap();
        // a single object (request_reply) and a dump, both through a fresh handle
        let one = h.link_get("big0").unwrap();
        assert_eq!(one.altnames, names, "every altname of the unicast reply");
        let all = h.link_list(&Default::default()).unwrap();
        let big = all.iter().find(|l| l.name == "big0").expect("big0 in the dump");
        assert_eq!(big.altnames, names, "every altname in the dump");
        assert!(all.iter().any(|l| l.name == "big1") && all.iter().any(|l| l.name == "lo"), "the rest of the dump too");
        // and through Lua, compared with ip
        let rt = nlua::Runtime::new().unwrap();
        let n: i64 = rt.lua().load("return #link.get('big0').altnames").eval().unwrap();
        assert_eq!(n, 400);
        let j = common::ip_json("-d link show dev big0");
        let theirs: Vec<&str> = j[0]["altnames"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(theirs, names.iter().map(String::as_str).collect::<Vec<_>>());
    });
}

/// With NETLINK_GET_STRICT_CHK the kernel refuses a link dump filtered by
/// index (without it the filter is silently ignored), and with NETLINK_EXT_ACK
/// it says why; the error keeps errno, code and that text.
#[test]
fn strict_checking_and_extended_acks_are_on() {
    in_netns(|| {
        let h = Handle::new().unwrap();
        let mut m = MsgBuilder::new(RTM_GETLINK, 0);
        let mut ifi = [0u8; 16];
        ifi[4..8].copy_from_slice(&1i32.to_ne_bytes());
        m.push(&ifi);
        let e = h.dump(m, &|| "link show (dump by index)".into(), |_| Ok(Some(()))).unwrap_err();
        assert_eq!((e.errno, e.code()), (22, "EINVAL"));
        assert_eq!(e.message, "Filter by device index not supported for link dumps");
        assert_eq!(e.op, "link show (dump by index)");
        assert_eq!(e.to_string(), "link show (dump by index): Filter by device index not supported for link dumps (EINVAL)");
    });
}

/// A dump that is interrupted on every attempt is restarted DUMP_RETRIES times,
/// then fails with EINTR instead of looping forever or returning a torn list.
#[test]
fn endlessly_interrupted_dump_gives_up_with_eintr() {
    in_netns(|| {
        let batch: String = (0..3000).map(|i| format!("addr add 10.200.{}.{}/32 dev lo\n", i >> 8, i & 255)).collect();
        ip_batch(&batch);
        let h = Handle::new().unwrap();
        let mut m = MsgBuilder::new(RTM_GETADDR, 0);
        m.push(&[2, 0, 0, 0, 0, 0, 0, 0]);
        let before = h.dump_restarts();
        // `dump` counts each restart: a new count means a new attempt
        let attempt = Cell::new(u64::MAX);
        let attempts = Cell::new(0u32);
        let e = h
            .dump(m, &|| "addr show".into(), |_| {
                let r = h.dump_restarts();
                if attempt.replace(r) != r {
                    // the first message of an attempt: change the table under it
                    attempts.set(attempts.get() + 1);
                    sh(&format!("ip addr add 10.201.0.{}/32 dev lo", attempts.get()));
                }
                Ok(Some(()))
            })
            .map(|v| v.len());
        assert_eq!(attempts.get() as usize, DUMP_RETRIES + 1, "one first try and DUMP_RETRIES restarts");
        match e {
            Err(e) => {
                assert_eq!((e.errno, e.code(), e.op.as_str()), (4, "EINTR", "addr show"));
                assert_eq!(e.message, format!("dump kept changing; gave up after {DUMP_RETRIES} retries"));
                assert_eq!(h.dump_restarts() - before, DUMP_RETRIES as u64 + 1);
            }
            Ok(n) => panic!("the dump returned {n} addresses although every attempt was interrupted"),
        }
    });
}
