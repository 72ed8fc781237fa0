-- The fixtures of nlua --test: veth pairs with unique names, namespaces,
-- waiting for a link to come up, ping. Each test starts from an empty world.

test("the world starts empty, with lo up", function(t)
  local names = {}
  for _, l in ipairs(link.list()) do names[#names + 1] = l.name end
  t:eq(names, {"lo"})
  t:eq(link.get("lo").operstate, "UNKNOWN")
  t:eq(#netns.list(), 0)
end)

test("t:veth names each pair uniquely and passes options through", function(t)
  local a, b = t:veth()
  local c, d = t:veth{mtu = 1400, up = true, peer = {mtu = 1300}}
  t:eq({a.name, b.name, c.name, d.name}, {"tv1a", "tv1b", "tv2a", "tv2b"})
  t:ok(a.peer == b and c.peer == d)
  t:eq({c.mtu, d.mtu, c.kind}, {1400, 1300, "veth"})
  t:ok(c.is_up)
  local e, f = t:veth{name = "mine", peer = {name = "theirs"}}
  t:eq({e.name, f.name}, {"mine", "theirs"})
  t:ok(t:err(function() t:veth{kind = "bridge"} end):find("t:veth: field 'kind': always veth"))
  t:ok(tostring(t:err(function() t:veth{mtu = "big"} end)):find("link.add: field 'mtu'"))
end)

test("t:netns makes named namespaces with lo up", function(t)
  local a, b = t:netns(), t:netns()
  t:ok(a ~= b)
  t:ok(a.name:match("^tns%d+$") and b.name:match("^tns%d+$"), a.name .. " " .. b.name)
  t:eq(#netns.list(), 2)
  t:eq(a:link("lo").operstate, "UNKNOWN")
end)

test("two namespaces joined by a veth: wait_up, then ping both ways", function(t)
  local red, blue = t:netns(), t:netns()
  local a, b = t:veth{netns = red, peer = {netns = blue}}
  a:addr_add("10.0.0.1/24")
  b:addr_add("10.0.0.2/24")
  a:up()
  b:up()
  t:eq(t:wait_up(a), a)
  t:wait_up(b, 5)
  t:ok(t:ping(red, "10.0.0.2"))
  t:ping(blue.name, "10.0.0.1")
  b:addr_add("2001:db8::2/64", {nodad = true})
  a:addr_add("2001:db8::1/64", {nodad = true})
  t:ping(red, "2001:db8::2")
end)

test("t:ping from the current namespace", function(t)
  local a, b = t:veth{up = true, peer = {up = true}}
  a:addr_add("10.0.0.1/24")
  local blue = t:netns()
  b:set{netns = blue}
  b:addr_add("10.0.0.2/24")
  b:up()
  t:wait_up(a)
  t:ping("10.0.0.2")
end)

test("wait_up and ping fail with what they saw", function(t)
  local a = t:veth()
  local e = t:err(function() t:wait_up(a, 0.1) end)
  t:ok(e:find("t:wait_up: tv1a is still DOWN after 0.1 s$"), e)
  t:ok(t:err(function() t:wait_up(42) end):find("t:wait_up: argument #1: expected a Link or a link name, got 42"))
  e = t:err(function() t:ping("192.0.2.1", {timeout = 1}) end)
  t:ok(e:find("t:ping: no reply from 192.0.2.1 in namespace"), e)
end)
