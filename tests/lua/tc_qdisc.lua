-- Qdiscs and classes from Lua: add, read, change, replace, delete; options
-- come back in the words they went in with; tostring reads like tc.
local v0 = link.add{name = "v0", kind = "veth", peer = {name = "v1"}}
v0:up()

local function tc(args)
  local p = assert(io.popen("tc " .. args))
  local s = p:read("a")
  p:close()
  return s
end

-- htb root with classes, through the module and through the Link
local root = qdisc.add{dev = "v0", parent = "root", handle = "1:", kind = "htb", default = "10", r2q = 20}
assert(root.kind == "htb" and root.handle == "1:" and root.parent == "root" and root.dev == "v0")
assert(root.options.default == "0x10" and root.options.r2q == 20, "htb options read back")
assert(tostring(root) == "qdisc htb 1: dev v0 root refcnt 2 r2q 20 default 0x10 direct_packets_stat 0 direct_qlen 1000"
  or tostring(root):match("^qdisc htb 1: dev v0 root refcnt %d+ r2q 20 default 0x10 direct_packets_stat 0 direct_qlen %d+$"), tostring(root))
local c10 = v0:class_add{parent = "1:", classid = "1:10", kind = "htb", rate = "10mbit", ceil = "20mbit", burst = "15k"}
assert(c10.classid == "1:10" and c10.parent == "root" and c10.kind == "htb")
local o = c10.options
assert(o.rate == "10mbit" and o.ceil == "20mbit" and o.burst == "15kb" and o.prio == 0, "class options in tc words")
assert(c10.stats.packets == 0 and c10.stats.tokens ~= nil, "class stats with htb counters")
assert(tostring(c10) == "class htb 1:10 dev v0 root prio 0 rate 10Mbit ceil 20Mbit burst 15Kb cburst 1600b", tostring(c10))
assert(tc("class show dev v0"):find("class htb 1:10 root prio 0 rate 10Mbit ceil 20Mbit burst 15Kb cburst 1600b", 1, true))

-- change keeps what is not given
c10:change{ceil = "30mbit"}
assert(c10.options.ceil == "30mbit" and c10.options.rate == "10mbit", "change merged")
assert(tc("class show dev v0 classid 1:10"):find("ceil 30Mbit", 1, true))

-- replace: the listed options with one changed
local co = c10.options
co.rate, co.prio = "12mbit", 4
local c10r = class.replace(co)
assert(c10r.options.rate == "12mbit" and c10r.options.ceil == "30mbit" and c10r.options.prio == 4, nlua.json(c10r.options))
assert(tc("class show dev v0 classid 1:10"):find("prio 4 rate 12Mbit ceil 30Mbit", 1, true))

-- a leaf qdisc under the class, with units in and out
local leaf = qdisc.add{dev = v0, parent = "1:10", handle = "10:", kind = "tbf", rate = "1mbit", burst = "32kb", latency = "50ms"}
assert(leaf.parent == "1:10" and leaf.options.rate == "1mbit" and leaf.options.burst == "32kb")
assert(class.list("v0")[1].leaf == "10:" or class.list("v0")[2].leaf == "10:", "the class reports its leaf")
local j = leaf:json()
assert(j:find('"kind":"tbf"', 1, true) and j:find('"lat":50000', 1, true), j)

-- replace(q.options) round-trips; Handle methods act like the module
local h = nlua.handle()
local again = h:qdisc_replace(leaf.options)
assert(again == leaf and again:json() == leaf:json(), again:json() .. " vs " .. leaf:json())
assert(#h:qdisc_list{dev = "v0"} == 2 and #v0:qdiscs() == 2 and #v0:classes() >= 1)

-- EEXIST is an error value; replace is the idempotent form
local ok, err = pcall(qdisc.add, {dev = "v0", parent = "1:10", handle = "10:", kind = "tbf", rate = "1mbit", burst = "32kb", latency = "50ms"})
assert(not ok and err.code == "EEXIST" and err.op == "qdisc add dev v0 parent 1:10 handle 10: tbf", tostring(err))

-- another kind in the class's place (the kernel keeps a handle's kind, so none
-- is given), and raw options for any kind
local p = v0:qdisc_replace{parent = "1:10", kind = "bfifo", limit = "64kb"}
assert(p.kind == "bfifo" and p.options.limit == "64kb" and p.handle ~= "10:")
local r = qdisc.replace{dev = "v0", parent = "1:10", handle = "20:", kind = "pfifo", raw = string.pack("=I4", 33)}
assert(r.options.limit == 33 and r.handle == "20:")

-- delete by object, by table; qdisc.list sees it go
leaf = qdisc.list{dev = "v0", parent = "1:10"}[1]
leaf:del()
assert(#qdisc.list{dev = "v0", parent = "1:10"} == 0)
class.del{dev = "v0", classid = "1:10"}
assert(#class.list("v0") == 0)
qdisc.del{dev = "v0", parent = "root"}
assert(qdisc.list{dev = "v0"}[1].kind == "noqueue")

-- ingress and clsact take their parent and handle from the kind
local ing = qdisc.add{dev = "v0", kind = "ingress"}
assert(ing.handle == "ffff:" and ing.parent == "ffff:fff1")
qdisc.del(ing)
local ca = qdisc.add{dev = "v0", parent = "clsact"}
assert(ca.kind == "clsact")
print("ok")
