---@meta
-- Type stubs for the `rule` module and the Rule userdata (LuaLS).

---Example: `for _, x in ipairs(rule.list{family = "inet"}) do print(x.priority, x.from, x.table, x.action) end`
---@class Rule
---@field family string "inet" or "inet6"
---@field priority integer
---@field from string "10.0.0.0/8" or "all"
---@field to string?
---@field not_ boolean the selector is inverted
---@field iif string?
---@field oif string?
---@field fwmark integer?
---@field mask integer? fwmark mask
---@field table integer 0 for non-lookup actions
---@field action string "lookup", "goto", "nop", "blackhole", "unreachable", "prohibit"
---@field goto integer?
---@field tos integer
---@field realms integer? from << 16 | to
---@field proto string?
---@field suppress_prefixlength integer?
---@field suppress_ifgroup integer?
---@field l3mdev boolean
---@field uidrange string? "1000-2000"
---@field ipproto string? "tcp", "udp", ...
---@field sport integer|string? a port, or "1000-2000"
---@field dport integer|string?
---@field handle Handle
local Rule = {}
---Delete exactly this rule.
---Example: `rule.list{priority = 1000}[1]:del()`
function Rule:del() end
---JSON with the keys `ip -j rule show` uses.
---Example: `print(rule.list()[1]:json())`
---@return string
function Rule:json() end

---Example: `rule.add{fwmark = "0x7/0xff", table = 200, priority = 1001}`
---@class RuleOpts
---@field family? string "inet" (default) or "inet6"
---@field from? string prefix or "all"
---@field to? string
---@field not_? boolean invert the selector (also `["not"]=true`)
---@field iif? string|Link
---@field oif? string|Link
---@field fwmark? integer|string 7, "0x7" or "0x7/0xff"
---@field mask? integer fwmark mask
---@field table? integer|string
---@field priority? integer
---@field pref? integer alias of priority
---@field action? string "lookup" (default), "goto", "nop", "blackhole", "unreachable", "prohibit"
---@field goto? integer target priority (action "goto")
---@field suppress_prefixlength? integer
---@field suppress_ifgroup? integer|string
---@field tos? integer|string
---@field dscp? integer
---@field ipproto? string|integer
---@field sport? integer|string|integer[] 80, "1000-2000" or {1000, 2000}
---@field dport? integer|string|integer[]
---@field uidrange? string|integer[] "1000-2000" or {1000, 2000}
---@field l3mdev? boolean
---@field realms? integer|string 5, "3/4" or rt_realms names
---@field proto? string|integer
---@field protocol? string|integer alias of proto
---@field tun_id? integer

---Policy routing rules, as `ip rule`.
rule = {}

---Example: `for _, x in ipairs(rule.list{table = 100}) do print(x) end`
---@param filter? {family?: string, priority?: integer, table?: integer|string}
---@return Rule[]
function rule.list(filter) end
---Example: `rule.add{from = "10.1.0.0/16", table = 100, priority = 1000}`
---@param opts RuleOpts
function rule.add(opts) end
---Delete the first rule matching the selectors, or exactly a listed Rule.
---Example: `rule.del{priority = 1000}`
---@param r RuleOpts|Rule
function rule.del(r) end

---@class Handle
local Handle = {}
---@param filter? {family?: string, priority?: integer, table?: integer|string}
---@return Rule[]
function Handle:rule_list(filter) end
---@param opts RuleOpts
function Handle:rule_add(opts) end
---@param r RuleOpts|Rule
function Handle:rule_del(r) end
