---@meta
-- Type stubs for the `link` module and the Link userdata (LuaLS).

---@alias LinkName string the name of a link in the namespace at hand

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
---@return Link
function Link:up() end
---Take the link down. Returns the link.
---@return Link
function Link:down() end
---Change the link; only the fields given change. `master=false` detaches.
---@param opts LinkSetOpts
---@return Link
function Link:set(opts) end
---Delete the link.
function Link:del() end
---Read the link again.
---@return Link
function Link:refresh() end
---This link's addresses.
---@param filter? {family?: string, scope?: string, label?: string}
---@return Addr[]
function Link:addrs(filter) end
---@param address string "10.0.0.1/24"
---@param opts? AddrOpts
function Link:addr_add(address, opts) end
---@param address string
---@param opts? AddrOpts
function Link:addr_replace(address, opts) end
---@param address string|Addr
function Link:addr_del(address) end
---@param filter? {family?: string}
---@return integer count
function Link:addr_flush(filter) end
---The link as `ip link show` prints it, with `{addrs=true}` as `ip addr show`
---does, with `{brief=true}` as the line of `ip -br link`.
---@param opts? {addrs?: boolean, brief?: boolean}
---@return string
function Link:show(opts) end
---JSON as `ip -j -s -d link show` prints the link: the same keys and values, kind data included
---(bridge, bridge ports, vxlan, macvlan/macvtap, tun/tap, vlan, vrf; other kinds use link.add option names).
---@return string
function Link:json() end

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

---@class LinkListFilter
---@field kind? string
---@field master? string|integer|Link
---@field up? boolean

link = {}

---@param filter? LinkListFilter
---@return Link[]
function link.list(filter) end
---@param id string|integer|Link name or ifindex (a Link is read again)
---@return Link
function link.get(id) end
---Create a link; a veth returns both ends.
---@param opts LinkAddOpts
---@return Link, Link?
function link.add(opts) end
---@param l string|integer|Link
function link.del(l) end
---@param l string|integer|Link
---@param opts LinkSetOpts
---@return Link
function link.set(l, opts) end
