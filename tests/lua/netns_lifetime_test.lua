-- When namespaces go: netns.temp() when closed or collected, a named one when
-- deleted (as `ip netns del`), even while script objects still refer to them;
-- those objects then fail clearly. A veth with one end here shows it: the
-- kernel removes that end when the namespace of the other end is freed.
local function here(name) return (pcall(link.get, name)) end
-- Wait (bounded) until cond() holds: namespaces are freed by a kernel worker.
local function eventually(cond) for _ = 1, 200 do if cond() then return true end os.execute("sleep 0.05") end return cond() end
local function msg(t, f, ...)
  local args = table.pack(...)
  local e = t:err(function() return f(table.unpack(args, 1, args.n)) end)
  return tostring(e), e
end

test("a temporary namespace is gone when closed, though a Link of it is still held", function(t)
  local ns = netns.temp()
  local tin, tout = ns:link_add{name = "tin", kind = "veth", peer = {name = "tout", netns = netns.current()}}
  t:ok(tin.netns == ns and tout.peer == tin and here("tout"))
  local tnet = tin.netns -- another object of the same namespace
  local inode = ns.inode
  ns:close()
  t:ok(eventually(function() return not here("tout") end), "the namespace went with close()")
  t:eq(tostring(ns), "Netns(closed)")
  t:eq(tostring(tnet), "Netns(inode " .. inode .. ", closed)")
  local s, e = msg(t, tin.set, tin, {mtu = 1400})
  t:eq(s, "link set dev tin mtu 1400: namespace (inode " .. inode .. ") was closed (EBADF)")
  t:eq(e.code, "EBADF")
  t:eq(msg(t, tnet.links, tnet), "Netns.links: namespace (inode " .. inode .. ") was closed (EBADF)")
  t:ok(tin.netns ~= tnet, "an ended namespace equals nothing (its inode may be reused)")
end)

test("a temporary namespace is gone when collected", function(t)
  do
    local t2 = netns.temp()
    t2:link_add{name = "cin", kind = "veth", peer = {name = "cout", netns = netns.current()}}
    t:ok(here("cout"))
  end
  collectgarbage(); collectgarbage()
  t:ok(eventually(function() return not here("cout") end), "the namespace went with its last object")
end)

-- red with a veth v0 (here) / v1 (in red), deleted while the script holds
-- red, both ends and red's lo.
local function deleted_red(t)
  local red = netns.add("red")
  local a, b = link.add{name = "v0", kind = "veth", peer = {name = "v1", netns = red}}
  local lo = red:link("lo")
  netns.del("red")
  t:ok(eventually(function() return not here("v0") end), "red was freed though the script holds red, b and lo")
  return red, a, b, lo
end

test("a named namespace is gone when deleted, like `ip netns del`", function(t)
  local red, a, b, lo = deleted_red(t)
  t:eq(red.name, "red")
  t:eq(tostring(red), "Netns(red, deleted)")
  local s, e = msg(t, red.link, red, "lo")
  t:eq(s, 'Netns.link: namespace "red" was deleted (ENOENT)')
  t:eq(e.code, "ENOENT")
  t:eq(msg(t, b.set, b, {mtu = 1400}), 'link set dev v1 mtu 1400: namespace "red" was deleted (ENOENT)')
  s = msg(t, lo.up, lo)
  t:ok(s:find('namespace "red" was deleted %(ENOENT%)$'), s)
  t:eq(msg(t, red.exec, red, {"true"}), 'Netns.exec: namespace "red" was deleted (ENOENT)')
  t:eq(msg(t, red.run, red, function() end), 'Netns.run: namespace "red" was deleted (ENOENT)')
  t:eq(msg(t, link.add, {name = "x", kind = "bridge", netns = red}), 'link.add: namespace "red" was deleted (ENOENT)')
  t:eq(msg(t, red.del, red), 'netns del red: no namespace named "red" (ENOENT)')
  t:eq(msg(t, a.refresh, a), "Link(ifindex " .. a.index .. " v0): No such device (ENODEV)")
end)

test("a new namespace of the same name is a new one; the old objects stay ended", function(t)
  local red = deleted_red(t)
  local red2 = netns.add("red")
  t:eq(red2:link("lo").index, 1)
  t:ok(red2 ~= red)
  t:err(function() red:link("lo") end, "ENOENT")
  red2:del()
end)

test("a process inside keeps a deleted namespace alive, as with ip; reached by pid", function(t)
  local blue = netns.add("blue")
  blue:link_add{name = "w0", kind = "veth", peer = {name = "w1", netns = netns.current()}}
  local p = blue:spawn{"sleep", "30"}
  blue:del()
  t:err(function() blue:link("w0") end, "ENOENT")
  local byp = netns.pid(p.pid)
  t:ok(byp:link("w0").kind == "veth" and here("w1"), "the namespace lives while the process does")
  byp = nil -- dropped, so the collector can close it
  collectgarbage(); collectgarbage()
  p:kill("KILL"); p:wait()
  t:ok(eventually(function() return not here("w1") end), "and goes with it")
end)

test("deleting the namespace a run is in: the run's objects fail, the thread comes home", function(t)
  local green = netns.add("green")
  local home = netns.path("/proc/thread-self/ns/net").inode
  local s = msg(t, green.run, green, function()
    netns.del("green")
    return link.list()
  end)
  t:eq(s, 'link show: namespace "green" was deleted (ENOENT)')
  t:eq(netns.path("/proc/thread-self/ns/net").inode, home)
  t:ok(#link.list() >= 1)
end)
