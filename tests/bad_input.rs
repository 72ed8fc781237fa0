//! Wrong calls get a clear error naming the function and the field — the exact
//! message is part of the interface — and nothing is left half-built.

mod common;

use common::in_netns;

/// (Lua call, exact tostring(err)).
const CASES: &[(&str, &str)] = &[
    (r#"link.add("v9")"#, r#"link.add: argument #1: expected table, got "v9""#),
    (r#"link.add{kind = "veth", peer = {name = "b"}}"#, "link.add: field 'name' is required"),
    (r#"link.add{name = "x"}"#, "link.add: field 'kind' is required"),
    (r#"link.add{name = "x", kind = 5}"#, r#"link.add: field 'kind': expected link kind string like "veth", got 5"#),
    (r#"link.add{name = "x", kind = "veth", mtu = "big", peer = {name = "y"}}"#, r#"link.add: field 'mtu': expected integer 68..65535, got "big""#),
    (r#"link.add{name = "x", kind = "veth", mtu = 70000, peer = {name = "y"}}"#, "link.add: field 'mtu': expected integer 68..65535, got 70000"),
    (r#"link.add{name = "x", kind = "veth", mtu = 1.5, peer = {name = "y"}}"#, "link.add: field 'mtu': expected integer 68..65535, got 1.5"),
    (r#"link.add{name = "x", kind = "veth", mut = 1500, peer = {name = "y"}}"#, "link.add: unknown option 'mut' (did you mean 'mtu'?)"),
    (r#"link.add{name = "x", kind = "veth"}"#, "link.add: field 'peer.name' is required for kind 'veth'"),
    (r#"link.add{name = "x", kind = "veth", peer = {}}"#, "link.add: field 'peer.name' is required for kind 'veth'"),
    (r#"link.add{name = "x", kind = "veth", peer = {name = "y", mtu = "z"}}"#, r#"link.add: field 'peer.mtu': expected integer 68..65535, got "z""#),
    (r#"link.add{name = "x", kind = "veth", peer = {name = "y", mut = 1}}"#, "link.add: unknown option 'peer.mut' (did you mean 'peer.mtu'?)"),
    (r#"link.add{name = "x", kind = "veth", peer = 7}"#, r#"link.add: field 'peer': expected table like {name="v1"} or a name, got 7"#),
    (r#"link.add{name = "x", kind = "bridge", peer = {name = "y"}}"#, "link.add: field 'peer': only a veth has a peer, not kind 'bridge'"),
    (r#"link.add{name = "x", kind = "bridge", mac = "zz:00"}"#, r#"link.add: field 'mac': expected MAC address like "02:00:00:00:00:01", got "zz:00""#),
    (r#"link.add{name = "this-name-is-too-long", kind = "bridge"}"#, r#"link.add: field 'name': expected interface name of 1..15 characters without '/', ':' or spaces, got "this-name-is-too-long""#),
    (r#"link.add{name = "a b", kind = "bridge"}"#, r#"link.add: field 'name': expected interface name of 1..15 characters without '/', ':' or spaces, got "a b""#),
    (r#"link.add{name = "x", kind = "bridge", master = "nosuch"}"#, r#"link.add: field 'master': no such link "nosuch""#),
    (r#"link.add{name = "x", kind = "vxlan", id = "x"}"#, r#"link.add: field 'id': expected integer 0..16777215, got "x""#),
    (r#"link.add{name = "x", kind = "vxlan", id = 1, remote = "300.1.1.1"}"#, r#"link.add: field 'remote': expected IPv4 address or IPv6 address, got "300.1.1.1""#),
    (r#"link.add{name = "x", kind = "vxlan", id = 1, dstprt = 1}"#, "link.add: unknown option 'dstprt' (did you mean 'dstport'?)"),
    (r#"link.add{name = "x", kind = "vxlan", id = 1, learning = "yes"}"#, r#"link.add: field 'learning': expected boolean, got "yes""#),
    (r#"link.add{name = "x", kind = "macvlan", link = "v0", mode = "bogus"}"#, r#"link.add: field 'mode': expected one of "private", "vepa", "bridge", "passthru", "source", got "bogus""#),
    (r#"link.add{name = "x", kind = "vxlan", id = 1, dev = "nosuch"}"#, r#"link.add: field 'dev': no such link "nosuch""#),
    (r#"link.add{name = "x", kind = "veth", peer = {name = "y"}, "z"}"#, "link.add: expected named options (key = value), got a positional value at [1]"),
    (r#"link.add{name = "x", kind = "macvlan", mode = "bridge"}"#, "link.add: field 'link' (the lower device) is required for kind 'macvlan'"),
    (r#"link.add{name = "x", kind = "vlan", id = 5}"#, "link.add: field 'link' (the lower device) is required for kind 'vlan'"),
    (r#"link.add{name = "x", kind = "vlan", link = "v0", id = 5000}"#, "link.add: field 'id': expected integer 0..4094, got 5000"),
    (r#"link.add{name = "x", kind = "bond", mode = "fastest"}"#, r#"link.add: field 'mode': expected one of "balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb", got "fastest""#),
    (r#"link.add{name = "x", kind = "frobnicator", mode = 1}"#, "link.add: unknown option 'mode' (nlua has no option table for kind 'frobnicator')"),
    (r#"link.add{name = "x", kind = "frobnicator"}"#, "link add x type frobnicator: Unknown device type (EOPNOTSUPP)"),
    (r#"link.add{name = 7, kind = "bridge"}"#, "link.add: field 'name': expected interface name of 1..15 characters without '/', ':' or spaces, got 7"),
    (r#"link.get("v0"):set{master = "nosuch"}"#, r#"Link.set: field 'master': no such link "nosuch""#),
    (r#"link.get("v0"):set{txqlen = -5}"#, "Link.set: field 'txqlen': expected integer 0..4294967295, got -5"),
    (r#"link.get("v0"):set{alias = 5}"#, "Link.set: field 'alias': expected string, got 5"),
    (r#"link.del("nosuch")"#, "link show dev nosuch: No such device (ENODEV)"),
    (r#"addr.add("v0", "2001:db8::1/129")"#, r#"addr.add: field 'address': expected address with prefix like "10.0.0.1/24", got "2001:db8::1/129""#),
    (r#"addr.add("v0", "2001:db8::1/64", {broadcast = "10.0.0.255"})"#, r#"addr.add: field 'broadcast': expected IPv4 broadcast address or "+", got "10.0.0.255""#),
    (r#"addr.add("v0", "10.0.0.1/24", {nodad = "yes"})"#, r#"addr.add: field 'nodad': expected boolean, got "yes""#),
    (r#"link.add{name = "d0", kind = "dummy"}"#, "link add d0 type dummy: Unknown device type (EOPNOTSUPP)"),
    (r#"link.add{name = "v0", kind = "veth", peer = {name = "v1"}}"#, "link add v0 type veth peer name v1: File exists (EEXIST)"),
    (r#"link.get({})"#, "link.get: argument #1: expected link name, index or Link, got table"),
    (r#"link.get(0)"#, "link.get: argument #1: expected link name, index or Link, got 0"),
    (r#"link.get("nosuch")"#, "link show dev nosuch: No such device (ENODEV)"),
    (r#"link.get(9999)"#, "link show dev index 9999: No such device (ENODEV)"),
    (r#"link.set("v0", {mtu = -1})"#, "link.set: field 'mtu': expected integer 68..65535, got -1"),
    (r#"link.set("v0", {nme = "x"})"#, "link.set: unknown option 'nme' (did you mean 'name'?)"),
    (r#"link.set("v0", "up")"#, r#"link.set: argument #2: expected table, got "up""#),
    (r#"link.get("v0"):set{up = "yes"}"#, r#"Link.set: field 'up': expected boolean, got "yes""#),
    (r#"link.list{knd = "veth"}"#, "link.list: unknown option 'knd' (did you mean 'kind'?)"),
    (r#"addr.add("v0", "10.0.0.1/33")"#, r#"addr.add: field 'address': expected address with prefix like "10.0.0.1/24", got "10.0.0.1/33""#),
    (r#"addr.add("v0", "10.0.0/24")"#, r#"addr.add: field 'address': expected address with prefix like "10.0.0.1/24", got "10.0.0/24""#),
    (r#"addr.add("v0", 42)"#, r#"addr.add: argument #2: expected address like "10.0.0.1/24", got 42"#),
    (r#"addr.add("nosuch", "10.0.0.1/24")"#, "link show dev nosuch: No such device (ENODEV)"),
    (r#"addr.add("v0", "10.0.0.1/24", {peer = "2001:db8::1/64"})"#, "addr.add: field 'peer': 2001:db8::1 is not the same family as 10.0.0.1"),
    (r#"addr.add("v0", "10.0.0.1/24", {scope = "galaxy"})"#, r#"addr.add: field 'scope': expected scope like "global", "link" or "host", got "galaxy""#),
    (r#"addr.add("v0", "10.0.0.1/24", {lable = "x"})"#, "addr.add: unknown option 'lable' (did you mean 'label'?)"),
    (r#"addr.add("v0", "10.0.0.1/24", {valid_lft = "soon"})"#, r#"addr.add: field 'valid_lft': expected seconds or "forever", got "soon""#),
    (r#"addr.add("v0", "10.0.0.1/24", {valid_lft = 10, preferred_lft = 20})"#, "addr.add: field 'preferred_lft': is greater than valid_lft"),
    (r#"addr.add{address = "10.0.0.1/24"}"#, "addr.add: field 'dev' is required"),
    (r#"addr.list{family = "ipx"}"#, r#"addr.list: field 'family': expected "inet" or "inet6", got "ipx""#),
    (r#"addr.del("v0", "10.7.7.7/24")"#, "addr del 10.7.7.7/24 dev v0: ipv4: Address not found (EADDRNOTAVAIL)"),
];

#[test]
fn wrong_calls_get_exact_messages() {
    in_netns(|| {
        let rt = nlua::Runtime::new().unwrap();
        rt.lua().load(r#"link.add{name = "v0", kind = "veth", peer = {name = "v1"}}"#).exec().unwrap();
        let before = common::sh("ip -br link | sort");
        let mut failures = Vec::new();
        for (call, want) in CASES {
            let chunk = format!("local ok, err = pcall(function() return {call} end) assert(not ok, 'call succeeded') return tostring(err)");
            match rt.lua().load(&chunk).eval::<String>() {
                Ok(got) if got == *want => {}
                Ok(got) => failures.push(format!("{call}\n   want: {want}\n    got: {got}")),
                Err(e) => failures.push(format!("{call}\n   error running the case: {e}")),
            }
        }
        assert!(failures.is_empty(), "{} of {} cases wrong:\n{}", failures.len(), CASES.len(), failures.join("\n"));
        assert!(CASES.len() >= 30);
        // nothing half-built
        assert_eq!(common::sh("ip -br link | sort"), before);
    });
}

/// Bad input is refused before anything is sent: errors are kind "input" with
/// errno EINVAL.
#[test]
fn input_errors_have_fields() {
    in_netns(|| {
        let rt = nlua::Runtime::new().unwrap();
        let (code, kind, errno, op): (String, String, i64, String) = rt
            .lua()
            .load(r#"local ok, e = pcall(link.add, {name = "x", kind = "veth", mtu = "big"}) return e.code, e.kind, e.errno, e.op"#)
            .eval()
            .unwrap();
        assert_eq!((code.as_str(), kind.as_str(), errno, op.as_str()), ("EINVAL", "input", 22, "link.add"));
    });
}
