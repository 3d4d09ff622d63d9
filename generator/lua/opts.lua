-- Option tables: unknown keys, missing required fields, wrong types and
-- numbers outside their range are errors that name the option, so a typo or
-- a nonsense value never passes silently. The ranges live in the specs, so
-- one mechanism validates every number a model file gives (and can list them).
local M = {}

local function sorted_keys(t)
  local r = {}
  for k in pairs(t) do table.insert(r, k) end
  table.sort(r)
  return r
end

-- Shared bounds (docs/model_files.md): big enough for any real model, small
-- enough that products of them stay far from integer overflow.
M.MAX_ITERS = 1000000000        -- training iterations, logging intervals, schedule lengths
M.MAX_BATCH = 1048576     -- rows of a batch (2^20)
M.MAX_WIDTH = 65536       -- widths, channels, latent sizes, classes (2^16)
M.MAX_FEATURES = 16777216 -- input features of a layer (2^24: flattened pictures)

-- spec fields for a count in [lo, hi] and a non-negative / positive real
function M.count(lo, hi, t)
  t = t or {}
  t.type, t.integer, t.min, t.max = "number", true, lo, hi
  return t
end
function M.positive(t) t = t or {}; t.type, t.min, t.min_exclusive = "number", 0, true; return t end
function M.nonneg(t) t = t or {}; t.type, t.min = "number", 0; return t end
function M.fraction(t) t = t or {}; t.type, t.min, t.max, t.max_exclusive = "number", 0, 1, true; return t end

-- "an integer in [1, 1e+09]", "a number > 0", ...: the range a spec allows
function M.describe(s)
  local what = s.integer and "an integer" or "a number"
  local lo = s.min and (s.min_exclusive and "(" or "[") .. tostring(s.min)
  local hi = s.max and tostring(s.max) .. (s.max_exclusive and ")" or "]")
  if lo and hi then return ("%s in %s, %s"):format(what, lo, hi) end
  if lo then return ("%s %s %s"):format(what, s.min_exclusive and ">" or ">=", tostring(s.min)) end
  if hi then return ("%s %s %s"):format(what, s.max_exclusive and "<" or "<=", tostring(s.max)) end
  return what
end

local function check_number(v, s, name, what)
  local function bad() error(("option '%s' of %s must be %s, got %s"):format(name, what, M.describe(s), tostring(v)), 0) end
  if v ~= v or v == math.huge or v == -math.huge then bad() end   -- NaN and infinities, always
  if s.integer and v ~= math.floor(v) then bad() end
  if s.min and (v < s.min or (s.min_exclusive and v == s.min)) then bad() end
  if s.max and (v > s.max or (s.max_exclusive and v == s.max)) then bad() end
end

-- A name that becomes a directory and a build.ninja token: letters, digits,
-- '_', '.', '-'; not starting with '.', no '..', at most 64 characters.
function M.name_problem(v)
  if #v == 0 or #v > 64 then return "must have 1 to 64 characters" end
  if not v:match("^[%w_.%-]+$") then return "may contain only letters, digits, '_', '.' and '-'" end
  if v:sub(1, 1) == "." or v:find("..", 1, true) then return "must not start with '.' nor contain '..'" end
  return nil
end

local function check_value(v, s, name, what)
  local ok = s.type == nil or type(v) == s.type or (s.type == "net" and type(v) == "table" and v.kind == "net")
  if not ok then error(("option '%s' of %s must be a %s, got %s"):format(name, what, s.type, type(v)), 0) end
  if type(v) == "number" then check_number(v, s, name, what) end
  if s.one_of then
    local found = false
    for _, c in ipairs(s.one_of) do found = found or c == v end
    if not found then
      error(("option '%s' of %s must be one of %s, got '%s'"):format(name, what, table.concat(s.one_of, ", "), tostring(v)), 0)
    end
  end
  if s.safe_name then
    local why = M.name_problem(v)
    if why then error(("option '%s' of %s %s (it names a directory), got %q"):format(name, what, why, v), 0) end
  end
  if s.len and #v ~= s.len then
    error(("option '%s' of %s must be a list of %d values, got %d"):format(name, what, s.len, #v), 0)
  end
  if s.items then
    for i, x in ipairs(v) do check_value(x, s.items, ("%s[%d]"):format(name, i), what) end
  end
  if s.fields then return M.check(v, s.fields, ("option '%s' of %s"):format(name, what)) end
  return v
end

-- spec: key -> {type = "number"|"string"|"boolean"|"table"|"function"|"net",
--   default = v, required = bool, one_of = {...}, desc = "one line for `ebmforge doc`" (not checked),
--   numbers: min = x, max = x, min_exclusive = bool, max_exclusive = bool, integer = bool
--            (NaN and infinities are always refused),
--   strings: safe_name = bool (see M.name_problem),
--   tables:  len = n (a list of n values), items = spec of each value, fields = spec of a nested option table}
function M.check(t, spec, what)
  if type(t) ~= "table" then error(what .. " expects a table of options", 0) end
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
    if v ~= nil then v = check_value(v, s, k, what) end
    r[k] = v
  end
  return r
end

-- A positional argument of a layer (nn.linear(nin, nout)) checked like an option.
function M.arg(v, s, name, what)
  if v == nil then error(("%s: argument '%s' is missing (%s)"):format(what, name, M.describe(s)), 0) end
  if type(v) ~= "number" then error(("%s: argument '%s' must be a number, got %s"):format(what, name, type(v)), 0) end
  check_number(v, s, name, what)
  return v
end

-- A network recipe: build(prefix) makes the layer when the method needs it;
-- net and options name it in the resolved config (config.json).
function M.net_spec(net, options, build) return {kind = "net", net = net, options = options, build = build} end

return M
