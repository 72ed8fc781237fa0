-- nlua.monitor: every family's actions arrive as events whose objects are the
-- userdata a list returns, bound to the namespace they came from; the
-- callback form; close; an overrun; two namespaces at once; link.wait and
-- addr.wait.

-- Events until the rule with priority `prio` is new — notifications reach the
-- monitor in order, so everything before it has arrived — and until `also`
-- has matched one (a change the kernel reports from a worker, later).
local function until_rule(m, prio, also)
  local evs, sentinel, other = {}, false, false
  while not (sentinel and other) do
    local ev = m:next()
    assert(ev, "the monitor ended before the sentinel rule " .. prio)
    evs[#evs + 1] = ev
    sentinel = sentinel or (ev.kind == "rule" and ev.action == "new" and ev.object.priority == prio)
    other = other or also(ev)
  end
  return evs
end

-- The first event after position `from` matching; returns it and its position.
local function find(evs, from, action, kind, pred)
  for i = from + 1, #evs do
    local ev = evs[i]
    if ev.action == action and ev.kind == kind and pred(ev.object) then return ev, i end
  end
  local seen = {}
  for i = from + 1, #evs do seen[#seen + 1] = evs[i].action .. " " .. evs[i].kind .. " " .. tostring(evs[i].object) end
  error(("no %s %s event after #%d among:\n%s"):format(action, kind, from, table.concat(seen, "\n")), 2)
end

test("every family's actions arrive as events, in order, as listed objects", function(t)
  local m = nlua.monitor{"link", "addr", "route", "rule", "neigh", "qdisc", "class", timeout = 20}
  t:ok(tostring(m):find("^Monitor%(link, addr, route, rule, neigh, qdisc, class; netns "), tostring(m))
  t:ok(#m.families == 7 and m.rcvbuf >= 32 * 1024 * 1024 and not m.closed)
  local v0, v1 = link.add{name = "v0", kind = "veth", peer = {name = "v1"}}
  v0:up(); v1:up()
  v0:set{mtu = 1400}
  v0:addr_add("10.0.0.1/24")
  v0:addr_add("2001:db8::1/64", {nodad = true})
  route.add{dst = "10.1.0.0/16", gw = "10.0.0.254"}
  route.replace{dst = "10.1.0.0/16", gw = "10.0.0.253"}
  route.del{dst = "10.1.0.0/16"}
  rule.add{from = "10.1.0.0/16", table = 100, priority = 1000}
  rule.del{priority = 1000}
  neigh.add{dev = "v0", dst = "10.0.0.9", lladdr = "02:00:00:00:00:09", state = "permanent"}
  neigh.del{dev = "v0", dst = "10.0.0.9"}
  qdisc.add{dev = "v0", parent = "root", handle = "1:", kind = "htb", default = "1:10"}
  class.add{dev = "v0", parent = "1:", classid = "1:10", kind = "htb", rate = "1mbit"}
  qdisc.del{dev = "v0", parent = "root"}
  v0:addr_del("10.0.0.1/24")
  v0:set{name = "v9"}
  v0:addr_add("10.0.0.2/24")
  rule.add{priority = 9, table = 9}
  local evs = until_rule(m, 9, function(e) return e.kind == "addr" and e.object.prefix == "2001:db8::1/64" end)

  local at = 0
  local ev
  ev, at = find(evs, at, "new", "link", function(o) return o.name == "v0" end)
  t:ok(ev.object == v0 and ev.object.index == v0.index, "the object is a Link equal to the one link.add returned")
  t:ok(ev.netns == v0.netns and ev.netns == netns.current(), "and it names its namespace")
  _, at = find(evs, at, "change", "link", function(o) return o.name == "v0" and o.mtu == 1400 end)
  ev, at = find(evs, at, "new", "addr", function(o) return o.prefix == "10.0.0.1/24" end)
  t:eq({ev.object.dev, ev.object.family}, {"v0", "inet"})
  -- IPv6 reports a new address from its DAD worker (even with nodad), so it
  -- may come after later changes: it is looked for on its own.
  local v6 = find(evs, 0, "new", "addr", function(o) return o.prefix == "2001:db8::1/64" end)
  t:eq(v6.object.family, "inet6")
  t:ok(v6.object.dev == "v0" or v6.object.dev == "v9", v6.object.dev) -- v9 when it came after the rename
  ev, at = find(evs, at, "new", "route", function(o) return o.dst == "10.1.0.0/16" and o.gw == "10.0.0.254" end)
  t:eq({ev.object.dev, ev.object.table}, {"v0", 254})
  _, at = find(evs, at, "change", "route", function(o) return o.dst == "10.1.0.0/16" and o.gw == "10.0.0.253" end)
  _, at = find(evs, at, "del", "route", function(o) return o.dst == "10.1.0.0/16" end)
  ev, at = find(evs, at, "new", "rule", function(o) return o.priority == 1000 end)
  t:eq(ev.object.from, "10.1.0.0/16")
  _, at = find(evs, at, "del", "rule", function(o) return o.priority == 1000 end)
  ev, at = find(evs, at, "new", "neigh", function(o) return o.dst == "10.0.0.9" end)
  t:eq({ev.object.lladdr, ev.object.dev}, {"02:00:00:00:00:09", "v0"})
  _, at = find(evs, at, "del", "neigh", function(o) return o.dst == "10.0.0.9" end)
  ev, at = find(evs, at, "new", "qdisc", function(o) return o.kind == "htb" end)
  t:eq({ev.object.handle, ev.object.dev}, {"1:", "v0"})
  _, at = find(evs, at, "new", "class", function(o) return o.classid == "1:10" end)
  _, at = find(evs, at, "del", "qdisc", function(o) return o.kind == "htb" end)
  _, at = find(evs, at, "del", "addr", function(o) return o.prefix == "10.0.0.1/24" end)
  -- After a rename, objects name the link by its new name.
  _, at = find(evs, at, "change", "link", function(o) return o.name == "v9" end)
  ev, at = find(evs, at, "new", "addr", function(o) return o.prefix == "10.0.0.2/24" end)
  t:eq(ev.object.dev, "v9")
  -- Objects from events print and serialize like listed ones, and their methods work.
  t:eq(tostring(v6.object), tostring(addr.list{dev = "v9", family = "inet6", scope = "global"}[1]))
  t:ok(nlua.json(v6.object):find('"local":"2001:db8::1"'))
  v6.object:del()
  t:ok(not sh("ip -j addr show dev v9"):find("2001:db8::1/"), "Addr:del from an event acted")
  m:close()
  t:ok(m.closed and m:next() == nil and m.netns == nil)
end)

test("a generic for closes the monitor when the loop ends", function(t)
  local mon = nlua.monitor{"link", timeout = 20}
  link.add{name = "z0", kind = "veth", peer = {name = "z1"}}
  for _ in mon, nil, nil, mon do break end
  t:ok(mon.closed, "the for loop closed the monitor")
  local it, _, _, closing = nlua.monitor{"link"}
  t:ok(rawequal(it, closing), "nlua.monitor returns itself as the closing value")
  it:close()
end)

test("the callback form: called for each event until it returns false; returns that event", function(t)
  local churn = netns.current():spawn{"sh", "-c", "while :; do ip link add w0 type veth peer name w1; ip link del w0; sleep 0.05; done"}
  local calls = 0
  local last = nlua.monitor{"link", function(e)
    calls = calls + 1
    return not (e.action == "del" and e.object.name == "w0")
  end, timeout = 20}
  t:ok(last and last.action == "del" and last.object.name == "w0" and calls >= 1, "callback stopped on false")
  -- An error in the callback propagates.
  t:err(function() nlua.monitor{"link", function() error("boom from the callback") end, timeout = 20} end, "boom from the callback")
  churn:kill("TERM"); churn:wait(5)
  -- Nothing happening: the callback form returns nil when the time is up.
  t:eq(nlua.monitor{"rule", function() error("no rule event expected") end, timeout = 0.05}, nil)
end)

test("a storm on a small buffer: an overrun event, never a silent loss", function(t)
  local small = nlua.monitor{"route", rcvbuf = 4096}
  for i = 0, 1999 do route.add{dst = ("10.%d.%d.0/24"):format(i // 256, i % 256), dev = "lo", table = 100} end
  local overrun, routes = false, 0
  while true do
    local e = small:next(0)
    if not e then break end
    if e.action == "overrun" then
      overrun = true
      t:ok(e.netns == netns.current() and e.kind == nil and e.object == nil)
    elseif e.kind == "route" and e.object.table == 100 then
      routes = routes + 1
    end
  end
  t:ok(routes < 2000 and overrun and small.overruns >= 1, ("routes %d overrun %s"):format(routes, tostring(overrun)))
  t:eq(#route.list{table = 100}, 2000, "the caller resyncs with a list")
  small:close()
end)

test("two namespaces at once: each event names its namespace, its object acts there", function(t)
  local a, b = netns.add("a"), netns.add("b")
  local two = nlua.monitor{"link", netns = {a, "b"}, timeout = 20}
  t:eq(#two.netns, 2)
  t:ok(two.netns[1] == a and two.netns[2] == b)
  a:handle():link_add{name = "x0", kind = "veth", peer = {name = "x1"}}
  b:handle():link_add{name = "x0", kind = "veth", peer = {name = "x1"}}
  local byns = {}
  while not (byns.a and byns.b) do
    local e = assert(two:next(), "both namespaces report x0")
    if e.action == "new" and e.object.name == "x0" then
      t:ok(e.netns == a or e.netns == b)
      byns[e.netns.name] = e
    end
  end
  t:ok(byns.a.object.netns == a and byns.b.object.netns == b)
  byns.a.object:set{mtu = 1300}
  t:eq({a:link("x0").mtu, b:link("x0").mtu}, {1300, 1500}, "the event's Link acts in its own namespace")
  -- A link moving between watched namespaces: "del" where it left, "new" where it arrived.
  a:link("x1"):set{netns = b, name = "moved"}
  local left, arrived
  while not (left and arrived) do
    local e = assert(two:next(), "both sides of the move are reported")
    if e.action == "del" and e.netns == a and e.object.name == "x1" then left = e end
    if e.action == "new" and e.netns == b and e.object.name == "moved" then arrived = e end
  end
  t:ok(arrived.object == b:link("moved"))
  two:close()
  local one = nlua.monitor{"link", netns = "b", timeout = 0.05}
  t:ok(one.netns[1] == b)
  one:close()
end)

test("link.wait: returns once the link is up; present and gone", function(t)
  local w0, w1 = link.add{name = "u0", kind = "veth", peer = {name = "u1"}}
  w1:up()
  local upper = netns.current():spawn{"sh", "-c", "sleep 0.1; ip link set u0 up"}
  local l = link.wait("u0", "up", 20)
  t:ok(l == w0)
  t:eq(l.operstate, "UP")
  upper:wait(5)
  t:ok(link.wait(w0, "present", 0) == w0)
  local b = netns.add("b")
  b:handle():link_add{name = "x0", kind = "veth", peer = {name = "x1"}}
  t:ok(b:handle():link_wait("x0", "present", 0).netns == b, "a Handle's wait acts in its namespace")
  w0:del()
  t:eq(link.wait("u0", "gone"), true)
  local err = t:err(function() link.wait("nope", "present", 0.05) end, "ETIMEDOUT")
  t:eq(tostring(err), "link wait nope present: timed out after 50ms (ETIMEDOUT)")
end)

test("addr.wait: returns once duplicate address detection is over", function(t)
  local d0, d1 = link.add{name = "d0", kind = "veth", peer = {name = "d1"}}
  d0:up(); d1:up()
  d0:addr_add("2001:db8:5::1/64")
  local got = addr.wait("d0", "2001:db8:5::1", 20)
  t:eq({got.prefix, got.dev}, {"2001:db8:5::1/64", "d0"})
  t:ok(not got.tentative)
  local line = sh("ip -6 addr show dev d0"):match("[^\n]*2001:db8:5::1/64[^\n]*")
  t:ok(line and not line:find("tentative"), "ip agrees it is past DAD: " .. tostring(line))
  t:ok(addr.wait(d0, "2001:db8:5::1/64", 0) == got)
end)
