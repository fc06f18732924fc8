/*
 * The one place libsmesec allocates through, so tests can fail the Nth allocation and prove
 * that every error path returns SM_ENOMEM cleanly instead of crashing.
 */
#ifndef SMESEC_ALLOC_H
#define SMESEC_ALLOC_H

#include <stddef.h>

/* malloc/calloc/realloc/free with the failure hook. sm_free accepts NULL. Thread-safe. */
void *sm_malloc(size_t n);
void *sm_calloc(size_t count, size_t n);
void *sm_realloc(void *p, size_t n);
void sm_free(void *p);

/* Returns a copy of s (owned by the caller, free with sm_free), or NULL when out of memory. */
char *sm_strdup(const char *s);
/* Copies n bytes of s and a terminating NUL. */
char *sm_strndup(const char *s, size_t n);

/* Test hook: after n more successful allocations, every allocation fails; n < 0 turns the
 * hook off. Not for production use. */
void sm_alloc_fail_after(long n);

#endif
