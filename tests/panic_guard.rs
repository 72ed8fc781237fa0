//! No panic reaches the user. Bindings run under `lua::guard` (tested in
//! src/lua/mod.rs); this checks the net under everything else: a panic in a
//! Rust callback that is not guarded (a host program's function, say) is an
//! ordinary error to Lua — pcall catches it, `tostring` reads its message —
//! and an uncaught one is reported with a traceback instead of unwinding, or
//! looping in the message handler. The VM keeps working.

#[test]
fn a_panic_in_an_unguarded_callback_is_a_lua_error() {
    let rt = nlua::Runtime::new().unwrap();
    let lua = rt.lua();
    let f = lua.create_function(|_, ()| -> mlua::Result<()> { panic!("boom in a callback") }).unwrap();
    lua.globals().set("boom", f).unwrap();
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let caught: (bool, String, Option<String>) =
        lua.load("local ok, e = pcall(boom) return ok, tostring(e), e.code").eval().expect("pcall returned");
    let uncaught = rt.call_traced(&lua.load("local x = 1\nboom()").set_name("=chunk").into_function().unwrap(), mlua::MultiValue::new());
    std::panic::set_hook(prev);
    assert_eq!(caught, (false, "boom in a callback".to_string(), None));
    let e = uncaught.expect_err("the chunk failed");
    assert!(e.starts_with("internal error: boom in a callback\nstack traceback:"), "{e}");
    assert!(e.ends_with("chunk:2: in main chunk"), "{e}");
    assert_eq!(lua.load("return 40 + 2").eval::<i64>().unwrap(), 42);
}
