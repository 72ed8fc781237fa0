---@meta
-- Type stubs for the `netns` module and the Netns and Process userdata (LuaLS).

---@alias NetnsName string the name of a namespace under /run/netns (as `ip netns` lists them)

---Every `<module>_<op>` Handle method works on a Netns too (`ns:route_add{...}`): the class extends Handle.
---Example: `local red = netns.open("red"); print(red.name, red.path, red.inode, red.nsid)`
---@class Netns: Handle
---@field name string? the name under /run/netns, if it has one
---@field path string? the file it was opened from
---@field inode integer its identity: equal inodes are the same namespace
---@field nsid integer? the id the current namespace gives it (assigned on demand, like `ip netns set NAME auto`)
local Netns = {}
---A handle bound to this namespace (its socket was opened inside it).
---Example: `print(#netns.open("red"):handle():link_list())`
---@return Handle
function Netns:handle() end
---Run `fn(...)` with this thread and the current handle inside the namespace;
---restored on return, on error and when a coroutine tries to yield inside.
---Runs nest. Returns fn's results.
---Example: `netns.open("red"):run(function() link.get("lo"):up(); os.execute("ip -br addr") end)`
---@param fn function
---@return any ...
function Netns:run(fn, ...) end
---Run a command to completion inside the namespace, as `ip netns exec` does
---(private mount namespace, /sys of the namespace, /etc/netns/NAME over /etc).
---`timeout` kills the command's whole process group; `check=true` raises on
---failure an error carrying `status`, `signal`, `stdout`, `stderr`, `timed_out`.
---Example: `print(netns.open("red"):exec({"ping", "-c1", "-W1", "10.0.0.2"}, {timeout = 5}).ok)`
---@param cmd string[]|string argv table, or a shell line for /bin/sh -c
---@param opts? {stdin?: string, env?: table<string,string>, cwd?: string, timeout?: number, check?: boolean}
---@return {ok: boolean, code: integer?, signal: integer?, stdout: string, stderr: string, timed_out: boolean}
function Netns:exec(cmd, opts) end
---Start a command in the background inside the namespace (reaped as soon as
---it ends: no zombies).
---Example: `local p = netns.open("red"):spawn({"sleep", "30"}, {output = "null"}); p:kill()`
---@param cmd string[]|string
---@param opts? {stdin?: string, env?: table<string,string>, cwd?: string, output?: "capture"|"null"|"inherit"|string}
---@return Process
function Netns:spawn(cmd, opts) end
---A link of this namespace, by name or index.
---Example: `netns.open("red"):link("eth0"):set{mtu = 1400}`
---@param id LinkName|integer
---@return Link
function Netns:link(id) end
---The links of this namespace.
---Example: `for _, l in ipairs(netns.open("red"):links{kind = "veth"}) do print(l.name) end`
---@param filter? LinkListFilter
---@return Link[]
function Netns:links(filter) end
---Delete this named namespace (like `ip netns del`); every object of it then
---fails with "namespace NAME was deleted".
---Example: `netns.open("red"):del()`
function Netns:del() end
---Let go of the namespace. Closing a `netns.temp()` one ends it for every
---object of it (it goes unless a process is inside); a named one is only
---released by this object.
---Example: `local t = netns.temp(); print(#t:links()); t:close()`
function Netns:close() end
-- Every `<module>_<op>` Handle method works on a Netns too: `ns:route_add{...}`.

---Example: `local p = netns.current():spawn{"sleep", "5"}; print(p.pid, p.cmd, p.start_time)`
---@class Process
---@field pid integer
---@field cmd string
---@field start_time integer when it started (clock ticks since boot; with pid, its identity)
local Process = {}
---Example: `local p = netns.current():spawn{"sleep", "5"}; print(p:running())`
---@return boolean
function Process:running() end
---Wait for the end (up to `timeout` seconds); nil if still running then.
---Without a timeout, captured output is read to its end as well.
---Example: `local r = netns.current():spawn{"sh", "-c", "echo hi"}:wait(5); print(r.code, r.stdout)`
---@param timeout? number
---@return {ok: boolean, code: integer?, signal: integer?, stdout: string, stderr: string}?
function Process:wait(timeout) end
---Send a signal ("TERM" by default, "KILL", "INT", or a number).
---Example: `local p = netns.current():spawn{"sleep", "30"}; p:kill("INT"); print(p:wait(2).signal)`
---@param sig? string|integer
function Process:kill(sig) end

---Network namespaces, as `ip netns`, as objects: named, opened by path or pid, or anonymous. See docs/netns.md.
netns = {}
---Create a named namespace (like `ip netns add`). Given a list of names,
---makes them all at once (the kernel's work spread over the CPUs) and
---returns them in order; all or nothing: a taken name fails the call
---before any is made.
---Example: `local red = netns.add("red"); local lab = netns.add{"s1", "s2", "s3"}`
---@param name string
---@return Netns
---@overload fun(names: string[]): Netns[]
function netns.add(name) end
---Delete a named namespace (like `ip netns del`); every object of it then
---fails with "namespace NAME was deleted", and nothing nlua holds keeps it alive.
---Example: `netns.del("red")`
---@param ns NetnsName|Netns
function netns.del(ns) end
---The named namespaces (those under /run/netns).
---Example: `for _, ns in ipairs(netns.list()) do print(ns.name, #ns:links()) end`
---@return Netns[]
function netns.list() end
---Open a named namespace (one under /run/netns).
---Example: `local red = netns.open("red")`
---@param name NetnsName
---@return Netns
function netns.open(name) end
---Open a namespace by the path of its file.
---Example: `local ns = netns.path("/proc/1/ns/net")`
---@param path string
---@return Netns
function netns.path(path) end
---Open the namespace of a process (/proc/PID/ns/net).
---Example: `local eth0 = netns.pid(4242):link("eth0")`
---@param pid integer
---@return Netns
function netns.pid(pid) end
---The namespace module functions act on now.
---Example: `print(netns.current().inode)`
---@return Netns
function netns.current() end
---An anonymous namespace, never named on disk, gone when closed or collected.
---Example: `local t = netns.temp(); t:link("lo"):up()`
---@return Netns
function netns.temp() end
---Move this thread into `ns` and make it the current namespace, for good (in
---the REPL the prompt then reads `nlua(NAME)> `). Entering changes nothing on
---the system, so it leaves no journal record and `--down` has nothing to undo
---for it; inside `ns:run` the thread still returns when `run` does.
---Example: `netns.enter("red"); print(#link.list())`
---@param ns NetnsName|Netns
---@return Netns
function netns.enter(ns) end
