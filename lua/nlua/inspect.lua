-- nlua.inspect: render any Lua value for people; the REPL prints through it.
-- An object prints through its __tostring (a Link reads like `ip link`); a list
-- of objects prints one per line (a list of links like `ip -br link`); tables
-- nest sorted, with a depth limit and cycles marked.
local M = {}

-- Object metatables are closed to Lua: nlua.type names their class.
local objtype = (type(nlua) == "table" and nlua.type) or type

local function is_object(v)
  return type(v) == "userdata" and objtype(v) ~= "userdata"
end

local function is_list(t)
  local n = #t
  if n == 0 then return false end
  for k in pairs(t) do
    if type(k) ~= "number" or k < 1 or k > n or k % 1 ~= 0 then return false end
  end
  return true
end

local function key_text(k)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") then return k end
  return "[" .. (type(k) == "string" and string.format("%q", k) or tostring(k)) .. "]"
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    if ta == "number" or ta == "string" then return a < b end
    return tostring(a) < tostring(b)
  end)
  return keys
end

local function text_of(v)
  local ok, s = pcall(tostring, v)
  return ok and s or ("<" .. objtype(v) .. ": " .. tostring(s) .. ">")
end

-- An object in a list or a table: a link as its `ip -br link` line.
local function object_line(v)
  if objtype(v) == "Link" then
    local ok, s = pcall(v.show, v, { brief = true })
    if ok then return (s:gsub("%s+$", "")) end
  end
  return text_of(v)
end

-- A list whose items are all objects: one line each, or nil.
local function object_lines(t)
  if not is_list(t) then return nil end
  for i = 1, #t do
    if not is_object(t[i]) then return nil end
  end
  local lines = {}
  for i = 1, #t do lines[i] = object_line(t[i]) end
  return lines
end

local function render(v, depth, seen, indent, opts)
  local t = type(v)
  local pad = string.rep("  ", indent + 1)
  if t == "string" then return string.format("%q", v) end
  if is_object(v) then return (object_line(v):gsub("\n", "\n" .. pad)) end
  if t ~= "table" then return tostring(v) end
  if seen[v] then return "<cycle>" end
  if depth >= opts.depth then return "{...}" end
  seen[v] = true
  local parts = {}
  if is_list(v) then
    for i = 1, #v do parts[#parts + 1] = render(v[i], depth + 1, seen, indent + 1, opts) end
  else
    for _, k in ipairs(sorted_keys(v)) do
      parts[#parts + 1] = key_text(k) .. " = " .. render(v[k], depth + 1, seen, indent + 1, opts)
    end
  end
  seen[v] = nil
  if #parts == 0 then return "{}" end
  local flat = "{ " .. table.concat(parts, ", ") .. " }"
  if #flat <= 78 and not flat:find("\n") then return flat end
  return "{\n" .. pad .. table.concat(parts, ",\n" .. pad) .. "\n" .. string.rep("  ", indent) .. "}"
end

--- Render `v` as text. An object reads as its __tostring, a list of objects
--- one per line (links as `ip -br link`); `opts.depth` limits nesting (default 4).
---@param v any
---@param opts? {depth?: integer}
---@return string
function M.inspect(v, opts)
  opts = opts or {}
  opts.depth = opts.depth or 4
  if is_object(v) then return text_of(v) end
  if type(v) == "table" then
    local lines = object_lines(v)
    if lines then return table.concat(lines, "\n") end
  end
  return render(v, 0, {}, 0, opts)
end

--- The REPL's rendering of a chunk's results: strings as they are, anything
--- else through inspect; tab-separated, or one per line when one is longer.
---@return string
function M.results(...)
  local out, multi = {}, false
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    out[i] = type(v) == "string" and v or M.inspect(v)
    multi = multi or out[i]:find("\n") ~= nil
  end
  return table.concat(out, multi and "\n" or "\t")
end

return setmetatable(M, { __call = function(_, v, o) return M.inspect(v, o) end })
