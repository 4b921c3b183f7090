/* libFuzzer target: `exec --process` files go through their own entry point
 * of the parser; any input must give a process or an error. */
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct hk_process *p = NULL;
  struct hk_error err = {0};
  if (hk_spec_parse_process((const char *)data, size, "process.json", &p, &err) == 0)
    hk_process_free(p);
  return 0;
}
