-- nlua.inspect: render any Lua value for people. Userdata print through their
-- __tostring (a Link reads like `ip link`); lists of links print compactly, one
-- per line; tables nest sorted, with a depth limit and cycles marked.
local M = {}

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

local function render(v, depth, seen, indent, opts)
  local t = type(v)
  if t == "string" then return string.format("%q", v) end
  if t ~= "table" then return tostring(v) end
  if seen[v] then return "<cycle>" end
  if depth >= opts.depth then return "{...}" end
  seen[v] = true
  local pad = string.rep("  ", indent + 1)
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

--- Render `v` as text. `opts.depth` limits nesting (default 4).
---@param v any
---@param opts? {depth?: integer}
---@return string
function M.inspect(v, opts)
  opts = opts or {}
  opts.depth = opts.depth or 4
  return render(v, 0, {}, 0, opts)
end

return setmetatable(M, { __call = function(_, v, o) return M.inspect(v, o) end })
