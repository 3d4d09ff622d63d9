-- Hostile: loading another file as code.
-- expect: global 'loadfile'
local f = loadfile("/etc/passwd") --< error
