-- Commands inside namespaces: exec with options, spawn/wait/kill, netns.pid.
local t = netns.temp()
assert(t.name == nil and t.path == nil)
t:link("lo"):up()
t:link_add{name = "eth0", kind = "veth", peer = {name = "p0"}}

-- exec sees the namespace's /sys/class/net, not ours
local r = t:exec("ls /sys/class/net | sort | tr '\\n' ' '")
assert(r.ok and r.stdout == "eth0 lo p0 ", r.stdout)
r = t:exec({"cat"}, {stdin = "hello"})
assert(r.stdout == "hello")
r = t:exec({"sh", "-c", "echo $FOO; pwd; exit 3"}, {env = {FOO = "bar"}, cwd = "/tmp"})
assert(r.code == 3 and not r.ok and r.stdout == "bar\n/tmp\n", r.stdout)
r = t:exec({"sleep", "10"}, {timeout = 0.2})
assert(r.timed_out and r.signal == 9)
local ok, e = pcall(t.exec, t, {"sh", "-c", "echo oops >&2; exit 2"}, {check = true})
assert(not ok and e.code == "ECHILD" and e.message == "exited with status 2: oops", tostring(e))
ok, e = pcall(t.exec, t, {"no-such-command-xyz"})
assert(not ok and e.code == "ENOENT", tostring(e))

-- spawn, netns.pid of the process sees the namespace's links
local p = t:spawn{"sleep", "30"}
assert(p:running() and p.pid > 0 and p.start_time > 0)
local pn = netns.pid(p.pid)
assert(pn == t)
local names = {}
for _, l in ipairs(pn:links()) do names[#names + 1] = l.name end
table.sort(names)
assert(table.concat(names, ",") == "eth0,lo,p0", table.concat(names, ","))
assert(p:wait(0.1) == nil, "still running")
p:kill("TERM")
local o = p:wait(5)
assert(o and o.signal == 15 and not p:running())

-- captured output and output to a file
local q = t:spawn({"sh", "-c", "echo out; echo err >&2"})
o = q:wait(5)
assert(o.ok and o.stdout == "out\n" and o.stderr == "err\n")
local f = os.tmpname()
t:spawn({"sh", "-c", "echo to-file"}, {output = f}):wait(5)
local fh = io.open(f); assert(fh:read("a") == "to-file\n"); fh:close(); os.remove(f)

-- helpers: this process's pid, and a process's state ("Z" zombie) and parent
local me = io.open("/proc/self/stat"):read("l"):match("^%d+")
local function stat(pid)
  local fh = io.open("/proc/" .. pid .. "/stat"); if not fh then return nil end
  local line = fh:read("l"); fh:close()
  return line:match("%) (%S) (%d+)")
end
local function alive(pid) local st = stat(pid); return st ~= nil and st ~= "Z" end
-- wait (bounded) until cond() holds; the assertion is on cond, not on time
local function eventually(cond) for _ = 1, 200 do if cond() then return true end os.execute("sleep 0.05") end return cond() end

-- no zombies: processes nobody waits for are reaped as soon as they end
local pids = {}
for i = 1, 5 do pids[i] = t:spawn{"true"}.pid end
collectgarbage()
assert(eventually(function()
  for _, pid in ipairs(pids) do
    local st, ppid = stat(pid)
    if st and ppid == me then return false end -- still our child: running, or a zombie
  end
  return true
end), "ended processes are reaped without a wait")
-- killing one that has ended is fine
local q2 = t:spawn{"true"}; q2:wait(); q2:kill()

-- a daemon-like child holding the output open does not block running() or wait(timeout)
local d = t:spawn("sleep 30 & echo $!")
o = d:wait(0.5)
assert(o and o.code == 0 and not d:running(), "the command itself ended")
local bg = o.stdout:match("^(%d+)\n$")
assert(bg and alive(bg), "its background child still runs and holds the pipe: " .. o.stdout)
os.execute("kill " .. bg)
assert(d:wait().stdout == bg .. "\n")

-- exec's timeout kills what the command started too (its process group)
r = t:exec("sleep 300 > /dev/null 2>&1 & echo $!; wait", {timeout = 0.3})
assert(r.timed_out and not r.ok)
bg = r.stdout:match("%d+")
assert(bg and eventually(function() return not alive(bg) end), "the background sleep was killed with the group")
-- ... and a background child that holds the output open past the timeout
r = t:exec("sleep 300 & echo $!", {timeout = 0.3})
assert(r.ok and not r.timed_out, "the command itself succeeded")
bg = r.stdout:match("%d+")
assert(bg and eventually(function() return not alive(bg) end))

-- check=true: the error carries the output and the status
ok, e = pcall(t.exec, t, {"sh", "-c", "echo out; echo oops >&2; exit 2"}, {check = true})
assert(not ok and e.status == 2 and e.stdout == "out\n" and e.stderr == "oops\n" and e.signal == nil)
assert(tostring(e) == "exec sh -c echo out; echo oops >&2; exit 2: exited with status 2: oops (ECHILD)", tostring(e))
ok, e = pcall(t.exec, t, {"sh", "-c", "echo only-stdout; exit 1"}, {check = true})
assert(not ok and e.message == "exited with status 1: only-stdout", e.message)
ok, e = pcall(t.exec, t, {"sleep", "10"}, {check = true, timeout = 0.2})
assert(not ok and e.code == "ETIMEDOUT" and e.timed_out and e.signal == 9 and e.status == nil, tostring(e))
assert(t:exec({"true"}, {check = true}).ok)
print("ok")
