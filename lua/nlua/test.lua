-- nlua.test: the Lua side of `nlua --test`. A test file registers its tests
-- through the globals test, describe, before_each, after_each, skip and only;
-- the runner (src/testrun/) loads the file once to list them, then once per
-- test, each time in a fresh world, to run just that one. Each test function
-- gets `t`: assertions (eq, ok, err, near) and fixtures (veth, netns,
-- wait_up, ping) that fail with a message pointing at the test's line.
local inspect = require("nlua.inspect")

local M = {}

local tests, by_name = {}, {}
local root = { before = {}, after = {} }
local current = root
local running = false

-- A skip raised from inside a test (t:skip) travels as an error of this type.
local Skip = {}

-- The class of nlua's objects ("Link": their metatables are closed to Lua),
-- else what type() says.
local typeof = nlua.type

-- Values as people read them in a failure message.
local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" then
    local ok, s = pcall(tostring, v)
    return ok and s or typeof(v)
  end
  local s = inspect.inspect(v, { depth = 3 })
  if #s > 400 then s = s:sub(1, 400) .. " ..." end
  return s
end

local function register(fname, name, fn, mark)
  if running then error(fname .. ": tests are registered when the file loads, not while a test runs", 3) end
  if type(name) ~= "string" or name == "" then
    error(fname .. ": argument #1: expected the test's name (a string), got " .. show(name), 3)
  end
  if type(fn) ~= "function" then
    error(fname .. ": argument #2: expected the test function, got " .. typeof(fn), 3)
  end
  local full = current.path and (current.path .. " > " .. name) or name
  if by_name[full] then error(string.format("%s: duplicate test name %q", fname, full), 3) end
  local tc = { name = full, fn = fn, block = current, skip = mark.skip, only = mark.only }
  by_name[full] = tc
  tests[#tests + 1] = tc
end

local function hook(fname, list, fn)
  if running then error(fname .. ": hooks are registered when the file loads, not while a test runs", 3) end
  if type(fn) ~= "function" then error(fname .. ": argument #1: expected a function, got " .. typeof(fn), 3) end
  list[#list + 1] = fn
end

-- The globals a test file uses.
local api = {}

---Register a test.
function api.test(name, fn) register("test", name, fn, {}) end

---Register a test that is reported as skipped and not run.
function api.skip(name, fn) register("skip", name, fn, { skip = "skipped" }) end

---Register a focused test: when a file has any, only those run (the rest are skipped).
function api.only(name, fn) register("only", name, fn, { only = true }) end

---Group tests: names get the prefix "name > ", hooks registered inside apply to the group.
function api.describe(name, fn)
  if running then error("describe: groups are registered when the file loads, not while a test runs", 2) end
  if type(name) ~= "string" or name == "" then error("describe: argument #1: expected the group's name (a string), got " .. show(name), 2) end
  if type(fn) ~= "function" then error("describe: argument #2: expected a function, got " .. typeof(fn), 2) end
  local block = { before = {}, after = {}, parent = current, path = current.path and (current.path .. " > " .. name) or name }
  current = block
  -- An error here fails the whole file, so `current` need not be restored then.
  fn()
  current = block.parent
end

---Run `fn(t)` before each test of this group (outer groups' first).
function api.before_each(fn) hook("before_each", current.before, fn) end

---Run `fn(t)` after each test of this group, whether it passed or not (inner groups' first).
function api.after_each(fn) hook("after_each", current.after, fn) end

-- Run a shell command (to ask `ip`/`tc` what they see); its standard output,
-- and true when it exited 0.
function api.sh(cmd)
  local p = assert(io.popen(cmd))
  local out = p:read("a")
  return out, p:close() == true
end

-- Where an error happened: the innermost frame that is neither C nor this file.
local function position(level)
  for l = level, level + 40 do
    local info = debug.getinfo(l, "Sl")
    if not info then break end
    if info.what ~= "C" and (info.currentline or 0) > 0 and not info.source:find("nlua/test%.lua$") then
      return info.short_src .. ":" .. info.currentline .. ": "
    end
  end
  return ""
end

-- The traceback without the runner's own frames.
local function clean_traceback(tb)
  local keep = {}
  for line in tb:gmatch("[^\n]+") do
    if not (line:find("nlua/test%.lua:") or line:find("%[C%]: in function 'xpcall'") or line:find("%[C%]: in function 'error'")
        or line:find("%[C%]: in %?")) then
      keep[#keep + 1] = line
    end
  end
  if #keep <= 1 then return "" end
  return table.concat(keep, "\n")
end

local function handler(e)
  if getmetatable(e) == Skip then return e end
  local msg
  if type(e) == "string" then
    msg = e
  else
    local ok, s = pcall(tostring, e)
    msg = position(2) .. (ok and s or ("(error object is a " .. typeof(e) .. " value)"))
  end
  return { message = msg, traceback = clean_traceback(debug.traceback("", 2)) }
end

-- t ----------------------------------------------------------------------

local T = {}
T.__index = T
T.__name = "TestContext"
T.__tostring = function(t) return "TestContext(" .. t.name .. ")" end

-- Fail the test at the line that called the assertion.
local function fail(msg) error(msg, 3) end

local function key_text(k)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") then return "." .. k end
  if type(k) == "string" then return string.format("[%q]", k) end
  return "[" .. tostring(k) .. "]"
end

local function sorted_keys(a, b)
  local seen, keys = {}, {}
  for _, t in ipairs { a, b } do
    for k in pairs(t) do
      if not seen[k] then seen[k] = true; keys[#keys + 1] = k end
    end
  end
  table.sort(keys, function(x, y)
    local tx, ty = type(x), type(y)
    if tx ~= ty then return tx < ty end -- numbers before strings
    if tx == "number" or tx == "string" then return x < y end
    return tostring(x) < tostring(y)
  end)
  return keys
end

local MAX_DIFFS = 20

-- The differences between got and want, one line each, with the path to them.
local function diff(got, want, path, out, seen)
  if #out >= MAX_DIFFS or rawequal(got, want) then return end
  if type(got) == "table" and type(want) == "table" then
    local mt = getmetatable(got)
    if not (mt and mt.__eq) then
      if seen[got] == want then return end
      seen[got] = want
      for _, k in ipairs(sorted_keys(got, want)) do
        local g, w = rawget(got, k), rawget(want, k)
        local p = path .. key_text(k)
        if g == nil then
          out[#out + 1] = p .. ": missing, want " .. show(w)
        elseif w == nil then
          out[#out + 1] = p .. ": unexpected " .. show(g)
        else
          diff(g, w, p, out, seen)
        end
        if #out >= MAX_DIFFS then
          out[#out + 1] = "(more differences not shown)"
          return
        end
      end
      return
    end
  end
  if got == want then return end
  out[#out + 1] = (path == "" and "" or path .. ": ") .. "got " .. show(got) .. ", want " .. show(want)
end

---Deep equality: tables compare key by key, other values with ==.
function T:eq(got, want, msg)
  local out = {}
  diff(got, want, "", out, {})
  if #out == 0 then return end
  local head = "t:eq: " .. (msg and (tostring(msg) .. ": ") or "")
  if type(got) == "table" and type(want) == "table" and out[1]:sub(1, 3) ~= "got" then
    fail(head .. "tables differ\n  " .. table.concat(out, "\n  "))
  end
  fail(head .. out[1])
end

---A true value (anything but nil and false).
function T:ok(v, msg)
  if v then return v end
  fail("t:ok: " .. (msg and tostring(msg) or ("got " .. show(v))))
end

---`fn()` raises an error: an errno code ("EEXIST") compared with err.code, or
---text found in tostring(err) (as is, or as a Lua pattern). Returns the error.
function T:err(fn, want)
  if type(fn) ~= "function" then error("t:err: argument #1: expected a function, got " .. typeof(fn), 2) end
  if want ~= nil and type(want) ~= "string" then
    error("t:err: argument #2: expected an errno code like \"EEXIST\" or a message pattern, got " .. show(want), 2)
  end
  local ok, e = pcall(fn)
  if ok then fail("t:err: expected an error" .. (want and (" matching " .. show(want)) or "") .. ", but the call succeeded") end
  if want == nil then return e end
  local text = show(e)
  if type(e) == "string" then text = e end
  local code
  if type(e) == "table" or type(e) == "userdata" then
    local okc, c = pcall(function() return e.code end)
    if okc then code = c end
  end
  if want:match("^E[A-Z0-9]+$") and code ~= nil then
    if code == want then return e end
    fail(string.format("t:err: got error code %s, want %s (%s)", tostring(code), want, text))
  end
  if text:find(want, 1, true) then return e end
  local okp, found = pcall(string.find, text, want)
  if okp and found then return e end
  fail(string.format("t:err: error %s does not match %q", show(text), want))
end

---|a - b| <= eps (default 1e-9).
function T:near(a, b, eps)
  eps = eps or 1e-9
  if type(a) ~= "number" or type(b) ~= "number" then fail("t:near: expected two numbers, got " .. show(a) .. " and " .. show(b)) end
  if math.abs(a - b) <= eps then return end
  fail(string.format("t:near: got %s, want %s within %s (off by %s)", show(a), show(b), show(eps), show(math.abs(a - b))))
end

---Fail the test now.
function T:fail(msg) fail("t:fail: " .. tostring(msg or "failed")) end

---Stop the test and report it skipped.
function T:skip(reason) error(setmetatable({ reason = reason and tostring(reason) or "skipped" }, Skip), 0) end

---Run `fn()` after the test (after the after_each hooks), newest first; an error fails the test.
function T:cleanup(fn)
  if type(fn) ~= "function" then error("t:cleanup: argument #1: expected a function, got " .. typeof(fn), 2) end
  self._cleanups[#self._cleanups + 1] = fn
end

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

---A veth pair with names unique in the test ("tv1a"/"tv1b", ...); options
---as link.add takes them, `peer` options inside `peer`. Returns both ends.
function T:veth(opts)
  if opts ~= nil and type(opts) ~= "table" then error("t:veth: argument #1: expected an option table, got " .. typeof(opts), 2) end
  self._seq = self._seq + 1
  local o = copy(opts or {})
  if o.kind ~= nil and o.kind ~= "veth" then error("t:veth: field 'kind': always veth, got " .. show(o.kind), 2) end
  o.kind = "veth"
  o.name = o.name or ("tv" .. self._seq .. "a")
  local p = copy(o.peer or {})
  p.name = p.name or ("tv" .. self._seq .. "b")
  o.peer = p
  return link.add(o)
end

---A named namespace ("tns1", ...) with lo up; gone after the test.
function T:netns()
  self._seq = self._seq + 1
  local ns = netns.add("tns" .. self._seq)
  ns:link("lo"):up()
  return ns
end

---Wait until `l` (a Link, or a link name here) is up as link.wait means it
---(operstate UP, or UNKNOWN with IFF_UP); fails after `timeout` seconds
---(default 5). Returns the link.
function T:wait_up(l, timeout)
  if type(l) == "string" then l = link.get(l) end
  if typeof(l) ~= "Link" then error("t:wait_up: argument #1: expected a Link or a link name, got " .. show(l), 2) end
  timeout = timeout or 5
  local ok, e = pcall(link.wait, l, "up", timeout)
  if not ok then
    if e.code ~= "ETIMEDOUT" then error(e, 0) end
    fail(string.format("t:wait_up: %s is still %s after %g s", l.name, l:refresh().operstate, timeout))
  end
  return l:refresh()
end

---Ping `addr` from namespace `ns` (a Netns, a name, or nil for the current
---one) until a reply comes; fails when none comes within opts.timeout
---seconds (default 5). `t:ping(addr[, opts])` pings from the current namespace.
function T:ping(ns, addr, opts)
  if addr == nil or type(addr) == "table" then ns, addr, opts = nil, ns, addr end
  if type(addr) ~= "string" then error("t:ping: expected an address, got " .. show(addr), 2) end
  local from
  if ns == nil then
    from = netns.current()
  elseif type(ns) == "string" then
    from = netns.open(ns)
  else
    from = ns
  end
  local timeout = math.max(1, math.ceil((opts and opts.timeout) or 5))
  local r = from:exec { "ping", "-c", "1", "-w", tostring(timeout), addr }
  if r.ok then return true end
  local label = from.name or ("inode " .. tostring(from.inode))
  fail(string.format("t:ping: no reply from %s in namespace %s within %d s\n%s%s", addr, label, timeout, r.stdout, r.stderr))
end

-- The runner's side ------------------------------------------------------

---Install the globals and load the file's tests by running `chunk`.
---Returns { {name, skip, only}, ... }, or nil, message, traceback.
function M.collect(chunk)
  for k, v in pairs(api) do _G[k] = v end
  local ok, e = xpcall(chunk, handler)
  if not ok then return nil, e.message, e.traceback end
  local list = {}
  for i, tc in ipairs(tests) do list[i] = { name = tc.name, skip = tc.skip, only = tc.only or false } end
  return list
end

---Run test number `i` with its hooks. `host` gives clock() (ms).
---Returns { status = "pass"|"fail"|"skip", name, ms, message?, traceback?, reason? }.
function M.run(i, host)
  local tc = tests[i]
  if not tc then error("nlua.test: no test #" .. tostring(i), 0) end
  local t = setmetatable({ name = tc.name, _host = host, _seq = 0, _cleanups = {} }, T)
  local chain = {}
  local b = tc.block
  while b do
    table.insert(chain, 1, b)
    b = b.parent
  end
  local errors, skipped = {}, nil
  local function call(f)
    local ok, e = xpcall(f, handler, t)
    if ok then return true end
    if getmetatable(e) == Skip then
      skipped = skipped or e.reason
    else
      errors[#errors + 1] = e
    end
    return false
  end
  running = true
  local t0 = host.clock()
  local ready = true
  for _, blk in ipairs(chain) do
    for _, f in ipairs(blk.before) do
      ready = call(f)
      if not ready then break end
    end
    if not ready then break end
  end
  if ready then call(tc.fn) end
  for j = #chain, 1, -1 do
    for _, f in ipairs(chain[j].after) do call(f) end
  end
  for j = #t._cleanups, 1, -1 do call(t._cleanups[j]) end
  local ms = host.clock() - t0
  running = false
  if #errors > 0 then
    local msg = errors[1].message
    for k = 2, #errors do msg = msg .. "\nthen: " .. errors[k].message end
    return { status = "fail", name = tc.name, ms = ms, message = msg, traceback = errors[1].traceback }
  elseif skipped then
    return { status = "skip", name = tc.name, ms = ms, reason = skipped }
  end
  return { status = "pass", name = tc.name, ms = ms }
end

return M
