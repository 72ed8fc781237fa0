-- Hooks for examples/hooks.rs: the host calls on_link_up(link) each time a
-- link comes up. The runtime is read-only with the safe standard library:
-- hooks read the network, they cannot change it, run commands or touch files.

--- Called with the Link that came up (the same userdata `link.list()` returns).
---@param l Link
function on_link_up(l)
  local addrs = {}
  for _, a in ipairs(l:addrs()) do addrs[#addrs + 1] = a.prefix end
  print(("up: %s (index %d, mtu %d, kind %s, %d addresses: %s)")
    :format(l.name, l.index, l.mtu, l.kind or "-", #addrs, table.concat(addrs, " ")))
  -- A hook cannot change anything: the refusal names the call.
  local ok, err = pcall(l.set, l, {mtu = 1280})
  print(("  set refused: %s"):format(not ok and tostring(err) or "no"))
  -- Nor run commands: os.execute and io are not there.
  print(("  os.execute: %s, io: %s"):format(type(os.execute), type(io)))
end
