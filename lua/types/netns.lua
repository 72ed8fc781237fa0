---@meta
-- Type stubs for the `netns` module and the Netns and Process userdata (LuaLS).

---@alias NetnsName string the name of a namespace under /run/netns (as `ip netns` lists them)

---@class Netns
---@field name string? the name under /run/netns, if it has one
---@field path string? the file it was opened from
---@field inode integer its identity: equal inodes are the same namespace
---@field nsid integer? the id the current namespace gives it (assigned on demand, like `ip netns set NAME auto`)
local Netns = {}
---A handle bound to this namespace (its socket was opened inside it).
---@return Handle
function Netns:handle() end
---Run `fn(...)` with this thread and the current handle inside the namespace;
---restored on return, on error and when a coroutine tries to yield inside.
---Runs nest. Returns fn's results.
---@param fn function
---@return any ...
function Netns:run(fn, ...) end
---Run a command to completion inside the namespace, as `ip netns exec` does
---(private mount namespace, /sys of the namespace, /etc/netns/NAME over /etc).
---`timeout` kills the command's whole process group; `check=true` raises on
---failure an error carrying `status`, `signal`, `stdout`, `stderr`, `timed_out`.
---@param cmd string[]|string argv table, or a shell line for /bin/sh -c
---@param opts? {stdin?: string, env?: table<string,string>, cwd?: string, timeout?: number, check?: boolean}
---@return {ok: boolean, code: integer?, signal: integer?, stdout: string, stderr: string, timed_out: boolean}
function Netns:exec(cmd, opts) end
---Start a command in the background inside the namespace (reaped as soon as
---it ends: no zombies).
---@param cmd string[]|string
---@param opts? {stdin?: string, env?: table<string,string>, cwd?: string, output?: "capture"|"null"|"inherit"|string}
---@return Process
function Netns:spawn(cmd, opts) end
---A link of this namespace, by name or index.
---@param id LinkName|integer
---@return Link
function Netns:link(id) end
---The links of this namespace.
---@param filter? LinkListFilter
---@return Link[]
function Netns:links(filter) end
---Delete this named namespace (like `ip netns del`); every object of it then
---fails with "namespace NAME was deleted".
function Netns:del() end
---Let go of the namespace. Closing a `netns.temp()` one ends it for every
---object of it (it goes unless a process is inside); a named one is only
---released by this object.
function Netns:close() end
-- Every `<module>_<op>` Handle method works on a Netns too: `ns:route_add{...}`.

---@class Process
---@field pid integer
---@field cmd string
---@field start_time integer when it started (clock ticks since boot; with pid, its identity)
local Process = {}
---@return boolean
function Process:running() end
---Wait for the end (up to `timeout` seconds); nil if still running then.
---Without a timeout, captured output is read to its end as well.
---@param timeout? number
---@return {ok: boolean, code: integer?, signal: integer?, stdout: string, stderr: string}?
function Process:wait(timeout) end
---Send a signal ("TERM" by default, "KILL", "INT", or a number).
---@param sig? string|integer
function Process:kill(sig) end

netns = {}
---Create a named namespace (like `ip netns add`).
---@param name string
---@return Netns
function netns.add(name) end
---Delete a named namespace (like `ip netns del`); every object of it then
---fails with "namespace NAME was deleted", and nothing nlua holds keeps it alive.
---@param ns NetnsName|Netns
function netns.del(ns) end
---The named namespaces (those under /run/netns).
---@return Netns[]
function netns.list() end
---Open a named namespace (one under /run/netns).
---@param name NetnsName
---@return Netns
function netns.open(name) end
---Open a namespace by the path of its file.
---@param path string
---@return Netns
function netns.path(path) end
---Open the namespace of a process (/proc/PID/ns/net).
---@param pid integer
---@return Netns
function netns.pid(pid) end
---The namespace module functions act on now.
---@return Netns
function netns.current() end
---An anonymous namespace, never named on disk, gone when closed or collected.
---@return Netns
function netns.temp() end
---Move this thread into `ns` and make it the current namespace, for good (in
---the REPL the prompt then reads `nlua(NAME)> `). Entering changes nothing on
---the system, so it leaves no journal record and `--down` has nothing to undo
---for it; inside `ns:run` the thread still returns when `run` does.
---@param ns NetnsName|Netns
---@return Netns
function netns.enter(ns) end
