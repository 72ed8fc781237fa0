---@meta
-- Type stubs for the `class` module and the Class userdata (LuaLS).

---@class Class
---@field dev string
---@field ifindex integer
---@field kind string "htb", ...
---@field classid string "1:10"
---@field parent string "root" or the parent class "1:1"
---@field leaf string? the handle of the qdisc attached to the class ("10:")
---@field options ClassOpts the class.add table that recreates it
---@field stats TcStats counters, with htb's lends/borrows/giants/tokens/ctokens
local Class = {}
---Delete this class.
function Class:del() end
---Change options in place; what is not given stays.
---@param opts table
---@return Class
function Class:change(opts) end
---@return Class
function Class:refresh() end
---The `tc class show` line; `{stats=true}` adds the `tc -s` lines.
---@param opts? {stats?: boolean}
---@return string
function Class:show(opts) end
---JSON like an object of `tc -s -j class show` (newer tc; 6.1 prints none).
---@return string
function Class:json() end

---@class ClassOpts
---@field dev string|integer|Link
---@field parent? string "1:" (default: the qdisc of classid)
---@field classid string "1:10"
---@field kind string "htb"
---@field estimator? {interval: string, time_const: string} a rate estimator, as for qdiscs
---@field rate? string htb: "10mbit" (required)
---@field ceil? string default: rate
---@field burst? string default: rate/HZ + mtu, as tc; optionally "/cell"
---@field cburst? string
---@field prio? integer
---@field quantum? integer
---@field mtu? integer default 1600
---@field mpu? integer|string bytes ("64" or "64b")
---@field overhead? integer
---@field linklayer? string "ethernet", "atm", "adsl"
---@field raw? string TCA_OPTIONS bytes for kinds nlua has no table for

class = {}
---@param dev string|integer|Link|{dev: string|integer|Link, parent?: string}
---@return Class[]
function class.list(dev) end
---@param opts ClassOpts
---@return Class
function class.add(opts) end
---@param opts ClassOpts
---@return Class
function class.replace(opts) end
---@param opts ClassOpts
---@return Class
function class.change(opts) end
---@param c ClassOpts|Class {dev=, classid=} or a Class
function class.del(c) end

-- Methods this module adds to Link and Handle (their classes merge across stub files).
---@class Link
local Link = {}
---The classes of this link.
---@param filter? {parent?: string}
---@return Class[]
function Link:classes(filter) end
---class.add with `dev` set to this link.
---@param opts ClassOpts
---@return Class
function Link:class_add(opts) end

---@class Handle
local Handle = {}
function Handle:class_list(dev) end
function Handle:class_add(opts) end
function Handle:class_replace(opts) end
function Handle:class_change(opts) end
function Handle:class_del(c) end
