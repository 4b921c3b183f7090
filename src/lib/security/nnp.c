/* process.noNewPrivileges */
#include <sys/prctl.h>

#include "caps.h"

int hk_set_no_new_privs(struct hk_error *err) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return hk_error_sys(err, "prctl(PR_SET_NO_NEW_PRIVS)");
  return 0;
}
