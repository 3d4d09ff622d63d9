-- Hostile: one allocation far over the memory limit.
-- expect: MiB of memory
local s = string.rep("x", 1 << 30) --< error
