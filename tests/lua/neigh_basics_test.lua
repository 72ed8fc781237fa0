-- Neighbours and bridge FDB entries from Lua, printed as ip/bridge print them.

local function lines(cmd)
  local t = {}
  for l in io.popen(cmd):read("a"):gmatch("[^\n]+") do t[#t + 1] = (l:gsub("%s+$", "")) end
  return t
end

local function by(dst, f)
  for _, n in ipairs(neigh.list(f or {state = "all"})) do if n.dst == dst then return n end end
end

-- v0 with six neighbours of different states and families.
local function neighbours()
  local v0 = link.add{name = "v0", kind = "veth", peer = {name = "v1", up = true}, up = true}
  addr.add("v0", "10.0.0.1/24")
  neigh.add{dev = "v0", dst = "10.0.0.9", lladdr = "02:00:00:00:00:09"}
  neigh.add{dev = v0, dst = "10.0.0.10", lladdr = "02:00:00:00:00:0a", state = "reachable", router = true}
  neigh.add{dev = "v0", dst = "10.0.0.11", lladdr = "02:00:00:00:00:0b", state = "stale", proto = "static"}
  neigh.add{dev = "v0", dst = "10.0.0.12", lladdr = "02:00:00:00:00:0c", state = "noarp"}
  neigh.add{dev = "v0", dst = "10.0.0.13", proxy = true}
  neigh.add{dev = "v0", dst = "2001:db8::9", lladdr = "02:00:00:00:00:99"}
  return v0
end

test("neighbours print as `ip neigh` prints them", function(t)
  neighbours()
  local theirs = lines("ip neigh show")
  local ours = neigh.list()
  t:eq(#ours, #theirs)
  for i, n in ipairs(ours) do t:eq(tostring(n), theirs[i]) end
end)

test("neighbour fields and list filters", function(t)
  local v0 = neighbours()
  local n = by("10.0.0.9")
  t:eq({n.lladdr, n.dev, n.state, n.family}, {"02:00:00:00:00:09", "v0", "permanent", "inet"})
  t:ok(by("10.0.0.10").router and by("10.0.0.10").state == "reachable")
  t:eq({by("10.0.0.11").state, by("10.0.0.11").proto}, {"stale", "static"})
  t:eq(by("10.0.0.12").state, "noarp")
  t:eq(by("10.0.0.12", {}), nil, "noarp entries are hidden by default, as in ip")
  t:ok(by("10.0.0.13", {proxy = true}).proxy)
  t:eq(by("2001:db8::9").family, "inet6")
  t:eq(#v0:neighs{state = "all", family = "inet"}, 4)
  t:eq(#neigh.list{state = {"stale", "reachable"}}, 2)
end)

test("change, replace, del, flush", function(t)
  neighbours()
  neigh.change{dev = "v0", dst = "10.0.0.10", lladdr = "02:00:00:00:00:aa", state = "stale"}
  t:eq({by("10.0.0.10").lladdr, by("10.0.0.10").state}, {"02:00:00:00:00:aa", "stale"})
  neigh.replace{dev = "v0", dst = "10.0.0.20", lladdr = "02:00:00:00:00:20", state = "reachable"}
  t:eq({by("10.0.0.20").lladdr, by("10.0.0.20").state}, {"02:00:00:00:00:20", "reachable"})
  t:ok(table.concat(lines("ip neigh show 10.0.0.20"), "\n"):find("lladdr 02:00:00:00:00:20 REACHABLE", 1, true), "ip sees the replace")
  by("10.0.0.9"):del()
  t:eq(by("10.0.0.9"), nil)
  neigh.del{dev = "v0", dst = "10.0.0.12"}
  t:eq(neigh.flush{dev = "v0"}, 3, "stale and reachable ones go")
  t:eq(by("10.0.0.11"), nil)
  t:ok(by("2001:db8::9"), "permanent entries stay")
end)

-- Bridge FDB: a vxlan overlay's entries, and a bridge port's.
test("bridge FDB entries print as `bridge fdb` prints them", function(t)
  link.add{name = "v0", kind = "veth", peer = {name = "v1", up = true}, up = true}
  link.add{name = "vx0", kind = "vxlan", id = 42, dstport = 4789, ["local"] = "192.0.2.1", learning = false, up = true}
  for _, remote in ipairs{"192.0.2.2", "192.0.2.3"} do
    neigh.append{family = "bridge", dev = "vx0", lladdr = "00:00:00:00:00:00", dst = remote}
  end
  neigh.add{family = "bridge", dev = "vx0", lladdr = "02:00:00:00:01:01", dst = "192.0.2.2", vni = 100}
  local br = link.add{name = "br0", kind = "bridge", up = true}
  link.get("v1"):set{master = br}
  neigh.add{family = "bridge", dev = "v1", lladdr = "02:00:00:00:02:01", master = true, state = "static"}
  -- Links coming up add multicast entries on their own: read until two
  -- reads of `bridge fdb` around ours agree.
  local fdb, mine
  for _ = 1, 50 do
    local before = lines("bridge fdb show")
    mine = neigh.list{family = "bridge"}
    fdb = lines("bridge fdb show")
    if table.concat(before, "\n") == table.concat(fdb, "\n") then break end
  end
  t:eq(#mine, #fdb)
  for i, e in ipairs(mine) do t:eq(tostring(e), fdb[i]) end
  local flood = 0
  for _, e in ipairs(neigh.list{family = "bridge", dev = "vx0"}) do
    if e.lladdr == "00:00:00:00:00:00" then
      flood = flood + 1
      t:ok(e.self and e.state == "permanent", tostring(e))
    end
    if e.lladdr == "02:00:00:00:01:01" then t:eq({e.dst, e.vni}, {"192.0.2.2", 100}) end
  end
  t:eq(flood, 2)
  local e
  for _, x in ipairs(neigh.list{family = "bridge", dev = "v1"}) do if x.lladdr == "02:00:00:00:02:01" then e = x end end
  t:ok(e, "the port's entry is listed")
  t:eq({e.bridge, e.state}, {"br0", "static"})
  e:del()
  for _, x in ipairs(neigh.list{family = "bridge", dev = "v1"}) do t:ok(x.lladdr ~= "02:00:00:00:02:01", "deleted: " .. tostring(x)) end
  t:ok(not table.concat(lines("bridge fdb show dev v1"), "\n"):find("02:00:00:00:02:01", 1, true), "bridge no longer lists it")
end)
