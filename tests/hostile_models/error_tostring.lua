-- Hostile: an error object whose __tostring raises (the message handler fails).
-- expect: again
error(setmetatable({}, {__tostring = function() error("again") end})) --< error
