#!/usr/bin/env nlua
-- Ingress shaping with an ifb: traffic arriving on server's eth0 is redirected
-- to ifb0, and shaped there by a tbf (a qdisc shapes what leaves a device;
-- ifb turns what arrives into something that leaves).
--
--   client (10.0.0.1) --eth0==eth0-- server (10.0.0.2): eth0 ingress --mirred--> ifb0 (tbf RATE)
--
--   nlua scripts/ifb.lua [RATE]      # "1mbit" by default (as root)
--   tc -n server -s qdisc show dev ifb0
--   nlua --down ifb                  # remove everything it made

local rate = arg and arg[1] or "1mbit"

local client, server = netns.add("client"), netns.add("server")
local c, s = link.add{name = "eth0", kind = "veth", netns = client, peer = {name = "eth0", netns = server}}
c:addr_add("10.0.0.1/24")
s:addr_add("10.0.0.2/24")
for _, l in ipairs{c, s, client:link("lo"), server:link("lo")} do l:up() end

-- The ifb that takes the incoming traffic, and the shaper on it.
local ifb = server:link_add{name = "ifb0", kind = "ifb"}
ifb:up()
ifb:qdisc_add{parent = "root", handle = "1:", kind = "tbf", rate = rate, burst = "16kb", latency = "50ms"}

-- Everything arriving on eth0 (a u32 key that matches any packet) goes to ifb0.
s:qdisc_add{kind = "ingress"}
s:filter_add{parent = "ingress", protocol = "all", kind = "u32",
             sel = {{val = 0, mask = 0, off = 0}},
             actions = {{kind = "mirred", action = "redirect", dev = ifb}}}

for _, q in ipairs(ifb:qdiscs()) do print(q) end
for _, f in ipairs(s:filters{parent = "ingress"}) do print(f:show()) end

local r = client:exec{"ping", "-c", "3", "-i", "0.2", "-W", "2", "10.0.0.2"}
io.write(r.stdout)
assert(r.ok, "client cannot reach server through the shaped ingress: " .. r.stderr)
local tbf = assert(ifb:qdiscs()[1])
print(("ifb: server's ingress shaped to %s through ifb0 (%d packets so far); `nlua --down ifb` removes it")
  :format(rate, tbf.stats.packets))
