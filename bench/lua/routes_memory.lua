-- Memory for K Route objects: Lua heap (collectgarbage "count") and RSS,
-- before and after route.list, printed as JSON on stdout.
local K = tonumber(arg and arg[1]) or tonumber(os.getenv("BENCH_N"))
local function rss_kb()
  for line in io.lines("/proc/self/status") do
    local v = line:match("^VmRSS:%s+(%d+)")
    if v then return tonumber(v) end
  end
end
collectgarbage("collect")
local heap0, rss0 = collectgarbage("count"), rss_kb()
local rs = route.list{table = 100}
collectgarbage("collect")
local heap1, rss1 = collectgarbage("count"), rss_kb()
assert(#rs == K)
print(('{"routes":%d,"lua_heap_kb":%.0f,"rss_kb":%d,"lua_heap_before_kb":%.0f,"rss_before_kb":%d}'):format(#rs, heap1, rss1, heap0, rss0))
