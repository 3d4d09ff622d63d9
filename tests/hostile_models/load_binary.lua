-- Hostile: a precompiled (binary) chunk through load; mutated bytecode crashed the host.
-- expect: attempt to load a binary chunk
local f = assert(load("\27Lua\84\0\25\147\13\10\26\10\4\8\8garbage")) --< error
