/* The cgroup v2 device filter: a BPF_PROG_TYPE_CGROUP_DEVICE program built from
 * linux.resources.devices.  Rules are evaluated last-match-wins (as runc and the
 * v1 devices controller do), so they are emitted last rule first, each rule a block
 * that returns its verdict on a match; nothing matching means deny. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

enum { R0 = 0, R1, R2, R3, R4, R5 };

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  struct bpf_insn i;
  memset(&i, 0, sizeof i);
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

struct prog {
  struct bpf_insn *v;
  size_t n, cap;
  bool oom;
};

static size_t emit(struct prog *p, struct bpf_insn i) {
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 64;
    struct bpf_insn *v = realloc(p->v, cap * sizeof *v);
    if (!v) {
      p->oom = true;
      return p->n;
    }
    p->v = v;
    p->cap = cap;
  }
  p->v[p->n] = i;
  return p->n++;
}

static int rule_fields(const struct hk_device_rule *r, size_t idx, int *type, int *access,
                       struct hk_error *err) {
  char t = r->type && r->type[0] ? r->type[0] : 'a';
  if ((r->type && strlen(r->type) != 1) || (t != 'a' && t != 'b' && t != 'c'))
    return hk_error_set(err, EINVAL, "linux.resources.devices[%zu].type: invalid \"%s\"", idx,
                        r->type);
  *type = t == 'b' ? BPF_DEVCG_DEV_BLOCK : t == 'c' ? BPF_DEVCG_DEV_CHAR : 0;
  const char *acc = r->access && r->access[0] ? r->access : "rwm";
  *access = 0;
  for (const char *a = acc; *a; a++) {
    if (*a == 'r')
      *access |= BPF_DEVCG_ACC_READ;
    else if (*a == 'w')
      *access |= BPF_DEVCG_ACC_WRITE;
    else if (*a == 'm')
      *access |= BPF_DEVCG_ACC_MKNOD;
    else
      return hk_error_set(err, EINVAL, "linux.resources.devices[%zu].access: invalid \"%s\"", idx,
                          acc);
  }
  if ((r->has_major && r->major > UINT32_MAX) || (r->has_minor && r->minor > UINT32_MAX))
    return hk_error_set(err, EINVAL, "linux.resources.devices[%zu]: major/minor out of range", idx);
  return 0;
}

int hk_cg_devices_bpf(const struct hk_device_rule *rules, size_t n, struct bpf_insn **insns,
                      size_t *n_insns, struct hk_error *err) {
  struct prog p = {0};
  const int all = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
  int type, access, r;
  for (size_t i = 0; i < n; i++)
    if ((r = rule_fields(&rules[i], i, &type, &access, err)))
      return r;
  /* r2 = device type, r3 = requested access, r4 = major, r5 = minor */
  emit(&p, insn(BPF_LDX | BPF_MEM | BPF_W, R2, R1, 0, 0));
  emit(&p, insn(BPF_ALU64 | BPF_MOV | BPF_X, R3, R2, 0, 0));
  emit(&p, insn(BPF_ALU | BPF_AND | BPF_K, R2, 0, 0, 0xffff));
  emit(&p, insn(BPF_ALU | BPF_RSH | BPF_K, R3, 0, 0, 16));
  emit(&p, insn(BPF_LDX | BPF_MEM | BPF_W, R4, R1, 4, 0));
  emit(&p, insn(BPF_LDX | BPF_MEM | BPF_W, R5, R1, 8, 0));
  bool unconditional = false;
  for (size_t k = n; k-- > 0 && !unconditional;) {
    const struct hk_device_rule *rule = &rules[k];
    rule_fields(rule, k, &type, &access, err);
    size_t jumps[4], nj = 0;
    if (type)
      jumps[nj++] = emit(&p, insn(BPF_JMP | BPF_JNE | BPF_K, R2, 0, 0, type));
    if (access != all) {
      /* the requested access must be a subset of the rule's */
      emit(&p, insn(BPF_ALU | BPF_MOV | BPF_X, R1, R3, 0, 0));
      emit(&p, insn(BPF_ALU | BPF_AND | BPF_K, R1, 0, 0, access));
      jumps[nj++] = emit(&p, insn(BPF_JMP | BPF_JNE | BPF_X, R1, R3, 0, 0));
    }
    if (rule->has_major && rule->major >= 0)
      jumps[nj++] = emit(&p, insn(BPF_JMP | BPF_JNE | BPF_K, R4, 0, 0, (int32_t)rule->major));
    if (rule->has_minor && rule->minor >= 0)
      jumps[nj++] = emit(&p, insn(BPF_JMP | BPF_JNE | BPF_K, R5, 0, 0, (int32_t)rule->minor));
    emit(&p, insn(BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, rule->allow ? 1 : 0));
    emit(&p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
    if (p.oom)
      break;
    for (size_t j = 0; j < nj; j++)
      p.v[jumps[j]].off = (int16_t)(p.n - jumps[j] - 1);
    /* a rule that matches everything makes the earlier ones unreachable (the verifier
     * rejects dead code) */
    unconditional = nj == 0;
  }
  if (!unconditional) {
    emit(&p, insn(BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0));
    emit(&p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  }
  if (p.oom || p.n > 4096) {
    free(p.v);
    return hk_error_set(err, p.oom ? ENOMEM : E2BIG, "linux.resources.devices: %s",
                        p.oom ? "out of memory" : "too many rules");
  }
  *insns = p.v;
  *n_insns = p.n;
  return 0;
}

static int bpf(int cmd, union bpf_attr *attr) {
  return (int)syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

int hk_cg_devices_bpf_apply(int dirfd, const struct hk_device_rule *rules, size_t n,
                            struct hk_error *err) {
  struct bpf_insn *insns;
  size_t count;
  int r = hk_cg_devices_bpf(rules, n, &insns, &count, err);
  if (r < 0)
    return r;
  static const char license[] = "Apache-2.0";
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t)(uintptr_t)insns;
  attr.insn_cnt = (uint32_t)count;
  attr.license = (uint64_t)(uintptr_t)license;
  int prog = bpf(BPF_PROG_LOAD, &attr);
  if (prog < 0) {
    int e = errno;
    char log[4096] = "";
    attr.log_buf = (uint64_t)(uintptr_t)log;
    attr.log_size = sizeof log;
    attr.log_level = 1;
    int again = bpf(BPF_PROG_LOAD, &attr);
    if (again >= 0)
      close(again);
    free(insns);
    errno = e;
    size_t len = strlen(log);
    while (len && log[len - 1] == '\n')
      log[--len] = 0;
    return hk_error_sys(err, "load the device filter (%zu instructions)%s%.300s", count,
                        len ? ": " : "", len > 300 ? log + len - 300 : log);
  }
  free(insns);
  hk_debug("cgroup: device filter loaded, %zu instructions", count);

  /* the programs attached before (an update replaces them) */
  uint32_t old[64];
  memset(&attr, 0, sizeof attr);
  attr.query.target_fd = (uint32_t)dirfd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uint64_t)(uintptr_t)old;
  attr.query.prog_cnt = 64;
  uint32_t n_old = bpf(BPF_PROG_QUERY, &attr) == 0 ? attr.query.prog_cnt : 0;
  if (n_old > 64)
    n_old = 64;

  memset(&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t)dirfd;
  attr.attach_bpf_fd = (uint32_t)prog;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, &attr) < 0) {
    r = hk_error_sys(err, "attach the device filter to the cgroup");
    close(prog);
    return r;
  }
  close(prog);
  for (uint32_t i = 0; i < n_old; i++) {
    memset(&attr, 0, sizeof attr);
    attr.prog_id = old[i];
    int fd = bpf(BPF_PROG_GET_FD_BY_ID, &attr);
    if (fd < 0) {
      hk_warn("cgroup: old device filter %u: %s", old[i], strerror(errno));
      continue;
    }
    memset(&attr, 0, sizeof attr);
    attr.target_fd = (uint32_t)dirfd;
    attr.attach_bpf_fd = (uint32_t)fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    if (bpf(BPF_PROG_DETACH, &attr) < 0)
      hk_warn("cgroup: detach old device filter %u: %s", old[i], strerror(errno));
    close(fd);
  }
  return 0;
}
