-- Filters and actions from Lua: u32 matches, flowid, mirred to an ifb, gact
-- verdict strings; the listed options feed filter.add again.

local function tc(args) return (sh("tc " .. args)) end

-- v0 with an htb root 1:, class 1:10, and an ifb to redirect to.
local v0, ifb
before_each(function()
  v0 = link.add{name = "v0", kind = "veth", peer = {name = "v1"}}
  ifb = link.add{name = "ifb0", kind = "ifb"}
  v0:up(); ifb:up()
  v0:qdisc_add{handle = "1:", kind = "htb", default = "20"}
  v0:class_add{parent = "1:", classid = "1:10", kind = "htb", rate = "5mbit"}
end)

-- A u32 rule on dst, proto and dport.
local function u32()
  return filter.add{dev = "v0", parent = "1:", protocol = "ip", prio = 1, kind = "u32",
    match = {dst = "10.0.0.2/32", proto = "tcp", dport = 80}, flowid = "1:10"}
end

local function u32_v6()
  return filter.add{dev = "v0", parent = "1:", protocol = "ipv6", prio = 2, kind = "u32",
    match = {src = "2001:db8::/32", dport = 443}, flowid = "1:10"}
end

-- Ingress redirect to ifb (the ingress-shaping recipe).
local function redirect()
  qdisc.add{dev = "v0", kind = "ingress"}
  return filter.add{dev = "v0", parent = "ingress", kind = "u32", sel = {{val = 0, mask = 0, off = 0}},
    actions = {{kind = "mirred", action = "redirect", dev = ifb}}}
end

test("u32 keys and flowid read back; tc sees them", function(t)
  local f = u32()
  t:eq({f.kind, f.handle, f.prio, f.protocol, f.parent}, {"u32", "800::800", 1, "ip", "1:"})
  local o = f.options
  t:eq(o.flowid, "1:10")
  t:eq(#o.sel, 3, "three keys: dst, proto, dport")
  t:eq({o.sel[1].off, o.sel[1].val, o.sel[1].mask}, {16, 0x0a000002, 0xffffffff})
  t:ok(tostring(f):find("*flowid 1:10", 1, true), tostring(f))
  t:ok(tc("filter show dev v0"):find("match 00000050/0000ffff at 20", 1, true), "tc sees the dport key")
end)

test("an IPv6 filter picks the IPv6 offsets", function(t)
  local f6 = u32_v6()
  t:eq({#f6.options.sel, f6.options.sel[1].off, f6.options.sel[2].off}, {2, 8, 40})
end)

-- (after the IPv4 rule, as prio 2: its node lives in hash table 801)
test("replace: the same node (handle) takes the new flowid", function(t)
  u32()
  local f6 = u32_v6()
  local fo = f6.options
  fo.flowid = "1:20"
  local f6r = filter.replace(fo)
  t:eq({f6r.handle, f6r.options.flowid}, {f6.handle, "1:20"})
  t:ok(tc("filter show dev v0"):find("fh " .. f6.handle .. " order 2048 key ht 801 bkt 0 *flowid 1:20", 1, true), tc("filter show dev v0"))
end)

test("ingress redirect to an ifb", function(t)
  local r = redirect()
  local a = r.options.actions[1]
  t:eq({a.kind, a.action, a.direction, a.dev}, {"mirred", "redirect", "egress", "ifb0"})
  t:eq({r.parent, r.protocol}, {"ingress", "all"})
  t:ok(tc("filter show dev v0 ingress"):find("Egress Redirect to device ifb0", 1, true))
end)

test("every filter of the device; delete one by object", function(t)
  u32()
  local f6 = u32_v6()
  redirect()
  local n = 0
  for _, x in ipairs(v0:filters()) do if x.handle:match("::") then n = n + 1 end end
  t:eq(n, 3, "three rules over every parent")
  f6:del() -- the node goes; u32 keeps the prio's hash table
  t:ok(not tc("filter show dev v0"):find("801::800", 1, true))
  t:ok(tc("filter show dev v0"):find("fh 801:", 1, true))
end)

-- Its handle names a place in the prio's hash table, which stays.
test("options round trip: delete the rule and re-add what was listed", function(t)
  local f = u32()
  local saved = f.options
  f:del()
  local back = filter.add(saved)
  t:eq({back.options.flowid, #back.options.sel}, {"1:10", 3})
  t:ok(nlua.json(back):find('"flowid":"1:10"', 1, true))
end)

test("a whole prio goes by table", function(t)
  u32()
  filter.del{dev = "v0", parent = "1:", prio = 1}
  t:ok(not tc("filter show dev v0"):find("pref 1 ", 1, true))
end)

-- u32 keeps a node's keys; its flowid can change.
test("chains, and change", function(t)
  v0:class_add{parent = "1:", classid = "1:30", kind = "htb", rate = "1mbit"}
  local c = filter.add{dev = "v0", parent = "1:", chain = 3, prio = 5, protocol = "ip", kind = "u32", match = {dst = "10.1.1.1"}, flowid = "1:10"}
  t:eq({c.chain, c.options.chain}, {3, 3})
  t:ok(tc("filter show dev v0 chain 3"):find("pref 5 u32 fh " .. c.handle .. " ", 1, true), tc("filter show dev v0 chain 3"))
  local opts = c.options
  opts.flowid = "1:30"
  local c2 = filter.change(opts)
  t:eq({c2.options.flowid, c2.handle}, {"1:30", c.handle})
end)
