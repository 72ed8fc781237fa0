---@meta
-- Type stubs for the globals only the REPL defines (`nlua` with no script, or `nlua -i`).

---Print the documentation of a function, module or type, from these stubs:
---`help(link.add)`, `help(link)`, `help("Link:set")`, `help(l)` for a Link `l`.
---Without an argument, what the REPL can do.
---Example: `help(link.add)`
---@param x? function|table|string|userdata
function help(x) end

---A REPL inside the running chunk; Ctrl-D returns from it. `red:run(repl)`
---explores namespace `red` (the prompt reads `nlua(red)> `) and comes back.
---Example: `netns.open("red"):run(repl)`
function repl() end
