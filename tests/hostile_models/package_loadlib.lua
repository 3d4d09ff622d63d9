-- Hostile: loading a shared object through the package library.
-- expect: global 'package'
package.loadlib("./evil.so", "luaopen_evil") --< error
