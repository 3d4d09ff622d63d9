-- Hostile: asking load for binary mode explicitly.
-- expect: attempt to load a binary chunk
local f = assert(load("\27LuaT\0", "x", "b")) --< error
