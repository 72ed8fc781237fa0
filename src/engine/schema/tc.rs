//! Traffic control attributes: the TCA_* set of qdisc, class and filter
//! messages, the statistics, and the options of each qdisc kind
//! (TCA_OPTIONS, chosen by TCA_KIND). Ids from <linux/pkt_sched.h>,
//! <linux/gen_stats.h> and <linux/rtnetlink.h>; names are the words tc(8)
//! takes where there is one. netem's tables are in `tc_netem.rs`, filter and
//! action tables in `tc_filter.rs`.

use super::Type::*;
use super::{AttrDef, AttrSet, Dispatch, Field, Opt, StructDef, Unit, a};
use crate::units;

// ---------------------------------------------------------------------------
// Units: tc(8) words in, exact strings out (so listed options re-parse to the
// same wire values).

fn opt_text(o: &Opt) -> Result<String, String> {
    match o {
        Opt::Str(s) => Ok(s.clone()),
        Opt::Int(n) => Ok(n.to_string()),
        Opt::Num(n) => Ok(n.to_string()),
        other => Err(format!("got {}", other.describe())),
    }
}

fn with_got<T>(o: &Opt, r: Result<T, String>, what: &str) -> Result<T, String> {
    r.map_err(|e| if e.contains("got ") { e } else { format!("{what}, got {}", o.describe()) })
}

fn rate_parse(o: &Opt) -> Result<u64, String> {
    let s = opt_text(o).map_err(|_| format!("{}, got {}", RATE.expected, o.describe()))?;
    units::parse_rate(&s)
}
fn rate_format(v: u64) -> Opt {
    Opt::Str(units::exact_rate(v))
}
/// A rate in bytes per second ("1mbit").
pub const RATE: Unit = Unit { parse: rate_parse, format: rate_format, expected: "a rate like \"1mbit\"" };

fn size_parse(o: &Opt) -> Result<u64, String> {
    let s = opt_text(o).map_err(|_| format!("{}, got {}", SIZE.expected, o.describe()))?;
    units::parse_size(&s).map(u64::from)
}
fn size_format(v: u64) -> Opt {
    Opt::Str(units::exact_size(v as u32))
}
/// A size in bytes ("32kb").
pub const SIZE: Unit = Unit { parse: size_parse, format: size_format, expected: "a size like \"32kb\"" };

fn time_parse(o: &Opt) -> Result<u64, String> {
    let s = opt_text(o).map_err(|_| format!("{}, got {}", TIME.expected, o.describe()))?;
    units::parse_time(&s).map(u64::from)
}
fn time_format(v: u64) -> Opt {
    Opt::Str(units::exact_time(v as u32))
}
/// A time in microseconds ("5ms").
pub const TIME: Unit = Unit { parse: time_parse, format: time_format, expected: "a time like \"5ms\"" };

fn time64_parse(o: &Opt) -> Result<u64, String> {
    let s = opt_text(o).map_err(|_| format!("{}, got {}", TIME64.expected, o.describe()))?;
    units::parse_time64(&s)
}
fn time64_format(v: u64) -> Opt {
    Opt::Str(units::exact_time64(v))
}
/// A time in nanoseconds ("10us").
pub const TIME64: Unit = Unit { parse: time64_parse, format: time64_format, expected: "a time like \"10us\"" };

fn percent_parse(o: &Opt) -> Result<u64, String> {
    let s = opt_text(o).map_err(|_| format!("{}, got {}", PERCENT.expected, o.describe()))?;
    with_got(o, units::parse_percent_u32(&s).map(u64::from), PERCENT.expected)
}
fn percent_format(v: u64) -> Opt {
    Opt::Str(units::exact_percent(v as u32))
}
/// A probability scaled to 32 bits ("1%").
pub const PERCENT: Unit = Unit { parse: percent_parse, format: percent_format, expected: "a percentage like \"1%\"" };

// ---------------------------------------------------------------------------
// Messages

/// struct tcmsg.
pub static TCMSG: StructDef = StructDef {
    name: "tcmsg",
    size: 20,
    fields: &[
        Field::new("family", 0, U8),
        Field::new("ifindex", 4, I32),
        Field::new("handle", 8, U32),
        Field::new("parent", 12, U32),
        Field::new("info", 16, U32),
    ],
};

/// `TCA_KIND`: traffic control attribute (`<linux/rtnetlink.h>`).
pub const TCA_KIND: u16 = 1;
/// `TCA_OPTIONS`: traffic control attribute (`<linux/rtnetlink.h>`).
pub const TCA_OPTIONS: u16 = 2;
/// `TCA_STATS`: traffic control attribute (`<linux/rtnetlink.h>`).
pub const TCA_STATS: u16 = 3;
/// `TCA_XSTATS`: traffic control attribute (`<linux/rtnetlink.h>`).
pub const TCA_XSTATS: u16 = 4;
/// `TCA_RATE`: traffic control attribute (`<linux/rtnetlink.h>`).
pub const TCA_RATE: u16 = 5;
/// `TCA_STATS2`: traffic control attribute (`<linux/rtnetlink.h>`).
pub const TCA_STATS2: u16 = 7;
/// `TCA_STAB`: traffic control attribute (`<linux/rtnetlink.h>`).
pub const TCA_STAB: u16 = 8;
/// `TCA_DUMP_INVISIBLE`: traffic control attribute (`<linux/rtnetlink.h>`).
pub const TCA_DUMP_INVISIBLE: u16 = 10;
/// `TCA_CHAIN`: traffic control attribute (`<linux/rtnetlink.h>`).
pub const TCA_CHAIN: u16 = 11;
/// `TCA_HW_OFFLOAD`: traffic control attribute (`<linux/rtnetlink.h>`).
pub const TCA_HW_OFFLOAD: u16 = 12;
/// `TCA_INGRESS_BLOCK`: traffic control attribute (`<linux/rtnetlink.h>`).
pub const TCA_INGRESS_BLOCK: u16 = 13;
/// `TCA_EGRESS_BLOCK`: traffic control attribute (`<linux/rtnetlink.h>`).
pub const TCA_EGRESS_BLOCK: u16 = 14;

/// struct tc_stats (the old TCA_STATS).
pub static TC_STATS: StructDef = StructDef {
    name: "tc_stats",
    size: 36,
    fields: &[
        Field::new("bytes", 0, U64),
        Field::new("packets", 8, U32),
        Field::new("drops", 12, U32),
        Field::new("overlimits", 16, U32),
        Field::new("bps", 20, U32),
        Field::new("pps", 24, U32),
        Field::new("qlen", 28, U32),
        Field::new("backlog", 32, U32),
    ],
};

/// struct tc_estimator (TCA_RATE).
pub static TC_ESTIMATOR: StructDef =
    StructDef { name: "tc_estimator", size: 2, fields: &[Field::new("interval", 0, U8), Field::new("ewma_log", 1, U8)] };

/// struct gnet_stats_basic (the kernel sends it padded to 16 bytes).
pub static GNET_STATS_BASIC: StructDef =
    StructDef { name: "gnet_stats_basic", size: 12, fields: &[Field::new("bytes", 0, U64), Field::new("packets", 8, U32)] };

/// struct gnet_stats_rate_est.
pub static GNET_STATS_RATE_EST: StructDef =
    StructDef { name: "gnet_stats_rate_est", size: 8, fields: &[Field::new("bps", 0, U32), Field::new("pps", 4, U32)] };

/// struct gnet_stats_rate_est64.
pub static GNET_STATS_RATE_EST64: StructDef =
    StructDef { name: "gnet_stats_rate_est64", size: 16, fields: &[Field::new("bps", 0, U64), Field::new("pps", 8, U64)] };

/// struct gnet_stats_queue.
pub static GNET_STATS_QUEUE: StructDef = StructDef {
    name: "gnet_stats_queue",
    size: 20,
    fields: &[
        Field::new("qlen", 0, U32),
        Field::new("backlog", 4, U32),
        Field::new("drops", 8, U32),
        Field::new("requeues", 12, U32),
        Field::new("overlimits", 16, U32),
    ],
};

/// `TCA_STATS_BASIC`: statistics attribute (`<linux/gen_stats.h>`).
pub const TCA_STATS_BASIC: u16 = 1;
/// `TCA_STATS_RATE_EST`: statistics attribute (`<linux/gen_stats.h>`).
pub const TCA_STATS_RATE_EST: u16 = 2;
/// `TCA_STATS_QUEUE`: statistics attribute (`<linux/gen_stats.h>`).
pub const TCA_STATS_QUEUE: u16 = 3;
/// `TCA_STATS_APP`: statistics attribute (`<linux/gen_stats.h>`).
pub const TCA_STATS_APP: u16 = 4;
/// `TCA_STATS_RATE_EST64`: statistics attribute (`<linux/gen_stats.h>`).
pub const TCA_STATS_RATE_EST64: u16 = 5;
/// `TCA_STATS_PKT64`: statistics attribute (`<linux/gen_stats.h>`).
pub const TCA_STATS_PKT64: u16 = 8;

/// TCA_STATS_* (inside TCA_STATS2).
pub static STATS2: AttrSet = AttrSet {
    name: "stats2",
    attrs: &[
        a(TCA_STATS_BASIC, "basic", Struct(&GNET_STATS_BASIC)),
        a(TCA_STATS_RATE_EST, "rate_est", Struct(&GNET_STATS_RATE_EST)),
        a(TCA_STATS_QUEUE, "queue", Struct(&GNET_STATS_QUEUE)),
        a(TCA_STATS_APP, "app", Bytes),
        a(TCA_STATS_RATE_EST64, "rate_est64", Struct(&GNET_STATS_RATE_EST64)),
        a(6, "pad", Bytes),
        a(7, "basic_hw", Struct(&GNET_STATS_BASIC)),
        a(TCA_STATS_PKT64, "pkt64", U64),
    ],
};

/// struct tc_sizespec (TCA_STAB_BASE).
pub static TC_SIZESPEC: StructDef = StructDef {
    name: "tc_sizespec",
    size: 24,
    fields: &[
        Field::new("cell_log", 0, U8),
        Field::new("size_log", 1, U8),
        Field::new("cell_align", 2, U16),
        Field::new("overhead", 4, I32),
        Field::new("linklayer", 8, U32),
        Field::new("mpu", 12, U32),
        Field::new("mtu", 16, U32),
        Field::new("tsize", 20, U32),
    ],
};

/// TCA_STAB_*.
pub static STAB: AttrSet =
    AttrSet { name: "stab", attrs: &[a(1, "base", Struct(&TC_SIZESPEC)), a(2, "data", Bytes)] };

/// The TCA_* rows of a qdisc, class or filter message; they differ only in
/// which kinds TCA_OPTIONS dispatches to.
const fn tca_attrs(options: &'static Dispatch) -> [AttrDef; 16] {
    [
        a(TCA_KIND, "kind", Str),
        a(TCA_OPTIONS, "options", ByKind(options)),
        a(TCA_STATS, "stats", Struct(&TC_STATS)).read_only(),
        a(TCA_XSTATS, "xstats", Bytes).read_only(),
        a(TCA_RATE, "estimator", Struct(&TC_ESTIMATOR)),
        a(6, "fcnt", U32).read_only(),
        a(TCA_STATS2, "stats2", Nested(&STATS2)).read_only(),
        a(TCA_STAB, "stab", Nested(&STAB)),
        a(9, "pad", Bytes).read_only(),
        a(TCA_DUMP_INVISIBLE, "dump_invisible", Flag),
        a(TCA_CHAIN, "chain", U32),
        a(TCA_HW_OFFLOAD, "hw_offload", Bool).read_only(),
        a(TCA_INGRESS_BLOCK, "ingress_block", U32),
        a(TCA_EGRESS_BLOCK, "egress_block", U32),
        a(15, "dump_flags", Bytes),
        a(16, "ext_warn_msg", Str).read_only(),
    ]
}

static QDISC_ATTRS: [AttrDef; 16] = tca_attrs(&QDISC_KINDS);
static CLASS_ATTRS: [AttrDef; 16] = tca_attrs(&CLASS_KINDS);
static FILTER_ATTRS: [AttrDef; 16] = tca_attrs(&super::tc_filter::FILTER_KINDS);

/// TCA_* of a qdisc message.
pub static QDISC: AttrSet = AttrSet { name: "qdisc", attrs: &QDISC_ATTRS };
/// TCA_* of a class message.
pub static CLASS: AttrSet = AttrSet { name: "class", attrs: &CLASS_ATTRS };
/// TCA_* of a filter message.
pub static FILTER: AttrSet = AttrSet { name: "filter", attrs: &FILTER_ATTRS };

/// TCA_OPTIONS of each qdisc kind.
pub static QDISC_KINDS: Dispatch = Dispatch {
    selector: TCA_KIND,
    cases: &[
        ("netem", StructThen(&super::tc_netem::NETEM_QOPT, &super::tc_netem::NETEM)),
        ("tbf", Nested(&TBF)),
        ("htb", Nested(&HTB)),
        ("pfifo", Struct(&FIFO_QOPT)),
        ("bfifo", Struct(&BFIFO_QOPT)),
        ("pfifo_head_drop", Struct(&FIFO_QOPT)),
        ("prio", StructThen(&PRIO_QOPT, &PRIO_COMPAT)),
        ("pfifo_fast", Struct(&PRIO_QOPT)),
        ("sfq", Struct(&SFQ_QOPT)),
        ("fq_codel", Nested(&FQ_CODEL)),
        ("codel", Nested(&CODEL)),
        ("fq", Nested(&FQ)),
        ("ingress", Nested(&EMPTY)),
        ("clsact", Nested(&EMPTY)),
        ("noqueue", Nested(&EMPTY)),
        ("mq", Nested(&EMPTY)),
    ],
};

/// TCA_OPTIONS of each class kind (the classful qdiscs' class options).
pub static CLASS_KINDS: Dispatch = Dispatch { selector: TCA_KIND, cases: &[("htb", Nested(&HTB))] };

/// Kinds without options.
pub static EMPTY: AttrSet = AttrSet { name: "none", attrs: &[] };

/// struct tc_fifo_qopt: packets for pfifo, bytes for bfifo.
pub static FIFO_QOPT: StructDef = StructDef { name: "tc_fifo_qopt", size: 4, fields: &[Field::new("limit", 0, U32)] };

/// struct tc_fifo_qopt of bfifo: the limit is bytes.
pub static BFIFO_QOPT: StructDef =
    StructDef { name: "tc_fifo_qopt", size: 4, fields: &[Field::new("limit", 0, U32).unit(SIZE)] };

/// struct tc_prio_qopt (prio; pfifo_fast reports its fixed map with it).
pub static PRIO_QOPT: StructDef = StructDef {
    name: "tc_prio_qopt",
    size: 20,
    fields: &[Field::new("bands", 0, I32), Field::bytes("priomap", 4, Bytes, 16)],
};

/// What tc nests after prio's struct (addattr_nest_compat): TCA_PRIO_*.
pub static PRIO_COMPAT: AttrSet = AttrSet { name: "prio_compat", attrs: &[a(2, "nest", Nested(&PRIO))] };
/// TCA_PRIO_*.
pub static PRIO: AttrSet = AttrSet { name: "prio", attrs: &[a(1, "multiqueue", Flag)] };

/// struct tc_sfq_qopt_v1 (tc sends the whole v1 struct).
pub static SFQ_QOPT: StructDef = StructDef {
    name: "tc_sfq_qopt_v1",
    size: 72,
    fields: &[
        Field::new("quantum", 0, U32).unit(SIZE),
        Field::new("perturb", 4, I32),
        Field::new("limit", 8, U32),
        Field::new("divisor", 12, U32),
        Field::new("flows", 16, U32),
        Field::new("depth", 20, U32),
        Field::new("headdrop", 24, U32),
        Field::new("redflowlimit", 28, U32),
        Field::new("min", 32, U32),
        Field::new("max", 36, U32),
        Field::new("wlog", 40, U8),
        Field::new("plog", 41, U8),
        Field::new("scell_log", 42, U8),
        Field::new("flags", 43, U8),
        Field::new("max_p", 44, U32),
        Field::new("prob_drop", 48, U32),
        Field::new("forced_drop", 52, U32),
        Field::new("prob_mark", 56, U32),
        Field::new("forced_mark", 60, U32),
        Field::new("prob_mark_head", 64, U32),
        Field::new("forced_mark_head", 68, U32),
    ],
};

/// TCA_FQ_CODEL_*, in the order tc emits them.
pub static FQ_CODEL: AttrSet = AttrSet {
    name: "fq_codel",
    attrs: &[
        a(2, "limit", U32),
        a(5, "flows", U32),
        a(6, "quantum", U32),
        a(3, "interval", U32).unit(TIME),
        a(1, "target", U32).unit(TIME),
        a(4, "ecn", Bool32),
        a(7, "ce_threshold", U32).unit(TIME),
        a(11, "ce_threshold_mask", U8),
        a(10, "ce_threshold_selector", U8),
        a(9, "memory_limit", U32).unit(SIZE),
        a(8, "drop_batch", U32),
    ],
};

/// TCA_CODEL_*, in the order tc emits them.
pub static CODEL: AttrSet = AttrSet {
    name: "codel",
    attrs: &[
        a(2, "limit", U32),
        a(3, "interval", U32).unit(TIME),
        a(1, "target", U32).unit(TIME),
        a(4, "ecn", Bool32),
        a(5, "ce_threshold", U32).unit(TIME),
    ],
};

/// `TCA_FQ_BUCKETS_LOG`: fq attribute (`<linux/pkt_sched.h>`); tc's `buckets` is 2 to its power.
pub const TCA_FQ_BUCKETS_LOG: u16 = 8;

/// TCA_FQ_*, in the order tc emits them.
pub static FQ: AttrSet = AttrSet {
    name: "fq",
    attrs: &[
        a(TCA_FQ_BUCKETS_LOG, "buckets_log", U32),
        a(1, "limit", U32),
        a(2, "flow_limit", U32),
        a(3, "quantum", U32).unit(SIZE),
        a(4, "initial_quantum", U32).unit(SIZE),
        a(5, "pacing", Bool32),
        a(7, "maxrate", U32).unit(RATE),
        a(11, "low_rate_threshold", U32).unit(RATE),
        a(6, "defrate", U32).unit(RATE),
        a(9, "refill_delay", U32).unit(TIME),
        a(10, "orphan_mask", U32),
        a(12, "ce_threshold", U32).unit(TIME),
        a(13, "timer_slack", U32).unit(TIME64),
        a(14, "horizon", U32).unit(TIME),
        a(15, "horizon_drop", Bool),
    ],
};

/// A u32 that means true/false (several qdiscs' flags).
#[allow(non_upper_case_globals)]
const Bool32: super::Type = U32;

/// struct tc_tbf_qopt (ratespecs flattened; see engine::tc::core::RateSpec).
pub static TBF_QOPT: StructDef = StructDef {
    name: "tc_tbf_qopt",
    size: 36,
    fields: &[
        Field::new("rate_cell_log", 0, U8),
        Field::new("rate_linklayer", 1, U8),
        Field::new("rate_overhead", 2, U16),
        Field::new("rate_cell_align", 4, U16),
        Field::new("rate_mpu", 6, U16),
        Field::new("rate", 8, U32),
        Field::new("peak_cell_log", 12, U8),
        Field::new("peak_linklayer", 13, U8),
        Field::new("peak_overhead", 14, U16),
        Field::new("peak_cell_align", 16, U16),
        Field::new("peak_mpu", 18, U16),
        Field::new("peakrate", 20, U32),
        Field::new("limit", 24, U32),
        Field::new("buffer", 28, U32),
        Field::new("mtu", 32, U32),
    ],
};

/// `TCA_TBF_PARMS`: tbf attribute (`<linux/pkt_sched.h>`).
pub const TCA_TBF_PARMS: u16 = 1;
/// `TCA_TBF_RTAB`: tbf attribute (`<linux/pkt_sched.h>`).
pub const TCA_TBF_RTAB: u16 = 2;
/// `TCA_TBF_PTAB`: tbf attribute (`<linux/pkt_sched.h>`).
pub const TCA_TBF_PTAB: u16 = 3;
/// `TCA_TBF_RATE64`: tbf attribute (`<linux/pkt_sched.h>`).
pub const TCA_TBF_RATE64: u16 = 4;
/// `TCA_TBF_PRATE64`: tbf attribute (`<linux/pkt_sched.h>`).
pub const TCA_TBF_PRATE64: u16 = 5;
/// `TCA_TBF_BURST`: tbf attribute (`<linux/pkt_sched.h>`).
pub const TCA_TBF_BURST: u16 = 6;
/// `TCA_TBF_PBURST`: tbf attribute (`<linux/pkt_sched.h>`).
pub const TCA_TBF_PBURST: u16 = 7;

/// TCA_TBF_*.
pub static TBF: AttrSet = AttrSet {
    name: "tbf",
    attrs: &[
        a(TCA_TBF_PARMS, "parms", Struct(&TBF_QOPT)),
        a(TCA_TBF_RTAB, "rtab", Bytes),
        a(TCA_TBF_PTAB, "ptab", Bytes),
        a(TCA_TBF_RATE64, "rate64", U64),
        a(TCA_TBF_PRATE64, "prate64", U64),
        a(TCA_TBF_BURST, "burst", U32),
        a(TCA_TBF_PBURST, "pburst", U32),
        a(8, "pad", Bytes),
    ],
};

/// struct tc_htb_glob (the qdisc).
pub static HTB_GLOB: StructDef = StructDef {
    name: "tc_htb_glob",
    size: 20,
    fields: &[
        Field::new("version", 0, U32),
        Field::new("r2q", 4, U32),
        Field::new("default", 8, U32),
        Field::new("debug", 12, U32),
        Field::new("direct_packets_stat", 16, U32),
    ],
};

/// struct tc_htb_opt (a class; ratespecs flattened).
pub static HTB_OPT: StructDef = StructDef {
    name: "tc_htb_opt",
    size: 44,
    fields: &[
        Field::new("rate_cell_log", 0, U8),
        Field::new("rate_linklayer", 1, U8),
        Field::new("rate_overhead", 2, U16),
        Field::new("rate_cell_align", 4, U16),
        Field::new("rate_mpu", 6, U16),
        Field::new("rate", 8, U32),
        Field::new("ceil_cell_log", 12, U8),
        Field::new("ceil_linklayer", 13, U8),
        Field::new("ceil_overhead", 14, U16),
        Field::new("ceil_cell_align", 16, U16),
        Field::new("ceil_mpu", 18, U16),
        Field::new("ceil", 20, U32),
        Field::new("buffer", 24, U32),
        Field::new("cbuffer", 28, U32),
        Field::new("quantum", 32, U32),
        Field::new("level", 36, U32),
        Field::new("prio", 40, U32),
    ],
};

/// `TCA_HTB_PARMS`: htb attribute (`<linux/pkt_sched.h>`).
pub const TCA_HTB_PARMS: u16 = 1;
/// `TCA_HTB_INIT`: htb attribute (`<linux/pkt_sched.h>`).
pub const TCA_HTB_INIT: u16 = 2;
/// `TCA_HTB_CTAB`: htb attribute (`<linux/pkt_sched.h>`).
pub const TCA_HTB_CTAB: u16 = 3;
/// `TCA_HTB_RTAB`: htb attribute (`<linux/pkt_sched.h>`).
pub const TCA_HTB_RTAB: u16 = 4;
/// `TCA_HTB_DIRECT_QLEN`: htb attribute (`<linux/pkt_sched.h>`).
pub const TCA_HTB_DIRECT_QLEN: u16 = 5;
/// `TCA_HTB_RATE64`: htb attribute (`<linux/pkt_sched.h>`).
pub const TCA_HTB_RATE64: u16 = 6;
/// `TCA_HTB_CEIL64`: htb attribute (`<linux/pkt_sched.h>`).
pub const TCA_HTB_CEIL64: u16 = 7;
/// `TCA_HTB_OFFLOAD`: htb attribute (`<linux/pkt_sched.h>`).
pub const TCA_HTB_OFFLOAD: u16 = 9;

/// TCA_HTB_* (qdisc and classes).
pub static HTB: AttrSet = AttrSet {
    name: "htb",
    attrs: &[
        a(TCA_HTB_PARMS, "parms", Struct(&HTB_OPT)),
        a(TCA_HTB_INIT, "init", Struct(&HTB_GLOB)),
        a(TCA_HTB_CTAB, "ctab", Bytes),
        a(TCA_HTB_RTAB, "rtab", Bytes),
        a(TCA_HTB_DIRECT_QLEN, "direct_qlen", U32),
        a(TCA_HTB_RATE64, "rate64", U64),
        a(TCA_HTB_CEIL64, "ceil64", U64),
        a(8, "pad", Bytes),
        a(TCA_HTB_OFFLOAD, "offload", Flag),
    ],
};

/// struct tc_htb_xstats (a class's TCA_XSTATS / TCA_STATS_APP).
pub static HTB_XSTATS: StructDef = StructDef {
    name: "tc_htb_xstats",
    size: 20,
    fields: &[
        Field::new("lends", 0, U32),
        Field::new("borrows", 4, U32),
        Field::new("giants", 8, U32),
        Field::new("tokens", 12, I32),
        Field::new("ctokens", 16, I32),
    ],
};

/// Every attribute set of the tc tables (for tests that check the tables).
pub fn all_sets() -> &'static [&'static AttrSet] {
    static ALL: &[&AttrSet] = &[
        &QDISC, &CLASS, &FILTER, &STATS2, &STAB, &PRIO_COMPAT, &PRIO, &FQ_CODEL, &CODEL, &FQ, &TBF, &HTB,
        &super::tc_netem::NETEM, &super::tc_netem::NETEM_LOSS,
    ];
    ALL
}
