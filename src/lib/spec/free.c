/* Releasing a spec.  Every function accepts a partly filled (zeroed) struct,
 * as the parser leaves one behind when it fails halfway. */
#include <stdlib.h>

#include "spec.h"

static void free_strv(char **v, size_t n) {
  if (!v)
    return;
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

static void free_kv(struct hk_kv *kv, size_t n) {
  if (!kv)
    return;
  for (size_t i = 0; i < n; i++) {
    free(kv[i].key);
    free(kv[i].value);
  }
  free(kv);
}

static void free_mount(struct hk_mount *m) {
  free(m->destination);
  free(m->type);
  free(m->source);
  free_strv(m->options, m->n_options);
  free(m->uid_mappings);
  free(m->gid_mappings);
}

static void free_caps(struct hk_capabilities *c) {
  if (!c)
    return;
  free_strv(c->bounding, c->n_bounding);
  free_strv(c->effective, c->n_effective);
  free_strv(c->inheritable, c->n_inheritable);
  free_strv(c->permitted, c->n_permitted);
  free_strv(c->ambient, c->n_ambient);
  free(c);
}

void hk_process_free(struct hk_process *p) {
  if (!p)
    return;
  free(p->user.additional_gids);
  free(p->user.username);
  free_strv(p->args, p->n_args);
  free(p->command_line);
  free_strv(p->env, p->n_env);
  free(p->cwd);
  free_caps(p->capabilities);
  if (p->rlimits)
    for (size_t i = 0; i < p->n_rlimits; i++)
      free(p->rlimits[i].type);
  free(p->rlimits);
  free(p->apparmor_profile);
  free(p->selinux_label);
  if (p->scheduler) {
    free(p->scheduler->policy);
    free_strv(p->scheduler->flags, p->scheduler->n_flags);
    free(p->scheduler);
  }
  if (p->io_priority) {
    free(p->io_priority->class_);
    free(p->io_priority);
  }
  if (p->exec_cpu_affinity) {
    free(p->exec_cpu_affinity->initial);
    free(p->exec_cpu_affinity->final);
    free(p->exec_cpu_affinity);
  }
  free(p);
}

static void free_hook_list(struct hk_hook_list *l) {
  if (!l->hooks)
    return;
  for (size_t i = 0; i < l->n; i++) {
    free(l->hooks[i].path);
    free_strv(l->hooks[i].args, l->hooks[i].n_args);
    free_strv(l->hooks[i].env, l->hooks[i].n_env);
  }
  free(l->hooks);
}

void hk_resources_free(struct hk_resources *r) {
  if (!r)
    return;
  if (r->devices)
    for (size_t i = 0; i < r->n_devices; i++) {
      free(r->devices[i].type);
      free(r->devices[i].access);
    }
  free(r->devices);
  free(r->memory);
  if (r->cpu) {
    free(r->cpu->cpus);
    free(r->cpu->mems);
    free(r->cpu);
  }
  if (r->block_io) {
    free(r->block_io->weight_device);
    free(r->block_io->throttle_read_bps_device);
    free(r->block_io->throttle_write_bps_device);
    free(r->block_io->throttle_read_iops_device);
    free(r->block_io->throttle_write_iops_device);
    free(r->block_io);
  }
  if (r->hugepage_limits)
    for (size_t i = 0; i < r->n_hugepage_limits; i++)
      free(r->hugepage_limits[i].page_size);
  free(r->hugepage_limits);
  if (r->network) {
    if (r->network->priorities)
      for (size_t i = 0; i < r->network->n_priorities; i++)
        free(r->network->priorities[i].name);
    free(r->network->priorities);
    free(r->network);
  }
  if (r->rdma)
    for (size_t i = 0; i < r->n_rdma; i++)
      free(r->rdma[i].device);
  free(r->rdma);
  free_kv(r->unified, r->n_unified);
  free(r);
}

static void free_seccomp(struct hk_seccomp *s) {
  if (!s)
    return;
  free(s->default_action);
  free_strv(s->architectures, s->n_architectures);
  free_strv(s->flags, s->n_flags);
  free(s->listener_path);
  free(s->listener_metadata);
  if (s->syscalls)
    for (size_t i = 0; i < s->n_syscalls; i++) {
      struct hk_seccomp_syscall *sc = &s->syscalls[i];
      free_strv(sc->names, sc->n_names);
      free(sc->action);
      if (sc->args)
        for (size_t j = 0; j < sc->n_args; j++)
          free(sc->args[j].op);
      free(sc->args);
    }
  free(s->syscalls);
  free(s);
}

static void free_linux(struct hk_linux *l) {
  if (!l)
    return;
  if (l->namespaces)
    for (size_t i = 0; i < l->n_namespaces; i++)
      free(l->namespaces[i].path);
  free(l->namespaces);
  free(l->uid_mappings);
  free(l->gid_mappings);
  if (l->time_offsets)
    for (size_t i = 0; i < l->n_time_offsets; i++)
      free(l->time_offsets[i].clock);
  free(l->time_offsets);
  if (l->devices)
    for (size_t i = 0; i < l->n_devices; i++)
      free(l->devices[i].path);
  free(l->devices);
  if (l->net_devices)
    for (size_t i = 0; i < l->n_net_devices; i++) {
      free(l->net_devices[i].host_name);
      free(l->net_devices[i].name);
    }
  free(l->net_devices);
  free(l->cgroups_path);
  hk_resources_free(l->resources);
  if (l->intel_rdt) {
    free(l->intel_rdt->clos_id);
    free(l->intel_rdt->l3_cache_schema);
    free(l->intel_rdt->mem_bw_schema);
    free_strv(l->intel_rdt->schemata, l->intel_rdt->n_schemata);
    free(l->intel_rdt);
  }
  if (l->memory_policy) {
    free(l->memory_policy->mode);
    free(l->memory_policy->nodes);
    free_strv(l->memory_policy->flags, l->memory_policy->n_flags);
    free(l->memory_policy);
  }
  free_kv(l->sysctl, l->n_sysctl);
  free_seccomp(l->seccomp);
  free(l->rootfs_propagation);
  free_strv(l->masked_paths, l->n_masked_paths);
  free_strv(l->readonly_paths, l->n_readonly_paths);
  free(l->mount_label);
  if (l->personality) {
    free(l->personality->domain);
    free_strv(l->personality->flags, l->personality->n_flags);
    free(l->personality);
  }
  free(l);
}

void hk_spec_free(struct hk_spec *spec) {
  if (!spec)
    return;
  free(spec->oci_version);
  free(spec->root_path);
  if (spec->mounts)
    for (size_t i = 0; i < spec->n_mounts; i++)
      free_mount(&spec->mounts[i]);
  free(spec->mounts);
  hk_process_free(spec->process);
  free(spec->hostname);
  free(spec->domainname);
  free_hook_list(&spec->hooks.prestart);
  free_hook_list(&spec->hooks.create_runtime);
  free_hook_list(&spec->hooks.create_container);
  free_hook_list(&spec->hooks.start_container);
  free_hook_list(&spec->hooks.poststart);
  free_hook_list(&spec->hooks.poststop);
  free_kv(spec->annotations, spec->n_annotations);
  free_linux(spec->linux_);
  free(spec);
}
