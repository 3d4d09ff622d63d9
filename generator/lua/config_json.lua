-- The resolved model table as JSON (`ebmforge build` writes it beside each
-- trainer as config.json; `ebmforge pack` ships it): keys sorted, functions
-- (net builders, custom steps) left out, integers without a fraction.
local function encode(v, out)
  local t = type(v)
  if t == "table" then
    local keys = {}
    for k, x in pairs(v) do
      if type(x) ~= "function" then table.insert(keys, k) end
    end
    local array = #keys == #v
    if array then
      table.insert(out, "[")
      for i = 1, #v do
        if i > 1 then table.insert(out, ", ") end
        encode(v[i], out)
      end
      table.insert(out, "]")
      return
    end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    table.insert(out, "{")
    for i, k in ipairs(keys) do
      if i > 1 then table.insert(out, ", ") end
      encode(tostring(k), out)
      table.insert(out, ": ")
      encode(v[k], out)
    end
    table.insert(out, "}")
  elseif t == "string" then
    table.insert(out, '"' .. v:gsub('[%c"\\]', function(c) return ("\\u%04x"):format(c:byte()) end) .. '"')
  elseif t == "number" then
    if v == math.floor(v) and math.abs(v) < 2^53 then table.insert(out, ("%d"):format(v))
    elseif v ~= v or v == math.huge or v == -math.huge then table.insert(out, "null")
    else
      local p = 15   -- the shortest form that reads back as the same double
      while p < 17 and tonumber(("%." .. p .. "g"):format(v)) ~= v do p = p + 1 end
      table.insert(out, ("%." .. p .. "g"):format(v))
    end
  elseif t == "boolean" then
    table.insert(out, tostring(v))
  else
    table.insert(out, "null")
  end
end

return function(v)
  local out = {}
  encode(v, out)
  return table.concat(out)
end
