-- Add K routes "10.x.y.z/32 dev d0 table 100" (d0 exists), as a list of K
-- option tables: route.add with a list sends them pipelined (the `nlua-tables`
-- way of bench/run; bench/lua/routes_add.lua gives `dst` as a list instead).
local K = tonumber(arg and arg[1]) or tonumber(os.getenv("BENCH_N"))
local list = {}
local oct = {} -- the prefixes are joined as in routes_add.lua
for i = 0, 255 do oct[i] = tostring(i) end
for i = 0, K - 1 do
  list[i + 1] = {dst = "10." .. oct[i >> 16] .. "." .. oct[(i >> 8) & 255] .. "." .. oct[i & 255] .. "/32", dev = "d0", table = 100}
end
route.add(list)
