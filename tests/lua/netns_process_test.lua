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
print("ok")
