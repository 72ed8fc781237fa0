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

-- link.list, os.execute and /proc inside see the namespace
red:run(function()
  assert(#link.list() == 1 and link.list()[1].name == "lo")
  assert(os.execute("test -e /proc/self/net/dev"))
  link.add{name = "x0", kind = "bridge"}
end)
assert(red:link("x0").kind == "bridge" and not pcall(link.get, "x0"))

-- errors: the original value comes out, the thread comes back
local ok, e = pcall(red.run, red, function() error({code = 7}) end)
assert(not ok and e.code == 7 and inode() == home)
ok, e = pcall(red.run, red, function() link.get("nope") end)
assert(not ok and e.code == "ENODEV" and inode() == home)

-- nested runs
local blue = netns.add("blue")
local inner = red:run(function()
  return blue:run(function() return inode() end), inode()
end)
assert(inner == tostring(blue.inode) and inode() == home)

-- a coroutine that yields inside ns:run cannot leave the thread behind
local co = coroutine.create(function()
  red:run(function() coroutine.yield("inside") end)
end)
local okc, msg = coroutine.resume(co)
assert(not okc and tostring(msg):find("yield"), tostring(msg))
assert(inode() == home, "back after the coroutine died")
assert(coroutine.status(co) == "dead")

-- netns.enter moves the thread for good and makes it current
netns.enter(red)
assert(inode() == tostring(red.inode) and netns.current() == red)
print("ok")
