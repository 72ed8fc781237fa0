---@meta
-- Type stubs for the `link` module and the Link userdata (LuaLS).

---@alias LinkName string the name of a link in the namespace at hand

---Example: `local l = link.get("eth0"); print(l.name, l.index, l.mtu, l.mac, l.operstate, l.stats.rx_bytes)`
---@class Link
---@field name string
---@field index integer
---@field kind string? IFLA_INFO_KIND ("veth", "bridge", ...); nil for physical devices and lo
---@field slave_kind string? the master's kind when enslaved ("bridge", "bond")
---@field mtu integer
---@field min_mtu integer?
---@field max_mtu integer?
---@field mac string? link-layer address "02:00:00:00:00:01"
---@field broadcast string?
---@field type string link type as ip prints it ("ether", "loopback", "none")
---@field flags string[] IFF_* names ("UP", "BROADCAST", ...)
---@field is_up boolean administratively up (IFF_UP)
---@field carrier boolean IFF_LOWER_UP
---@field operstate string "UP", "DOWN", "UNKNOWN", "LOWERLAYERDOWN", ...
---@field promiscuity integer the kernel's promiscuity counter (tcpdump raises it)
---@field promisc boolean promiscuity > 0
---@field allmulti integer
---@field txqlen integer
---@field qdisc string?
---@field group integer
---@field alias string?
---@field altnames string[]
---@field link_netnsid integer? namespace id of the peer/parent when it lives elsewhere
---@field stats table<string, integer> IFLA_STATS64 counters (rx_bytes, tx_packets, ...)
---@field master Link? the bridge/bond this link is enslaved to
---@field peer Link? the veth peer or vlan/macvlan parent, when in the same namespace
---@field data table? the kind's options (IFLA_INFO_DATA), by option name
---@field slave table? port settings under a master (IFLA_INFO_SLAVE_DATA)
---@field handle Handle the handle (namespace) this link was read through
---@field netns Netns the namespace this link lives in
local Link = {}

---Bring the link up. Returns the link.
---Example: `link.get("v0"):up()`
---@return Link
function Link:up() end
---Take the link down. Returns the link.
---Example: `link.get("v0"):down()`
---@return Link
function Link:down() end
---Change the link; only the fields given change. `master=false` detaches.
---Example: `link.get("v0"):set{mtu = 1400, alias = "uplink", master = "br0"}`
---@param opts LinkSetOpts
---@return Link
function Link:set(opts) end
---Delete the link.
---Example: `link.get("v0"):del()`
function Link:del() end
---Read the link again.
---Example: `local l = link.get("v0"); os.execute("ip link set v0 mtu 1400"); print(l:refresh().mtu)`
---@return Link
function Link:refresh() end
---This link's addresses.
---Example: `for _, a in ipairs(link.get("v0"):addrs{family = "inet"}) do print(a.prefix) end`
---@param filter? {family?: string, scope?: string, label?: string}
---@return Addr[]
function Link:addrs(filter) end
---Example: `link.get("v0"):addr_add("2001:db8::1/64", {nodad = true})`
---@param address string "10.0.0.1/24"
---@param opts? AddrOpts
function Link:addr_add(address, opts) end
---Example: `link.get("v0"):addr_replace("10.0.0.1/24", {valid_lft = 300, preferred_lft = 300})`
---@param address string
---@param opts? AddrOpts
function Link:addr_replace(address, opts) end
---Example: `link.get("v0"):addr_del("10.0.0.1/24")`
---@param address string|Addr
function Link:addr_del(address) end
---Example: `print(link.get("v0"):addr_flush{family = "inet6"} .. " addresses removed")`
---@param filter? {family?: string}
---@return integer count
function Link:addr_flush(filter) end
---The link as `ip link show` prints it, with `{addrs=true}` as `ip addr show`
---does, with `{brief=true}` as the line of `ip -br link`.
---Example: `print(link.get("v0"):show{addrs = true})`
---@param opts? {addrs?: boolean, brief?: boolean}
---@return string
function Link:show(opts) end
---JSON as `ip -j -s -d link show` prints the link: the same keys and values, kind data included
---(bridge, bridge ports, vxlan, macvlan/macvtap, tun/tap, vlan, vrf; other kinds use link.add option names).
---Example: `print(link.get("v0"):json())`
---@return string
function Link:json() end

---Example: `link.add{name = "vx0", kind = "vxlan", id = 42, dstport = 4789, remote = "192.0.2.2", dev = "eth0", mtu = 1450}`
---@class LinkAddOpts
---@field name string
---@field kind string "veth", "bridge", "vxlan", "macvlan", "macvtap", "tun", "tap", "ifb", "vlan", "bond", "vrf", ...
---@field index? integer create it with this ifindex (`ip link add ... index N`)
---@field mtu? integer 68..65535
---@field mac? string
---@field address? string alias of mac
---@field broadcast? string
---@field txqlen? integer
---@field numtxqueues? integer
---@field numrxqueues? integer
---@field group? integer
---@field alias? string
---@field master? string|integer|Link
---@field link? string|integer|Link parent device (vlan, macvlan, ipvlan)
---@field parent? string|integer|Link alias of link
---@field up? boolean
---@field netns? Netns|string create the link directly in this namespace
---@field peer? LinkPeerOpts veth only
---@field [string] any the kind's options: vxlan id/dstport/remote/dev..., bridge stp_state..., macvlan mode...

---Example: `link.add{name = "v0", kind = "veth", peer = {name = "v1", netns = "red", mtu = 9000, up = true}}`
---@class LinkPeerOpts
---@field name string
---@field index? integer
---@field netns? Netns|string create the peer directly in this namespace
---@field mtu? integer
---@field mac? string
---@field address? string
---@field txqlen? integer
---@field up? boolean
---@field alias? string
---@field group? integer
---@field master? string|integer|Link

---Example: `link.set("v0", {name = "uplink", mtu = 9000, up = true, netns = "red"})`
---@class LinkSetOpts
---@field name? string
---@field mtu? integer
---@field mac? string
---@field address? string
---@field broadcast? string
---@field txqlen? integer
---@field alias? string
---@field master? string|integer|Link|false
---@field up? boolean
---@field promisc? boolean
---@field allmulticast? boolean
---@field arp? boolean
---@field group? integer
---@field netns? Netns|string move the link there (the object follows it)
---@field [string] any the kind's options

---Example: `link.list{kind = "veth", up = true, master = "br0"}`
---@class LinkListFilter
---@field kind? string
---@field master? string|integer|Link
---@field up? boolean

---Network interfaces, as `ip link`: list, read, create (veth, bridge, vxlan, macvlan, tun/tap, ifb, ...), change and delete. Each link is a `Link` bound to its namespace.
link = {}

---Example: `for _, l in ipairs(link.list{kind = "veth"}) do print(l.name, l.operstate) end`
---@param filter? LinkListFilter
---@return Link[]
function link.list(filter) end
---Example: `print(link.get("lo").mtu, link.get(1).name)`
---@param id string|integer|Link name or ifindex (a Link is read again)
---@return Link
function link.get(id) end
---Create a link; a veth returns both ends.
---Example: `local v0, v1 = link.add{name = "v0", kind = "veth", peer = {name = "v1"}}`
---@param opts LinkAddOpts
---@return Link, Link peer the veth peer (other kinds return the one link)
function link.add(opts) end
---Example: `link.del("v0")`
---@param l string|integer|Link
function link.del(l) end
---Example: `link.set("v0", {mtu = 9000, up = true})`
---@param l string|integer|Link
---@param opts LinkSetOpts
---@return Link
function link.set(l, opts) end
