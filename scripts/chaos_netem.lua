#!/usr/bin/env nlua
-- Impair a container's network: open the network namespace of process PID,
-- find its eth0, and put netem at its root (handle 1:) with a delay and a
-- loss rate. Running it again changes the numbers: an existing root qdisc
-- (EEXIST) is replaced rather than stacked.
--
--   nlua scripts/chaos_netem.lua PID [DELAY] [LOSS] [JITTER]
--   nlua scripts/chaos_netem.lua 4242 100ms 1% 10ms
--
-- Undo with `tc -n ... qdisc del dev eth0 root`, or from Lua:
--   netns.pid(PID):link("eth0"):qdiscs()[1]:del()

local pid = tonumber(arg[1])
if not pid then
  io.stderr:write("usage: chaos_netem.lua PID [DELAY] [LOSS] [JITTER]\n")
  os.exit(2)
end

local ns = netns.pid(pid --[[@as integer]])
local eth0 = ns:link("eth0")

local spec = {
  parent = "root",
  handle = "1:",
  kind = "netem",
  delay = arg[2] or "100ms",
  loss = arg[3] or "1%",
  jitter = arg[4],
}

-- eth0 lives in the process's namespace; its qdisc methods act there.
local ok, q = pcall(eth0.qdisc_add, eth0, spec)
if not ok then
  if (q --[[@as NluaError]]).code ~= "EEXIST" then error(q, 0) end
  q = eth0:qdisc_replace(spec)
end
print(q)
