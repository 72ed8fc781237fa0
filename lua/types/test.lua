---@meta
-- Type stubs for test files run by `nlua --test` (LuaLS): the globals a
-- `*_test.lua` file registers its tests with, and the TestContext `t` each
-- test function gets. See docs/testing.md.

---The context of one running test: assertions and fixtures. An assertion
---that fails raises an error pointing at the line that called it.
---Example: `test("mtu", function(t) local a = t:veth{} t:eq(a.mtu, 1500) end)`
---@class TestContext
---@field name string the test's full name ("group > test")
local TestContext = {}

---Deep equality: tables compare key by key (a readable diff of every path
---that differs on failure), other values with `==` (userdata with `__eq`).
---Example: `t:eq(link.get("v0").mtu, 1500)`
---@param got any what the code under test produced
---@param want any what it should be
---@param msg? string said first in the failure
function TestContext:eq(got, want, msg) end

---A true value (anything but nil and false); returns it.
---Example: `local l = t:ok(link.get("v0"), "v0 exists")`
---@generic T
---@param v T
---@param msg? string
---@return T
function TestContext:ok(v, msg) end

---`fn()` must raise an error. `want` is an errno code ("EEXIST") compared
---with the error's `code`, or text looked for in `tostring(err)`, as is or
---as a Lua pattern. Returns the error.
---Example: `t:err(function() link.add{name = "lo", kind = "bridge"} end, "EEXIST")`
---@param fn fun()
---@param want? string
---@return any err
function TestContext:err(fn, want) end

---`|a - b| <= eps` (default 1e-9).
---Example: `t:near(q.stats.rate_bps, 1e6, 1e5)`
---@param a number
---@param b number
---@param eps? number
function TestContext:near(a, b, eps) end

---Fail the test now.
---Example: `if not seen then t:fail("no event arrived") end`
---@param msg? string
function TestContext:fail(msg) end

---Stop the test and report it skipped (`ok N - name # SKIP reason`).
---Example: `if not has_netem then t:skip("no netem in this kernel") end`
---@param reason? string
function TestContext:skip(reason) end

---Run `fn` after the test (after the after_each hooks), newest first; an
---error there fails the test.
---Example: `t:cleanup(function() os.remove("/tmp/x") end)`
---@param fn fun()
function TestContext:cleanup(fn) end

---A veth pair with names unique in the test ("tv1a"/"tv1b", "tv2a"/...),
---unless given. Options as `link.add` takes them; the peer's in `peer`.
---Example: `local a, b = t:veth{peer = {netns = t:netns()}}`
---@param opts? LinkAddOpts
---@return Link a, Link b
function TestContext:veth(opts) end

---A named namespace ("tns1", ...) with lo up.
---Example: `local red = t:netns()`
---@return Netns
function TestContext:netns() end

---Wait until the link is up as `link.wait` means it (operstate UP, or
---UNKNOWN with IFF_UP); fails after `timeout` seconds (default 5) with the
---operstate it has. Returns the link.
---Example: `t:wait_up(a, 2)`
---@param l Link|string a Link, or a link name in the current namespace
---@param timeout? number
---@return Link
function TestContext:wait_up(l, timeout) end

---Ping `addr` from namespace `ns` until a reply comes; fails when none comes
---within `opts.timeout` seconds (default 5). `t:ping(addr)` pings from the
---current namespace.
---Example: `t:ping(red, "10.0.0.2")`
---@param ns Netns|string|nil
---@param addr string
---@param opts? {timeout?: number}
---@return true
---@overload fun(self: TestContext, addr: string, opts?: {timeout?: number}): true
function TestContext:ping(ns, addr, opts) end

---Register a test. It runs in a world of its own: fresh network and mount
---namespaces, lo up, empty /run/netns; what it builds is gone afterwards.
---Example: `test("veth pair pings", function(t) t:ping(t:netns(), "127.0.0.1") end)`
---@param name string
---@param fn fun(t: TestContext)
function test(name, fn) end

---Register a test that is reported skipped and not run.
---Example: `skip("needs netem", function(t) end)`
---@param name string
---@param fn fun(t: TestContext)
function skip(name, fn) end

---Register a focused test: when a file has any, only those run (the file's
---others are reported skipped).
---Example: `only("the one I am debugging", function(t) end)`
---@param name string
---@param fn fun(t: TestContext)
function only(name, fn) end

---Group tests: their names get the prefix "name > ", and hooks registered
---inside apply to the group's tests only.
---Example: `describe("bridges", function() test("learn", function(t) end) end)`
---@param name string
---@param fn fun()
function describe(name, fn) end

---Run `fn(t)` before each test of the current group (outer groups first).
---Example: `before_each(function(t) link.get("lo"):up() end)`
---@param fn fun(t: TestContext)
function before_each(fn) end

---Run `fn(t)` after each test of the current group, whether it passed or
---not (inner groups first).
---Example: `after_each(function(t) print(t.name .. " done") end)`
---@param fn fun(t: TestContext)
function after_each(fn) end

---Run a shell command in the test's world (to read what `ip` or `tc`
---shows); returns its standard output, and true when it exited 0.
---Example: `t:ok(sh("ip -j route show"):find('"dst":"10.9.0.0/16"'))`
---@param cmd string
---@return string stdout
---@return boolean ok
function sh(cmd) end
