/* linux.netDevices: move host interfaces into the container's network
 * namespace (renaming them on the way) with one RTM_NEWLINK each. */
#include "netdev.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

struct nl_req {
  struct nlmsghdr nh;
  struct ifinfomsg ifi;
  char attrs[256];
};

static void add_attr(struct nl_req *r, unsigned short type, const void *data, size_t len) {
  struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));
  a->rta_type = type;
  a->rta_len = (unsigned short)RTA_LENGTH(len);
  memcpy(RTA_DATA(a), data, len);
  r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static int move_one(int sock, const char *host, const char *name, pid_t pid, size_t i,
                    struct hk_error *err) {
  unsigned idx = if_nametoindex(host);
  if (!idx)
    return hk_error_sys(err, "linux.netDevices[\"%s\"]: no such interface", host);
  if (strlen(name) >= IFNAMSIZ)
    return hk_error_set(err, EINVAL, "linux.netDevices[\"%s\"].name: \"%s\" is too long", host,
                        name);
  struct nl_req r = {0};
  r.nh.nlmsg_len = NLMSG_LENGTH(sizeof r.ifi);
  r.nh.nlmsg_type = RTM_NEWLINK;
  r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  r.nh.nlmsg_seq = (unsigned)i + 1;
  r.ifi.ifi_family = AF_UNSPEC;
  r.ifi.ifi_index = (int)idx;
  uint32_t p = (uint32_t)pid;
  add_attr(&r, IFLA_NET_NS_PID, &p, sizeof p);
  add_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
  if (send(sock, &r, r.nh.nlmsg_len, 0) < 0)
    return hk_error_sys(err, "linux.netDevices[\"%s\"]: netlink send", host);
  char buf[4096];
  ssize_t n = recv(sock, buf, sizeof buf, 0);
  if (n < 0)
    return hk_error_sys(err, "linux.netDevices[\"%s\"]: netlink recv", host);
  struct nlmsghdr *h = (struct nlmsghdr *)buf;
  if (!NLMSG_OK(h, (unsigned)n) || h->nlmsg_type != NLMSG_ERROR)
    return hk_error_set(err, EPROTO, "linux.netDevices[\"%s\"]: unexpected netlink reply", host);
  struct nlmsgerr *e = NLMSG_DATA(h);
  if (e->error) {
    errno = -e->error;
    return hk_error_sys(err, "linux.netDevices[\"%s\"]: move into the container as %s", host,
                        name);
  }
  return 0;
}

int hk_netdev_move(const struct hk_spec *spec, pid_t pid, struct hk_error *err) {
  const struct hk_linux *lx = spec->linux_;
  if (!lx || !lx->n_net_devices)
    return 0;
  _cleanup_close_ int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (sock < 0)
    return hk_error_sys(err, "linux.netDevices: netlink socket");
  for (size_t i = 0; i < lx->n_net_devices; i++) {
    const struct hk_net_device *d = &lx->net_devices[i];
    const char *name = d->name && *d->name ? d->name : d->host_name;
    int r = move_one(sock, d->host_name, name, pid, i, err);
    if (r < 0)
      return r;
  }
  return 0;
}

int hk_netdev_validate(const struct hk_spec *spec, struct hk_error *err) {
  const struct hk_linux *lx = spec->linux_;
  if (!lx || !lx->n_net_devices)
    return 0;
  const struct hk_namespace *net = hk_spec_namespace(spec, HK_NS_NETWORK);
  if (!net || net->path)
    return hk_error_set(err, EINVAL,
                        "config.json: linux.netDevices: needs a new network namespace");
  for (size_t i = 0; i < lx->n_net_devices; i++)
    if (!if_nametoindex(lx->net_devices[i].host_name))
      return hk_error_sys(err, "config.json: linux.netDevices[\"%s\"]: no such interface",
                          lx->net_devices[i].host_name);
  return 0;
}
