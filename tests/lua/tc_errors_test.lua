-- Bad traffic-control input: each a clear error naming the function and the
-- field, raised before anything is sent (or the kernel's refusal, pointed at
-- the field it is about).
local function qdiscs()
  local t = {}
  for _, q in ipairs(qdisc.list{dev = "v0"}) do t[#t + 1] = q.kind .. " " .. q.handle end
  return table.concat(t, ",")
end

local before
before_each(function()
  link.add{name = "v0", kind = "veth", peer = {name = "v1"}}
  before = qdiscs()
end)

-- Nothing was half-built.
after_each(function(t)
  t:eq(qdiscs(), before, "v0's qdiscs are as they were")
end)

local function fails(f, opts, want, code)
  local ok, err = pcall(f, opts)
  assert(not ok, "expected an error containing: " .. want)
  local s = tostring(err)
  assert(s:find(want, 1, true), "got: " .. s .. "\nwanted: " .. want)
  if code then assert(err.code == code, s .. " has code " .. tostring(err.code)) end
  return err
end

test("unknown kind: the kernel refuses; the error names the field and suggests", function(t)
  local e = fails(qdisc.add, {dev = "v0", kind = "netme"}, [[field 'kind': this kernel has no qdisc kind "netme" (did you mean 'netem'?)]], "ENOENT")
  assert(e.op == "qdisc add dev v0 root netme", e.op)
  qdisc.add{dev = "v0", handle = "1:", kind = "htb"}
  fails(filter.add, {dev = "v0", parent = "1:", kind = "u23"}, [[field 'kind': this kernel has no filter kind "u23"]], "ENOENT")
  qdisc.del{dev = "v0", parent = "root"}
end)

test("unknown option for a kind", function(t)
  fails(qdisc.add, {dev = "v0", kind = "netem", dealy = "10ms"}, [[qdisc.add: unknown option 'dealy' (did you mean 'delay'?)]], "EINVAL")
  fails(qdisc.add, {dev = "v0", kind = "htb", defualt = 10}, [[unknown option 'defualt' (did you mean 'default'?)]])
  -- a misspelt required option is reported as the misspelling
  fails(qdisc.add, {dev = "v0", kind = "tbf", rat = "1mbit", burst = "10kb", latency = "1ms"}, [[qdisc.add: unknown option 'rat' (did you mean 'rate'?)]])
  fails(class.add, {dev = "v0", classid = "1:1", kind = "htb", rtae = "1mbit"}, [[class.add: unknown option 'rtae' (did you mean 'rate'?)]])
  fails(qdisc.add, {dev = "v0", kind = "pfifo", estimator = {interval = "10s", time_const = "20s"}}, [[qdisc.add: field 'estimator': expected an interval up to 8s]])
  fails(qdisc.add, {dev = "v0", kind = "pfifo", estimator = {interval = "1s"}}, [[qdisc.add: field 'estimator.time_const' is required]])
  fails(qdisc.add, {dev = "v0", kind = "cake", bandwidth = "1mbit"}, [[nlua has no option table for qdisc kind 'cake'; give its TCA_OPTIONS as 'raw']])
  fails(filter.add, {dev = "v0", parent = "1:", kind = "u32", match = {dst = "10.0.0.1", dprot = 80}}, [[unknown option 'match.dprot' (did you mean 'match.dport'?)]])
end)

test("units exactly as tc(8): no space before the unit, no negative times, percentages 0..100", function(t)
  fails(qdisc.add, {dev = "v0", kind = "tbf", rate = "10 mbit", burst = "10kb", latency = "1ms"},
    [[qdisc.add: field 'rate': expected a rate like "1mbit", "100kbit" or "10MBps", got "10 mbit"]])
  fails(qdisc.add, {dev = "v0", kind = "netem", delay = "-10ms"}, [[qdisc.add: field 'delay': expected a time like "100ms", "1.5s" or "250us" (not negative), got "-10ms"]])
  fails(qdisc.add, {dev = "v0", kind = "netem", loss = "101%"}, [[qdisc.add: field 'loss': expected a percentage 0..100 like "1%" or "0.5%", got "101%"]])
  fails(qdisc.add, {dev = "v0", kind = "netem", loss_state = {p13 = "5%", p31 = "x"}}, [[field 'loss_state.p31': expected a percentage]])
  fails(qdisc.add, {dev = "v0", kind = "netem", delay = "300s"}, [[field 'delay': 300s is more than netem's 275s]])
  fails(qdisc.add, {dev = "v0", kind = "netem", distribution = "normal"}, [[field 'distribution': needs 'delay' and 'jitter']])
  fails(qdisc.add, {dev = "v0", kind = "netem", delay = "1ms", jitter = "1ms", distribution = "gauss"}, [[field 'distribution': expected "normal", "pareto", "paretonormal", "uniform" or a .dist file, got "gauss"]])
  fails(qdisc.add, {dev = "v0", kind = "tbf", rate = "1mbit", burst = "10kb"}, [[field 'limit' or 'latency' is required]])
  fails(qdisc.add, {dev = "v0", kind = "tbf", rate = "1mbit", burst = "10kb", limit = 1000, latency = "1ms"}, [[field 'latency': give either 'limit' or 'latency', not both]])
end)

test("handles and ids", function(t)
  fails(qdisc.add, {dev = "v0", handle = "1:2:3", kind = "htb"}, [[qdisc.add: field 'handle': expected a qdisc handle like "1:" or "ffff:", got "1:2:3"]])
  fails(class.add, {dev = "v0", parent = "1:", classid = "1:2:3", kind = "htb", rate = "1mbit"}, [[class.add: field 'classid': expected a class id like "1:10", got "1:2:3"]])
  fails(qdisc.add, {dev = "v0", parent = "1:x", kind = "pfifo"}, [[field 'parent': expected a parent like "root", "ingress", "clsact" or "1:10", got "1:x"]])
end)

test("a parent that does not exist: the kernel's answer, pointed at the field", function(t)
  fails(qdisc.add, {dev = "v0", parent = "5:1", kind = "pfifo"}, [[field 'parent': Failed to find specified qdisc]], "ENOENT")
  fails(class.add, {dev = "v0", parent = "7:", classid = "7:1", kind = "htb", rate = "1mbit"}, [[field 'parent': no such qdisc or class]], "ENOENT")
  fails(filter.add, {dev = "v0", parent = "9:", kind = "u32", match = {dst = "10.0.0.1"}}, [[field 'parent': Parent Qdisc doesn't exist]], "EINVAL")
end)

test("what a change or a delete names must be there", function(t)
  fails(qdisc.change, {dev = "v0", handle = "9:", kind = "htb"}, [[qdisc change dev v0 handle 9: htb: Specified qdisc not found]], "ENOENT")
  qdisc.add{dev = "v0", handle = "1:", kind = "htb"}
  fails(class.del, {dev = "v0", classid = "1:77"}, [[class del dev v0 classid 1:77: field 'classid': no such class]], "ENOENT")
  qdisc.del{dev = "v0", parent = "root"}
end)

test("devices and actions", function(t)
  fails(qdisc.add, {dev = "nosuch", kind = "pfifo"}, [[qdisc.add: field 'dev': no such link "nosuch"]])
  fails(qdisc.add, {kind = "pfifo"}, [[qdisc.add: field 'dev' is required]])
  fails(filter.add, {dev = "v0", parent = "1:", kind = "u32", actions = {{kind = "mirred", action = "redirect", dev = "nosuch"}}},
    [[filter.add: field 'actions[1].dev': no such link "nosuch"]])
  fails(filter.add, {dev = "v0", parent = "1:", kind = "u32", actions = {"dorp"}}, [[field 'actions[1].action': expected a verdict]])
  fails(filter.add, {dev = "v0", parent = "1:", kind = "u32", match = {dst = "10.0.0.1/33"}}, [[field 'match.dst': expected address with prefix]])
  fails(filter.add, {dev = "v0", parent = "1:", kind = "u32", match = {dport = 70000}}, [[field 'match.dport': expected port 0..65535]])
  fails(filter.add, {dev = "v0", parent = "1:", kind = "flower", protocol = "ip", dst_port = 80}, [[field 'dst_port': needs 'ip_proto' "tcp", "udp" or "sctp"]])
end)
