/*
 * Allocation with a failure hook. Every allocation in libsmesec goes through here so that
 * tests can make the Nth allocation fail and check that each error path returns SM_ENOMEM
 * and leaks nothing. The hook is a process-wide atomic counter: negative means off.
 */
#include "smesec/alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

static atomic_long fail_after = -1;

/* True when the hook says this allocation must fail. */
static int should_fail(void)
{
    long n = atomic_load(&fail_after);
    while (n >= 0) {
        if (n == 0)
            return 1;
        if (atomic_compare_exchange_weak(&fail_after, &n, n - 1))
            return 0;
    }
    return 0;
}

void sm_alloc_fail_after(long n)
{
    atomic_store(&fail_after, n < 0 ? -1 : n);
}

void *sm_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *sm_calloc(size_t count, size_t n)
{
    if (should_fail())
        return NULL;
    return calloc(count ? count : 1, n ? n : 1);
}

void *sm_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

void sm_free(void *p)
{
    free(p);
}

char *sm_strndup(const char *s, size_t n)
{
    char *r = sm_malloc(n + 1);
    if (!r)
        return NULL;
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

char *sm_strdup(const char *s)
{
    return sm_strndup(s, strlen(s));
}
