-- The star workload: N namespaces, each joined to the bridge br0 by a veth
-- pair (hI here, eth0 in sI), an address on each end, links up, a default
-- route in each namespace. Taken down with `nlua --down star`.
--   nlua bench/lua/star.lua N
local N = tonumber(arg and arg[1] or os.getenv("BENCH_N"))
local br = link.add{name = "br0", kind = "bridge", up = true}
for i = 1, N do
  local ns = netns.add("s" .. i)
  local a, b = i // 64, (i % 64) * 4
  local gw = ("10.%d.%d.1"):format(a, b)
  local h, e = link.add{name = "h" .. i, kind = "veth", master = br, up = true, peer = {name = "eth0", netns = ns}}
  h:addr_add(gw .. "/30")
  e:addr_add(("10.%d.%d.2/30"):format(a, b))
  e:up()
  ns:link("lo"):up()
  ns:handle():route_add{dst = "default", gw = gw}
end
