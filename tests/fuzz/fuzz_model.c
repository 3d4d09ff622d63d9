/* libFuzzer: a model file through the sandboxed host (host_load_model: the
 * sandbox's text-only loading, instruction budget, memory cap and watchdog,
 * then the DSL, graph building and checks). A fresh host per input, as
 * `ebmforge check` has. The limits are lowered so that a runaway input costs
 * milliseconds, not a second (the shipped models need at most ~2e5
 * instructions and 0.4 MiB), and the watchdog stays under libFuzzer's -timeout. */
#include <stdlib.h>

#include "fuzz_file.h"
#include "host.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  setenv("EBMFORGE_LUA_MAX_INSTRUCTIONS", "1000000", 0);
  setenv("EBMFORGE_LUA_MAX_MIB", "16", 0);
  setenv("EBMFORGE_LUA_MAX_SECONDS", "5", 0);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_write("model.lua", data, size);
  Host *h = host_new();
  if (!h) return 0;
  host_load_model(h, path);
  host_free(h);
  return 0;
}
