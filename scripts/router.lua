#!/usr/bin/env nlua
-- Two hosts and a router: h1 and h2 on two subnets, r forwarding between them.
--
--   h1 (10.0.1.2) --eth0--[eth1 10.0.1.1]-- r --[eth2 10.0.2.1]--eth0-- h2 (10.0.2.2)
--
--   nlua scripts/router.lua          # build it (as root), ping across
--   ip netns exec h1 ping 10.0.2.2   # it stays up: play with it
--   nlua --down router               # remove everything it made
--
-- Each host and the router is a named namespace (`ip netns list` shows them);
-- each end of a veth is born inside its namespace, so nothing appears in the
-- namespace nlua runs in.

local h1, r, h2 = netns.add("h1"), netns.add("r"), netns.add("h2")

-- A veth between two namespaces, each end named and addressed, both up.
local function wire(a, a_name, a_addr, b, b_name, b_addr)
  local x, y = link.add{name = a_name, kind = "veth", netns = a, peer = {name = b_name, netns = b}}
  x:addr_add(a_addr)
  y:addr_add(b_addr)
  x:up()
  y:up()
end

wire(h1, "eth0", "10.0.1.2/24", r, "eth1", "10.0.1.1/24")
wire(h2, "eth0", "10.0.2.2/24", r, "eth2", "10.0.2.1/24")
for _, ns in ipairs{h1, r, h2} do ns:link("lo"):up() end

-- The hosts reach everything through the router.
h1:route_add{dst = "default", gw = "10.0.1.1"}
h2:route_add{dst = "default", gw = "10.0.2.1"}

-- The router forwards: /proc/sys/net follows the thread into r.
r:run(function()
  local f = assert(io.open("/proc/sys/net/ipv4/ip_forward", "w"))
  f:write("1\n")
  f:close()
end)

for _, l in ipairs(r:links()) do print(l:show{brief = true}) end
local ping = h1:exec{"ping", "-c", "2", "-i", "0.2", "-W", "2", "10.0.2.2"}
io.write(ping.stdout)
assert(ping.ok, "h1 cannot reach h2 through r: " .. ping.stderr)
print("router: h1 reaches h2 through r; `nlua --down router` removes it")
