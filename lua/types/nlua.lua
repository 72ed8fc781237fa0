---@meta
-- Type stubs for the `nlua` module and the Handle userdata (LuaLS).

---@class Handle
---@field inode integer inode of the namespace this handle is bound to
---Every module function is also a Handle method, bound to the handle's namespace:
---`h:link_list{}`, `h:link_add{...}`, `h:addr_add(...)`.
local Handle = {}
function Handle:link_list(filter) end
function Handle:link_get(id) end
function Handle:link_add(opts) end
function Handle:link_del(l) end
function Handle:link_set(l, opts) end
function Handle:addr_list(filter) end
function Handle:addr_add(dev, address, opts) end
function Handle:addr_replace(dev, address, opts) end
function Handle:addr_del(dev, address) end
function Handle:addr_flush(dev, filter) end

---@class NluaError
---@field errno integer
---@field code string "EEXIST"
---@field message string the kernel's extack text, strerror, or the input problem
---@field op string "link add v0 type veth"
---@field kind string "kernel", "input" or "system"
---@field errors? NluaBatchFailure[] from `nlua.batch`: each change that failed

---@class NluaBatchFailure
---@field where string the line that asked for the change ("topo.lua:12")
---@field op string "route add 10.1.0.0/16 via 10.0.0.254"
---@field errno integer
---@field code string
---@field message string

nlua = {}
---@type string
nlua.version = ""
---Serialize a value as JSON; userdata use the keys `ip -j` uses.
---@param v any
---@return string
function nlua.json(v) end
---The type of a value: the class name of nlua's objects ("Link", "Netns",
---"Route", ...), else what `type` says.
---@param v any
---@return string
function nlua.type(v) end
---The handle module functions act on (the current namespace).
---@return Handle
function nlua.handle() end
---Run `fn` at the teardown of this run (a rollback after an error,
---`--ephemeral`, `nlua --test`), newest first, before the journal undoes
---the run's changes. Not kept in the journal: `nlua --down` says so and
---cannot run it.
---@param fn fun()
function nlua.defer(fn) end
---Run `fn(...)` with the changes that need no answer from the kernel
---(addresses, routes, neighbours, rules added or deleted, `l:set`, `l:up`,
---`l:down`, `l:del` of a link) queued, and sent pipelined (several per
---datagram) when `fn` returns, or first when something needs the kernel's
---answer (a read, `link.add`, a namespace deleted, a program run with
---`ns:exec`/`ns:spawn`/`ns:run`). A change that fails does not stop the
---ones after it; when `fn` returns, one error lists every failed change with
---its line (`err.errors`). The journal records exactly the changes that
---succeeded. Returns what `fn` returns; inside a batch, `nlua.batch` just
---calls `fn`.
---@param fn fun(...): ...
---@param ... any
---@return any ...
function nlua.batch(fn, ...) end
