---@meta
-- Type stubs for events (LuaLS): nlua.monitor, the Monitor userdata, and the
-- waits this adds to the link and addr modules and to Handle.

---@alias MonitorFamily "link"|"addr"|"route"|"rule"|"neigh"|"qdisc"|"class"|"filter"

---One event. `action` is "new", "del", "change" (told for links and routes;
---other families report a change as "new") or "overrun" (the kernel dropped
---events for `netns`: list again to resync; `kind` and `object` are nil).
---Example: `for ev in nlua.monitor{"link"} do print(ev.action, ev.kind, ev.object.name, ev.netns) end`
---@class MonitorEvent
---@field action "new"|"del"|"change"|"overrun"
---@field kind MonitorFamily?
---@field object Link|Addr|Route|Rule|Neigh|Qdisc|Class|Filter|nil the userdata a list returns, bound to `netns`
---@field netns Netns the namespace the event came from

---Family names (none: all of them), at most one callback function, and options.
---Example: `local m = nlua.monitor{"link", "addr", netns = {"red", "blue"}, timeout = 10, rcvbuf = "4mb"}`
---@class MonitorOpts
---@field [integer] MonitorFamily|fun(ev: MonitorEvent): boolean?
---@field netns? Netns|string|(Netns|string)[] where to watch (default: the current namespace)
---@field timeout? number seconds >= 0 the monitor lasts in all (default: no limit)
---@field rcvbuf? integer|string receive buffer per namespace ("4mb"; default 32 MiB, the kernel doubles it)

---An iterator of events: `for ev in nlua.monitor{"link"} do ... end`.
---Example: `local m = nlua.monitor{"route"}; print(m.families[1], m.closed, m.overruns, m.rcvbuf)`
---@class Monitor
---@field families MonitorFamily[]
---@field closed boolean
---@field netns Netns[]? the namespaces watched (nil once closed)
---@field overruns integer overruns reported so far
---@field rcvbuf integer? the receive buffer the kernel gave, in bytes
---@overload fun(): MonitorEvent?
local Monitor = {}
---The next event, waiting up to `timeout` seconds (and within the monitor's
---own timeout); nil when the time is up or the monitor is closed.
---Example: `local m = nlua.monitor{"link"}; local ev = m:next(5); m:close()`
---@param timeout? number
---@return MonitorEvent?
function Monitor:next(timeout) end
---Stop watching (a generic `for` over nlua.monitor{} does this when it ends).
---Example: `local m = nlua.monitor{"addr"}; m:close(); print(m.closed)`
function Monitor:close() end

---Watch links, addresses, routes, rules, neighbours and tc objects change.
---Without a callback: the monitor (also returned as the `for` loop's closing
---value). With one: calls it for each event until it returns false and
---returns that event, or nil when `timeout` passes first.
---Example: `nlua.monitor{"link", function(ev) print(ev.action, ev.object.name) end, timeout = 30}`
---@param opts? MonitorOpts
---@return Monitor|MonitorEvent|nil
function nlua.monitor(opts) end

---Wait until a link is up (operstate UP, or UNKNOWN with IFF_UP), present or
---gone. Subscribes first, then looks, then sleeps on events: no polling, no
---race. Raises ETIMEDOUT when `timeout` seconds pass first.
---Example: `link.wait("v0", "up", 5)`
---@param l string|integer|Link a name, an index, or a Link (waited for in its namespace)
---@param state? "up"|"present"|"gone" default "up"
---@param timeout? number seconds (default: no limit)
---@return Link|true link the Link, or true once it is gone
function link.wait(l, state, timeout) end

---Wait until `address` is on `dev` and past duplicate address detection (no
---longer tentative). Raises EADDRNOTAVAIL when DAD finds a duplicate, ENODEV
---when the link goes away, ETIMEDOUT when `timeout` seconds pass first.
---Example: `addr.wait("v0", "2001:db8::1", 5)`
---@param dev string|integer|Link
---@param address string|Addr "2001:db8::1" or "2001:db8::1/64" (then the prefix length must match)
---@param timeout? number seconds (default: no limit)
---@return Addr
function addr.wait(dev, address, timeout) end

---@class Handle
local Handle = {}
---Example: `netns.open("red"):handle():link_wait("eth0", "up", 5)`
---@param l string|integer|Link
---@param state? "up"|"present"|"gone"
---@param timeout? number
---@return Link|true
function Handle:link_wait(l, state, timeout) end
---Example: `netns.open("red"):handle():addr_wait("eth0", "10.0.0.1", 5)`
---@param dev string|integer|Link
---@param address string|Addr
---@param timeout? number
---@return Addr
function Handle:addr_wait(dev, address, timeout) end
