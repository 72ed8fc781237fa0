-- The star workload: N namespaces, each joined to the bridge br0 by a veth
-- pair (hI here, eth0 in sI), an address on each end, links up, a default
-- route in each namespace. Taken down with `nlua --down star`.
--   nlua bench/lua/star.lua N
--
-- This is the recommended way to build a big lab: build everything first,
-- bring the namespaces' interfaces up last. Every namespace is made, then
-- every veth (its centre end enslaved and up, with its address), and only
-- then, inside each namespace, the address, `eth0` and `lo` up and the
-- route. An interface coming up starts kernel work that runs a little later
-- (IPv6 address configuration and MLD reports flooded by the bridge to every
-- port, the bridge's port handling); done last, that work overlaps little of
-- the build, and the cost per namespace stays flat as N grows. The same calls
-- finishing each namespace before the next (bench/lua/star_naive.lua) grow
-- with N (see docs/performance.md). The floor (bench/floor.c) orders its
-- requests the same way.
local N = tonumber(arg and arg[1]) or tonumber(os.getenv("BENCH_N"))
local br = link.add{name = "br0", kind = "bridge", up = true}
local nss, ends = {}, {}
for i = 1, N do nss[i] = netns.add("s" .. i) end
for i = 1, N do
  local a, b = i // 64, (i % 64) * 4
  local h, e = link.add{name = "h" .. i, kind = "veth", master = br, up = true, peer = {name = "eth0", netns = nss[i]}}
  h:addr_add(("10.%d.%d.1/30"):format(a, b))
  ends[i] = e
end
-- Links up last.
for i = 1, N do
  local a, b = i // 64, (i % 64) * 4
  ends[i]:addr_add(("10.%d.%d.2/30"):format(a, b))
  ends[i]:up()
  nss[i]:link("lo"):up()
  nss[i]:handle():route_add{dst = "default", gw = ("10.%d.%d.1"):format(a, b)}
end
