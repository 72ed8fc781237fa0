-- Namespaces: two joined by a veth ping each other; objects follow their
-- namespace; what ip -n reads matches.
local function sh(cmd)
  local p = assert(io.popen(cmd)); local s = p:read("a"); p:close(); return s
end

local red, blue = netns.add("red"), netns.add("blue")
assert(red.name == "red" and red.path == "/run/netns/red" and red.inode > 0)
assert(red ~= blue and netns.open("red") == red, "__eq by inode")
assert(sh("ip netns list"):find("red") and sh("ip netns list"):find("blue"), "ip sees nlua's namespaces")

-- the gotcha: the peer is born in another namespace; its methods act there.
-- Decoys named like both ends live here, with other indexes: a lookup by name
-- in the caller's namespace would find them.
for i = 1, 3 do link.add{name = "pad" .. i, kind = "bridge"} end
local da, db = link.add{name = "a", kind = "bridge"}, link.add{name = "b", kind = "bridge"}
local a, b = link.add{name = "a", kind = "veth", netns = red, peer = {name = "b", netns = blue}}
assert(a.netns == red and b.netns == blue)
assert(a.kind == "veth" and b.kind == "veth" and a.index ~= da.index and b.index ~= db.index)
assert(a.peer == b and b.peer == a, "peer resolves across namespaces")
assert(sh("ip -n blue -j link show b"):find('"ifindex":' .. b.index .. ','), "b.index is the one in blue")
assert(sh("ip -n red -j link show a"):find('"ifindex":' .. a.index .. ','))
assert(sh("ip -n blue -j link show b"):find('"address":"' .. b.mac .. '"'))
b:set{mtu = 1280}
assert(sh("ip -n blue -j link show b"):find('"mtu":1280') and link.get("b").mtu ~= 1280, "b's methods act in blue")
assert(b.link_netnsid and sh("ip -n blue -j link show b"):find('"link_netnsid":' .. b.link_netnsid .. '[,}]'))
da:del(); db:del()
for i = 1, 3 do link.get("pad" .. i):del() end
a:addr_add("10.0.0.1/24"); b:addr_add("10.0.0.2/24", {nodad = true})
a:up(); b:up()
red:link("lo"):up(); blue:link("lo"):up()
assert(#link.list{kind = "veth"} == 0, "nothing leaked into the caller's namespace")

local r = red:exec{"ping", "-c1", "-W2", "10.0.0.2"}
assert(r.ok and r.code == 0, r.stdout .. r.stderr)
-- read back with ip -n
local j = sh("ip -n blue -j addr show dev b")
assert(j:find('"local":"10.0.0.2","prefixlen":24'), j)
for _, x in ipairs(blue:addr_list{dev = "b"}) do assert(x.dev == "b") end

-- printing names the other namespace the way ip link does
a:refresh()
assert(tostring(a) .. "\n" == sh("ip -n red link show a"), tostring(a) .. " vs " .. sh("ip -n red link show a"))

-- moving a link re-binds the object
local c = link.add{name = "c", kind = "veth", peer = {name = "d"}}
c:set{netns = red}
assert(c.netns == red and red:link("c") == c)
c:set{mtu = 1400}
assert(sh("ip -n red -j link show c"):find('"mtu":1400'), "methods act in the new namespace")
assert(not pcall(link.get, "c"), "gone from here")

-- nsid: assigned on demand, as ip netns set does
local id = red.nsid
assert(type(id) == "number" and id >= 0)
assert(sh("ip netns list"):find("red %(id: " .. id .. "%)"), sh("ip netns list"))

-- ns sugar delegates to the handle for every module
assert(red:link_get("a") == a)
assert(#red:route_list{} >= 1)

-- interop: a namespace made by ip is usable; ours is usable by ip
os.execute("ip netns add green && ip -n green link add g0 type bridge")
local green = netns.open("green")
assert(green:link("g0").kind == "bridge")
local names = {}
for _, n in ipairs(netns.list()) do names[#names + 1] = n.name end
table.sort(names)
assert(table.concat(names, ",") == "blue,green,red", table.concat(names, ","))
assert(os.execute("ip -n red link show a > /dev/null"))

netns.del("green"); red:del(); netns.del(blue)
assert(sh("ip netns list") == "")
print("ok")
