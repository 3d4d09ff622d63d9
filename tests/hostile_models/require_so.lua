-- Hostile: require of a module that is not part of the DSL (a ./*.so or *.lua).
-- expect: can require only the DSL's own modules
local evil = require "evil" --< error
