-- Links from Lua: create, read, change, delete; read back through `ip -j`.

local function ip_json(args) return (sh("ip -j " .. args)) end

local function pair()
  return link.add{name = "v0", kind = "veth", mtu = 1400, peer = {name = "v1", mtu = 1300}}
end

test("a veth pair: names, kinds, mtus, peers, ifindex as ip reports it", function(t)
  local v0, v1 = pair()
  t:eq({v0.name, v1.name}, {"v0", "v1"})
  t:eq({v0.kind, v1.kind}, {"veth", "veth"})
  t:eq({v0.mtu, v1.mtu}, {1400, 1300})
  t:ok(v0.peer == v1, "v0.peer is v1")
  t:ok(v1.peer == v0, "v1.peer is v0")
  t:ok(not v0.is_up)
  t:ok(ip_json("link show dev v0"):find('"ifindex":' .. v0.index .. ','), "ifindex matches ip")
end)

test("master: set with the mtu, bridge port data, up, nomaster", function(t)
  local v0 = pair()
  local br = link.add{name = "br0", kind = "bridge", stp_state = 0}
  v0:set{master = br, mtu = 1450}
  t:ok(v0.master == br, "master set")
  t:eq(v0.mtu, 1450)
  t:eq(v0.slave_kind, "bridge")
  t:ok(type(v0.slave) == "table" and v0.slave.learning == true, "bridge port data decodes")
  v0:up()
  t:ok(v0.is_up)
  v0:set{master = false}
  t:eq(v0.master, nil, "nomaster")
end)

test("rename and alias; the object follows the new name", function(t)
  local _, v1 = pair()
  v1:set{name = "v1b", alias = "the peer"}
  t:eq({v1.name, v1.alias}, {"v1b", "the peer"})
  t:ok(link.get("v1b") == v1)
end)

test("mac and txqlen, read back through ip; down and operstate", function(t)
  local _, v1 = pair()
  v1:set{name = "v1b", alias = "the peer"}
  v1:set{mac = "02:00:00:00:00:b1", txqlen = 321}
  t:eq({v1.mac, v1.txqlen}, {"02:00:00:00:00:b1", 321})
  local j1 = ip_json("link show dev v1b")
  t:ok(j1:find('"address":"02:00:00:00:00:b1"', 1, true) and j1:find('"txqlen":321', 1, true), j1)
  -- (admin down sets DOWN at once; the peer's carrier follows asynchronously)
  v1:up()
  t:ok(v1.is_up)
  v1:down()
  t:ok(not v1.is_up)
  t:eq(v1.operstate, "DOWN")
  t:ok(ip_json("link show dev v1b"):find('"operstate":"DOWN"', 1, true))
end)

test("list filters by kind", function(t)
  pair()
  link.add{name = "br0", kind = "bridge"}
  local names = {}
  for _, l in ipairs(link.list{kind = "veth"}) do names[#names + 1] = l.name end
  table.sort(names)
  t:eq(names, {"v0", "v1"})
end)

test("a Handle has the same operations as methods, bound to its namespace", function(t)
  local v0, v1 = pair()
  local h = nlua.handle()
  t:ok(tostring(h):find("Handle"), tostring(h))
  t:ok(h:link_get("v0") == v0 and h:link_get(v0.index) == v0)
  t:eq(#h:link_list{kind = "veth"}, #link.list{kind = "veth"})
  t:eq(#h:link_list{kind = "veth"}, 2)
  t:ok(h:link_get("v0") ~= v1, "__eq compares identity")
end)

test("stats are the kernel's counters: a ping moves them", function(t)
  local v0, v1 = pair()
  v1:set{netns = t:netns()}
  v0:addr_add("10.0.0.1/24"); v1:addr_add("10.0.0.2/24")
  v0:up(); v1:up()
  t:wait_up(v0)
  local before = v0.stats
  t:eq(type(before.rx_bytes), "number")
  t:ping("10.0.0.2")
  v0:refresh()
  local after = v0.stats
  t:ok(after.tx_packets > before.tx_packets and after.rx_packets > before.rx_packets,
    ("packets tx %d -> %d, rx %d -> %d"):format(before.tx_packets, after.tx_packets, before.rx_packets, after.rx_packets))
  -- an echo request is 98 bytes on the wire (Ethernet, IPv4, ICMP, 56 bytes of data)
  t:ok(after.tx_bytes >= before.tx_bytes + 98, ("tx bytes %d -> %d"):format(before.tx_bytes, after.tx_bytes))
end)

test("kind options: vxlan over v0, macvlan on v0, tap, ifb", function(t)
  local v0 = pair()
  local vx = link.add{name = "vx0", kind = "vxlan", id = 42, dstport = 4789, dev = "v0", remote = "192.0.2.2"}
  t:eq({vx.data.id, vx.data.dstport, vx.data.remote, vx.data.dev}, {42, 4789, "192.0.2.2", v0.index})
  local mv = link.add{name = "mv0", kind = "macvlan", link = "v0", mode = "bridge"}
  t:eq(mv.data.mode, "bridge")
  local tap = link.add{name = "tap0", kind = "tap", mtu = 1280}
  t:eq({tap.mtu, tap.kind, tap.data.type}, {1280, "tun", "tap"})
  local ifb = link.add{name = "ifb9", kind = "ifb", up = true}
  t:ok(ifb.is_up)
end)

test("delete: a stale object fails clearly; deleting one end takes the peer", function(t)
  local _, v1 = pair()
  v1:set{name = "v1b"}
  local br = link.add{name = "br0", kind = "bridge"}
  br:del()
  local err = t:err(function() return br:refresh() end, "ENODEV")
  t:ok(tostring(err):find("Link%(ifindex %d+ br0%)"), tostring(err))
  link.del("v0")
  t:err(function() link.get("v1b") end, "ENODEV")
end)
