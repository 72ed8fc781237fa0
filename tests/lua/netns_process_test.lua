-- Commands inside namespaces: exec with options, spawn/wait/kill, netns.pid.

-- An anonymous namespace with lo up and a veth pair eth0/p0.
local function temp_ns(t)
  local ns = netns.temp()
  t:eq({ns.name, ns.path}, {nil, nil})
  ns:link("lo"):up()
  ns:link_add{name = "eth0", kind = "veth", peer = {name = "p0"}}
  return ns
end

test("exec sees the namespace's /sys/class/net, not ours", function(t)
  local ns = temp_ns(t)
  local r = ns:exec("ls /sys/class/net | sort | tr '\\n' ' '")
  t:ok(r.ok, r.stderr)
  t:eq(r.stdout, "eth0 lo p0 ")
end)

test("exec: stdin, env, cwd, exit status, timeout, check, missing command", function(t)
  local ns = temp_ns(t)
  t:eq(ns:exec({"cat"}, {stdin = "hello"}).stdout, "hello")
  local r = ns:exec({"sh", "-c", "echo $FOO; pwd; exit 3"}, {env = {FOO = "bar"}, cwd = "/tmp"})
  t:eq({r.code, r.ok, r.stdout}, {3, false, "bar\n/tmp\n"})
  r = ns:exec({"sleep", "10"}, {timeout = 0.2})
  t:eq({r.timed_out, r.signal}, {true, 9})
  local e = t:err(function() ns:exec({"sh", "-c", "echo oops >&2; exit 2"}, {check = true}) end, "ECHILD")
  t:eq(e.message, "exited with status 2: oops")
  t:err(function() ns:exec({"no-such-command-xyz"}) end, "ENOENT")
end)

test("spawn; netns.pid of the process sees the namespace's links; kill", function(t)
  local ns = temp_ns(t)
  local p = ns:spawn{"sleep", "30"}
  t:ok(p:running() and p.pid > 0 and p.start_time > 0)
  local pn = netns.pid(p.pid)
  t:ok(pn == ns, "netns.pid(p.pid) is the namespace")
  local names = {}
  for _, l in ipairs(pn:links()) do names[#names + 1] = l.name end
  table.sort(names)
  t:eq(names, {"eth0", "lo", "p0"})
  t:eq(p:wait(0.1), nil, "still running")
  p:kill("TERM")
  local o = p:wait(5)
  t:ok(o, "ended after TERM")
  t:eq(o.signal, 15)
  t:ok(not p:running())
end)

test("spawn: captured output and output to a file", function(t)
  local ns = temp_ns(t)
  local o = ns:spawn({"sh", "-c", "echo out; echo err >&2"}):wait(5)
  t:eq({o.ok, o.stdout, o.stderr}, {true, "out\n", "err\n"})
  local f = os.tmpname()
  t:cleanup(function() os.remove(f) end)
  ns:spawn({"sh", "-c", "echo to-file"}, {output = f}):wait(5)
  local fh = assert(io.open(f))
  t:eq(fh:read("a"), "to-file\n")
  fh:close()
end)
