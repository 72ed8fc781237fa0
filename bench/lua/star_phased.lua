-- The star with the requests in the floor's order: every namespace, then
-- every veth (with its centre address), then inside each namespace. The
-- same calls as star.lua; it shows what the order costs (see
-- docs/performance.md): the kernel's work for an interface coming up (IPv6
-- address configuration, the bridge's port handling) overlaps whatever runs
-- after it. Taken down with `nlua --down star_phased`.
--   nlua bench/lua/star_phased.lua N
local N = tonumber(arg and arg[1] or os.getenv("BENCH_N"))
local br = link.add{name = "br0", kind = "bridge", up = true}
local nss, ends = {}, {}
for i = 1, N do nss[i] = netns.add("s" .. i) end
for i = 1, N do
  local a, b = i // 64, (i % 64) * 4
  local h, e = link.add{name = "h" .. i, kind = "veth", master = br, up = true, peer = {name = "eth0", netns = nss[i]}}
  h:addr_add(("10.%d.%d.1/30"):format(a, b))
  ends[i] = e
end
for i = 1, N do
  local a, b = i // 64, (i % 64) * 4
  ends[i]:addr_add(("10.%d.%d.2/30"):format(a, b))
  ends[i]:up()
  nss[i]:link("lo"):up()
  nss[i]:handle():route_add{dst = "default", gw = ("10.%d.%d.1"):format(a, b)}
end
