//! tc(8) units: rates, sizes, times, percentages and handles, parsed and
//! printed as iproute2's lib/utils_math.c, lib/utils.c, lib/json_print*.c and
//! tc/tc_util.c do. Each parser returns the wire value; each `format_*` prints
//! it the way `tc` shows it; each `exact_*` prints a string the parser maps
//! back to the very same value (what a listed object's options carry).

/// Microseconds per second: tc's TIME_UNITS_PER_SEC.
pub const TIME_UNITS_PER_SEC: f64 = 1_000_000.0;

/// TC_H_ROOT: the root of the egress tree.
pub const TC_H_ROOT: u32 = 0xFFFF_FFFF;
/// TC_H_INGRESS (= TC_H_CLSACT): the parent of ingress and clsact qdiscs.
pub const TC_H_INGRESS: u32 = 0xFFFF_FFF1;
/// The ingress hook of clsact (and ingress) for filters: ffff:fff2.
pub const TC_H_MIN_INGRESS: u32 = 0xFFF2;
/// The egress hook of clsact for filters: ffff:fff3.
pub const TC_H_MIN_EGRESS: u32 = 0xFFF3;

/// A number as C's strtod reads the start of a tc value, but strict: an
/// optional sign, digits, an optional fraction and exponent; no spaces. Returns
/// the number and the rest (the unit).
fn split_number(s: &str) -> Option<(f64, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut ndigits = i - digits_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        ndigits += i - f;
    }
    if ndigits == 0 {
        return None;
    }
    // An exponent only when digits follow ("1e3"), so "1e" stays a unit.
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'-' || b[j] == b'+') {
            j += 1;
        }
        let e = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > e {
            i = j;
        }
    }
    let n: f64 = s[..i].parse().ok()?;
    Some((n, &s[i..]))
}

/// Rate suffixes of tc (lib/utils_math.c), matched without regard to case as
/// tc does, so "kbps" is KBps (bytes) and "Mbit" is mbit.
const RATE_SUFFIXES: &[(&str, f64)] = &[
    ("bit", 1.),
    ("Kibit", 1024.),
    ("kbit", 1000.),
    ("mibit", 1024. * 1024.),
    ("mbit", 1_000_000.),
    ("gibit", 1024. * 1024. * 1024.),
    ("gbit", 1_000_000_000.),
    ("tibit", 1024. * 1024. * 1024. * 1024.),
    ("tbit", 1_000_000_000_000.),
    ("Bps", 8.),
    ("KiBps", 8. * 1024.),
    ("KBps", 8000.),
    ("MiBps", 8. * 1024. * 1024.),
    ("MBps", 8_000_000.),
    ("GiBps", 8. * 1024. * 1024. * 1024.),
    ("GBps", 8_000_000_000.),
    ("TiBps", 8. * 1024. * 1024. * 1024. * 1024.),
    ("TBps", 8_000_000_000_000.),
];

const RATE_WHAT: &str = "a rate like \"1mbit\", \"100kbit\" or \"10MBps\"";

/// A rate in bytes per second, from "1mbit", "100kbit", "1.5gbit", "10MBps"
/// (bytes), or a bare number of bits per second (tc's get_rate64).
pub fn parse_rate(s: &str) -> Result<u64, String> {
    let bad = || format!("{RATE_WHAT}, got {s:?}");
    let (n, unit) = split_number(s).ok_or_else(bad)?;
    let scale = if unit.is_empty() {
        1.
    } else {
        RATE_SUFFIXES.iter().find(|(u, _)| u.eq_ignore_ascii_case(unit)).map(|(_, k)| *k).ok_or_else(bad)?
    };
    let bps = n * scale / 8.;
    if !bps.is_finite() || bps < 0. || bps >= u64::MAX as f64 {
        return Err(bad());
    }
    Ok(bps as u64)
}

/// A rate (bytes/s) as tc prints it: "1Mbit", "1500Kbit", "64bit"
/// (lib/json_print.c print_color_rate without -iec).
pub fn format_rate(bytes_per_sec: u64) -> String {
    const UNITS: [&str; 5] = ["", "K", "M", "G", "T"];
    let mut rate = bytes_per_sec.wrapping_shl(3);
    let mut i = 0;
    while i < UNITS.len() - 1 {
        if rate < 1000 || (!rate.is_multiple_of(1000) && rate < 1000 * 1000) {
            break;
        }
        rate /= 1000;
        i += 1;
    }
    format!("{rate}{}bit", UNITS[i])
}

/// A rate (bytes/s) as a string [`parse_rate`] maps back to the same value.
pub fn exact_rate(bytes_per_sec: u64) -> String {
    let bits = bytes_per_sec as u128 * 8;
    for (unit, k) in [("tbit", 1_000_000_000_000u128), ("gbit", 1_000_000_000), ("mbit", 1_000_000), ("kbit", 1000)] {
        if bits >= k && bits.is_multiple_of(k) {
            return format!("{}{unit}", bits / k);
        }
    }
    format!("{bits}bit")
}

const SIZE_WHAT: &str = "a size like \"32kb\", \"1mb\", \"1500b\" or a number of bytes";

/// A size in bytes from "1500", "1500b", "32kb"/"32k", "1mb"/"1m", "1gb"/"1g",
/// "8kbit", "1mbit", "1gbit" (tc's get_size: k = 1024).
pub fn parse_size(s: &str) -> Result<u32, String> {
    let bad = || format!("{SIZE_WHAT}, got {s:?}");
    let (n, unit) = split_number(s).ok_or_else(bad)?;
    let k: f64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1.,
        "kb" | "k" => 1024.,
        "mb" | "m" => 1024. * 1024.,
        "gb" | "g" => 1024. * 1024. * 1024.,
        "kbit" => 1024. / 8.,
        "mbit" => 1024. * 1024. / 8.,
        "gbit" => 1024. * 1024. * 1024. / 8.,
        _ => return Err(bad()),
    };
    let sz = n * k;
    if !sz.is_finite() || !(0.0..=u32::MAX as f64).contains(&sz) {
        return Err(bad());
    }
    Ok(sz as u32)
}

/// A size as tc prints it: "32Kb", "1Mb", "1500b" (lib/json_print_math.c).
pub fn format_size(sz: u32) -> String {
    let (kilo, mega) = (1024f64, 1024f64 * 1024.);
    let t = sz as f64;
    if t >= mega && (mega * (t / mega).round_ties_even() - t).abs() < 1024. {
        format!("{}Mb", fmt_g((t / mega).round_ties_even(), 6))
    } else if t >= kilo && (kilo * (t / kilo).round_ties_even() - t).abs() < 16. {
        format!("{}Kb", fmt_g((t / kilo).round_ties_even(), 6))
    } else {
        format!("{sz}b")
    }
}

/// A size as a string [`parse_size`] maps back to the same value.
pub fn exact_size(sz: u32) -> String {
    for (unit, k) in [("gb", 1u32 << 30), ("mb", 1 << 20), ("kb", 1 << 10)] {
        if sz >= k && sz.is_multiple_of(k) {
            return format!("{}{unit}", sz / k);
        }
    }
    format!("{sz}b")
}

const TIME_WHAT: &str = "a time like \"100ms\", \"1.5s\" or \"250us\"";

/// A time in microseconds from "100ms", "1.5s", "250us" or a bare number of
/// microseconds (tc's get_time). Negative times are refused.
pub fn parse_time(s: &str) -> Result<u32, String> {
    let bad = || format!("{TIME_WHAT}, got {s:?}");
    let (n, unit) = split_number(s).ok_or_else(bad)?;
    let k = match unit.to_ascii_lowercase().as_str() {
        "" | "us" | "usec" | "usecs" => 1.,
        "ms" | "msec" | "msecs" => 1000.,
        "s" | "sec" | "secs" => TIME_UNITS_PER_SEC,
        _ => return Err(bad()),
    };
    if n < 0. {
        return Err(format!("{TIME_WHAT} (not negative), got {s:?}"));
    }
    let t = n * k;
    if !t.is_finite() || t > u32::MAX as f64 {
        return Err(format!("{TIME_WHAT} below 4295s, got {s:?}"));
    }
    Ok(t as u32)
}

/// A time (µs) as tc prints it: "100ms", "1.5s", "250us" (lib/utils.c print_time).
pub fn format_time(us: u32) -> String {
    let t = us as f64;
    if t >= TIME_UNITS_PER_SEC {
        format!("{}s", fmt_g(t / TIME_UNITS_PER_SEC, 3))
    } else if t >= TIME_UNITS_PER_SEC / 1000. {
        format!("{}ms", fmt_g(t / (TIME_UNITS_PER_SEC / 1000.), 3))
    } else {
        format!("{us}us")
    }
}

/// A time (µs) as a string [`parse_time`] maps back to the same value.
pub fn exact_time(us: u32) -> String {
    if us >= 1_000_000 && us.is_multiple_of(1_000_000) {
        format!("{}s", us / 1_000_000)
    } else if us >= 1000 && us.is_multiple_of(1000) {
        format!("{}ms", us / 1000)
    } else {
        format!("{us}us")
    }
}

const TIME64_WHAT: &str = "a time like \"1ms\", \"100us\" or \"500ns\"";

/// A time in nanoseconds from "1s", "1ms", "100us", "500ns" or a bare number
/// of nanoseconds (tc's get_time64). Negative times are refused.
pub fn parse_time64(s: &str) -> Result<u64, String> {
    let bad = || format!("{TIME64_WHAT}, got {s:?}");
    let (n, unit) = split_number(s).ok_or_else(bad)?;
    let k = match unit.to_ascii_lowercase().as_str() {
        "" | "ns" | "nsec" | "nsecs" => 1.,
        "us" | "usec" | "usecs" => 1e3,
        "ms" | "msec" | "msecs" => 1e6,
        "s" | "sec" | "secs" => 1e9,
        _ => return Err(bad()),
    };
    if n < 0. {
        return Err(format!("{TIME64_WHAT} (not negative), got {s:?}"));
    }
    let t = n * k;
    if !t.is_finite() || t >= i64::MAX as f64 {
        return Err(bad());
    }
    Ok(t as u64)
}

/// A time (ns) as tc prints it (lib/utils.c print_time64).
pub fn format_time64(ns: u64) -> String {
    let t = ns as f64;
    if ns >= 1_000_000_000 {
        format!("{}s", fmt_g(t / 1e9, 3))
    } else if ns >= 1_000_000 {
        format!("{}ms", fmt_g(t / 1e6, 3))
    } else if ns >= 1000 {
        format!("{}us", fmt_g(t / 1e3, 3))
    } else {
        format!("{ns}ns")
    }
}

/// A time (ns) as a string [`parse_time64`] maps back to the same value.
pub fn exact_time64(ns: u64) -> String {
    for (unit, k) in [("s", 1_000_000_000u64), ("ms", 1_000_000), ("us", 1000)] {
        if ns >= k && ns.is_multiple_of(k) {
            return format!("{}{unit}", ns / k);
        }
    }
    format!("{ns}ns")
}

const PERCENT_WHAT: &str = "a percentage 0..100 like \"1%\" or \"0.5%\"";

/// A percentage as a fraction 0..=1, from "1%", "0.5%" or a bare number of
/// percent points (tc's parse_percent); "101%" and negatives are refused.
pub fn parse_percent(s: &str) -> Result<f64, String> {
    let bad = || format!("{PERCENT_WHAT}, got {s:?}");
    let (n, unit) = split_number(s).ok_or_else(bad)?;
    if !unit.is_empty() && unit != "%" {
        return Err(bad());
    }
    let v = n / 100.;
    if !(0.0..=1.0).contains(&v) {
        return Err(bad());
    }
    Ok(v)
}

/// A fraction scaled to the kernel's 32-bit probability (netem's set_percent).
pub fn fraction_to_u32(f: f64) -> u32 {
    (f * u32::MAX as f64).round_ties_even() as u32
}

/// A percentage string straight to the kernel's 32-bit probability.
pub fn parse_percent_u32(s: &str) -> Result<u32, String> {
    parse_percent(s).map(fraction_to_u32)
}

/// A 32-bit probability as tc prints it: "1%", "0.5%" ("%g%%").
pub fn format_percent(v: u32) -> String {
    format!("{}%", fmt_g(100. * v as f64 / u32::MAX as f64, 6))
}

/// A 32-bit probability as the shortest percentage that maps back to it.
pub fn exact_percent(v: u32) -> String {
    let p = 100. * v as f64 / u32::MAX as f64;
    for decimals in 0..=12 {
        let s = format!("{p:.decimals$}");
        let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
        if s.parse::<f64>().ok().map(|x| fraction_to_u32(x / 100.)) == Some(v) {
            return format!("{s}%");
        }
    }
    format!("{p}%")
}

/// C's `%.<prec>g`.
pub fn fmt_g(x: f64, prec: usize) -> String {
    let p = prec.max(1);
    if x == 0. {
        return "0".into();
    }
    if !x.is_finite() {
        return if x.is_nan() { "nan".into() } else if x > 0. { "inf".into() } else { "-inf".into() };
    }
    let sci = format!("{:.*e}", p - 1, x);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let trim = |s: &str| -> String {
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s.to_string() }
    };
    if exp < -4 || exp >= p as i32 {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim(mant), exp.abs())
    } else {
        trim(&format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, x))
    }
}

fn hex_u16(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// A qdisc handle: "1:", "1", "ffff:", "none" (0); hex major, no minor
/// (tc's get_qdisc_handle). Returns the 32-bit handle (major << 16).
pub fn parse_qdisc_handle(s: &str) -> Result<u32, String> {
    let bad = || format!("a qdisc handle like \"1:\" or \"ffff:\", got {s:?}");
    if s == "none" {
        return Ok(0);
    }
    let maj = s.strip_suffix(':').unwrap_or(s);
    if maj.contains(':') {
        return Err(bad());
    }
    Ok(hex_u16(maj).ok_or_else(bad)? << 16)
}

/// A class id or parent: "root", "none", "1:10", "1:", ":10", or a raw hex
/// number (tc's get_tc_classid), plus "ingress"/"clsact" (ffff:fff1).
pub fn parse_classid(s: &str) -> Result<u32, String> {
    let bad = || format!("a class id like \"1:10\", \"1:\" or \"root\", got {s:?}");
    match s {
        "root" => return Ok(TC_H_ROOT),
        "none" => return Ok(0),
        "ingress" | "clsact" => return Ok(TC_H_INGRESS),
        _ => {}
    }
    match s.split_once(':') {
        Some((maj, min)) => {
            if min.contains(':') {
                return Err(bad());
            }
            let maj = if maj.is_empty() { 0 } else { hex_u16(maj).ok_or_else(bad)? };
            let min = if min.is_empty() { 0 } else { hex_u16(min).ok_or_else(bad)? };
            Ok(maj << 16 | min)
        }
        None => {
            if s.is_empty() || s.len() > 8 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad());
            }
            u32::from_str_radix(s, 16).map_err(|_| bad())
        }
    }
}

/// A class id as tc prints it: "root", "none", "1:10", "1:", ":10".
pub fn format_classid(h: u32) -> String {
    match h {
        TC_H_ROOT => "root".into(),
        0 => "none".into(),
        h if h >> 16 == 0 => format!(":{:x}", h & 0xffff),
        h if h & 0xffff == 0 => format!("{:x}:", h >> 16),
        h => format!("{:x}:{:x}", h >> 16, h & 0xffff),
    }
}

/// A qdisc handle as tc prints it: "1:" (also "0:" for none).
pub fn format_qdisc_handle(h: u32) -> String {
    format!("{:x}:", h >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tc_rates() {
        assert_eq!(parse_rate("1mbit").unwrap(), 125_000);
        assert_eq!(parse_rate("1Mbit").unwrap(), 125_000);
        assert_eq!(parse_rate("100kbit").unwrap(), 12_500);
        assert_eq!(parse_rate("10MBps").unwrap(), 10_000_000);
        assert_eq!(parse_rate("1kbps").unwrap(), 1000, "kbps is KBps: bytes");
        assert_eq!(parse_rate("8000").unwrap(), 1000, "a bare number is bits");
        assert_eq!(parse_rate("1.5kbit").unwrap(), 187);
        assert_eq!(parse_rate("10gbit").unwrap(), 1_250_000_000);
        assert!(parse_rate("10 mbit").unwrap_err().contains("\"10 mbit\""));
        assert!(parse_rate("10mbits").is_err());
        assert!(parse_rate("-1mbit").is_err());
        assert!(parse_rate("mbit").is_err());
        assert_eq!(format_rate(125_000), "1Mbit");
        assert_eq!(format_rate(187_500), "1500Kbit");
        assert_eq!(format_rate(8), "64bit");
        assert_eq!(format_rate(1_250_000_000), "10Gbit");
        for v in [1u64, 125_000, 187_500, 125_001, 1_250_000_000, 12_345_678_901] {
            assert_eq!(parse_rate(&exact_rate(v)).unwrap(), v, "{}", exact_rate(v));
        }
    }

    #[test]
    fn tc_sizes_and_times() {
        assert_eq!(parse_size("32kb").unwrap(), 32768);
        assert_eq!(parse_size("32k").unwrap(), 32768);
        assert_eq!(parse_size("1mb").unwrap(), 1 << 20);
        assert_eq!(parse_size("1500").unwrap(), 1500);
        assert_eq!(parse_size("8kbit").unwrap(), 1024);
        assert!(parse_size("32 kb").is_err());
        assert!(parse_size("5gb").is_err(), "overflows u32");
        assert_eq!(format_size(32768), "32Kb");
        assert_eq!(format_size(1600), "1600b");
        assert_eq!(format_size(1 << 20), "1Mb");
        assert_eq!(parse_time("100ms").unwrap(), 100_000);
        assert_eq!(parse_time("1.5s").unwrap(), 1_500_000);
        assert_eq!(parse_time("250us").unwrap(), 250);
        assert_eq!(parse_time("250").unwrap(), 250);
        assert_eq!(parse_time("10MS").unwrap(), 10_000);
        assert!(parse_time("-10ms").unwrap_err().contains("not negative"));
        assert!(parse_time("10 ms").is_err());
        assert!(parse_time("10min").is_err());
        assert_eq!(format_time(50_000), "50ms");
        assert_eq!(format_time(1_500_000), "1.5s");
        assert_eq!(format_time(1_234_567), "1.23s");
        assert_eq!(format_time(999), "999us");
        assert_eq!(parse_time64("1ms").unwrap(), 1_000_000);
        assert_eq!(format_time64(2_000_000), "2ms");
        for v in [0u32, 1, 999, 1000, 1500, 50_000, 3_000_000] {
            assert_eq!(parse_time(&exact_time(v)).unwrap(), v);
            assert_eq!(parse_size(&exact_size(v)).unwrap(), v);
        }
    }

    #[test]
    fn tc_percentages() {
        assert_eq!(parse_percent_u32("1%").unwrap(), 42_949_673);
        assert_eq!(parse_percent_u32("100%").unwrap(), u32::MAX);
        assert_eq!(parse_percent_u32("0.5").unwrap(), 21_474_836);
        assert!(parse_percent("101%").unwrap_err().contains("0..100"));
        assert!(parse_percent("-1%").is_err());
        assert!(parse_percent("1 %").is_err());
        assert_eq!(format_percent(42_949_673), "1%");
        for v in [0u32, 1, 42_949_673, 21_474_836, 4_000_000_000, u32::MAX] {
            assert_eq!(parse_percent_u32(&exact_percent(v)).unwrap(), v, "{}", exact_percent(v));
        }
        assert_eq!(exact_percent(42_949_673), "1%");
        assert_eq!(exact_percent(parse_percent_u32("30%").unwrap()), "30%");
        assert_eq!(exact_percent(parse_percent_u32("0.1%").unwrap()), "0.1%");
        assert_eq!(fmt_g(1500.0, 3), "1.5e+03");
        assert_eq!(fmt_g(0.0001234, 3), "0.000123");
    }

    #[test]
    fn tc_handles() {
        assert_eq!(parse_qdisc_handle("1:").unwrap(), 0x1_0000);
        assert_eq!(parse_qdisc_handle("ffff:").unwrap(), 0xffff_0000);
        assert_eq!(parse_qdisc_handle("10").unwrap(), 0x10_0000);
        assert!(parse_qdisc_handle("1:2").is_err());
        assert!(parse_qdisc_handle("1:2:3").is_err());
        assert!(parse_qdisc_handle("10000:").is_err());
        assert_eq!(parse_classid("1:10").unwrap(), 0x1_0010);
        assert_eq!(parse_classid("root").unwrap(), TC_H_ROOT);
        assert_eq!(parse_classid(":5").unwrap(), 5);
        assert_eq!(parse_classid("ffff:fff1").unwrap(), TC_H_INGRESS);
        assert!(parse_classid("1:2:3").unwrap_err().contains("\"1:2:3\""));
        assert!(parse_classid("x:1").is_err());
        assert_eq!(format_classid(0x1_0010), "1:10");
        assert_eq!(format_classid(0x1_0000), "1:");
        assert_eq!(format_classid(TC_H_INGRESS), "ffff:fff1");
        assert_eq!(format_classid(TC_H_ROOT), "root");
    }
}
