// LD_PRELOAD shim for test_alloc.sh: counts the process's heap allocations (malloc,
// calloc, realloc, posix_memalign, aligned_alloc, memalign) and, at exit, writes
// "TOTAL ODE" as one line to the file named by $PS_MALLOC_COUNT_OUT (appending, so
// worker processes add lines). ODE counts those whose caller is libode (its dAlloc)
// or libstdc++ (C++'s operator new: in pilotsim only ODE allocates that way); the
// rest are pilotsim's own, Lua's (through pilotsim's allocator) and libc's on
// their behalf.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

// glibc's own entry points: no dlsym (which allocates) needed.
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);

static unsigned long long allocs, ode_allocs;
static void *cxx_base, *ode_base; // load addresses of libstdc++ and libode (NULL: unknown)

// `caller` is malloc's return address.
static void count_from(void *caller)
{
    __atomic_add_fetch(&allocs, 1, __ATOMIC_RELAXED);
    if (!cxx_base && !ode_base) return;
    Dl_info d;
    if (dladdr(caller, &d) && (d.dli_fbase == cxx_base || d.dli_fbase == ode_base))
        __atomic_add_fetch(&ode_allocs, 1, __ATOMIC_RELAXED);
}
#define count() count_from(__builtin_return_address(0))

__attribute__((constructor)) static void find_libs(void)
{
    Dl_info d;
    void *fn = dlsym(RTLD_DEFAULT, "_Znwm"); // operator new(size_t)
    if (fn && dladdr(fn, &d)) cxx_base = d.dli_fbase;
    fn = dlsym(RTLD_DEFAULT, "dWorldCreate");
    if (fn && dladdr(fn, &d)) ode_base = d.dli_fbase;
}

void *malloc(size_t n)
{
    count();
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    count();
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    count();
    return __libc_realloc(p, n);
}

void *memalign(size_t align, size_t n)
{
    count();
    return __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
    count();
    return __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    count();
    void *p = __libc_memalign(align, n);
    if (!p) return 12; // ENOMEM
    *out = p;
    return 0;
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("PS_MALLOC_COUNT_OUT");
    if (!path) return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) return;
    char line[64];
    int n = snprintf(line, sizeof line, "%llu %llu\n", allocs, ode_allocs);
    if (n > 0) (void)!write(fd, line, (size_t)n);
    close(fd);
}
