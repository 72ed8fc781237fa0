---@meta
-- Type stubs for the `qdisc` module and the Qdisc userdata (LuaLS).
-- Units are tc(8)'s: rates "1mbit", "100kbit", "10MBps" (bytes), a bare number
-- is bits/s; sizes "32kb", "1mb", "1500b", bare = bytes; times "100ms",
-- "1.5s", "250us", bare = µs; percentages "1%", "0.5%", bare = percent.
-- Handles "1:", "ffff:"; parents "root", "ingress", "clsact", "1:10".

---Example: `for _, q in ipairs(qdisc.list{dev = "v0"}) do print(q.kind, q.handle, q.parent, q.stats.drops) end`
---@class Qdisc
---@field dev string the device's name
---@field ifindex integer
---@field kind string "htb", "tbf", "netem", "pfifo", "ingress", ...
---@field handle string "1:"
---@field parent string "root", "ffff:fff1" (ingress/clsact) or the class "1:10"
---@field refcnt integer the kernel's reference count (tcm_info)
---@field options QdiscOpts the qdisc.add table that recreates it (dev, parent, handle, kind and the kind's options)
---@field stats TcStats
local Qdisc = {}
---Delete this qdisc.
---Example: `qdisc.list{dev = "v0", parent = "root"}[1]:del()`
function Qdisc:del() end
---Change options in place (`tc qdisc change`); what is not given stays.
---Example: `qdisc.list{dev = "v0", kind = "tbf"}[1]:change{rate = "2mbit"}`
---@param opts table
---@return Qdisc
function Qdisc:change(opts) end
---Replace with these options merged over the current ones (`tc qdisc replace`).
---Example: `qdisc.list{dev = "v0", kind = "tbf"}[1]:replace{rate = "5mbit"}`
---@param opts table
---@return Qdisc
function Qdisc:replace(opts) end
---Read the qdisc again.
---Example: `local q = qdisc.list{dev = "v0"}[1]; print(q:refresh().stats.packets)`
---@return Qdisc
function Qdisc:refresh() end
---The `tc qdisc show` line; `{stats=true}` adds the `tc -s` lines.
---Example: `print(qdisc.list{dev = "v0"}[1]:show{stats = true})`
---@param opts? {stats?: boolean}
---@return string
function Qdisc:show(opts) end
---JSON like an object of `tc -s -j qdisc show`.
---Example: `print(qdisc.list{dev = "v0"}[1]:json())`
---@return string
function Qdisc:json() end

---Example: `local s = link.get("v0"):qdiscs()[1].stats; print(s.bytes, s.packets, s.drops, s.backlog)`
---@class TcStats
---@field bytes integer
---@field packets integer
---@field drops integer
---@field overlimits integer
---@field requeues integer
---@field backlog integer bytes queued
---@field qlen integer packets queued
---@field rate_bps integer the rate estimator's bytes/s (0 without an `estimator`)
---@field rate_pps integer the rate estimator's packets/s
---@field lends? integer htb classes: packets sent within the class's rate
---@field borrows? integer htb classes: packets sent by borrowing
---@field giants? integer
---@field tokens? integer
---@field ctokens? integer

---Example: `qdisc.replace{dev = "v0", parent = "root", handle = "1:", kind = "tbf", rate = "1mbit", burst = "32kb", latency = "50ms"}`
---@class QdiscOpts
---@field dev? string|integer|Link required, except in a Link's methods (`l:qdisc_add{}`); a Link acts in the Link's namespace
---@field parent? string "root" (default), "ingress", "clsact", "1:10"
---@field handle? string "1:" (the kernel picks one when absent)
---@field kind? string required to add or replace
---@field estimator? {interval: string, time_const: string} a rate estimator ("250ms", "1s"; tc's `estimator`): stats get rate_bps/rate_pps
---@field ingress_block? integer
---@field egress_block? integer
---@field raw? string TCA_OPTIONS as bytes, for kinds nlua has no table for
---netem
---@field limit? integer|string packets (netem, pfifo); bytes for bfifo ("64kb")
---@field delay? string "100ms"
---@field jitter? string "10ms"
---@field delay_corr? string "25%"
---@field distribution? string "normal", "pareto", "paretonormal", "uniform" or a .dist file
---@field loss? string random loss "1%"
---@field loss_corr? string
---@field loss_state? {p13: string, p31?: string, p32?: string, p23?: string, p14?: string} 4-state loss
---@field loss_gemodel? {p: string, r?: string, ["1-h"]?: string, ["1-k"]?: string} Gilbert-Elliot loss
---@field duplicate? string
---@field duplicate_corr? string
---@field corrupt? string
---@field corrupt_corr? string
---@field reorder? string needs delay
---@field reorder_corr? string
---@field gap? integer
---@field rate? string netem/tbf rate "1mbit"
---@field packet_overhead? integer
---@field cell_size? integer
---@field cell_overhead? integer
---@field slot? {min_delay?: string, max_delay?: string, distribution?: string, delay?: string, jitter?: string, packets?: integer, bytes?: string}
---@field ecn? boolean netem (needs a loss model), fq_codel, codel
---tbf
---@field burst? string "32kb" (tbf, htb classes), optionally "/cell"
---@field latency? string "50ms" (or limit)
---@field peakrate? string
---@field mtu? string|integer
---@field mpu? string|integer
---@field overhead? integer
---@field linklayer? string "ethernet", "atm", "adsl"
---htb
---@field default? string|integer minor of the default class: "10" (hex as tc reads it), "0x10", "1:10"
---@field r2q? integer
---@field direct_qlen? integer
---@field offload? boolean
---prio
---@field bands? integer
---@field priomap? integer[] up to 16 bands
---@field multiqueue? boolean
---fq_codel / codel / fq / sfq: the kernel's attribute names (mostly tc's), e.g.
---@field target? string
---@field interval? string
---@field flows? integer
---@field quantum? integer|string
---@field memory_limit? string
---@field drop_batch? integer
---@field ce_threshold? string
---@field flow_limit? integer
---@field initial_quantum? integer|string
---@field pacing? boolean fq: false is tc's nopacing
---@field maxrate? string
---@field buckets? integer fq: a power of two (tc's word; lists as this)
---@field buckets_log? integer fq: the kernel's log2 of buckets
---@field refill_delay? string
---@field orphan_mask? integer
---@field perturb? integer
---@field divisor? integer
---@field depth? integer
---@field headdrop? boolean sfq

---Queueing disciplines, as `tc qdisc`, in tc(8)'s words and units. See docs/tc.md.
qdisc = {}
---Example: `for _, q in ipairs(qdisc.list{dev = "v0"}) do print(q) end`
---@param filter? {dev?: string|integer|Link, parent?: string, handle?: string, kind?: string}
---@return Qdisc[]
function qdisc.list(filter) end
---`tc qdisc add`; EEXIST when one is in the place (use replace).
---Example: `qdisc.add{dev = "v0", parent = "root", handle = "1:", kind = "htb", default = "10"}`
---@param opts QdiscOpts
---@return Qdisc
function qdisc.add(opts) end
---`tc qdisc replace`: add, or take the place of what is there.
---Example: `qdisc.replace{dev = "v0", kind = "netem", delay = "100ms", jitter = "10ms", loss = "1%"}`
---@param opts QdiscOpts
---@return Qdisc
function qdisc.replace(opts) end
---`tc qdisc change`: new options for an existing qdisc.
---Example: `qdisc.change{dev = "v0", handle = "1:", kind = "tbf", rate = "2mbit", burst = "32kb", latency = "50ms"}`
---@param opts QdiscOpts
---@return Qdisc
function qdisc.change(opts) end
---Example: `qdisc.del{dev = "v0", parent = "root"}`
---@param q QdiscOpts|Qdisc {dev=, parent=} or {dev=, handle=}, or a Qdisc
function qdisc.del(q) end

-- Methods this module adds to Link and Handle (their classes merge across stub files).
---@class Link
local Link = {}
---The qdiscs of this link.
---Example: `for _, q in ipairs(link.get("v0"):qdiscs()) do print(q) end`
---@param filter? {parent?: string, handle?: string, kind?: string}
---@return Qdisc[]
function Link:qdiscs(filter) end
---qdisc.add with `dev` set to this link (in its namespace).
---Example: `link.get("v0"):qdisc_add{kind = "ingress"}`
---@param opts QdiscOpts
---@return Qdisc
function Link:qdisc_add(opts) end
---Example: `link.get("v0"):qdisc_replace{handle = "1:", kind = "pfifo", limit = 100}`
---@param opts QdiscOpts
---@return Qdisc
function Link:qdisc_replace(opts) end

---@class Handle
local Handle = {}
---@param filter? {dev?: string|integer|Link, parent?: string, handle?: string, kind?: string}
---@return Qdisc[]
function Handle:qdisc_list(filter) end
---@param opts QdiscOpts
---@return Qdisc
function Handle:qdisc_add(opts) end
---@param opts QdiscOpts
---@return Qdisc
function Handle:qdisc_replace(opts) end
---@param opts QdiscOpts
---@return Qdisc
function Handle:qdisc_change(opts) end
---@param q QdiscOpts|Qdisc {dev=, parent=} or {dev=, handle=}, or a Qdisc
function Handle:qdisc_del(q) end
