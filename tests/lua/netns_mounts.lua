-- netns.add/del keep /run/netns the way iproute2 does: a shared mount, so a
-- namespace added later reaches processes already running in private mount
-- namespaces (ns:exec, ip netns exec), and a delete reaches them too, so the
-- namespace is really freed. And ip and nlua use each other's namespaces.
local function sh(cmd)
  local p = assert(io.popen(cmd)); local s = p:read("a"); p:close(); return s
end
local function mountinfo(pid)
  local f = assert(io.open("/proc/" .. pid .. "/mountinfo")); local s = f:read("a"); f:close(); return s
end
local function here(name) return (pcall(link.get, name)) end
local function eventually(cond) for _ = 1, 200 do if cond() then return true end os.execute("sleep 0.05") end return cond() end

local red = netns.add("red")
-- /run/netns is a shared mount point, and red is bound on it, as `ip netns add` leaves them
local mine = mountinfo("self")
assert(mine:find(" /run/netns [^\n]* shared:%d+ ") and mine:find(" /run/netns/red [^\n]* %- nsfs "), mine)

-- a process in red, in its own (slave) mount namespace, started before blue exists
local p = red:spawn{"sleep", "30"}
assert(sh("readlink /proc/" .. p.pid .. "/ns/mnt") ~= sh("readlink /proc/self/ns/mnt"), "a private mount namespace")
local blue = netns.add("blue")
assert(mountinfo(p.pid):find(" /run/netns/blue "), "the new namespace's mount reached it")
assert(red:exec{"ip", "netns", "exec", "blue", "true"}.ok, "and is usable from inside it")

-- deleting blue unmounts it there too, so blue is freed although p runs on
blue:link_add{name = "b0", kind = "veth", peer = {name = "b1", netns = netns.current()}}
netns.del(blue)
assert(not mountinfo(p.pid):find(" /run/netns/blue "), "the unmount reached it")
assert(eventually(function() return not here("b1") end), "blue was freed")
p:kill(); p:wait()

-- interop: ip uses nlua's namespace...
assert(sh("ip netns exec red ip -br link show lo"):find("^lo "))
assert(sh("ip -n red -j link show lo"):find('"ifindex":1,'))
-- ... deletes it, and nlua sees it gone
os.execute("ip netns del red")
assert(#netns.list() == 0 and not pcall(netns.open, "red"))
-- nlua uses ip's namespace, and deletes it for ip
os.execute("ip netns add green && ip -n green link add g0 type veth peer name g1")
local green = netns.list()[1]
assert(green.name == "green" and green:link("g1").peer.name == "g0")
local r = green:exec{"ip", "-br", "link", "show", "g0"}
assert(r.ok and r.stdout:find("^g0@g1 "), r.stdout)
netns.del("green")
assert(sh("ip netns list") == "")
print("ok")
