-- The star built one namespace at a time: the same calls as star.lua, but
-- each namespace finished (links up, route) before the next is made. It
-- reads naturally and is fine for small labs; for big ones its cost per
-- namespace grows with N, because the kernel's work for each interface
-- coming up (IPv6 address configuration, MLD reports flooded by the bridge
-- to every port) overlaps the rest of the build. bench/run reports it as the
-- way `nlua-naive`; taken down with `nlua --down star_naive`.
--   nlua bench/lua/star_naive.lua N
local N = tonumber(arg and arg[1]) or tonumber(os.getenv("BENCH_N"))
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
