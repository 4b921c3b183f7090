/* Rules -> classic BPF for seccomp(2).
 *
 * The program is built as a list of instructions whose jumps name labels; a layout pass then
 * turns labels into offsets.  A conditional jump reaches at most 255 instructions ahead, so one
 * that would reach further becomes "jxx 0,1; ja true; ja false" (ja takes 32 bits), and the
 * layout repeats until nothing grows.  Every jump goes forward, which is all the kernel
 * accepts, because labels are placed only after the code that jumps to them.
 *
 * Shape of the program:
 *   load arch; dispatch to the block of that arch (else KILL)
 *   per block: load nr; a binary search over the ranges of numbers with one outcome, each leaf
 *              jumping to a return or to the argument checks of one syscall
 *   the argument checks
 *   one return instruction per distinct action, shared by every block. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp_internal.h"

#define NEXT (-1) /* jump target: the instruction after this one */
#define X32_BIT 0x40000000U
#define MAX_INSNS 4096 /* BPF_MAXINSNS */
#define OFF_NR ((uint32_t)offsetof(struct seccomp_data, nr))
#define OFF_ARCH ((uint32_t)offsetof(struct seccomp_data, arch))
#define OFF_ARG(i) ((uint32_t)(offsetof(struct seccomp_data, args) + 8U * (i)))

struct insn {
  uint16_t code;
  uint32_t k;
  int jt, jf; /* labels (or NEXT) of a conditional jump; jt alone for ja */
};

struct action_label {
  uint32_t action;
  int label;
};

struct gen {
  struct insn *ins;
  size_t n, cap;
  size_t *label_at; /* label -> index of the instruction it precedes */
  size_t n_labels, cap_labels;
  struct action_label *actions;
  size_t n_actions, cap_actions;
  bool oom;
};

static int new_label(struct gen *g) {
  if (g->n_labels == g->cap_labels) {
    size_t cap = g->cap_labels ? 2 * g->cap_labels : 64;
    size_t *v = realloc(g->label_at, cap * sizeof *v);
    if (!v) {
      g->oom = true;
      return 0;
    }
    g->label_at = v;
    g->cap_labels = cap;
  }
  g->label_at[g->n_labels] = SIZE_MAX;
  return (int)g->n_labels++;
}

static void place(struct gen *g, int label) {
  if (!g->oom)
    g->label_at[label] = g->n;
}

static size_t emit(struct gen *g, uint16_t code, uint32_t k, int jt, int jf) {
  if (g->n == g->cap) {
    size_t cap = g->cap ? 2 * g->cap : 256;
    struct insn *v = realloc(g->ins, cap * sizeof *v);
    if (!v) {
      g->oom = true;
      return 0;
    }
    g->ins = v;
    g->cap = cap;
  }
  g->ins[g->n] = (struct insn){.code = code, .k = k, .jt = jt, .jf = jf};
  return g->n++;
}

static void load(struct gen *g, uint32_t offset) {
  emit(g, BPF_LD | BPF_W | BPF_ABS, offset, 0, 0);
}

static void jump_if(struct gen *g, uint16_t cmp, uint32_t k, int jt, int jf) {
  emit(g, BPF_JMP | cmp | BPF_K, k, jt, jf);
}

/* The shared return instruction of action (a filter has few distinct actions). */
static int action_label(struct gen *g, uint32_t action) {
  for (size_t i = 0; i < g->n_actions; i++)
    if (g->actions[i].action == action)
      return g->actions[i].label;
  if (g->n_actions == g->cap_actions) {
    size_t cap = g->cap_actions ? 2 * g->cap_actions : 8;
    struct action_label *v = realloc(g->actions, cap * sizeof *v);
    if (!v) {
      g->oom = true;
      return 0;
    }
    g->actions = v;
    g->cap_actions = cap;
  }
  int label = new_label(g);
  g->actions[g->n_actions++] = (struct action_label){action, label};
  return label;
}

/* Jump to t when the condition holds, else to f. */
static void emit_cond(struct gen *g, const struct hk_sc_cond *c, bool wide, int t, int f) {
  uint32_t lo_off = OFF_ARG(c->arg), hi_off = lo_off + 4;
  uint32_t a_lo = (uint32_t)c->a, a_hi = (uint32_t)(c->a >> 32);
  uint32_t b_lo = (uint32_t)c->b, b_hi = (uint32_t)(c->b >> 32);
  /* NE, LT and LE are EQ, GE and GT with the outcomes swapped */
  if (c->op == HK_SC_NE || c->op == HK_SC_LT || c->op == HK_SC_LE) {
    int s = t;
    t = f;
    f = s;
  }
  switch (c->op) {
  case HK_SC_EQ:
  case HK_SC_NE:
    if (wide) {
      load(g, hi_off);
      jump_if(g, BPF_JEQ, a_hi, NEXT, f);
    }
    load(g, lo_off);
    jump_if(g, BPF_JEQ, a_lo, t, f);
    break;
  case HK_SC_MASKED_EQ:
    if (wide) {
      load(g, hi_off);
      emit(g, BPF_ALU | BPF_AND | BPF_K, a_hi, 0, 0);
      jump_if(g, BPF_JEQ, b_hi, NEXT, f);
    }
    load(g, lo_off);
    emit(g, BPF_ALU | BPF_AND | BPF_K, a_lo, 0, 0);
    jump_if(g, BPF_JEQ, b_lo, t, f);
    break;
  default: { /* GT, GE (and LE, LT swapped) */
    bool gt = c->op == HK_SC_GT || c->op == HK_SC_LE;
    if (wide) {
      load(g, hi_off);
      jump_if(g, BPF_JGT, a_hi, t, NEXT);
      jump_if(g, BPF_JEQ, a_hi, NEXT, f);
    }
    load(g, lo_off);
    jump_if(g, gt ? BPF_JGT : BPF_JGE, a_lo, t, f);
    break;
  }
  }
}

/* The argument checks of one syscall: its conditional rules in order, then the default. */
static void emit_chain(struct gen *g, const struct hk_sc_rule *r, size_t n, int dflt) {
  /* x32 and i386 arguments are compared on their low 32 bits, as libseccomp does */
  bool wide = r[0].block == HK_SC_BLOCK_X86_64 && r[0].nr < X32_BIT;
  for (size_t j = 0; j < n; j++) {
    int next_rule = j + 1 < n ? new_label(g) : dflt;
    for (size_t c = 0; c < r[j].n_conds; c++) {
      bool last = c + 1 == r[j].n_conds;
      int t = last ? action_label(g, r[j].action) : new_label(g);
      emit_cond(g, &r[j].conds[c], wide, t, next_rule);
      if (!last)
        place(g, t);
    }
    if (j + 1 < n)
      place(g, next_rule);
  }
}

struct range {
  uint32_t lo;
  int target;
  bool base; /* a gap between syscalls with rules */
};

static int cmp_range(const void *pa, const void *pb) {
  const struct range *a = pa, *b = pb;
  if (a->lo != b->lo)
    return a->lo < b->lo ? -1 : 1;
  return (int)a->base - (int)b->base; /* a syscall's own range beats the gap at its start */
}

/* Binary search over ranges[l..r]: the label of its first instruction (a leaf is its target). */
static int emit_tree(struct gen *g, const struct range *ranges, size_t l, size_t r) {
  if (l == r)
    return ranges[l].target;
  size_t mid = l + (r - l + 1) / 2;
  int here = new_label(g);
  place(g, here);
  size_t node = emit(g, BPF_JMP | BPF_JGE | BPF_K, ranges[mid].lo, 0, 0);
  int below = emit_tree(g, ranges, l, mid - 1);
  int above = emit_tree(g, ranges, mid, r);
  if (!g->oom) {
    g->ins[node].jt = above;
    g->ins[node].jf = below;
  }
  return here;
}

static int cmp_rule(const void *pa, const void *pb) {
  const struct hk_sc_rule *a = pa, *b = pb;
  if (a->block != b->block)
    return a->block < b->block ? -1 : 1;
  if (a->nr != b->nr)
    return a->nr < b->nr ? -1 : 1;
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* One arch block: rules r[0..n) (sorted by number, then order) of that block. */
static int emit_block(struct gen *g, const struct hk_sc_rules *rs, enum hk_sc_block block,
                      const struct hk_sc_rule *r, size_t n) {
  bool wide = block == HK_SC_BLOCK_X86_64;
  int dflt = action_label(g, rs->default_action);
  int bad = action_label(g, SECCOMP_RET_KILL_THREAD);
  int x32_base = rs->x32 ? dflt : bad;
  /* a range per syscall, one per gap after it, and the fixed breaks of the x86_64 block */
  struct range *ranges = malloc((2 * n + 3) * sizeof *ranges);
  struct chain {
    size_t first, count;
    int label;
  } *chains = malloc((n ? n : 1) * sizeof *chains);
  if (!ranges || !chains) {
    free(ranges);
    free(chains);
    g->oom = true;
    return -ENOMEM;
  }
  size_t n_ranges = 0, n_chains = 0;
  ranges[n_ranges++] = (struct range){0, dflt, true};
  if (wide) {
    ranges[n_ranges++] = (struct range){X32_BIT, x32_base, true};
    ranges[n_ranges++] = (struct range){UINT32_MAX, dflt, true};
  }
  for (size_t i = 0; i < n;) {
    size_t end = i;
    const struct hk_sc_rule *uncond = NULL;
    for (; end < n && r[end].nr == r[i].nr; end++)
      if (!uncond && r[end].n_conds == 0)
        uncond = &r[end];
    int target;
    if (uncond) {
      target = action_label(g, uncond->action);
    } else {
      target = new_label(g);
      chains[n_chains++] = (struct chain){i, end - i, target};
    }
    ranges[n_ranges++] = (struct range){r[i].nr, target, false};
    uint32_t after = r[i].nr + 1;
    if (after != 0) {
      int base = !wide || after < X32_BIT ? dflt : after == UINT32_MAX ? dflt : x32_base;
      ranges[n_ranges++] = (struct range){after, base, true};
    }
    i = end;
  }
  qsort(ranges, n_ranges, sizeof *ranges, cmp_range);
  /* one range per start (a syscall over a gap), then merge neighbours with one outcome */
  size_t m = 0;
  for (size_t i = 0; i < n_ranges; i++) {
    if (i > 0 && ranges[i - 1].lo == ranges[i].lo)
      continue;
    if (m > 0 && ranges[m - 1].target == ranges[i].target)
      continue;
    ranges[m++] = ranges[i];
  }
  load(g, OFF_NR);
  int root = emit_tree(g, ranges, 0, m - 1);
  if (m == 1) /* no test at all: one outcome for every number */
    emit(g, BPF_JMP | BPF_JA, 0, root, 0);
  for (size_t c = 0; c < n_chains; c++) {
    place(g, chains[c].label);
    emit_chain(g, &r[chains[c].first], chains[c].count, dflt);
  }
  free(ranges);
  free(chains);
  return 0;
}

/* Labels -> offsets, growing far conditional jumps into ja pairs until everything fits. */
static int layout(struct gen *g, struct sock_filter **prog, size_t *len, struct hk_error *err) {
  size_t *pos = malloc((g->n + 1) * sizeof *pos);
  bool *wide = calloc(g->n ? g->n : 1, sizeof *wide);
  if (!pos || !wide) {
    free(pos);
    free(wide);
    return hk_error_set(err, ENOMEM, "linux.seccomp: out of memory");
  }
  for (size_t i = 0; i < g->n_labels; i++)
    if (g->label_at[i] == SIZE_MAX || g->label_at[i] >= g->n) {
      free(pos);
      free(wide);
      return hk_error_set(err, EINVAL, "linux.seccomp: internal error: label %zu not placed", i);
    }
#define TARGET(i, l) ((l) == NEXT ? pos[(i) + 1] : pos[g->label_at[l]])
  for (bool grew = true; grew;) {
    grew = false;
    pos[0] = 0;
    for (size_t i = 0; i < g->n; i++)
      pos[i + 1] = pos[i] + (wide[i] ? 3 : 1);
    for (size_t i = 0; i < g->n; i++) {
      const struct insn *in = &g->ins[i];
      if (BPF_CLASS(in->code) != BPF_JMP || BPF_OP(in->code) == BPF_JA || wide[i])
        continue;
      size_t from = pos[i] + 1;
      if (TARGET(i, in->jt) - from > 255 || TARGET(i, in->jf) - from > 255)
        wide[i] = grew = true;
    }
  }
  size_t total = pos[g->n];
  int r = 0;
  struct sock_filter *out = NULL;
  if (total > MAX_INSNS) {
    r = hk_error_set(err, E2BIG,
                     "linux.seccomp: the filter needs %zu BPF instructions, the kernel takes at "
                     "most %d",
                     total, MAX_INSNS);
    goto done;
  }
  out = malloc(total * sizeof *out);
  if (!out) {
    r = hk_error_set(err, ENOMEM, "linux.seccomp: out of memory");
    goto done;
  }
  for (size_t i = 0; i < g->n; i++) {
    const struct insn *in = &g->ins[i];
    size_t p = pos[i];
    bool jmp = BPF_CLASS(in->code) == BPF_JMP;
    size_t t = jmp ? TARGET(i, in->jt) : 0;
    size_t f = jmp && BPF_OP(in->code) != BPF_JA ? TARGET(i, in->jf) : 0;
    if (jmp && (t <= p || (BPF_OP(in->code) != BPF_JA && f <= p))) {
      r = hk_error_set(err, EINVAL, "linux.seccomp: internal error: a backward jump at %zu", p);
      goto done;
    }
    if (!jmp) {
      out[p] = (struct sock_filter)BPF_STMT(in->code, in->k);
    } else if (BPF_OP(in->code) == BPF_JA) {
      out[p] = (struct sock_filter)BPF_STMT(in->code, (uint32_t)(t - p - 1));
    } else if (!wide[i]) {
      out[p] =
          (struct sock_filter)BPF_JUMP(in->code, in->k, (uint8_t)(t - p - 1), (uint8_t)(f - p - 1));
    } else {
      out[p] = (struct sock_filter)BPF_JUMP(in->code, in->k, 0, 1);
      out[p + 1] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, (uint32_t)(t - p - 2));
      out[p + 2] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, (uint32_t)(f - p - 3));
    }
  }
#undef TARGET
  *prog = out;
  *len = total;
  out = NULL;
done:
  free(out);
  free(pos);
  free(wide);
  return r;
}

int hk_seccomp_generate(struct hk_sc_rules *rs, struct sock_filter **prog, size_t *len,
                        struct hk_error *err) {
  *prog = NULL;
  *len = 0;
  if (rs->n > 1)
    qsort(rs->v, rs->n, sizeof *rs->v, cmp_rule);
  struct gen g = {0};
  int block_label[HK_SC_BLOCKS];
  int bad = action_label(&g, SECCOMP_RET_KILL_THREAD);
  block_label[HK_SC_BLOCK_X86_64] = new_label(&g);
  block_label[HK_SC_BLOCK_I386] = rs->i386 ? new_label(&g) : 0;
  load(&g, OFF_ARCH);
  if (rs->i386) {
    jump_if(&g, BPF_JEQ, AUDIT_ARCH_X86_64, block_label[HK_SC_BLOCK_X86_64], NEXT);
    jump_if(&g, BPF_JEQ, AUDIT_ARCH_I386, block_label[HK_SC_BLOCK_I386], bad);
  } else {
    jump_if(&g, BPF_JEQ, AUDIT_ARCH_X86_64, block_label[HK_SC_BLOCK_X86_64], bad);
  }
  int r = 0;
  size_t first = 0;
  for (int b = 0; b < HK_SC_BLOCKS && r == 0; b++) {
    size_t end = first;
    while (end < rs->n && rs->v[end].block == b)
      end++;
    if (b == HK_SC_BLOCK_X86_64 || rs->i386) {
      place(&g, block_label[b]);
      r = emit_block(&g, rs, (enum hk_sc_block)b, rs->v + first, end - first);
    }
    first = end;
  }
  for (size_t i = 0; i < g.n_actions; i++) {
    place(&g, g.actions[i].label);
    emit(&g, BPF_RET | BPF_K, g.actions[i].action, 0, 0);
  }
  if (g.oom || r < 0)
    r = hk_error_set(err, ENOMEM, "linux.seccomp: out of memory");
  else
    r = layout(&g, prog, len, err);
  free(g.ins);
  free(g.label_at);
  free(g.actions);
  return r;
}

int hk_sc_rules_add(struct hk_sc_rules *rs, const struct hk_sc_rule *r) {
  if (rs->n == rs->cap) {
    size_t cap = rs->cap ? 2 * rs->cap : 64;
    struct hk_sc_rule *v = realloc(rs->v, cap * sizeof *v);
    if (!v)
      return -ENOMEM;
    rs->v = v;
    rs->cap = cap;
  }
  rs->v[rs->n] = *r;
  rs->v[rs->n].seq = (uint32_t)rs->n;
  rs->n++;
  return 0;
}

void hk_sc_rules_free(struct hk_sc_rules *rs) {
  free(rs->v);
  rs->v = NULL;
  rs->n = rs->cap = 0;
}
