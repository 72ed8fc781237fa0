-- Filters and actions from Lua: u32 matches, flowid, mirred to an ifb, gact
-- verdict strings; the listed options feed filter.add again.
local v0 = link.add{name = "v0", kind = "veth", peer = {name = "v1"}}
local ifb = link.add{name = "ifb0", kind = "ifb"}
v0:up(); ifb:up()

local function tc(args)
  local p = assert(io.popen("tc " .. args))
  local s = p:read("a")
  p:close()
  return s
end

v0:qdisc_add{handle = "1:", kind = "htb", default = "20"}
v0:class_add{parent = "1:", classid = "1:10", kind = "htb", rate = "5mbit"}
local f = filter.add{dev = "v0", parent = "1:", protocol = "ip", prio = 1, kind = "u32",
  match = {dst = "10.0.0.2/32", proto = "tcp", dport = 80}, flowid = "1:10"}
assert(f.kind == "u32" and f.handle == "800::800" and f.prio == 1 and f.protocol == "ip" and f.parent == "1:")
local o = f.options
assert(o.flowid == "1:10" and #o.sel == 3, "three keys: dst, proto, dport")
assert(o.sel[1].off == 16 and o.sel[1].val == 0x0a000002 and o.sel[1].mask == 0xffffffff)
assert(tostring(f):find("*flowid 1:10", 1, true), tostring(f))
assert(tc("filter show dev v0"):find("match 00000050/0000ffff at 20", 1, true), "tc sees the dport key")

-- an IPv6 filter picks the IPv6 offsets
local f6 = filter.add{dev = "v0", parent = "1:", protocol = "ipv6", prio = 2, kind = "u32",
  match = {src = "2001:db8::/32", dport = 443}, flowid = "1:10"}
assert(#f6.options.sel == 2 and f6.options.sel[1].off == 8 and f6.options.sel[2].off == 40)

-- replace: the same node (handle) takes the new flowid
local fo = f6.options
fo.flowid = "1:20"
local f6r = filter.replace(fo)
assert(f6r.handle == f6.handle and f6r.options.flowid == "1:20")
assert(tc("filter show dev v0"):find("fh " .. f6.handle .. " order 2048 key ht 801 bkt 0 *flowid 1:20", 1, true), tc("filter show dev v0"))

-- ingress redirect to ifb (the ingress-shaping recipe) with a verdict string after it
qdisc.add{dev = "v0", kind = "ingress"}
local r = filter.add{dev = "v0", parent = "ingress", kind = "u32", sel = {{val = 0, mask = 0, off = 0}},
  actions = {{kind = "mirred", action = "redirect", dev = ifb}}}
local a = r.options.actions[1]
assert(a.kind == "mirred" and a.action == "redirect" and a.direction == "egress" and a.dev == "ifb0")
assert(r.parent == "ingress" and r.protocol == "all")
assert(tc("filter show dev v0 ingress"):find("Egress Redirect to device ifb0", 1, true))

-- every filter of the device, then delete one by object and one by table
local all = v0:filters()
local n = 0
for _, x in ipairs(all) do if x.handle:match("::") then n = n + 1 end end
assert(n == 3, "three rules over every parent, got " .. n)
f6:del()  -- the node goes; u32 keeps the prio's hash table
assert(not tc("filter show dev v0"):find("801::800", 1, true) and tc("filter show dev v0"):find("fh 801:", 1, true))

-- options round trip: delete the rule and re-add what was listed (its
-- handle names a place in the prio's hash table, which stays)
local saved = f.options
f:del()
local back = filter.add(saved)
assert(back.options.flowid == "1:10" and #back.options.sel == 3)
assert(nlua.json(back):find('"flowid":"1:10"', 1, true))

-- a whole prio goes by table
filter.del{dev = "v0", parent = "1:", prio = 1}
assert(not tc("filter show dev v0"):find("pref 1 ", 1, true))

-- chains, and change (u32 keeps a node's keys; its flowid can change)
v0:class_add{parent = "1:", classid = "1:30", kind = "htb", rate = "1mbit"}
local c = filter.add{dev = "v0", parent = "1:", chain = 3, prio = 5, protocol = "ip", kind = "u32", match = {dst = "10.1.1.1"}, flowid = "1:10"}
assert(c.chain == 3 and c.options.chain == 3)
assert(tc("filter show dev v0 chain 3"):find("pref 5 u32 fh " .. c.handle .. " ", 1, true), tc("filter show dev v0 chain 3"))
local opts = c.options
opts.flowid = "1:30"
local c2 = filter.change(opts)
assert(c2.options.flowid == "1:30" and c2.handle == c.handle)
print("ok")
