//! Descriptor hygiene. This binary holds one test only: the count of open
//! descriptors is process-wide, so no other test may run beside it.

mod common;

use common::in_netns;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// 10,000 operations through the Lua runtime (adds, sets, lists, gets,
/// address changes, failed calls) leave the process's descriptor count as it was.
#[test]
fn ten_thousand_operations_leak_no_descriptors() {
    in_netns(|| {
        let rt = nlua::Runtime::new().unwrap();
        // warm up: the first call opens the runtime's handle
        rt.lua().load("link.list()").exec().unwrap();
        let before = open_fds();
        rt.lua()
            .load(
                r#"
                local n = 0
                for i = 1, 210 do
                  local a, b = link.add{name = "l" .. i, kind = "veth", peer = {name = "p" .. i}}
                  a:up(); b:set{mtu = 1400}
                  addr.add(a, "10.1." .. (i % 250) .. ".1/24")
                  n = n + 4
                  for _ = 1, 10 do
                    link.get(a.index); a:addrs()
                    pcall(link.get, "nope" .. i)
                    pcall(link.add, {name = "l" .. i, kind = "veth", peer = {name = "q"}})
                    n = n + 4
                  end
                  link.list{kind = "veth"}; addr.flush(a); pcall(addr.del, a, "10.9.9.9/32")
                  n = n + 3
                  if i % 4 == 0 then link.del("l" .. i) else a:del() end
                  n = n + 1
                end
                assert(n >= 10000, n)
                "#,
            )
            .exec()
            .unwrap();
        assert_eq!(open_fds(), before);
    });
}
