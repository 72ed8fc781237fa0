"""List every link with its stats with pyroute2. Prints {"t": seconds} on stderr."""
import json, sys, time
t0 = time.perf_counter()
from pyroute2 import IPRoute
t1 = time.perf_counter()
k = int(sys.argv[1])
ipr = IPRoute()
ls = list(ipr.get_links())
pkts = sum(l.get_attr("IFLA_STATS64")["rx_packets"] for l in ls)
assert len(ls) >= k, len(ls)
ipr.close()
print(json.dumps({"t": time.perf_counter() - t1, "import": t1 - t0}), file=sys.stderr)
