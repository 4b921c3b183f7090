/* libFuzzer target: any byte string given to the config parser must yield a
 * spec or an error, never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct hk_spec *spec = NULL;
  struct hk_error err = {0};
  if (hk_spec_parse((const char *)data, size, "config.json", &spec, &err) == 0)
    hk_spec_free(spec);
  return 0;
}
