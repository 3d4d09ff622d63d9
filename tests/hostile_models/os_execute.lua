-- Hostile: running a shell command while the file is only being checked.
-- expect: global 'os'
os.execute("touch hostile_was_here") --< error
