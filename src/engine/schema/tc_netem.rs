//! netem's tables (TCA_OPTIONS of kind "netem": struct tc_netem_qopt then
//! TCA_NETEM_* attributes), ids from <linux/pkt_sched.h>. The words users
//! write are computed from these by `engine::tc::netem`.

use super::Type::*;
use super::tc::{PERCENT, RATE};
use super::{AttrSet, Field, StructDef, a};

/// struct tc_netem_qopt (latency and jitter in scheduler ticks).
pub static NETEM_QOPT: StructDef = StructDef {
    name: "tc_netem_qopt",
    size: 24,
    fields: &[
        Field::new("latency", 0, U32),
        Field::new("limit", 4, U32),
        Field::new("loss", 8, U32).unit(PERCENT),
        Field::new("gap", 12, U32),
        Field::new("duplicate", 16, U32).unit(PERCENT),
        Field::new("jitter", 20, U32),
    ],
};

/// struct tc_netem_corr.
pub static NETEM_CORR: StructDef = StructDef {
    name: "tc_netem_corr",
    size: 12,
    fields: &[
        Field::new("delay_corr", 0, U32).unit(PERCENT),
        Field::new("loss_corr", 4, U32).unit(PERCENT),
        Field::new("dup_corr", 8, U32).unit(PERCENT),
    ],
};

/// struct tc_netem_reorder / tc_netem_corrupt.
pub static NETEM_PROB: StructDef = StructDef {
    name: "tc_netem_prob",
    size: 8,
    fields: &[Field::new("probability", 0, U32).unit(PERCENT), Field::new("correlation", 4, U32).unit(PERCENT)],
};

/// struct tc_netem_rate.
pub static NETEM_RATE: StructDef = StructDef {
    name: "tc_netem_rate",
    size: 16,
    fields: &[
        Field::new("rate", 0, U32).unit(RATE),
        Field::new("packet_overhead", 4, I32),
        Field::new("cell_size", 8, U32),
        Field::new("cell_overhead", 12, I32),
    ],
};

/// struct tc_netem_slot.
pub static NETEM_SLOT: StructDef = StructDef {
    name: "tc_netem_slot",
    size: 40,
    fields: &[
        Field::new("min_delay", 0, I64),
        Field::new("max_delay", 8, I64),
        Field::new("max_packets", 16, I32),
        Field::new("max_bytes", 20, I32),
        Field::new("dist_delay", 24, I64),
        Field::new("dist_jitter", 32, I64),
    ],
};

/// struct tc_netem_gimodel (4-state loss).
pub static NETEM_GIMODEL: StructDef = StructDef {
    name: "tc_netem_gimodel",
    size: 20,
    fields: &[
        Field::new("p13", 0, U32).unit(PERCENT),
        Field::new("p31", 4, U32).unit(PERCENT),
        Field::new("p32", 8, U32).unit(PERCENT),
        Field::new("p14", 12, U32).unit(PERCENT),
        Field::new("p23", 16, U32).unit(PERCENT),
    ],
};

/// struct tc_netem_gemodel (Gilbert-Elliot loss).
pub static NETEM_GEMODEL: StructDef = StructDef {
    name: "tc_netem_gemodel",
    size: 16,
    fields: &[
        Field::new("p", 0, U32).unit(PERCENT),
        Field::new("r", 4, U32).unit(PERCENT),
        Field::new("h", 8, U32).unit(PERCENT),
        Field::new("k1", 12, U32).unit(PERCENT),
    ],
};

/// NETEM_LOSS_*.
pub static NETEM_LOSS: AttrSet = AttrSet {
    name: "netem_loss",
    attrs: &[a(1, "state", Struct(&NETEM_GIMODEL)), a(2, "gemodel", Struct(&NETEM_GEMODEL))],
};

/// `TCA_NETEM_CORR`: netem attribute (`<linux/pkt_sched.h>`).
pub const TCA_NETEM_CORR: u16 = 1;
/// `TCA_NETEM_DELAY_DIST`: netem attribute (`<linux/pkt_sched.h>`).
pub const TCA_NETEM_DELAY_DIST: u16 = 2;
/// `TCA_NETEM_REORDER`: netem attribute (`<linux/pkt_sched.h>`).
pub const TCA_NETEM_REORDER: u16 = 3;
/// `TCA_NETEM_CORRUPT`: netem attribute (`<linux/pkt_sched.h>`).
pub const TCA_NETEM_CORRUPT: u16 = 4;
/// `TCA_NETEM_LOSS`: netem attribute (`<linux/pkt_sched.h>`).
pub const TCA_NETEM_LOSS: u16 = 5;
/// `TCA_NETEM_RATE`: netem attribute (`<linux/pkt_sched.h>`).
pub const TCA_NETEM_RATE: u16 = 6;
/// `TCA_NETEM_ECN`: netem attribute (`<linux/pkt_sched.h>`).
pub const TCA_NETEM_ECN: u16 = 7;
/// `TCA_NETEM_RATE64`: netem attribute (`<linux/pkt_sched.h>`).
pub const TCA_NETEM_RATE64: u16 = 8;
/// `TCA_NETEM_LATENCY64`: netem attribute (`<linux/pkt_sched.h>`).
pub const TCA_NETEM_LATENCY64: u16 = 10;
/// `TCA_NETEM_JITTER64`: netem attribute (`<linux/pkt_sched.h>`).
pub const TCA_NETEM_JITTER64: u16 = 11;
/// `TCA_NETEM_SLOT`: netem attribute (`<linux/pkt_sched.h>`).
pub const TCA_NETEM_SLOT: u16 = 12;
/// `TCA_NETEM_SLOT_DIST`: netem attribute (`<linux/pkt_sched.h>`).
pub const TCA_NETEM_SLOT_DIST: u16 = 13;

/// TCA_NETEM_* (after struct tc_netem_qopt).
pub static NETEM: AttrSet = AttrSet {
    name: "netem",
    attrs: &[
        a(TCA_NETEM_CORR, "corr", Struct(&NETEM_CORR)),
        a(TCA_NETEM_DELAY_DIST, "delay_dist", Bytes),
        a(TCA_NETEM_REORDER, "reorder", Struct(&NETEM_PROB)),
        a(TCA_NETEM_CORRUPT, "corrupt", Struct(&NETEM_PROB)),
        a(TCA_NETEM_LOSS, "loss", Nested(&NETEM_LOSS)).nested_flag(),
        a(TCA_NETEM_RATE, "rate", Struct(&NETEM_RATE)),
        a(TCA_NETEM_ECN, "ecn", U32),
        a(TCA_NETEM_RATE64, "rate64", U64),
        a(9, "pad", Bytes),
        a(TCA_NETEM_LATENCY64, "latency64", I64),
        a(TCA_NETEM_JITTER64, "jitter64", I64),
        a(TCA_NETEM_SLOT, "slot", Struct(&NETEM_SLOT)),
        a(TCA_NETEM_SLOT_DIST, "slot_dist", Bytes),
    ],
};
