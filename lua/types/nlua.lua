---@meta
-- Type stubs for the `nlua` module and the Handle userdata (LuaLS).

---Example: `local h = netns.open("red"):handle(); print(h.inode, #h:link_list())`
---@class Handle
---@field inode integer inode of the namespace this handle is bound to
---Every module function is also a Handle method, bound to the handle's namespace:
---`h:link_list{}`, `h:link_add{...}`, `h:addr_add(...)`.
local Handle = {}
---@param filter? LinkListFilter
---@return Link[]
function Handle:link_list(filter) end
---@param id string|integer|Link name or ifindex (a Link is read again)
---@return Link
function Handle:link_get(id) end
---@param opts LinkAddOpts
---@return Link, Link peer the veth peer (other kinds return the one link)
function Handle:link_add(opts) end
---@param l string|integer|Link
function Handle:link_del(l) end
---@param l string|integer|Link
---@param opts LinkSetOpts
---@return Link
function Handle:link_set(l, opts) end
---@param filter? {dev?: string|integer|Link, family?: string, scope?: string, label?: string}
---@return Addr[]
function Handle:addr_list(filter) end
---@param dev string|integer|Link|AddrSpecOpts
---@param address? string
---@param opts? AddrOpts
function Handle:addr_add(dev, address, opts) end
---@param dev string|integer|Link|AddrSpecOpts
---@param address? string
---@param opts? AddrOpts
function Handle:addr_replace(dev, address, opts) end
---@param dev string|integer|Link|AddrSpecOpts|Addr
---@param address? string
function Handle:addr_del(dev, address) end
---@param dev string|integer|Link|{dev: string|integer|Link, family?: string}
---@param filter? {family?: string}
---@return integer count
function Handle:addr_flush(dev, filter) end

---Every error nlua raises is a value with fields (`pcall` returns it); `tostring(err)` is one line:
---`link add v0 type veth: File exists (EEXIST)`. The API raises errors rather than returning
---`nil, err`. Bad input names the function and the field (`kind = "input"`, errno EINVAL):
---`link.add: field 'mtu': expected integer 68..65535, got "big"`; an unknown option suggests the
---nearest one (`unknown option 'mut' (did you mean 'mtu'?)`). Kernel errors keep the errno and the
---kernel's extack message (`kind = "kernel"`). Codes met most often:
---
---| code | errno | when |
---|---|---|---|
---| `EPERM` | 1 | no CAP_NET_ADMIN: run as root (or in a user namespace) |
---| `ENOENT` | 2 | no such route, rule, neighbour, qdisc or namespace name; a qdisc kind this kernel lacks |
---| `ESRCH` | 3 | no such process (`netns.pid`) |
---| `EBADF` | 9 | a `netns.temp()` namespace was closed |
---| `ECHILD` | 10 | a command run with `check = true` failed (`err.status`, `err.stderr`) |
---| `EFAULT` | 14 | an internal error in nlua (a bug: please report it) |
---| `EBUSY` | 16 | the device or qdisc is in use |
---| `EEXIST` | 17 | a link, address, route, rule, neighbour or qdisc is already there (use `replace`) |
---| `ENODEV` | 19 | no such link (`link.get("nope")`), or it went away |
---| `EINVAL` | 22 | bad input (`kind = "input"`), or options the kernel rejects (read `err.message`) |
---| `ERANGE` | 34 | a value out of the kernel's range |
---| `EOPNOTSUPP` | 95 | the kernel or the device cannot do it |
---| `EADDRNOTAVAIL` | 99 | no such address; duplicate address detection failed (`addr.wait`) |
---| `ENETUNREACH` | 101 | no route to the gateway (`route.add{gw=}` off-link without `onlink`) |
---| `ETIMEDOUT` | 110 | `link.wait`/`addr.wait` ran out of time; a command's `timeout` |
---
---`err.op` names what failed as ip or tc would be told to do it (`link add v0 type veth`), or the
---function for bad input (`link.add`). A read-only runtime refuses changes with
---`link.add: refused: this runtime is read-only`.
---Example: `local ok, err = pcall(link.get, "nope"); print(err.code, err.errno, err.op, err.kind)`
---Example: `if not ok and err.code == "EEXIST" then link.get("v0"):set{up = true} end`
---@class NluaError
---@field errno integer the errno (17)
---@field code string the errno's name ("EEXIST")
---@field message string the kernel's extack text, strerror, or the input problem
---@field op string what failed: "link add v0 type veth", or the function ("link.add") for bad input
---@field kind string "kernel", "input" or "system"
---@field errors? NluaBatchFailure[] from `nlua.batch`: each change that failed
---A command run with `ns:exec(cmd, {check = true})` that failed also has:
---@field stdout string? what it wrote to stdout
---@field stderr string? what it wrote to stderr
---@field status integer? its exit status
---@field signal integer? the signal that ended it
---@field timed_out boolean? true when its `timeout` killed it

---One change of an `nlua.batch` that the kernel refused.
---Example: `for _, f in ipairs(err.errors) do print(f.where, f.code) end`
---@class NluaBatchFailure
---@field where string the line that asked for the change ("topo.lua:12")
---@field op string "route add 10.1.0.0/16 via 10.0.0.254"
---@field errno integer
---@field code string
---@field message string

---The runtime: JSON, types, the current handle, cleanups at teardown, events (`nlua.monitor`, docs/events.md).
nlua = {}
---@type string
nlua.version = ""
---Serialize a value as JSON; userdata use the keys `ip -j` uses.
---Example: `print(nlua.json({link.get("lo"), n = 1}))`
---@param v any
---@return string
function nlua.json(v) end
---The type of a value: the class name of nlua's objects ("Link", "Netns",
---"Route", ...), else what `type` says.
---Example: `print(nlua.type(link.get("lo")))   --> Link`
---@param v any
---@return string
function nlua.type(v) end
---The handle module functions act on (the current namespace).
---Example: `print(#nlua.handle():route_list())`
---@return Handle
function nlua.handle() end
---Run `fn` at the teardown of this run (a rollback after an error,
---`--ephemeral`, `nlua --test`), newest first, before the journal undoes
---the run's changes. Not kept in the journal: `nlua --down` says so and
---cannot run it.
---Example: `nlua.defer(function() os.remove("/tmp/lab.pid") end)`
---@param fn fun()
function nlua.defer(fn) end
---Run `fn(...)` with the changes that need no answer from the kernel
---(addresses, routes, neighbours, rules added, `r:del()` of a Rule, `l:set`
---but a move to another namespace, `l:up`, `l:down`, `l:del` of a link)
---queued, and sent pipelined (several per datagram) when `fn` returns, or
---first when something needs the kernel's answer (a read, `link.add`, a
---namespace deleted, a program run with `ns:exec`/`ns:spawn`/`ns:run`; not
---`os.execute`). Any other change is sent at once, and its error raised at
---once, as outside a batch. A queued change that fails does not stop the
---ones after it; when `fn` returns, one error lists every failed change with
---its line (`err.errors`). The journal records exactly the changes that
---succeeded. Returns what `fn` returns; inside a batch, `nlua.batch` just
---calls `fn`.
---Example: `nlua.batch(function() for i = 1, 100 do route.add{dst = "10.9." .. i .. ".0/24", dev = "v0"} end end)`
---@param fn fun(...): ...
---@param ... any
---@return any ...
function nlua.batch(fn, ...) end
