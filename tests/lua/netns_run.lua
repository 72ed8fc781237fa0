-- ns:run moves the VM thread and the current handle, and always comes back:
-- on return, on error, and when a coroutine tries to yield inside.
local function inode()
  local p = assert(io.popen("stat -L -c %i /proc/self/ns/net")); local s = p:read("l"); p:close(); return s
end
local home = inode()
local red = netns.add("red")
red:link("lo"):up()

local n, where = red:run(function(x) return x + 1, inode() end, 41)
assert(n == 42 and where == tostring(red.inode), "runs inside, returns results")
assert(inode() == home, "back after return")
assert(netns.current() ~= red)

-- this very thread's namespace, as the kernel sees it
local function thread_ns() return netns.path("/proc/thread-self/ns/net").inode end
local home_ns = thread_ns()
assert(tostring(home_ns) == home)

-- ns:handle() opens its socket inside red without moving this thread
local h = red:handle()
assert(h.inode == red.inode and thread_ns() == home_ns and #h:link_list() == 1)

-- link.list, os.execute and /proc inside see the namespace
local function proc_net_dev()
  local f = assert(io.open("/proc/net/dev")); local s = f:read("a"); f:close(); return s
end
red:run(function()
  assert(thread_ns() == red.inode, "the VM thread itself is inside")
  assert(#link.list() == 1 and link.list()[1].name == "lo")
  link.add{name = "x0", kind = "bridge"}
  assert(os.execute("ip link show x0 > /dev/null"), "os.execute sees the namespace")
  assert(proc_net_dev():find("x0:"), "io.open('/proc/net/dev') sees the namespace")
end)
assert(red:link("x0").kind == "bridge" and not pcall(link.get, "x0"))
assert(not proc_net_dev():find("x0:") and not os.execute("ip link show x0 2> /dev/null"))
assert(thread_ns() == home_ns)

-- errors: the original value comes out, the thread comes back
local ok, e = pcall(red.run, red, function() error({code = 7}) end)
assert(not ok and e.code == 7 and inode() == home and thread_ns() == home_ns)
ok, e = pcall(red.run, red, function() link.get("nope") end)
assert(not ok and e.code == "ENODEV" and inode() == home and thread_ns() == home_ns)
assert(netns.current() ~= red and #link.list() == 1, "the current handle is restored too")

-- nested runs: each level restores the one around it, on return and on error
local blue = netns.add("blue")
local inner, outer = red:run(function()
  return blue:run(function() return inode() end), inode()
end)
assert(inner == tostring(blue.inode) and outer == tostring(red.inode) and inode() == home)
local trail = {}
ok, e = pcall(red.run, red, function()
  local ok2, e2 = pcall(blue.run, blue, function()
    trail[#trail + 1] = thread_ns()
    error("inner", 0)
  end)
  trail[#trail + 1] = thread_ns()
  assert(not ok2 and e2 == "inner" and netns.current() == red)
  blue:run(function() red:run(function() trail[#trail + 1] = thread_ns(); error("deep", 0) end) end)
end)
assert(not ok and e == "deep", tostring(e))
assert(trail[1] == blue.inode and trail[2] == red.inode and trail[3] == red.inode, table.concat(trail, ","))
assert(thread_ns() == home_ns and netns.current() ~= red)

-- a coroutine that yields inside ns:run cannot leave the thread behind
local co = coroutine.create(function()
  red:run(function() coroutine.yield("inside") end)
end)
local okc, msg = coroutine.resume(co)
assert(not okc and tostring(msg):find("yield"), tostring(msg))
assert(inode() == home and thread_ns() == home_ns, "back after the coroutine died")
assert(coroutine.status(co) == "dead")
-- a coroutine that dies of an error inside ns:run (the run inside the coroutine)
co = coroutine.create(function()
  coroutine.yield(thread_ns())
  red:run(function() error("died inside") end)
end)
local ok1, before = coroutine.resume(co)
assert(ok1 and before == home_ns)
local ok2, why = coroutine.resume(co)
assert(not ok2 and tostring(why):find("died inside") and coroutine.status(co) == "dead")
assert(thread_ns() == home_ns and netns.current() ~= red)
-- a coroutine resumed inside ns:run sees the namespace, and yields back out of it
local gen = coroutine.wrap(function() while true do coroutine.yield(thread_ns()) end end)
assert(gen() == home_ns)
assert(red:run(gen) == red.inode and gen() == home_ns)

-- netns.enter moves the thread for good and makes it current
netns.enter(red)
assert(inode() == tostring(red.inode) and netns.current() == red)
print("ok")
