-- Rules from Lua: printed as `ip rule` prints them, fields as given, deletion.

before_each(function()
  link.add{name = "v0", kind = "veth", peer = {name = "v1"}}
  rule.add{from = "10.1.0.0/16", table = 100, priority = 1000}
  rule.add{to = "192.168.0.0/16", ["not"] = true, table = "main", priority = 1001}
  rule.add{fwmark = "0x7/0xff", table = 200, priority = 1002}
  rule.add{iif = "v0", oif = link.get("v1"), table = 100, priority = 1003}
  rule.add{ipproto = "udp", dport = 53, sport = "1000-2000", table = 100, priority = 1004}
  rule.add{uidrange = "1000-1999", tos = 0x10, table = 100, priority = 1005}
  rule.add{priority = 1006, action = "goto", ["goto"] = 1008}
  rule.add{priority = 1007, action = "nop"}
  rule.add{priority = 1008, action = "prohibit"}
  rule.add{table = "main", suppress_prefixlength = 0, priority = 1009}
  rule.add{from = "2001:db8::/32", table = 1000, priority = 2000}
  rule.add{from = "10.2.0.0/16", table = 100, realms = "3/4", priority = 1010}
end)

local function lines(cmd)
  local t = {}
  for l in io.popen(cmd):read("a"):gmatch("[^\n]+") do t[#t + 1] = (l:gsub("%s+$", "")) end
  return t
end

local function by(p)
  for _, r in ipairs(rule.list()) do if r.priority == p then return r end end
end

test("rules print as `ip rule` prints them", function(t)
  local theirs = lines("ip rule show")
  local ours = rule.list{family = "inet"}
  t:eq(#ours, #theirs)
  for i, r in ipairs(ours) do t:eq(tostring(r), theirs[i]) end
  local v6 = lines("ip -6 rule show")
  local ours6 = rule.list{family = "inet6"}
  t:eq(#ours6, #v6)
  for i, r in ipairs(ours6) do t:eq(tostring(r), v6[i]) end
end)

test("fields read back what was given", function(t)
  local r = by(1000)
  t:eq({r.from, r.table, r.action, r.not_, r.family}, {"10.1.0.0/16", 100, "lookup", false, "inet"})
  t:ok(by(1001).not_)
  t:eq({by(1001).to, by(1001).from}, {"192.168.0.0/16", "all"})
  t:eq({by(1002).fwmark, by(1002).mask}, {7, 0xff})
  t:eq({by(1003).iif, by(1003).oif}, {"v0", "v1"})
  r = by(1004)
  t:eq({r.ipproto, r.dport, r.sport}, {"udp", 53, "1000-2000"})
  t:eq({by(1005).uidrange, by(1005).tos}, {"1000-1999", 0x10})
  t:eq({by(1006).action, by(1006)["goto"]}, {"goto", 1008})
  t:eq({by(1007).action, by(1008).action, by(1008).table}, {"nop", "prohibit", 0})
  t:eq(by(1009).suppress_prefixlength, 0)
  t:eq({by(2000).family, by(2000).table}, {"inet6", 1000})
  t:eq(by(1010).realms, 3 << 16 | 4)
  t:ok(by(1000) == rule.list{priority = 1000}[1])
  t:eq(#rule.list{table = 100}, 5)
end)

test("delete by object and by selectors; errors keep errno", function(t)
  by(1000):del()
  t:eq(by(1000), nil)
  rule.del{priority = 1001}
  t:eq(by(1001), nil)
  t:err(function() rule.del{priority = 1001} end, "ENOENT")
  -- a different rule at the same priority is fine; the same one twice is not
  rule.add{from = "10.1.0.0/16", table = 100, priority = 1002, fwmark = "0x7/0xff"}
  local e = t:err(function() rule.add{from = "10.1.0.0/16", table = 100, priority = 1002, fwmark = "0x7/0xff"} end, "EEXIST")
  t:eq(e.errno, 17)
end)
