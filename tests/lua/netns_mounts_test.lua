-- netns.add/del keep /run/netns the way iproute2 does: a shared mount, so a
-- namespace added later reaches processes already running in private mount
-- namespaces (ns:exec, ip netns exec), and a delete reaches them too, so the
-- namespace is really freed. And ip and nlua use each other's namespaces.
local function mountinfo(pid)
  local f = assert(io.open("/proc/" .. pid .. "/mountinfo")); local s = f:read("a"); f:close(); return s
end
local function here(name) return (pcall(link.get, name)) end
local function eventually(cond) for _ = 1, 200 do if cond() then return true end os.execute("sleep 0.05") end return cond() end

test("/run/netns is a shared mount point, and red is bound on it, as `ip netns add` leaves them", function(t)
  netns.add("red")
  local mine = mountinfo("self")
  t:ok(mine:find(" /run/netns [^\n]* shared:%d+ ") and mine:find(" /run/netns/red [^\n]* %- nsfs "), mine)
end)

-- A process in red, in its own (slave) mount namespace, started before blue exists.
local function process_in_red(t)
  local red = netns.add("red")
  local p = red:spawn{"sleep", "30"}
  t:ok(sh("readlink /proc/" .. p.pid .. "/ns/mnt") ~= sh("readlink /proc/self/ns/mnt"), "a private mount namespace")
  return red, p
end

test("a namespace added later reaches a process in a private mount namespace", function(t)
  local red, p = process_in_red(t)
  netns.add("blue")
  t:ok(mountinfo(p.pid):find(" /run/netns/blue "), "the new namespace's mount reached it")
  t:ok(red:exec{"ip", "netns", "exec", "blue", "true"}.ok, "and is usable from inside it")
  p:kill(); p:wait()
end)

test("deleting a namespace unmounts it there too, so it is freed although the process runs on", function(t)
  local _, p = process_in_red(t)
  local blue = netns.add("blue")
  t:ok(mountinfo(p.pid):find(" /run/netns/blue "), "the new namespace's mount reached it")
  blue:link_add{name = "b0", kind = "veth", peer = {name = "b1", netns = netns.current()}}
  netns.del(blue)
  t:ok(not mountinfo(p.pid):find(" /run/netns/blue "), "the unmount reached it")
  t:ok(eventually(function() return not here("b1") end), "blue was freed")
  p:kill(); p:wait()
end)

test("interop: ip uses nlua's namespace, deletes it, and nlua sees it gone", function(t)
  netns.add("red")
  t:ok(sh("ip netns exec red ip -br link show lo"):find("^lo "))
  t:ok(sh("ip -n red -j link show lo"):find('"ifindex":1,'))
  t:ok(os.execute("ip netns del red"))
  t:eq(#netns.list(), 0)
  t:err(function() netns.open("red") end, "ENOENT")
end)

test("interop: nlua uses ip's namespace, and deletes it for ip", function(t)
  t:ok(os.execute("ip netns add green && ip -n green link add g0 type veth peer name g1"))
  local green = netns.list()[1]
  t:eq(green.name, "green")
  t:eq(green:link("g1").peer.name, "g0")
  local r = green:exec{"ip", "-br", "link", "show", "g0"}
  t:ok(r.ok and r.stdout:find("^g0@g1 "), r.stdout)
  netns.del("green")
  t:eq(sh("ip netns list"), "")
end)
