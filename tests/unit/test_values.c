/* SPDX-License-Identifier: ISC */
/*
 * test_values.c: unit tests for values.c -- every configuration value parser
 * with good and bad input, argv splitting, env lines and files, service names.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "unit.h"
#include "util.h"
#include "values.h"

/* Each runs the parser and checks the result or the exact error. */
#define OK(fn, s, want) do {						\
	uint64_t	 v_ = 0;					\
	const char	*e_ = NULL;					\
	CHECK_INT(fn(s, &v_, &e_), 0);					\
	CHECK_INT(v_, want);						\
} while (0)
#define BAD(fn, s, err) do {						\
	uint64_t	 v_ = 0;					\
	const char	*e_ = NULL;					\
	CHECK_INT(fn(s, &v_, &e_), -1);					\
	CHECK_STR(e_, err);						\
} while (0)

static void
test_duration(void)
{
	OK(parse_duration, "250ms", 250);
	OK(parse_duration, "10s", 10000);
	OK(parse_duration, "5m", 300000);
	OK(parse_duration, "1h", 3600000);
	OK(parse_duration, "2d", 172800000);
	OK(parse_duration, "0", 0);
	OK(parse_duration, "30", 30000);
	OK(parse_duration, "3650d", 3650ULL * 86400000);
	BAD(parse_duration, "", "invalid duration");
	BAD(parse_duration, "-1", "invalid duration");
	BAD(parse_duration, "+1", "invalid duration");
	BAD(parse_duration, "1.5s", "invalid duration");
	BAD(parse_duration, "10x", "invalid duration");
	BAD(parse_duration, "10 s", "invalid duration");
	BAD(parse_duration, " 10s", "invalid duration");
	BAD(parse_duration, "10S", "invalid duration");
	BAD(parse_duration, "s", "invalid duration");
	BAD(parse_duration, "3651d", "too large");
	BAD(parse_duration, "99999999999999999999999", "too large");
	BAD(parse_duration, "18446744073709551615ms", "too large");
}

/* cpus: fractional CPUs as cpu.max's microseconds per 100 ms. */
static void
test_cpus(void)
{
	OK(parse_cpus, "0.5", 50000);
	OK(parse_cpus, "1", 100000);
	OK(parse_cpus, "2", 200000);
	OK(parse_cpus, "1.25", 125000);
	OK(parse_cpus, ".5", 50000);
	OK(parse_cpus, "0.01", 1000);
	OK(parse_cpus, "1000000", 100000000000ULL);
	BAD(parse_cpus, "0.00001", "must be at least 0.01");
	BAD(parse_cpus, "0.009", "must be at least 0.01");
	BAD(parse_cpus, "0", "must be at least 0.01");
	BAD(parse_cpus, "", "invalid number of CPUs");
	BAD(parse_cpus, ".", "invalid number of CPUs");
	BAD(parse_cpus, "1.", "invalid number of CPUs");
	BAD(parse_cpus, "-1", "invalid number of CPUs");
	BAD(parse_cpus, "0.000001", "invalid number of CPUs");
	BAD(parse_cpus, "50%", "invalid number of CPUs");
	BAD(parse_cpus, "1,5", "invalid number of CPUs");
	BAD(parse_cpus, "max", "invalid number of CPUs");
	BAD(parse_cpus, "1000001", "too large");
	BAD(parse_cpus, "1000000.5", "too large");
	BAD(parse_cpus, "99999999999999999999999", "too large");
}

static void
test_size(void)
{
	OK(parse_size, "512", 512);
	OK(parse_size, "0", 0);
	OK(parse_size, "64K", 65536);
	OK(parse_size, "64k", 65536);
	OK(parse_size, "10M", 10485760);
	OK(parse_size, "1G", 1073741824);
	OK(parse_size, "1g", 1073741824);
	OK(parse_size, "2T", 2ULL << 40);
	BAD(parse_size, "", "invalid size");
	BAD(parse_size, "-1", "invalid size");
	BAD(parse_size, "1.5M", "invalid size");
	BAD(parse_size, "10X", "invalid size");
	BAD(parse_size, "10KB", "invalid size");
	BAD(parse_size, "K", "invalid size");
	BAD(parse_size, "16777216T", "too large");
	BAD(parse_size, "99999999999999999999", "too large");
}

static void
test_bool(void)
{
	static const char *const yes[] = { "yes", "YES", "true", "True", "on",
	    "1" };
	static const char *const no[] = { "no", "No", "false", "FALSE", "off",
	    "0" };
	const char	*e;
	size_t		 i;
	bool		 b;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		b = false;
		CHECK(parse_bool(yes[i], &b, &e) == 0 && b);
		b = true;
		CHECK(parse_bool(no[i], &b, &e) == 0 && !b);
	}
	e = NULL;
	CHECK_INT(parse_bool("y", &b, &e), -1);
	CHECK_STR(e, "invalid boolean");
	CHECK_INT(parse_bool("", &b, &e), -1);
	CHECK_INT(parse_bool("2", &b, &e), -1);
	CHECK_INT(parse_bool("yes ", &b, &e), -1);
}

static void
test_signal(void)
{
	const char	*e = NULL;
	int		 sig = 0;

	CHECK(parse_signal("SIGTERM", &sig, &e) == 0 && sig == SIGTERM);
	CHECK(parse_signal("TERM", &sig, &e) == 0 && sig == SIGTERM);
	CHECK(parse_signal("term", &sig, &e) == 0 && sig == SIGTERM);
	CHECK(parse_signal("sigterm", &sig, &e) == 0 && sig == SIGTERM);
	CHECK(parse_signal("15", &sig, &e) == 0 && sig == 15);
	CHECK(parse_signal("SIGKILL", &sig, &e) == 0 && sig == SIGKILL);
	CHECK(parse_signal("HUP", &sig, &e) == 0 && sig == SIGHUP);
	CHECK(parse_signal("USR1", &sig, &e) == 0 && sig == SIGUSR1);
	CHECK(parse_signal("winch", &sig, &e) == 0 && sig == SIGWINCH);
	CHECK(parse_signal("POLL", &sig, &e) == 0 && sig == SIGIO);
	CHECK(parse_signal("PWR", &sig, &e) == 0 && sig == SIGPWR);
	CHECK(parse_signal("SYS", &sig, &e) == 0 && sig == SIGSYS);
	CHECK(parse_signal("1", &sig, &e) == 0 && sig == 1);
	CHECK(parse_signal("64", &sig, &e) == 0 && sig == 64);
	CHECK_INT(parse_signal("0", &sig, &e), -1);
	CHECK_STR(e, "signal out of range");
	CHECK_INT(parse_signal("65", &sig, &e), -1);
	CHECK_INT(parse_signal("99999999999999999999999", &sig, &e), -1);
	CHECK_INT(parse_signal("15x", &sig, &e), -1);
	CHECK_STR(e, "invalid signal");
	CHECK_INT(parse_signal("SIGFOO", &sig, &e), -1);
	CHECK_STR(e, "unknown signal");
	CHECK_INT(parse_signal("", &sig, &e), -1);
	CHECK_INT(parse_signal("SIG", &sig, &e), -1);
	CHECK_INT(parse_signal("-15", &sig, &e), -1);

	CHECK_STR(signal_name(SIGTERM), "SIGTERM");
	CHECK_STR(signal_name(SIGKILL), "SIGKILL");
	CHECK_STR(signal_name(SIGIO), "SIGIO");
	CHECK_STR(signal_name(SIGABRT), "SIGABRT");
	CHECK_STR(signal_name(SIGSYS), "SIGSYS");
	CHECK(signal_name(0) == NULL);
	CHECK(signal_name(40) == NULL);
	CHECK(signal_name(65) == NULL);
	CHECK(signal_name(-1) == NULL);
}

static void
test_mode(void)
{
	const char	*e = NULL;
	mode_t		 m = 0;

	CHECK(parse_mode("022", &m, &e) == 0 && m == 022);
	CHECK(parse_mode("0600", &m, &e) == 0 && m == 0600);
	CHECK(parse_mode("0", &m, &e) == 0 && m == 0);
	CHECK(parse_mode("777", &m, &e) == 0 && m == 0777);
	CHECK(parse_mode("0000000777", &m, &e) == 0 && m == 0777);
	CHECK_INT(parse_mode("0800", &m, &e), -1);
	CHECK_STR(e, "invalid mode");
	CHECK_INT(parse_mode("", &m, &e), -1);
	CHECK_INT(parse_mode("-1", &m, &e), -1);
	CHECK_INT(parse_mode("0x1ff", &m, &e), -1);
	CHECK_INT(parse_mode("1000", &m, &e), -1);
	CHECK_STR(e, "too large");
	CHECK_INT(parse_mode("77777777777777777777777", &m, &e), -1);
	CHECK_STR(e, "too large");
}

static void
test_uint(void)
{
	const char	*e = NULL;
	uint64_t	 v = 0;

	CHECK(parse_uint("5", 0, 10, &v, &e) == 0 && v == 5);
	CHECK(parse_uint("0", 0, 10, &v, &e) == 0 && v == 0);
	CHECK(parse_uint("10", 0, 10, &v, &e) == 0 && v == 10);
	CHECK(parse_uint("18446744073709551615", 0, UINT64_MAX, &v, &e) == 0 &&
	    v == UINT64_MAX);
	CHECK_INT(parse_uint("11", 0, 10, &v, &e), -1);
	CHECK_STR(e, "too large");
	CHECK_INT(parse_uint("18446744073709551616", 0, UINT64_MAX, &v, &e), -1);
	CHECK_STR(e, "too large");
	CHECK_INT(parse_uint("0", 1, 10, &v, &e), -1);
	CHECK_STR(e, "too small");
	CHECK_INT(parse_uint("", 0, 10, &v, &e), -1);
	CHECK_STR(e, "invalid number");
	CHECK_INT(parse_uint("-1", 0, 10, &v, &e), -1);
	CHECK_STR(e, "invalid number");
	CHECK_INT(parse_uint("1x", 0, 10, &v, &e), -1);
	CHECK_STR(e, "invalid number");
	CHECK_INT(parse_uint(" 1", 0, 10, &v, &e), -1);
	CHECK_STR(e, "invalid number");
}

/* Split s and compare with the expected words, NULL-terminated. */
static int
split_is(const char *s, const char *const *want)
{
	const char	*e = NULL;
	char		**av = NULL;
	size_t		  i;
	int		  ok;

	if (split_argv(s, &av, &e) != 0) {
		fprintf(stderr, "split_argv(%s): %s\n", s, e);
		return 0;
	}
	for (i = 0; want[i] != NULL && av[i] != NULL; i++) {
		if (strcmp(want[i], av[i]) != 0)
			break;
	}
	ok = want[i] == NULL && av[i] == NULL;
	if (!ok)
		fprintf(stderr, "split_argv(%s): word %zu is \"%s\"\n", s, i,
		    av[i] ? av[i] : "(null)");
	strv_free_array(av);
	return ok;
}

#define SPLIT(s, ...)	CHECK(split_is(s, (const char *const []){ __VA_ARGS__, NULL }))
#define SPLIT_BAD(s, err) do {						\
	const char	 *e_ = NULL;					\
	char		**av_ = NULL;					\
	CHECK_INT(split_argv(s, &av_, &e_), -1);			\
	CHECK_STR(e_, err);						\
} while (0)

static void
test_split(void)
{
	SPLIT("/bin/true", "/bin/true");
	SPLIT("  a  b\tc\nd  ", "a", "b", "c", "d");
	SPLIT("echo 'a b' \"c d\"", "echo", "a b", "c d");
	SPLIT("a'b'\"c\"d", "abcd");
	SPLIT("'' x \"\"", "", "x", "");
	SPLIT("'a\\b'", "a\\b");
	SPLIT("'$HOME \"q\"'", "$HOME \"q\"");
	SPLIT("\"a\\\"b\\\\c\\$d\\`e\\x\"", "a\"b\\c$d`e\\x");
	SPLIT("\"a\\\nb\"", "ab");
	SPLIT("a\\ b c\\'d \\\\", "a b", "c'd", "\\");
	SPLIT("a \\\n b", "a", "b");
	SPLIT("sh -c 'exec \"$0\" \"$@\"'", "sh", "-c", "exec \"$0\" \"$@\"");
	SPLIT("x\\\ny", "xy");
	SPLIT_BAD("echo 'abc", "unterminated quote");
	SPLIT_BAD("echo \"abc", "unterminated quote");
	SPLIT_BAD("echo \"abc\\\"", "unterminated quote");
	SPLIT_BAD("echo abc\\", "trailing backslash");
	SPLIT_BAD("", "empty command");
	SPLIT_BAD(" \t\n ", "empty command");
	SPLIT_BAD("\\\n", "empty command");
}

#define ENV_OK(line, want) do {						\
	char		*o_ = (char *)"unset";				\
	const char	*e_ = NULL;					\
	CHECK_INT(env_parse_line(line, &o_, &e_), 0);			\
	CHECK_STR(o_, want);						\
	free(o_);							\
} while (0)
#define ENV_BAD(line, err) do {						\
	char		*o_ = NULL;					\
	const char	*e_ = NULL;					\
	CHECK_INT(env_parse_line(line, &o_, &e_), -1);			\
	CHECK_STR(e_, err);						\
} while (0)

static void
test_env_line(void)
{
	ENV_OK("A=1", "A=1");
	ENV_OK("_x9=a=b", "_x9=a=b");
	ENV_OK("EMPTY=", "EMPTY=");
	ENV_OK("  A=1", "A=1");
	ENV_OK("export A=1", "A=1");
	ENV_OK("export\tA=1", "A=1");
	ENV_OK("export=1", "export=1");
	ENV_OK("A=\"x y\"", "A=x y");
	ENV_OK("A='x \"y\"'", "A=x \"y\"");
	ENV_OK("A=\"x'", "A=\"x'");
	ENV_OK("A=\"", "A=\"");
	ENV_OK("A=''", "A=");
	ENV_OK("A=a b ", "A=a b ");
	ENV_OK("", NULL);
	ENV_OK("   \t", NULL);
	ENV_OK("# comment", NULL);
	ENV_OK("  #A=1", NULL);
	ENV_BAD("A", "expected KEY=VALUE");
	ENV_BAD("export A", "expected KEY=VALUE");
	ENV_BAD("=1", "invalid variable name");
	ENV_BAD("1A=1", "invalid variable name");
	ENV_BAD("A-B=1", "invalid variable name");
	ENV_BAD("A =1", "invalid variable name");

	CHECK(env_key_valid("PATH", 4));
	CHECK(env_key_valid("_", 1));
	CHECK(env_key_valid("PATH=x", 4));
	CHECK(!env_key_valid("PATH=x", 5));
	CHECK(!env_key_valid("", 0));
	CHECK(!env_key_valid("9A", 2));
}

static void
test_env_file(void)
{
	struct strv	 out = { NULL, 0, 0 };
	char		 path[] = "/tmp/supd-test-env.XXXXXX";
	char		*cause = NULL, *want;
	FILE		*f;
	int		 fd;

	CHECK((fd = mkstemp(path)) != -1);
	CHECK((f = fdopen(fd, "w")) != NULL);
	fputs("# env\r\nA=1\r\n\nexport B=\"two words\"\nC=3", f);
	fclose(f);
	CHECK_INT(env_load_file(path, &out, &cause), 0);
	CHECK_INT(out.n, 3);
	if (out.n == 3) {
		CHECK_STR(out.v[0], "A=1");
		CHECK_STR(out.v[1], "B=two words");
		CHECK_STR(out.v[2], "C=3");
		CHECK(out.v[3] == NULL);
	}

	/* A bad line: an exact cause, and out is left as it was. */
	CHECK((f = fopen(path, "w")) != NULL);
	fputs("A=1\n# fine\nnot a variable\nB=2\n", f);
	fclose(f);
	CHECK_INT(env_load_file(path, &out, &cause), -1);
	want = xasprintf("%s:3: expected KEY=VALUE", path);
	CHECK_STR(cause, want);
	free(want);
	free(cause);
	CHECK_INT(out.n, 3);

	CHECK((f = fopen(path, "w")) != NULL);
	fputs("A=1\r\n1X=2\r\n", f);
	fclose(f);
	CHECK_INT(env_load_file(path, &out, &cause), -1);
	want = xasprintf("%s:2: invalid variable name", path);
	CHECK_STR(cause, want);
	free(want);
	free(cause);

	CHECK((f = fopen(path, "w")) != NULL);
	fwrite("A=1\nB=x\0y\n", 1, 10, f);
	fclose(f);
	CHECK_INT(env_load_file(path, &out, &cause), -1);
	want = xasprintf("%s:2: NUL byte in line", path);
	CHECK_STR(cause, want);
	free(want);
	free(cause);

	unlink(path);
	CHECK_INT(env_load_file(path, &out, &cause), -1);
	want = xasprintf("%s: No such file or directory", path);
	CHECK_STR(cause, want);
	free(want);
	free(cause);
	strv_free(&out);
}

static void
test_env_set(void)
{
	struct strv	env = { NULL, 0, 0 };

	env_set(&env, "PATH=/bin");
	env_set(&env, "HOME=/root");
	env_set(&env, "PATHX=1");
	env_set(&env, "PATH=/usr/bin:/bin");
	env_set(&env, "PAT=2");
	CHECK_INT(env.n, 4);
	CHECK_STR(env.v[0], "PATH=/usr/bin:/bin");
	CHECK_STR(env.v[1], "HOME=/root");
	CHECK_STR(env.v[2], "PATHX=1");
	CHECK_STR(env.v[3], "PAT=2");
	CHECK(env.v[4] == NULL);
	strv_free(&env);
	CHECK(env.v == NULL && env.n == 0);
}

static void
test_name(void)
{
	char	long_name[80];

	CHECK(name_valid("web"));
	CHECK(name_valid("a"));
	CHECK(name_valid("9x"));
	CHECK(name_valid("my-app_2.service"));
	CHECK(!name_valid(""));
	CHECK(!name_valid("-web"));
	CHECK(!name_valid(".hidden"));
	CHECK(!name_valid("_x"));
	CHECK(!name_valid("a/b"));
	CHECK(!name_valid("a b"));
	CHECK(!name_valid("caf\xc3\xa9"));
	memset(long_name, 'a', 64);
	long_name[64] = '\0';
	CHECK(name_valid(long_name));
	long_name[64] = 'a';
	long_name[65] = '\0';
	CHECK(!name_valid(long_name));
}

/* supctl logs --since/--until: RFC 3339 (also a log line's stamp), unix
 * seconds, a duration back from now. */
static void
test_log_time(void)
{
	const char	*e, *end;
	int64_t		 ms;

	CHECK(parse_rfc3339("2020-01-01T00:00:03Z", &ms, NULL, &e) == 0);
	CHECK_INT(ms, 1577836803000LL);
	CHECK(parse_rfc3339("2020-01-01T00:00:03.5Z rest", &ms, &end, &e) == 0);
	CHECK_INT(ms, 1577836803500LL);
	CHECK_STR(end, " rest");
	CHECK(parse_rfc3339("2020-01-01T01:00:03.123456+01:00", &ms, NULL,
	    &e) == 0);
	CHECK_INT(ms, 1577836803123LL);
	CHECK(parse_rfc3339("2019-12-31T19:00:03-05:00", &ms, NULL, &e) == 0);
	CHECK_INT(ms, 1577836803000LL);
	CHECK(parse_rfc3339("2020-01-01T00:00:03", &ms, NULL, &e) == -1);
	CHECK(parse_rfc3339("2020-13-01T00:00:03Z", &ms, NULL, &e) == -1);
	CHECK(parse_rfc3339("1969-12-31T23:59:59Z", &ms, NULL, &e) == -1);
	CHECK(parse_rfc3339("2020-01-01", &ms, NULL, &e) == -1);
	CHECK(parse_rfc3339("", &ms, NULL, &e) == -1);

	CHECK(parse_log_time("1577836803", 0, &ms, &e) == 0);
	CHECK_INT(ms, 1577836803000LL);
	CHECK(parse_log_time("1577836803.7", 0, &ms, &e) == 0);
	CHECK_INT(ms, 1577836803700LL);
	CHECK(parse_log_time("10m", 1000000, &ms, &e) == 0);
	CHECK_INT(ms, 400000);
	CHECK(parse_log_time("2020-01-01T00:00:03Z", 0, &ms, &e) == 0);
	CHECK_INT(ms, 1577836803000LL);
	CHECK(parse_log_time("2020-01-01T00:00:03Zx", 0, &ms, &e) == -1);
	CHECK(parse_log_time("yesterday", 0, &ms, &e) == -1);
	CHECK(parse_log_time("", 0, &ms, &e) == -1);
	CHECK(parse_log_time("99999999999999999999", 0, &ms, &e) == -1);
}

/* metrics_listen's values. */
static void
test_listen(void)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;
	const char		*e = NULL;

	CHECK(parse_listen("127.0.0.1:9100", &ss, &len, &e) == 0);
	CHECK_INT(ss.ss_family, AF_INET);
	CHECK_INT(len, sizeof *sin);
	CHECK_INT(ntohs(sin->sin_port), 9100);
	CHECK_INT(ntohl(sin->sin_addr.s_addr), 0x7f000001);
	CHECK(parse_listen("0.0.0.0:1", &ss, &len, &e) == 0);
	CHECK(parse_listen("10.0.0.1:65535", &ss, &len, &e) == 0);
	CHECK_INT(ntohs(sin->sin_port), 65535);
	CHECK(parse_listen("[::1]:80", &ss, &len, &e) == 0);
	CHECK_INT(ss.ss_family, AF_INET6);
	CHECK_INT(len, sizeof *sin6);
	CHECK_INT(ntohs(sin6->sin6_port), 80);
	CHECK(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	CHECK(parse_listen("[::]:9100", &ss, &len, &e) == 0);

	CHECK(parse_listen("127.0.0.1:0", &ss, &len, &e) == -1);
	CHECK_STR(e, "port must be 1-65535");
	CHECK(parse_listen("127.0.0.1:65536", &ss, &len, &e) == -1);
	CHECK(parse_listen("127.0.0.1:", &ss, &len, &e) == -1);
	CHECK(parse_listen("127.0.0.1:+80", &ss, &len, &e) == -1);
	CHECK(parse_listen("127.0.0.1:80x", &ss, &len, &e) == -1);
	CHECK(parse_listen("127.0.0.1", &ss, &len, &e) == -1);
	CHECK_STR(e, "must be ADDRESS:PORT or [IPV6]:PORT");
	CHECK(parse_listen("localhost:80", &ss, &len, &e) == -1);
	CHECK_STR(e, "bad address (a numeric IPv4 or [IPv6] address)");
	CHECK(parse_listen(":80", &ss, &len, &e) == -1);
	CHECK(parse_listen("::1:80", &ss, &len, &e) == -1);
	CHECK(parse_listen("[127.0.0.1]:80", &ss, &len, &e) == -1);
	CHECK(parse_listen("[::1:80", &ss, &len, &e) == -1);
	CHECK(parse_listen("[]:80", &ss, &len, &e) == -1);
	CHECK(parse_listen("256.0.0.1:80", &ss, &len, &e) == -1);
	CHECK(parse_listen("", &ss, &len, &e) == -1);
}

int
main(void)
{
	test_listen();
	test_log_time();
	test_duration();
	test_size();
	test_cpus();
	test_bool();
	test_signal();
	test_mode();
	test_uint();
	test_split();
	test_env_line();
	test_env_file();
	test_env_set();
	test_name();
	return unit_done("values");
}
