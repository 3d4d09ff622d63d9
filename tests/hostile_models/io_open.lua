-- Hostile: reading (or writing) any file.
-- expect: global 'io'
local f = io.open("/etc/passwd") --< error
