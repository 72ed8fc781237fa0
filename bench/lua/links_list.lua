-- List every link with its stats (the counters are read, not just fetched).
local K = tonumber(arg and arg[1]) or tonumber(os.getenv("BENCH_N"))
local ls = link.list()
local pkts = 0
for _, l in ipairs(ls) do pkts = pkts + l.stats.rx_packets end
assert(#ls >= K, ("expected %d links, got %d"):format(K, #ls))
