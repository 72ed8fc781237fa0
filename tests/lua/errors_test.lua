-- Errors are values with fields; bad input names the function and the field.

test("a kernel error has errno, code, op and reads like ip", function(t)
  local err = t:err(function() link.get("nosuchlink") end, "ENODEV")
  t:eq(err.errno, 19)
  t:eq(err.op, "link show dev nosuchlink")
  t:eq(tostring(err), "link show dev nosuchlink: No such device (ENODEV)")
end)

test("EEXIST names the operation", function(t)
  link.add{name = "v0", kind = "veth", peer = {name = "v1"}}
  local err = t:err(function() link.add{name = "v0", kind = "veth", peer = {name = "v1"}} end, "EEXIST")
  t:eq({err.message, err.op}, {"File exists", "link add v0 type veth peer name v1"})
end)

test("extack text from the kernel is kept", function(t)
  local err = t:err(function() link.add{name = "d0", kind = "dummy"} end, "EOPNOTSUPP")
  t:eq(err.message, "Unknown device type")
end)

test("bad input names the function and the field", function(t)
  local err = t:err(function() link.add{name = "x", kind = "veth", mtu = "big", peer = {name = "y"}} end)
  t:eq(tostring(err), [[link.add: field 'mtu': expected integer 68..65535, got "big"]])
  t:eq({err.code, err.kind}, {"EINVAL", "input"})
end)

test("error() with a table is untouched; strings keep their position", function(t)
  local obj = {x = 1}
  local ok, err = pcall(error, obj)
  t:ok(not ok)
  t:ok(rawequal(err, obj), "the very table comes out")
  t:eq(err, {x = 1})
  local line = debug.getinfo(1, "l").currentline + 1
  ok, err = pcall(function() error("boom") end)
  t:eq(err, debug.getinfo(1, "S").short_src .. ":" .. line .. ": boom")
end)
