/* libkiln_malloc.so under LD_PRELOAD: real programs, the edges, misuse,
 * threads and fork (host/malloc.c).
 *
 * Each case runs a child with fork + execve (this binary has ASan, whose own
 * malloc must not meet kiln's): malloc_probe (tests/host/malloc_probe.c) for
 * the API's edges, the multi-threaded stress test, fork and the misuse cases,
 * over every registered design that can grow (KILN_ALLOCATOR=name); and real
 * programs (python3, sort, gcc, xz -T2) with the library's own choice of
 * design, whose output must equal their output without the library.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kiln/alloc_designs.h"
#include "support.h"

extern char **environ;

static char lib[PATH_MAX], probe[PATH_MAX], probe_tsan[PATH_MAX], tmp[] = "/tmp/kiln-malloc-XXXXXX";

/* A path in the scratch directory. */
static const char *scratch(const char *name)
{
    static char path[16][PATH_MAX];
    static int next;
    char *p = path[next++ % 16];
    snprintf(p, PATH_MAX, "%s/%s", tmp, name);
    return p;
}

/* Run argv with stdin from in (NULL: /dev/null), stdout and stderr into
 * files; under LD_PRELOAD=lib when design is not NULL ("" leaves the choice to
 * the library). Returns the wait status. */
static int run(const char *const argv[], const char *design, const char *in, const char *out,
               const char *err)
{
    char *env[256];
    size_t n = 0;
    char preload[PATH_MAX + 16], which[128];
    for (char **e = environ; *e && n < 250; e++)
        if (strncmp(*e, "LD_PRELOAD=", 11) && strncmp(*e, "KILN_ALLOCATOR=", 15)) env[n++] = *e;
    if (design) {
        snprintf(preload, sizeof preload, "LD_PRELOAD=%s", lib);
        env[n++] = preload;
        if (*design) {
            snprintf(which, sizeof which, "KILN_ALLOCATOR=%s", design);
            env[n++] = which;
        }
    }
    env[n++] = "LC_ALL=C";
    env[n] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fi = open(in ? in : "/dev/null", O_RDONLY);
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fi < 0 || fo < 0 || fe < 0) _exit(126);
        dup2(fi, 0), dup2(fo, 1), dup2(fe, 2);
        alarm(60);
        execve(argv[0], (char *const *)argv, env);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

/* The whole file, NUL-terminated; *len gets its length. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n + 1);
    assert_int_equal(fread(buf, 1, n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    if (len) *len = n;
    return buf;
}

static void expect_exit0(int status, const char *what, const char *design, const char *err)
{
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
    char *e = slurp(err, NULL);
    fail_msg("%s under %s: status 0x%x; stderr:\n%s", what, design, status, e);
}

/* Every design a growing heap can run on. */
#define FOR_EACH_GROWABLE(d)                                                                       \
    for (size_t i_ = 0; i_ < alloc_design_count; i_++)                                             \
        for (const struct alloc_design *d = alloc_designs[i_]; d && d->extend; d = NULL)

/* ---- the probe ---------------------------------------------------------------- */

static void probe_on_every_design(const char *const args[])
{
    const char *argv[8] = {probe};
    for (int i = 0; args[i]; i++) argv[i + 1] = args[i];
    FOR_EACH_GROWABLE(d)
    {
        int st = run(argv, d->name, NULL, scratch("out"), scratch("err"));
        expect_exit0(st, args[0], d->name, scratch("err"));
    }
    /* The library's own choice once more without its thread caches. */
    setenv("KILN_THREAD_CACHE", "0", 1);
    int st = run(argv, "", NULL, scratch("out"), scratch("err"));
    unsetenv("KILN_THREAD_CACHE");
    expect_exit0(st, args[0], "KILN_THREAD_CACHE=0", scratch("err"));
}

static void edges(void **state)
{
    (void)state;
    probe_on_every_design((const char *[]){"edges", NULL});
}

static void stress_threads(void **state)
{
    (void)state;
    probe_on_every_design((const char *[]){"stress", "3", "15000", NULL});
}

/* The same under ThreadSanitizer (malloc_probe_tsan links kiln's malloc in):
 * a data race inside the library fails the run (exit code 66). */
static void stress_threads_under_tsan(void **state)
{
    (void)state;
    const char *argv[] = {probe_tsan, "stress", "2", "4000", NULL};
    setenv("TSAN_OPTIONS", "halt_on_error=1 exitcode=66 suppressions=tests/host/tsan.supp", 1);
    int st = run(argv, NULL, NULL, scratch("out"), scratch("err"));
    unsetenv("TSAN_OPTIONS");
    expect_exit0(st, "stress under TSan", "kiln's own choice", scratch("err"));
}

static void fork_while_threads_allocate(void **state)
{
    (void)state;
    probe_on_every_design((const char *[]){"fork", NULL});
}

/* The misuse must abort with message, followed by the pointer it printed. */
static void expect_abort(const char *what, const char *message)
{
    FOR_EACH_GROWABLE(d)
    {
        const char *argv[] = {probe, what, NULL};
        int st = run(argv, d->name, NULL, scratch("out"), scratch("err"));
        char *out = slurp(scratch("out"), NULL), *err = slurp(scratch("err"), NULL);
        if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGABRT)
            fail_msg("%s under %s: status 0x%x, not SIGABRT; stderr:\n%s", what, d->name, st, err);
        char *ptr = strstr(out, "ptr=");
        assert_non_null(ptr);
        ptr[strcspn(ptr, "\n")] = 0;
        char want[256];
        snprintf(want, sizeof want, "kiln: %s%s", message, ptr + 4);
        if (strstr(err, want) == NULL)
            fail_msg("%s under %s: stderr lacks \"%s\":\n%s", what, d->name, want, err);
        free(out);
        free(err);
    }
}

static void double_free_aborts(void **state)
{
    (void)state;
    expect_abort("double-free", "double free of ");
}
static void stack_pointer_free_aborts(void **state)
{
    (void)state;
    expect_abort("invalid-free", "invalid free of ");
}
static void foreign_pointer_free_aborts(void **state)
{
    (void)state;
    expect_abort("foreign-free", "invalid free of ");
}
static void interior_pointer_free_aborts(void **state)
{
    (void)state;
    expect_abort("interior-free", "invalid free of ");
}
static void realloc_of_freed_aborts(void **state)
{
    (void)state;
    expect_abort("realloc-freed", "realloc of a freed block ");
}
static void free_sized_wrong_size_aborts(void **state)
{
    (void)state;
    expect_abort("free-sized-wrong", "free_sized of ");
}

/* A design that cannot grow is refused at the first malloc, which also shows
 * that the library is really loaded into python3. */
static void fixed_design_refused(void **state)
{
    (void)state;
    const char *argv[] = {"/usr/bin/python3", "-c", "pass", NULL};
    int st = run(argv, "bump", NULL, scratch("out"), scratch("err"));
    char *err = slurp(scratch("err"), NULL);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    assert_non_null(strstr(err, "kiln: KILN_ALLOCATOR=bump is not a design that can grow"));
    free(err);
}

/* ---- real programs --------------------------------------------------------------- */

/* argv's output and status under the library equal those without it. */
static void same_output(const char *const argv[], const char *in)
{
    int plain = run(argv, NULL, in, scratch("plain.out"), scratch("plain.err"));
    expect_exit0(plain, argv[0], "glibc", scratch("plain.err"));
    int kiln = run(argv, "", in, scratch("kiln.out"), scratch("kiln.err"));
    expect_exit0(kiln, argv[0], "kiln", scratch("kiln.err"));
    size_t a, b;
    char *x = slurp(scratch("plain.out"), &a), *y = slurp(scratch("kiln.out"), &b);
    assert_true(a > 0);
    if (a != b || memcmp(x, y, a) != 0)
        fail_msg("%s: %zu bytes of output under kiln differ from %zu without it", argv[0], b, a);
    free(x);
    free(y);
}

static const char python_script[] =
    "import hashlib, random\n"
    "random.seed(7)\n"
    "d = {}\n"
    "for i in range(40000):\n"
    "    k = '%08x-%d' % (random.getrandbits(32), i)\n"
    "    d[k] = [i, str(i) * (i % 7), (i, k)]\n"
    "items = sorted(d.items(), key=lambda kv: (len(kv[1][1]), kv[0]))\n"
    "h = hashlib.sha256()\n"
    "for k, v in items[::7]: h.update(repr((k, v[0], v[1])).encode())\n"
    "print(len(items), h.hexdigest())\n";

static void python3_dict_and_sort(void **state)
{
    (void)state;
    const char *argv[] = {"/usr/bin/python3", "-c", python_script, NULL};
    /* Every Python object through malloc, not only the large ones. */
    setenv("PYTHONMALLOC", "malloc", 1);
    same_output(argv, NULL);
    unsetenv("PYTHONMALLOC");
}

static void sort_megabytes(void **state)
{
    (void)state;
    const char *argv[] = {"/usr/bin/sort", scratch("lines"), NULL};
    same_output(argv, NULL);
}

static void gcc_compiles(void **state)
{
    (void)state;
    const char *argv[] = {"/usr/bin/gcc", "-O2", "-S", "-o", "-", scratch("prog.c"), NULL};
    same_output(argv, NULL);
}

static void xz_two_threads(void **state)
{
    (void)state;
    const char *argv[] = {"/usr/bin/xz", "-T2", "-0", "-c", NULL};
    same_output(argv, scratch("text"));
}

/* ---- set-up ----------------------------------------------------------------------- */

static uint64_t gen = 42;
static uint64_t gen_next(void)
{
    gen ^= gen << 13, gen ^= gen >> 7, gen ^= gen << 17;
    return gen;
}

static void write_inputs(void)
{
    /* sort: 2 MiB of random lines. */
    FILE *f = fopen(scratch("lines"), "w");
    for (size_t n = 0; n < 2u << 20;) n += fprintf(f, "%016lx %lu\n", gen_next(), gen_next() % 997);
    fclose(f);
    /* xz: 2 MiB of words (compressible; xz -0 cuts it into several blocks). */
    static const char *words[] = {"kiln", "heap",   "frame",  "page",      "block",
                                  "hole", "region", "layout", "allocator", "design"};
    f = fopen(scratch("text"), "w");
    for (size_t n = 0; n < 2u << 20;)
        n += fprintf(f, "%s%c", words[gen_next() % 10], " \n"[gen_next() % 9 == 0]);
    fclose(f);
    /* gcc: 150 functions with loops, switches and structs. */
    f = fopen(scratch("prog.c"), "w");
    fprintf(f, "struct s { long a, b; char c[16]; };\n");
    for (int i = 0; i < 150; i++)
        fprintf(f,
                "long f%d(struct s *p, int n) { long t = %d; for (int i = 0; i < n; i++) {\n"
                "  switch ((i + %d) %% 5) { case 0: t += p[i].a; break; case 1: t ^= p[i].b << %d; "
                "break;\n  case 2: t -= p[i].c[i %% 16]; break; default: t *= %d; }\n"
                "  } return t%s; }\n",
                i, i, i, i % 13, i | 1, i ? " + f0(p, n / 2)" : "");
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    char self[PATH_MAX - 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return -1;
    self[n] = 0;
    *strrchr(self, '/') = 0;
    snprintf(lib, sizeof lib, "%s/libkiln_malloc.so", self);
    snprintf(probe, sizeof probe, "%s/malloc_probe", self);
    snprintf(probe_tsan, sizeof probe_tsan, "%s/malloc_probe_tsan", self);
    if (access(lib, R_OK) || access(probe, X_OK) || access(probe_tsan, X_OK) ||
        mkdtemp(tmp) == NULL)
        return -1;
    write_inputs();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    const char *files[] = {"lines",     "text",      "prog.c",   "out",     "err",
                           "plain.out", "plain.err", "kiln.out", "kiln.err"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) unlink(scratch(files[i]));
    rmdir(tmp);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(edges),
        cmocka_unit_test(stress_threads),
        cmocka_unit_test(stress_threads_under_tsan),
        cmocka_unit_test(fork_while_threads_allocate),
        cmocka_unit_test(double_free_aborts),
        cmocka_unit_test(stack_pointer_free_aborts),
        cmocka_unit_test(foreign_pointer_free_aborts),
        cmocka_unit_test(interior_pointer_free_aborts),
        cmocka_unit_test(realloc_of_freed_aborts),
        cmocka_unit_test(free_sized_wrong_size_aborts),
        cmocka_unit_test(fixed_design_refused),
        cmocka_unit_test(python3_dict_and_sort),
        cmocka_unit_test(sort_megabytes),
        cmocka_unit_test(gcc_compiles),
        cmocka_unit_test(xz_two_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
