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

-- A process's state ("Z" zombie) and parent, from /proc.
local function stat(pid)
  local fh = io.open("/proc/" .. pid .. "/stat"); if not fh then return nil end
  local line = fh:read("l"); fh:close()
  return line:match("%) (%S) (%d+)")
end
local function alive(pid) local st = stat(pid); return st ~= nil and st ~= "Z" end
-- Wait (bounded) until cond() holds; the assertion is on cond, not on time.
local function eventually(cond) for _ = 1, 200 do if cond() then return true end os.execute("sleep 0.05") end return cond() end

test("no zombies: processes nobody waits for are reaped as soon as they end", function(t)
  local ns = temp_ns(t)
  local me = io.open("/proc/self/stat"):read("l"):match("^%d+")
  local pids = {}
  for i = 1, 5 do pids[i] = ns:spawn{"true"}.pid end
  collectgarbage()
  t:ok(eventually(function()
    for _, pid in ipairs(pids) do
      local st, ppid = stat(pid)
      if st and ppid == me then return false end -- still our child: running, or a zombie
    end
    return true
  end), "ended processes are reaped without a wait")
  -- killing one that has ended is fine
  local q2 = ns:spawn{"true"}; q2:wait(); q2:kill()
end)

test("a daemon-like child holding the output open does not block running() or wait(timeout)", function(t)
  local ns = temp_ns(t)
  local d = ns:spawn("sleep 30 & echo $!")
  local o = d:wait(0.5)
  t:ok(o and o.code == 0 and not d:running(), "the command itself ended")
  local bg = o.stdout:match("^(%d+)\n$")
  t:ok(bg and alive(bg), "its background child still runs and holds the pipe: " .. o.stdout)
  os.execute("kill " .. bg)
  t:eq(d:wait().stdout, bg .. "\n")
end)

test("exec's timeout kills what the command started too (its process group)", function(t)
  local ns = temp_ns(t)
  local r = ns:exec("sleep 300 > /dev/null 2>&1 & echo $!; wait", {timeout = 0.3})
  t:ok(r.timed_out and not r.ok)
  local bg = r.stdout:match("%d+")
  t:ok(bg and eventually(function() return not alive(bg) end), "the background sleep was killed with the group")
  -- ... and a background child that holds the output open past the timeout
  r = ns:exec("sleep 300 & echo $!", {timeout = 0.3})
  t:ok(r.ok and not r.timed_out, "the command itself succeeded")
  bg = r.stdout:match("%d+")
  t:ok(bg and eventually(function() return not alive(bg) end))
end)

test("check=true: the error carries the output and the status", function(t)
  local ns = temp_ns(t)
  local e = t:err(function() ns:exec({"sh", "-c", "echo out; echo oops >&2; exit 2"}, {check = true}) end)
  t:eq({e.status, e.stdout, e.stderr, e.signal}, {2, "out\n", "oops\n", nil})
  t:eq(tostring(e), "exec sh -c echo out; echo oops >&2; exit 2: exited with status 2: oops (ECHILD)")
  e = t:err(function() ns:exec({"sh", "-c", "echo only-stdout; exit 1"}, {check = true}) end)
  t:eq(e.message, "exited with status 1: only-stdout")
  e = t:err(function() ns:exec({"sleep", "10"}, {check = true, timeout = 0.2}) end, "ETIMEDOUT")
  t:ok(e.timed_out and e.signal == 9 and e.status == nil, tostring(e))
  t:ok(ns:exec({"true"}, {check = true}).ok)
end)
