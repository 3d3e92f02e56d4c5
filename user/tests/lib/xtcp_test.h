/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xtcp end-to-end tests' library (xtcp_test.c, tap.c, xpeer.c; linked into every
 * program of user/tests): the counters of /proc/net/xtcp_stat and the rows of
 * /proc/net/xtcp in the calling thread's network namespace, namespaces joined by a veth
 * pair, a watchdog, waits for a condition, and the small helpers several tests share
 * (time, shell commands, sysctl files, loopback, addresses, checksums).
 */
#ifndef XTCP_TEST_H
#define XTCP_TEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/xtcp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- /proc ---- */

/*
 * The counter @name in @file, a file of header and value line pairs as
 * /proc/net/snmp, netstat and xtcp_stat are, in the pair whose lines start with
 * "@prefix:" (NULL: any pair); -1 if missing.
 */
long proc_counter(const char *file, const char *prefix, const char *name);

/* The counter @name of /proc/net/xtcp_stat; -1 if missing. */
long xtcp_stat(const char *name);

/* Rows of /proc/net/xtcp in TCP state @state (hex code) with local port @port (0: any). */
int xtcp_proc_rows(int state, int port);

/* The same in /proc/net/xtcp6 (IPv6 sockets, v4-mapped ones included). */
int xtcp_proc6_rows(int state, int port);

/*
 * The state (hex code) of the row of /proc/net/xtcp for the connection from local
 * @lport to remote @rport (host order); 0 if there is none.
 */
int xtcp_proc_state(int lport, int rport);

/*
 * The same in /proc/net/tcp for @proto IPPROTO_TCP, else /proc/net/xtcp, in the calling
 * thread's namespace; 0 if there is none, -1 if the file cannot be read.
 */
int proc_conn_state(int proto, int lport, int rport);

/* ---- time and waits ---- */

/* Seconds on the monotonic clock. */
double now(void);

/*
 * Wait until @cond holds, looking every 10 ms for @secs seconds at most: instead of a
 * sleep before an assertion, which passes or fails with the machine's speed.
 * Evaluates to whether it held.
 */
#define wait_for(cond, secs) ({						\
	double wait_end_ = now() + (secs);					\
	int held_;								\
									\
	while (!(held_ = !!(cond)) && now() < wait_end_)			\
		usleep(10000);							\
	held_;									\
})

/* ---- child processes ---- */

/* Whether child @pid ended (its wait status in *@st, -1 if none): waitpid() without waiting. */
int child_ended(pid_t pid, int *st);

/*
 * Wait @secs at most for child @pid; if it has not ended by then, kill it (its whole
 * process group if @group) and reap it.  Its exit status, or -1 if it was killed or
 * did not exit normally.
 */
int child_reap(pid_t pid, double secs, int group);

/* ---- the watchdog: a step that does not end in time fails the run, never hangs it ---- */

/*
 * Start the watchdog thread.  When a step overruns, it fails a check naming the step,
 * calls @diag (the program's diagnostics: rows, counters) and @cleanup (restores what
 * the program changed outside its namespaces), both may be NULL, and ends the program
 * with "Bail out!" and the plan, status 1.
 */
void watchdog_start(void (*diag)(void), void (*cleanup)(void));

/* The step @what must end within @secs; NULL ends the step (nothing is watched). */
void watchdog_step(const char *what, int secs);

/* The step is moving (a transfer's chunk went): its @secs start again. */
void watchdog_progress(void);

/* End the run now: the step @what hangs (its failed check is already printed). */
__attribute__((noreturn))
void bail_out(const char *what);

/* ---- network namespaces ---- */

/*
 * Two new named network namespaces @ns[0] and @ns[1] (those left by an earlier run are
 * deleted first), joined by a veth pair: @dev[0] in ns[0], @dev[1] in ns[1], each with
 * the addresses of @ip[i] (a space-separated list of CIDR addresses), both ends and both
 * loopbacks up.  @fd[i] gets a descriptor of ns[i] for netns_enter().  0, or -1.
 */
int netns_veth(const char *const ns[2], const char *const dev[2], const char *const ip[2],
	       int fd[2]);

/* Delete the named namespaces @ns[0] and @ns[1] (their fds may keep them alive). */
void netns_del(const char *const ns[2]);

/* The calling thread enters the namespace of descriptor @fd: 0, or -1 with errno. */
int netns_enter(int fd);

/* Bring up the loopback of the calling thread's network namespace: 0 or -1. */
int lo_up(void);

/* ---- small shared helpers ---- */

/* Close with RST (SO_LINGER 0): no orphan, no TIME_WAIT left behind.  -1 is ignored. */
void abort_fd(int fd);

/* Run the shell command made of @fmt: 0 if it succeeded, else -1. */
__attribute__((format(printf, 1, 2)))
int sh(const char *fmt, ...);

/* Write @val to the file @path (a sysctl, a tracing file): 0, or -1 with errno. */
int write_file(const char *path, const char *val);

/* The IPv4 address @ip (dotted) and @port. */
struct sockaddr_in sin_of(const char *ip, int port);

/*
 * The address @ip (dotted IPv4 or IPv6) and @port of family @family into @ss;
 * returns its length, 0 if @ip is not an address of @family.
 */
socklen_t sa_of(int family, const char *ip, int port, struct sockaddr_storage *ss);

/*
 * Write @bytes of a fixed pattern to @wfd, then shutdown(SHUT_WR), while a thread reads
 * @rfd to its end and checks each byte (the watchdog's step moves with it).  @bad gets
 * the bytes that differ; returns the bytes read, or -1 if the thread did not start.
 */
long pattern_transfer(int wfd, int rfd, long bytes, long *bad);

/* The Internet checksum: add @len bytes of @buf to @sum (big-endian 16-bit words). */
unsigned int csum_add(unsigned int sum, const void *buf, size_t len);

/* ... and fold @sum into the 16-bit checksum, complemented (host order). */
unsigned short csum_fold32(unsigned int sum);

#endif
