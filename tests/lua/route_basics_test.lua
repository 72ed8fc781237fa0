-- Routes from Lua: every line route.list prints is the line `ip route` prints,
-- fields read back what was given, and a listed route can be fed back in.
local v0

-- Every test starts from v0/v1 with addresses and this set of routes.
before_each(function()
  -- No IPv6 link-local addresses: their local routes appear when DAD ends,
  -- which could fall between the two reads compared below.
  assert(io.open("/proc/sys/net/ipv6/conf/default/addr_gen_mode", "w")):write("1"):close()
  v0 = link.add{name = "v0", kind = "veth", peer = {name = "v1", up = true}, up = true}
  addr.add("v0", "10.0.0.1/24")
  addr.add("v0", "2001:db8::1/64", {nodad = true})
  addr.add("v1", "10.0.1.1/24")

  route.add{dst = "10.1.0.0/16", gw = "10.0.0.254", table = 100, metric = 10, proto = "static"}
  route.add{dst = "10.2.0.0/16", nexthops = {{gw = "10.0.0.2", weight = 1}, {gw = "10.0.1.3", dev = "v1", weight = 3}, {gw = "10.9.9.9", dev = v0, onlink = true}}}
  route.add{dst = "10.3.0.0/16", gw = "10.0.0.254", mtu = 1400, lock = {"mtu"}, advmss = 1300, window = 20000, rtt = "100ms",
            hoplimit = 30, initcwnd = 10, initrwnd = 20, quickack = true}
  route.add{dst = "10.4.0.0/16", via = "fe80::1", dev = "v0"}
  route.add{dst = "10.5.0.0/16", gw = "10.0.0.254", tos = 0x10, table = 1000}
  route.add{dst = "10.6.0.0/16", gw = "10.9.9.9", dev = "v0", onlink = true, src = "10.0.0.1"}
  route.add{dst = "10.7.0.0/16", dev = "v0", scope = "link", dscp = 8}
  for _, t in ipairs{"blackhole", "unreachable", "prohibit"} do
    route.add{dst = "192.0.2." .. ({blackhole = 0, unreachable = 64, prohibit = 128})[t] .. "/26", type = t}
  end
  route.add{dst = "198.51.100.0/24", type = "throw", table = 100}
  route.add{dst = "10.0.0.77", type = "local", dev = "v0"}
  route.add{dst = "10.0.0.99", type = "broadcast", dev = "v0"}
  route.add{dst = "224.1.0.0/16", type = "multicast", dev = "v0"}
  route.add{dst = "default", gw = "10.0.0.254", metric = 100}
  route.add{dst = "2001:db8:a::/64", gw = "2001:db8::2", pref = "high", metric = 100}
  route.add{dst = "2001:db8:b::/64", dev = "v0", expires = 3600}
  route.add{dst = "2001:db8:c::/64", dev = "v0", encap = {type = "seg6", mode = "encap", segs = {"2001:db8::5", "2001:db8::6"}}}
  route.add{dst = "2001:db8:d::/64", nexthops = {{gw = "2001:db8::2", dev = "v0"}, {gw = "2001:db8::3", dev = "v0"}}}
  -- The kernel adds some IPv6 routes on its own time (a link's ff00::/8 when
  -- its carrier is up, an address's local route from the DAD worker, nodad or
  -- not): wait (bounded) for them, so no read compared below races them.
  local function settled()
    local p = assert(io.popen("ip -6 route show table local"))
    local t = p:read("a")
    p:close()
    return t:find("local 2001:db8::1 dev v0 ", 1, true) and t:find("multicast ff00::/8 dev v0 ", 1, true)
      and t:find("multicast ff00::/8 dev v1 ", 1, true)
  end
  for _ = 1, 200 do
    if settled() then break end
    os.execute("sleep 0.05")
  end
  assert(settled(), "the IPv6 routes of the set-up never came")
end)

local function ip_entries(cmd)
  local out = io.popen(cmd):read("a")
  local entries = {}
  for line in out:gmatch("[^\n]+") do
    line = line:gsub("%s+$", "")
    if line:sub(1, 1) == "\t" then
      entries[#entries] = entries[#entries] .. "\n" .. line
    else
      entries[#entries + 1] = line
    end
  end
  return entries
end

local function find(dst, t)
  for _, r in ipairs(route.list{table = t or "all"}) do if r.dst == dst then return r end end
  error("no route " .. dst)
end

test("every route prints as ip prints it, in the same order", function(t)
  local theirs = ip_entries("ip route show table all")
  local ours = route.list{table = "all"}
  assert(#ours == #theirs, #ours .. " routes vs ip's " .. #theirs)
  -- (expiry counts down between the two reads)
  local function norm(s) return (s:gsub("expires %d+sec", "expires Nsec")) end
  for i, r in ipairs(ours) do
    assert(norm(tostring(r)) == norm(theirs[i]), "\nnlua: " .. tostring(r) .. "\nip:   " .. theirs[i])
  end
end)

test("fields read back what was given", function(t)
  local r = find("10.1.0.0/16")
  assert(r.gw == "10.0.0.254" and r.dev == "v0" and r.table == 100 and r.metric == 10 and r.proto == "static" and r.type == "unicast")
  assert(r.scope == "global" and r.family == "inet" and r.dst_len == 16)
  r = find("10.2.0.0/16")
  assert(#r.nexthops == 3 and r.nexthops[2].weight == 3 and r.nexthops[2].dev == "v1" and r.nexthops[3].onlink)
  r = find("10.3.0.0/16")
  assert(r.metrics.mtu == 1400 and r.metrics.lock[1] == "mtu" and r.metrics.rtt == 100 and r.metrics.hoplimit == 30 and r.metrics.quickack == 1)
  assert(find("10.4.0.0/16").via == "fe80::1")
  assert(find("10.5.0.0/16").tos == 0x10 and find("10.5.0.0/16").table == 1000)
  assert(find("10.6.0.0/16").onlink and find("10.6.0.0/16").src == "10.0.0.1")
  assert(find("10.7.0.0/16").tos == 32 and find("10.7.0.0/16").scope == "link")
  assert(find("192.0.2.0/26").type == "blackhole" and find("198.51.100.0/24").type == "throw")
  assert(find("10.0.0.77/32").type == "local" and find("10.0.0.77/32").table == 255)
  assert(find("default").metric == 100)
  r = find("2001:db8:a::/64")
  assert(r.pref == "high" and r.family == "inet6")
  assert(find("2001:db8:b::/64").expires > 3500)
  r = find("2001:db8:c::/64")
  assert(r.encap.type == "seg6" and r.encap.mode == "encap" and r.encap.segs[2] == "2001:db8::6")
  assert(#find("2001:db8:d::/64").nexthops == 2)
end)

-- What a list returns can be given back: delete, then re-add from the fields.
test("a listed route can be fed back in", function(t)
  for _, dst in ipairs{"10.2.0.0/16", "10.3.0.0/16", "2001:db8:c::/64"} do
    local old = find(dst)
    local text = tostring(old)
    old:del()
    route.add{dst = old.dst, gw = old.gw, dev = old.nexthops and nil or old.dev, table = old.table, metric = old.metric,
              proto = old.proto, metrics = old.metrics, nexthops = old.nexthops, encap = old.encap}
    assert(tostring(find(dst)) == text, tostring(find(dst)) .. " vs " .. text)
    assert(find(dst) == old, "__eq compares route keys")
  end
end)

test("Link:routes, filters, Handle methods", function(t)
  local seen = {}
  for _, x in ipairs(v0:routes()) do
    assert((x.dev == "v0" or x.nexthops) and x.table == 254, tostring(x))
    seen[x.dst] = true
  end
  for _, d in ipairs{"10.3.0.0/16", "10.4.0.0/16", "10.6.0.0/16", "10.7.0.0/16", "default"} do t:ok(seen[d], d .. " is one of v0's routes") end
  assert(#v0:routes{table = 100} == 1)
  assert(#route.list{table = 100} == 2)
  assert(#route.list{table = "all", type = "blackhole"} == 1)
  assert(#route.list{proto = "static"} == 0 and #route.list{proto = "static", table = 100} == 1)
  assert(#route.list{root = "10.0.0.0/8"} >= 5)
  assert(#route.list{dst = "10.3.0.0/16"} == 1 and #route.list{match = "10.3.1.0/24"} >= 1)
  assert(#nlua.handle():route_list{family = "inet6"} >= 4)
end)

test("route.get", function(t)
  local g = route.get("10.3.1.1")
  assert(g.dst == "10.3.1.1/32" and g.gw == "10.0.0.254" and g.dev == "v0" and g.src == "10.0.0.1", tostring(g))
  local fm = route.get("10.2.7.7", {fibmatch = true})
  assert(fm.dst == "10.2.0.0/16" and #fm.nexthops == 3, tostring(fm))
  assert(route.get("2001:db8:a::9").gw == "2001:db8::2")
end)

test("replace, change, append, del, flush", function(t)
  route.replace{dst = "10.1.0.0/16", gw = "10.0.0.253", table = 100, metric = 10, proto = "static"}
  assert(find("10.1.0.0/16", 100).gw == "10.0.0.253")
  route.change{dst = "10.1.0.0/16", gw = "10.0.0.252", table = 100, metric = 10}
  assert(find("10.1.0.0/16", 100).gw == "10.0.0.252" and find("10.1.0.0/16", 100).proto == "boot")
  route.append{dst = "2001:db8:a::/64", gw = "2001:db8::3", metric = 100}
  assert(#find("2001:db8:a::/64").nexthops == 2)
  route.del{dst = "default", metric = 100}
  assert(not pcall(find, "default"))
  assert(route.flush{table = 100} == 2)
  assert(#route.list{table = 100} == 0)
end)
