//! The names each userdata type gives Lua — fields, methods, metamethods —
//! read from its `UserData` impl by a recorder that registers nothing. The
//! reference and stub coverage tests compare them with `lua/types/*.lua`.

use mlua::{AnyUserData, FromLua, FromLuaMulti, IntoLua, IntoLuaMulti, Lua, UserData, UserDataFields, UserDataMethods};

/// What a userdata type declares.
#[derive(Debug, Default, Clone)]
pub struct Members {
    /// Readable fields (`l.name`).
    pub fields: Vec<String>,
    /// Methods (`l:up()`), including those added as functions.
    pub methods: Vec<String>,
    /// Metamethods and metatable fields (`__tostring`, `__index`, ...).
    pub meta: Vec<String>,
}

impl Members {
    /// The members of userdata type `T`.
    pub fn of<T: UserData>() -> Members {
        let mut m = Members::default();
        T::add_fields(&mut m);
        T::add_methods(&mut m);
        m
    }
}

/// Every userdata class nlua hands to Lua, by its Lua class name.
pub fn all() -> Vec<(&'static str, Members)> {
    vec![
        ("Link", Members::of::<super::link::Link>()),
        ("Addr", Members::of::<super::addr::Addr>()),
        ("Route", Members::of::<super::route::Route>()),
        ("Rule", Members::of::<super::rule::Rule>()),
        ("Neigh", Members::of::<super::neigh::Neigh>()),
        ("Qdisc", Members::of::<super::qdisc::Qdisc>()),
        ("Class", Members::of::<super::class::Class>()),
        ("Filter", Members::of::<super::filter::Filter>()),
        ("Handle", Members::of::<super::handle::Handle>()),
        ("Netns", Members::of::<super::netns::Netns>()),
        ("Process", Members::of::<super::process::Process>()),
        ("Monitor", Members::of::<super::monitor::Monitor>()),
    ]
}

impl<T> UserDataFields<T> for Members {
    fn add_field<V: IntoLua + 'static>(&mut self, name: impl Into<String>, _: V) {
        self.fields.push(name.into());
    }
    fn add_field_method_get<M, R>(&mut self, name: impl Into<String>, _: M)
    where
        M: Fn(&Lua, &T) -> mlua::Result<R> + 'static,
        R: IntoLua,
    {
        self.fields.push(name.into());
    }
    fn add_field_method_set<M, A>(&mut self, _: impl Into<String>, _: M)
    where
        M: FnMut(&Lua, &mut T, A) -> mlua::Result<()> + 'static,
        A: FromLua,
    {
    }
    fn add_field_function_get<F, R>(&mut self, name: impl Into<String>, _: F)
    where
        F: Fn(&Lua, AnyUserData) -> mlua::Result<R> + 'static,
        R: IntoLua,
    {
        self.fields.push(name.into());
    }
    fn add_field_function_set<F, A>(&mut self, _: impl Into<String>, _: F)
    where
        F: FnMut(&Lua, AnyUserData, A) -> mlua::Result<()> + 'static,
        A: FromLua,
    {
    }
    fn add_meta_field<V: IntoLua + 'static>(&mut self, name: impl Into<String>, _: V) {
        self.meta.push(name.into());
    }
    fn add_meta_field_with<F, R>(&mut self, name: impl Into<String>, _: F)
    where
        F: FnOnce(&Lua) -> mlua::Result<R> + 'static,
        R: IntoLua,
    {
        self.meta.push(name.into());
    }
}

impl<T> UserDataMethods<T> for Members {
    fn add_method<M, A, R>(&mut self, name: impl Into<String>, _: M)
    where
        M: Fn(&Lua, &T, A) -> mlua::Result<R> + 'static,
        A: FromLuaMulti,
        R: IntoLuaMulti,
    {
        self.methods.push(name.into());
    }
    fn add_method_mut<M, A, R>(&mut self, name: impl Into<String>, _: M)
    where
        M: FnMut(&Lua, &mut T, A) -> mlua::Result<R> + 'static,
        A: FromLuaMulti,
        R: IntoLuaMulti,
    {
        self.methods.push(name.into());
    }
    fn add_function<F, A, R>(&mut self, name: impl Into<String>, _: F)
    where
        F: Fn(&Lua, A) -> mlua::Result<R> + 'static,
        A: FromLuaMulti,
        R: IntoLuaMulti,
    {
        self.methods.push(name.into());
    }
    fn add_function_mut<F, A, R>(&mut self, name: impl Into<String>, _: F)
    where
        F: FnMut(&Lua, A) -> mlua::Result<R> + 'static,
        A: FromLuaMulti,
        R: IntoLuaMulti,
    {
        self.methods.push(name.into());
    }
    fn add_meta_method<M, A, R>(&mut self, name: impl Into<String>, _: M)
    where
        M: Fn(&Lua, &T, A) -> mlua::Result<R> + 'static,
        A: FromLuaMulti,
        R: IntoLuaMulti,
    {
        self.meta.push(name.into());
    }
    fn add_meta_method_mut<M, A, R>(&mut self, name: impl Into<String>, _: M)
    where
        M: FnMut(&Lua, &mut T, A) -> mlua::Result<R> + 'static,
        A: FromLuaMulti,
        R: IntoLuaMulti,
    {
        self.meta.push(name.into());
    }
    fn add_meta_function<F, A, R>(&mut self, name: impl Into<String>, _: F)
    where
        F: Fn(&Lua, A) -> mlua::Result<R> + 'static,
        A: FromLuaMulti,
        R: IntoLuaMulti,
    {
        self.meta.push(name.into());
    }
    fn add_meta_function_mut<F, A, R>(&mut self, name: impl Into<String>, _: F)
    where
        F: FnMut(&Lua, A) -> mlua::Result<R> + 'static,
        A: FromLuaMulti,
        R: IntoLuaMulti,
    {
        self.meta.push(name.into());
    }
}
