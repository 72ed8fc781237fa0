//! The engine against the real kernel (each test in its own network namespace):
//! byte-exact round trips of what the kernel sends, unknown attributes, the
//! promiscuity counter, descriptor hygiene.

mod common;

use common::{in_netns, sh};
use nlua::engine::link::{RTM_GETLINK, RTM_NEWLINK};
use nlua::engine::message::{self, MsgBuilder, NLA_F_NESTED};
use nlua::engine::schema::{self, Value, link as S};
use nlua::engine::{Handle, LinkFilter};

const LAB: &str = "ip link add va type veth peer name vb && ip link add br0 type bridge && ip link set va master br0 \
    && ip link add vx0 type vxlan id 7 dstport 4789 dev vb local 10.0.0.1 && ip link add link vb name mv0 type macvlan mode private \
    && ip link add link vb name mvt0 type macvtap && ip tuntap add tap0 mode tap && ip tuntap add tun0 mode tun \
    && ip link add ifb0 type ifb && ip link set br0 up && ip link property add dev va altname veth-a-alt \
    && ip addr add 10.0.0.1/24 dev vb && ip addr add 2001:db8::1/64 dev vb nodad && ip link set vb alias hello";

fn raw_links(h: &Handle) -> Vec<Vec<u8>> {
    let mut m = MsgBuilder::new(RTM_GETLINK, 0);
    m.push(&[0u8; 16]);
    m.attr_u32(S::IFLA_EXT_MASK, 1);
    h.dump(m, &|| "dump".into(), |msg| Ok(if msg.ty == RTM_NEWLINK { Some(msg.payload.to_vec()) } else { None })).unwrap()
}

/// Every link message the kernel sends decodes and re-encodes to the same bytes.
#[test]
fn kernel_link_messages_round_trip_byte_exact() {
    in_netns(|| {
        sh(LAB);
        let h = Handle::new().unwrap();
        let msgs = raw_links(&h);
        assert!(msgs.len() >= 10, "{} links", msgs.len());
        for p in msgs {
            let attrs = schema::decode(&S::LINK, &p[16..]);
            assert_eq!(common::hex(&attrs.to_bytes()), common::hex(&p[16..]), "link {:?}", attrs.str(S::IFLA_IFNAME));
        }
    });
}

/// Address messages too.
#[test]
fn kernel_addr_messages_round_trip_byte_exact() {
    in_netns(|| {
        sh(LAB);
        let h = Handle::new().unwrap();
        let mut m = MsgBuilder::new(nlua::engine::addr::RTM_GETADDR, 0);
        m.push(&[0u8; 8]);
        let msgs = h.dump(m, &|| "dump".into(), |msg| Ok(Some(msg.payload.to_vec()))).unwrap();
        assert!(msgs.len() >= 4);
        for p in msgs {
            let attrs = schema::decode(&schema::addr::ADDR, &p[8..]);
            assert_eq!(common::hex(&attrs.to_bytes()), common::hex(&p[8..]));
        }
    });
}

/// Attributes the tables do not know — at the top level, nested, inside a
/// kind's data, with the NESTED flag — are kept as raw bytes and re-encode
/// exactly; known neighbours still decode.
#[test]
fn unknown_attributes_round_trip_byte_exact() {
    let mut buf = Vec::new();
    message::put_attr(&mut buf, S::IFLA_MTU, &1500u32.to_ne_bytes());
    message::put_attr(&mut buf, 250, &[1, 2, 3]); // unknown, odd length
    message::put_attr(&mut buf, 251 | NLA_F_NESTED, &{
        let mut inner = Vec::new();
        message::put_attr(&mut inner, 1, b"x");
        inner
    });
    let mut data = Vec::new();
    message::put_attr(&mut data, 1, &42u32.to_ne_bytes()); // vxlan id
    message::put_attr(&mut data, 199, &[9; 6]); // unknown vxlan attribute
    let mut info = Vec::new();
    message::put_attr(&mut info, S::IFLA_INFO_KIND, b"vxlan\0");
    message::put_attr(&mut info, S::IFLA_INFO_DATA, &data);
    message::put_attr(&mut info, 77, &[]); // unknown linkinfo attribute
    message::put_attr(&mut buf, S::IFLA_LINKINFO, &info);
    message::put_attr(&mut buf, S::IFLA_STATS64, &[7u8; 210]); // longer than our struct: tail kept

    let attrs = schema::decode(&S::LINK, &buf);
    assert_eq!(attrs.to_bytes(), buf);
    assert_eq!(attrs.uint(S::IFLA_MTU), Some(1500));
    assert_eq!(attrs.value(250), Some(&Value::Bytes(vec![1, 2, 3])));
    assert_eq!(attrs.get(251).unwrap().flags, NLA_F_NESTED);
    let data = attrs.nested(S::IFLA_LINKINFO).unwrap().nested(S::IFLA_INFO_DATA).unwrap();
    assert_eq!(data.uint(1), Some(42));
    assert_eq!(data.get(199).unwrap().name(), "attr199");
    // a kind the tables do not know keeps its data raw
    let mut info2 = Vec::new();
    message::put_attr(&mut info2, S::IFLA_INFO_KIND, b"frobnicator\0");
    message::put_attr(&mut info2, S::IFLA_INFO_DATA, &data_bytes());
    let mut buf2 = Vec::new();
    message::put_attr(&mut buf2, S::IFLA_LINKINFO, &info2);
    let a2 = schema::decode(&S::LINK, &buf2);
    assert!(matches!(a2.nested(S::IFLA_LINKINFO).unwrap().value(S::IFLA_INFO_DATA), Some(Value::Bytes(_))));
    assert_eq!(a2.to_bytes(), buf2);
}

fn data_bytes() -> Vec<u8> {
    let mut d = Vec::new();
    message::put_attr(&mut d, 3, &5u16.to_ne_bytes());
    d
}

/// A packet socket in promiscuous mode (what tcpdump opens) raises the kernel's
/// promiscuity counter while IFF_PROMISC stays clear; nlua reports the counter.
#[test]
fn promiscuity_counts_packet_sockets() {
    in_netns(|| {
        sh("ip link add pa type veth peer name pb");
        let h = Handle::new().unwrap();
        let l = h.link_get("pa").unwrap();
        assert_eq!(l.promiscuity, 0);
        let fd = unsafe { libc_packet_promisc(l.index) };
        let l2 = h.link_get("pa").unwrap();
        assert_eq!(l2.promiscuity, 1, "counter raised by the packet socket");
        assert_eq!(l2.flags & nlua::engine::link::IFF_PROMISC, 0, "IFF_PROMISC stays clear");
        let j = common::ip_json("-d link show dev pa");
        assert_eq!(j[0]["promiscuity"], 1);
        assert!(!j[0]["flags"].as_array().unwrap().iter().any(|f| f == "PROMISC"));
        // the Lua fields: the counter, and promisc = counter > 0
        let rt = nlua::Runtime::new().unwrap();
        let lua_view = "local l = link.get('pa') return l.promiscuity, l.promisc, l:json():match('\"promiscuity\":(%d+)')";
        let (n, p, js): (u32, bool, String) = rt.lua().load(lua_view).eval().unwrap();
        assert_eq!((n, p, js.as_str()), (1, true, "1"));
        // promisc=true on top (IFF_PROMISC) counts once more; off again leaves the socket's
        rt.lua().load("link.get('pa'):set{promisc = true}").exec().unwrap();
        assert_eq!(h.link_get("pa").unwrap().promiscuity, 2);
        assert!(common::ip_json("link show dev pa")[0]["flags"].as_array().unwrap().iter().any(|f| f == "PROMISC"));
        rt.lua().load("link.get('pa'):set{promisc = false}").exec().unwrap();
        let (n, p, _): (u32, bool, String) = rt.lua().load(lua_view).eval().unwrap();
        assert_eq!((n, p), (1, true), "the packet socket still counts");
        drop(fd);
        // The socket goes with the last copy of its descriptor: a child another
        // test thread is starting holds one until its exec, so wait (bounded)
        // for the release rather than race it.
        let mut left = h.link_get("pa").unwrap().promiscuity;
        for _ in 0..200 {
            if left == 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
            left = h.link_get("pa").unwrap().promiscuity;
        }
        assert_eq!(left, 0, "closing the packet socket drops its count");
        let (n, p, _): (u32, bool, String) = rt.lua().load(lua_view).eval().unwrap();
        assert_eq!((n, p), (0, false));
    });
}

/// Open an AF_PACKET socket and join PACKET_MR_PROMISC on `ifindex`.
unsafe fn libc_packet_promisc(ifindex: u32) -> std::os::fd::OwnedFd {
    use nix::libc;
    use std::os::fd::FromRawFd;
    // CLOEXEC: a command another test thread starts meanwhile must not inherit
    // the socket (it would keep the promiscuity counter raised after the drop).
    unsafe {
        let fd = libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC, (libc::ETH_P_ALL as u16).to_be() as i32);
        assert!(fd >= 0);
        let mreq = libc::packet_mreq { mr_ifindex: ifindex as i32, mr_type: libc::PACKET_MR_PROMISC as u16, mr_alen: 0, mr_address: [0; 8] };
        let r = libc::setsockopt(
            fd,
            libc::SOL_PACKET,
            libc::PACKET_ADD_MEMBERSHIP,
            &mreq as *const _ as *const libc::c_void,
            std::mem::size_of::<libc::packet_mreq>() as u32,
        );
        assert_eq!(r, 0);
        std::os::fd::OwnedFd::from_raw_fd(fd)
    }
}

#[test]
fn list_filters_by_kind_and_master_in_the_kernel() {
    in_netns(|| {
        sh(LAB);
        let h = Handle::new().unwrap();
        let br = h.link_get("br0").unwrap();
        let ports = h.link_list(&LinkFilter { master: Some(br.index), ..Default::default() }).unwrap();
        assert_eq!(ports.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), vec!["va"]);
        let vx = h.link_list(&LinkFilter { kind: Some("vxlan".into()), ..Default::default() }).unwrap();
        assert_eq!(vx.len(), 1);
        assert_eq!(vx[0].kind_data().unwrap().uint(1), Some(7));
        let up = h.link_list(&LinkFilter { up: Some(true), ..Default::default() }).unwrap();
        assert!(up.iter().all(|l| l.is_up()) && up.iter().any(|l| l.name == "br0"));
    });
}

/// A pipelined batch spanning several sendmsg chunks attributes each failure to
/// its own request (only chunk ends are acked; failures answer anyway).
#[test]
fn batch_attributes_errors_to_their_requests() {
    use nlua::engine::AddrSpec;
    use nlua::engine::schema::Opt;
    in_netns(|| {
        sh("ip link add ba type veth peer name bb");
        let h = Handle::new().unwrap();
        let idx = h.link_index("ba").unwrap();
        let spec = |n: u32| {
            let a = format!("10.{}.{}.1/32", n / 250, n % 250);
            AddrSpec::from_opts(&[("dev".into(), Opt::Int(idx as i64)), ("address".into(), Opt::Str(a))], &h).unwrap()
        };
        // 3000 requests (~190 KB: several chunks); every 7th repeats an earlier address
        let mut msgs = Vec::new();
        let mut expect_fail = Vec::new();
        for i in 0..3000u32 {
            let n = if i % 7 == 6 { i - 3 } else { i };
            expect_fail.push(i % 7 == 6);
            msgs.push((nlua::engine::addr::add_message(&spec(n)), format!("add #{i}")));
        }
        let results = h.batch(msgs);
        assert_eq!(results.len(), 3000);
        for (i, (r, fail)) in results.iter().zip(&expect_fail).enumerate() {
            match r {
                Ok(()) => assert!(!fail, "request {i} should have failed"),
                Err(e) => {
                    assert!(fail, "request {i} failed: {e}");
                    assert_eq!((e.code(), e.op.as_str()), ("EEXIST", format!("add #{i}").as_str()));
                }
            }
        }
        let n = h.addr_list(&nlua::engine::AddrFilter { index: Some(idx), family: 2, ..Default::default() }).unwrap().len();
        assert_eq!(n, expect_fail.iter().filter(|f| !**f).count());
    });
}

/// The tables know every attribute this kernel reports for the kinds it has:
/// nothing in a link message, its link info or a kind's data decodes as an
/// unknown `attrNN` or as an integer of the wrong width (either would still
/// round-trip, but read as bytes).
#[test]
fn tables_cover_what_the_kernel_reports() {
    use nlua::engine::schema::Attrs;
    fn unknown(path: &str, a: &Attrs, out: &mut Vec<String>) {
        use nlua::engine::schema::{Type, Value};
        for x in &a.0 {
            match (x.def, &x.value) {
                (None, _) => out.push(format!("{path}.attr{}", x.id)),
                // an integer the table sizes wrongly stays raw: report it too
                (Some(d), Value::Bytes(b)) if matches!(d.ty, Type::U8 | Type::U16 | Type::U32 | Type::U64 | Type::Bool | Type::I32) => {
                    out.push(format!("{path}.{} ({} bytes)", d.name, b.len()))
                }
                _ => {}
            }
        }
    }
    in_netns(|| {
        sh(LAB);
        sh("ip link set va type bridge_slave cost 5 && ip link add link vb name mvs type macvlan mode source");
        let h = Handle::new().unwrap();
        let mut missing = Vec::new();
        for l in h.link_list(&LinkFilter::default()).unwrap() {
            unknown(&l.name, &l.attrs, &mut missing);
            if let Some(li) = l.attrs.nested(S::IFLA_LINKINFO) {
                unknown(&format!("{}.linkinfo", l.name), li, &mut missing);
            }
            if let Some(d) = l.kind_data() {
                unknown(&format!("{}.data", l.name), d, &mut missing);
            }
            if let Some(d) = l.slave_data() {
                unknown(&format!("{}.slave", l.name), d, &mut missing);
            }
        }
        assert!(missing.is_empty(), "attributes the tables lack: {missing:?}");
    });
}
