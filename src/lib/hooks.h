/* OCI hooks: each runs with the container state JSON on stdin, its own args
 * and env, and an optional timeout in seconds. */
#ifndef HAKO_HOOKS_H
#define HAKO_HOOKS_H

#include "error.h"
#include "spec.h"

/* Run every hook of `list` in order; `kind` names it in errors
 * ("hooks.createRuntime").  Stops at the first failure. */
int hk_hooks_run(const struct hk_hook_list *list, const char *kind, const char *state_json,
                 struct hk_error *err);

#endif
