// SPDX-License-Identifier: GPL-2.0
/* The xtcp end-to-end tests' library: see xtcp_test.h. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include "tap.h"
#include "xtcp_test.h"

/* ---- /proc ---- */

long proc_counter(const char *file, const char *prefix, const char *name)
{
	static __thread char hdr[8192], val[8192];
	char *hs, *vs, *h, *v;
	FILE *f = fopen(file, "r");
	long n = -1;

	if (!f)
		return -1;
	while (n < 0 && fgets(hdr, sizeof(hdr), f) && fgets(val, sizeof(val), f)) {
		if (prefix && (strncmp(hdr, prefix, strlen(prefix)) || hdr[strlen(prefix)] != ':'))
			continue;
		h = strtok_r(hdr, " \n", &hs);
		v = strtok_r(val, " \n", &vs);
		while ((h = strtok_r(NULL, " \n", &hs)) && (v = strtok_r(NULL, " \n", &vs)))
			if (!strcmp(h, name))
				n = atol(v);
	}
	fclose(f);
	return n;
}

long xtcp_stat(const char *name)
{
	return proc_counter("/proc/thread-self/net/" XTCP_PROC_STAT, NULL, name);
}

static int proc_rows(const char *file, int state, int port)
{
	unsigned int lp, st;
	char line[512];
	FILE *f = fopen(file, "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %*x:%x %*x:%*x %x", &lp, &st) == 2 &&
		    (int)st == state && (!port || (int)lp == port))
			n++;
	fclose(f);
	return n;
}

int xtcp_proc_rows(int state, int port)
{
	return proc_rows("/proc/thread-self/net/" XTCP_PROC_SOCKETS, state, port);
}

int xtcp_proc6_rows(int state, int port)
{
	return proc_rows("/proc/thread-self/net/" XTCP_PROC_SOCKETS6, state, port);
}

int proc_conn_state(int proto, int lport, int rport)
{
	unsigned int lp, rp, st;
	char line[512];
	FILE *f = fopen(proto == IPPROTO_TCP ? "/proc/thread-self/net/tcp" :
			"/proc/thread-self/net/" XTCP_PROC_SOCKETS, "r");
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %*x:%x %*x:%x %x", &lp, &rp, &st) == 3 &&
		    (int)lp == lport && (int)rp == rport)
			found = (int)st;
	fclose(f);
	return found;
}

int xtcp_proc_state(int lport, int rport)
{
	int st = proc_conn_state(IPPROTO_XTCP, lport, rport);

	return st < 0 ? 0 : st;
}

/* ---- time ---- */

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- child processes ---- */

int child_ended(pid_t pid, int *st)
{
	pid_t r = waitpid(pid, st, WNOHANG);

	if (r < 0)
		*st = -1;	/* not an exit status */
	return r != 0;
}

int child_reap(pid_t pid, double secs, int group)
{
	int st = 0;

	if (pid <= 0)
		return -1;
	if (!wait_for(child_ended(pid, &st), secs)) {
		kill(group ? -pid : pid, SIGKILL);
		waitpid(pid, &st, 0);
		return -1;
	}
	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- the watchdog ---- */

static pthread_mutex_t wd_lock = PTHREAD_MUTEX_INITIALIZER;
static double wd_deadline;		/* 0: no step; under wd_lock */
static int wd_secs;			/* the step's limit; under wd_lock */
static char wd_what[160];		/* the step; under wd_lock */
static unsigned long wd_moves;		/* watchdog_progress() calls; atomic */
static void (*wd_diag)(void), (*wd_cleanup)(void);

void bail_out(const char *what)
{
	printf("Bail out! %s hangs\n", what);
	tap_done();
	fflush(stdout);
	_exit(1);
}

static void *watchdog(void *arg)
{
	unsigned long seen = 0, moves;
	struct timespec tick = { .tv_nsec = 100 * 1000 * 1000 };

	(void)arg;
	for (;;) {
		nanosleep(&tick, NULL);
		pthread_mutex_lock(&wd_lock);
		moves = __atomic_load_n(&wd_moves, __ATOMIC_RELAXED);
		if (moves != seen && wd_deadline)
			wd_deadline = now() + wd_secs;
		seen = moves;
		if (wd_deadline && now() > wd_deadline) {
			tap_ok(0, "%s: ends or makes progress within %d s (it hangs)", wd_what,
			       wd_secs);
			if (wd_diag)
				wd_diag();
			if (wd_cleanup)
				wd_cleanup();
			bail_out(wd_what);
		}
		pthread_mutex_unlock(&wd_lock);
	}
	return NULL;
}

void watchdog_start(void (*diag)(void), void (*cleanup)(void))
{
	pthread_t t;

	wd_diag = diag;
	wd_cleanup = cleanup;
	pthread_create(&t, NULL, watchdog, NULL);
	pthread_detach(t);
}

void watchdog_step(const char *what, int secs)
{
	pthread_mutex_lock(&wd_lock);
	snprintf(wd_what, sizeof(wd_what), "%s", what ? what : "");
	wd_secs = secs;
	wd_deadline = what ? now() + secs : 0;
	pthread_mutex_unlock(&wd_lock);
}

void watchdog_progress(void)
{
	__atomic_add_fetch(&wd_moves, 1, __ATOMIC_RELAXED);
}

/* ---- network namespaces ---- */

void netns_del(const char *const ns[2])
{
	sh("ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null", ns[0], ns[1]);
}

int netns_veth(const char *const ns[2], const char *const dev[2], const char *const ip[2],
	       int fd[2])
{
	char path[128], addrs[512], *a, *save;
	int i;

	netns_del(ns);
	if (sh("ip netns add %s && ip netns add %s && "
	       "ip link add %s netns %s type veth peer %s netns %s",
	       ns[0], ns[1], dev[0], ns[0], dev[1], ns[1]))
		return -1;
	for (i = 0; i < 2; i++) {
		snprintf(addrs, sizeof(addrs), "%s", ip[i]);
		for (a = strtok_r(addrs, " ", &save); a; a = strtok_r(NULL, " ", &save))
			if (sh("ip -n %s addr add %s dev %s", ns[i], a, dev[i]))
				return -1;
		if (sh("ip -n %s link set %s up && ip -n %s link set lo up", ns[i], dev[i],
		       ns[i]))
			return -1;
		snprintf(path, sizeof(path), "/run/netns/%s", ns[i]);
		fd[i] = open(path, O_RDONLY);
		if (fd[i] < 0)
			return -1;
	}
	return 0;
}

int netns_enter(int fd)
{
	return setns(fd, CLONE_NEWNET);
}

int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ret;

	strcpy(ifr.ifr_name, "lo");
	ret = fd < 0 ? -1 : ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	ret = ret ?: ioctl(fd, SIOCSIFFLAGS, &ifr);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* ---- small shared helpers ---- */

void abort_fd(int fd)
{
	struct linger lin = { .l_onoff = 1, .l_linger = 0 };

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
	close(fd);
}

int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd) ? -1 : 0;
}

int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ok, err;

	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	err = errno;
	close(fd);
	errno = err;
	return ok ? 0 : -1;
}

struct sockaddr_in sin_of(const char *ip, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

socklen_t sa_of(int family, const char *ip, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		return inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1 ? sizeof(*sin6) : 0;
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	return inet_pton(AF_INET, ip, &sin->sin_addr) == 1 ? sizeof(*sin) : 0;
}

unsigned int csum_add(unsigned int sum, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

unsigned short csum_fold32(unsigned int sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (unsigned short)~sum;
}

/* the pattern's byte at stream offset @off */
static unsigned char pattern_byte(long off)
{
	return (unsigned char)(off * 7 + 3);
}

struct pattern_sink {
	int fd;
	long got, bad;
};

static void *pattern_sink_run(void *arg)
{
	struct pattern_sink *s = arg;
	static unsigned char buf[65536];
	ssize_t n, i;

	while ((n = read(s->fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++)
			s->bad += buf[i] != pattern_byte(s->got + i);
		s->got += n;
		watchdog_progress();
	}
	return NULL;
}

long pattern_transfer(int wfd, int rfd, long bytes, long *bad)
{
	static unsigned char buf[65536];
	struct pattern_sink s = { .fd = rfd };
	long sent = 0, i;
	pthread_t t;

	if (pthread_create(&t, NULL, pattern_sink_run, &s))
		return -1;
	while (sent < bytes) {
		long len = bytes - sent < (long)sizeof(buf) ? bytes - sent : (long)sizeof(buf);
		ssize_t n;

		for (i = 0; i < len; i++)
			buf[i] = pattern_byte(sent + i);
		n = write(wfd, buf, len);
		if (n <= 0)
			break;
		sent += n;
	}
	shutdown(wfd, SHUT_WR);
	pthread_join(t, NULL);
	*bad = s.bad;
	return s.got;
}
