-- A lab with one change of every kind the journal undoes, run step by step:
--   nlua lab.lua K fail   -- make the first K changes, then raise an error
--   nlua lab.lua K kill   -- make the first K changes, then SIGKILL nlua itself
--   nlua lab.lua K        -- make the first K changes and succeed
--   nlua lab.lua count    -- print how many steps there are
-- The test around it (tests/journal.rs) made pre0/pre1 (a veth pair), an
-- address and routes on pre0, a bridge brX with an address, a rule and a qdisc,
-- before the run: the steps change or delete those too.
local red, blue, br

local steps = {
  function() red = netns.add("red") end,
  function() blue = netns.add("blue") end,
  function() link.add{name = "v0", kind = "veth", netns = red, peer = {name = "v1", netns = blue}} end,
  function() red:link("v0"):addr_add("10.0.0.1/24") end,
  function() blue:link("v1"):addr_add("2001:db8::2/64", {nodad = true}) end,
  function() red:link("v0"):up() end,
  function() br = link.add{name = "br0", kind = "bridge"} end,
  function() link.add{name = "h0", kind = "veth", peer = {name = "h1"}} end,
  function() link.get("h0"):set{master = br} end,
  function() br:addr_add("10.9.0.1/24") end,
  function() br:up() end,
  function() route.add{dst = "10.10.0.0/16", dev = "br0"} end,
  function() red:run(function() route.add{dst = "default", dev = "v0"} end) end,
  function() rule.add{from = "10.1.0.0/16", table = 100, priority = 1000} end,
  function() route.add{dst = "10.1.0.0/16", dev = "br0", table = 100} end,
  function() neigh.add{dev = "br0", dst = "10.9.0.9", lladdr = "02:00:00:00:00:09", state = "permanent"} end,
  function() qdisc.add{dev = "h1", parent = "root", handle = "1:", kind = "htb", default = "1:10"} end,
  function() class.add{dev = "h1", parent = "1:", classid = "1:10", kind = "htb", rate = "10mbit"} end,
  function() filter.add{dev = "h1", parent = "1:", kind = "u32", match = {dst = "10.9.0.2/32"}, flowid = "1:10"} end,
  function() blue:link("v1"):qdisc_add{parent = "root", kind = "tbf", rate = "1mbit", burst = "32kb", latency = "50ms"} end,
  function() red:spawn{"sleep", os.getenv("LAB_SLEEP") or "424242"} end,
  -- changes to things that existed before the run
  function() link.get("lo"):set{mtu = 9000} end,
  function() link.get("pre0"):set{mtu = 1400, alias = "changed", txqlen = 77} end,
  function() link.get("pre0"):addr_add("10.7.0.1/24") end,
  function() addr.replace("pre0", "10.6.0.1/24", {label = "pre0:x"}) end,
  function() route.replace{dst = "10.60.0.0/16", dev = "pre0", metric = 5} end,
  function() route.del{dst = "10.61.0.0/16", dev = "pre0"} end,
  function() qdisc.replace{dev = "pre1", parent = "root", kind = "tbf", rate = "2mbit", burst = "16kb", latency = "20ms"} end,
  function() link.get("pre1"):set{netns = blue} end,
  function() link.get("brX"):del() end,
  function() rule.del{priority = 500} end,
  function() addr.del("pre0", "10.6.0.1/24") end,
  function() qdisc.del{dev = "pre0", parent = "root"} end,
  -- down takes pre0's routes away; undo brings them back
  function() link.get("pre0"):set{name = "renamed", mac = "02:11:22:33:44:55", promisc = true, up = false} end,
}

if arg[1] == "count" then
  print(#steps)
  return
end
local k = tonumber(arg[1]) or #steps
for i = 1, k do steps[i]() end
if arg[2] == "fail" then
  error("injected failure after step " .. k)
elseif arg[2] == "kill" then
  local pid = io.open("/proc/self/stat"):read("l"):match("^%d+")
  os.execute("kill -KILL " .. pid)
end
