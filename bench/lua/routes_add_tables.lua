-- Add K routes "10.x.y.z/32 dev d0 table 100" (d0 exists), as a list of K
-- option tables: route.add with a list sends them pipelined (the `nlua-tables`
-- way of bench/run; bench/lua/routes_add.lua gives `dst` as a list instead).
local K = tonumber(arg and arg[1]) or tonumber(os.getenv("BENCH_N"))
local list = {}
for i = 0, K - 1 do
  list[i + 1] = {dst = ("10.%d.%d.%d/32"):format(i >> 16, (i >> 8) & 255, i & 255), dev = "d0", table = 100}
end
route.add(list)
