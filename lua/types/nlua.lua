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
