-- Qdiscs and classes from Lua: add, read, change, replace, delete; options
-- come back in the words they went in with; tostring reads like tc.

local function tc(args) return (sh("tc " .. args)) end

local v0
before_each(function()
  v0 = link.add{name = "v0", kind = "veth", peer = {name = "v1"}}
  v0:up()
end)

-- An htb root 1: with class 1:10, through the module and through the Link.
local function htb()
  local root = qdisc.add{dev = "v0", parent = "root", handle = "1:", kind = "htb", default = "10", r2q = 20}
  local c10 = v0:class_add{parent = "1:", classid = "1:10", kind = "htb", rate = "10mbit", ceil = "20mbit", burst = "15k"}
  return root, c10
end

-- A tbf leaf 10: under class 1:10.
local function leaf()
  return qdisc.add{dev = v0, parent = "1:10", handle = "10:", kind = "tbf", rate = "1mbit", burst = "32kb", latency = "50ms"}
end

test("htb root with classes: options in tc words, tostring like tc", function(t)
  local root, c10 = htb()
  t:eq({root.kind, root.handle, root.parent, root.dev}, {"htb", "1:", "root", "v0"})
  t:eq({root.options.default, root.options.r2q}, {"0x10", 20}, "htb options read back")
  t:ok(tostring(root) == "qdisc htb 1: dev v0 root refcnt 2 r2q 20 default 0x10 direct_packets_stat 0 direct_qlen 1000"
    or tostring(root):match("^qdisc htb 1: dev v0 root refcnt %d+ r2q 20 default 0x10 direct_packets_stat 0 direct_qlen %d+$"), tostring(root))
  t:eq({c10.classid, c10.parent, c10.kind}, {"1:10", "root", "htb"})
  local o = c10.options
  t:eq({o.rate, o.ceil, o.burst, o.prio}, {"10mbit", "20mbit", "15kb", 0}, "class options in tc words")
  t:ok(c10.stats.packets == 0 and c10.stats.tokens ~= nil, "class stats with htb counters")
  t:eq(tostring(c10), "class htb 1:10 dev v0 root prio 0 rate 10Mbit ceil 20Mbit burst 15Kb cburst 1600b")
  t:ok(tc("class show dev v0"):find("class htb 1:10 root prio 0 rate 10Mbit ceil 20Mbit burst 15Kb cburst 1600b", 1, true))
end)

test("change keeps what is not given", function(t)
  local _, c10 = htb()
  c10:change{ceil = "30mbit"}
  t:eq({c10.options.ceil, c10.options.rate}, {"30mbit", "10mbit"}, "change merged")
  t:ok(tc("class show dev v0 classid 1:10"):find("ceil 30Mbit", 1, true))
end)

test("replace: the listed options with one changed", function(t)
  local _, c10 = htb()
  c10:change{ceil = "30mbit"}
  local co = c10.options
  co.rate, co.prio = "12mbit", 4
  local c10r = class.replace(co)
  t:eq({c10r.options.rate, c10r.options.ceil, c10r.options.prio}, {"12mbit", "30mbit", 4}, nlua.json(c10r.options))
  t:ok(tc("class show dev v0 classid 1:10"):find("prio 4 rate 12Mbit ceil 30Mbit", 1, true))
end)

test("a leaf qdisc under the class, with units in and out", function(t)
  htb()
  local l = leaf()
  t:eq({l.parent, l.options.rate, l.options.burst}, {"1:10", "1mbit", "32kb"})
  t:ok(class.list("v0")[1].leaf == "10:" or class.list("v0")[2].leaf == "10:", "the class reports its leaf")
  local j = l:json()
  t:ok(j:find('"kind":"tbf"', 1, true) and j:find('"lat":50000', 1, true), j)
end)

test("replace(q.options) round-trips; Handle methods act like the module; EEXIST", function(t)
  htb()
  local l = leaf()
  local h = nlua.handle()
  local again = h:qdisc_replace(l.options)
  t:ok(again == l)
  t:eq(again:json(), l:json())
  t:eq({#h:qdisc_list{dev = "v0"}, #v0:qdiscs()}, {2, 2})
  local _, tc_classes = tc("class show dev v0"):gsub("\n", "")
  t:eq(#v0:classes(), tc_classes)
  -- EEXIST is an error value; replace is the idempotent form
  local err = t:err(function() leaf() end, "EEXIST")
  t:eq(err.op, "qdisc add dev v0 parent 1:10 handle 10: tbf")
end)

-- The kernel keeps a handle's kind, so none is given for the new kind.
test("another kind in the class's place, and raw options for any kind", function(t)
  htb()
  leaf()
  local p = v0:qdisc_replace{parent = "1:10", kind = "bfifo", limit = "64kb"}
  t:eq({p.kind, p.options.limit}, {"bfifo", "64kb"})
  t:ok(p.handle ~= "10:", p.handle)
  local r = qdisc.replace{dev = "v0", parent = "1:10", handle = "20:", kind = "pfifo", raw = string.pack("=I4", 33)}
  t:eq({r.options.limit, r.handle}, {33, "20:"})
end)

test("delete by object, by table; qdisc.list sees it go", function(t)
  htb()
  leaf()
  local l = qdisc.list{dev = "v0", parent = "1:10"}[1]
  l:del()
  t:eq(#qdisc.list{dev = "v0", parent = "1:10"}, 0)
  class.del{dev = "v0", classid = "1:10"}
  t:eq(#class.list("v0"), 0)
  qdisc.del{dev = "v0", parent = "root"}
  t:eq(qdisc.list{dev = "v0"}[1].kind, "noqueue")
end)

test("ingress and clsact take their parent and handle from the kind", function(t)
  local ing = qdisc.add{dev = "v0", kind = "ingress"}
  t:eq({ing.handle, ing.parent}, {"ffff:", "ffff:fff1"})
  qdisc.del(ing)
  local ca = qdisc.add{dev = "v0", parent = "clsact"}
  t:eq(ca.kind, "clsact")
end)
