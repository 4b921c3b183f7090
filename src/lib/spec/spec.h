/* The OCI runtime-spec v1.3.0 config.json (Linux parts) as typed C structs.
 *
 * Naming: a struct field is the JSON key in snake_case.  An optional scalar has
 * a `has_<name>` flag next to it; an absent string is NULL; an array is a
 * pointer plus `n_<name>`.  Everything is owned by the struct and released by
 * hk_spec_free().  Arrays of strings (args, env, options, ...) are also
 * NULL-terminated, so they can go to execve() as they are; a present but
 * empty array is a non-NULL pointer with n = 0. */
#ifndef HAKO_SPEC_H
#define HAKO_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct hk_idmap {
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct hk_mount {
  char *destination; /* required */
  char *type;
  char *source;
  char **options;
  size_t n_options;
  struct hk_idmap *uid_mappings;
  size_t n_uid_mappings;
  struct hk_idmap *gid_mappings;
  size_t n_gid_mappings;
};

struct hk_rlimit {
  char *type; /* "RLIMIT_NOFILE" ... */
  int resource; /* the RLIMIT_* number, resolved by the parser */
  uint64_t soft;
  uint64_t hard;
};

struct hk_capabilities {
  /* Each set: NULL (absent) or an array of "CAP_*" names. */
  char **bounding;
  size_t n_bounding;
  char **effective;
  size_t n_effective;
  char **inheritable;
  size_t n_inheritable;
  char **permitted;
  size_t n_permitted;
  char **ambient;
  size_t n_ambient;
};

struct hk_scheduler {
  char *policy; /* required: SCHED_OTHER ... */
  bool has_nice;
  int32_t nice;
  bool has_priority;
  int32_t priority;
  char **flags;
  size_t n_flags;
  bool has_runtime;
  uint64_t runtime;
  bool has_deadline;
  uint64_t deadline;
  bool has_period;
  uint64_t period;
};

struct hk_io_priority {
  char *class_; /* "class": IOPRIO_CLASS_RT|BE|IDLE */
  int32_t priority;
};

struct hk_exec_cpu_affinity {
  char *initial;
  char *final;
};

struct hk_user {
  uint32_t uid;
  uint32_t gid;
  bool has_umask;
  uint32_t umask;
  uint32_t *additional_gids;
  size_t n_additional_gids;
  char *username;
};

struct hk_process {
  bool terminal;
  bool has_console_size;
  uint32_t console_height;
  uint32_t console_width;
  struct hk_user user;
  char **args;
  size_t n_args;
  char *command_line;
  char **env;
  size_t n_env;
  char *cwd; /* required */
  struct hk_capabilities *capabilities; /* NULL when absent */
  struct hk_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privileges;
  char *apparmor_profile;
  bool has_oom_score_adj;
  int oom_score_adj;
  char *selinux_label;
  struct hk_scheduler *scheduler;
  struct hk_io_priority *io_priority;
  struct hk_exec_cpu_affinity *exec_cpu_affinity;
};

struct hk_hook {
  char *path; /* required */
  char **args;
  size_t n_args;
  char **env;
  size_t n_env;
  bool has_timeout;
  int timeout; /* seconds, > 0 */
};

struct hk_hook_list {
  struct hk_hook *hooks;
  size_t n;
};

struct hk_hooks {
  struct hk_hook_list prestart;
  struct hk_hook_list create_runtime;
  struct hk_hook_list create_container;
  struct hk_hook_list start_container;
  struct hk_hook_list poststart;
  struct hk_hook_list poststop;
};

struct hk_kv {
  char *key;
  char *value;
};

enum hk_ns_type {
  HK_NS_PID,
  HK_NS_NETWORK,
  HK_NS_MOUNT,
  HK_NS_IPC,
  HK_NS_UTS,
  HK_NS_USER,
  HK_NS_CGROUP,
  HK_NS_TIME,
  HK_NS__COUNT
};

struct hk_namespace {
  enum hk_ns_type type;
  char *path; /* NULL: create a new one */
};

struct hk_device {
  char *path;   /* required */
  char type;    /* 'c', 'b', 'u' or 'p' */
  bool has_major;
  int64_t major;
  bool has_minor;
  int64_t minor;
  bool has_file_mode;
  uint32_t file_mode;
  bool has_uid;
  uint32_t uid;
  bool has_gid;
  uint32_t gid;
};

struct hk_device_rule {
  bool allow;
  char *type; /* "a", "c", "b"; NULL = all */
  bool has_major;
  int64_t major;
  bool has_minor;
  int64_t minor;
  char *access; /* "rwm" subset; NULL = all */
};

struct hk_memory {
  bool has_limit;
  int64_t limit;
  bool has_reservation;
  int64_t reservation;
  bool has_swap;
  int64_t swap;
  bool has_kernel;
  int64_t kernel;
  bool has_kernel_tcp;
  int64_t kernel_tcp;
  bool has_swappiness;
  uint64_t swappiness;
  bool has_disable_oom_killer;
  bool disable_oom_killer;
  bool has_use_hierarchy;
  bool use_hierarchy;
  bool has_check_before_update;
  bool check_before_update;
};

struct hk_cpu {
  bool has_shares;
  uint64_t shares;
  bool has_quota;
  int64_t quota;
  bool has_burst;
  uint64_t burst;
  bool has_period;
  uint64_t period;
  bool has_realtime_runtime;
  int64_t realtime_runtime;
  bool has_realtime_period;
  uint64_t realtime_period;
  char *cpus;
  char *mems;
  bool has_idle;
  int64_t idle;
};

struct hk_blkio_weight_device {
  int64_t major;
  int64_t minor;
  bool has_weight;
  uint16_t weight;
  bool has_leaf_weight;
  uint16_t leaf_weight;
};

struct hk_blkio_throttle {
  int64_t major;
  int64_t minor;
  uint64_t rate;
};

struct hk_blkio {
  bool has_weight;
  uint16_t weight;
  bool has_leaf_weight;
  uint16_t leaf_weight;
  struct hk_blkio_weight_device *weight_device;
  size_t n_weight_device;
  struct hk_blkio_throttle *throttle_read_bps_device;
  size_t n_throttle_read_bps_device;
  struct hk_blkio_throttle *throttle_write_bps_device;
  size_t n_throttle_write_bps_device;
  struct hk_blkio_throttle *throttle_read_iops_device;
  size_t n_throttle_read_iops_device;
  struct hk_blkio_throttle *throttle_write_iops_device;
  size_t n_throttle_write_iops_device;
};

struct hk_hugepage_limit {
  char *page_size; /* "2MB" */
  uint64_t limit;
};

struct hk_net_priority {
  char *name;
  uint32_t priority;
};

struct hk_network {
  bool has_class_id;
  uint32_t class_id;
  struct hk_net_priority *priorities;
  size_t n_priorities;
};

struct hk_rdma {
  char *device;
  bool has_hca_handles;
  uint32_t hca_handles;
  bool has_hca_objects;
  uint32_t hca_objects;
};

struct hk_resources {
  struct hk_device_rule *devices;
  size_t n_devices;
  struct hk_memory *memory;
  struct hk_cpu *cpu;
  bool has_pids_limit; /* pids.limit */
  int64_t pids_limit;
  struct hk_blkio *block_io;
  struct hk_hugepage_limit *hugepage_limits;
  size_t n_hugepage_limits;
  struct hk_network *network;
  struct hk_rdma *rdma;
  size_t n_rdma;
  struct hk_kv *unified;
  size_t n_unified;
};

struct hk_intel_rdt {
  char *clos_id;
  char *l3_cache_schema;
  char *mem_bw_schema;
  char **schemata;
  size_t n_schemata;
  bool has_enable_monitoring;
  bool enable_monitoring;
};

struct hk_memory_policy {
  char *mode; /* required */
  char *nodes;
  char **flags;
  size_t n_flags;
};

struct hk_seccomp_arg {
  uint32_t index;
  uint64_t value;
  bool has_value_two;
  uint64_t value_two;
  char *op; /* SCMP_CMP_* */
};

struct hk_seccomp_syscall {
  char **names;
  size_t n_names;
  char *action; /* required */
  bool has_errno_ret;
  uint32_t errno_ret;
  struct hk_seccomp_arg *args;
  size_t n_args;
};

struct hk_seccomp {
  char *default_action; /* required */
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  char **architectures;
  size_t n_architectures;
  char **flags;
  size_t n_flags;
  char *listener_path;
  char *listener_metadata;
  struct hk_seccomp_syscall *syscalls;
  size_t n_syscalls;
};

struct hk_time_offset {
  char *clock; /* "monotonic" or "boottime" */
  int64_t secs;
  uint32_t nanosecs;
};

struct hk_net_device {
  char *host_name; /* the key of linux.netDevices */
  char *name;
};

struct hk_personality {
  char *domain; /* LINUX or LINUX32 */
  char **flags;
  size_t n_flags;
};

struct hk_linux {
  struct hk_namespace *namespaces;
  size_t n_namespaces;
  struct hk_idmap *uid_mappings;
  size_t n_uid_mappings;
  struct hk_idmap *gid_mappings;
  size_t n_gid_mappings;
  struct hk_time_offset *time_offsets;
  size_t n_time_offsets;
  struct hk_device *devices;
  size_t n_devices;
  struct hk_net_device *net_devices;
  size_t n_net_devices;
  char *cgroups_path;
  struct hk_resources *resources;
  struct hk_intel_rdt *intel_rdt;
  struct hk_memory_policy *memory_policy;
  struct hk_kv *sysctl;
  size_t n_sysctl;
  struct hk_seccomp *seccomp;
  char *rootfs_propagation;
  char **masked_paths;
  size_t n_masked_paths;
  char **readonly_paths;
  size_t n_readonly_paths;
  char *mount_label;
  struct hk_personality *personality;
};

struct hk_spec {
  char *oci_version; /* required */
  char *root_path;   /* root.path, NULL when there is no root */
  bool root_readonly;
  struct hk_mount *mounts;
  size_t n_mounts;
  struct hk_process *process; /* NULL when absent */
  char *hostname;
  char *domainname;
  struct hk_hooks hooks;
  struct hk_kv *annotations;
  size_t n_annotations;
  struct hk_linux *linux_; /* NULL when absent */
};

/* Parse config text.  `name` is what errors call the file ("config.json").
 * On failure returns a negative errno and fills err with
 * "<name>: <json.path>: <what is wrong>". */
int hk_spec_parse(const char *text, size_t len, const char *name, struct hk_spec **out,
                  struct hk_error *err);
/* Read and parse a file; the error names the file as `name`. */
int hk_spec_load(const char *path, const char *name, struct hk_spec **out, struct hk_error *err);
void hk_spec_free(struct hk_spec *spec);
/* A process object alone (`exec --process FILE`), with the same rules as
 * config.json's process; paths in errors start at the top ("args"). */
int hk_spec_parse_process(const char *text, size_t len, const char *name,
                          struct hk_process **out, struct hk_error *err);
void hk_process_free(struct hk_process *p);
/* A LinuxResources object alone (`update --resources FILE`), with the same rules
 * as config.json's linux.resources; paths in errors start at the top ("memory"). */
int hk_spec_parse_resources(const char *text, size_t len, const char *name,
                            struct hk_resources **out, struct hk_error *err);
void hk_resources_free(struct hk_resources *r);

/* Returns the namespace entry of `type`, or NULL when the config has none. */
const struct hk_namespace *hk_spec_namespace(const struct hk_spec *spec, enum hk_ns_type type);
/* "pid", "network", ... <-> enum; -1 / NULL when unknown. */
int hk_ns_type_from_name(const char *name);
const char *hk_ns_type_name(enum hk_ns_type type);

/* Render the default config that `hako spec` writes (rootless: for the calling user). */
char *hk_spec_default_json(bool rootless, uid_t uid, gid_t gid);

#endif
