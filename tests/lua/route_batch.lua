-- route.add with a list: every route sent pipelined, each failure reported
-- with its place in the list, the others still made; bad input names the
-- entry and sends nothing.
local v0 = link.add{name = "v0", kind = "veth", peer = {name = "v1"}, up = true}
v0:addr_add("10.0.0.1/24")

local function ip_routes(tbl)
  local p = io.popen("ip -4 route show table " .. tbl)
  local out = p:read("a")
  p:close()
  return out
end

local list = {}
for i = 1, 300 do
  list[i] = {dst = ("10.9.%d.%d/32"):format(i // 256, i % 256), dev = "v0", table = 100}
end
route.add(list)
assert(#route.list{table = 100} == 300)
assert(ip_routes(100):find("10.9.1.44 dev v0 scope link", 1, true))

-- Entries 2 and 4 exist already: both are reported, 1, 3 and 5 are made.
local again = {
  {dst = "10.8.0.1/32", dev = "v0", table = 100},
  list[1],
  {dst = "10.8.0.3/32", dev = "v0", table = 100},
  list[2],
  {dst = "10.8.0.5/32", gw = "10.0.0.254", table = 100},
}
local ok, err = pcall(route.add, again)
assert(not ok)
assert(err.code == "EEXIST", tostring(err))
assert(err.op == "route.add", err.op)
assert(err.message:find("2 of 5 failed", 1, true), err.message)
assert(err.message:find("entry 2: route add 10.9.0.1/32 dev v0 table 100", 1, true), err.message)
assert(err.message:find("entry 4: route add 10.9.0.2/32 dev v0 table 100", 1, true), err.message)
local got = ip_routes(100)
for _, d in ipairs{"10.8.0.1 dev v0", "10.8.0.3 dev v0", "10.8.0.5 via 10.0.0.254 dev v0"} do
  assert(got:find(d, 1, true), d .. " missing:\n" .. got)
end

-- Bad input: the entry is named and nothing is sent.
ok, err = pcall(route.add, {{dst = "10.7.0.1/32", dev = "v0"}, {dst = "10.7.0.2/32", dev = "v0", mtu = "big"}})
assert(not ok and err.code == "EINVAL", tostring(err))
assert(tostring(err):find("entry 2: field 'mtu'", 1, true), tostring(err))
ok, err = pcall(route.add, {{dst = "10.7.0.1/32", dev = "v0"}, "10.7.0.2/32"})
assert(not ok and tostring(err):find("entry 2: expected a table of route options, got string", 1, true), tostring(err))
assert(not ip_routes("main"):find("10.7.0.1", 1, true))
ok, err = pcall(route.add, {{dst = "10.7.0.1/32", dev = "nosuch"}})
assert(not ok and tostring(err):find("entry 1:", 1, true) and tostring(err):find("nosuch", 1, true), tostring(err))

-- The other verbs take lists too.
route.del({list[1], list[2]})
assert(#route.list{table = 100} == 301)
route.replace({{dst = "10.9.0.3/32", gw = "10.0.0.254", table = 100}})
assert(ip_routes(100):find("10.9.0.3 via 10.0.0.254 dev v0", 1, true))

-- flush goes pipelined too, and counts what went.
assert(route.flush{table = 100} == 301)
assert(ip_routes(100) == "")
print("ok")
