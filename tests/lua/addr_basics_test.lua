-- Addresses from Lua, v4 and v6, read back through `ip -j addr`.

local function veth()
  local v0 = link.add{name = "v0", kind = "veth", peer = {name = "v1"}}
  v0:up()
  return v0
end

-- What `ip -j addr show dev DEV` prints.
local function ip_addr(dev) return (sh("ip -j addr show dev " .. dev)) end

local function by_prefix(list)
  local got = {}
  for _, a in ipairs(list) do got[a.prefix] = a end
  return got
end

-- Four addresses of four kinds on v0.
local function add_all(v0)
  addr.add("v0", "10.0.0.1/24", {broadcast = "+", label = "v0:one"})
  addr.add{dev = "v0", address = "10.0.0.2/24"}
  v0:addr_add("2001:db8::1/64", {nodad = true, valid_lft = 3600, preferred_lft = 1800})
  addr.add("v0", "10.9.0.1/32", {peer = "10.9.0.2/32", scope = "link"})
end

test("v4, v6 and peer addresses read back with their fields", function(t)
  add_all(veth())
  local got = by_prefix(addr.list{dev = "v0"})
  local a1 = t:ok(got["10.0.0.1/24"], "10.0.0.1/24 listed")
  t:eq({a1.broadcast, a1.label, a1.scope}, {"10.0.0.255", "v0:one", "global"})
  t:eq(got["10.0.0.2/24"].label, "v0")
  t:eq(got["10.0.0.2/24"].flags[1], "secondary", "second address in subnet is secondary")
  local a6 = t:ok(got["2001:db8::1/64"])
  t:eq(a6.family, "inet6")
  t:ok(a6.valid_lft <= 3600 and a6.valid_lft > 3500, "valid_lft " .. a6.valid_lft)
  t:ok(not a6.tentative, "nodad: not tentative")
  local p = t:ok(got["10.9.0.1/32"])
  t:eq({p.peer, p.scope}, {"10.9.0.2", "link"})
  -- __eq: the same address read twice is equal, another one is not
  local again = by_prefix(nlua.handle():addr_list{dev = "v0"})
  t:ok(again["10.0.0.1/24"] == a1 and again["10.0.0.2/24"] ~= a1)
  -- tostring reads like `ip addr`
  t:ok(tostring(a1):match("^inet 10%.0%.0%.1/24 brd 10%.0%.0%.255 scope global v0:one"), tostring(a1))
  -- ip reads back what was given
  local j = ip_addr("v0")
  for _, want in ipairs{
    '"local":"10.0.0.1","prefixlen":24,"broadcast":"10.0.0.255","scope":"global","label":"v0:one"',
    '"local":"10.0.0.2","prefixlen":24,"scope":"global","secondary":true,"label":"v0"',
    '"local":"10.9.0.1","address":"10.9.0.2","prefixlen":32,"scope":"link"',
    '"family":"inet6","local":"2001:db8::1","prefixlen":64,"scope":"global","nodad":true',
  } do
    t:ok(j:find(want, 1, true), want .. "\nnot in: " .. j)
  end
end)

-- For IPv4 the kernel updates lifetimes and metric, as with `ip addr replace`.
test("replace updates an address in place", function(t)
  local v0 = veth()
  add_all(v0)
  addr.replace("v0", "10.0.0.1/24", {valid_lft = 100, preferred_lft = 50, broadcast = "+", label = "v0:one"})
  local seen = false
  for _, a in ipairs(v0:addrs{family = "inet"}) do
    if a.prefix == "10.0.0.1/24" then
      seen = true
      t:ok(a.valid_lft <= 100 and a.preferred_lft <= 50, tostring(a))
    end
  end
  t:ok(seen, "10.0.0.1/24 still listed")
end)

test("del, and flush by family and all", function(t)
  local v0 = veth()
  add_all(v0)
  addr.del("v0", "10.9.0.1/32")
  t:err(function() addr.del("v0", "10.9.0.1/32") end, "EADDRNOTAVAIL")
  t:ok(not ip_addr("v0"):find('"local":"10.9.0.1"', 1, true), "ip no longer lists 10.9.0.1")
  t:ok(addr.flush("v0", {family = "inet6"}) >= 1)
  for _, a in ipairs(v0:addrs()) do t:eq(a.family, "inet", "v6 flushed: " .. tostring(a)) end
  t:ok(not ip_addr("v0"):find('"family":"inet6"', 1, true), "ip lists no IPv6 address")
  t:ok(v0:addr_flush() >= 1)
  t:eq(#v0:addrs{family = "inet"}, 0)
  t:ok(ip_addr("v0"):find('"addr_info":[]', 1, true), "ip lists no address")
end)
