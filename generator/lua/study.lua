-- The study file front end (`ebmforge study FILE.lua`): the file calls
-- study{ ... } once; this checks every field (opts.check, so a typo is an
-- error naming the field) and leaves the resolved study in global __study
-- for the C runner. Errors raised here carry the study file's path:line
-- (the host's message handler finds the user frame that called study{}).
local opts = require "opts"

local M = {}

local function fail(fmt, ...) error(fmt:format(...), 0) end

-- a non-empty list (no holes, no other keys) whose items pass item(v, i)
local function list(v, what, item)
  if type(v) ~= "table" then fail("%s must be a list, got %s", what, type(v)) end
  local n = #v
  if n == 0 then fail("%s must not be empty", what) end
  for k in pairs(v) do
    if math.type(k) ~= "integer" or k < 1 or k > n then fail("%s must be a list (found key '%s')", what, tostring(k)) end
  end
  for i = 1, n do item(v[i], i) end
  return v
end

local function check_budgets(b, what)
  local prev = 0
  return list(b, what, function(v, i)
    if math.type(v) ~= "integer" or v <= prev then
      fail("%s must be ascending positive whole iteration counts (item %d is %s)", what, i, tostring(v))
    end
    prev = v
  end)
end

-- name -> list of numbers or strings; returned as a list of {name, values} sorted by name
local function check_params(p, what)
  if type(p) ~= "table" then fail("%s must be a table name = {values...}, got %s", what, type(p)) end
  local r = {}
  for name, values in pairs(p) do
    if type(name) ~= "string" or not name:match("^[%a_][%w_.]*$") then
      fail("%s: parameter names are identifiers, got '%s'", what, tostring(name))
    end
    local shown = {}
    list(values, ("%s.%s"):format(what, name), function(v, i)
      if type(v) ~= "number" and type(v) ~= "string" then
        fail("%s.%s: item %d must be a number or a string, got %s", what, name, i, type(v))
      end
      local s = tostring(v)
      if not s:match("^[%w_.+-]+$") then fail("%s.%s: value '%s' is not a plain number or word", what, name, s) end
      if shown[s] then fail("%s.%s lists %s twice", what, name, s) end
      shown[s] = true
    end)
    local strs = {}
    for i, v in ipairs(values) do strs[i] = tostring(v) end
    table.insert(r, {name = name, values = strs})
  end
  table.sort(r, function(a, b) return a.name < b.name end)
  return r
end

local model_spec = {
  file = {type = "string", required = true},
  combo = {type = "string"},
  label = {type = "string"},
  budgets = {type = "table"},
  params = {type = "table"},
}

local spec = {
  name = {type = "string"},
  models = {type = "table", required = true},
  data = {type = "table", required = true},
  seeds = {type = "table", required = true},
  budgets = {type = "table", required = true},
  params = {type = "table"},
  samples = {type = "number", default = 2000},
  ckpt_every = {type = "number", default = 1000},
  log_every = {type = "number", default = 100},
}

local function is_toy(name)
  for _, d in ipairs(ebm.datasets()) do if d == name then return true end end
  return false
end

function M.declare(t)
  if __study then fail("a study file declares one study; study{} is called twice") end
  local s = opts.check(t, spec, "study")
  for _, k in ipairs({"samples", "ckpt_every", "log_every"}) do
    if math.type(s[k]) ~= "integer" or s[k] < 1 then fail("study: %s must be a positive whole number", k) end
  end
  local budgets = check_budgets(s.budgets, "study.budgets")
  local params = check_params(s.params or {}, "study.params")
  local models, labels = {}, {}
  list(s.models, "study.models", function(m, i)
    local what = ("study.models[%d]"):format(i)
    if type(m) == "string" then m = {file = m} end
    local e = opts.check(m, model_spec, what)
    if not e.file:match("%.lua$") then fail("%s: file '%s' is not a model file (.lua)", what, e.file) end
    if e.label and not e.label:match("^[%w_.+-]+$") then fail("%s: label '%s' may hold letters, digits and _ . + - only", what, e.label) end
    if e.label and labels[e.label] then fail("%s: label '%s' is used twice", what, e.label) end
    if e.label then labels[e.label] = true end
    local own = {}
    if e.params then for _, p in ipairs(check_params(e.params, what .. ".params")) do own[p.name] = p end end
    local merged = {}   -- the study's grid, each name the model lists replaced by the model's values
    for _, p in ipairs(params) do if not own[p.name] then table.insert(merged, p) end end
    for _, p in pairs(own) do table.insert(merged, p) end
    table.sort(merged, function(a, b) return a.name < b.name end)
    table.insert(models, {file = e.file, combo = e.combo, label = e.label,
                          budgets = e.budgets and check_budgets(e.budgets, what .. ".budgets") or budgets, params = merged})
  end)
  local data, seen = {}, {}
  list(s.data, "study.data", function(d, i)
    if type(d) ~= "string" then fail("study.data[%d] must be a toy data set name or a .npy file, got %s", i, type(d)) end
    local file = d:match("%.npy$") ~= nil
    if not file and not is_toy(d) then
      fail("study.data[%d]: '%s' is neither a toy data set (%s) nor a .npy file", i, d, table.concat(ebm.datasets(), ", "))
    end
    local name = file and d:match("([^/]+)%.npy$") or d
    if seen[name] then fail("study.data[%d]: two data sets are named '%s'", i, name) end
    seen[name] = true
    table.insert(data, {spec = d, name = name, file = file})
  end)
  local seeds, seen_seed = {}, {}
  list(s.seeds, "study.seeds", function(v, i)
    if math.type(v) ~= "integer" or v < 0 then fail("study.seeds[%d] must be a non-negative whole number, got %s", i, tostring(v)) end
    if seen_seed[v] then fail("study.seeds lists %d twice", v) end
    seen_seed[v] = true
    table.insert(seeds, v)
  end)
  __study = {name = s.name, models = models, data = data, seeds = seeds, samples = s.samples,
             ckpt_every = s.ckpt_every, log_every = s.log_every}
end

return M
