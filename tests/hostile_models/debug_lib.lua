-- Hostile: the debug library (it can break out of any sandbox).
-- expect: global 'debug'
debug.sethook() --< error
