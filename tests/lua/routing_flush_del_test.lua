-- route.flush, route.del and rule.del do what `ip route flush`, `ip route del`
-- and `ip rule del` do: each case starts from the same routes and rules in two
-- throwaway namespaces, ip acts in one and nlua in the other, and `ip -j route
-- show table all` (or `ip rule` for both families) must then read the same in
-- both (and both succeed or both fail alike). One test per case.
-- No IPv6 link-local addresses: their routes appear when DAD ends, at a
-- moment that differs between the two namespaces compared.
local SETUP = [[
echo 1 > /proc/sys/net/ipv6/conf/default/addr_gen_mode
ip link set lo up
ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up
ip addr add 10.0.0.1/24 dev v0 && ip addr add 10.0.1.1/24 dev v1
ip addr add 2001:db8::1/64 dev v0 nodad && ip addr add 2001:db8:1::1/64 dev v1 nodad
ip route add 10.1.0.0/16 via 10.0.0.2 proto static
ip route add 10.2.0.0/16 via 10.0.1.2
ip route add 10.3.0.0/16 via 10.0.0.2 table 100 proto static
ip route add 10.4.0.0/16 via 10.0.1.2 table 100
ip route add default via 10.0.0.2 metric 10
ip route add blackhole 192.0.2.0/24
ip route add 2001:db8:5::/64 via 2001:db8::2 proto static
ip route add 2001:db8:6::/64 via 2001:db8::2 table 100
ip route add default via 2001:db8::2
ip rule add from 10.0.0.0/8 lookup 100 priority 1000
ip rule add from 10.0.0.0/8 lookup 200 priority 1001
ip rule add fwmark 7 lookup 200 priority 1002
ip rule add to 192.168.0.0/16 lookup 100 priority 1003
ip rule add iif lo lookup 300 priority 1004
ip rule add from 10.0.0.0/8 priority 1005 prohibit
ip -6 rule add from 2001:db8::/32 lookup 100 priority 1000
]]

local function read(cmd) return (sh(cmd)) end

-- The objects of an `ip -j` array as sorted texts: link-local routes appear
-- in the order the links got carrier, which is not the test's business.
local function objects(cmd)
  local text, out, depth, start = read(cmd), {}, 0, nil
  for i = 1, #text do
    local c = text:sub(i, i)
    if c == "{" then
      depth = depth + 1
      if depth == 1 then start = i end
    elseif c == "}" then
      depth = depth - 1
      if depth == 0 then out[#out + 1] = text:sub(start, i) end
    end
  end
  table.sort(out)
  return table.concat(out, "\n")
end

local function routes() return objects("ip -j route show table all") end
local function rules() return read("ip rule; ip -6 rule") end

-- SETUP in the current namespace, and wait (bounded) until the kernel has
-- finished it: IPv6 routes come later than the commands that cause them (a
-- link's ff00::/8 when its carrier is up, an address's local route from the
-- DAD worker, nodad or not), so without this one namespace could be compared
-- before they came and the other after.
local SETTLED = {"local 2001:db8::1 dev v0 ", "local 2001:db8:1::1 dev v1 ", "multicast ff00::/8 dev v0 ", "multicast ff00::/8 dev v1 "}
local function setup()
  assert(os.execute(SETUP))
  local function done()
    local t = read("ip -6 route show table local")
    for _, want in ipairs(SETTLED) do
      if not t:find(want, 1, true) then return false end
    end
    return true
  end
  for _ = 1, 200 do
    if done() then return end
    os.execute("sleep 0.05")
  end
  assert(done(), "the set-up's IPv6 routes never came:\n" .. read("ip -6 route show table local"))
end

-- Run `ip_cmd` in one fresh namespace and `nlua_fn` in another; return both
-- outcomes and what `show` (routes by default) reads after.
local function both(ip_cmd, nlua_fn, show)
  show = show or routes
  local a, b = netns.temp(), netns.temp()
  local by_ip = a:run(function()
    setup()
    local ok = os.execute(ip_cmd .. " 2>/dev/null")
    return {ok = ok == true, routes = show()}
  end)
  local by_nlua = b:run(function()
    setup()
    local ok, res = pcall(nlua_fn)
    return {ok = ok, res = res, routes = show()}
  end)
  a:close(); b:close()
  return by_ip, by_nlua
end

local function same(ip_cmd, nlua_fn, show)
  local i, n = both(ip_cmd, nlua_fn, show)
  assert(i.ok == n.ok, ip_cmd .. ": ip " .. tostring(i.ok) .. ", nlua " .. tostring(n.ok) .. " " .. tostring(n.res))
  assert(i.routes == n.routes, "\n" .. ip_cmd .. "\nip:\n" .. i.routes .. "\nnlua:\n" .. n.routes)
  return n.res, n.ok
end

-- flush: within one table and without a family only IPv4 goes (ip's rule), so
-- IPv6 link-local routes survive a device flush; "all" is both families.
-- The third value is how many routes the flush removes (nil: not checked).
local flushes = {
  {"ip route flush table 100", {table = 100}, 2},
  {"ip route flush dev v0", {dev = "v0"}, 3},
  {"ip route flush proto static", {proto = "static"}, 1},
  {"ip route flush table main", {table = "main"}, 6},
  {"ip route flush default", {dst = "default"}, 1},
  {"ip route flush type blackhole", {type = "blackhole"}, 1},
  {"ip route flush root 10.0.0.0/8", {root = "10.0.0.0/8"}, 4},
  {"ip route flush table all proto static", {table = "all", proto = "static"}, 3},
  {"ip route flush table all dev v0", {table = "all", dev = "v0"}, nil},
  {"ip -6 route flush dev v0", {family = "inet6", dev = "v0"}, nil},
  {"ip -6 route flush table 100", {family = "inet6", table = 100}, 1},
}
for _, c in ipairs(flushes) do
  test(c[1], function(t)
    local n, ok = same(c[1], function() return route.flush(c[2]) end)
    t:ok(ok, tostring(n))
    if c[3] ~= nil then t:eq(n, c[3], c[1] .. ": routes flushed") end
  end)
end

-- del: the keys given must all match; table main unless told; ESRCH otherwise.
-- The third value says whether the deletion finds a route.
local dels = {
  {"ip route del 10.1.0.0/16", {dst = "10.1.0.0/16"}, true},
  {"ip route del 10.3.0.0/16", {dst = "10.3.0.0/16"}, false},
  {"ip route del 10.3.0.0/16 table 100", {dst = "10.3.0.0/16", table = 100}, true},
  {"ip route del 10.1.0.0/16 proto kernel", {dst = "10.1.0.0/16", proto = "kernel"}, false},
  {"ip route del 10.1.0.0/16 proto static", {dst = "10.1.0.0/16", proto = "static"}, true},
  {"ip route del 10.1.0.0/16 dev v1", {dst = "10.1.0.0/16", dev = "v1"}, false},
  {"ip route del 10.1.0.0/16 via 10.0.0.3", {dst = "10.1.0.0/16", gw = "10.0.0.3"}, false},
  {"ip route del default", {dst = "default"}, true},
  {"ip route del default metric 11", {dst = "default", metric = 11}, false},
  {"ip -6 route del default", {family = "inet6", dst = "default"}, true},
  {"ip route del 2001:db8:6::/64 table 100", {dst = "2001:db8:6::/64", table = 100}, true},
  {"ip route del 192.0.2.0/24", {dst = "192.0.2.0/24"}, true},
  {"ip route del unreachable 192.0.2.0/24", {dst = "192.0.2.0/24", type = "unreachable"}, false},
  {"ip route del 10.0.0.0/24 scope host", {dst = "10.0.0.0/24", scope = "host"}, false},
  {"ip route del 10.0.0.0/24", {dst = "10.0.0.0/24"}, true},
  {"ip route del 10.9.0.0/16", {dst = "10.9.0.0/16"}, false},
}
for _, c in ipairs(dels) do
  test(c[1], function(t)
    local e, ok = same(c[1], function() route.del(c[2]) end)
    t:eq(ok, c[3], c[1] .. " should " .. (c[3] and "succeed" or "fail with ESRCH"))
    if not ok then t:eq(e.code, "ESRCH", tostring(e)) end
  end)
end

-- rule.del: the first rule matching every selector given, as ip rule del.
local rule_dels = {
  {"ip rule del from 10.0.0.0/8", {from = "10.0.0.0/8"}, true},
  {"ip rule del from 10.0.0.0/8 table 200", {from = "10.0.0.0/8", table = 200}, true},
  {"ip rule del table 200", {table = 200}, true},
  {"ip rule del priority 1003", {priority = 1003}, true},
  {"ip rule del fwmark 7", {fwmark = 7}, true},
  {"ip rule del to 192.168.0.0/16", {to = "192.168.0.0/16"}, true},
  {"ip rule del iif lo", {iif = "lo"}, true},
  {"ip rule del prohibit", {action = "prohibit"}, true},
  {"ip rule del from 10.0.0.0/8 priority 1005", {from = "10.0.0.0/8", priority = 1005}, true},
  {"ip -6 rule del from 2001:db8::/32", {from = "2001:db8::/32"}, true},
  {"ip -6 rule del priority 1000", {family = "inet6", priority = 1000}, true},
  {"ip rule del priority 1000 table 300", {priority = 1000, table = 300}, false},
  {"ip rule del fwmark 8", {fwmark = 8}, false},
}
for _, c in ipairs(rule_dels) do
  test(c[1], function(t)
    local e, ok = same(c[1], function() rule.del(c[2]) end, rules)
    t:eq(ok, c[3], c[1] .. " should " .. (c[3] and "succeed" or "fail with ENOENT"))
    if not ok then t:eq(e.code, "ENOENT", tostring(e)) end
  end)
end
