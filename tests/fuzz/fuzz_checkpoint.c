/* libFuzzer: checkpoint_load (safetensors + the run's metadata + tensor
 * shapes against a model) into a state of the tiny model. */
#include "checkpoint.h"
#include "fuzz_file.h"
#include "fuzz_tiny_model.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_write("ckpt.safetensors", data, size);
  ModelState s;
  state_init(&s, &tiny_model, 0);
  long step;
  uint64_t seed;
  char err[600];
  checkpoint_load(path, &tiny_model, &s, &step, &seed, err, sizeof err);
  state_free(&s, &tiny_model);
  return 0;
}
