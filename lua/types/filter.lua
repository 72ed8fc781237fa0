---@meta
-- Type stubs for the `filter` module and the Filter userdata (LuaLS).

---Example: `for _, f in ipairs(filter.list("v0")) do print(f.kind, f.parent, f.prio, f.options.flowid) end`
---@class Filter
---@field dev string
---@field ifindex integer
---@field kind string "u32", "bpf", "matchall", "flower", ...
---@field handle string u32: "800::800" (table:bucket:node); others "0x1"
---@field parent string "1:", "ingress", "egress", "root"
---@field prio integer tc's "pref"
---@field protocol string "ip", "ipv6", "all", "802.1Q", ...
---@field chain integer?
---@field options FilterOpts the filter.add table that recreates it
---@field stats TcStats the first action's counters
local Filter = {}
---Delete this filter (for u32, this node; the prio's hash table stays).
---Example: `filter.list{dev = "v0", parent = "1:"}[1]:del()`
function Filter:del() end
---The `tc filter show` lines.
---Example: `print(filter.list("v0")[1]:show())`
---@param opts? {stats?: boolean}
---@return string
function Filter:show(opts) end
---JSON like an object of `tc -j filter show` (plus "dev").
---Example: `print(filter.list("v0")[1]:json())`
---@return string
function Filter:json() end

---Example: `filter.add{dev = "v0", parent = "1:", kind = "u32", sel = {{val = 0x0a000002, mask = 0xffffffff, off = 16}}, flowid = "1:10"}`
---@class U32Key
---@field val integer 32-bit value in network order as tc prints it (0x0a000002)
---@field mask integer
---@field off integer byte offset, a multiple of 4
---@field offmask? integer -1 for "nexthdr+"

---Example: `filter.add{dev = "v0", parent = "1:", kind = "u32", match = {dst = "10.0.0.2/32", proto = "udp", dport = 5001}, flowid = "1:10"}`
---@class U32Match
---@field src? string "10.0.0.0/24" or "2001:db8::/64"
---@field dst? string
---@field sport? integer|string 53, or "value/mask"
---@field dport? integer|string
---@field proto? integer|string 17, "udp", "tcp", "icmp", ...
---@field tos? integer|string IPv4 only
---@field icmp_type? integer
---@field icmp_code? integer

---Example: `filter.add{dev = "v0", parent = "ingress", kind = "u32", sel = {{val = 0, mask = 0, off = 0}}, actions = {{kind = "mirred", action = "redirect", dev = "ifb0"}}}`
---@class TcAction
---@field kind string "mirred", "gact", "police" (a bare string in `actions` is a gact verdict)
---@field action? string mirred: "redirect" or "mirror"; gact: "pass", "drop", "continue", "reclassify", "pipe"
---@field direction? string mirred: "egress" (default) or "ingress"
---@field dev? string|integer|Link mirred's target
---@field control? string mirred's verdict (default stolen for redirect, pipe for mirror)
---@field index? integer bind an existing action
---@field random? {type: string, action: string, value: integer} gact: "netrand"/"determ"
---@field rate? string police
---@field burst? string police
---@field mtu? string police
---@field peakrate? string police
---@field avrate? string police
---@field mpu? string police
---@field overhead? integer police
---@field linklayer? string police
---@field conform? string police: verdict under the rate (default pass)
---@field exceed? string police: verdict over it (default reclassify)
---@field cookie? string hex
---@field raw? string TCA_ACT_OPTIONS bytes of other action kinds

---Example: `filter.add{dev = "v0", parent = "1:", protocol = "ip", prio = 1, kind = "u32", match = {src = "10.0.0.0/24"}, flowid = "1:20"}`
---@class FilterOpts
---@field dev? string|integer|Link required, except in a Link's methods (`l:filter_add{}`)
---@field parent string "1:", "ingress", "egress", "root"
---@field protocol? string default "all" when adding
---@field prio? integer the kernel picks one when absent
---@field handle? string|integer
---@field chain? integer
---@field raw? string TCA_OPTIONS bytes for kinds nlua has no table for
---@field kind? string "u32", "bpf", "matchall", "flower" (required to add or replace)
---@field flowid? string "1:10" (u32, bpf, matchall, flower)
---@field classid? string same as flowid
---@field actions? (TcAction|string)[]
---@field skip_hw? boolean
---@field skip_sw? boolean
---u32
---@field match? U32Match
---@field sel? U32Key[] raw keys
---@field divisor? integer
---@field link? string a u32 hash table "1:"
---@field ht? string
---@field indev? string u32, flower
---bpf (exactly one of obj, pinned, id)
---@field obj? string an ELF object file; nlua loads self-contained programs (no maps)
---@field sec? string its section (default "classifier")
---@field pinned? string a program pinned on a bpf filesystem
---@field id? integer a loaded program's id
---@field name? string the name the kernel shows
---@field da? boolean direct action
---flower (keys in tc's words)
---@field dst_mac? string "02:00:00:00:00:02" or with "/len" or "/mask"
---@field src_mac? string
---@field vlan_id? integer needs protocol "802.1Q"/"802.1ad"
---@field vlan_prio? integer
---@field ip_proto? string|integer "tcp", "udp", "sctp", "icmp", "icmpv6"
---@field ip_tos? integer|string "0x10/0xfc"
---@field ip_ttl? integer|string
---@field dst_ip? string "10.0.0.2/32"
---@field src_ip? string
---@field dst_port? integer|string 80 or "1024/0xfc00"
---@field src_port? integer|string

---Traffic filters and their actions, as `tc filter` (u32, bpf, matchall, flower; mirred, gact, police).
filter = {}
---Without a parent: the filters of every qdisc and class of the device.
---Example: `for _, f in ipairs(filter.list{dev = "v0", parent = "ingress"}) do print(f) end`
---@param dev string|integer|Link|{dev: string|integer|Link, parent?: string}
---@return Filter[]
function filter.list(dev) end
---Returns the filter just added (for u32, its node).
---Example: `filter.add{dev = "v0", parent = "1:", kind = "u32", match = {dst = "10.0.0.2/32"}, flowid = "1:10"}`
---@param opts FilterOpts
---@return Filter
function filter.add(opts) end
---Example: `filter.replace{dev = "v0", parent = "1:", prio = 1, handle = "800::800", kind = "u32", match = {dst = "10.0.0.3/32"}, flowid = "1:10"}`
---@param opts FilterOpts
---@return Filter
function filter.replace(opts) end
---Example: `filter.change{dev = "v0", parent = "1:", prio = 1, handle = "800::800", kind = "u32", match = {dst = "10.0.0.4/32"}, flowid = "1:20"}`
---@param opts FilterOpts
---@return Filter
function filter.change(opts) end
---Example: `filter.del{dev = "v0", parent = "1:", prio = 1}`
---@param f FilterOpts|Filter {dev=, parent=, prio=[, handle=, kind=]} or a Filter
function filter.del(f) end

-- Methods this module adds to Link and Handle (their classes merge across stub files).
---@class Link
local Link = {}
---The filters of this link (every parent, or {parent=}).
---Example: `for _, f in ipairs(link.get("v0"):filters{parent = "1:"}) do print(f) end`
---@param filter? {parent?: string}
---@return Filter[]
function Link:filters(filter) end
---filter.add with `dev` set to this link.
---Example: `link.get("v0"):filter_add{parent = "1:", kind = "u32", match = {dport = 80}, flowid = "1:10"}`
---@param opts FilterOpts
---@return Filter
function Link:filter_add(opts) end

---@class Handle
local Handle = {}
---@param dev string|integer|Link|{dev: string|integer|Link, parent?: string}
---@return Filter[]
function Handle:filter_list(dev) end
---@param opts FilterOpts
---@return Filter
function Handle:filter_add(opts) end
---@param opts FilterOpts
---@return Filter
function Handle:filter_replace(opts) end
---@param opts FilterOpts
---@return Filter
function Handle:filter_change(opts) end
---@param f FilterOpts|Filter {dev=, parent=, prio=[, handle=, kind=]} or a Filter
function Handle:filter_del(f) end
