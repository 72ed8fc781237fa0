-- Links from Lua: create, read, change, delete; read back through `ip -j`.
link.get("lo"):up()

local function ip_json(args)
  local p = assert(io.popen("ip -j " .. args))
  local s = p:read("a")
  p:close()
  return s
end

local v0, v1 = link.add{name = "v0", kind = "veth", mtu = 1400, peer = {name = "v1", mtu = 1300}}
assert(v0.name == "v0" and v1.name == "v1")
assert(v0.kind == "veth" and v1.kind == "veth")
assert(v0.mtu == 1400 and v1.mtu == 1300, "mtus: " .. v0.mtu .. " " .. v1.mtu)
assert(v0.peer == v1, "v0.peer is v1")
assert(v1.peer == v0)
assert(not v0.is_up)

-- ifindex is the one ip reports
assert(ip_json("link show dev v0"):find('"ifindex":' .. v0.index .. ','), "ifindex matches ip")

local br = link.add{name = "br0", kind = "bridge", stp_state = 0}
v0:set{master = br, mtu = 1450}
assert(v0.master == br, "master set")
assert(v0.mtu == 1450)
assert(v0.slave_kind == "bridge")
assert(type(v0.slave) == "table" and v0.slave.learning == true, "bridge port data decodes")
v0:up()
assert(v0.is_up)
v0:set{master = false}
assert(v0.master == nil, "nomaster")

-- rename and alias
v1:set{name = "v1b", alias = "the peer"}
assert(v1.name == "v1b" and v1.alias == "the peer")
assert(link.get("v1b") == v1)

-- mac and txqlen, read back through ip; down and operstate
v1:set{mac = "02:00:00:00:00:b1", txqlen = 321}
assert(v1.mac == "02:00:00:00:00:b1" and v1.txqlen == 321, v1.mac .. " " .. v1.txqlen)
local j1 = ip_json("link show dev v1b")
assert(j1:find('"address":"02:00:00:00:00:b1"', 1, true) and j1:find('"txqlen":321', 1, true), j1)
-- (admin down sets DOWN at once; the peer's carrier follows asynchronously)
v1:up()
assert(v1.is_up)
v1:down()
assert(not v1.is_up and v1.operstate == "DOWN", v1.operstate)
assert(ip_json("link show dev v1b"):find('"operstate":"DOWN"', 1, true))

-- list filters
local kinds = {}
for _, l in ipairs(link.list{kind = "veth"}) do kinds[#kinds + 1] = l.name end
table.sort(kinds)
assert(table.concat(kinds, ",") == "v0,v1b", table.concat(kinds, ","))

-- a Handle has the same operations as methods, bound to its namespace
local h = nlua.handle()
assert(tostring(h):find("Handle"), tostring(h))
assert(h:link_get("v0") == v0 and h:link_get(v0.index) == v0)
assert(#h:link_list{kind = "veth"} == #link.list{kind = "veth"})
assert(h:link_get("v0") ~= v1, "__eq compares identity")

-- stats are counters
assert(type(v0.stats.rx_bytes) == "number")

-- kind options: vxlan over v0, macvlan on v0
local vx = link.add{name = "vx0", kind = "vxlan", id = 42, dstport = 4789, dev = "v0", remote = "192.0.2.2"}
assert(vx.data.id == 42 and vx.data.dstport == 4789 and vx.data.remote == "192.0.2.2" and vx.data.dev == v0.index)
local mv = link.add{name = "mv0", kind = "macvlan", link = "v0", mode = "bridge"}
assert(mv.data.mode == "bridge", tostring(mv.data.mode))
local tap = link.add{name = "tap0", kind = "tap", mtu = 1280}
assert(tap.mtu == 1280 and tap.kind == "tun", tostring(tap.kind))
assert(tap.data.type == "tap")
local ifb = link.add{name = "ifb9", kind = "ifb", up = true}
assert(ifb.is_up)

-- delete; a stale object fails clearly
br:del()
local ok, err = pcall(function() return br:refresh() end)
assert(not ok and err.code == "ENODEV", tostring(err))
assert(tostring(err):find("Link%(ifindex %d+ br0%)"), tostring(err))
link.del("v0")
assert(not pcall(link.get, "v1b"), "deleting v0 took the peer")
print("ok")
