-- Rules from Lua: printed as `ip rule` prints them, fields as given, deletion.
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

local function lines(cmd)
  local t = {}
  for l in io.popen(cmd):read("a"):gmatch("[^\n]+") do t[#t + 1] = (l:gsub("%s+$", "")) end
  return t
end
local theirs = lines("ip rule show")
local ours = rule.list{family = "inet"}
assert(#ours == #theirs)
for i, r in ipairs(ours) do assert(tostring(r) == theirs[i], tostring(r) .. " vs " .. theirs[i]) end
local v6 = lines("ip -6 rule show")
for i, r in ipairs(rule.list{family = "inet6"}) do assert(tostring(r) == v6[i], tostring(r) .. " vs " .. v6[i]) end

local function by(p)
  for _, r in ipairs(rule.list()) do if r.priority == p then return r end end
end
local r = by(1000)
assert(r.from == "10.1.0.0/16" and r.table == 100 and r.action == "lookup" and not r.not_ and r.family == "inet")
assert(by(1001).not_ and by(1001).to == "192.168.0.0/16" and by(1001).from == "all")
assert(by(1002).fwmark == 7 and by(1002).mask == 0xff)
assert(by(1003).iif == "v0" and by(1003).oif == "v1")
r = by(1004)
assert(r.ipproto == "udp" and r.dport == 53 and r.sport == "1000-2000")
assert(by(1005).uidrange == "1000-1999" and by(1005).tos == 0x10)
assert(by(1006).action == "goto" and by(1006)["goto"] == 1008)
assert(by(1007).action == "nop" and by(1008).action == "prohibit" and by(1008).table == 0)
assert(by(1009).suppress_prefixlength == 0)
assert(by(2000).family == "inet6" and by(2000).table == 1000)
assert(by(1010).realms == 3 << 16 | 4)
assert(by(1000) == rule.list{priority = 1000}[1])
assert(#rule.list{table = 100} == 5)

-- delete by object and by selectors; errors keep errno
by(1000):del()
assert(by(1000) == nil)
rule.del{priority = 1001}
assert(by(1001) == nil)
local ok, err = pcall(rule.del, {priority = 1001})
assert(not ok and err.code == "ENOENT", tostring(err))
ok, err = pcall(rule.add, {from = "10.1.0.0/16", table = 100, priority = 1002, fwmark = "0x7/0xff"})
assert(ok) -- a different rule at the same priority is fine
ok, err = pcall(rule.add, {from = "10.1.0.0/16", table = 100, priority = 1002, fwmark = "0x7/0xff"})
assert(not ok and err.code == "EEXIST" and err.errno == 17, tostring(err))
print("ok")
