/* The raw-netlink floor of the benchmark: the fewest system calls and kernel
 * requests that reach the same end state as the other ways, pipelined, one
 * thread, no library but libc. Nothing here is reused by nlua; it only says
 * what the kernel itself needs.
 *
 *   floor star-build N     N namespaces on a bridge (see bench/README.md)
 *   floor star-down N      the namespaces and the bridge go
 *   floor routes-add K     K /32 routes "10.x.y.z/32 dev d0 table 100"
 *   floor routes-dump      dump table 100 into an array of structs
 *   floor routes-flush     dump table 100 and delete every route (pipelined)
 *   floor links-list       dump every link with its stats into structs
 *
 * Phase times go to stderr as one JSON object. Built by bench/run with
 * `gcc -O2`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

#define CHUNK (64 << 10)
#define RECVBUF (1 << 20)

static uint32_t seq = 1;
static char rbuf[RECVBUF];

static double now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
	perror(what);
	exit(1);
}

static int nl_open(void) {
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) die("socket");
	int rcv = 32 << 20, snd = 1 << 20, one = 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
	return fd;
}

/* A batch of requests being built: messages back to back. */
struct batch {
	char *p;
	size_t len, cap;
	size_t last; /* offset of the newest message */
};

static void grow(struct batch *b, size_t n) {
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p) die("realloc");
	}
}

static struct nlmsghdr *msg_begin(struct batch *b, uint16_t type, uint16_t flags) {
	grow(b, NLMSG_HDRLEN);
	b->last = b->len;
	struct nlmsghdr *h = (struct nlmsghdr *)(b->p + b->len);
	memset(h, 0, NLMSG_HDRLEN);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = seq++;
	b->len += NLMSG_HDRLEN;
	return h;
}

static void put(struct batch *b, const void *d, size_t n) {
	size_t a = NLMSG_ALIGN(n);
	grow(b, a);
	memcpy(b->p + b->len, d, n);
	memset(b->p + b->len + n, 0, a - n);
	b->len += a;
}

static void attr(struct batch *b, uint16_t type, const void *d, size_t n) {
	struct nlattr a = {.nla_len = NLA_HDRLEN + n, .nla_type = type};
	grow(b, NLA_HDRLEN + NLA_ALIGN(n));
	memcpy(b->p + b->len, &a, NLA_HDRLEN);
	b->len += NLA_HDRLEN;
	if (n) {
		memcpy(b->p + b->len, d, n);
		memset(b->p + b->len + n, 0, NLA_ALIGN(n) - n);
	}
	b->len += NLA_ALIGN(n);
}

static void attr_u32(struct batch *b, uint16_t type, uint32_t v) { attr(b, type, &v, 4); }
static void attr_str(struct batch *b, uint16_t type, const char *s) { attr(b, type, s, strlen(s) + 1); }
static size_t nest_begin(struct batch *b, uint16_t type) {
	size_t at = b->len;
	attr(b, type, NULL, 0);
	return at;
}
static void nest_end(struct batch *b, size_t at) { ((struct nlattr *)(b->p + at))->nla_len = b->len - at; }
static void msg_end(struct batch *b) { ((struct nlmsghdr *)(b->p + b->last))->nlmsg_len = b->len - b->last; }

/* Read until the ack of `want`; any error answer fails the run. */
static void wait_ack(int fd, uint32_t want) {
	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof rbuf, 0);
		if (n < 0) {
			if (errno == EINTR) continue;
			die("recv");
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type != NLMSG_ERROR) continue;
			struct nlmsgerr *e = NLMSG_DATA(h);
			if (e->error) {
				fprintf(stderr, "floor: request %u: %s\n", h->nlmsg_seq, strerror(-e->error));
				exit(1);
			}
			if (h->nlmsg_seq == want) return;
		}
	}
}

/* Send a batch in datagrams of at most CHUNK bytes, split on message
 * boundaries; only the last message of each datagram asks for an ack. */
static void flush(int fd, struct batch *b) {
	size_t off = 0;
	while (off < b->len) {
		size_t end = off, lastmsg = off;
		while (end < b->len) {
			struct nlmsghdr *h = (struct nlmsghdr *)(b->p + end);
			if (end > off && end + h->nlmsg_len - off > CHUNK) break;
			lastmsg = end;
			end += NLMSG_ALIGN(h->nlmsg_len);
		}
		struct nlmsghdr *l = (struct nlmsghdr *)(b->p + lastmsg);
		l->nlmsg_flags |= NLM_F_ACK;
		struct sockaddr_nl k = {.nl_family = AF_NETLINK};
		if (sendto(fd, b->p + off, end - off, 0, (struct sockaddr *)&k, sizeof k) < 0) die("sendto");
		wait_ack(fd, l->nlmsg_seq);
		off = end;
	}
	b->len = 0;
}

/* Run a dump, calling `each` for every object message. */
static void dump(int fd, struct batch *b, void (*each)(struct nlmsghdr *, void *), void *ctx) {
	uint32_t want = ((struct nlmsghdr *)(b->p + b->last))->nlmsg_seq;
	struct sockaddr_nl k = {.nl_family = AF_NETLINK};
	if (sendto(fd, b->p, b->len, 0, (struct sockaddr *)&k, sizeof k) < 0) die("sendto");
	b->len = 0;
	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof rbuf, 0);
		if (n < 0) {
			if (errno == EINTR) continue;
			die("recv");
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != want) continue;
			if (h->nlmsg_type == NLMSG_DONE) return;
			if (h->nlmsg_type == NLMSG_ERROR) {
				fprintf(stderr, "floor: dump: %s\n", strerror(-((struct nlmsgerr *)NLMSG_DATA(h))->error));
				exit(1);
			}
			if (h->nlmsg_flags & NLM_F_DUMP_INTR) {
				fprintf(stderr, "floor: dump interrupted\n");
				exit(1);
			}
			each(h, ctx);
		}
	}
}

static void ifinfo(struct batch *b, int index, unsigned flags, unsigned change) {
	struct ifinfomsg i = {.ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = flags, .ifi_change = change};
	put(b, &i, sizeof i);
}

static void addr4(struct batch *b, int index, uint32_t ip, int plen) {
	msg_begin(b, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg a = {.ifa_family = AF_INET, .ifa_prefixlen = plen, .ifa_index = index};
	put(b, &a, sizeof a);
	uint32_t be = htonl(ip);
	attr(b, IFA_LOCAL, &be, 4);
	attr(b, IFA_ADDRESS, &be, 4);
	msg_end(b);
}

static void link_up(struct batch *b, int index) {
	msg_begin(b, RTM_NEWLINK, 0);
	ifinfo(b, index, IFF_UP, IFF_UP);
	msg_end(b);
}

/* Address of namespace i's link: 10.A.B.1 (centre end) and .2 (namespace end). */
static uint32_t star_ip(int i, int end) { return (10u << 24) | ((i / 64) << 16) | (((i % 64) * 4) << 8) | end; }

static void netns_dir(void) {
	mkdir("/run/netns", 0755);
	if (mount("", "/run/netns", "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL) die("mount --make-shared /run/netns");
		if (mount("/run/netns", "/run/netns", "none", MS_BIND | MS_REC, NULL) < 0) die("mount --bind /run/netns");
		if (mount("", "/run/netns", "none", MS_SHARED | MS_REC, NULL) < 0) die("mount --make-shared /run/netns");
	}
}

/* Host-side ifindex of namespace i's veth: chosen by the request, so no
 * lookup is needed (a fresh world has nothing there). */
#define HOST_INDEX(i) (1000 + (i))
#define NS_INDEX 2
#define BR_INDEX 999

/* Namespaces are made by a few threads at once, as nlua's
 * `netns.add{...}` does: a namespace's setup mostly runs in parallel. Each
 * thread unshares into a new namespace per name (it never needs to come
 * back), bind-mounts it and opens a socket there. */
struct ns_work {
	int n, k, threads, *nsfd, *sock;
};

static void *ns_worker(void *arg) {
	struct ns_work *w = arg;
	char path[64];
	for (int i = 1 + w->k; i <= w->n; i += w->threads) {
		snprintf(path, sizeof path, "/run/netns/s%d", i);
		int f = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
		if (f < 0) die(path);
		close(f);
		if (unshare(CLONE_NEWNET) < 0) die("unshare");
		if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) die("mount");
		w->nsfd[i] = open(path, O_RDONLY | O_CLOEXEC);
		w->sock[i] = nl_open();
	}
	return NULL;
}

static int star_build(int n) {
	double t0 = now();
	struct batch b = {0};
	int cs = nl_open();
	int *nsfd = calloc(n + 1, sizeof(int)), *sock = calloc(n + 1, sizeof(int));
	if (!nsfd || !sock) die("calloc");

	/* The bridge, down until the end (see bench/README.md). */
	msg_begin(&b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	ifinfo(&b, BR_INDEX, 0, 0);
	attr_str(&b, IFLA_IFNAME, "br0");
	size_t li = nest_begin(&b, IFLA_LINKINFO);
	attr_str(&b, IFLA_INFO_KIND, "bridge");
	nest_end(&b, li);
	msg_end(&b);
	flush(cs, &b);

	/* Namespaces: made by up to 4 threads (one per CPU), see ns_worker. */
	netns_dir();
	double t1 = now();
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int threads = cpus < 1 ? 1 : cpus > 4 ? 4 : (int)cpus;
	pthread_t th[4];
	struct ns_work w[4];
	for (int k = 0; k < threads; k++) {
		w[k] = (struct ns_work){.n = n, .k = k, .threads = threads, .nsfd = nsfd, .sock = sock};
		if (pthread_create(&th[k], NULL, ns_worker, &w[k])) die("pthread_create");
	}
	for (int k = 0; k < threads; k++) pthread_join(th[k], NULL);
	double t2 = now();

	/* Veths, peers born in their namespace, centre end enslaved and up. */
	for (int i = 1; i <= n; i++) {
		char name[16];
		snprintf(name, sizeof name, "h%d", i);
		msg_begin(&b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
		ifinfo(&b, HOST_INDEX(i), IFF_UP, IFF_UP);
		attr_str(&b, IFLA_IFNAME, name);
		attr_u32(&b, IFLA_MASTER, BR_INDEX);
		size_t info = nest_begin(&b, IFLA_LINKINFO);
		attr_str(&b, IFLA_INFO_KIND, "veth");
		size_t data = nest_begin(&b, IFLA_INFO_DATA);
		size_t peer = nest_begin(&b, VETH_INFO_PEER);
		ifinfo(&b, NS_INDEX, 0, 0);
		attr_str(&b, IFLA_IFNAME, "eth0");
		attr_u32(&b, IFLA_NET_NS_FD, nsfd[i]);
		nest_end(&b, peer);
		nest_end(&b, data);
		nest_end(&b, info);
		msg_end(&b);
	}
	flush(cs, &b);
	for (int i = 1; i <= n; i++) addr4(&b, HOST_INDEX(i), star_ip(i, 1), 30);
	flush(cs, &b);
	double t3 = now();

	/* In each namespace, one datagram: address, eth0 up, lo up, default route. */
	for (int i = 1; i <= n; i++) {
		addr4(&b, NS_INDEX, star_ip(i, 2), 30);
		link_up(&b, NS_INDEX);
		link_up(&b, 1);
		msg_begin(&b, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
		struct rtmsg r = {.rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
		                  .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST};
		put(&b, &r, sizeof r);
		uint32_t gw = htonl(star_ip(i, 1));
		attr(&b, RTA_GATEWAY, &gw, 4);
		msg_end(&b);
		flush(sock[i], &b);
	}
	/* The bridge up, last. */
	link_up(&b, BR_INDEX);
	flush(cs, &b);
	double t4 = now();
	fprintf(stderr, "{\"setup\":%.6f,\"netns\":%.6f,\"veths\":%.6f,\"in_ns\":%.6f}\n", t1 - t0, t2 - t1, t3 - t2, t4 - t3);
	return 0;
}

static int star_down(int n) {
	char path[64];
	double t0 = now();
	for (int i = 1; i <= n; i++) {
		snprintf(path, sizeof path, "/run/netns/s%d", i);
		if (umount2(path, MNT_DETACH) < 0) die("umount");
		if (unlink(path) < 0) die("unlink");
	}
	double t1 = now();
	int cs = nl_open();
	struct batch b = {0};
	msg_begin(&b, RTM_DELLINK, 0);
	ifinfo(&b, 0, 0, 0);
	attr_str(&b, IFLA_IFNAME, "br0");
	msg_end(&b);
	flush(cs, &b);
	fprintf(stderr, "{\"netns\":%.6f,\"bridge\":%.6f}\n", t1 - t0, now() - t1);
	return 0;
}

static void take_index(struct nlmsghdr *h, void *ctx) { *(int *)ctx = ((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index; }

static int link_index(int fd, const char *name) {
	struct batch b = {0};
	int index = 0;
	msg_begin(&b, RTM_GETLINK, 0);
	ifinfo(&b, 0, 0, 0);
	attr_str(&b, IFLA_IFNAME, name);
	msg_end(&b);
	/* A single-object answer ends with an ack, not NLMSG_DONE: read it by hand. */
	uint32_t want = ((struct nlmsghdr *)b.p)->nlmsg_seq;
	((struct nlmsghdr *)b.p)->nlmsg_flags |= NLM_F_ACK;
	struct sockaddr_nl k = {.nl_family = AF_NETLINK};
	if (sendto(fd, b.p, b.len, 0, (struct sockaddr *)&k, sizeof k) < 0) die("sendto");
	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof rbuf, 0);
		if (n < 0) die("recv");
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != want) continue;
			if (h->nlmsg_type == RTM_NEWLINK) take_index(h, &index);
			if (h->nlmsg_type == NLMSG_ERROR) {
				if (((struct nlmsgerr *)NLMSG_DATA(h))->error) die(name);
				free(b.p);
				return index;
			}
		}
	}
}

static void route_msg(struct batch *b, uint16_t type, uint16_t flags, uint32_t dst, int oif) {
	msg_begin(b, type, flags);
	struct rtmsg r = {.rtm_family = AF_INET, .rtm_dst_len = 32, .rtm_table = 100, .rtm_protocol = RTPROT_BOOT,
	                  .rtm_scope = RT_SCOPE_LINK, .rtm_type = RTN_UNICAST};
	put(b, &r, sizeof r);
	uint32_t be = htonl(dst);
	attr(b, RTA_DST, &be, 4);
	attr_u32(b, RTA_OIF, oif);
	msg_end(b);
}

static int routes_add(int k) {
	int fd = nl_open();
	struct batch b = {0};
	int oif = link_index(fd, "d0");
	for (int i = 0; i < k; i++) route_msg(&b, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, (10u << 24) | i, oif);
	flush(fd, &b);
	return 0;
}

/* What a dump is read into: the keys a caller would use. */
struct route {
	uint32_t dst, gw;
	int oif;
	uint8_t dst_len, table, protocol, scope, type;
};
struct routes {
	struct route *v;
	size_t n, cap;
};

static void take_route(struct nlmsghdr *h, void *ctx) {
	struct routes *rs = ctx;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 1024;
		rs->v = realloc(rs->v, rs->cap * sizeof *rs->v);
		if (!rs->v) die("realloc");
	}
	struct rtmsg *r = NLMSG_DATA(h);
	struct route *o = &rs->v[rs->n++];
	memset(o, 0, sizeof *o);
	o->dst_len = r->rtm_dst_len, o->table = r->rtm_table, o->protocol = r->rtm_protocol;
	o->scope = r->rtm_scope, o->type = r->rtm_type;
	int len = RTM_PAYLOAD(h);
	for (struct rtattr *a = RTM_RTA(r); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_DST) memcpy(&o->dst, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_GATEWAY) memcpy(&o->gw, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_OIF) memcpy(&o->oif, RTA_DATA(a), 4);
	}
}

static struct routes dump_table(int fd) {
	struct batch b = {0};
	struct routes rs = {0};
	msg_begin(&b, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg r = {.rtm_family = AF_INET, .rtm_table = 100};
	put(&b, &r, sizeof r);
	attr_u32(&b, RTA_TABLE, 100);
	msg_end(&b);
	dump(fd, &b, take_route, &rs);
	free(b.p);
	return rs;
}

static int routes_dump(void) {
	struct routes rs = dump_table(nl_open());
	fprintf(stderr, "{\"routes\":%zu}\n", rs.n);
	return 0;
}

static int routes_flush(void) {
	int fd = nl_open();
	struct routes rs = dump_table(fd);
	struct batch b = {0};
	for (size_t i = 0; i < rs.n; i++) route_msg(&b, RTM_DELROUTE, 0, ntohl(rs.v[i].dst), rs.v[i].oif);
	flush(fd, &b);
	fprintf(stderr, "{\"routes\":%zu}\n", rs.n);
	return 0;
}

struct link {
	int index, mtu;
	unsigned flags;
	char name[IFNAMSIZ];
	struct rtnl_link_stats64 stats;
};
struct links {
	struct link *v;
	size_t n, cap;
};

static void take_link(struct nlmsghdr *h, void *ctx) {
	struct links *ls = ctx;
	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? ls->cap * 2 : 256;
		ls->v = realloc(ls->v, ls->cap * sizeof *ls->v);
		if (!ls->v) die("realloc");
	}
	struct ifinfomsg *i = NLMSG_DATA(h);
	struct link *o = &ls->v[ls->n++];
	memset(o, 0, sizeof *o);
	o->index = i->ifi_index, o->flags = i->ifi_flags;
	int len = IFLA_PAYLOAD(h);
	for (struct rtattr *a = IFLA_RTA(i); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_IFNAME) strncpy(o->name, RTA_DATA(a), IFNAMSIZ - 1);
		else if (a->rta_type == IFLA_MTU) memcpy(&o->mtu, RTA_DATA(a), 4);
		else if (a->rta_type == IFLA_STATS64) memcpy(&o->stats, RTA_DATA(a), sizeof o->stats);
	}
}

static int links_list(void) {
	int fd = nl_open();
	struct batch b = {0};
	struct links ls = {0};
	msg_begin(&b, RTM_GETLINK, NLM_F_DUMP);
	ifinfo(&b, 0, 0, 0);
	msg_end(&b);
	dump(fd, &b, take_link, &ls);
	fprintf(stderr, "{\"links\":%zu}\n", ls.n);
	return 0;
}

/* `floor run OUT CMD...`: the harness's launcher. Runs CMD, then writes its
 * wall time (fork to reaped) and peak RSS to OUT as JSON. A launcher this
 * small keeps a forked Python's memory out of the child's ru_maxrss. */
static int run(char *out, char **cmd) {
	double t0 = now();
	pid_t pid = fork();
	if (pid < 0) die("fork");
	if (pid == 0) {
		execvp(cmd[0], cmd);
		perror(cmd[0]);
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0) die("wait4");
	double t = now() - t0;
	FILE *f = fopen(out, "w");
	if (!f) die(out);
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(f, "{\"t\":%.9f,\"rss_kb\":%ld,\"rc\":%d}\n", t, ru.ru_maxrss, rc);
	fclose(f);
	return rc;
}

int main(int argc, char **argv) {
	if (argc >= 4 && !strcmp(argv[1], "run")) return run(argv[2], argv + 3);
	if (argc >= 3 && !strcmp(argv[1], "star-build")) return star_build(atoi(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "star-down")) return star_down(atoi(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "routes-add")) return routes_add(atoi(argv[2]));
	if (argc >= 2 && !strcmp(argv[1], "routes-dump")) return routes_dump();
	if (argc >= 2 && !strcmp(argv[1], "routes-flush")) return routes_flush();
	if (argc >= 2 && !strcmp(argv[1], "links-list")) return links_list();
	fprintf(stderr, "usage: floor star-build N | star-down N | routes-add K | routes-dump | routes-flush | links-list\n");
	return 2;
}
