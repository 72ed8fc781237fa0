#!/usr/bin/env nlua
-- Print this host's links and their addresses, the way `ip addr` does.
-- Run it: nlua scripts/show.lua
for _, l in ipairs(link.list()) do
  print(l:show{addrs = true})
end
