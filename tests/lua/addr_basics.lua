-- Addresses from Lua, v4 and v6, read back through `ip -j addr`.
link.get("lo"):up()
local v0 = link.add{name = "v0", kind = "veth", peer = {name = "v1"}}
v0:up()

addr.add("v0", "10.0.0.1/24", {broadcast = "+", label = "v0:one"})
addr.add{dev = "v0", address = "10.0.0.2/24"}
v0:addr_add("2001:db8::1/64", {nodad = true, valid_lft = 3600, preferred_lft = 1800})
addr.add("v0", "10.9.0.1/32", {peer = "10.9.0.2/32", scope = "link"})

local got = {}
for _, a in ipairs(addr.list{dev = "v0"}) do got[a.prefix] = a end
local a1 = assert(got["10.0.0.1/24"], "10.0.0.1/24 listed")
assert(a1.broadcast == "10.0.0.255" and a1.label == "v0:one" and a1.scope == "global", tostring(a1))
assert(got["10.0.0.2/24"].label == "v0")
assert(got["10.0.0.2/24"].flags[1] == "secondary", "second address in subnet is secondary")
local a6 = assert(got["2001:db8::1/64"])
assert(a6.family == "inet6" and a6.valid_lft <= 3600 and a6.valid_lft > 3500 and not a6.tentative)
local p = assert(got["10.9.0.1/32"])
assert(p.peer == "10.9.0.2" and p.scope == "link")

-- __eq: the same address read twice is equal, another one is not
local again = {}
for _, a in ipairs(nlua.handle():addr_list{dev = "v0"}) do again[a.prefix] = a end
assert(again["10.0.0.1/24"] == a1 and again["10.0.0.2/24"] ~= a1)

-- tostring reads like `ip addr`
assert(tostring(a1):match("^inet 10%.0%.0%.1/24 brd 10%.0%.0%.255 scope global v0:one"), tostring(a1))

-- replace updates in place (for IPv4 the kernel updates lifetimes and
-- metric, as with `ip addr replace`); del removes
addr.replace("v0", "10.0.0.1/24", {valid_lft = 100, preferred_lft = 50, broadcast = "+", label = "v0:one"})
local seen = false
for _, a in ipairs(v0:addrs{family = "inet"}) do
  if a.prefix == "10.0.0.1/24" then
    seen = true
    assert(a.valid_lft <= 100 and a.preferred_lft <= 50, tostring(a))
  end
end
assert(seen)
addr.del("v0", "10.9.0.1/32")
local ok, err = pcall(addr.del, "v0", "10.9.0.1/32")
assert(not ok and err.code == "EADDRNOTAVAIL", tostring(err))
assert(addr.flush("v0", {family = "inet6"}) >= 1)
for _, a in ipairs(v0:addrs()) do assert(a.family == "inet", "v6 flushed: " .. tostring(a)) end
assert(v0:addr_flush() >= 1)
assert(#v0:addrs{family = "inet"} == 0)
print("ok")
