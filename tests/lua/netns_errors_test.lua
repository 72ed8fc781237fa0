-- Bad input to the namespace API: clear errors.

local function msg(t, f, ...)
  local args = table.pack(...)
  return tostring(t:err(function() return f(table.unpack(args, 1, args.n)) end))
end

test("open, add, del of names", function(t)
  t:eq(msg(t, netns.open, "blue"), 'netns.open: no namespace named "blue" (no /run/netns/blue) (ENOENT)')
  t:eq(msg(t, netns.add, "a/b"), [[netns.add: invalid namespace name "a/b": expected 1..255 characters without '/']])
  netns.add("red")
  t:eq(msg(t, netns.add, "red"), 'netns add red: namespace "red" exists (EEXIST)')
  netns.del("red")
  t:eq(msg(t, netns.del, "red"), 'netns del red: no namespace named "red" (ENOENT)')
  t:eq(msg(t, netns.open, "red"), 'netns.open: no namespace named "red" (no /run/netns/red) (ENOENT)')
end)

test("paths and pids", function(t)
  t:eq(msg(t, netns.path, "/etc/hostname"), "netns.path: /etc/hostname is not a network namespace file")
  t:ok(msg(t, netns.path, "/nonexistent"):find("^netns.path: cannot open /nonexistent: No such file or directory %(ENOENT%)"))
  local e = t:err(function() netns.pid(999999999) end, "ESRCH")
  t:eq(tostring(e), "netns.pid: no process 999999999 (ESRCH)")
  t:eq(msg(t, netns.pid, "x"), 'netns.pid: argument #1: expected a process id, got "x"')
end)

test("netns fields of link.add", function(t)
  t:eq(msg(t, link.add, {name = "v", kind = "veth", peer = {name = "w"}, netns = 5}),
    "link.add: field 'netns': expected Netns or namespace name, got 5")
  t:eq(msg(t, link.add, {name = "v", kind = "veth", peer = {name = "w", netns = "nowhere"}}),
    'link.add: no namespace named "nowhere" (no /run/netns/nowhere) (ENOENT)')
end)

test("exec arguments, and a closed namespace", function(t)
  local ns = netns.temp()
  t:eq(msg(t, ns.exec, ns, {}), "Netns.exec: argument #1: empty command")
  t:eq(msg(t, ns.exec, ns, {"true"}, {timout = 1}), "Netns.exec: unknown option 'timout' (did you mean 'timeout'?)")
  ns:close()
  t:eq(msg(t, ns.handle, ns), "Netns: this namespace was closed")
end)
