-- Option tables: unknown keys, missing required fields and wrong types are
-- errors that name the option, so a typo never passes silently.
local M = {}

local function sorted_keys(t)
  local r = {}
  for k in pairs(t) do table.insert(r, k) end
  table.sort(r)
  return r
end
M.sorted_keys = sorted_keys

-- spec: key -> {type = "number"|"string"|"boolean"|"table"|"net", default = v, required = bool, one_of = {...},
--               desc = "one line for docs/dsl.md", min = v, max = v}
function M.check(t, spec, what)
  if type(t) ~= "table" then error(what .. " expects a table of options", 0) end
  for k in pairs(t) do if spec[k] then table.insert(M.used, {what, k, spec[k]}) end end
  for k in pairs(t) do
    if spec[k] == nil then
      error(("unknown option '%s' for %s (known: %s)"):format(tostring(k), what, table.concat(sorted_keys(spec), ", ")), 0)
    end
  end
  local r = {}
  for k, s in pairs(spec) do
    local v = t[k]
    if v == nil then
      if s.required then error(("missing required field '%s' in %s"):format(k, what), 0) end
      v = s.default
    end
    if v ~= nil then
      local ok = s.type == nil or type(v) == s.type or (s.type == "net" and type(v) == "table" and v.kind == "net")
      if not ok then error(("option '%s' of %s must be a %s, got %s"):format(k, what, s.type, type(v)), 0) end
      if s.one_of then
        local found = false
        for _, c in ipairs(s.one_of) do found = found or c == v end
        if not found then
          error(("option '%s' of %s must be one of %s, got '%s'"):format(k, what, table.concat(s.one_of, ", "), tostring(v)), 0)
        end
      end
    end
    r[k] = v
  end
  return r
end

-- Every option table a model file can reach, by the name its errors use
-- ("nn.linear", "adam", "model (method bb-sv-gp)" ...): `ebmforge doc`
-- writes docs/dsl.md from these same tables. register returns spec.
M.registry = {}
M.used = {}   -- {what, key, spec entry} of every option a model file gave (`ebmforge doc --check`)
function M.register(what, spec)
  M.registry[what] = spec
  return spec
end

-- A network recipe: build(prefix) makes the layer when the method needs it;
-- net and options name it in the resolved config (config.json).
function M.net_spec(net, options, build) return {kind = "net", net = net, options = options, build = build} end

return M
