-- The assertions of nlua --test: what passes, and the message of what fails
-- (each failure is caught with t:err and its text checked).

local here = debug.getinfo(1, "S").short_src

test("t:eq passes on deep-equal values", function(t)
  t:eq(1, 1.0)
  t:eq("a", "a")
  t:eq({1, {x = "y", z = {true}}}, {1, {x = "y", z = {true}}})
  t:eq(link.get("lo"), link.get(1), "userdata compare with __eq")
  t:eq({lo = link.get("lo")}, {lo = link.get("lo")})
  local cyc = {}
  cyc.self = cyc
  local cyc2 = {}
  cyc2.self = cyc2
  t:eq(cyc, cyc2)
end)

test("t:eq on scalars says got and want, at the caller's line", function(t)
  local line = debug.getinfo(1, "l").currentline + 1
  local e = t:err(function() t:eq(1400, 1500) end)
  t:eq(e, here .. ":" .. line .. ": t:eq: got 1400, want 1500")
  e = t:err(function() t:eq("a", "b", "names") end)
  t:ok(e:find(': t:eq: names: got "a", want "b"$'), e)
  e = t:err(function() t:eq(nil, false) end)
  t:ok(e:find("t:eq: got nil, want false$"), e)
end)

test("t:eq on tables lists each difference with its path", function(t)
  local e = t:err(function()
    t:eq({mtu = 1400, name = "v0", addrs = {"10.0.0.1/24", "10.0.0.2/24"}, ["odd key"] = 1, nested = {deep = {x = 1}}},
         {mtu = 1500, name = "v0", addrs = {"10.0.0.1/24"}, gone = true, nested = {deep = {x = 2}}})
  end)
  local want = table.concat({
    "t:eq: tables differ",
    '  .addrs[2]: unexpected "10.0.0.2/24"',
    "  .gone: missing, want true",
    "  .mtu: got 1400, want 1500",
    "  .nested.deep.x: got 1, want 2",
    '  ["odd key"]: unexpected 1',
  }, "\n")
  t:eq(e:gsub("^[^:]+:%d+: ", ""), want)
  e = t:err(function() t:eq({1, 2}, 3) end)
  t:ok(e:find("t:eq: got { 1, 2 }, want 3$"), e)
end)

test("t:ok returns its value and fails on nil and false", function(t)
  t:eq(t:ok(42), 42)
  t:ok(t:err(function() t:ok(nil) end):find("t:ok: got nil$"))
  t:ok(t:err(function() t:ok(false, "link is up") end):find("t:ok: link is up$"))
end)

test("t:err matches errno codes, plain text and patterns, and returns the error", function(t)
  local function eexist()
    link.add{name = "v0", kind = "veth", peer = {name = "v1"}}
    link.add{name = "v0", kind = "veth", peer = {name = "v1"}}
  end
  local e = t:err(eexist, "EEXIST")
  t:eq(e.errno, 17)
  t:err(eexist, "File exists (EEXIST)")        -- plain text, parentheses and all
  t:err(eexist, "link add v%d type veth")     -- a Lua pattern
  t:err(function() error("boom 42") end, "boom %d+")
  t:eq(t:err(function() error({code = 7}) end).code, 7)
  -- and its own failures
  local msg = t:err(function() t:err(function() link.get("lo") end, "ENODEV") end)
  t:ok(msg:find('t:err: expected an error matching "ENODEV", but the call succeeded$'), msg)
  msg = t:err(function() t:err(function() link.get("nope") end, "EEXIST") end)
  t:ok(msg:find("t:err: got error code ENODEV, want EEXIST %(link show dev nope: No such device %(ENODEV%)%)$"), msg)
  msg = t:err(function() t:err(function() error("boom", 0) end, "bang") end)
  t:ok(msg:find('t:err: error "boom" does not match "bang"$'), msg)
  msg = t:err(function() t:err("not a function") end)
  t:ok(msg:find("t:err: argument #1: expected a function, got string$"), msg)
end)

test("t:near compares within eps", function(t)
  t:near(0.1 + 0.2, 0.3)
  t:near(100, 103, 5)
  local e = t:err(function() t:near(1.5, 1.0, 0.1) end)
  t:ok(e:find("t:near: got 1.5, want 1.0 within 0.1 %(off by 0.5%)$"), e)
  e = t:err(function() t:near("x", 1) end)
  t:ok(e:find('t:near: expected two numbers, got "x" and 1$'), e)
end)

test("t:fail fails with the message", function(t)
  t:ok(t:err(function() t:fail("not yet") end):find("t:fail: not yet$"))
end)

test("t's methods name a bad argument", function(t)
  local line = debug.getinfo(1, "l").currentline + 1
  t:eq(t:err(function() t:cleanup(5) end), here .. ":" .. line .. ": t:cleanup: argument #1: expected a function, got number")
  t:ok(t:err(function() t:err(function() error("x") end, 5) end)
    :find('t:err: argument #2: expected an errno code like "EEXIST" or a message pattern, got 5$'))
  t:ok(t:err(function() t:veth("x") end):find("t:veth: argument #1: expected an option table, got string$"))
end)

-- (their bad arguments at load time: tests/testrun.rs)
test("test, describe and hooks refuse late registration", function(t)
  t:ok(t:err(function() test("late", function() end) end):find("test: tests are registered when the file loads"))
  t:ok(t:err(function() before_each(function() end) end):find("before_each: hooks are registered when the file loads"))
  t:ok(t:err(function() describe("late", function() end) end):find("describe: groups are registered when the file loads"))
end)
