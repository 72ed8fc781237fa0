-- Dump table 100 into Route objects.
local K = tonumber(arg and arg[1]) or tonumber(os.getenv("BENCH_N"))
local rs = route.list{table = 100}
assert(#rs == K, ("expected %d routes, got %d"):format(K, #rs))
