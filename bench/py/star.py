"""The star workload with pyroute2 (bench/README.md): build N or take it down.
Prints {"t": seconds} on stderr: the time after `import pyroute2`."""
import json, sys, time
t0 = time.perf_counter()
from pyroute2 import IPRoute, NetNS, netns
t1 = time.perf_counter()
verb, n = sys.argv[1], int(sys.argv[2])
ipr = IPRoute()
if verb == "build":
    ipr.link("add", ifname="br0", kind="bridge")
    br = ipr.link_lookup(ifname="br0")[0]
    for i in range(1, n + 1):
        ns = f"s{i}"
        netns.create(ns)
        a, b = i // 64, (i % 64) * 4
        gw = f"10.{a}.{b}.1"
        ipr.link("add", ifname=f"h{i}", kind="veth", peer={"ifname": "eth0", "net_ns_fd": ns})
        h = ipr.link_lookup(ifname=f"h{i}")[0]
        ipr.link("set", index=h, master=br, state="up")
        ipr.addr("add", index=h, address=gw, prefixlen=30)
        with NetNS(ns) as nsr:
            e = nsr.link_lookup(ifname="eth0")[0]
            nsr.addr("add", index=e, address=f"10.{a}.{b}.2", prefixlen=30)
            nsr.link("set", index=e, state="up")
            nsr.link("set", index=1, state="up")
            nsr.route("add", dst="0.0.0.0/0", gateway=gw)
    ipr.link("set", index=br, state="up")  # the bridge last, as every way does
else:
    for i in range(1, n + 1):
        netns.remove(f"s{i}")
    ipr.link("del", index=ipr.link_lookup(ifname="br0")[0])
ipr.close()
print(json.dumps({"t": time.perf_counter() - t1, "import": t1 - t0}), file=sys.stderr)
