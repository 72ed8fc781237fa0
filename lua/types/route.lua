---@meta
-- Type stubs for the `route` module and the Route userdata (LuaLS).

---Example: `for _, r in ipairs(route.list()) do print(r.dst, r.gw, r.dev, r.metric, r.proto) end`
---@class Route
---@field family string "inet" or "inet6"
---@field dst string "10.0.0.0/24", "10.0.0.1/32" or "default"
---@field dst_len integer
---@field from string? source prefix the route applies to (RTA_SRC, `ip route ... from`)
---@field src string? preferred source address (RTA_PREFSRC, `ip route ... src`)
---@field gw string? gateway of the route's family
---@field via string? gateway of the other family (an IPv6 next hop of an IPv4 route)
---@field dev string? output device name
---@field oif integer? output device index
---@field iif string? input device (route.get with iif)
---@field table integer table id (254 main, 255 local)
---@field metric integer? RTA_PRIORITY
---@field scope string "global", "link", "host", ...
---@field proto string "boot", "static", "kernel", or a name from /etc/iproute2/rt_protos
---@field type string "unicast", "local", "broadcast", "blackhole", "unreachable", "prohibit", "throw", "multicast", ...
---@field tos integer
---@field onlink boolean
---@field flags string[] "onlink", "linkdown", "dead", ...
---@field pref string? IPv6 router preference: "low", "medium", "high"
---@field expires integer? seconds left (IPv6 routes with a lifetime)
---@field mark integer? route.get
---@field uid integer? route.get
---@field realms integer? from << 16 | to
---@field nhid integer?
---@field metrics RouteMetrics? mtu, advmss, ..., lock
---@field nexthops RouteNexthop[]? the paths of a multipath route
---@field encap RouteEncap?
---@field handle Handle the handle (namespace) this route was read through
local Route = {}
---Delete exactly this route.
---Example: `for _, r in ipairs(route.list{proto = "static"}) do r:del() end`
function Route:del() end
---JSON with the keys `ip -j route show table all` uses.
---Example: `print(route.get("192.0.2.1"):json())`
---@return string
function Route:json() end

---Example: `route.add{dst = "10.9.0.0/16", gw = "10.0.0.254", mtu = 1400, initcwnd = 10, lock = {"mtu"}}`
---@class RouteMetrics
---@field mtu? integer
---@field window? integer
---@field rtt? integer|string milliseconds, or "100ms"/"1.5s"
---@field rttvar? integer|string
---@field ssthresh? integer
---@field cwnd? integer
---@field advmss? integer
---@field reordering? integer
---@field hoplimit? integer 0..255
---@field initcwnd? integer
---@field features? string|integer "ecn"
---@field rto_min? integer|string milliseconds (always locked, as ip does)
---@field initrwnd? integer
---@field quickack? boolean|integer
---@field congctl? string congestion control algorithm
---@field fastopen_no_cookie? boolean|integer
---@field lock? string[]|string metrics the kernel must not change: {"mtu"}

---Example: `route.add{dst = "default", nexthops = {{gw = "10.0.0.1", weight = 1}, {gw = "10.0.1.1", dev = "v1", weight = 2}}}`
---@class RouteNexthop
---@field gw? string
---@field via? string gateway of the other family
---@field dev? string|integer|Link
---@field weight? integer 1..256 (default 1)
---@field onlink? boolean
---@field encap? RouteEncap
---@field realms? integer|string 5, "3/4" or rt_realms names

---Example: `route.add{dst = "10.8.0.0/16", dev = "v0", encap = {type = "mpls", labels = {100, 200}}}`
---@class RouteEncap
---@field type string "mpls" or "seg6"
---@field labels? string|integer|integer[] mpls: "100/200" or {100, 200}
---@field ttl? integer mpls
---@field mode? string seg6: "encap" (default), "inline", "l2encap", "encap.red", "l2encap.red"
---@field segs? string[]|string seg6: {"2001:db8::1", ...} or "a,b"
---@field hmac? integer seg6 HMAC key id

---Example: `route.add{dst = "10.1.0.0/16", gw = "10.0.0.254", table = 100, metric = 10, proto = "static"}`
---@class RouteOpts: RouteMetrics
---@field dst string|string[] "10.0.0.0/24", "2001:db8::/64" or "default"; a list makes one route per prefix, the other options shared (sent pipelined, as a list of option tables is)
---@field family? string "inet" or "inet6" (else from the addresses)
---@field from? string source prefix (IPv6 subtrees)
---@field src? string preferred source address
---@field gw? string gateway of the route's family
---@field via? string gateway of either family (IPv6 next hop for IPv4 -> RTA_VIA)
---@field dev? string|integer|Link
---@field oif? string|integer|Link alias of dev
---@field table? integer|string id or name ("main", "local", names from /etc/iproute2/rt_tables[.d])
---@field metric? integer
---@field priority? integer alias of metric
---@field scope? string|integer
---@field proto? string|integer name from /etc/iproute2/rt_protos or number (default "boot")
---@field protocol? string|integer alias of proto
---@field type? string default "unicast"
---@field tos? integer|string number, rt_dsfield name, or hex text like "0x10"
---@field dscp? integer 0..63 (tos = dscp << 2)
---@field onlink? boolean
---@field pref? string IPv6: "low", "medium", "high"
---@field expires? integer seconds (IPv6)
---@field realms? integer|string 5, "3/4" or rt_realms names ("FROM/TO")
---@field nhid? integer nexthop object id
---@field metrics? RouteMetrics the same keys as a table
---@field nexthops? RouteNexthop[] multipath
---@field encap? RouteEncap

---Example: `route.list{table = "all", family = "inet6", dev = "v0"}`
---@class RouteListFilter
---@field table? integer|string default "main"; "all" (or 0) for every table
---@field family? string default both; route.flush: "inet" within one table, as `ip route flush`
---@field dev? string|integer|Link
---@field oif? string|integer|Link alias of dev
---@field proto? string|integer
---@field type? string
---@field scope? string
---@field metric? integer
---@field gw? string
---@field dst? string exactly this prefix ("default" without family: either family's default route)
---@field root? string routes inside this prefix
---@field match? string routes containing this prefix

---Example: `print(route.get("8.8.8.8", {from = "10.0.0.1", iif = "v0", mark = 7}))`
---@class RouteGetOpts
---@field from? string
---@field iif? string|integer|Link
---@field oif? string|integer|Link
---@field dev? string|integer|Link alias of oif
---@field mark? integer
---@field uid? integer
---@field tos? integer|string
---@field dscp? integer 0..63 (tos = dscp << 2)
---@field ipproto? string|integer
---@field sport? integer
---@field dport? integer
---@field fibmatch? boolean return the FIB entry that matched

---Routes, as `ip route`: list, look up (`route.get`), add, replace, change, append, prepend, delete and flush, in any table; multipath, metrics and encapsulation. See docs/routing.md.
route = {}

---Example: `for _, r in ipairs(route.list{table = "main"}) do print(r) end`
---@param filter? RouteListFilter
---@return Route[]
function route.list(filter) end
---The route the kernel would use (RTM_GETROUTE), like `ip route get`.
---Example: `print(route.get("192.0.2.1").dev)`
---@param dst string an address
---@param opts? RouteGetOpts
---@return Route
function route.get(dst, opts) end
---Add a route (EEXIST if it is there). Given a list of option tables, or
---`dst` as a list of prefixes (the other options shared), all are sent
---pipelined; failures are raised together, each with its entry number.
---Example: `route.add{dst = "192.0.2.0/24", type = "blackhole"}`
---@param opts RouteOpts|RouteOpts[]
function route.add(opts) end
---Add or replace (one route or a list).
---Example: `route.replace{dst = "default", gw = "10.0.0.1"}`
---@param opts RouteOpts|RouteOpts[]
function route.replace(opts) end
---Replace an existing route (ENOENT if none; one route or a list).
---Example: `route.change{dst = "10.1.0.0/16", gw = "10.0.0.253"}`
---@param opts RouteOpts|RouteOpts[]
function route.change(opts) end
---Add after routes with the same key (IPv6: another path; one route or a list).
---Example: `route.append{dst = "2001:db8:1::/64", gw = "fe80::2", dev = "v1"}`
---@param opts RouteOpts|RouteOpts[]
function route.append(opts) end
---Add before routes with the same key (one route or a list).
---Example: `route.prepend{dst = "10.2.0.0/16", gw = "10.0.0.2", metric = 5}`
---@param opts RouteOpts|RouteOpts[]
function route.prepend(opts) end
---Delete the route the options name, exactly a listed Route, or a list of option tables.
---Example: `route.del{dst = "10.1.0.0/16", table = 100}`
---@param r RouteOpts|Route|RouteOpts[]
function route.del(r) end
---Delete every route the filter selects (a filter is required); returns how many.
---Within one table and without `family`, IPv4 only, as `ip route flush`.
---Example: `print(route.flush{dev = "v0"} .. " routes removed")`
---@param filter RouteListFilter
---@return integer
function route.flush(filter) end

---@class Link
local Link = {}
---This link's routes (table main unless the filter says otherwise).
---Example: `for _, r in ipairs(link.get("v0"):routes()) do print(r) end`
---@param filter? RouteListFilter
---@return Route[]
function Link:routes(filter) end

---@class Handle
local Handle = {}
---@param filter? RouteListFilter
---@return Route[]
function Handle:route_list(filter) end
---@param dst string an address
---@param opts? RouteGetOpts
---@return Route
function Handle:route_get(dst, opts) end
---@param opts RouteOpts|RouteOpts[]
function Handle:route_add(opts) end
---@param opts RouteOpts|RouteOpts[]
function Handle:route_replace(opts) end
---@param opts RouteOpts|RouteOpts[]
function Handle:route_change(opts) end
---@param opts RouteOpts|RouteOpts[]
function Handle:route_append(opts) end
---@param opts RouteOpts|RouteOpts[]
function Handle:route_prepend(opts) end
---@param r RouteOpts|Route|RouteOpts[]
function Handle:route_del(r) end
---@param filter RouteListFilter
---@return integer
function Handle:route_flush(filter) end
