//! The fast paths of issue 11 give the answers of the slow ones: routes
//! listed from their raw messages pass the same filters as decoded ones; a
//! long pipelined list of additions (sent by a second thread) reports each
//! failure at its place and journals exactly what succeeded; link.add's echo
//! and lazily read Link objects show what `ip` shows; the journal's request
//! records, written without their text, print it when undone, and version 1
//! journals still read. All against the real kernel, in namespaces of their
//! own.

mod common;

use common::{in_netns, sh};
use nlua::engine::route::RouteFilter;
use nlua::engine::route::{DstMatch, RouteVerb};
use nlua::engine::schema::Opt;
use nlua::engine::{Handle, RouteSpec};

fn world(body: &str) -> std::process::Output {
    common::world_sh(&format!("set -u\nip link set lo up\nmkdir -p /run/tmp\nN=$NLUA\n{body}")).output().expect("run sh")
}

fn both(o: &std::process::Output) -> String {
    format!("stdout:\n{}\nstderr:\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Routes of many shapes; every filter gives the same routes whether it
/// looks at decoded routes or at the raw messages.
#[test]
fn raw_route_listing_filters_like_the_decoded_one() {
    in_netns(|| {
        sh("ip link add a0 type veth peer name a1; ip link set a0 up; ip link set a1 up
            ip addr add 10.0.0.1/24 dev a0; ip addr add 10.0.1.1/24 dev a1; ip -6 addr add 2001:db8::1/64 dev a0 nodad
            ip route add 10.1.0.0/16 via 10.0.0.2 metric 7
            ip route add 10.2.0.0/16 dev a1 table 100 proto static
            ip route add 10.3.0.0/16 nexthop via 10.0.0.2 dev a0 nexthop via 10.0.1.2 dev a1
            ip route add blackhole 10.4.0.0/16 table 100
            ip route add 10.5.0.0/24 dev a0 metric 3 table 1000
            ip -6 route add 2001:db8:1::/48 via 2001:db8::2 metric 9
            ip route add 10.1.2.0/24 via 10.0.1.2
            ip route add default via 10.0.0.2 metric 50");
        let h = Handle::new().unwrap();
        let filters = vec![
            RouteFilter::default(),
            RouteFilter { table: Some(254), ..Default::default() },
            RouteFilter { table: Some(100), ..Default::default() },
            RouteFilter { table: Some(1000), family: 2, ..Default::default() },
            RouteFilter { oif: Some(2), ..Default::default() },
            RouteFilter { oif: Some(3), ..Default::default() },
            RouteFilter { gateway: Some("10.0.0.2".parse().unwrap()), ..Default::default() },
            RouteFilter { gateway: Some("10.0.1.2".parse().unwrap()), ..Default::default() },
            RouteFilter { metric: Some(7), ..Default::default() },
            RouteFilter { protocol: Some(4), ..Default::default() },
            RouteFilter { rtype: Some(6), table: Some(100), ..Default::default() },
            RouteFilter { scope: Some(253), ..Default::default() },
            RouteFilter { family: 10, ..Default::default() },
            RouteFilter { dst: Some(DstMatch::Root("10.1.0.0/16".parse().unwrap())), ..Default::default() },
            RouteFilter { dst: Some(DstMatch::Match("10.1.2.3/32".parse().unwrap())), ..Default::default() },
            RouteFilter { dst: Some(DstMatch::Exact("10.3.0.0/16".parse().unwrap())), ..Default::default() },
            RouteFilter { dst: Some(DstMatch::Default), ..Default::default() },
        ];
        for f in filters {
            let decoded = h.route_list(&f).unwrap();
            let raw: Vec<_> = { let m = h.route_list_msgs(&f).unwrap(); (0..m.len()).map(|i| m.decode(i)).collect() };
            assert!(!decoded.is_empty(), "{f:?} selects something");
            assert_eq!(raw, decoded, "{f:?}");
            // A deletion made from the bytes is the one made from the decoded route.
            let m = h.route_list_msgs(&f).unwrap();
            for (i, r) in decoded.iter().enumerate() {
                assert_eq!(m.delete_message(i).finish(1), r.delete_message().finish(1), "{f:?} route {i}");
            }
        }
    });
}

fn host_route(h: &Handle, i: usize) -> RouteSpec {
    let o = vec![
        ("dst".to_string(), Opt::Str(format!("10.{}.{}.{}/32", 100 + i / 65536, (i / 256) % 256, i % 256))),
        ("dev".to_string(), Opt::Str("b0".into())),
        ("table".to_string(), Opt::Int(100)),
    ];
    RouteSpec::from_opts(&o, h).unwrap()
}

/// 10,000 additions go through the sending thread; the ones that exist
/// already fail at exactly their places, every other one is there.
#[test]
fn a_long_pipelined_list_reports_each_failure_at_its_place() {
    in_netns(|| {
        sh("ip link add b0 type veth peer name b1; ip link set b0 up");
        let h = Handle::new().unwrap();
        let specs: Vec<RouteSpec> = (0..10_000).map(|i| host_route(&h, i)).collect();
        let taken = [0usize, 1399, 1400, 5003, 9999];
        for i in taken {
            assert!(h.route_batch(std::slice::from_ref(&specs[i]), RouteVerb::Add)[0].is_ok());
        }
        let res = h.route_batch(&specs, RouteVerb::Add);
        let failed: Vec<usize> = res.iter().enumerate().filter(|(_, r)| r.is_err()).map(|(i, _)| i).collect();
        assert_eq!(failed, taken);
        let e = res[5003].as_ref().unwrap_err();
        assert_eq!((e.errno, e.op.as_str()), (17, "route add 10.100.19.139/32 dev b0 table 100"));
        let n: usize = sh("ip route show table 100 | wc -l").trim().parse().unwrap();
        assert_eq!(n, 10_000);
        // The socket came back from the sending thread.
        assert!(h.link_get("b0").is_ok());
    });
}

/// The same through nlua with its journal: `--down` takes away exactly the
/// routes the run added, not the ones that were there before.
#[test]
fn a_long_pipelined_list_is_journaled_exactly() {
    let o = world(
        "ip link add b0 type veth peer name b1; ip link set b0 up; ip link set b1 up
ip route add 10.100.0.7/32 dev b0 table 100; ip route add 10.100.20.0/32 dev b0 table 100
cat > /run/tmp/longlist.lua <<'LUA'
local l = {}
for i = 0, 9999 do l[#l + 1] = {dst = ('10.100.%d.%d/32'):format(i // 256, i % 256), dev = 'b0', table = 100} end
local ok, e = pcall(route.add, l)
print(ok, e.code, #tostring(e) > 0)
print(tostring(e):match('2 of 10000 failed: entry 8: route add 10.100.0.7/32 dev b0 table 100: File exists %(EEXIST%); entry 5121: '))
LUA
$N /run/tmp/longlist.lua; echo rc=$?; echo \"built $(ip route show table 100 | wc -l)\"
$N --down longlist >/dev/null 2>&1; echo \"down $(ip route show table 100 | awk '{print $1}' | tr '\\n' ' ')\"",
    );
    let out = common::ok_stdout(&o);
    assert!(out.starts_with("false\tEEXIST\ttrue\n2 of 10000 failed: entry 8: "), "{}", both(&o));
    assert!(out.contains("rc=0\nbuilt 10000\ndown 10.100.0.7 10.100.20.0 \n"), "{}", both(&o));
}

/// link.add's objects, from the kernel's echo and read lazily, show what
/// `ip` shows; a changed link is read again when read.
#[test]
fn links_from_the_echo_and_lazily_read_show_what_ip_shows() {
    let o = world(
        r#"cat > /run/tmp/links.lua <<'LUA'
local red = netns.add("red")
local h, e = link.add{name = "h0", kind = "veth", mtu = 1400, peer = {name = "e0", netns = red, mtu = 1300}}
print(h.name, h.index, h.mtu, h.kind, h.mac, h.is_up)
print(e.name, e.index, e.mtu, e.kind, e.mac, e.netns.name)
h:up(); e:set{mtu = 1280, name = "e1"}
print(h.is_up, e.name, e.mtu)
LUA
$N /run/tmp/links.lua; ip -o link show h0 | awk '{print $2, $3, $5}'; ip -n red -o link show e1 | awk '{print $2, $5}'
ip -j link show h0; ip -n red -j link show e1"#,
    );
    let out = common::ok_stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    let js: Vec<serde_json::Value> = lines[lines.len() - 2..].iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let (h, e) = (&js[0][0], &js[1][0]);
    assert_eq!(lines[0], format!("h0\t{}\t1400\tveth\t{}\tfalse", h["ifindex"], h["address"].as_str().unwrap()), "{}", both(&o));
    assert_eq!(lines[1], format!("e0\t{}\t1300\tveth\t{}\tred", e["ifindex"], e["address"].as_str().unwrap()), "{}", both(&o));
    assert_eq!(lines[2], "true\te1\t1280", "{}", both(&o));
}

/// A link changed and then deleted behind the script's back keeps what was
/// read last; a veth peer never read whose namespace is gone says so.
#[test]
fn lazily_read_links_that_are_gone() {
    let o = world(
        r#"cat > /run/tmp/gone.lua <<'LUA'
local red = netns.add("red")
local h, e = link.add{name = "h0", kind = "veth", peer = {name = "e0", netns = red}}
h:set{mtu = 1400}
os.execute("ip link del h0")
print(h.name, h.mtu)
local ok, err = pcall(function() return e.mtu end)
print(ok, err.code)
LUA
$N /run/tmp/gone.lua"#,
    );
    let out = common::ok_stdout(&o);
    assert_eq!(out, "h0\t1500\nfalse\tENODEV\n", "{}", both(&o));
}

/// Request records without their text (version 2) print their `ip` words
/// when undone; a version 1 journal, with texts, still reads.
#[test]
fn request_records_print_their_words_and_version_1_journals_read() {
    let o = world(
        "ip link add c0 type veth peer name c1; ip link set c0 up; ip addr add 10.3.0.1/24 dev c0
$N -e 'route.add{dst = \"10.30.0.0/16\", via = \"10.3.0.2\", metric = 5, table = 7}; addr.add(\"c0\", \"10.3.1.1/24\"); neigh.add{dev = \"c0\", dst = \"10.3.0.9\", lladdr = \"02:00:00:00:00:09\"}' --name two
grep -c '\"text\"' /run/nlua/two.journal
$N --down two 2>&1
echo \"left: $(ip route show table 7; ip neigh show 10.3.0.9 dev c0; ip -o addr show to 10.3.1.1)\"
cat > /run/nlua/one.journal <<'J'
{\"nlua_journal\":1,\"name\":\"one\",\"script\":\"x.lua\",\"pid\":1,\"started\":1,\"initial\":{\"dev\":DEV,\"inode\":INODE}}
{\"seq\":1,\"t\":\"msg\",\"ns\":{\"initial\":true},\"ty\":21,\"flags\":1,\"payload\":\"0218000003000000080002000a030101\",\"text\":\"ip addr del 10.3.1.1/24 dev c0\"}
J
ip addr add 10.3.1.1/24 dev c0
dev=$(stat -L -c %d /proc/self/ns/net); ino=$(stat -L -c %i /proc/self/ns/net)
sed -i \"s/DEV/$dev/; s/INODE/$ino/\" /run/nlua/one.journal
$N --down one 2>&1; ip -4 -o addr show dev c0 | awk '{print $4}'",
    );
    let out = common::ok_stdout(&o);
    assert!(out.starts_with("0\n"), "no text kept in version 2 records\n{}", both(&o));
    assert!(out.contains("\nleft: \n"), "--down two took the route, address and neighbour away\n{}", both(&o));
    for l in [
        "undo: ip neigh del 10.3.0.9 lladdr 02:00:00:00:00:09 dev c0\n",
        "undo: ip addr del 10.3.1.1/24 scope global dev c0\n",
        "undo: ip route del 10.30.0.0/16 via 10.3.0.2 metric 5 table 7\n",
    ] {
        assert!(out.contains(l), "{l}\n{}", both(&o));
    }
    assert!(out.ends_with("undo: ip addr del 10.3.1.1/24 dev c0\nnlua: 'one' is down (1 undone, 0 gone with their namespace or already gone)\n10.3.0.1/24\n"), "{}", both(&o));
}

/// A link read lazily (only the attributes its typed fields need decoded,
/// the rest when first asked for) is the link decoded whole: every kind this
/// kernel has, with an alias, an altname, a master, a peer in another
/// namespace and a tap's queues.
#[test]
fn links_decoded_lazily_equal_links_decoded_whole() {
    use nlua::engine::link::{Link, RTM_GETLINK};
    use nlua::engine::message::MsgBuilder;
    use nlua::engine::schema::{self, link as S};
    in_netns(|| {
        // A namespace of its own for the veth peer, held by a sleeping process.
        let pid = sh("unshare -n sleep 60 >/dev/null 2>&1 & echo $!").trim().to_string();
        sh(&format!(
            "ip link add br0 type bridge; ip link add v0 type veth peer name v1 netns {pid}
             ip link set v0 master br0; ip link set v0 alias 'to the other side'
             ip link property add dev v0 altname a-much-longer-name-0
             ip link add vx0 type vxlan id 42 dstport 4789 local 10.0.0.1
             ip link add mv0 link br0 type macvlan mode bridge; ip tuntap add tp0 mode tap
             ip link add ifb0 type ifb; ip link set br0 up; ip link set v0 up"
        ));
        let h = Handle::new().unwrap();
        let mut m = MsgBuilder::new(RTM_GETLINK, 0);
        m.push(&[0u8; 16]);
        m.attr_u32(S::IFLA_EXT_MASK, 1);
        let payloads = h.dump(m, &|| "link show".into(), |msg| Ok(Some(msg.payload.to_vec()))).unwrap();
        sh(&format!("kill {pid}"));
        let mut links = Vec::new();
        for p in &payloads {
            let lazy = Link::parse(p).unwrap();
            let whole_attrs = schema::decode(&S::LINK, &p[16..]);
            assert_eq!(lazy, Link::from_decoded(p, &whole_attrs), "typed fields of {}", lazy.name);
            for a in &whole_attrs.0 {
                assert_eq!(lazy.attrs.value_of(a.id).as_ref(), whole_attrs.value(a.id), "{} attribute {}", lazy.name, a.id);
            }
            assert!(!lazy.stats().is_empty(), "{} has counters", lazy.name);
            assert_eq!(*lazy.attrs, whole_attrs, "{} decoded on use", lazy.name);
            assert_eq!(lazy.attrs.value_of(S::IFLA_STATS64), whole_attrs.value(S::IFLA_STATS64).cloned(), "after decoding");
            links.push(lazy);
        }
        let get = |n: &str| links.iter().find(|l| l.name == n).unwrap_or_else(|| panic!("{n} listed"));
        let v0 = get("v0");
        assert_eq!(v0.alias.as_deref(), Some("to the other side"));
        assert_eq!(v0.altnames, vec!["a-much-longer-name-0".to_string()]);
        assert_eq!(v0.master, Some(get("br0").index));
        assert_eq!(v0.slave_kind.as_deref(), Some("bridge"));
        assert!(v0.link_netnsid.is_some(), "peer in another namespace");
        assert!(v0.slave_data().is_some(), "bridge port settings");
        assert_eq!(get("vx0").kind_data().and_then(|d| d.uint(1)), Some(42), "vxlan id");
        assert_eq!(get("mv0").link, Some(get("br0").index));
        assert_eq!(get("tp0").kind.as_deref(), Some("tun"));
        assert_eq!(get("ifb0").kind.as_deref(), Some("ifb"));
    });
}
