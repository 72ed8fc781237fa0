-- ns:run moves the VM thread and the current handle, and always comes back:
-- on return, on error, and when a coroutine tries to yield inside.

local function inode()
  local p = assert(io.popen("stat -L -c %i /proc/self/ns/net")); local s = p:read("l"); p:close(); return s
end

local home, red
before_each(function()
  home = inode()
  red = netns.add("red")
  red:link("lo"):up()
end)

test("runs inside, returns results, comes back", function(t)
  local n, where = red:run(function(x) return x + 1, inode() end, 41)
  t:eq({n, where}, {42, tostring(red.inode)})
  t:eq(inode(), home, "back after return")
  t:ok(netns.current() ~= red)
end)

test("link.list, os.execute and /proc inside see the namespace", function(t)
  red:run(function()
    t:eq(#link.list(), 1)
    t:eq(link.list()[1].name, "lo")
    t:ok(os.execute("test -e /proc/self/net/dev"))
    link.add{name = "x0", kind = "bridge"}
  end)
  t:eq(red:link("x0").kind, "bridge")
  t:err(function() link.get("x0") end, "ENODEV")
end)

test("errors: the original value comes out, the thread comes back", function(t)
  local ok, e = pcall(red.run, red, function() error({code = 7}) end)
  t:ok(not ok)
  t:eq(e, {code = 7})
  t:eq(inode(), home)
  t:err(function() red:run(function() link.get("nope") end) end, "ENODEV")
  t:eq(inode(), home)
end)

test("nested runs", function(t)
  local blue = netns.add("blue")
  local inner = red:run(function()
    return blue:run(function() return inode() end), inode()
  end)
  t:eq(inner, tostring(blue.inode))
  t:eq(inode(), home)
end)

test("a coroutine that yields inside ns:run cannot leave the thread behind", function(t)
  local co = coroutine.create(function()
    red:run(function() coroutine.yield("inside") end)
  end)
  local okc, msg = coroutine.resume(co)
  t:ok(not okc and tostring(msg):find("yield"), tostring(msg))
  t:eq(inode(), home, "back after the coroutine died")
  t:eq(coroutine.status(co), "dead")
end)

test("netns.enter moves the thread for good and makes it current", function(t)
  netns.enter(red)
  t:eq(inode(), tostring(red.inode))
  t:ok(netns.current() == red)
end)
