-- Add K routes "10.x.y.z/32 dev d0 table 100" (d0 exists) the way a list of
-- prefixes is loaded: one route.add with `dst` a list, the other options
-- read once, all sent pipelined (docs/performance.md). The same routes as a
-- list of K option tables: bench/lua/routes_add_tables.lua.
local K = tonumber(arg and arg[1]) or tonumber(os.getenv("BENCH_N"))
-- The prefixes are joined from the octets' strings: string.format costs
-- ~15 ms for 50,000 of them, three times what concatenation does.
local oct = {}
for i = 0, 255 do oct[i] = tostring(i) end
local dst = {}
for i = 0, K - 1 do
  dst[i + 1] = "10." .. oct[i >> 16] .. "." .. oct[(i >> 8) & 255] .. "." .. oct[i & 255] .. "/32"
end
route.add{dst = dst, dev = "d0", table = 100}
