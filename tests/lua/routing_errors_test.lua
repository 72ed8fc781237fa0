-- Bad route/rule/neigh input: one clear error naming the function and the
-- field, nothing half-made; kernel refusals keep errno, code and extack text.
before_each(function()
  link.add{name = "v0", kind = "veth", peer = {name = "v1"}, up = true}
  addr.add("v0", "10.0.0.1/24")
end)

local function fails(f, arg, want)
  local ok, err = pcall(f, arg)
  assert(not ok, "expected an error: " .. want)
  assert(tostring(err) == want, "\n got: " .. tostring(err) .. "\nwant: " .. want)
  return err
end

test("bad route input: one clear error naming the field, nothing changed", function(t)
  local before = #route.list{table = "all"}
  -- bad prefix
  local e = fails(route.add, {dst = "10.0.0/24", dev = "v0"},
    [[route.add: field 'dst': expected prefix like "10.0.0.0/24" or "default", got "10.0.0/24"]])
  assert(e.kind == "input" and e.code == "EINVAL" and e.errno == 22)
  -- gateway of the wrong family
  fails(route.add, {dst = "10.1.0.0/16", gw = "2001:db8::1"},
    [[route.add: field 'gw': expected IPv4 address (the route is IPv4; 'via' takes a gateway of the other family), got "2001:db8::1"]])
  fails(route.add, {dst = "2001:db8::/64", gw = "10.0.0.1"},
    [[route.add: field 'gw': expected IPv6 address (the route is IPv6; 'via' takes a gateway of the other family), got "10.0.0.1"]])
  fails(route.add, {dst = "10.1.0.0/16", nexthops = {{gw = "10.0.0.2"}, {gw = "2001:db8::1"}}},
    [[route.add: field 'nexthops[2].gw': expected IPv4 address (the route is IPv4; 'via' takes a gateway of the other family), got "2001:db8::1"]])
  fails(route.add, {dst = "10.1.0.0/16", gw = "10.0.0.999"}, [[route.add: field 'gw': expected IPv4 address, got "10.0.0.999"]])
  fails(route.add, {dst = "10.1.0.0/16", src = "2001:db8::1", dev = "v0"},
    [[route.add: field 'src': expected IPv4 address (the route is IPv4), got "2001:db8::1"]])
  fails(route.add, {dst = "10.0.0.0/33", dev = "v0"}, [[route.add: field 'dst': expected prefix like "10.0.0.0/24" or "default", got "10.0.0.0/33"]])
  -- unknown table and protocol names
  fails(route.add, {dst = "10.1.0.0/16", gw = "10.0.0.2", table = "nosuch"},
    [[route.add: field 'table': unknown table "nosuch" (not a number or a name in /etc/iproute2/rt_tables or rt_tables.d)]])
  fails(route.add, {dst = "10.1.0.0/16", gw = "10.0.0.2", proto = "nosuch"},
    [[route.add: field 'proto': unknown protocol "nosuch" (not a number 0..255 or a name in /etc/iproute2/rt_protos or rt_protos.d)]])
  -- multipath: weight 0, a path with neither gateway nor device
  fails(route.add, {dst = "10.1.0.0/16", nexthops = {{gw = "10.0.0.2", weight = 0}}},
    [[route.add: field 'nexthops[1].weight': expected integer 1..256, got 0]])
  fails(route.add, {dst = "10.1.0.0/16", nexthops = {{gw = "10.0.0.2"}, {weight = 2}}},
    [[route.add: field 'nexthops[2]': needs 'gw', 'via' or 'dev']])
  fails(route.add, {dst = "10.1.0.0/16", gw = "10.0.0.2", nexthops = {{gw = "10.0.0.3"}}},
    [[route.add: field 'gw': give it per path inside 'nexthops', not beside it]])
  -- typos, types, missing fields
  fails(route.add, {dst = "10.1.0.0/16", gw = "10.0.0.2", metirc = 5}, [[route.add: unknown option 'metirc' (did you mean 'metric'?)]])
  fails(route.add, {gw = "10.0.0.2"}, [[route.add: field 'dst' is required]])
  fails(route.add, {dst = "10.1.0.0/16", type = "bogus"},
    [[route.add: field 'type': expected one of "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat", got "bogus"]])
  fails(route.add, {dst = "10.1.0.0/16", dev = "nosuch"}, [[route.add: field 'dev': no such link "nosuch"]])
  fails(route.add, {dst = "10.1.0.0/16", lock = {"mtuu"}}, [[route.add: unknown option 'lock.mtuu' (did you mean 'lock.mtu'?)]])
  fails(route.add, {dst = "10.1.0.0/16", dev = "v0", encap = {type = "mpls", labels = "1048576"}},
    [[route.add: field 'encap.labels': expected MPLS labels like "100/200" or {100, 200} (each < 2^20), got "1048576"]])
  fails(route.add, {dst = "10.1.0.0/16", gw = "10.0.0.2", metric = 1, priority = 2}, [[route.add: field 'priority': give either 'metric' or 'priority']])
  fails(route.list, {table = "nosuch"},
    [[route.list: field 'table': unknown table "nosuch" (not a number or a name in /etc/iproute2/rt_tables or rt_tables.d)]])
  fails(route.list, {proto = "nosuch"},
    [[route.list: field 'proto': unknown protocol "nosuch" (not a number 0..255 or a name in /etc/iproute2/rt_protos or rt_protos.d)]])
  fails(route.list, {dst = "10.0.0.0/24", root = "10.0.0.0/8"}, [[route.list: field 'root': give only one of 'dst', 'root', 'match']])
  fails(rule.add, {from = "10.1.0.0/16", table = "nosuch"},
    [[rule.add: field 'table': unknown table "nosuch" (not a number or a name in /etc/iproute2/rt_tables or rt_tables.d)]])
  fails(route.get, "10.0.0", [[route.get: argument #1: expected address like "192.0.2.1", got "10.0.0"]])
  fails(route.flush, {}, [[route.flush: give a filter, e.g. {table=100} or {dev="v0"} (an empty one would flush table main)]])
  assert(#route.list{table = "all"} == before, "no bad request changed anything")
end)

test("kernel refusals keep errno, code and extack text", function(t)
  local e = fails(route.add, {dst = "10.9.0.0/16", gw = "192.0.2.1"}, "route add 10.9.0.0/16 via 192.0.2.1: Nexthop has invalid gateway (ENETUNREACH)")
  assert(e.errno == 101 and e.code == "ENETUNREACH" and e.message == "Nexthop has invalid gateway" and e.kind == "kernel")
  assert(e.op == "route add 10.9.0.0/16 via 192.0.2.1")
  route.add{dst = "10.9.0.0/16", gw = "10.0.0.2"}
  e = fails(route.add, {dst = "10.9.0.0/16", gw = "10.0.0.2"}, "route add 10.9.0.0/16 via 10.0.0.2: File exists (EEXIST)")
  assert(e.errno == 17 and e.code == "EEXIST")
  e = fails(route.del, {dst = "10.99.0.0/16"}, "route del 10.99.0.0/16: No such process (ESRCH)")
  assert(e.code == "ESRCH")
end)

test("bad rule and neighbour input", function(t)
  fails(rule.add, {action = "jump"},
    [[rule.add: field 'action': expected one of "lookup", "goto", "nop", "blackhole", "unreachable", "prohibit", got "jump"]])
  fails(rule.add, {from = "10.0.0.0/8", to = "2001:db8::/32"}, [[rule.add: field 'to': 2001:db8::/32 is not in the rule's family (inet)]])
  fails(rule.add, {action = "goto"}, [[rule.add: field 'goto' is required]])
  fails(rule.add, {sport = "2000-1000"},
    [[rule.add: field 'sport': expected number or range like "1000-2000" or {1000, 2000} (0..65535), got "2000-1000"]])
  fails(neigh.add, {dev = "v0", lladdr = "02:00:00:00:00:01"}, [[neigh.add: field 'dst' is required]])
  fails(neigh.add, {dev = "v0", dst = "10.0.0.2", lladdr = "zz"}, [[neigh.add: field 'lladdr': expected MAC address like "02:00:00:00:00:01", got "zz"]])
  fails(neigh.add, {dev = "v0", dst = "10.0.0.2", vlan = 5}, [[neigh.add: field 'vlan': only for bridge FDB entries (family="bridge")]])
  fails(neigh.add, {family = "bridge", dev = "v0"}, [[neigh.add: field 'lladdr' is required]])
  fails(neigh.add, {dev = "v0", dst = "10.0.0.2", state = "happy"},
    [[neigh.add: field 'state': expected one of "permanent", "reachable", "stale", "noarp", "none", "incomplete", "delay", "probe", "failed", got "happy"]])
  fails(neigh.del, {dev = "v0", dst = "10.0.0.77"}, "neigh del 10.0.0.77 dev v0: No such file or directory (ENOENT)")
end)
