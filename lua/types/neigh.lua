---@meta
-- Type stubs for the `neigh` module and the Neigh userdata (LuaLS).

---Example: `for _, n in ipairs(neigh.list{dev = "v0"}) do print(n.dst, n.lladdr, n.state) end`
---@class Neigh
---@field family string "inet", "inet6" or "bridge" (FDB entries)
---@field dst string? neighbour address, or the remote VTEP of a vxlan FDB entry
---@field lladdr string? link-layer address
---@field dev string?
---@field index integer
---@field state string "permanent", "reachable", "stale", "noarp", ...; FDB: "permanent", "static", "dynamic"
---@field states string[] every NUD state bit set
---@field flags string[] "self", "master", "router", "extern_learn", "proxy", ...
---@field router boolean
---@field proxy boolean
---@field extern_learn boolean
---@field managed boolean
---@field self boolean FDB entry of the device itself
---@field master boolean FDB entry added to the master (NTF_MASTER)
---@field sticky boolean
---@field bridge string? the bridge an FDB entry belongs to (NDA_MASTER)
---@field proto string?
---@field vlan integer?
---@field port integer? vxlan remote UDP port
---@field vni integer?
---@field src_vni integer?
---@field via string? device a vxlan remote is reached through
---@field nhid integer?
---@field handle Handle
local Neigh = {}
---Delete exactly this entry.
---Example: `for _, n in ipairs(neigh.list{dev = "v0", state = "stale"}) do n:del() end`
function Neigh:del() end
---JSON with the keys `ip -j neigh` (or `bridge -j fdb`) uses.
---Example: `print(neigh.list()[1]:json())`
---@return string
function Neigh:json() end

---Example: `neigh.add{dev = "v0", dst = "10.0.0.9", lladdr = "02:00:00:00:00:09", state = "permanent"}`
---@class NeighOpts
---@field dev string|integer|Link
---@field dst? string neighbour address (required for IP neighbours); for FDB the vxlan remote
---@field lladdr? string
---@field mac? string alias of lladdr
---@field state? string "permanent" (default), "reachable", "stale", "noarp", "none", ...; FDB: "permanent", "static", "dynamic"
---@field router? boolean
---@field proxy? boolean a proxy entry for dst
---@field use? boolean
---@field extern_learn? boolean
---@field managed? boolean
---@field proto? string|integer
---@field protocol? string|integer alias of proto
---@field family? string "bridge" for an FDB entry
---@field master? boolean FDB: add to the master bridge
---@field self? boolean FDB: add to the device itself (default)
---@field sticky? boolean
---@field vlan? integer
---@field port? integer
---@field vni? integer
---@field src_vni? integer
---@field via? string|integer|Link
---@field nhid? integer

---Example: `neigh.list{family = "bridge", master = "br0", state = "all"}`
---@class NeighListFilter
---@field dev? string|integer|Link
---@field family? string "inet", "inet6", "bridge"
---@field state? string|string[] a state, a list of them, or "all" (default: all but noarp and none, as `ip neigh`)
---@field proxy? boolean proxy entries
---@field master? string|integer|Link
---@field vlan? integer
---@field dst? string prefix

---Neighbours (ARP/NDP), as `ip neigh`, and the bridge forwarding database, as `bridge fdb`.
neigh = {}

---Example: `for _, e in ipairs(neigh.list{family = "bridge"}) do print(e) end`
---@param filter? NeighListFilter
---@return Neigh[]
function neigh.list(filter) end
---Example: `neigh.add{dev = "v0", dst = "10.0.0.9", lladdr = "02:00:00:00:00:09"}`
---@param opts NeighOpts
function neigh.add(opts) end
---Example: `neigh.replace{dev = "v0", dst = "10.0.0.9", lladdr = "02:00:00:00:00:10", state = "reachable"}`
---@param opts NeighOpts
function neigh.replace(opts) end
---Example: `neigh.change{dev = "v0", dst = "10.0.0.9", lladdr = "02:00:00:00:00:11"}`
---@param opts NeighOpts
function neigh.change(opts) end
---Another destination for an FDB entry (vxlan flood lists: `bridge fdb append`).
---Example: `neigh.append{family = "bridge", dev = "vx0", lladdr = "00:00:00:00:00:00", dst = "192.0.2.3"}`
---@param opts NeighOpts
function neigh.append(opts) end
---Example: `neigh.del{dev = "v0", dst = "10.0.0.9"}`
---@param n NeighOpts|Neigh
function neigh.del(n) end
---Delete entries (not permanent or noarp ones unless `state` says so); returns how many.
---Example: `neigh.flush{dev = "v0"}`
---@param filter NeighListFilter
---@return integer
function neigh.flush(filter) end

---@class Link
local Link = {}
---This link's neighbours.
---Example: `for _, n in ipairs(link.get("v0"):neighs()) do print(n) end`
---@param filter? NeighListFilter
---@return Neigh[]
function Link:neighs(filter) end

---@class Handle
local Handle = {}
---@param filter? NeighListFilter
---@return Neigh[]
function Handle:neigh_list(filter) end
---@param opts NeighOpts
function Handle:neigh_add(opts) end
---@param opts NeighOpts
function Handle:neigh_replace(opts) end
---@param opts NeighOpts
function Handle:neigh_change(opts) end
---@param opts NeighOpts
function Handle:neigh_append(opts) end
---@param n NeighOpts|Neigh
function Handle:neigh_del(n) end
---@param filter NeighListFilter
---@return integer
function Handle:neigh_flush(filter) end
