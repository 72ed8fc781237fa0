-- Add K routes "10.x.y.z/32 dev d0 table 100" (d0 exists) the way a list of
-- prefixes is loaded: one route.add with `dst` a list, the other options
-- read once, all sent pipelined (docs/performance.md). The same routes as a
-- list of K option tables: bench/lua/routes_add_tables.lua.
local K = tonumber(arg and arg[1]) or tonumber(os.getenv("BENCH_N"))
local dst = {}
for i = 0, K - 1 do
  dst[i + 1] = ("10.%d.%d.%d/32"):format(i >> 16, (i >> 8) & 255, i & 255)
end
route.add{dst = dst, dev = "d0", table = 100}
