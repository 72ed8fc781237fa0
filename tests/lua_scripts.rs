//! Each Lua script under tests/lua/ is one test: it runs through the nlua binary
//! in fresh network and mount namespaces and must exit 0 (scripts assert).

mod common;

macro_rules! lua_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lua/", stringify!($name), ".lua");
                let o = common::nlua(&[path]);
                common::ok_stdout(&o);
            }
        )*
        /// The scripts listed, for the completeness check below.
        const LISTED: &[&str] = &[$(stringify!($name)),*];
    };
}

// One line per script, so branches adding scripts merge cleanly.
lua_tests!(
    link_basics,
    addr_basics,
    errors,
    route_basics,
    route_batch,
    rule_basics,
    neigh_basics,
    routing_errors,
    routing_flush_del,
    tc_qdisc,
    tc_filter,
    tc_errors,
    netns_basics,
    netns_run,
    netns_process,
    netns_errors,
    netns_lifetime,
    netns_mounts,
    monitor_basics,
    monitor_errors,
);

/// Every script in tests/lua/ is listed above (a new file cannot be forgotten).
#[test]
fn every_script_is_listed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lua");
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "lua") {
            let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
            assert!(LISTED.contains(&stem.as_str()), "tests/lua/{stem}.lua is not in lua_tests!");
        }
    }
}
