-- Neighbours and bridge FDB entries from Lua, printed as ip/bridge print them.
local v0 = link.add{name = "v0", kind = "veth", peer = {name = "v1", up = true}, up = true}
addr.add("v0", "10.0.0.1/24")
neigh.add{dev = "v0", dst = "10.0.0.9", lladdr = "02:00:00:00:00:09"}
neigh.add{dev = v0, dst = "10.0.0.10", lladdr = "02:00:00:00:00:0a", state = "reachable", router = true}
neigh.add{dev = "v0", dst = "10.0.0.11", lladdr = "02:00:00:00:00:0b", state = "stale", proto = "static"}
neigh.add{dev = "v0", dst = "10.0.0.12", lladdr = "02:00:00:00:00:0c", state = "noarp"}
neigh.add{dev = "v0", dst = "10.0.0.13", proxy = true}
neigh.add{dev = "v0", dst = "2001:db8::9", lladdr = "02:00:00:00:00:99"}

local function lines(cmd)
  local t = {}
  for l in io.popen(cmd):read("a"):gmatch("[^\n]+") do t[#t + 1] = (l:gsub("%s+$", "")) end
  return t
end
local theirs = lines("ip neigh show")
local ours = neigh.list()
assert(#ours == #theirs, #ours .. " vs " .. #theirs)
for i, n in ipairs(ours) do assert(tostring(n) == theirs[i], tostring(n) .. " vs " .. theirs[i]) end
local function by(dst, f)
  for _, n in ipairs(neigh.list(f or {state = "all"})) do if n.dst == dst then return n end end
end
local n = by("10.0.0.9")
assert(n.lladdr == "02:00:00:00:00:09" and n.dev == "v0" and n.state == "permanent" and n.family == "inet")
assert(by("10.0.0.10").router and by("10.0.0.10").state == "reachable")
assert(by("10.0.0.11").state == "stale" and by("10.0.0.11").proto == "static")
assert(by("10.0.0.12").state == "noarp" and by("10.0.0.12", {}) == nil, "noarp entries are hidden by default, as in ip")
assert(by("10.0.0.13", {proxy = true}).proxy)
assert(by("2001:db8::9").family == "inet6")
assert(#v0:neighs{state = "all", family = "inet"} == 4)
assert(#neigh.list{state = {"stale", "reachable"}} == 2)

-- change, replace, del, flush
neigh.change{dev = "v0", dst = "10.0.0.10", lladdr = "02:00:00:00:00:aa", state = "stale"}
assert(by("10.0.0.10").lladdr == "02:00:00:00:00:aa" and by("10.0.0.10").state == "stale")
neigh.replace{dev = "v0", dst = "10.0.0.20", lladdr = "02:00:00:00:00:20", state = "reachable"}
by("10.0.0.9"):del()
assert(by("10.0.0.9") == nil)
neigh.del{dev = "v0", dst = "10.0.0.12"}
assert(neigh.flush{dev = "v0"} == 3, "stale and reachable ones go")
assert(by("10.0.0.11") == nil and by("2001:db8::9"), "permanent entries stay")

-- Bridge FDB: a vxlan overlay's entries.
link.add{name = "vx0", kind = "vxlan", id = 42, dstport = 4789, ["local"] = "192.0.2.1", learning = false, up = true}
for _, remote in ipairs{"192.0.2.2", "192.0.2.3"} do
  neigh.append{family = "bridge", dev = "vx0", lladdr = "00:00:00:00:00:00", dst = remote}
end
neigh.add{family = "bridge", dev = "vx0", lladdr = "02:00:00:00:01:01", dst = "192.0.2.2", vni = 100}
local br = link.add{name = "br0", kind = "bridge", up = true}
link.get("v1"):set{master = br}
neigh.add{family = "bridge", dev = "v1", lladdr = "02:00:00:00:02:01", master = true, state = "static"}
local fdb = lines("bridge fdb show")
local mine = neigh.list{family = "bridge"}
assert(#mine == #fdb, #mine .. " vs " .. #fdb)
for i, e in ipairs(mine) do assert(tostring(e) == fdb[i], tostring(e) .. " vs " .. fdb[i]) end
local flood = 0
for _, e in ipairs(neigh.list{family = "bridge", dev = "vx0"}) do
  if e.lladdr == "00:00:00:00:00:00" then flood = flood + 1; assert(e.self and e.state == "permanent") end
  if e.lladdr == "02:00:00:00:01:01" then assert(e.dst == "192.0.2.2" and e.vni == 100) end
end
assert(flood == 2)
local e
for _, x in ipairs(neigh.list{family = "bridge", dev = "v1"}) do if x.lladdr == "02:00:00:00:02:01" then e = x end end
assert(e and e.bridge == "br0" and e.state == "static", tostring(e))
e:del()
print("ok")
