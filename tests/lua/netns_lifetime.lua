-- When namespaces go: netns.temp() when closed or collected, a named one when
-- deleted (as `ip netns del`), even while script objects still refer to them;
-- those objects then fail clearly. A veth with one end here shows it: the
-- kernel removes that end when the namespace of the other end is freed.
local function here(name) return (pcall(link.get, name)) end
-- wait (bounded) until cond() holds: namespaces are freed by a kernel worker
local function eventually(cond) for _ = 1, 200 do if cond() then return true end os.execute("sleep 0.05") end return cond() end
local function err(f, ...)
  local ok, e = pcall(f, ...)
  assert(not ok, "call succeeded")
  return tostring(e), e
end

-- a temporary namespace is gone when closed, though a Link of it is still held
local t = netns.temp()
local tin, tout = t:link_add{name = "tin", kind = "veth", peer = {name = "tout", netns = netns.current()}}
assert(tin.netns == t and tout.peer == tin and here("tout"))
local tnet = tin.netns -- another object of the same namespace
local inode = t.inode
t:close()
assert(eventually(function() return not here("tout") end), "the namespace went with close()")
assert(tostring(t) == "Netns(closed)")
assert(tostring(tnet) == "Netns(inode " .. inode .. ", closed)", tostring(tnet))
local s, e = err(tin.set, tin, {mtu = 1400})
assert(s == "link set dev tin mtu 1400: namespace (inode " .. inode .. ") was closed (EBADF)" and e.code == "EBADF", s)
s = err(tnet.links, tnet)
assert(s == "Netns.links: namespace (inode " .. inode .. ") was closed (EBADF)", s)
assert(tin.netns ~= tnet, "an ended namespace equals nothing (its inode may be reused)")

-- ... and gone when collected
do
  local t2 = netns.temp()
  t2:link_add{name = "cin", kind = "veth", peer = {name = "cout", netns = netns.current()}}
  assert(here("cout"))
end
collectgarbage(); collectgarbage()
assert(eventually(function() return not here("cout") end), "the namespace went with its last object")

-- a named namespace is gone when deleted, like `ip netns del`
local red = netns.add("red")
local a, b = link.add{name = "v0", kind = "veth", peer = {name = "v1", netns = red}}
local lo = red:link("lo")
netns.del("red")
assert(eventually(function() return not here("v0") end), "red was freed though the script holds red, b and lo")
assert(red.name == "red" and tostring(red) == "Netns(red, deleted)", tostring(red))
s, e = err(red.link, red, "lo")
assert(s == 'Netns.link: namespace "red" was deleted (ENOENT)' and e.code == "ENOENT", s)
s = err(b.set, b, {mtu = 1400})
assert(s == 'link set dev v1 mtu 1400: namespace "red" was deleted (ENOENT)', s)
s = err(lo.up, lo)
assert(s:find('namespace "red" was deleted %(ENOENT%)$'), s)
s = err(red.exec, red, {"true"})
assert(s == 'Netns.exec: namespace "red" was deleted (ENOENT)', s)
s = err(red.run, red, function() end)
assert(s == 'Netns.run: namespace "red" was deleted (ENOENT)', s)
s = err(link.add, {name = "x", kind = "bridge", netns = red})
assert(s == 'link.add: namespace "red" was deleted (ENOENT)', s)
s = err(red.del, red)
assert(s == 'netns del red: no namespace named "red" (ENOENT)', s)
s = err(a.refresh, a)
assert(s == "Link(ifindex " .. a.index .. " v0): No such device (ENODEV)", s)

-- a new namespace of the same name is a new one; the old objects stay ended
local red2 = netns.add("red")
assert(red2:link("lo").index == 1 and red2 ~= red)
assert(not pcall(red.link, red, "lo"))
red2:del()

-- a process inside keeps a deleted namespace alive, as with ip; reached by pid
local blue = netns.add("blue")
blue:link_add{name = "w0", kind = "veth", peer = {name = "w1", netns = netns.current()}}
local p = blue:spawn{"sleep", "30"}
blue:del()
assert(not pcall(blue.link, blue, "w0"))
local byp = netns.pid(p.pid)
assert(byp:link("w0").kind == "veth" and here("w1"), "the namespace lives while the process does")
byp = nil
collectgarbage(); collectgarbage()
p:kill("KILL"); p:wait()
assert(eventually(function() return not here("w1") end), "and goes with it")

-- deleting the namespace a run is in: the run's objects fail, the thread comes home
local green = netns.add("green")
local home = netns.path("/proc/thread-self/ns/net").inode
s = err(green.run, green, function()
  netns.del("green")
  return link.list()
end)
assert(s == 'link show: namespace "green" was deleted (ENOENT)', s)
assert(netns.path("/proc/thread-self/ns/net").inode == home and #link.list() >= 1)
print("ok")
