#!/usr/bin/env nlua
-- A chain of routers with netem between them: left -- r1 -- r2 -- ... -- rN -- right,
-- each hop its own subnet 10.10.K.0/24, and a netem delay on the way out of
-- every router towards the right.
--
--   nlua scripts/chain.lua [N] [DELAY]   # 3 routers, "20ms" by default (as root)
--   ip netns exec left ping 10.10.4.2    # N=3: the right host; each hop adds DELAY
--   nlua --down chain                    # remove everything it made
--
-- netem is a kernel module (sch_netem). Where the kernel lacks it the chain is
-- still built and routes across, without the delay, and the script says so.

local n = tonumber(arg and arg[1]) or 3
local delay = arg and arg[2] or "20ms"
assert(n >= 1 and n <= 50, "N: between 1 and 50 routers")

-- Nodes 0..n+1: the left host, the routers, the right host.
local nodes = {}
for i = 0, n + 1 do
  local name = i == 0 and "left" or i == n + 1 and "right" or "r" .. i
  nodes[i] = netns.add(name)
  nodes[i]:link("lo"):up()
end

-- Hop K joins node K-1 (its "east", 10.10.K.1) and node K (its "west", 10.10.K.2).
for k = 1, n + 1 do
  local a, b = link.add{name = "east", kind = "veth", netns = nodes[k - 1],
                        peer = {name = "west", netns = nodes[k]}}
  a:addr_add(("10.10.%d.1/24"):format(k))
  b:addr_add(("10.10.%d.2/24"):format(k))
  a:up()
  b:up()
end

-- Every node reaches the subnets it is not on through its neighbours.
for i = 0, n + 1 do
  for k = 1, n + 1 do
    if k < i then
      nodes[i]:route_add{dst = ("10.10.%d.0/24"):format(k), gw = ("10.10.%d.1"):format(i)}
    elseif k > i + 1 then
      nodes[i]:route_add{dst = ("10.10.%d.0/24"):format(k), gw = ("10.10.%d.2"):format(i + 1)}
    end
  end
  if i >= 1 and i <= n then
    nodes[i]:run(function()
      local f = assert(io.open("/proc/sys/net/ipv4/ip_forward", "w"))
      f:write("1\n")
      f:close()
    end)
  end
end

-- The impairment: netem on each router's east side.
local impaired = 0
for i = 1, n do
  local ok, err = pcall(qdisc.replace, {dev = nodes[i]:link("east"), parent = "root", handle = "1:",
                                        kind = "netem", delay = delay})
  if not ok then
    local e = err --[[@as NluaError]]
    if e.code ~= "ENOENT" then error(e, 0) end
    print(("netem: this kernel has no netem qdisc (%s); the chain has no delay"):format(e.message))
    break
  end
  impaired = impaired + 1
end
print(("chain: %d routers, netem %s on %d of them"):format(n, delay, impaired))

local far = ("10.10.%d.2"):format(n + 1)
local r = nodes[0]:exec{"ping", "-c", "2", "-i", "0.2", "-W", "3", far}
io.write(r.stdout)
assert(r.ok, "left cannot reach right (" .. far .. "): " .. r.stderr)
print("chain: left reaches right; `nlua --down chain` removes it")
