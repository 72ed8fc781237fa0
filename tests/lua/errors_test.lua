-- Errors are values with fields; bad input names the function and the field.
local ok, err = pcall(link.get, "nosuchlink")
assert(not ok)
assert(err.errno == 19 and err.code == "ENODEV", tostring(err))
assert(err.op == 'link show dev nosuchlink', err.op)
assert(tostring(err) == "link show dev nosuchlink: No such device (ENODEV)", tostring(err))

link.add{name = "v0", kind = "veth", peer = {name = "v1"}}
ok, err = pcall(link.add, {name = "v0", kind = "veth", peer = {name = "v1"}})
assert(err.code == "EEXIST" and err.message == "File exists" and err.op == "link add v0 type veth peer name v1")

-- extack text from the kernel is kept
ok, err = pcall(link.add, {name = "d0", kind = "dummy"})
assert(err.code == "EOPNOTSUPP" and err.message == "Unknown device type", err.message)

ok, err = pcall(link.add, {name = "x", kind = "veth", mtu = "big", peer = {name = "y"}})
assert(tostring(err) == [[link.add: field 'mtu': expected integer 68..65535, got "big"]], tostring(err))
assert(err.code == "EINVAL" and err.kind == "input")

-- error() with a table is untouched; strings keep their position
ok, err = pcall(error, {x = 1})
assert(type(err) == "table" and err.x == 1)
print("ok")
