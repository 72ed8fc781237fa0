//! A small topology built from Rust through the engine alone — no Lua: two
//! named namespaces ("a" and "b", as `ip netns add` makes them) joined by a
//! veth, an address on each end, a service address on b's loopback, and a
//! route to it from a. Then it pings across and tears everything down.
//!
//! ```sh
//! cargo run --example topology            # as root: build, show, ping, tear down
//! cargo run --example topology -- --keep  # leave it up (`ip netns del a; ip netns del b` removes it)
//! ```
//!
//! Every step is a call on an `nlua::engine::Handle` bound to one namespace:
//! a link created in one namespace with its peer born in another, addresses
//! and routes from the same option maps the Lua functions take
//! (`AddrSpec::from_opts`, `RouteSpec::from_opts`), and reads back.

use std::process::{Command, ExitCode};

use nlua::engine::{AddrSpec, Error, Handle, LinkChange, LinkSpec, NetnsTarget, NsInfo, Opt, RouteSpec};

/// An option map from (name, value) pairs, as `{dev = "eth0", ...}` is in Lua.
fn opts(pairs: &[(&str, &str)]) -> Vec<(String, Opt)> {
    pairs.iter().map(|(k, v)| (k.to_string(), Opt::Str(v.to_string()))).collect()
}

/// Bad input is an engine error like any other (errno EINVAL, the field named).
fn input(what: &str) -> impl FnOnce(nlua::engine::schema::FieldError) -> Error + '_ {
    move |e| Error::input(what, e.to_string())
}

/// Bring links `names` of `h`'s namespace up.
fn up(h: &Handle, names: &[&str]) -> Result<(), Error> {
    for name in names {
        let l = h.link_get(*name)?;
        h.link_set(&l, &LinkChange { up: Some(true), ..Default::default() })?;
    }
    Ok(())
}

/// What a namespace holds, read back through its handle.
fn show(label: &str, h: &Handle) -> Result<(), Error> {
    for l in h.link_list(&Default::default())? {
        let addrs: Vec<String> = h
            .addr_list(&nlua::engine::AddrFilter { index: Some(l.index), family: 2, ..Default::default() })?
            .iter()
            .filter_map(|a| a.local.map(|ip| format!("{ip}/{}", a.prefixlen)))
            .collect();
        println!("{label}: {} {} {}", l.name, if l.is_up() { "up" } else { "down" }, addrs.join(" "));
    }
    for r in h.route_list(&Default::default())? {
        if let (Some(dst), Some(gw)) = (r.dst, r.gateway) {
            println!("{label}: route {dst}/{} via {gw}", r.dst_len);
        }
    }
    Ok(())
}

fn build(a: &NsInfo, b: &NsInfo) -> Result<(), Error> {
    // One veth: "eth0" born in a, its peer "eth0" born in b. The request goes
    // through a handle here; neither end ever exists in this namespace.
    let here = Handle::new()?;
    let peer = LinkSpec { name: Some("eth0".into()), netns: Some(NetnsTarget::Ns(b.clone())), ..Default::default() };
    here.link_add(&LinkSpec {
        name: Some("eth0".into()),
        kind: "veth".into(),
        netns: Some(NetnsTarget::Ns(a.clone())),
        peer: Some(Box::new(peer)),
        ..Default::default()
    })?;

    let (ha, hb) = (Handle::new_in(a)?, Handle::new_in(b)?);
    for (h, dev, address) in [(&ha, "eth0", "10.0.0.1/24"), (&hb, "eth0", "10.0.0.2/24"), (&hb, "lo", "192.0.2.1/32")] {
        let spec = AddrSpec::from_opts(&opts(&[("dev", dev), ("address", address)]), h).map_err(input("addr add"))?;
        h.addr_add(&spec, dev)?;
    }
    up(&ha, &["lo", "eth0"])?;
    up(&hb, &["lo", "eth0"])?;
    // a reaches b's service network through b.
    let route = RouteSpec::from_opts(&opts(&[("dst", "192.0.2.0/24"), ("gw", "10.0.0.2")]), &ha).map_err(input("route add"))?;
    ha.route_add(&route)?;

    show("a", &ha)?;
    show("b", &hb)?;
    Ok(())
}

fn run(keep: bool) -> Result<(), Error> {
    let a = nlua::netns::add("a")?;
    let b = match nlua::netns::add("b") {
        Ok(b) => b,
        Err(e) => {
            nlua::netns::del("a")?;
            return Err(e);
        }
    };
    let built = build(&a, &b).and_then(|()| {
        let ping = Command::new("ip").args(["netns", "exec", "a", "ping", "-c1", "-W2", "192.0.2.1"]).output();
        match ping {
            Ok(o) if o.status.success() => {
                println!("ping a -> 192.0.2.1 (b): ok");
                Ok(())
            }
            _ => Err(Error::input("ping", "a cannot reach 192.0.2.1 through b")),
        }
    });
    // A failed build leaves nothing behind; --keep leaves a good one up.
    if built.is_err() || !keep {
        drop((a, b));
        nlua::netns::del("a")?;
        nlua::netns::del("b")?;
        println!("torn down: namespaces a and b deleted");
    }
    built
}

fn main() -> ExitCode {
    let keep = std::env::args().any(|a| a == "--keep");
    match run(keep) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("topology: {e}");
            ExitCode::FAILURE
        }
    }
}
