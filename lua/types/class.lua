---@meta
-- Type stubs for the `class` module and the Class userdata (LuaLS).

---Example: `for _, c in ipairs(class.list("v0")) do print(c.classid, c.parent, c.options.rate, c.stats.bytes) end`
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
---Example: `class.list{dev = "v0", parent = "1:"}[1]:del()`
function Class:del() end
---Change options in place; what is not given stays.
---Example: `class.list("v0")[1]:change{rate = "20mbit", ceil = "40mbit"}`
---@param opts table
---@return Class
function Class:change(opts) end
---Example: `local c = class.list("v0")[1]; print(c:refresh().stats.lends)`
---@return Class
function Class:refresh() end
---The `tc class show` line; `{stats=true}` adds the `tc -s` lines.
---Example: `print(class.list("v0")[1]:show{stats = true})`
---@param opts? {stats?: boolean}
---@return string
function Class:show(opts) end
---JSON like an object of `tc -s -j class show` (newer tc; 6.1 prints none).
---Example: `print(class.list("v0")[1]:json())`
---@return string
function Class:json() end

---Example: `class.add{dev = "v0", parent = "1:", classid = "1:10", kind = "htb", rate = "10mbit", ceil = "20mbit", prio = 1}`
---@class ClassOpts
---@field dev? string|integer|Link required, except in a Link's methods (`l:class_add{}`)
---@field parent? string "1:" (default: the qdisc of classid)
---@field classid string "1:10"
---@field kind? string "htb" (required to add or replace)
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

---Traffic classes, as `tc class` (htb).
class = {}
---Example: `for _, c in ipairs(class.list{dev = "v0", parent = "1:"}) do print(c) end`
---@param dev string|integer|Link|{dev: string|integer|Link, parent?: string}
---@return Class[]
function class.list(dev) end
---Example: `class.add{dev = "v0", parent = "1:", classid = "1:10", kind = "htb", rate = "10mbit"}`
---@param opts ClassOpts
---@return Class
function class.add(opts) end
---Example: `class.replace{dev = "v0", parent = "1:", classid = "1:10", kind = "htb", rate = "15mbit"}`
---@param opts ClassOpts
---@return Class
function class.replace(opts) end
---Example: `class.change{dev = "v0", classid = "1:10", kind = "htb", rate = "5mbit"}`
---@param opts ClassOpts
---@return Class
function class.change(opts) end
---Example: `class.del{dev = "v0", classid = "1:10"}`
---@param c ClassOpts|Class {dev=, classid=} or a Class
function class.del(c) end

-- Methods this module adds to Link and Handle (their classes merge across stub files).
---@class Link
local Link = {}
---The classes of this link.
---Example: `for _, c in ipairs(link.get("v0"):classes()) do print(c) end`
---@param filter? {parent?: string}
---@return Class[]
function Link:classes(filter) end
---class.add with `dev` set to this link.
---Example: `link.get("v0"):class_add{parent = "1:", classid = "1:20", kind = "htb", rate = "5mbit"}`
---@param opts ClassOpts
---@return Class
function Link:class_add(opts) end

---@class Handle
local Handle = {}
---@param dev string|integer|Link|{dev: string|integer|Link, parent?: string}
---@return Class[]
function Handle:class_list(dev) end
---@param opts ClassOpts
---@return Class
function Handle:class_add(opts) end
---@param opts ClassOpts
---@return Class
function Handle:class_replace(opts) end
---@param opts ClassOpts
---@return Class
function Handle:class_change(opts) end
---@param c ClassOpts|Class {dev=, classid=} or a Class
function Handle:class_del(c) end
