// SPDX-License-Identifier: GPL-2.0
/*
 * module_life: loading and unloading xtcp.ko.
 *   module_life [-r N] XTCP_KO      bad parameters fail cleanly and unwind; another protocol
 *                                   number works; unload is refused while a socket exists
 *                                   and while a TIME_WAIT exists, and succeeds once it
 *                                   expired; a namespace deleted with connections in it
 *                                   (ESTABLISHED, FIN_WAIT1 under loss, TIME_WAIT) lets the
 *                                   module go; N rounds (default 50) of load, connection,
 *                                   close, unload
 *   module_life --autoload          socket(AF_INET, SOCK_STREAM, 253) loads the module, and
 *                                   socket(AF_INET6, ...) too
 *   module_life --no-ipv6 XTCP_KO   (a kernel booted with ipv6.disable=1) xtcp loads and
 *                                   says it is IPv4 only; socket(AF_INET6, ..., 253) fails
 *                                   as TCP's does, no /proc/net/xtcp6 (as no tcp6); an
 *                                   IPv4 connection works; it unloads
 * Runs as root in the guest, with xtcp not loaded; the namespace case needs tc (netem).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/xtcp.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tap.h"
#include "xtcp_test.h"

#define TW_PORT		7950	/* the listener of the TIME_WAIT connections */

static int kmsg = -1;

static int load(const char *ko, const char *params)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), ret, err;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, params, 0);
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

static int unload(void)
{
	return syscall(SYS_delete_module, XTCP_MODULE_NAME, O_NONBLOCK);
}

/*
 * Unload after the last socket closed.  Sockets are freed after an RCU grace period
 * (SOCK_RCU_FREE, as TCP frees its listeners), and each holds a module reference until
 * then: allow the module a second to become free.
 */
static int unload_when_free(void)
{
	int i, ret = -1;

	for (i = 0; i < 100; i++) {
		ret = unload();
		if (ret == 0 || errno != EWOULDBLOCK)
			break;
		usleep(10000);
	}
	return ret;
}

static int sock(int protocol);

/* Unload, retrying while the module is in use, for up to @secs; 0 or -1 with errno. */
static int unload_within(double secs)
{
	double end = now() + secs;
	int ret;

	while ((ret = unload()) && errno == EWOULDBLOCK && now() < end)
		usleep(20000);
	return ret;
}

/*
 * A connection over loopback on TW_PORT: the client sends @data bytes (0: none); with
 * @how 'T' the client closes first and the server, having read all, after it (the
 * client's side ends in TIME_WAIT); with 'E' both stay open, their fds into @cfd and
 * @sfd.  Returns the client's local port, or -1.
 */
static int connection(char how, int data, int *cfd, int *sfd)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(TW_PORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { .tv_sec = 5 };
	static char buf[1000];
	int l = sock(IPPROTO_XTCP), c = sock(IPPROTO_XTCP), s = -1, one = 1, port = -1;
	socklen_t len = sizeof(a);

	if (l < 0 || c < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 8) ||
	    connect(c, (struct sockaddr *)&a, sizeof(a)))
		goto out;
	s = accept(l, NULL, NULL);
	if (s < 0)
		goto out;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (data && send(c, buf, data, MSG_NOSIGNAL) != data)
		goto out;
	if (!getsockname(c, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (how == 'E') {
		*cfd = c;
		*sfd = s;
		c = s = -1;
	} else {
		ssize_t k;

		close(c);
		c = -1;
		while ((k = recv(s, buf, sizeof(buf), 0)) > 0)
			;
		if (k != 0)	/* the client's FIN never came */
			port = -1;
	}
out:
	if (s >= 0)
		close(s);
	if (c >= 0)
		close(c);
	if (l >= 0)
		close(l);
	return port;
}

/* Does a line of @path contain @needle? */
static int file_has(const char *path, const char *needle)
{
	char line[512];
	FILE *f = fopen(path, "r");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

/* The value of xtcp's module parameter @name; -1 if unreadable. */
static long param(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/xtcp/parameters/%s", name);
	f = fopen(path, "r");
	if (f && fscanf(f, "%ld", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

static int loaded(void)
{
	return file_has("/proc/modules", "xtcp ");
}

/* Skip the kernel log written so far; kmsg_has() then sees only what follows. */
static void kmsg_mark(void)
{
	if (kmsg < 0)
		kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	lseek(kmsg, 0, SEEK_END);
}

static int kmsg_has(const char *needle)
{
	char rec[1024];
	ssize_t n;
	int found = 0;

	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = '\0';
		found |= strstr(rec, needle) != NULL;
	}
	return found;
}

static int sock(int protocol)
{
	return socket(AF_INET, SOCK_STREAM, protocol);
}

static void bad_load(const char *ko, const char *params, int want, const char *log)
{
	int ret, err;

	kmsg_mark();
	ret = load(ko, params);
	err = errno;
	tap_errno(ret, err, want, params);
	if (log)
		tap_ok(kmsg_has(log), "%s: kernel log says \"%s\"", params, log);
	tap_ok(!loaded() && !file_has("/proc/net/protocols", "XTCP"),
	       "%s: nothing left registered", params);
}

/* A TIME_WAIT holds the module: unload is refused until it expired. */
static void test_time_wait(const char *ko)
{
	int ret, err, port, rows, rows2;
	double t0;

	ret = load(ko, "");
	if (!tap_ok(ret == 0, "load with the default protocol number (%s)",
		    ret ? strerrorname_np(errno) : "ok"))
		return;
	ret = write_file("/proc/sys/net/xtcp/tw_timeout", "1");
	port = connection('T', 100, NULL, NULL);
	rows = xtcp_proc_rows(0x06, port);
	t0 = now();
	tap_ok(!ret && port > 0 && rows == 1, "with net.xtcp.tw_timeout = 1, a connection closed "
	       "client first leaves a 06 TIME_WAIT row (sysctl %d, port %d, %d rows)", ret, port,
	       rows);
	ret = unload();
	err = errno;
	rows2 = xtcp_proc_rows(0x06, port);
	tap_ok(ret == -1 && err == EWOULDBLOCK && rows2 == 1,
	       "unload while the TIME_WAIT exists fails with EWOULDBLOCK, the row still there "
	       "(%d, %s, %d rows)", ret, ret ? strerrorname_np(err) : "unloaded", rows2);
	ret = unload_within(5);
	err = errno;
	tap_ok(ret == 0 && !loaded() && now() - t0 > 0.2,
	       "... and succeeds once it expired (after %.1f s%s%s)", now() - t0,
	       ret ? ": " : "", ret ? strerrorname_np(err) : "");
}

/*
 * In a namespace of its own: connections in ESTABLISHED, TIME_WAIT (tw_timeout 60) and,
 * with loopback dropping all (netem loss 100%), FIN_WAIT1; then exit, closing every fd.
 * Exit status 0 if the three were seen in /proc/net/xtcp.
 */
static int netns_child(void)
{
	static char buf[1000];
	int ce = -1, se = -1, cf = -1, sf = -1, pe, pt, pf;

	if (unshare(CLONE_NEWNET) || lo_up() ||
	    write_file("/proc/sys/net/xtcp/orphan_retries", "2"))
		return 10;
	pe = connection('E', 0, &ce, &se);
	pf = connection('E', 0, &cf, &sf);
	pt = connection('T', 0, NULL, NULL);
	if (pe < 0 || pf < 0 || pt < 0 || system("tc qdisc add dev lo root netem loss 100%"))
		return 11;
	if (send(cf, buf, sizeof(buf), MSG_NOSIGNAL) != sizeof(buf))
		return 12;
	close(cf);		/* FIN_WAIT1, its data and FIN lost */
	if (!wait_for(xtcp_proc_rows(0x01, pe) == 1 && xtcp_proc_rows(0x06, pt) == 1 &&
		      xtcp_proc_rows(0x04, pf) == 1, 5))
		return 13;
	return 0;	/* exit closes the rest */
}

/* A namespace going away with connections in it leaves nothing that holds the module. */
static void test_netns(const char *ko)
{
	int ret, err, status = -1;
	double t0;
	pid_t pid;

	if (loaded())		/* what a failed case before left */
		unload_within(10);
	ret = load(ko, "");
	if (!tap_ok(ret == 0, "load for the namespace case (%s)",
		    ret ? strerrorname_np(errno) : "ok"))
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(netns_child());
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "a namespace of its own holds connections in 01 ESTABLISHED, 06 TIME_WAIT "
	       "(tw_timeout 60) and 04 FIN_WAIT1 under loss (child status %d)",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	t0 = now();
	ret = unload_within(20);
	err = errno;
	tap_ok(ret == 0 && !loaded(), "... its last process exits, the namespace goes: xtcp "
	       "unloads after %.1f s (orphan_retries 2), not after the TIME_WAIT's 60 s%s%s",
	       now() - t0, ret ? ": " : "", ret ? strerrorname_np(err) : "");
}
static int test_load(const char *ko, int rounds)
{
	int ret, err, fd, i;
	long n;

	if (!tap_ok(!loaded(), "xtcp is not loaded at the start"))
		return tap_done();

	bad_load(ko, "protocol=6", EBUSY, "IP protocol 6 is already in use");
	bad_load(ko, "protocol=17", EBUSY, "IP protocol 17 is already in use");
	bad_load(ko, "protocol=0", EINVAL, "protocol=0 is not a usable IP protocol number");
	bad_load(ko, "protocol=255", EINVAL, "protocol=255 is not a usable IP protocol number");
	bad_load(ko, "protocol=256", EINVAL, "protocol=256 is not a usable IP protocol number");
	bad_load(ko, "protocol=-1", EINVAL, "protocol=-1 is not a usable IP protocol number");
	bad_load(ko, "protocol=tcp", EINVAL, NULL);
	bad_load(ko, "ehash_entries=1000", EINVAL, "ehash_entries=1000 is not a power of 2");
	bad_load(ko, "ehash_entries=8", EINVAL, "ehash_entries=8 is not a power of 2");
	bad_load(ko, "ehash_entries=2097152", EINVAL, "ehash_entries=2097152 is not a power of 2");

	/* another free number: the socket type follows the parameter */
	/* an established hash of another size: the one given; by default from memory */
	ret = load(ko, "ehash_entries=64");
	tap_ok(ret == 0 && param("ehash_entries") == 64 &&
	       !write_file("/proc/sys/net/xtcp/tw_timeout", "1") &&
	       connection('T', 100, NULL, NULL) >= 0 && unload_within(10) == 0,
	       "load with ehash_entries=64: the parameter reads 64, a connection works, unload");
	ret = load(ko, "");
	n = param("ehash_entries");
	tap_ok(ret == 0 && n >= 1024 && n <= 65536 && !(n & (n - 1)) && unload_within(10) == 0,
	       "load without it: a size from memory, a power of 2 in 1024-65536 (%ld)", n);

	kmsg_mark();
	ret = load(ko, "protocol=200");
	tap_ok(ret == 0, "load with protocol=200 (%s)", ret ? strerrorname_np(errno) : "ok");
	tap_ok(kmsg_has("socket(AF_INET, SOCK_STREAM, 200) is xtcp"), "load message names 200");
	tap_ok(file_has("/sys/module/xtcp/parameters/protocol", "200"),
	       "/sys/module/xtcp/parameters/protocol reads 200");
	fd = sock(200);
	tap_ok(fd >= 0, "socket(AF_INET, SOCK_STREAM, 200) works");
	ret = sock(IPPROTO_XTCP);
	err = errno;
	tap_errno(ret, err, EPROTONOSUPPORT, "socket(AF_INET, SOCK_STREAM, 253) with protocol=200");

	/* a socket pins the module: the kernel answers EWOULDBLOCK, rmmod says "in use" */
	ret = unload();
	err = errno;
	tap_errno(ret, err, EWOULDBLOCK, "unload while a socket is open");
	tap_ok(loaded(), "xtcp stays loaded while a socket is open");
	tap_ok(system("rmmod xtcp 2>&1 | grep -q 'in use'") == 0, "rmmod reports \"in use\"");
	close(fd);
	ret = unload_when_free();
	tap_ok(ret == 0 && !loaded(), "unload once the socket is closed");
	tap_ok(!file_has("/proc/net/protocols", "XTCP"), "XTCP gone from /proc/net/protocols");

	test_time_wait(ko);
	test_netns(ko);
	if (loaded())
		unload_within(10);

	/* the default number, and load/unload in a row, each with a TIME_WAIT to wait out */
	for (i = 0; i < rounds; i++) {
		if (load(ko, "") || write_file("/proc/sys/net/xtcp/tw_timeout", "1") ||
		    connection('T', 100, NULL, NULL) < 0 || unload_within(10))
			break;
	}
	tap_ok(i == rounds, "%d rounds of load, a connection closed client first (tw_timeout 1), "
	       "unload once its TIME_WAIT expired (%d done%s%s)", rounds, i, i < rounds ? ": " : "",
	       i < rounds ? strerrorname_np(errno) : "");
	if (loaded())
		unload_within(10);
	return tap_done();
}

static int test_autoload(void)
{
	int fd;

	if (!tap_ok(!loaded(), "xtcp is not loaded before socket()"))
		return tap_done();
	fd = sock(IPPROTO_XTCP);
	tap_ok(fd >= 0, "socket(AF_INET, SOCK_STREAM, %d) succeeds (%s)", IPPROTO_XTCP,
	       fd < 0 ? strerrorname_np(errno) : "ok");
	tap_ok(loaded(), "the kernel loaded xtcp through its module alias");
	close(fd);
	tap_ok(unload_when_free() == 0, "and it unloads after close");

	/* the same through IPv6's alias, net-pf-10-proto-253-type-1 */
	fd = socket(AF_INET6, SOCK_STREAM, IPPROTO_XTCP);
	tap_ok(fd >= 0 && loaded(), "socket(AF_INET6, SOCK_STREAM, %d) loads it too (%s)",
	       IPPROTO_XTCP, fd < 0 ? strerrorname_np(errno) : "ok");
	close(fd);
	tap_ok(unload_when_free() == 0, "and it unloads after close");
	return tap_done();
}

/* A kernel booted with ipv6.disable=1: xtcp works over IPv4 alone, and says so. */
static int test_no_ipv6(const char *ko)
{
	int fd, err, tcp_err, port, ret;

	if (!tap_ok(!loaded(), "xtcp is not loaded at the start"))
		return tap_done();
	fd = socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
	tcp_err = errno;
	if (fd >= 0)
		close(fd);
	if (!tap_ok(fd < 0 && tcp_err == EAFNOSUPPORT, "IPv6 is disabled (ipv6.disable=1): "
		    "socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) fails with %s",
		    fd < 0 ? strerrorname_np(tcp_err) : "nothing"))
		return tap_done();
	kmsg_mark();
	ret = load(ko, "");
	err = errno;
	tap_ok(ret == 0, "xtcp loads (%s)", ret ? strerrorname_np(err) : "ok");
	tap_ok(kmsg_has("xtcp: IPv6 is disabled: IPv4 only"),
	       "its kernel log says \"xtcp: IPv6 is disabled: IPv4 only\"");
	fd = socket(AF_INET6, SOCK_STREAM, IPPROTO_XTCP);
	err = errno;
	if (fd >= 0)
		close(fd);
	tap_ok(fd < 0 && err == tcp_err, "socket(AF_INET6, SOCK_STREAM, %d) fails with %s, as "
	       "TCP's (%s)", IPPROTO_XTCP, fd < 0 ? strerrorname_np(err) : "nothing",
	       strerrorname_np(tcp_err));
	tap_ok(access("/proc/net/" XTCP_PROC_SOCKETS6, F_OK) && errno == ENOENT &&
	       access("/proc/net/tcp6", F_OK), "no /proc/net/" XTCP_PROC_SOCKETS6 ", as no "
	       "/proc/net/tcp6");
	/* its TIME_WAIT lasts 1 s (net.xtcp.tw_timeout), then the module may go */
	port = write_file("/proc/sys/net/xtcp/tw_timeout", "1") ? -1 :
	       connection('T', 100, NULL, NULL);
	tap_ok(port > 0, "an IPv4 connection over loopback carries 100 bytes and closes "
	       "(client port %d)", port);
	tap_ok(unload_within(10) == 0 && !loaded(), "xtcp unloads once its TIME_WAIT is over");
	return tap_done();
}

int main(int argc, char **argv)
{
	int rounds = 50;

	if (argc == 2 && !strcmp(argv[1], "--autoload"))
		return test_autoload();
	if (argc == 3 && !strcmp(argv[1], "--no-ipv6"))
		return test_no_ipv6(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "-r")) {
		rounds = atoi(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc == 2 && rounds > 0)
		return test_load(argv[1], rounds);
	fprintf(stderr, "usage: module_life [-r ROUNDS] XTCP_KO | --autoload | "
		"--no-ipv6 XTCP_KO\n");
	return 2;
}
