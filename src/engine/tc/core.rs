//! tc's arithmetic (iproute2 tc/tc_core.c): the scheduler clock, transmit
//! times and the rate tables the kernel still wants for tbf, htb and police,
//! computed exactly as iproute2 computes them so the bytes match.

use std::sync::OnceLock;

use crate::units::TIME_UNITS_PER_SEC;

/// The kernel's scheduler clock as /proc/net/psched gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Psched {
    /// Scheduler ticks per microsecond (15.625 on kernels since 2.6.31).
    pub tick_in_usec: f64,
    /// HZ as tc's get_hz() derives it (htb's default burst).
    pub hz: u32,
}

impl Psched {
    /// Parse the four hex words of /proc/net/psched as tc_core_init and
    /// __get_hz read them.
    pub fn parse(text: &str) -> Option<Psched> {
        let w: Vec<u32> = text.split_whitespace().take(4).filter_map(|x| u32::from_str_radix(x, 16).ok()).collect();
        if w.len() < 3 {
            return None;
        }
        let (mut t2us, us2t, clock_res) = (w[0], w[1], w[2]);
        // iproute2's compatibility hack: nanosecond clocks advertise t2us 1000.
        if clock_res == 1_000_000_000 {
            t2us = us2t;
        }
        let clock_factor = clock_res as f64 / TIME_UNITS_PER_SEC;
        let tick_in_usec = t2us as f64 / us2t as f64 * clock_factor;
        let hz = match (w[2], w.get(3)) {
            (1_000_000, Some(d)) => *d,
            _ => 1000,
        };
        Some(Psched { tick_in_usec, hz })
    }

    /// What kernels since 2.6.31 report: 64 ns ticks (15.625 per µs), and
    /// tc's get_hz() reads 10^9.
    pub const MODERN: Psched = Psched { tick_in_usec: 15.625, hz: 1_000_000_000 };
}

/// The running kernel's clock (read once; the file is the same in every namespace).
pub fn psched() -> Psched {
    static P: OnceLock<Psched> = OnceLock::new();
    *P.get_or_init(|| {
        std::fs::read_to_string("/proc/net/psched").ok().and_then(|t| Psched::parse(&t)).unwrap_or(Psched::MODERN)
    })
}

/// C's conversion of a double to `unsigned int` as gcc emits it on 64-bit
/// targets (through a 64-bit integer, keeping the low 32 bits).
fn c_uint(x: f64) -> u32 {
    (x as i64) as u32
}

/// Microseconds to scheduler ticks (tc_core_time2tick).
pub fn time2tick(p: Psched, us: u32) -> u32 {
    c_uint(us as f64 * p.tick_in_usec)
}

/// Ticks to microseconds (tc_core_tick2time).
pub fn tick2time(p: Psched, ticks: u32) -> u32 {
    c_uint(ticks as f64 / p.tick_in_usec)
}

/// True when `us` microseconds do not fit in 32-bit ticks (tc_core_time2big).
pub fn time2big(p: Psched, us: u32) -> bool {
    ((us as u64 as f64 * p.tick_in_usec) as u64) >> 32 != 0
}

/// Ticks needed to send `size` bytes at `rate` bytes/s (tc_calc_xmittime).
pub fn xmittime(p: Psched, rate: u64, size: u32) -> u32 {
    time2tick(p, c_uint(TIME_UNITS_PER_SEC * (size as f64 / rate as f64)))
}

/// Bytes sent at `rate` during `ticks` (tc_calc_xmitsize).
pub fn xmitsize(p: Psched, rate: u64, ticks: u32) -> u32 {
    c_uint(rate as f64 * tick2time(p, ticks) as f64 / TIME_UNITS_PER_SEC)
}

/// Link layers of tc's `linklayer` option.
pub const LINKLAYER_ETHERNET: u8 = 1;
/// `LINKLAYER_ATM`: ATM cells, 48 bytes of payload in 53 (`<linux/pkt_sched.h>`).
pub const LINKLAYER_ATM: u8 = 2;

/// struct tc_ratespec as tc fills it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateSpec {
    /// log2 of the rate table's cell size.
    pub cell_log: u8,
    /// Link layer (ethernet, atm).
    pub linklayer: u8,
    /// Per-packet overhead in bytes.
    pub overhead: u16,
    /// Cell alignment.
    pub cell_align: i16,
    /// Minimum packet unit in bytes.
    pub mpu: u16,
    /// Rate in bytes per second.
    pub rate: u32,
}

impl RateSpec {
    /// The 12 wire bytes.
    pub fn bytes(&self) -> [u8; 12] {
        let mut b = [0u8; 12];
        b[0] = self.cell_log;
        b[1] = self.linklayer;
        b[2..4].copy_from_slice(&self.overhead.to_ne_bytes());
        b[4..6].copy_from_slice(&self.cell_align.to_ne_bytes());
        b[6..8].copy_from_slice(&self.mpu.to_ne_bytes());
        b[8..12].copy_from_slice(&self.rate.to_ne_bytes());
        b
    }

    /// Read 12 wire bytes.
    pub fn from_bytes(b: &[u8]) -> RateSpec {
        RateSpec {
            cell_log: b[0],
            linklayer: b[1],
            overhead: u16::from_ne_bytes([b[2], b[3]]),
            cell_align: i16::from_ne_bytes([b[4], b[5]]),
            mpu: u16::from_ne_bytes([b[6], b[7]]),
            rate: u32::from_ne_bytes([b[8], b[9], b[10], b[11]]),
        }
    }
}

fn adjust_size(sz: u32, mpu: u32, linklayer: u8) -> u32 {
    let sz = sz.max(mpu);
    if linklayer == LINKLAYER_ATM {
        // ATM: whole 53-byte cells carrying 48 bytes each.
        sz.div_ceil(48) * 53
    } else {
        sz
    }
}

/// Fill `r` and return the 256-entry rate table (tc_calc_rtable /
/// tc_calc_rtable_64): rtab\[i\] = ticks to send ((i+1) << cell_log) bytes.
/// `cell_log` None picks the smallest that covers `mtu` (0 means 2047).
pub fn rate_table(p: Psched, r: &mut RateSpec, rate: u64, cell_log: Option<u8>, mtu: u32, linklayer: u8) -> [u32; 256] {
    let cell_log = cell_log.unwrap_or_else(|| default_cell_log(mtu));
    let mut tab = [0u32; 256];
    for (i, t) in tab.iter_mut().enumerate() {
        let sz = adjust_size(((i + 1) as u32) << cell_log, r.mpu as u32, linklayer);
        *t = xmittime(p, rate, sz);
    }
    r.cell_align = -1;
    r.cell_log = cell_log;
    r.linklayer = linklayer & 0x0f;
    tab
}

/// The cell_log tc picks for a rate table when none is given: the smallest
/// that covers `mtu` in 256 cells (0 means 2047).
pub fn default_cell_log(mtu: u32) -> u8 {
    let mtu = if mtu == 0 { 2047 } else { mtu };
    let mut c = 0u8;
    while (mtu >> c) > 255 {
        c += 1;
    }
    c
}

/// Microseconds that encode to `ticks` (the inverse of [`time2tick`]):
/// tick2time truncates, so a time read back from ticks can be a microsecond
/// short of what was sent; take the one that maps back.
pub fn ticks_to_time(p: Psched, ticks: u32) -> u32 {
    let est = tick2time(p, ticks);
    (est.saturating_sub(1)..=est.saturating_add(2)).find(|us| time2tick(p, *us) == ticks).unwrap_or(est)
}

/// A rate as the kernel keeps it (struct psched_ratecfg): transmit times are
/// `(len * mult) >> shift` nanoseconds, after overhead, mpu and ATM cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelRate {
    mult: u32,
    shift: u8,
    overhead: u16,
    mpu: u16,
    atm: bool,
}

impl KernelRate {
    /// psched_ratecfg_precompute for `rate` bytes/s and the spec's extras.
    pub fn new(rate: u64, spec: &RateSpec) -> KernelRate {
        let (mut mult, mut shift) = (1u32, 0u8);
        let mut factor: u64 = 1_000_000_000;
        // the largest mult that fits (the kernel keeps it in a u32 too)
        while let Some(m) = factor.checked_div(rate) {
            mult = m as u32;
            if mult & (1 << 31) != 0 || factor & (1 << 63) != 0 {
                break;
            }
            factor <<= 1;
            shift += 1;
        }
        KernelRate { mult, shift, overhead: spec.overhead, mpu: spec.mpu, atm: spec.linklayer & 0x0f == LINKLAYER_ATM }
    }

    /// psched_l2t_ns: nanoseconds to send `len` bytes.
    pub fn l2t_ns(&self, len: u32) -> u64 {
        let len = len.wrapping_add(self.overhead as u32).max(self.mpu as u32);
        let wire = if self.atm { len.div_ceil(48) as u64 * 53 } else { len as u64 };
        (wire * self.mult as u64) >> self.shift
    }

    /// The size, roundest first, that the kernel turns into `ticks` (64 ns
    /// each, as it reports tbf's burst and mtu); `est` is where to look.
    pub fn size_of_ticks(&self, ticks: u32, est: u32, slack: u32) -> Option<u32> {
        let hits: Vec<u32> =
            (est.saturating_sub(slack)..=est.saturating_add(slack)).filter(|b| (self.l2t_ns(*b) >> 6) as u32 == ticks).collect();
        roundest(&hits)
    }
}

/// The roundest of `sizes` (a multiple of 1MiB, then 1KiB, 1000, 100, 10), else the first.
pub fn roundest(sizes: &[u32]) -> Option<u32> {
    for unit in [1 << 20, 1 << 10, 1000, 100, 10] {
        if let Some(b) = sizes.iter().find(|b| **b % unit == 0 && **b > 0) {
            return Some(*b);
        }
    }
    sizes.first().copied()
}

/// The table as the 1024 bytes of TCA_*_RTAB.
pub fn table_bytes(tab: &[u32; 256]) -> Vec<u8> {
    tab.iter().flat_map(|t| t.to_ne_bytes()).collect()
}

/// A size with an optional "/cell" (tc's get_size_and_cell): "32kb/8".
pub fn parse_size_and_cell(s: &str) -> Result<(u32, Option<u8>), String> {
    let (size, cell) = match s.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let size = crate::units::parse_size(size)?;
    let cell = match cell {
        None => None,
        Some(c) => {
            let n: u32 = c.parse().map_err(|_| format!("a cell size (a power of two) after '/', got {c:?}"))?;
            if !n.is_power_of_two() {
                return Err(format!("a cell size (a power of two) after '/', got {c:?}"));
            }
            Some(n.trailing_zeros() as u8)
        }
    };
    Ok((size, cell))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psched_of_a_modern_kernel() {
        let p = Psched::parse("000003e8 00000040 000f4240 3b9aca00\n").unwrap();
        assert_eq!(p, Psched::MODERN);
        // a nanosecond clock_res takes iproute2's compatibility branch
        let p = Psched::parse("000003e8 00000040 3b9aca00 3b9aca00\n").unwrap();
        assert_eq!(p.tick_in_usec, 1000.0);
    }

    #[test]
    fn ticks_back_to_the_time_that_made_them() {
        let p = Psched::MODERN;
        // 100us is 1562.5 ticks, sent as 1562; tick2time gives 99
        assert_eq!(tick2time(p, time2tick(p, 100)), 99);
        assert_eq!(ticks_to_time(p, time2tick(p, 100)), 100);
        for us in [1, 99, 100, 1500, 12_345, 1_500_000] {
            assert_eq!(ticks_to_time(p, time2tick(p, us)), us);
        }
    }

    #[test]
    fn kernel_rate_like_psched_ratecfg() {
        let plain = RateSpec::default();
        // 2mbit: 10240 bytes take exactly 40.96 ms
        let k = KernelRate::new(250_000, &plain);
        assert_eq!(k.l2t_ns(10240), 40_960_000);
        assert_eq!(k.size_of_ticks(640_000, 10_200, 100), Some(10240));
        // ATM: 10240 bytes are 214 cells of 53 bytes, plus the overhead first
        let atm = RateSpec { linklayer: LINKLAYER_ATM, overhead: 4, ..Default::default() };
        let k = KernelRate::new(5_000_000, &atm);
        assert_eq!(k.l2t_ns(10240), (10244u64.div_ceil(48) * 53) * 200);
        // mpu raises small sizes
        let k = KernelRate::new(125_000, &RateSpec { mpu: 64, ..Default::default() });
        assert_eq!(k.l2t_ns(10), k.l2t_ns(64));
        // 100gbit: 1mb is the roundest size of its tick
        let k = KernelRate::new(12_500_000_000, &plain);
        assert_eq!(k.size_of_ticks((k.l2t_ns(1 << 20) >> 6) as u32, 1_048_000, 2000), Some(1 << 20));
    }

    #[test]
    fn xmittime_like_tc() {
        let p = Psched::MODERN;
        // 1mbit = 125000 B/s; 32kb burst: 32768/125000 s = 262144 us = 4096000 ticks.
        assert_eq!(xmittime(p, 125_000, 32768), 4_096_000);
        assert_eq!(xmitsize(p, 125_000, 4_096_000), 32768);
        let mut r = RateSpec { rate: 125_000, ..Default::default() };
        let tab = rate_table(p, &mut r, 125_000, None, 0, LINKLAYER_ETHERNET);
        assert_eq!((r.cell_log, r.cell_align, r.linklayer), (3, -1, 1));
        assert_eq!(tab[0], xmittime(p, 125_000, 8));
        assert_eq!(parse_size_and_cell("32kb/8").unwrap(), (32768, Some(3)));
        assert_eq!(default_cell_log(0), 3);
        assert_eq!(default_cell_log(9000), 6);
        assert!(parse_size_and_cell("32kb/7").is_err());
    }
}
