// SPDX-License-Identifier: GPL-2.0
/*
 * module_life: loading and unloading xtcp.ko.
 *   module_life XTCP_KO             bad parameters fail cleanly and unwind; another protocol
 *                                   number works; unload is refused while a socket exists
 *   module_life --autoload          socket(AF_INET, SOCK_STREAM, 253) loads the module
 * Runs as root in the guest, with xtcp not loaded.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/xtcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "tap.h"

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

static int test_load(const char *ko)
{
	int ret, err, fd, i;

	if (!tap_ok(!loaded(), "xtcp is not loaded at the start"))
		return tap_done();

	bad_load(ko, "protocol=6", EBUSY, "IP protocol 6 is already in use");
	bad_load(ko, "protocol=17", EBUSY, "IP protocol 17 is already in use");
	bad_load(ko, "protocol=0", EINVAL, "protocol=0 is not a usable IP protocol number");
	bad_load(ko, "protocol=255", EINVAL, "protocol=255 is not a usable IP protocol number");
	bad_load(ko, "protocol=256", EINVAL, "protocol=256 is not a usable IP protocol number");
	bad_load(ko, "protocol=-1", EINVAL, "protocol=-1 is not a usable IP protocol number");
	bad_load(ko, "protocol=tcp", EINVAL, NULL);

	/* another free number: the socket type follows the parameter */
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

	/* the default number, and load/unload in a row */
	for (i = 0; i < 20; i++) {
		if (load(ko, "") || (fd = sock(IPPROTO_XTCP)) < 0)
			break;
		close(fd);
		if (unload_when_free())
			break;
	}
	tap_ok(i == 20, "20 rounds of load, socket, close, unload (%d done)", i);
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
	return tap_done();
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--autoload"))
		return test_autoload();
	if (argc == 2)
		return test_load(argv[1]);
	fprintf(stderr, "usage: module_life XTCP_KO | --autoload\n");
	return 2;
}
