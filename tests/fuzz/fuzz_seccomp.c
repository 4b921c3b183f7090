/* libFuzzer target: linux.seccomp from config JSON to hako's BPF
 * filter (hk_seccomp_compile: parse, rules, BPF export), never loaded.  The
 * input is the seccomp object; it is put into a minimal config. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "security/seccomp_internal.h"
#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the kernel's checker demands of the generated program: every jump lands inside it,
 * loads stay inside struct seccomp_data, and it ends with a return. */
static void check_program(const struct hk_seccomp_filter *f) {
  size_t n = f->len;
  if (n > BPF_MAXINSNS || BPF_CLASS(f->prog[n - 1].code) != BPF_RET)
    abort();
  for (size_t pc = 0; pc < n; pc++) {
    const struct sock_filter *in = &f->prog[pc];
    if (BPF_CLASS(in->code) == BPF_JMP) {
      size_t far = BPF_OP(in->code) == BPF_JA ? in->k : (in->jt > in->jf ? in->jt : in->jf);
      if (pc + 1 + far >= n)
        abort();
    } else if (in->code == (BPF_LD | BPF_W | BPF_ABS)) {
      if (in->k % 4 || in->k > sizeof(struct seccomp_data) - 4)
        abort();
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char head[] =
      "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
      "\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"],\"user\":{\"uid\":0,\"gid\":0}},"
      "\"linux\":{\"seccomp\":";
  static const char tail[] = "}}";
  size_t n = sizeof head - 1 + size + sizeof tail - 1;
  char *text = malloc(n + 1);
  if (!text)
    return 0;
  memcpy(text, head, sizeof head - 1);
  memcpy(text + sizeof head - 1, data, size);
  memcpy(text + sizeof head - 1 + size, tail, sizeof tail);
  struct hk_spec *spec = NULL;
  struct hk_error err = {0};
  if (hk_spec_parse(text, n, "config.json", &spec, &err) == 0) {
    struct hk_seccomp_filter *f = NULL;
    if (spec->linux_ && spec->linux_->seccomp &&
        hk_seccomp_compile(spec->linux_->seccomp, &f, &err) == 0) {
      if (hk_seccomp_len(f) == 0)
        abort(); /* a compiled filter always has instructions */
      check_program(f);
      hk_seccomp_free(f);
    }
    hk_spec_free(spec);
  }
  free(text);
  return 0;
}
