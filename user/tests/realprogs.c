// SPDX-License-Identifier: GPL-2.0
/*
 * realprogs: Debian's own programs over xtcp (issue 13), unmodified, through xtcpize
 * (build/user/tools/xtcpize moves their AF_INET and AF_INET6 TCP sockets to protocol
 * 253), or natively where the program can choose its protocol (socat's
 * prototype=253, Python's socket(AF_INET, SOCK_STREAM, 253) handed to asyncio).
 *
 * Each program runs as a server and a client, first over loopback (this namespace,
 * 127.0.0.1), then over a veth pair between two namespaces (the server in xtcp-rp-s at
 * 10.12.0.2, the client in xtcp-rp-c).  For each, the checks are that the traffic went
 * over xtcp - the server's listening socket is a row of /proc/net/xtcp in its namespace,
 * and the xtcp counters ActiveOpens (client's namespace) and PassiveOpens (server's)
 * moved by the connections the client made - and that the result is right:
 *
 *   nginx + curl   "listen ... reuseport deferred", master and 2 workers: 2 listener rows,
 *                  the master's 2 listeners with SO_REUSEPORT and TCP_DEFER_ACCEPT
 *                  (getsockopt on pidfd_getfd() copies), each worker polling its own
 *                  (its epoll set in /proc/PID/fdinfo), DeferAcceptDrop moved; files of
 *                  1 byte, 100 KiB and 5 MiB (SHA-256 of each compared), all three over
 *                  one kept-alive connection (curl's num_connects), a 404; sendfile and
 *                  tcp_nopush on
 *   redis          redis-benchmark -t set,get,lpush -P 16 (each rate > 0, 13 connections);
 *                  redis-cli SET then GET of a value, read back equal
 *   iperf3         -P 4 -t 1, forward and -R, JSON: bytes received > 0, the sender's
 *                  streams' TCP_INFO fields (max_snd_cwnd, max_rtt, mean_rtt) > 0
 *   sshd + ssh     a command run by key (its output), scp of 1 MiB (SHA-256 compared)
 *   socat          1 MiB through TCP4-LISTEN/TCP4 with prototype=253 (SHA-256 compared)
 *   python3        an asyncio echo server and client on protocol-253 sockets, 1 MiB
 *                  echoed and compared, SO_PROTOCOL read back
 *
 * xtcpize runs them in its default mode: BPF where Linux has update_socket_protocol()
 * (6.12, 7.2), the LD_PRELOAD library elsewhere (6.1, the debug kernel without BPF).
 * Before them, over loopback, its modes (t_modes): the default moves python3's socket
 * and says which mode it used; --preload leaves a statically linked client
 * (static_client) on TCP; and where BPF mode works, --bpf moves the static client and
 * server onto xtcp (SO_PROTOCOL, the listener row, the counters), keeps a socket of this
 * test outside its cgroup on TCP, exits with the command's status, waits for what the
 * command left in its cgroup, passes SIGTERM on and removes its cgroup; where it does
 * not, --bpf exits 1 saying why.  realprogs mounts a cgroup2 file system if none is.
 *
 * Over veth, nginx + curl, redis-benchmark and iperf3 also run on Linux TCP (the same
 * commands without xtcpize, on other ports), the figures printed side by side as # lines
 * (TCG distorts bulk rates: see the README's "TCG copy artefact"); over loopback they
 * are xtcp's only, to keep the run short.
 *
 *   realprogs [-o DIR]   (default /tmp/xtcp-realprogs: configurations, logs, files)
 * Runs as root with xtcp.ko loaded; needs nginx, curl, redis-server, redis-tools,
 * iperf3, openssh-server, openssh-client, socat, /usr/bin/python3, ip (iproute2),
 * readelf (binutils).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "tap.h"
#include "xtcp_test.h"

#define NS_C		"xtcp-rp-c"
#define NS_S		"xtcp-rp-s"
#define ST_ESTAB	0x01
#define ST_LISTEN	0x0A
#define FILE_1M		(1 << 20)

struct env {
	const char *name;	/* "loopback", "veth" */
	const char *ip;		/* the server's address */
	const char *sx, *cx;	/* "ip netns exec NS " prefixes for server and client */
	int sfd, cfd;		/* the namespaces, for the counters */
	int port;		/* the first of this path's ports */
	int tcp;		/* the same commands on Linux TCP too, for the figures */
	char dir[256];		/* this path's files */
};

static char top[200];	/* -o DIR */
static char xtcpize[PATH_MAX], static_client[PATH_MAX];
static int self_ns;

#define MAX_SERVERS 8
static pid_t servers[MAX_SERVERS];	/* process groups still running */
static double spawned, ran;		/* when spawn() last started one; reap()'s time */

/* ---- processes ---- */

/*
 * Start the shell command made of @fmt in the background, in a process group of its
 * own, in directory @dir, its output in @log (NAME.out; its errors in NAME.err).
 */
__attribute__((format(printf, 3, 4)))
static pid_t spawn(const char *dir, const char *log, const char *fmt, ...)
{
	char cmd[4096], path[PATH_MAX + 64];
	va_list ap;
	pid_t pid;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	spawned = now();
	pid = fork();
	if (pid == 0) {
		int fd;

		setpgid(0, 0);
		if (chdir(dir))
			_exit(127);
		snprintf(path, sizeof(path), "%s.out", log);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			_exit(127);
		dup2(fd, 1);
		snprintf(path, sizeof(path), "%s.err", log);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			_exit(127);
		dup2(fd, 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		setpgid(pid, pid);
	return pid;
}

/* Wait @secs at most for @pid: its exit status, or -1 (its group killed then). */
static int reap(pid_t pid, int secs)
{
	int rc = child_reap(pid, secs, 1);

	ran = now() - spawned;
	return rc;
}

/* Run a client: spawn() and wait @secs at most; its exit status, -1 if killed. */
#define run(dir, log, secs, ...) reap(spawn(dir, log, __VA_ARGS__), secs)

static pid_t server(pid_t pid)
{
	int i;

	for (i = 0; i < MAX_SERVERS && pid > 0; i++)
		if (!servers[i]) {
			servers[i] = pid;
			break;
		}
	return pid;
}

/* Stop a server's whole process group: SIGTERM, then SIGKILL after 10 s. */
static void stop(pid_t pid)
{
	int i, st;

	if (pid <= 0)
		return;
	kill(-pid, SIGTERM);
	if (!wait_for(child_ended(pid, &st), 10))
		kill(-pid, SIGKILL);
	waitpid(pid, &st, 0);
	kill(-pid, SIGKILL);		/* what it left in its group (nginx's workers) */
	for (i = 0; i < MAX_SERVERS; i++)
		if (servers[i] == pid)
			servers[i] = 0;
}

static void cleanup(void)
{
	int i;

	for (i = 0; i < MAX_SERVERS; i++)
		if (servers[i] > 0)
			kill(-servers[i], SIGKILL);
	sh("ip netns del " NS_C " 2>/dev/null; ip netns del " NS_S " 2>/dev/null; true");
}

/* ---- files ---- */

/* The file @dir/@name, NUL-terminated (free it); "" if it cannot be read. */
static char *slurp(const char *dir, const char *name)
{
	char path[PATH_MAX + 64], *buf = NULL;
	size_t len = 0;
	FILE *f, *m = open_memstream(&buf, &len);
	int c;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	while (f && (c = getc(f)) != EOF)
		putc(c, m);
	if (f)
		fclose(f);
	fclose(m);
	return buf;
}

/* Whether the files @a and @b (in @dir) have the same SHA-256 (and both exist). */
static int same_sha(const char *dir, const char *a, const char *b)
{
	return !sh("cd %s && [ -f %s ] && [ -f %s ] && "
		   "[ \"$(sha256sum < %s)\" = \"$(sha256sum < %s)\" ]", dir, a, b, a, b);
}

static long file_size(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) ? -1 : st.st_size;
}

/* The last line of a log, for a failure's message. */
static const char *last_line(const char *dir, const char *name)
{
	static char line[200];
	char *s = slurp(dir, name), *e, *b;

	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == '\r'))
		*--e = 0;
	b = strrchr(s, '\n');
	snprintf(line, sizeof(line), "%s", b ? b + 1 : s);
	free(s);
	return *line ? line : "(empty)";
}

/* ---- xtcp's view, in a namespace ---- */

struct counts {
	long act, pas;
	long defer_drop;	/* DeferAcceptDrop, the server's */
};

static struct counts counts(const struct env *e)
{
	struct counts c;

	netns_enter(e->cfd);
	c.act = xtcp_stat("ActiveOpens");
	netns_enter(e->sfd);
	c.pas = xtcp_stat("PassiveOpens");
	c.defer_drop = xtcp_stat("DeferAcceptDrop");
	netns_enter(self_ns);
	return c;
}

/* Rows of /proc/net/xtcp in the server's namespace, in @state with local port @port. */
static int srv_rows(const struct env *e, int state, int port)
{
	int n;

	netns_enter(e->sfd);
	n = xtcp_proc_rows(state, port);
	netns_enter(self_ns);
	return n;
}

/* A server is up: its listener on @port is in /proc/net/xtcp (@n of them at least). */
static int listening(const struct env *e, const char *what, pid_t pid, int port, int n,
		     const char *log)
{
	int st, rows;

	wait_for((rows = srv_rows(e, ST_LISTEN, port)) >= n || child_ended(pid, &st), 30);
	return tap_ok(rows == n,
		      "%s %s: the server listens on xtcp: %d listener row(s) on port %d in "
		      "/proc/net/xtcp of its namespace (want %d)%s%s", e->name, what, rows, port,
		      n, rows == n ? "" : "; its log: ", rows == n ? "" : last_line(e->dir, log));
}

/* The client's connections were xtcp's: ActiveOpens and PassiveOpens moved by @want. */
static void opened(const struct env *e, const char *what, struct counts before, long want)
{
	struct counts after;

	/* the server's side counts a connection when its handshake ends: wait for it */
	wait_for((after = counts(e)).pas - before.pas >= want, 10);
	tap_ok(after.act - before.act == want && after.pas - before.pas == want,
	       "%s %s went over xtcp: ActiveOpens +%ld, PassiveOpens +%ld (want +%ld each)",
	       e->name, what, after.act - before.act, after.pas - before.pas, want);
}

/* ---- nginx + curl ---- */

/* A listening socket that a process holds. */
struct lsock {
	ino_t ino;
	int reuseport, defer;	/* SO_REUSEPORT, TCP_DEFER_ACCEPT (s) */
};

/*
 * The xtcp sockets listening on @port that process @pid holds (pidfd_getfd() copies
 * each socket of its /proc/PID/fd), at most @max into @ls; their number, -1 on error.
 */
static int held_listeners(pid_t pid, int port, struct lsock *ls, int max)
{
	char path[300], link[64];
	int pfd, fd, n = 0, v;
	struct sockaddr_in a;
	struct dirent *de;
	socklen_t len;
	struct stat st;
	ssize_t l;
	DIR *dir;

	pfd = syscall(SYS_pidfd_open, pid, 0);
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = pfd < 0 ? NULL : opendir(path);
	if (!dir) {
		if (pfd >= 0)
			close(pfd);
		return -1;
	}
	while ((de = readdir(dir))) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, de->d_name);
		l = readlink(path, link, sizeof(link) - 1);
		if (l <= 0 || strncmp(link, "socket:", 7))
			continue;
		fd = syscall(SYS_pidfd_getfd, pfd, atoi(de->d_name), 0);
		if (fd < 0)
			continue;
		len = sizeof(v);
		if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) || v != IPPROTO_XTCP)
			goto next;
		len = sizeof(v);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) || !v)
			goto next;
		len = sizeof(a);
		if (getsockname(fd, (struct sockaddr *)&a, &len) || ntohs(a.sin_port) != port ||
		    fstat(fd, &st))
			goto next;
		if (n < max) {
			ls[n].ino = st.st_ino;
			len = sizeof(v);
			ls[n].reuseport = getsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &v, &len) ? -1
											      : v;
			len = sizeof(v);
			ls[n].defer = getsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &v, &len) ? -1
											       : v;
		}
		n++;
next:
		close(fd);
	}
	closedir(dir);
	close(pfd);
	return n;
}

/* The children of @ppid (nginx's workers), at most @max into @kids; their number. */
static int children(pid_t ppid, pid_t *kids, int max)
{
	DIR *dir = opendir("/proc");
	char name[300], *stat, *p;
	struct dirent *de;
	int n = 0, pp;

	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(name, sizeof(name), "%s/stat", de->d_name);
		stat = slurp("/proc", name);
		p = strrchr(stat, ')');
		if (p && sscanf(p, ") %*c %d", &pp) == 1 && pp == ppid && n < max)
			kids[n++] = atoi(de->d_name);
		free(stat);
	}
	if (dir)
		closedir(dir);
	return n;
}

/*
 * The process that xtcpize, started as @pid, runs: @pid itself in preload mode (xtcpize
 * execs it), its child in BPF mode (xtcpize forks it and waits).
 */
static pid_t xtcpized(pid_t pid)
{
	char name[32], *comm;
	pid_t kid;

	snprintf(name, sizeof(name), "%d/comm", pid);
	comm = slurp("/proc", name);
	if (!strcmp(comm, "xtcpize\n") && children(pid, &kid, 1) == 1)
		pid = kid;
	free(comm);
	return pid;
}

#define NGINX_WORKERS	2

/*
 * The inodes of the files in process @pid's epoll sets (the "tfd: ... ino:" lines of
 * /proc/PID/fdinfo/N), at most @max into @ino; their number.
 */
static int epoll_targets(pid_t pid, unsigned long *ino, int max)
{
	char dname[64], *info, *p;
	struct dirent *de;
	unsigned long i;
	int n = 0;
	DIR *dir;

	snprintf(dname, sizeof(dname), "/proc/%d/fdinfo", pid);
	dir = opendir(dname);
	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		info = slurp(dname, de->d_name);
		for (p = info; (p = strstr(p, "tfd:")); p++) {
			p = strstr(p, " ino:");
			if (!p)
				break;
			if (sscanf(p, " ino:%lx", &i) == 1 && n < max)
				ino[n++] = i;
		}
		free(info);
	}
	if (dir)
		closedir(dir);
	return n;
}

/*
 * Whether @master's @NGINX_WORKERS workers (*@nk found) each poll one of the master's
 * listeners @m (@nm of them) in their epoll set, a different one (*@nw: how many each).
 * With reuseport a worker keeps the others' listeners open but polls its own only.
 */
static int workers_own(pid_t master, const struct lsock *m, int nm, int *nk, int *nw)
{
	unsigned long ino[64];
	int i, j, k, n, mine[NGINX_WORKERS] = { -1, -1 };
	pid_t kids[8];

	*nk = children(master, kids, 8);
	for (i = 0; i < NGINX_WORKERS; i++) {
		nw[i] = 0;
		n = i < *nk ? epoll_targets(kids[i], ino, 64) : 0;
		for (j = 0; j < nm && j < 4; j++)
			for (k = 0; k < n; k++)
				if (ino[k] == m[j].ino) {
					nw[i]++;
					mine[i] = j;
				}
	}
	return *nk == NGINX_WORKERS && nw[0] == 1 && nw[1] == 1 && mine[0] != mine[1];
}

/*
 * nginx's "listen ... reuseport deferred" with 2 workers: the master holds a listener of
 * its own for each worker, each with SO_REUSEPORT and TCP_DEFER_ACCEPT, and each worker
 * polls one of them.
 */
static void nginx_listeners(const struct env *e, pid_t master, int port)
{
	int nm, nw[NGINX_WORKERS] = {}, nk = 0, i, opts = 0, own;
	struct lsock m[4] = {};

	nm = held_listeners(master, port, m, 4);
	for (i = 0; i < nm && i < 4; i++)
		opts += m[i].reuseport == 1 && m[i].defer > 0;
	tap_ok(nm == NGINX_WORKERS && opts == nm,
	       "%s nginx listen reuseport deferred: the master holds %d xtcp listeners on port "
	       "%d (want %d), %d of them with SO_REUSEPORT 1 and TCP_DEFER_ACCEPT > 0 "
	       "(read with getsockopt on the pidfd_getfd() copies: %d and %d s)", e->name, nm,
	       port, NGINX_WORKERS, opts, m[0].defer, m[1].defer);
	/* the workers start after the master's listeners are there: wait for them */
	wait_for((own = workers_own(master, m, nm, &nk, nw)), 20);
	tap_ok(own, "%s nginx reuseport: %d workers (want %d), each polling one listener of "
	       "its own in its epoll set (%d and %d of them; /proc/PID/fdinfo)", e->name, nk,
	       NGINX_WORKERS, nw[0], nw[1]);
}

/* nginx's configuration @name.conf in @d, its server's "listen @listen;". */
static int nginx_conf(const char *d, const char *name, const char *listen)
{
	char conf[PATH_MAX + 64];
	FILE *f;

	snprintf(conf, sizeof(conf), "%s/%s.conf", d, name);
	f = fopen(conf, "w");
	if (!f)
		return -1;
	fprintf(f, "daemon off;\nmaster_process on;\nworker_processes %d;\nuser root;\n"
		"pid %s/%s.pid;\nerror_log %s/%s-error.log;\n"
		"events { worker_connections 64; }\n"
		"http {\n\taccess_log %s/%s-access.log;\n\tsendfile on;\n\ttcp_nopush on;\n"
		"\tdefault_type application/octet-stream;\n\tkeepalive_timeout 30;\n"
		"\tserver {\n\t\tlisten %s;\n\t\troot %s/www;\n\t}\n}\n",
		NGINX_WORKERS, d, name, d, name, d, name, listen, d);
	return fclose(f) ? -1 : 0;
}

struct fetch {
	int rc, n;		/* curl's status, lines parsed */
	int code[3], conns[3];
	double speed[3], secs;	/* bytes/s of each; the three requests' time */
	int same;		/* the three files arrived equal */
};

/*
 * One curl (through @x if not "") fetching f1, f100k and f5m from @url over one
 * kept-alive connection into @tag-f1.got, ...: what it reported.
 */
static struct fetch curl_three(const struct env *e, const char *d, const char *tag,
			       const char *x, const char *url)
{
	struct fetch r = {};
	char *out, *line, *save = NULL, a[64], b[64];
	static const char *const f[3] = { "f1", "f100k", "f5m" };
	static const long size[3] = { 1, 102400, 5242880 };
	double t;
	int i;

	r.rc = run(d, tag, 90, "exec %s%s%scurl -sS --max-time 80 -w '%%{http_code} "
		   "%%{num_connects} %%{speed_download} %%{time_total}\\n' -o %s-f1.got %s/f1 "
		   "-o %s-f100k.got %s/f100k -o %s-f5m.got %s/f5m", e->cx, x, *x ? " run " : "",
		   tag, url, tag, url, tag, url);
	snprintf(a, sizeof(a), "%s.out", tag);
	out = slurp(d, a);
	for (line = strtok_r(out, "\n", &save); line && r.n < 3;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%d %d %lf %lf", &r.code[r.n], &r.conns[r.n], &r.speed[r.n],
			   &t) == 4) {
			r.secs += t;
			r.n++;
		}
	free(out);
	r.same = 1;
	for (i = 0; i < 3; i++) {
		snprintf(a, sizeof(a), "%s-%s.got", tag, f[i]);
		snprintf(b, sizeof(b), "www/%s", f[i]);
		r.same &= file_size(d, a) == size[i] && same_sha(d, b, a);
	}
	return r;
}

/* Whether a Linux TCP listener on @port is in the server's namespace (30 s at most). */
static int tcp_listening(const struct env *e, int port)
{
	int ok;

	netns_enter(e->sfd);
	ok = wait_for(!sh("grep -q ':%04X 00000000:0000 0A' /proc/net/tcp", port), 30);
	netns_enter(self_ns);
	return ok;
}

static void t_nginx(struct env *e)
{
	char d[PATH_MAX], url[128], *out, l[2][64];
	int port = e->port, rc;
	struct counts c0, c1;
	struct fetch x, t = { .rc = -1 };
	pid_t pid, tcp;

	snprintf(d, sizeof(d), "%s/nginx", e->dir);
	sh("mkdir -p %s/www && cd %s/www && head -c 1 /dev/urandom > f1 && "
	   "head -c 102400 /dev/urandom > f100k && head -c 5242880 /dev/urandom > f5m", d, d);
	snprintf(l[0], sizeof(l[0]), "%s:%d reuseport deferred", e->ip, port);
	snprintf(l[1], sizeof(l[1]), "%s:%d reuseport deferred", e->ip, port + 100);
	if (nginx_conf(d, "nginx", l[0]) || nginx_conf(d, "nginx-tcp", l[1])) {
		tap_ok(0, "%s nginx: configuration written in %s", e->name, d);
		return;
	}
	pid = server(spawn(d, "nginx", "exec %s%s run /usr/sbin/nginx -p %s -e %s/nginx-error.log "
			   "-c %s/nginx.conf", e->sx, xtcpize, d, d, d));
	/* with reuseport each worker has its own listener */
	if (!listening(e, "nginx", pid, port, NGINX_WORKERS, "nginx-error.log"))
		goto out;
	nginx_listeners(e, xtcpized(pid), port);

	snprintf(url, sizeof(url), "http://%s:%d", e->ip, port);
	c0 = counts(e);
	x = curl_three(e, d, "curl", xtcpize, url);
	tap_ok(x.rc == 0 && x.n == 3 && x.code[0] == 200 && x.code[1] == 200 &&
	       x.code[2] == 200 && x.same,
	       "%s nginx + curl: 1 B, 100 KiB and 5 MiB fetched (HTTP %d %d %d, curl status %d), "
	       "sizes and SHA-256 of each equal to the served file's%s%s", e->name, x.code[0],
	       x.code[1], x.code[2], x.rc, x.rc ? "; curl: " : "",
	       x.rc ? last_line(d, "curl.err") : "");
	tap_ok(x.n == 3 && x.conns[0] == 1 && x.conns[1] == 0 && x.conns[2] == 0,
	       "%s nginx + curl: the three requests over one kept-alive connection (curl's "
	       "num_connects %d, %d, %d; want 1, 0, 0)", e->name, x.conns[0], x.conns[1],
	       x.conns[2]);
	opened(e, "nginx + curl", c0, 1);

	rc = run(d, "curl404", 30, "exec %s%s run curl -sS --max-time 20 -o /dev/null -w "
		 "'%%{http_code}\\n' %s/missing", e->cx, xtcpize, url);
	out = slurp(d, "curl404.out");
	tap_ok(rc == 0 && atoi(out) == 404, "%s nginx + curl: a missing file answers HTTP %d "
	       "(want 404)", e->name, atoi(out));
	free(out);
	/* each connection's handshake-ending ACK came without data: deferred, not accepted */
	c1 = counts(e);
	tap_ok(c1.defer_drop - c0.defer_drop >= 2,
	       "%s nginx deferred: DeferAcceptDrop +%ld over curl's 2 connections (want >= 2: "
	       "each bare ACK held back until the request came)", e->name,
	       c1.defer_drop - c0.defer_drop);

	if (!e->tcp) {
		printf("# %s nginx + curl, 1 B + 100 KiB + 5 MiB on one connection: xtcp %.3f s "
		       "(5 MiB at %.1f MB/s)\n", e->name, x.secs, x.speed[2] / 1e6);
		goto out;
	}
	/* the same on Linux TCP, for the figures */
	tcp = server(spawn(d, "nginx-tcp", "exec %s/usr/sbin/nginx -p %s -e %s/nginx-tcp-error.log "
			   "-c %s/nginx-tcp.conf", e->sx, d, d, d));
	snprintf(url, sizeof(url), "http://%s:%d", e->ip, port + 100);
	if (tcp_listening(e, port + 100))
		t = curl_three(e, d, "curl-tcp", "", url);
	if (!t.rc && t.n == 3 && t.same)
		printf("# %s nginx + curl, 1 B + 100 KiB + 5 MiB on one connection: xtcp %.3f s "
		       "(5 MiB at %.1f MB/s), Linux TCP %.3f s (%.1f MB/s); xtcp/TCP rate %.2f\n",
		       e->name, x.secs, x.speed[2] / 1e6, t.secs, t.speed[2] / 1e6,
		       t.speed[2] > 0 ? x.speed[2] / t.speed[2] : 0);
	else
		printf("# %s nginx + curl on Linux TCP: no figures (see %s)\n", e->name, d);
	stop(tcp);
out:
	stop(pid);
}

/*
 * IPv6: nginx under xtcpize listening on [::]:PORT with ipv6only=off, one dual-stack
 * listener (a row of /proc/net/xtcp6, none in /proc/net/xtcp); curl under xtcpize
 * fetches 100 KiB from it over [::1] and over 127.0.0.1, and nginx's access log names
 * the clients ::1 and ::ffff:127.0.0.1 (the IPv4 client seen v4-mapped).  Over loopback
 * only: the veth path's namespaces have IPv4 addresses.
 */
/* Whether nginx's access log in @d has a request from ::1, then one from ::ffff:127.0.0.1. */
static int logged_both(const char *d)
{
	char *log = slurp(d, "nginx-access.log");
	int ok = !strncmp(log, "::1 ", 4) && strstr(log, "\n::ffff:127.0.0.1 ");

	free(log);
	return ok;
}

static void t_nginx6(struct env *e)
{
	static const char *const host[2] = { "[::1]", "127.0.0.1" };
	char d[PATH_MAX], listen[64], tag[16], name[32], *out;
	int port = e->port + 7, rows = 0, rows4 = -1, st, i, rc, code;
	struct counts c0;
	pid_t pid;

	snprintf(d, sizeof(d), "%s/nginx6", e->dir);
	snprintf(listen, sizeof(listen), "[::]:%d ipv6only=off", port);
	sh("mkdir -p %s/www && head -c 102400 /dev/urandom > %s/www/f100k", d, d);
	if (nginx_conf(d, "nginx", listen)) {
		tap_ok(0, "%s nginx6: configuration written in %s", e->name, d);
		return;
	}
	pid = server(spawn(d, "nginx", "exec %s run /usr/sbin/nginx -p %s -e %s/nginx-error.log "
			   "-c %s/nginx.conf", xtcpize, d, d, d));
	wait_for((rows = xtcp_proc6_rows(ST_LISTEN, port)) >= 1 || child_ended(pid, &st), 30);
	rows4 = xtcp_proc_rows(ST_LISTEN, port);
	if (!tap_ok(rows == 1 && rows4 == 0,
		    "%s nginx listen [::]:%d ipv6only=off under xtcpize: %d listener row(s) in "
		    "/proc/net/xtcp6 (want 1), %d in /proc/net/xtcp (want 0)%s%s", e->name, port,
		    rows, rows4, rows == 1 ? "" : "; its log: ",
		    rows == 1 ? "" : last_line(d, "nginx-error.log")))
		goto out;
	c0 = counts(e);
	for (i = 0; i < 2; i++) {
		snprintf(tag, sizeof(tag), "curl%d", i);
		rc = run(d, tag, 30, "exec %s run curl -sS -g --max-time 20 -o %s.got -w "
			 "'%%{http_code}\\n' http://%s:%d/f100k", xtcpize, tag, host[i], port);
		snprintf(name, sizeof(name), "%s.out", tag);
		out = slurp(d, name);
		code = atoi(out);
		free(out);
		snprintf(name, sizeof(name), "%s.got", tag);
		tap_ok(rc == 0 && code == 200 && file_size(d, name) == 102400 &&
		       same_sha(d, "www/f100k", name),
		       "%s nginx + curl under xtcpize over %s: HTTP %d, 100 KiB equal to the served "
		       "file (curl status %d)", e->name, host[i], code, rc);
	}
	opened(e, "nginx + curl over [::1] and 127.0.0.1", c0, 2);
	/* nginx logs a request once its answer is queued, which curl may not wait for */
	tap_ok(wait_for(logged_both(d), 10), "%s nginx's access log names its clients ::1 and "
	       "::ffff:127.0.0.1 (the IPv4 one v4-mapped, as a dual-stack TCP listener shows it)",
	       e->name);
out:
	stop(pid);
}

/* ---- redis ---- */

/* The rate redis-benchmark -q printed for @test ("SET: 1234.56 requests per second"). */
static double rps(const char *out, const char *test)
{
	char pat[32];
	const char *p = out;
	double v, best = 0;
	int n;

	snprintf(pat, sizeof(pat), "%s: ", test);
	while ((p = strstr(p, pat))) {
		p += strlen(pat);
		n = 0;
		if (sscanf(p, "%lf requests per second%n", &v, &n) == 1 && n > 0)
			best = v;
	}
	return best;
}

#define REDIS_N		2000
#define REDIS_CLIENTS	4
#define REDIS_TESTS	3	/* set, get, lpush */

/* redis-benchmark against @ip:@port from @cx: the three rates, 0 for those missing. */
static int redis_bench(const char *d, const char *log, const char *cx, const char *x,
		       const char *ip, int port, double r[3])
{
	int rc = run(d, log, 50, "exec %s%s%sredis-benchmark -h %s -p %d -t set,get,lpush "
		     "-n %d -c %d -P 16 -q", cx, x, *x ? " run " : "", ip, port, REDIS_N,
		     REDIS_CLIENTS);
	char name[64], *out;

	snprintf(name, sizeof(name), "%s.out", log);
	out = slurp(d, name);
	r[0] = rps(out, "SET");
	r[1] = rps(out, "GET");
	r[2] = rps(out, "LPUSH");
	free(out);
	return rc;
}

static pid_t redis_start(const char *d, const char *log, const char *sx, const char *x,
			 const char *ip, int port)
{
	return server(spawn(d, log, "exec %s%s%s/usr/bin/redis-server --bind %s --port %d "
			    "--save '' --appendonly no --dir %s --protected-mode no "
			    "--daemonize no", sx, x, *x ? " run " : "", ip, port, d));
}

static void t_redis(struct env *e)
{
	char d[PATH_MAX], val[64], *out;
	int port = e->port + 1, rc, rc2;
	double r[3], t[3];
	struct counts c0;
	pid_t pid, tcp;

	snprintf(d, sizeof(d), "%s/redis", e->dir);
	sh("mkdir -p %s", d);
	pid = redis_start(d, "redis", e->sx, xtcpize, e->ip, port);
	if (!listening(e, "redis", pid, port, 1, "redis.out"))
		goto out;
	c0 = counts(e);
	rc = redis_bench(d, "bench", e->cx, xtcpize, e->ip, port, r);
	tap_ok(rc == 0 && r[0] > 0 && r[1] > 0 && r[2] > 0,
	       "%s redis-benchmark -n %d -c %d -P 16 (status %d): SET %.0f, GET %.0f, LPUSH %.0f "
	       "requests/s", e->name, REDIS_N, REDIS_CLIENTS, rc, r[0], r[1], r[2]);
	/* each test's clients connect anew, and one more connection for CONFIG GET */
	opened(e, "redis-benchmark", c0, REDIS_TESTS * REDIS_CLIENTS + 1);

	snprintf(val, sizeof(val), "xtcp-%d-%ld", getpid(), (long)time(NULL));
	c0 = counts(e);
	rc = run(d, "set", 20, "exec %s%s run redis-cli -h %s -p %d SET xtcp:key %s", e->cx,
		 xtcpize, e->ip, port, val);
	rc2 = run(d, "get", 20, "exec %s%s run redis-cli -h %s -p %d GET xtcp:key", e->cx,
		  xtcpize, e->ip, port);
	out = slurp(d, "get.out");
	out[strcspn(out, "\n")] = 0;
	tap_ok(rc == 0 && rc2 == 0 && !strcmp(out, val),
	       "%s redis-cli SET then GET: \"%s\" read back (wrote \"%s\"; status %d, %d)",
	       e->name, out, val, rc, rc2);
	free(out);
	opened(e, "redis-cli", c0, 2);

	if (!e->tcp)
		goto out;
	/* the same benchmark on Linux TCP, for the figures */
	tcp = redis_start(d, "redis-tcp", e->sx, "", e->ip, port + 100);
	if (tcp_listening(e, port + 100) &&
	    !redis_bench(d, "bench-tcp", e->cx, "", e->ip, port + 100, t) && t[0] > 0 &&
	    t[1] > 0 && t[2] > 0 && r[0] > 0 && r[1] > 0 && r[2] > 0)
		printf("# %s redis-benchmark requests/s: xtcp SET %.0f GET %.0f LPUSH %.0f; "
		       "Linux TCP SET %.0f GET %.0f LPUSH %.0f (xtcp/TCP %.2f %.2f %.2f)\n",
		       e->name, r[0], r[1], r[2], t[0], t[1], t[2], r[0] / t[0], r[1] / t[1],
		       r[2] / t[2]);
	else
		printf("# %s redis-benchmark on Linux TCP: no figures (see %s)\n", e->name, d);
	stop(tcp);
out:
	stop(pid);
}

/* ---- iperf3 ---- */

struct iperf {
	long rx_bytes;
	double rx_bps;
	int senders;			/* sender streams with TCP_INFO fields */
	long min_cwnd, min_rtt_mean, min_rtt_max;
};

static long json_num(const char *p, const char *key, const char **end)
{
	char pat[64];
	const char *q;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	q = p ? strstr(p, pat) : NULL;
	if (!q) {
		if (end)
			*end = NULL;
		return -1;
	}
	q += strlen(pat);
	if (end)
		*end = q;
	return strtol(q, NULL, 10);
}

/*
 * iperf3's JSON: the receiver's total (end.sum_received), and each stream whose
 * "sender" is true with its TCP_INFO fields (the server's, in server_output_json, for -R).
 */
static struct iperf iperf_parse(const char *js)
{
	struct iperf r = { .rx_bytes = -1, .min_cwnd = -1, .min_rtt_mean = -1, .min_rtt_max = -1 };
	const char *p = strstr(js, "\"sum_received\":"), *q, *s;
	long v;

	if (p) {
		r.rx_bytes = json_num(p, "bytes", NULL);
		q = strstr(p, "\"bits_per_second\":");
		r.rx_bps = q ? strtod(q + strlen("\"bits_per_second\":"), NULL) : 0;
	}
	for (p = js; (p = strstr(p, "\"max_snd_cwnd\":")); p++) {
		s = strstr(p, "\"sender\":");
		if (!s || !strstr(s, "true") || strstr(s, "true") - s > 12)
			continue;
		r.senders++;
		v = json_num(p, "max_snd_cwnd", NULL);
		r.min_cwnd = r.min_cwnd < 0 || v < r.min_cwnd ? v : r.min_cwnd;
		v = json_num(p, "mean_rtt", NULL);
		r.min_rtt_mean = r.min_rtt_mean < 0 || v < r.min_rtt_mean ? v : r.min_rtt_mean;
		v = json_num(p, "max_rtt", NULL);
		r.min_rtt_max = r.min_rtt_max < 0 || v < r.min_rtt_max ? v : r.min_rtt_max;
	}
	return r;
}

#define IPERF_STREAMS	4
#define IPERF_SECS	1

static int iperf_client(const char *d, const char *log, const char *cx, const char *x,
			const char *ip, int port, int reverse, struct iperf *r)
{
	char name[64], *js;
	int rc = run(d, log, 50, "exec %s%s%siperf3 -4 -c %s -p %d -t %d -P %d -J%s", cx, x,
		     *x ? " run " : "", ip, port, IPERF_SECS, IPERF_STREAMS,
		     reverse ? " -R --get-server-output" : "");

	snprintf(name, sizeof(name), "%s.out", log);
	js = slurp(d, name);
	*r = iperf_parse(js);
	free(js);
	return rc;
}

static void t_iperf3(struct env *e)
{
	char d[PATH_MAX];
	int port = e->port + 2, rc, rev;
	struct counts c0;
	struct iperf r[2] = {}, t[2] = {};
	pid_t pid, tcp;

	snprintf(d, sizeof(d), "%s/iperf3", e->dir);
	sh("mkdir -p %s", d);
	/* -J: its results in JSON, which -R's client gets with --get-server-output */
	pid = server(spawn(d, "server", "exec %s%s run iperf3 -s -J -4 -B %s -p %d", e->sx,
			   xtcpize, e->ip, port));
	if (!listening(e, "iperf3", pid, port, 1, "server.err"))
		goto out;
	for (rev = 0; rev < 2; rev++) {
		const char *dir = rev ? "-R (server to client)" : "forward (client to server)";

		c0 = counts(e);
		rc = iperf_client(d, rev ? "reverse" : "forward", e->cx, xtcpize, e->ip, port, rev,
				  &r[rev]);
		tap_ok(rc == 0 && r[rev].rx_bytes > 0 && r[rev].senders == IPERF_STREAMS &&
		       r[rev].min_cwnd > 0 && r[rev].min_rtt_mean > 0 && r[rev].min_rtt_max > 0,
		       "%s iperf3 -P %d -t %d %s (status %d): %ld bytes received, %.1f Mbit/s; the "
		       "%d sender streams' TCP_INFO: smallest max_snd_cwnd %ld B, mean_rtt %ld us, "
		       "max_rtt %ld us (want %d streams, all > 0)", e->name, IPERF_STREAMS,
		       IPERF_SECS, dir,
		       rc, r[rev].rx_bytes, r[rev].rx_bps / 1e6, r[rev].senders, r[rev].min_cwnd,
		       r[rev].min_rtt_mean, r[rev].min_rtt_max, IPERF_STREAMS);
		/* the control connection and the streams */
		opened(e, rev ? "iperf3 -R" : "iperf3", c0, IPERF_STREAMS + 1);
	}
	if (!e->tcp)
		goto out;
	/* the same on Linux TCP, for the figures */
	tcp = server(spawn(d, "server-tcp", "exec %siperf3 -s -J -4 -B %s -p %d", e->sx, e->ip,
			   port + 100));
	if (tcp_listening(e, port + 100) &&
	    !iperf_client(d, "forward-tcp", e->cx, "", e->ip, port + 100, 0, &t[0]) &&
	    !iperf_client(d, "reverse-tcp", e->cx, "", e->ip, port + 100, 1, &t[1]) &&
	    t[0].rx_bps > 0 && t[1].rx_bps > 0 && r[0].rx_bps > 0 && r[1].rx_bps > 0)
		printf("# %s iperf3 -P %d -t %d Mbit/s: xtcp forward %.1f, -R %.1f; Linux TCP "
		       "forward %.1f, -R %.1f (xtcp/TCP %.2f, %.2f)\n", e->name, IPERF_STREAMS,
		       IPERF_SECS, r[0].rx_bps / 1e6, r[1].rx_bps / 1e6, t[0].rx_bps / 1e6,
		       t[1].rx_bps / 1e6, r[0].rx_bps / t[0].rx_bps, r[1].rx_bps / t[1].rx_bps);
	else
		printf("# %s iperf3 on Linux TCP: no figures (see %s)\n", e->name, d);
	stop(tcp);
out:
	stop(pid);
}

/* ---- sshd + ssh, scp ---- */

static void t_ssh(struct env *e)
{
	char d[PATH_MAX], opts[PATH_MAX * 2], *out;
	int port = e->port + 3, rc;
	struct counts c0;
	double t_ssh;
	pid_t pid;
	FILE *f;

	snprintf(d, sizeof(d), "%s/ssh", e->dir);
	if (sh("mkdir -p %s /run/sshd && cd %s && rm -f hostkey* id* && "
	       "ssh-keygen -q -t ed25519 -N '' -f hostkey && ssh-keygen -q -t ed25519 -N '' -f id "
	       "&& cp id.pub authorized_keys && head -c %d /dev/urandom > in1m", d, d, FILE_1M)) {
		tap_ok(0, "%s sshd: keys made with ssh-keygen in %s", e->name, d);
		return;
	}
	snprintf(opts, sizeof(opts), "%s/sshd_config", d);
	f = fopen(opts, "w");
	if (!f) {
		tap_ok(0, "%s sshd: %s written", e->name, opts);
		return;
	}
	/*
	 * SetEnv SHLVL=1: the bash that runs a command for sshd then does not read root's
	 * ~/.bashrc (Debian's bash reads it when SSH_CLIENT is set and SHLVL < 2), which
	 * belongs to the host and took 10 s of each ssh command in the guest.
	 */
	fprintf(f, "Port %d\nListenAddress %s\nHostKey %s/hostkey\nPidFile %s/sshd.pid\n"
		"AuthorizedKeysFile %s/authorized_keys\nPermitRootLogin prohibit-password\n"
		"PubkeyAuthentication yes\nPasswordAuthentication no\n"
		"KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nUseDNS no\n"
		"Subsystem sftp internal-sftp\nSetEnv SHLVL=1\n", port, e->ip, d, d, d);
	fclose(f);
	pid = server(spawn(d, "sshd", "exec %s%s run /usr/sbin/sshd -D -e -f %s/sshd_config",
			   e->sx, xtcpize, d));
	if (!listening(e, "sshd", pid, port, 1, "sshd.err"))
		goto out;
	snprintf(opts, sizeof(opts), "-F /dev/null -i %s/id -o IdentitiesOnly=yes -o BatchMode=yes "
		 "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR",
		 d);
	c0 = counts(e);
	rc = run(d, "ssh", 45, "exec %s%s run ssh %s -p %d root@%s 'echo ssh-over-xtcp-$((6 * 7))'",
		 e->cx, xtcpize, opts, port, e->ip);
	t_ssh = ran;
	out = slurp(d, "ssh.out");
	out[strcspn(out, "\n")] = 0;
	tap_ok(rc == 0 && !strcmp(out, "ssh-over-xtcp-42"),
	       "%s ssh root@%s by key runs a command: it printed \"%s\" (want ssh-over-xtcp-42; "
	       "status %d)%s%s", e->name, e->ip, out, rc, rc ? "; ssh: " : "",
	       rc ? last_line(d, "ssh.err") : "");
	free(out);
	rc = run(d, "scp", 60, "rm -f scp.got && exec %s%s run scp %s -P %d in1m root@%s:%s/scp.got",
		 e->cx, xtcpize, opts, port, e->ip, d);
	printf("# %s ssh over xtcp: the command took %.1f s, scp of 1 MiB %.1f s\n", e->name,
	       t_ssh, ran);
	tap_ok(rc == 0 && file_size(d, "scp.got") == FILE_1M && same_sha(d, "in1m", "scp.got"),
	       "%s scp of 1 MiB to sshd: status %d, %ld bytes arrived, SHA-256 equal%s%s",
	       e->name, rc, file_size(d, "scp.got"), rc ? "; scp: " : "",
	       rc ? last_line(d, "scp.err") : "");
	opened(e, "ssh and scp", c0, 2);
out:
	stop(pid);
}

/* ---- socat, natively on protocol 253 ---- */

static void t_socat(struct env *e)
{
	char d[PATH_MAX];
	int port = e->port + 4, rc, src;
	struct counts c0;
	pid_t pid;

	snprintf(d, sizeof(d), "%s/socat", e->dir);
	sh("mkdir -p %s && cd %s && rm -f got && head -c %d /dev/urandom > in1m", d, d, FILE_1M);
	pid = server(spawn(d, "server", "exec %ssocat -u TCP4-LISTEN:%d,bind=%s,reuseaddr,"
			   "prototype=%d CREATE:got", e->sx, port, e->ip, IPPROTO_XTCP));
	if (!listening(e, "socat", pid, port, 1, "server.err"))
		goto out;
	c0 = counts(e);
	src = run(d, "client", 60, "exec %ssocat -u OPEN:in1m TCP4:%s:%d,prototype=%d", e->cx,
		  e->ip, port, IPPROTO_XTCP);
	rc = reap(pid, 60);		/* the server ends with its one connection */
	tap_ok(src == 0 && rc == 0 && file_size(d, "got") == FILE_1M && same_sha(d, "in1m", "got"),
	       "%s socat TCP4 with prototype=%d: 1 MiB through (sender status %d, receiver %d), "
	       "%ld bytes arrived, SHA-256 equal", e->name, IPPROTO_XTCP, src, rc,
	       file_size(d, "got"));
	opened(e, "socat", c0, 1);
out:
	stop(pid);
}

/* ---- Python asyncio, natively on protocol 253 ---- */

static const char echo_py[] =
"import asyncio, errno, hashlib, os, socket, sys\n"
"P = int(os.environ.get('XTCP_PROTO', '253'))\n"
"mode, ip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])\n"
"\n"
"async def echo(r, w):\n"
"    while True:\n"
"        d = await r.read(65536)\n"
"        if not d:\n"
"            break\n"
"        w.write(d)\n"
"        await w.drain()\n"
"    w.close()\n"
"    await w.wait_closed()\n"
"\n"
"async def server():\n"
"    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, P)\n"
"    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
"    s.bind((ip, port))\n"
"    srv = await asyncio.start_server(echo, sock=s)\n"
"    async with srv:\n"
"        await srv.serve_forever()\n"
"\n"
"async def client(n):\n"
"    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, P)\n"
"    s.setblocking(False)\n"
"    # loop.sock_connect() resolves the address with getaddrinfo() for the socket's\n"
"    # protocol, which refuses 253 (EAI_SOCKTYPE): connect, then wait to be writable\n"
"    loop = asyncio.get_running_loop()\n"
"    err = s.connect_ex((ip, port))\n"
"    if err == errno.EINPROGRESS:\n"
"        done = loop.create_future()\n"
"        loop.add_writer(s, lambda: done.done() or done.set_result(None))\n"
"        try:\n"
"            await done\n"
"        finally:\n"
"            loop.remove_writer(s)\n"
"        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)\n"
"    if err:\n"
"        raise OSError(err, os.strerror(err))\n"
"    r, w = await asyncio.open_connection(sock=s)\n"
"    proto = w.get_extra_info('socket').getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL)\n"
"    data = os.urandom(n)\n"
"    async def send():\n"
"        w.write(data)\n"
"        await w.drain()\n"
"        w.write_eof()\n"
"    t = asyncio.create_task(send())\n"
"    got = bytearray()\n"
"    while True:\n"
"        d = await r.read(65536)\n"
"        if not d:\n"
"            break\n"
"        got += d\n"
"    await t\n"
"    w.close()\n"
"    same = hashlib.sha256(got).digest() == hashlib.sha256(data).digest()\n"
"    print(proto, n, len(got), int(same))\n"
"\n"
"if mode == 'server':\n"
"    asyncio.run(server())\n"
"else:\n"
"    asyncio.run(client(int(sys.argv[4])))\n";

static void t_python(struct env *e)
{
	char d[PATH_MAX], path[PATH_MAX + 16], *out;
	int port = e->port + 5, rc, proto = -1, same = 0;
	long sent = -1, got = -1;
	struct counts c0;
	pid_t pid;
	FILE *f;

	snprintf(d, sizeof(d), "%s/python", e->dir);
	sh("mkdir -p %s", d);
	snprintf(path, sizeof(path), "%s/echo.py", d);
	f = fopen(path, "w");
	if (!f || fputs(echo_py, f) < 0) {
		tap_ok(0, "%s python: %s written", e->name, path);
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	pid = server(spawn(d, "server", "exec %s/usr/bin/python3 -B echo.py server %s %d", e->sx,
			   e->ip, port));
	if (!listening(e, "python3 asyncio", pid, port, 1, "server.err"))
		goto out;
	c0 = counts(e);
	rc = run(d, "client", 60, "exec %s/usr/bin/python3 -B echo.py client %s %d %d", e->cx,
		 e->ip, port, FILE_1M);
	out = slurp(d, "client.out");
	sscanf(out, "%d %ld %ld %d", &proto, &sent, &got, &same);
	free(out);
	tap_ok(rc == 0 && proto == IPPROTO_XTCP && sent == FILE_1M && got == sent && same,
	       "%s python3 asyncio on socket(AF_INET, SOCK_STREAM, %d): %ld bytes echoed of %ld "
	       "sent, SHA-256 %s, the client's SO_PROTOCOL %d (status %d)%s%s", e->name,
	       IPPROTO_XTCP, got, sent, same ? "equal" : "not equal", proto, rc,
	       rc ? "; python: " : "", rc ? last_line(d, "client.err") : "");
	opened(e, "python3 asyncio", c0, 1);
out:
	stop(pid);
}

/* ---- xtcpize's modes: BPF, with a static client, or the fallback to the library ---- */

struct echo {
	int rc, proto, same;	/* exit status, SO_PROTOCOL, the data came back equal */
	long sent, got;
};

/* Run static_client against @ip:@port through "xtcpize run @opts" as @log. */
static struct echo static_echo(const char *d, const char *log, const char *opts,
			       const char *ip, int port)
{
	struct echo r = { .proto = -1, .sent = -1, .got = -1 };
	char name[64], *out;

	r.rc = run(d, log, 30, "exec %s run %s %s %s %d", xtcpize, opts, static_client, ip,
		   port);
	snprintf(name, sizeof(name), "%s.out", log);
	out = slurp(d, name);
	sscanf(out, "proto %d sent %ld got %ld same %d", &r.proto, &r.sent, &r.got, &r.same);
	free(out);
	return r;
}

/*
 * The static client under --preload stays on TCP: no libc socket() call for the library
 * to wrap (what the README says the library does not catch).
 */
static void static_preload(const struct env *e, const char *d, int port)
{
	struct counts c0, c1;
	struct echo r;
	int up, rs;
	pid_t pid;

	pid = server(spawn(d, "preload-server", "exec %s run --preload %s -l %s %d", xtcpize,
			   static_client, e->ip, port));
	up = tcp_listening(e, port);
	c0 = counts(e);
	r = static_echo(d, "preload-client", "--preload", e->ip, port);
	rs = reap(pid, 10);
	c1 = counts(e);
	tap_ok(up && r.rc == 0 && rs == 0 && r.proto == IPPROTO_TCP && r.same &&
	       c1.act == c0.act && c1.pas == c0.pas,
	       "%s xtcpize run --preload leaves the static client on TCP (no libc socket() to "
	       "wrap): its SO_PROTOCOL %d (want %d), %ld of %ld bytes echoed back equal by the "
	       "static server on TCP (listening: %s); ActiveOpens +%ld, PassiveOpens +%ld (want "
	       "+0); statuses %d and %d", e->name, r.proto, IPPROTO_TCP, r.got, r.sent,
	       up ? "yes" : "no", c1.act - c0.act, c1.pas - c0.pas, r.rc, rs);
}

/* The cgroups xtcpize made that are still there (0 when it cleaned up after itself). */
static int cgroups_left(void)
{
	return sh("find /sys/fs/cgroup -maxdepth 3 -name 'xtcpize-*' | grep -q .") ? 0 : 1;
}

static void static_bpf(struct env *e, const char *d, int port)
{
	struct counts c0;
	int fd, out_proto = -1, rc[3], rs, in_cg;
	socklen_t len = sizeof(out_proto);
	char name[64], want[64], *cg, *err;
	pid_t srv, pid, kid;
	struct echo r;

	pid = srv = server(spawn(d, "bpf-server", "exec %s run --bpf %s -l %s %d", xtcpize,
				 static_client, e->ip, port));
	if (!listening(e, "static server under xtcpize --bpf", pid, port, 1, "bpf-server.err"))
		goto out;
	/* a process outside the cgroup, while xtcpize has its program attached */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0) {
		getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &out_proto, &len);
		close(fd);
	}
	kid = xtcpized(pid);
	snprintf(name, sizeof(name), "%d/cgroup", kid);
	snprintf(want, sizeof(want), "/xtcpize-%d\n", pid);
	cg = slurp("/proc", name);
	in_cg = kid != pid && strstr(cg, want);
	cg[strcspn(cg, "\n")] = 0;
	tap_ok(in_cg && out_proto == IPPROTO_TCP,
	       "%s xtcpize --bpf runs the static server in a cgroup of its own (its "
	       "/proc/PID/cgroup: %s; want .../xtcpize-%d); meanwhile a socket(AF_INET, "
	       "SOCK_STREAM, 0) of this test, outside it, has SO_PROTOCOL %d (want %d)", e->name,
	       cg, pid, out_proto, IPPROTO_TCP);
	free(cg);
	c0 = counts(e);
	r = static_echo(d, "bpf-client", "--bpf -v", e->ip, port);
	err = slurp(d, "bpf-client.err");
	tap_ok(r.rc == 0 && r.proto == IPPROTO_XTCP && r.same &&
	       strstr(err, "xtcpize: 1 socket(s) moved to protocol 253"),
	       "%s the static client under xtcpize --bpf: its socket(AF_INET, SOCK_STREAM, 0) has "
	       "SO_PROTOCOL %d (want %d), %ld of %ld bytes echoed back equal by the static server; "
	       "xtcpize -v counted 1 socket moved: %s (status %d)", e->name, r.proto,
	       IPPROTO_XTCP, r.got, r.sent, strstr(err, "1 socket(s) moved") ? "yes" : "no",
	       r.rc);
	free(err);
	opened(e, "the static client under xtcpize --bpf", c0, 1);
	rs = reap(pid, 10);
	tap_ok(rs == 0 && !cgroups_left(),
	       "%s the static server ended after its connection, xtcpize with its status (%d, "
	       "want 0) and no xtcpize-* cgroup left under /sys/fs/cgroup", e->name, rs);

	/* exit statuses, a child left behind, a signal passed on */
	rc[0] = run(d, "bpf-exit", 10, "exec %s run --bpf sh -c 'exit 7'", xtcpize);
	rc[1] = run(d, "bpf-kill", 10, "exec %s run --bpf sh -c 'kill -TERM $$'", xtcpize);
	rc[2] = run(d, "bpf-missing", 10, "exec %s run --bpf /nonexistent-program", xtcpize);
	tap_ok(rc[0] == 7 && rc[1] == 128 + SIGTERM && rc[2] == 127,
	       "xtcpize --bpf exits with the command's status: exit 7 -> %d, killed by SIGTERM "
	       "-> %d (want %d), not found -> %d (want 127)", rc[0], rc[1], 128 + SIGTERM, rc[2]);
	sh("rm -f %s/late", d);
	rs = run(d, "bpf-left", 10, "exec %s run --bpf sh -c '(sleep 1; echo late > late) & exit 3'",
		 xtcpize);
	tap_ok(rs == 3 && ran >= 1.0 && file_size(d, "late") == 5,
	       "xtcpize --bpf waits for what the command left in its cgroup: a child 1 s behind "
	       "the command's exit 3 wrote its file (%ld bytes, want 5) before xtcpize exited "
	       "with 3 (%d) after %.1f s", file_size(d, "late"), rs, ran);
	pid = spawn(d, "bpf-term", "exec %s run --bpf sleep 30", xtcpize);
	wait_for(xtcpized(pid) != pid, 10);
	kid = xtcpized(pid);
	kill(pid, SIGTERM);		/* xtcpize only, not its process group */
	rs = reap(pid, 10);
	tap_ok(kid != pid && rs == 128 + SIGTERM,
	       "xtcpize --bpf passes a SIGTERM sent to it on to the command (sleep 30): it exits "
	       "%d (want %d) after %.1f s", rs, 128 + SIGTERM, ran);
out:
	stop(srv);
}

/*
 * xtcpize's modes.  Where Linux has update_socket_protocol() (6.6 on; its BTF says),
 * BPF mode moves a statically linked client's sockets; elsewhere --bpf refuses and
 * the default falls back to the library, saying so.  Either way the default moves a
 * dynamically linked program's sockets and --preload leaves the static client on TCP.
 */
static void t_modes(struct env *e)
{
	static const char py[] = "/usr/bin/python3 -c 'import socket; print(socket.socket()"
				 ".getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL))'";
	int hook, rc, proto = -1, ok;
	char d[PATH_MAX], *out, *err;

	snprintf(d, sizeof(d), "%s/modes", e->dir);
	sh("mkdir -p %s", d);
	hook = !sh("grep -qa update_socket_protocol /sys/kernel/btf/vmlinux 2>/dev/null");
	tap_ok(!sh("readelf -l %s | grep -q 'Program Headers' && ! readelf -l %s | grep -q "
		   "interpreter", static_client, static_client),
	       "static_client (%s) is statically linked: no ELF interpreter (readelf -l)",
	       static_client);

	rc = run(d, "auto", 30, "exec %s run -v %s", xtcpize, py);
	out = slurp(d, "auto.out");
	err = slurp(d, "auto.err");
	sscanf(out, "%d", &proto);
	/* the mode's line comes first: libbpf says nothing unless asked (--bpf -v) */
	ok = rc == 0 && proto == IPPROTO_XTCP &&
	     (hook ? !strncmp(err, "xtcpize: BPF mode: ", 19) && !strstr(err, "not available")
		   : !strncmp(err, "xtcpize: BPF mode is not available: ", 36) &&
		     strstr(err, "; using the LD_PRELOAD library instead"));
	err[strcspn(err, "\n")] = 0;
	tap_ok(ok, "%s xtcpize run (no mode given) %s: python3's socket() has SO_PROTOCOL %d "
	       "(want %d; status %d); its first stderr line: %s", e->name,
	       hook ? "uses BPF (Linux has update_socket_protocol)"
		    : "falls back to the library, saying why (Linux has no update_socket_protocol "
		      "or no BTF)", proto, IPPROTO_XTCP, rc, err);
	free(out);
	free(err);

	static_preload(e, d, e->port + 106);
	if (hook) {
		static_bpf(e, d, e->port + 6);
		return;
	}
	rc = run(d, "bpf", 30, "exec %s run --bpf true", xtcpize);
	err = slurp(d, "bpf.err");
	ok = rc == 1 && strstr(err, "xtcpize: BPF mode is not available: ") &&
	     !strstr(err, "using the LD_PRELOAD library");
	err[strcspn(err, "\n")] = 0;
	tap_ok(ok, "%s xtcpize run --bpf where BPF mode is not available exits 1 (%d) saying "
	       "why: %s", e->name, rc, err);
	free(err);
	printf("# BPF mode is not available on this kernel: the static client's checks under "
	       "--bpf do not run here\n");
}

/* ---- main ---- */

static void diag(void)
{
	printf("# /proc/net/xtcp of this namespace:\n");
	sh("sed 's/^/#   /' /proc/net/xtcp");
}

static void run_env(struct env *e)
{
	static const struct {
		const char *name;
		void (*fn)(struct env *e);
		int secs;
	} progs[] = {
		{ "nginx + curl", t_nginx, 120 }, { "redis", t_redis, 120 },
		{ "iperf3", t_iperf3, 150 }, { "sshd + ssh", t_ssh, 150 },
		{ "socat", t_socat, 90 }, { "python3 asyncio", t_python, 90 },
	};
	char step[128];
	unsigned int i;
	int left;
	double t0;

	sh("mkdir -p %s", e->dir);
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		t0 = now();
		snprintf(step, sizeof(step), "%s %s", e->name, progs[i].name);
		watchdog_step(step, progs[i].secs);
		progs[i].fn(e);
		printf("# %s: %.1f s\n", step, now() - t0);
	}
	watchdog_step(NULL, 0);
	/* every server stopped: nothing of theirs left but TIME_WAITs */
	left = 0;
	wait_for((left = srv_rows(e, ST_LISTEN, 0) + srv_rows(e, ST_ESTAB, 0)) == 0, 10);
	tap_ok(left == 0, "%s: every server and client gone, no listener or connection left in "
	       "the server's /proc/net/xtcp (%d rows)", e->name, left);
}

int main(int argc, char **argv)
{
	static const char *const ns[2] = { NS_C, NS_S }, *const dev[2] = { "rpc0", "rps0" },
		*const ip[2] = { "10.12.0.1/24", "10.12.0.2/24" };
	struct env lo = { .name = "loopback", .ip = "127.0.0.1", .sx = "", .cx = "",
			  .port = 7810 };
	struct env veth = { .name = "veth", .ip = "10.12.0.2", .sx = "ip netns exec " NS_S " ",
			    .cx = "ip netns exec " NS_C " ", .port = 7830, .tcp = 1 };
	char exe[PATH_MAX] = "", *bin;
	double t0 = now();
	int fd[2], opt;
	ssize_t n;

	snprintf(top, sizeof(top), "/tmp/xtcp-realprogs");
	while ((opt = getopt(argc, argv, "o:")) != -1) {
		if (opt != 'o') {
			fprintf(stderr, "usage: realprogs [-o DIR]\n");
			return 2;
		}
		snprintf(top, sizeof(top), "%s", optarg);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	bin = dirname(exe);
	snprintf(xtcpize, sizeof(xtcpize), "%s/../tools/xtcpize", bin);
	snprintf(static_client, sizeof(static_client), "%s/static_client", bin);
	self_ns = open("/proc/self/ns/net", O_RDONLY);
	lo.sfd = lo.cfd = self_ns;
	snprintf(lo.dir, sizeof(lo.dir), "%s/loopback", top);
	snprintf(veth.dir, sizeof(veth.dir), "%s/veth", top);
	watchdog_start(diag, cleanup);

	watchdog_step("setup", 60);
	/* xtcpize's BPF mode makes its cgroups in a cgroup2 file system: mount one if none is */
	if (sh("grep -q ' - cgroup2 ' /proc/self/mountinfo || "
	       "mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null"))
		printf("# no cgroup2 file system could be mounted: xtcpize has no BPF mode here\n");
	if (!tap_ok(!access(xtcpize, X_OK) && !sh("rm -rf %s && mkdir -p %s", top, top) &&
		    !sh("%s run true 2>%s/xtcpize.err", xtcpize, top),
		    "xtcpize (%s) runs a command: xtcp is usable", xtcpize))
		return tap_done();
	tap_ok(!sh("%s run /nonexistent-program 2>/dev/null; [ $? = 127 ]", xtcpize) &&
	       !sh("%s frobnicate 2>/dev/null; [ $? = 2 ]", xtcpize) &&
	       !sh("LD_PRELOAD=/lib/x86_64-linux-gnu/libc.so.6 %s run --preload sh -c "
		   "'case $LD_PRELOAD in */libxtcp_preload.so:/lib/x86_64-linux-gnu/libc.so.6) "
		   "exit 0;; esac; exit 1'", xtcpize),
	       "xtcpize: a missing command exits 127, an unknown subcommand 2, an LD_PRELOAD "
	       "already set is kept after the library");
	watchdog_step("xtcpize modes", 120);
	t_modes(&lo);
	watchdog_step("loopback nginx over IPv6", 90);
	t_nginx6(&lo);
	run_env(&lo);

	watchdog_step("veth setup", 60);
	if (!tap_ok(!netns_veth(ns, dev, ip, fd), "namespaces %s and %s joined by a veth pair",
		    NS_C, NS_S)) {
		cleanup();
		return tap_done();
	}
	veth.cfd = fd[0];
	veth.sfd = fd[1];
	run_env(&veth);
	cleanup();
	printf("# realprogs: %.1f s in all\n", now() - t0);
	return tap_done();
}
