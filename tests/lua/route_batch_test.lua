-- route.add with a list: every route sent pipelined, each failure reported
-- with its place in the list, the others still made; bad input names the
-- entry and sends nothing.

local function ip_routes(tbl) return (sh("ip -4 route show table " .. tbl)) end

-- 300 host routes on v0 in table 100.
local list = {}
for i = 1, 300 do
  list[i] = {dst = ("10.9.%d.%d/32"):format(i // 256, i % 256), dev = "v0", table = 100}
end

before_each(function()
  local v0 = link.add{name = "v0", kind = "veth", peer = {name = "v1"}, up = true}
  v0:addr_add("10.0.0.1/24")
end)

test("a list is made in one call; ip sees every route", function(t)
  route.add(list)
  t:eq(#route.list{table = 100}, 300)
  t:ok(ip_routes(100):find("10.9.1.44 dev v0 scope link", 1, true))
end)

test("entries that fail are reported with their place; the others are made", function(t)
  route.add(list)
  -- Entries 2 and 4 exist already: both are reported, 1, 3 and 5 are made.
  local again = {
    {dst = "10.8.0.1/32", dev = "v0", table = 100},
    list[1],
    {dst = "10.8.0.3/32", dev = "v0", table = 100},
    list[2],
    {dst = "10.8.0.5/32", gw = "10.0.0.254", table = 100},
  }
  local err = t:err(function() route.add(again) end, "EEXIST")
  t:eq(err.op, "route.add")
  t:ok(err.message:find("2 of 5 failed", 1, true), err.message)
  t:ok(err.message:find("entry 2: route add 10.9.0.1/32 dev v0 table 100", 1, true), err.message)
  t:ok(err.message:find("entry 4: route add 10.9.0.2/32 dev v0 table 100", 1, true), err.message)
  local got = ip_routes(100)
  for _, d in ipairs{"10.8.0.1 dev v0", "10.8.0.3 dev v0", "10.8.0.5 via 10.0.0.254 dev v0"} do
    t:ok(got:find(d, 1, true), d .. " missing:\n" .. got)
  end
  t:eq(#route.list{table = 100}, 303)
end)

test("bad input: the entry is named and nothing is sent", function(t)
  local err = t:err(function() route.add{{dst = "10.7.0.1/32", dev = "v0"}, {dst = "10.7.0.2/32", dev = "v0", mtu = "big"}} end, "EINVAL")
  t:ok(tostring(err):find("entry 2: field 'mtu'", 1, true), tostring(err))
  t:err(function() route.add{{dst = "10.7.0.1/32", dev = "v0"}, "10.7.0.2/32"} end, "entry 2: expected a table of route options, got string")
  -- An option beside the entries is not silently dropped.
  t:err(function() route.add{{dst = "10.7.0.1/32"}, dev = "v0"} end, "route.add: argument #1: expected a list (keys 1..n)")
  t:ok(not ip_routes("main"):find("10.7.0.1", 1, true))
  err = t:err(function() route.add{{dst = "10.7.0.1/32", dev = "nosuch"}} end)
  t:ok(tostring(err):find("entry 1:", 1, true) and tostring(err):find("nosuch", 1, true), tostring(err))
end)

test("the other verbs take lists too; flush goes pipelined and counts what went", function(t)
  route.add(list)
  route.del({list[1], list[2]})
  t:eq(#route.list{table = 100}, 298)
  route.replace({{dst = "10.9.0.3/32", gw = "10.0.0.254", table = 100}})
  t:ok(ip_routes(100):find("10.9.0.3 via 10.0.0.254 dev v0", 1, true))
  t:eq(route.flush{table = 100}, 298)
  t:eq(ip_routes(100), "")
end)

test("dst as a list: one route per prefix, the other options shared", function(t)
  local dst = {}
  for i = 1, 300 do dst[i] = ("10.6.%d.%d/32"):format(i // 256, i % 256) end
  dst[301] = "2001:db8::7/128" -- another family: read on its own
  route.add{dst = dst, dev = "v0", table = 100, metric = 7}
  local got = ip_routes(100)
  t:ok(got:find("10.6.1.44 dev v0 scope link metric 7", 1, true), got:sub(1, 300))
  t:eq(#route.list{table = 100, family = "inet"}, 300)
  local six = route.list{table = 100, family = "inet6", dst = "2001:db8::7/128"}
  t:eq({#six, six[1] and six[1].metric}, {1, 7})
  -- Failures are named by their place; the others are made.
  local err = t:err(function() route.add{dst = {"10.5.0.1/32", dst[2], "10.5.0.3/32"}, dev = "v0", table = 100, metric = 7} end, "EEXIST")
  t:ok(err.message:find("1 of 3 failed: entry 2: route add 10.6.0.2/32 dev v0 metric 7 table 100", 1, true), err.message)
  t:ok(ip_routes(100):find("10.5.0.3 dev v0", 1, true))
  route.del{dst = dst, dev = "v0", table = 100, metric = 7}
  t:eq(#route.list{table = 100, family = "inet"}, 2)
  -- Bad input: named, nothing sent.
  t:err(function() route.add{dst = {"10.4.0.1/32", 5}, dev = "v0"} end, "route.add: entry 2 of 'dst': expected a prefix")
  t:err(function() route.add{dst = {"10.4.0.1/32", "nope"}, dev = "v0"} end, "entry 2 of 'dst': field 'dst': expected prefix like \"10.0.0.0/24\" or \"default\", got \"nope\"")
  t:err(function() route.add{dst = {}, dev = "v0"} end, "an empty list")
  t:err(function() route.add{dst = {"10.4.0.1/32", x = 1}, dev = "v0"} end, "keys 1..n")
  t:err(function() route.add{dst = {"10.4.0.1/32"}, dev = "nosuch"} end, "route.add: field 'dev'")
  t:err(function() route.add{dst = {"10.4.0.1/32", "2001:db8::1/128"}, gw = "10.0.0.254"} end, "entry 2 of 'dst': field 'gw'")
  t:ok(not ip_routes("main"):find("10.4.0.1", 1, true))
end)

test("a long dst list goes pipelined in chunks; failures in any chunk are named by place", function(t)
  -- 5,000 prefixes: several chunks of 1,400, sent pipelined. Three exist
  -- already, one in the first chunk, one opening the second, one in the last;
  -- entry 3000 is of the other family (a spec of its own).
  local dst = {}
  for i = 1, 5000 do dst[i] = ("10.3.%d.%d/32"):format(i // 256, i % 256) end
  dst[3000] = "2001:db8::30/128"
  route.add{dst = {dst[1], dst[1401], dst[4999]}, dev = "v0", table = 100}
  local err = t:err(function() route.add{dst = dst, dev = "v0", table = 100} end, "EEXIST")
  t:ok(err.message:find("3 of 5000 failed: entry 1: route add 10.3.0.1/32 dev v0 table 100: File exists", 1, true), err.message)
  t:ok(err.message:find("; entry 1401: route add 10.3.5.121/32 dev v0 table 100: File exists", 1, true), err.message)
  t:ok(err.message:find("; entry 4999: route add 10.3.19.135/32 dev v0 table 100: File exists", 1, true), err.message)
  t:eq(#route.list{table = 100, family = "inet"}, 4999)
  t:eq(#route.list{table = 100, family = "inet6", dst = "2001:db8::30/128"}, 1)
  local got = ip_routes(100)
  t:ok(got:find("10.3.5.120 dev v0", 1, true) and got:find("10.3.19.136 dev v0", 1, true), got:sub(1, 200))
end)
