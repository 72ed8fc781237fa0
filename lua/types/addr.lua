---@meta
-- Type stubs for the `addr` module and the Addr userdata (LuaLS).

---Example: `local a = addr.list{dev = "v0"}[1]; print(a.prefix, a.family, a.scope, a.tentative)`
---@class Addr
---@field address string the interface's own address
---@field prefixlen integer
---@field prefix string "10.0.0.1/24"
---@field family string "inet" or "inet6"
---@field dev string
---@field index integer
---@field scope string "global", "link", "host", ...
---@field label string?
---@field broadcast string?
---@field peer string? point-to-point peer
---@field flags string[] "secondary", "nodad", "tentative", "permanent", ...
---@field tentative boolean still doing duplicate address detection
---@field metric integer?
---@field valid_lft integer? seconds (4294967295 = forever)
---@field preferred_lft integer?
local Addr = {}
---Delete this address.
---Example: `for _, a in ipairs(addr.list{dev = "v0", family = "inet6", scope = "global"}) do a:del() end`
function Addr:del() end
---JSON like an `addr_info` entry of `ip -j addr`.
---Example: `print(addr.list{dev = "v0"}[1]:json())`
---@return string
function Addr:json() end

---Example: `addr.add("v0", "10.0.0.1/24", {label = "v0:web", broadcast = "+", valid_lft = "forever"})`
---@class AddrOpts
---@field label? string
---@field scope? string "global", "link", "host" or a number
---@field broadcast? string|boolean an IPv4 address, or "+"/true for host bits set
---@field anycast? string
---@field peer? string "10.0.0.2/32"
---@field nodad? boolean
---@field noprefixroute? boolean
---@field home? boolean
---@field mngtmpaddr? boolean
---@field autojoin? boolean
---@field valid_lft? integer|string seconds or "forever"
---@field preferred_lft? integer|string
---@field metric? integer
---@field proto? integer

---Example: `addr.add{dev = "v0", address = "2001:db8::1/64", nodad = true}`
---@class AddrSpecOpts: AddrOpts
---@field dev string|integer|Link
---@field address string "10.0.0.1/24"

---Addresses, as `ip addr`: list, add, replace, delete and flush IPv4 and IPv6 addresses.
addr = {}

---Example: `for _, a in ipairs(addr.list{dev = "v0", family = "inet"}) do print(a) end`
---@param filter? {dev?: string|integer|Link, family?: string, scope?: string, label?: string}
---@return Addr[]
function addr.list(filter) end
---addr.add(dev, "10.0.0.1/24", opts) or addr.add{dev=, address=, ...}
---Example: `addr.add("v0", "10.0.0.1/24")`
---@param dev string|integer|Link|AddrSpecOpts
---@param address? string
---@param opts? AddrOpts
function addr.add(dev, address, opts) end
---Example: `addr.replace("v0", "10.0.0.1/24", {valid_lft = 60, preferred_lft = 30})`
---@param dev string|integer|Link|AddrSpecOpts
---@param address? string
---@param opts? AddrOpts
function addr.replace(dev, address, opts) end
---Example: `addr.del("v0", "10.0.0.1/24")`
---@param dev string|integer|Link|AddrSpecOpts|Addr
---@param address? string
function addr.del(dev, address) end
---Example: `addr.flush("v0", {family = "inet"})`
---@param dev string|integer|Link|{dev: string|integer|Link, family?: string}
---@param filter? {family?: string}
---@return integer count
function addr.flush(dev, filter) end
