//! Parsing and printing of the values people type, in ip(8) and tc(8) conventions:
//! prefixes, link-layer addresses, and (for tc) rates, sizes, times, percentages
//! and handles. Errors are short phrases that complete "expected ...".

use std::net::IpAddr;

use ipnet::IpNet;

mod tc;
pub use tc::*;

/// Parse a link-layer address: hex octets separated by ':' (or '-'), any length.
pub fn parse_mac(s: &str) -> Result<Vec<u8>, String> {
    let bad = || format!("MAC address like \"02:00:00:00:00:01\", got {s:?}");
    if s.is_empty() {
        return Err(bad());
    }
    s.split([':', '-'])
        .map(|p| if (1..=2).contains(&p.len()) { u8::from_str_radix(p, 16).map_err(|_| bad()) } else { Err(bad()) })
        .collect()
}

/// Print a link-layer address as ip does: lowercase hex octets joined by ':'.
pub fn format_mac(m: &[u8]) -> String {
    let mut s = String::with_capacity(m.len() * 3);
    for (i, b) in m.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// An address with a prefix length, as `ip addr add` takes it: "10.0.0.1/24",
/// "2001:db8::1/64", or a bare address (full-length prefix).
pub fn parse_prefix(s: &str) -> Result<(IpAddr, u8), String> {
    if let Ok(n) = s.parse::<IpNet>() {
        return Ok((n.addr(), n.prefix_len()));
    }
    match s.parse::<IpAddr>() {
        Ok(a @ IpAddr::V4(_)) => Ok((a, 32)),
        Ok(a @ IpAddr::V6(_)) => Ok((a, 128)),
        Err(_) => Err(format!("address with prefix like \"10.0.0.1/24\", got {s:?}")),
    }
}

/// A destination prefix as `ip route` takes it: "default", "10.0.0.0/8",
/// "192.0.2.1" (a host). Returns the network with host bits kept as given.
pub fn parse_dst(s: &str, family_hint: Option<u8>) -> Result<IpNet, String> {
    if s == "default" || s == "all" || s == "any" {
        return Ok(match family_hint {
            Some(f) if f == nix::libc::AF_INET6 as u8 => "::/0".parse().unwrap(),
            _ => "0.0.0.0/0".parse().unwrap(),
        });
    }
    let (a, len) = parse_prefix(s).map_err(|_| format!("prefix like \"10.0.0.0/24\" or \"default\", got {s:?}"))?;
    IpNet::new(a, len).map_err(|_| format!("prefix like \"10.0.0.0/24\" or \"default\", got {s:?}"))
}

/// The address family (AF_INET / AF_INET6) of an address.
pub fn family_of(a: &IpAddr) -> u8 {
    match a {
        IpAddr::V4(_) => nix::libc::AF_INET as u8,
        IpAddr::V6(_) => nix::libc::AF_INET6 as u8,
    }
}

/// Parse a family name: "inet"/"ipv4"/4, "inet6"/"ipv6"/6, "all"/"any".
pub fn parse_family(s: &str) -> Result<u8, String> {
    Ok(match s {
        "inet" | "ipv4" | "4" => nix::libc::AF_INET as u8,
        "inet6" | "ipv6" | "6" => nix::libc::AF_INET6 as u8,
        "bridge" => nix::libc::AF_BRIDGE as u8,
        "all" | "any" | "unspec" => 0,
        _ => return Err(format!("one of \"inet\", \"inet6\", \"all\", got {s:?}")),
    })
}

/// Print a family as ip does.
pub fn family_name(f: u8) -> &'static str {
    match f as i32 {
        nix::libc::AF_INET => "inet",
        nix::libc::AF_INET6 => "inet6",
        nix::libc::AF_BRIDGE => "bridge",
        nix::libc::AF_PACKET => "link",
        _ => "unspec",
    }
}

/// Scope names from ip(8) (/etc/iproute2/rt_scopes defaults).
pub const SCOPES: &[(u64, &str)] = &[(0, "global"), (200, "site"), (253, "link"), (254, "host"), (255, "nowhere")];

/// Parse a scope name or number.
pub fn parse_scope(s: &str) -> Result<u8, String> {
    if let Some((n, _)) = SCOPES.iter().find(|(_, name)| *name == s) {
        return Ok(*n as u8);
    }
    s.parse::<u8>().map_err(|_| format!("one of \"global\", \"site\", \"link\", \"host\", \"nowhere\" or 0..255, got {s:?}"))
}

/// Print a scope as ip does.
pub fn scope_name(n: u8) -> String {
    SCOPES.iter().find(|(k, _)| *k == n as u64).map(|(_, s)| s.to_string()).unwrap_or_else(|| n.to_string())
}

/// Read an iproute2 name table (`/etc/iproute2/<file>`, then
/// `/usr/share/iproute2/<file>`, plus `<file>.d/*.conf`): lines of `id name`.
/// `defaults` apply where no file says otherwise.
pub fn iproute2_table(file: &str, defaults: &[(u32, &str)]) -> Vec<(u32, String)> {
    table_of(iproute2_lines(file, false), defaults)
}

fn table_of(lines: Vec<(u32, String)>, defaults: &[(u32, &str)]) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = defaults.iter().map(|(i, n)| (*i, n.to_string())).collect();
    for (id, name) in lines {
        out.retain(|(i, n)| *i != id && *n != name);
        out.push((id, name));
    }
    out
}

/// The `id name` lines of an iproute2 name table's files, in reading order.
/// Kept for a second (unless `fresh`): naming 50,000 routes reads the files
/// once, and an edit of /etc/iproute2 is still seen by a REPL a moment later.
fn iproute2_lines(file: &str, fresh: bool) -> Vec<(u32, String)> {
    type Cache = std::collections::HashMap<String, (std::time::Instant, Vec<(u32, String)>)>;
    static CACHE: std::sync::Mutex<Option<Cache>> = std::sync::Mutex::new(None);
    let mut g = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    let cache = g.get_or_insert_with(Default::default);
    if let Some((at, lines)) = cache.get(file)
        && !fresh
        && at.elapsed() < std::time::Duration::from_secs(1)
    {
        return lines.clone();
    }
    let lines = read_iproute2_lines(file);
    cache.insert(file.to_string(), (std::time::Instant::now(), lines.clone()));
    lines
}

fn read_iproute2_lines(file: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut paths = vec![format!("/etc/iproute2/{file}"), format!("/usr/share/iproute2/{file}")];
    for dir in [format!("/etc/iproute2/{file}.d"), format!("/usr/share/iproute2/{file}.d")] {
        if let Ok(rd) = std::fs::read_dir(&dir) {
            let mut v: Vec<_> = rd.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "conf")).collect();
            v.sort();
            paths.extend(v.into_iter().map(|p| p.display().to_string()));
        }
    }
    for p in paths {
        let Ok(text) = std::fs::read_to_string(&p) else { continue };
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let mut it = line.split_whitespace();
            let (Some(id), Some(name)) = (it.next(), it.next()) else { continue };
            let id = if let Some(h) = id.strip_prefix("0x") { u32::from_str_radix(h, 16).ok() } else { id.parse().ok() };
            if let Some(id) = id {
                out.push((id, name.to_string()));
            }
        }
    }
    out
}

/// The name of `id` in an iproute2 table, or the number.
pub fn iproute2_name(file: &str, id: u32, defaults: &[(u32, &str)]) -> String {
    iproute2_table(file, defaults).into_iter().find(|(i, _)| *i == id).map(|(_, n)| n).unwrap_or_else(|| id.to_string())
}

/// The id of `name` in an iproute2 table (numbers are accepted as they are).
pub fn iproute2_id(file: &str, name: &str, defaults: &[(u32, &str)]) -> Option<u32> {
    if let Ok(n) = name.parse::<u32>() {
        return Some(n);
    }
    let find = |fresh| table_of(iproute2_lines(file, fresh), defaults).into_iter().find(|(_, n)| n == name).map(|(i, _)| i);
    // A name the kept copy lacks may have been written since: read the files again.
    find(false).or_else(|| find(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs() {
        assert_eq!(parse_mac("02:00:0a:ff:00:01").unwrap(), vec![2, 0, 10, 255, 0, 1]);
        assert_eq!(format_mac(&[2, 0, 10, 255, 0, 1]), "02:00:0a:ff:00:01");
        assert!(parse_mac("02:00:0a:ff:00:0g").is_err());
        assert!(parse_mac("020").is_err());
        assert!(parse_mac("").is_err());
    }

    #[test]
    fn prefixes() {
        assert_eq!(parse_prefix("10.0.0.1/24").unwrap(), ("10.0.0.1".parse().unwrap(), 24));
        assert_eq!(parse_prefix("2001:db8::1").unwrap(), ("2001:db8::1".parse().unwrap(), 128));
        assert!(parse_prefix("10.0.0.1/33").is_err());
        assert!(parse_prefix("10.0.0/24").is_err());
        assert_eq!(parse_dst("default", None).unwrap().to_string(), "0.0.0.0/0");
    }
}
