-- Bad input to nlua.monitor, Monitor:next, link.wait and addr.wait: an input
-- error naming the function and the field or argument, nothing opened.
local function fails(want, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. want)
  assert(tostring(err) == want, ("\n got: %s\nwant: %s"):format(tostring(err), want))
  return err
end

test("nlua.monitor: families, callback, namespaces, options", function(t)
  local e = fails([[nlua.monitor: family #1: unknown family "lnk" (did you mean "link"?); expected one of link, addr, route, rule, neigh, qdisc, class, filter]],
    nlua.monitor, {"lnk"})
  assert(e.code == "EINVAL" and e.kind == "input")
  fails([[nlua.monitor: family #2: unknown family "routes" (did you mean "route"?); expected one of link, addr, route, rule, neigh, qdisc, class, filter]],
    nlua.monitor, {"link", "routes"})
  fails([[nlua.monitor: item #2: expected a family name (link, addr, route, rule, neigh, qdisc, class, filter) or a callback function, got 42]],
    nlua.monitor, {"link", 42})
  fails("nlua.monitor: item #3: only one callback function is allowed", nlua.monitor, {"link", print, print})
  fails([[nlua.monitor: argument #1: expected a table like {"link", "addr", netns=, timeout=}, got 5]], nlua.monitor, 5)
  fails("nlua.monitor: field 'netns': expected Netns or namespace name, got 42", nlua.monitor, {"link", netns = 42})
  fails("nlua.monitor: field 'netns[2]': expected Netns or namespace name, got true", nlua.monitor, {"link", netns = {netns.current(), true}})
  fails("nlua.monitor: field 'netns': expected Netns, namespace name or a list of them, got an empty table", nlua.monitor, {"link", netns = {}})
  e = fails([[nlua.monitor: no namespace named "nosuch" (no /run/netns/nosuch) (ENOENT)]], nlua.monitor, {"link", netns = "nosuch"})
  assert(e.code == "ENOENT")
  fails("nlua.monitor: field 'timeout': expected seconds >= 0, got -1", nlua.monitor, {"link", timeout = -1})
  fails([[nlua.monitor: field 'timeout': expected seconds >= 0, got "5"]], nlua.monitor, {"link", timeout = "5"})
  fails("nlua.monitor: field 'timeout': expected seconds >= 0, got NaN", nlua.monitor, {"link", timeout = 0 / 0})
  fails("nlua.monitor: unknown option 'timout' (did you mean 'timeout'?)", nlua.monitor, {"link", timout = 1})
  fails([[nlua.monitor: field 'rcvbuf': expected bytes (an integer or a size like "4mb"), got -5]], nlua.monitor, {"link", rcvbuf = -5})
  fails([[nlua.monitor: field 'rcvbuf': expected a size like "32kb", "1mb", "1500b" or a number of bytes, got "lots"]],
    nlua.monitor, {"link", rcvbuf = "lots"})
  fails("nlua.monitor: expected family names, a callback and named options, got a boolean key", nlua.monitor, {"link", [true] = 1})
end)

test("Monitor:next: a bad timeout, and the monitor still works", function(t)
  local m = nlua.monitor{"link"}
  fails("Monitor.next: argument #1: expected seconds >= 0, got -1", m.next, m, -1)
  assert(m:next(0) == nil, "the monitor still works after a bad call")
  m:close()
end)

test("a timeout too long for a clock means no limit, not a crash", function(t)
  local m = nlua.monitor{"link", timeout = 1e300}
  t:eq(m:next(0), nil)
  m:close()
  t:eq(link.wait("lo", "present", 1e300), link.get("lo"))
  t:eq(netns.current():spawn{"true"}:wait(1e300).code, 0)
  t:ok(netns.current():exec({"true"}, {timeout = 1e300}).ok)
end)

test("link.wait and addr.wait: arguments", function(t)
  fails([[link.wait: argument #2: expected "up", "present" or "gone", got "upp"]], link.wait, "lo", "upp")
  fails("link.wait: argument #3: expected seconds >= 0, got -1", link.wait, "lo", "up", -1)
  fails("link.wait: argument #1: expected link name, index or Link, got table", link.wait, {}, "up")
  fails([[link.wait: argument #1: expected link name (1..15 characters without '/', ':' or spaces), got "waytoolongname0123"]],
    link.wait, "waytoolongname0123", "up")
  fails([[addr.wait: argument #2: expected address like "2001:db8::1" or "2001:db8::1/64", got "10.0.0.300"]], addr.wait, "lo", "10.0.0.300")
  fails([[addr.wait: argument #2: expected address like "2001:db8::1" or "2001:db8::1/64", got 5]], addr.wait, "lo", 5)
  fails([[addr.wait: argument #2: expected address with prefix like "10.0.0.1/24", got "10.0.0.1/33"]], addr.wait, "lo", "10.0.0.1/33")
  fails("addr.wait: argument #3: expected seconds >= 0, got -2", addr.wait, "lo", "10.0.0.1", -2)
  local e = fails("link show dev nosuch: No such device (ENODEV)", addr.wait, "nosuch", "10.0.0.1")
  assert(e.code == "ENODEV")
end)
