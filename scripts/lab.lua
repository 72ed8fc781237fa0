#!/usr/bin/env nlua
-- A two-namespace lab: hosts "left" and "right" joined by a veth pair,
-- 10.0.0.1/24 and 10.0.0.2/24, a ping across, then everything removed again.
--
--   nlua scripts/lab.lua
--
-- Nothing is created in the namespace nlua runs in: both ends of the veth are
-- born directly inside their hosts.

local left, right = netns.add("left"), netns.add("right")

-- Whatever happens below, the namespaces go (and take their links with them).
local function teardown()
  netns.del(left)
  netns.del(right)
end

local ok, err = pcall(function()
  local a, b = link.add{name = "eth0", kind = "veth", netns = left, peer = {name = "eth0", netns = right}}
  a:addr_add("10.0.0.1/24")
  b:addr_add("10.0.0.2/24")
  for _, l in ipairs{a, b, left:link("lo"), right:link("lo")} do l:up() end

  print(a:show{addrs = true})
  print(b:show{addrs = true})
  local r = left:exec{"ping", "-c", "3", "-i", "0.2", "-W", "2", "10.0.0.2"}
  io.write(r.stdout)
  assert(r.ok, "ping across the veth failed: " .. r.stderr)
end)
teardown()
if not ok then error(err, 0) end
print("lab torn down: " .. #netns.list() .. " namespaces left")
