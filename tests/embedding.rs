//! nlua as a Rust library: the runtime builder (modules, namespace, safe
//! stdlib, read-only), `nlua::register` on a host's own Lua, and hooks called
//! with engine objects turned into the userdata scripts see.

mod common;

use common::{in_netns, sh};
use mlua::Lua;
use nlua::engine::{self, Handle};
use nlua::{Bound, Runtime, Stdlib};

fn eval<T: mlua::FromLuaMulti>(lua: &Lua, chunk: &str) -> T {
    lua.load(chunk).eval().unwrap_or_else(|e| panic!("{chunk}: {e}"))
}

/// The error text of a chunk that must fail.
fn fails(lua: &Lua, chunk: &str) -> String {
    eval(lua, &format!("local ok, e = pcall(function() {chunk} end) assert(not ok, 'ran') return tostring(e)"))
}

#[test]
fn new_has_every_module_and_builder_chooses() {
    let rt = Runtime::new().unwrap();
    for m in nlua::lua::MODULES {
        assert!(eval::<bool>(rt.lua(), &format!("return type({}) == 'table'", m.name)), "{} missing", m.name);
    }
    let rt = Runtime::builder().modules(["link", "addr"]).build().unwrap();
    let present: (bool, bool, bool, bool) = eval(rt.lua(), "return link ~= nil, addr ~= nil, nlua ~= nil, route == nil and qdisc == nil");
    assert_eq!(present, (true, true, true, true));
}

#[test]
fn netns_binds_module_functions_to_a_namespace() {
    in_netns(|| {
        let ns = nlua::netns::temp().unwrap();
        let h = Handle::new_in(&ns).unwrap();
        h.link_add(&engine::LinkSpec { name: Some("inside0".into()), kind: "bridge".into(), ..Default::default() }).unwrap();
        sh("ip link add outside0 type bridge");

        let rt = Runtime::builder().netns(&ns).build().unwrap();
        let (inside, outside, same): (bool, bool, bool) = eval(
            rt.lua(),
            "local names = {} for _, l in ipairs(link.list()) do names[l.name] = true end
             return names.inside0 == true, names.outside0 == true, netns.current().inode == link.get('inside0').netns.inode",
        );
        assert_eq!((inside, outside, same), (true, false, true), "link.list() reads the bound namespace");
        let inode: u64 = eval(rt.lua(), "return netns.current().inode");
        assert_eq!(inode, ns.inode);
        // A change acts there too, and the host's thread never moved.
        rt.lua().load("link.add{name = 'made0', kind = 'bridge'}").exec().unwrap();
        assert!(h.link_get("made0").is_ok());
        assert!(!sh("ip -br link").contains("made0"));

        let err = Runtime::builder().netns("no-such-ns").build().err().expect("a missing name fails");
        let msg = nlua::lua::error::message(&err);
        assert!(msg.contains("no-such-ns") && msg.contains("ENOENT"), "{msg}");
    });
}

#[test]
fn safe_stdlib_has_no_io_commands_or_c_modules() {
    in_netns(|| {
        let rt = Runtime::builder().stdlib(Stdlib::Safe).build().unwrap();
        let lua = rt.lua();
        let gone: bool = eval(
            lua,
            "return io == nil and debug == nil and dofile == nil and loadfile == nil and os.execute == nil
                and os.getenv == nil and os.remove == nil and os.exit == nil and package.loadlib == nil
                and package.loaded.io == nil and package.loaded.debug == nil",
        );
        assert!(gone, "io, debug, file loading and os.execute are gone");
        let kept: bool = eval(
            lua,
            "return type(os.time()) == 'number' and type(os.clock()) == 'number' and string.format('%d', 1) == '1'
                and require('nlua.inspect') ~= nil and load('return 1 + 1')() == 2 and #link.list() >= 1",
        );
        assert!(kept, "the rest works, nlua's modules too");
        assert!(fails(lua, "require('socket.core')").contains("module 'socket.core' not found"));
        assert!(fails(lua, "assert(load(string.dump(function() end)))").contains("attempt to load a binary chunk"));
        assert_eq!(fails(lua, "netns.current():exec{'true'}"), "Netns.exec: refused: this runtime runs no commands (safe stdlib)");
        assert_eq!(fails(lua, "netns.current():spawn{'true'}"), "Netns.spawn: refused: this runtime runs no commands (safe stdlib)");
        assert_eq!(fails(lua, "netns.enter(netns.current())"), "netns.enter: refused: this runtime runs no commands (safe stdlib)");

        // The default runtime is the interpreter's.
        let full = Runtime::new().unwrap();
        let all: bool = eval(full.lua(), "return io ~= nil and debug ~= nil and os.execute ~= nil and netns.current():exec{'true'}.ok");
        assert!(all);
        // A chosen set without debug is one of mlua's safe states.
        let only = Runtime::builder().stdlib(mlua::StdLib::STRING | mlua::StdLib::TABLE).build().unwrap();
        assert!(eval::<bool>(only.lua(), "return io == nil and os == nil and string.rep('a', 2) == 'aa' and link ~= nil"));
    });
}

#[test]
fn register_adds_the_modules_to_a_hosts_lua() {
    in_netns(|| {
        sh("ip link add v0 type veth peer name v1");
        // mlua's safe state: no debug library to reach the error metatable with.
        let lua = Lua::new();
        lua.globals().set("host_value", 42).unwrap();
        nlua::register(&lua, nlua::Options::default().read_only(true).modules(["link"])).unwrap();
        let (n, hv): (i64, i64) = eval(&lua, "return #link.list{kind = 'veth'}, host_value");
        assert_eq!((n, hv), (2, 42));
        let fields: (String, String, String) =
            eval(&lua, "local ok, e = pcall(link.get, 'nope0') return e.code, e.op, tostring(e)");
        assert_eq!(fields.0, "ENODEV");
        assert!(fields.2.contains("nope0") && fields.2.ends_with("(ENODEV)"), "{fields:?}");
        assert_eq!(fails(&lua, "link.get('v0'):set{mtu = 1400}"), "Link.set: refused: this runtime is read-only");
        let again = nlua::register(&lua, nlua::Options::default()).unwrap_err();
        assert!(again.to_string().contains("already has nlua's modules"), "{again}");
    });
}

#[test]
fn hooks_get_engine_objects_as_the_userdata_scripts_see() {
    in_netns(|| {
        sh("ip link add v0 type veth peer name v1 && ip addr add 10.3.0.1/24 dev v0 && ip link set v0 up \
            && ip route add 10.4.0.0/16 via 10.3.0.2 && tc qdisc add dev v1 root pfifo limit 7 \
            && ip rule add from 10.5.0.0/16 table 5 priority 55 \
            && ip neigh add 10.3.0.9 lladdr 02:00:00:00:00:09 dev v0");
        let rt = Runtime::builder().read_only(true).stdlib(Stdlib::Safe).build().unwrap();
        rt.lua()
            .load(
                "function on_link(l) return nlua.type(l), l.name, l.mtu, #l:addrs() end
                 function show(o) return nlua.type(o), tostring(o) end
                 function try_set(l) local ok, e = pcall(l.set, l, {mtu = 1400}) return tostring(e) end",
            )
            .exec()
            .unwrap();
        let h = Handle::new().unwrap();
        let v0 = h.link_get("v0").unwrap();
        let got: (String, String, u32, i64) = rt.call("on_link", v0.clone()).unwrap();
        assert_eq!(got, ("Link".into(), "v0".into(), 1500, 1));
        let refused: String = rt.call("try_set", v0.clone()).unwrap();
        assert_eq!(refused, "Link.set: refused: this runtime is read-only");

        // Each engine object prints exactly as the same object listed from Lua.
        let listed = |chunk: &str| -> String { eval(rt.lua(), &format!("return tostring({chunk})")) };
        let addr = h.addr_list(&Default::default()).unwrap().into_iter().find(|a| a.index == v0.index && a.family == 2).unwrap();
        let route = h.route_list(&Default::default()).unwrap().into_iter().find(|r| r.dst_len == 16).unwrap();
        let rule = h.rule_list(&Default::default()).unwrap().into_iter().find(|r| r.priority == 55).unwrap();
        let neigh = h.neigh_list(&Default::default()).unwrap().into_iter().find(|n| n.ifindex == v0.index).unwrap();
        let qdisc = h.qdisc_list(&Default::default()).unwrap().into_iter().find(|q| q.kind == "pfifo").unwrap();
        let cases: Vec<(&str, (String, String), String)> = vec![
            ("Link", rt.call("show", v0.clone()).unwrap(), listed("link.get('v0')")),
            ("Addr", rt.call("show", addr).unwrap(), listed("addr.list{dev = 'v0', family = 'inet'}[1]")),
            ("Route", rt.call("show", route).unwrap(), listed("route.list{dst = '10.4.0.0/16'}[1]")),
            ("Rule", rt.call("show", rule).unwrap(), listed("rule.list{priority = 55}[1]")),
            ("Neigh", rt.call("show", neigh).unwrap(), listed("neigh.list{dev = 'v0'}[1]")),
            ("Qdisc", rt.call("show", qdisc).unwrap(), listed("qdisc.list{dev = 'v1'}[1]")),
        ];
        for (class, (ty, text), want) in cases {
            assert_eq!(ty, class);
            assert_eq!(text, want, "{class}");
        }

        // An object read in another namespace, bound to it: its methods act there.
        let ns = nlua::netns::temp().unwrap();
        let other = Handle::new_in(&ns).unwrap();
        let lo = other.link_get("lo").unwrap();
        rt.lua().load("function where(l) return l.netns.inode, #l:addrs() end").exec().unwrap();
        let (inode, addrs): (u64, i64) = rt.call("where", Bound::new(&ns, lo)).unwrap();
        assert_eq!((inode, addrs), (ns.inode, 0), "lo of a fresh namespace is down, without addresses");

        // A Lua state without nlua cannot take one.
        let bare = Lua::new();
        let f: mlua::Function = bare.load("return function(x) return x end").eval().unwrap();
        let err = f.call::<mlua::Value>(v0).unwrap_err();
        assert!(err.to_string().contains("nlua::register"), "{err}");
    });
}
