-- Namespaces: two joined by a veth ping each other; objects follow their
-- namespace; what ip -n reads matches.


test("named namespaces are objects ip sees", function(t)
  local red, blue = netns.add("red"), netns.add("blue")
  t:eq({red.name, red.path}, {"red", "/run/netns/red"})
  t:ok(red.inode > 0)
  t:ok(red ~= blue and netns.open("red") == red, "__eq by inode")
  t:ok(sh("ip netns list"):find("red") and sh("ip netns list"):find("blue"), "ip sees nlua's namespaces")
end)

-- Two namespaces joined by a veth whose ends are born inside them.
local function joined()
  local red, blue = netns.add("red"), netns.add("blue")
  local a, b = link.add{name = "a", kind = "veth", netns = red, peer = {name = "b", netns = blue}}
  return red, blue, a, b
end

test("the peer is born in another namespace; its methods act there", function(t)
  -- Decoys named like both ends live here, with other indexes: a lookup by
  -- name in the caller's namespace would find them.
  for i = 1, 3 do link.add{name = "pad" .. i, kind = "bridge"} end
  local da, db = link.add{name = "a", kind = "bridge"}, link.add{name = "b", kind = "bridge"}
  local red, blue, a, b = joined()
  t:ok(a.netns == red and b.netns == blue)
  t:eq({a.kind, b.kind}, {"veth", "veth"})
  t:ok(a.index ~= da.index and b.index ~= db.index, "other indexes than the decoys'")
  t:ok(a.peer == b and b.peer == a, "peer resolves across namespaces")
  t:ok(sh("ip -n blue -j link show b"):find('"ifindex":' .. b.index .. ','), "b.index is the one in blue")
  t:ok(sh("ip -n red -j link show a"):find('"ifindex":' .. a.index .. ','))
  t:ok(sh("ip -n blue -j link show b"):find('"address":"' .. b.mac .. '"'))
  b:set{mtu = 1280}
  t:ok(sh("ip -n blue -j link show b"):find('"mtu":1280') and link.get("b").mtu ~= 1280, "b's methods act in blue")
  t:ok(b.link_netnsid and sh("ip -n blue -j link show b"):find('"link_netnsid":' .. b.link_netnsid .. '[,}]'))
  da:del(); db:del()
  for i = 1, 3 do link.get("pad" .. i):del() end
  a:addr_add("10.0.0.1/24"); b:addr_add("10.0.0.2/24", {nodad = true})
  a:up(); b:up()
  red:link("lo"):up(); blue:link("lo"):up()
  t:eq(#link.list{kind = "veth"}, 0, "nothing leaked into the caller's namespace")
  local r = red:exec{"ping", "-c1", "-W2", "10.0.0.2"}
  t:ok(r.ok and r.code == 0, r.stdout .. r.stderr)
  -- read back with ip -n
  local j = sh("ip -n blue -j addr show dev b")
  t:ok(j:find('"local":"10.0.0.2","prefixlen":24'), j)
  local bs = blue:addr_list{dev = "b", family = "inet"}
  t:eq(#bs, 1)
  t:eq({bs[1].dev, bs[1].prefix}, {"b", "10.0.0.2/24"})
  -- printing names the other namespace the way ip link does
  a:refresh()
  t:eq(tostring(a) .. "\n", (sh("ip -n red link show a")))
end)

test("moving a link re-binds the object", function(t)
  local red = netns.add("red")
  local c = link.add{name = "c", kind = "veth", peer = {name = "d"}}
  c:set{netns = red}
  t:ok(c.netns == red and red:link("c") == c)
  c:set{mtu = 1400}
  t:ok(sh("ip -n red -j link show c"):find('"mtu":1400'), "methods act in the new namespace")
  t:err(function() link.get("c") end, "ENODEV")
end)

test("nsid: assigned on demand, as ip netns set does", function(t)
  local red = netns.add("red")
  local id = red.nsid
  t:ok(type(id) == "number" and id >= 0, tostring(id))
  t:ok(sh("ip netns list"):find("red %(id: " .. id .. "%)"), sh("ip netns list"))
end)

test("ns sugar delegates to the handle for every module", function(t)
  local red, _, a = joined()
  a:addr_add("10.0.0.1/24")
  a:up()
  t:ok(red:link_get("a") == a)
  t:ok(#red:route_list{} >= 1)
  local found = false
  for _, r in ipairs(red:route_list{}) do found = found or (r.dst == "10.0.0.0/24" and r.dev == "a") end
  t:ok(found, "red's own connected route")
  t:eq(#route.list{dst = "10.0.0.0/24"}, 0, "not the caller's")
  t:eq(red:addr_list{dev = "a", family = "inet"}[1].prefix, "10.0.0.1/24")
end)

test("interop: a namespace made by ip is usable; ours is usable by ip", function(t)
  local red, blue = joined()
  os.execute("ip netns add green && ip -n green link add g0 type bridge")
  local green = netns.open("green")
  t:eq(green:link("g0").kind, "bridge")
  local names = {}
  for _, n in ipairs(netns.list()) do names[#names + 1] = n.name end
  table.sort(names)
  t:eq(names, {"blue", "green", "red"})
  t:ok(os.execute("ip -n red link show a > /dev/null"))
  netns.del("green"); red:del(); netns.del(blue)
  t:eq(sh("ip netns list"), "")
end)

test("a list of names: made together, returned in order, all or nothing", function(t)
  local names = {}
  for i = 1, 20 do names[i] = "m" .. i end
  local made = netns.add(names)
  t:eq(#made, 20)
  local inodes = {}
  for i, ns in ipairs(made) do
    t:eq(ns.name, "m" .. i)
    t:ok(not inodes[ns.inode], "each one a namespace of its own")
    inodes[ns.inode] = true
    t:eq(netns.open("m" .. i).inode, ns.inode)
  end
  t:ok(made[7]:link("lo"), "usable: its handle answers")
  local listed = sh("ip netns list")
  for i = 1, 20 do t:ok(listed:find("m" .. i .. "%f[^%w]"), "ip sees m" .. i) end
  -- A taken name fails the call before anything is made.
  t:err(function() netns.add{"n1", "n2", "m3", "n4"} end, 'namespace "m3" exists')
  t:ok(not sh("ip netns list"):find("n1"), "nothing of the failed call remains")
  t:err(function() netns.add{"n1", "n1"} end, 'namespace "n1" exists')
  t:ok(not sh("ip netns list"):find("n1"), "a name twice in the list: nothing remains")
  t:err(function() netns.add{"n1", 42} end, "netns.add: argument #1: entry 2: expected namespace name, got 42")
  t:err(function() netns.add{"n1", "a/b"} end, "invalid namespace name")
  t:err(function() netns.add{"n1", x = "n2"} end, "keys 1..n")
  t:eq(netns.add{}, {})
end)
