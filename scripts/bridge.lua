#!/usr/bin/env nlua
-- A bridge with N hosts: a switch namespace "sw" with bridge br0, and hosts
-- host1..hostN, each with eth0 (10.0.0.I/24) plugged into a port of br0.
--
--   nlua scripts/bridge.lua [N]      # N hosts, 3 by default (as root)
--   ip netns exec host1 ping 10.0.0.3
--   nlua --down bridge               # remove everything it made
--
-- The bridge's ports are the sw ends of the veths (port1..portN); the hosts
-- see one flat 10.0.0.0/24 segment.

local n = tonumber(arg and arg[1]) or 3
assert(n >= 2 and n <= 250, "N: between 2 and 250 hosts")

local sw = netns.add("sw")
local br = sw:link_add{name = "br0", kind = "bridge"}
br:up()

local hosts = {}
for i = 1, n do
  local host = netns.add("host" .. i)
  local eth0, port = link.add{name = "eth0", kind = "veth", netns = host,
                              peer = {name = "port" .. i, netns = sw}}
  port:set{master = br, up = true}   -- br is in sw, like the port: the same namespace
  eth0:addr_add(("10.0.0.%d/24"):format(i))
  eth0:up()
  host:link("lo"):up()
  hosts[i] = host
end

print(br:show())
for _, p in ipairs(sw:links{master = br}) do print(p:show{brief = true}) end

-- host1 reaches every other host across the bridge.
for i = 2, n do
  local r = hosts[1]:exec{"ping", "-c", "1", "-W", "2", ("10.0.0.%d"):format(i)}
  assert(r.ok, ("host1 cannot reach host%d: %s"):format(i, r.stdout .. r.stderr))
  print(("host1 -> host%d: ok"):format(i))
end
print(("bridge: %d hosts on br0; `nlua --down bridge` removes it"):format(n))
