"""The routes workload with pyroute2: add K /32 routes to table 100, dump
them, flush them. Prints {"t": seconds} on stderr (after the import)."""
import json, sys, time
t0 = time.perf_counter()
from pyroute2 import IPRoute
t1 = time.perf_counter()
verb, k = sys.argv[1], int(sys.argv[2])
ipr = IPRoute()
if verb == "add":
    d0 = ipr.link_lookup(ifname="d0")[0]
    for i in range(k):
        ipr.route("add", dst=f"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}/32", oif=d0, table=100)
elif verb == "dump":
    rs = list(ipr.get_routes(family=2, table=100))
    assert len(rs) == k, len(rs)
elif verb == "flush":
    # flush_routes(table=100) leaves routes behind in pyroute2 0.9.7: delete
    # what the dump returns, one request each, as flush_routes does.
    for r in list(ipr.get_routes(family=2, table=100)):
        ipr.route("del", dst=f"{r.get_attr('RTA_DST')}/32", oif=r.get_attr("RTA_OIF"), table=100)
ipr.close()
print(json.dumps({"t": time.perf_counter() - t1, "import": t1 - t0}), file=sys.stderr)
