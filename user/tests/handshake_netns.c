// SPDX-License-Identifier: GPL-2.0
/*
 * handshake_netns: the handshake between two network namespaces over a veth pair (not
 * only loopback), then with the server's side dropping all it sends (netem loss 100%):
 * the client re-sends its SYN with backoff and fails with ETIMEDOUT after
 * net.xtcp.syn_retries, the server re-sends its SYN-ACK (SynAckRetrans) and shows the
 * half-open connection as 03 in /proc/net/xtcp meanwhile.
 * Runs as root with xtcp.ko loaded; needs ip and tc (iproute2).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/xtcp.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tap.h"
#include "xtcp_test.h"

#define CLIENT_IP "10.9.0.1"
#define SERVER_IP "10.9.0.2"

static int ns_client, ns_server;

/* Lines of the trace buffer that contain @what. */
static int trace_count(const char *what)
{
	FILE *f = fopen("/sys/kernel/tracing/trace", "r");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, what) != NULL;
	fclose(f);
	return n;
}

static const char *const ns_names[2] = { "xtcp-c", "xtcp-s" };

static int setup(void)
{
	static const char *const dev[2] = { "v0", "v1" };
	static const char *const ip[2] = { CLIENT_IP "/24", SERVER_IP "/24" };
	int fd[2];

	if (netns_veth(ns_names, dev, ip, fd))
		return -1;
	ns_client = fd[0];
	ns_server = fd[1];
	return 0;
}

int main(void)
{
	int self = open("/proc/self/ns/net", O_RDONLY), l, c, a, one = 1, e;
	struct sockaddr_in srv = sin_of(SERVER_IP, 8001), peer;
	socklen_t len = sizeof(peer);
	long synretrans, fails, synackretrans;
	struct timeval t0, t1;
	double secs;
	pid_t pid;

	if (!tap_ok(setup() == 0, "two namespaces joined by a veth pair"))
		return tap_done();

	netns_enter(ns_server);
	l = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	tap_ok(bind(l, (struct sockaddr *)&srv, sizeof(srv)) == 0 && listen(l, 8) == 0,
	       "server listens on " SERVER_IP ":8001");
	write_file("/proc/sys/net/xtcp/synack_retries", "2");

	netns_enter(ns_client);
	tap_ok(xtcp_proc_rows(0x0A, 0) == 0,
	       "the server's listener is not in the client namespace's /proc/net/xtcp");
	c = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	srv.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	e = connect(c, (struct sockaddr *)&srv, sizeof(srv)) ? errno : 0;
	tap_ok(e == ECONNREFUSED, "nor reachable from it on port 8001 (%s)",
	       e ? strerrorname_np(e) : "connected");
	close(c);
	srv = sin_of(SERVER_IP, 8001);
	c = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	tap_ok(connect(c, (struct sockaddr *)&srv, sizeof(srv)) == 0,
	       "client connects across the veth pair");
	netns_enter(ns_server);
	a = accept(l, (struct sockaddr *)&peer, &len);
	tap_ok(a >= 0 && peer.sin_addr.s_addr == inet_addr(CLIENT_IP),
	       "server accepts, peer " CLIENT_IP);
	close(a);
	netns_enter(ns_client);
	close(c);

	/* the server's side loses everything it sends: SYN-ACKs never arrive */
	tap_ok(system("tc -n xtcp-s qdisc add dev v1 root netem loss 100%") == 0,
	       "netem loss 100%% on the server's side");
	tap_ok(write_file("/proc/sys/net/xtcp/syn_retries", "2") == 0,
	       "net.xtcp.syn_retries=2 in the client's namespace");
	tap_ok(write_file("/sys/kernel/tracing/trace", "\n") == 0 &&
	       write_file("/sys/kernel/tracing/events/xtcp/enable", "1") == 0,
	       "xtcp tracepoints enabled");
	synretrans = xtcp_stat("SynRetrans");
	fails = xtcp_stat("AttemptFails");
	netns_enter(ns_server);
	synackretrans = xtcp_stat("SynAckRetrans");

	pid = fork();
	if (pid == 0) {
		/* while the client waits, the server holds a half-open request */
		sleep(2);
		_exit(xtcp_proc_rows(0x03, 0) == 1 ? 0 : 1);
	}
	netns_enter(ns_client);
	c = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	gettimeofday(&t0, NULL);
	errno = 0;
	e = connect(c, (struct sockaddr *)&srv, sizeof(srv)) ? errno : 0;
	gettimeofday(&t1, NULL);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_usec - t0.tv_usec) / 1e6;
	tap_ok(e == ETIMEDOUT, "connect fails with ETIMEDOUT (%s)", e ? strerrorname_np(e) : "ok");
	tap_ok(secs > 6 && secs < 20, "after the SYN and 2 re-sends, 1 + 2 + 4 s (%.1f s)", secs);
	tap_ok(xtcp_stat("SynRetrans") - synretrans == 2 && xtcp_stat("AttemptFails") - fails == 1,
	       "client: SynRetrans +%ld, AttemptFails +%ld", xtcp_stat("SynRetrans") - synretrans,
	       xtcp_stat("AttemptFails") - fails);
	close(c);
	waitpid(pid, &e, 0);
	tap_ok(WIFEXITED(e) && WEXITSTATUS(e) == 0,
	       "server: /proc/net/xtcp showed the request as 03 meanwhile");
	netns_enter(ns_server);
	tap_ok(xtcp_stat("SynAckRetrans") > synackretrans, "server: SynAckRetrans +%ld",
	       xtcp_stat("SynAckRetrans") - synackretrans);
	write_file("/sys/kernel/tracing/events/xtcp/enable", "0");
	tap_ok(trace_count("xtcp_retransmit_syn:") == 2,
	       "tracepoint xtcp:xtcp_retransmit_syn fired for each re-sent SYN (%d)",
	       trace_count("xtcp_retransmit_syn:"));
	tap_ok(trace_count("xtcp_retransmit_synack:") >= 1,
	       "tracepoint xtcp:xtcp_retransmit_synack fired (%d)",
	       trace_count("xtcp_retransmit_synack:"));
	tap_ok(trace_count("oldstate=CLOSE newstate=SYN_SENT") == 1 &&
	       trace_count("oldstate=SYN_SENT newstate=CLOSE") == 1,
	       "tracepoint xtcp:xtcp_set_state: CLOSE -> SYN_SENT -> CLOSE");
	close(l);

	netns_enter(self);
	tap_ok(system("ip netns del xtcp-c && ip netns del xtcp-s") == 0,
	       "namespaces deleted with requests and timers pending");
	return tap_done();
}
