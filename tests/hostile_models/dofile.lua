-- Hostile: running another file.
-- expect: global 'dofile'
dofile("/etc/passwd") --< error
