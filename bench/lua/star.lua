-- The star workload: N namespaces, each joined to the bridge br0 by a veth
-- pair (hI here, eth0 in sI), an address on each end, links up, a default
-- route in each namespace. Taken down with `nlua --down star`.
--   nlua bench/lua/star.lua N
--
-- This is the recommended way to build a big lab: build everything first,
-- bring the namespaces' interfaces up last. Every namespace is made (one
-- `netns.add` of the list of names spreads the kernel's work over the
-- CPUs), then every veth (its centre end enslaved and up), and only then,
-- in one nlua.batch, the centre addresses and, inside each namespace, the address,
-- `eth0` and `lo` up and the route. The batch sends each namespace's four
-- changes in one datagram and the centre addresses as one pipeline; reads
-- (finding `lo`) come before it, as a read inside a batch sends the queue.
-- An interface coming up starts kernel work that runs a little later (IPv6
-- address configuration and MLD reports flooded by the bridge to every port,
-- the bridge's port handling); done last, that work overlaps little of the
-- build, and the cost per namespace stays flat as N grows. The same calls
-- finishing each namespace before the next (bench/lua/star_naive.lua) grow
-- with N (see docs/performance.md). The bridge itself comes up last: while
-- it is up, every port coming up makes it work for every port (and floods
-- each new interface's IPv6 DAD and MLD packets to all of them). The floor
-- (bench/floor.c) orders its requests the same way.
local N = tonumber(arg and arg[1]) or tonumber(os.getenv("BENCH_N"))
local br = link.add{name = "br0", kind = "bridge"} -- up last
local nss, hs, es, los = {}, {}, {}, {}
local names = {}
for i = 1, N do names[i] = "s" .. i end
nss = netns.add(names) -- made together, on a thread per CPU
for i = 1, N do
  hs[i], es[i] = link.add{name = "h" .. i, kind = "veth", master = br, up = true, peer = {name = "eth0", netns = nss[i]}}
  los[i] = nss[i]:link("lo")
end
-- Addresses, then links up last.
nlua.batch(function()
  for i = 1, N do
    hs[i]:addr_add(("10.%d.%d.1/30"):format(i // 64, (i % 64) * 4))
  end
  for i = 1, N do
    local a, b = i // 64, (i % 64) * 4
    es[i]:addr_add(("10.%d.%d.2/30"):format(a, b))
    es[i]:up()
    los[i]:up()
    nss[i]:handle():route_add{dst = "default", gw = ("10.%d.%d.1"):format(a, b)}
  end
end)
br:up()
