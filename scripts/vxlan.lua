#!/usr/bin/env nlua
-- A VXLAN overlay between two machines: m1 and m2 share an underlay network
-- (192.0.2.0/24 on eth0), and a vxlan tunnel vx0 (VNI 42, UDP 4789) carries
-- an overlay subnet 10.42.0.0/24 between them.
--
--   nlua scripts/vxlan.lua           # both machines as namespaces here (as root)
--   ip netns exec m1 ping 10.42.0.2  # across the overlay
--   nlua --down vxlan                # remove everything it made
--
-- The same recipe spans two real machines: run `overlay(...)` on each, in the
-- current namespace, with its own underlay address and the other's:
--   machine A: overlay(netns.current(), "eth0", "192.0.2.1", "192.0.2.2", "10.42.0.1/24")
--   machine B: overlay(netns.current(), "eth0", "192.0.2.2", "192.0.2.1", "10.42.0.2/24")

--- One end of the tunnel in namespace `ns`: vx0 over `dev`, from `here` to `peer`.
---@param ns Netns
---@param dev string the underlay device
---@param here string this machine's underlay address
---@param peer string the other machine's underlay address
---@param address string this machine's overlay address, with its prefix
---@return Link
local function overlay(ns, dev, here, peer, address)
  local vx = ns:link_add{name = "vx0", kind = "vxlan", id = 42, dstport = 4789,
                         ["local"] = here, remote = peer, dev = dev, mtu = 1450}
  vx:addr_add(address)
  vx:up()
  return vx
end

-- The two machines and the wire between them (the underlay).
local m1, m2 = netns.add("m1"), netns.add("m2")
local a, b = link.add{name = "eth0", kind = "veth", netns = m1, peer = {name = "eth0", netns = m2}}
a:addr_add("192.0.2.1/24")
b:addr_add("192.0.2.2/24")
for _, l in ipairs{a, b, m1:link("lo"), m2:link("lo")} do l:up() end

local vx1 = overlay(m1, "eth0", "192.0.2.1", "192.0.2.2", "10.42.0.1/24")
overlay(m2, "eth0", "192.0.2.2", "192.0.2.1", "10.42.0.2/24")
print(vx1:show{addrs = true})

local r = m1:exec{"ping", "-c", "2", "-i", "0.2", "-W", "2", "10.42.0.2"}
io.write(r.stdout)
assert(r.ok, "m1 cannot reach m2 over the overlay: " .. r.stderr)
print("vxlan: m1 and m2 talk over VNI 42; `nlua --down vxlan` removes it")
