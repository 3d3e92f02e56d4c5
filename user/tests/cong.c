// SPDX-License-Identifier: GPL-2.0
/*
 * cong: congestion control as a user sees it.  The default (CUBIC) and the sysctls
 * net.xtcp.congestion_control, available_ and allowed_congestion_control; TCP_CONGESTION
 * at both levels, its errors as Linux TCP's, an accepted connection taking its
 * listener's choice; the example module xtcp_vegas_lite.ko loaded, refused to the
 * unprivileged until allowed, chosen by a client that sends 8 MiB byte-exact across a
 * veth pair with 5 ms each way, TCP_CC_INFO showing its RTT measurements; the module
 * held while a socket uses it, unloaded after.  Pacing: SO_MAX_PACING_RATE holds a
 * transfer to its rate over the same path, for xtcp as for Linux TCP, and TCP_INFO
 * reports the pacing rate of a socket (within the limit) and the limit.
 *   cong PATH-TO-xtcp_vegas_lite.ko
 *   cong --autoload      (the modules installed) TCP_CONGESTION loads the example
 * Runs as root with xtcp.ko loaded; needs ip and tc (iproute2).
 */
#define _GNU_SOURCE
#include <linux/inet_diag.h>
#include <linux/tcp.h>
#include <sys/wait.h>
#include "tap.h"
#include "xtcp_test.h"

#define CLIENT_IP "10.9.6.1"
#define SERVER_IP "10.9.6.2"
#define SYSCTL "/proc/sys/net/xtcp/"
#define BYTES (8 << 20)
#define CA_NAME_MAX 16		/* TCP_CA_NAME_MAX */

static const char *const ns_names[2] = { "xtcp-cc-c", "xtcp-cc-s" };

/* the sysctl net.xtcp.@name, its trailing newline cut; "" if unreadable */
static const char *sysctl_get(const char *name)
{
	static char buf[256];
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), SYSCTL "%s", name);
	buf[0] = 0;
	f = fopen(path, "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* write the sysctl: 0, or the errno */
static int sysctl_set(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), SYSCTL "%s", name);
	return write_file(path, val) ? errno : 0;
}

/* TCP_CONGESTION of @fd at @level; "?" if it fails */
static const char *ca_of(int fd, int level)
{
	static char name[CA_NAME_MAX + 1];
	socklen_t len = CA_NAME_MAX;

	memset(name, 0, sizeof(name));
	if (getsockopt(fd, level, TCP_CONGESTION, name, &len))
		strcpy(name, "?");
	return name;
}

/* setsockopt(TCP_CONGESTION): 0, or the errno */
static int ca_set(int fd, const char *name)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, strlen(name)) ? errno : 0;
}

static int xsock(void)
{
	return socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
}

/* a listener on @ip:@port (algorithm @ca unless NULL) */
static int listener(const char *ip, int port, const char *ca)
{
	struct sockaddr_in a = sin_of(ip, port);
	int fd = xsock(), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if ((ca && ca_set(fd, ca)) || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 8)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* a client connected to @ip:@port (algorithm @ca unless NULL) */
static int client(const char *ip, int port, const char *ca)
{
	struct sockaddr_in a = sin_of(ip, port);
	int fd = xsock();

	if ((ca && ca_set(fd, ca)) || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* send BYTES from @cfd to @sfd; 0 if they all arrived intact */
static int transfer(int cfd, int sfd)
{
	long bad = 0, got = pattern_transfer(cfd, sfd, BYTES, &bad);

	tap_ok(got == BYTES && !bad, "%d bytes sent and received byte-exact (got %ld, %ld wrong)",
	       BYTES, got, bad);
	return got == BYTES && !bad ? 0 : -1;
}

/* TCP_INFO of @fd; 0 or -1 */
static int tcp_info_of(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len) ||
	       len < offsetof(struct tcp_info, tcpi_max_pacing_rate) + 8 ? -1 : 0;
}

/*
 * SO_MAX_PACING_RATE on the sender (@proto 6 or ours), port @port: PACED_BYTES take at
 * least as long as the rate lets them, less the first 10 segments' head start and a
 * margin (a lower bound: a slow machine only makes it longer; unpaced they take a
 * fraction of it over this path); TCP_INFO reports the limit and a rate within it.
 */
#define PACED_RATE 500000		/* bytes per second */
#define PACED_BYTES (512 << 10)
static void paced_transfer(int proto, int port, const int *ns)
{
	const char *name = proto == IPPROTO_TCP ? "TCP" : "xtcp";
	struct sockaddr_in a = sin_of(SERVER_IP, port);
	unsigned int rate = PACED_RATE;
	int lfd, cfd, afd = -1, one = 1, rc;
	long bad = 0, got = -1;
	struct tcp_info ti;
	double t0, secs = 0;

	netns_enter(ns[1]);
	lfd = socket(AF_INET, SOCK_STREAM, proto);
	netns_enter(ns[0]);
	cfd = socket(AF_INET, SOCK_STREAM, proto);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd >= 0 && cfd >= 0 && !bind(lfd, (struct sockaddr *)&a, sizeof(a)) &&
	    !listen(lfd, 1) &&
	    !setsockopt(cfd, SOL_SOCKET, SO_MAX_PACING_RATE, &rate, sizeof(rate)) &&
	    !connect(cfd, (struct sockaddr *)&a, sizeof(a)))
		afd = accept(lfd, NULL, NULL);
	if (afd >= 0) {
		t0 = now();
		got = pattern_transfer(cfd, afd, PACED_BYTES, &bad);
		secs = now() - t0;
	}
	tap_ok(got == PACED_BYTES && !bad && secs >= 0.75,
	       "%s, SO_MAX_PACING_RATE %d B/s: %d bytes byte-exact in %.2f s (>= 0.75 s; "
	       "%.2f s at the rate)", name, PACED_RATE, PACED_BYTES, secs,
	       (double)PACED_BYTES / PACED_RATE);
	rc = tcp_info_of(cfd, &ti);
	tap_ok(!rc && ti.tcpi_max_pacing_rate == PACED_RATE &&
	       ti.tcpi_pacing_rate > 0 && ti.tcpi_pacing_rate <= PACED_RATE,
	       "%s, TCP_INFO: max pacing rate %llu, pacing rate %llu (within it)", name,
	       (unsigned long long)ti.tcpi_max_pacing_rate,
	       (unsigned long long)ti.tcpi_pacing_rate);
	abort_fd(cfd);
	if (afd >= 0)
		abort_fd(afd);
	close(lfd);
}

/* as an unprivileged user (nobody): TCP_CONGESTION @name's errno; -1 if that failed */
static int ca_set_unprivileged(const char *name)
{
	int st, fd;
	pid_t pid = fork();

	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(255);
		fd = xsock();
		_exit(fd < 0 ? 254 : ca_set(fd, name));
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) >= 254)
		return -1;
	return WEXITSTATUS(st);
}

static int module_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return !access(path, F_OK);
}

static void defaults(void)
{
	int fd = xsock(), tfd = socket(AF_INET, SOCK_STREAM, 0);
	int lfd, cfd, afd;

	tap_ok(!strcmp(sysctl_get("congestion_control"), "cubic"),
	       "net.xtcp.congestion_control is cubic (%s)", sysctl_get("congestion_control"));
	tap_ok(!strcmp(sysctl_get("available_congestion_control"), "reno cubic"),
	       "available_congestion_control is \"reno cubic\" (\"%s\")",
	       sysctl_get("available_congestion_control"));
	tap_ok(!strcmp(sysctl_get("allowed_congestion_control"), "reno cubic"),
	       "allowed_congestion_control is \"reno cubic\" (\"%s\")",
	       sysctl_get("allowed_congestion_control"));
	tap_ok(!strcmp(ca_of(fd, IPPROTO_TCP), "cubic") && !strcmp(ca_of(fd, IPPROTO_XTCP), "cubic"),
	       "a new socket reads cubic at IPPROTO_TCP and at %d", IPPROTO_XTCP);
	tap_ok(ca_set(fd, "no_such_ca") == ENOENT && ca_set(tfd, "no_such_ca") == ENOENT,
	       "TCP_CONGESTION no_such_ca: ENOENT, as TCP");
	tap_ok(sysctl_set("congestion_control", "no_such_ca") == ENOENT,
	       "net.xtcp.congestion_control=no_such_ca: ENOENT");
	tap_ok(sysctl_set("allowed_congestion_control", "reno no_such_ca") == ENOENT &&
	       !strcmp(sysctl_get("allowed_congestion_control"), "reno cubic"),
	       "allowed_congestion_control with an unknown name: ENOENT, unchanged");
	tap_ok(ca_set(fd, "reno") == 0 && !strcmp(ca_of(fd, IPPROTO_XTCP), "reno"),
	       "TCP_CONGESTION reno reads back reno");
	close(fd);
	close(tfd);

	tap_ok(sysctl_set("congestion_control", "reno") == 0, "net.xtcp.congestion_control=reno");
	fd = xsock();
	tap_ok(!strcmp(ca_of(fd, IPPROTO_TCP), "reno"), "then a new socket reads reno (%s)",
	       ca_of(fd, IPPROTO_TCP));
	close(fd);
	sysctl_set("congestion_control", "cubic");

	/* an accepted connection: its listener's choice, else the default */
	lfd = listener("127.0.0.1", 7401, "reno");
	cfd = client("127.0.0.1", 7401, NULL);
	afd = lfd < 0 ? -1 : accept(lfd, NULL, NULL);
	tap_ok(afd >= 0 && !strcmp(ca_of(afd, IPPROTO_TCP), "reno") &&
	       !strcmp(ca_of(cfd, IPPROTO_TCP), "cubic"),
	       "a listener set to reno: its connection reads reno, the client cubic");
	abort_fd(afd);
	abort_fd(cfd);
	close(lfd);
	lfd = listener("127.0.0.1", 7402, NULL);
	cfd = client("127.0.0.1", 7402, "reno");
	afd = lfd < 0 ? -1 : accept(lfd, NULL, NULL);
	tap_ok(afd >= 0 && !strcmp(ca_of(afd, IPPROTO_TCP), "cubic") &&
	       !strcmp(ca_of(cfd, IPPROTO_TCP), "reno"),
	       "a listener left alone: its connection reads cubic, a reno client reno");
	abort_fd(afd);
	abort_fd(cfd);
	close(lfd);
}

/*
 * With the modules installed (scripts/guest-tests autoload): root's TCP_CONGESTION of
 * an algorithm not loaded loads its module by the alias xtcp-cong-NAME.
 */
static int autoload(void)
{
	int fd = xsock(), rc;

	sh("rmmod xtcp_vegas_lite 2>/dev/null");
	rc = ca_set(fd, "vegas_lite");
	tap_ok(rc == 0 && module_loaded("xtcp_vegas_lite") &&
	       !strcmp(ca_of(fd, IPPROTO_TCP), "vegas_lite"),
	       "TCP_CONGESTION vegas_lite loads xtcp_vegas_lite.ko by its alias (%s)",
	       rc ? strerrorname_np(rc) : "0");
	close(fd);
	tap_ok(wait_for(sh("rmmod xtcp_vegas_lite 2>/dev/null") == 0, 10),
	       "and it unloads once the socket is gone");
	return tap_done();
}

static void cleanup(void)
{
	sysctl_set("congestion_control", "cubic");
	sysctl_set("allowed_congestion_control", "reno cubic");
	netns_del(ns_names);
}

int main(int argc, char **argv)
{
	static const char *const dev[2] = { "v0", "v1" };
	static const char *const ip[2] = { CLIENT_IP "/24", SERVER_IP "/24" };
	int fd[2], self = open("/proc/self/ns/net", O_RDONLY), lfd, cfd, afd, rc;
	struct tcpvegas_info vi = {};
	struct tcp_info ti;
	socklen_t len = sizeof(vi);
	char refcnt[16] = "";
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: cong PATH-TO-xtcp_vegas_lite.ko | --autoload\n");
		return 2;
	}
	if (!strcmp(argv[1], "--autoload"))
		return autoload();
	watchdog_start(NULL, cleanup);
	watchdog_step("defaults", 30);
	defaults();

	watchdog_step("load the example module", 30);
	sh("rmmod xtcp_vegas_lite 2>/dev/null");
	tap_ok(sh("insmod %s", argv[1]) == 0, "insmod xtcp_vegas_lite.ko");
	tap_ok(!strcmp(sysctl_get("available_congestion_control"), "reno cubic vegas_lite"),
	       "available_congestion_control lists it (\"%s\")",
	       sysctl_get("available_congestion_control"));
	rc = ca_set_unprivileged("vegas_lite");
	tap_ok(rc == EPERM, "an unprivileged user may not choose it: EPERM (%s)",
	       rc < 0 ? "no child" : strerrorname_np(rc));
	rc = ca_set_unprivileged("reno");
	tap_ok(rc == 0, "... but reno (%s)", rc < 0 ? "no child" : strerrorname_np(rc));
	tap_ok(sysctl_set("allowed_congestion_control", "reno cubic vegas_lite") == 0 &&
	       ca_set_unprivileged("vegas_lite") == 0,
	       "once in allowed_congestion_control, it may");
	sysctl_set("allowed_congestion_control", "reno cubic");

	watchdog_step("a transfer with vegas_lite over veth", 120);
	if (!tap_ok(netns_veth(ns_names, dev, ip, fd) == 0, "two namespaces joined by veth")) {
		cleanup();
		return tap_done();
	}
	sh("ip netns exec %s tc qdisc add dev v0 root netem delay 5ms limit 10000", ns_names[0]);
	sh("ip netns exec %s tc qdisc add dev v1 root netem delay 5ms limit 10000", ns_names[1]);
	netns_enter(fd[0]);
	tap_ok(sysctl_set("congestion_control", "vegas_lite") == EPERM &&
	       !strcmp(sysctl_get("congestion_control"), "cubic"),
	       "a new namespace starts with cubic and may not make vegas_lite its default: EPERM");
	netns_enter(fd[1]);
	lfd = listener(SERVER_IP, 7403, NULL);
	netns_enter(fd[0]);
	cfd = client(SERVER_IP, 7403, "vegas_lite");
	afd = lfd < 0 ? -1 : accept(lfd, NULL, NULL);
	tap_ok(cfd >= 0 && afd >= 0 && !strcmp(ca_of(cfd, IPPROTO_TCP), "vegas_lite") &&
	       !strcmp(ca_of(afd, IPPROTO_TCP), "cubic"),
	       "the client reads vegas_lite, the server's end cubic");
	if (cfd >= 0 && afd >= 0)
		transfer(cfd, afd);
	rc = getsockopt(cfd, IPPROTO_TCP, TCP_CC_INFO, &vi, &len);
	tap_ok(!rc && len == sizeof(vi) && vi.tcpv_enabled == 1 && vi.tcpv_rtt >= 10000 &&
	       vi.tcpv_rtt < 1000000 && vi.tcpv_minrtt >= vi.tcpv_rtt,
	       "TCP_CC_INFO: a tcpvegas_info, enabled, base RTT %u us (>= 10 ms), round's %u us",
	       vi.tcpv_rtt, vi.tcpv_minrtt);
	len = sizeof(vi);
	tap_ok(!getsockopt(afd, IPPROTO_TCP, TCP_CC_INFO, &vi, &len) && len == 0,
	       "TCP_CC_INFO of a cubic socket: nothing (length 0), as TCP's cubic");
	rc = tcp_info_of(cfd, &ti);
	tap_ok(!rc && ti.tcpi_max_pacing_rate == ~0ULL &&
	       ti.tcpi_pacing_rate > 0 && ti.tcpi_pacing_rate != ~0ULL &&
	       ti.tcpi_data_segs_out >= BYTES / 1448,
	       "TCP_INFO after it: pacing rate %llu B/s from cwnd and RTT, no limit, %u data "
	       "segments out", (unsigned long long)ti.tcpi_pacing_rate, ti.tcpi_data_segs_out);

	watchdog_step("the module held while used", 30);
	f = fopen("/sys/module/xtcp_vegas_lite/refcnt", "r");
	if (f) {
		if (!fgets(refcnt, sizeof(refcnt), f))
			refcnt[0] = 0;
		fclose(f);
	}
	tap_ok(atoi(refcnt) == 1, "its module is held once: by the socket (refcnt %d)",
	       atoi(refcnt));
	tap_ok(sh("rmmod xtcp_vegas_lite 2>/dev/null") != 0 && module_loaded("xtcp_vegas_lite"),
	       "rmmod refused while the socket uses it");
	abort_fd(cfd);
	abort_fd(afd);
	close(lfd);
	tap_ok(wait_for(sh("rmmod xtcp_vegas_lite 2>/dev/null") == 0, 10),
	       "rmmod succeeds once the socket is gone");
	netns_enter(self);
	tap_ok(!strcmp(sysctl_get("available_congestion_control"), "reno cubic"),
	       "available_congestion_control without it (\"%s\")",
	       sysctl_get("available_congestion_control"));
	cfd = xsock();
	tap_ok(ca_set(cfd, "vegas_lite") == ENOENT,
	       "TCP_CONGESTION vegas_lite: ENOENT (the module is not installed to autoload)");
	close(cfd);

	watchdog_step("SO_MAX_PACING_RATE over veth", 60);
	paced_transfer(IPPROTO_XTCP, 7404, fd);
	paced_transfer(IPPROTO_TCP, 7405, fd);
	netns_enter(self);
	watchdog_step(NULL, 0);
	cleanup();
	return tap_done();
}
