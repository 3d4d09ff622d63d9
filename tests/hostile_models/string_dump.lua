-- Hostile: making bytecode with string.dump.
-- expect: field 'dump'
local b = string.dump(function() end) --< error
