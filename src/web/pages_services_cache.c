/*
 * The cache of public search answers: rendered HTML fragments of the search page and JSON
 * bodies of GET /api/v1/services, keyed by a string that holds the kind, the language and
 * the normalised query.
 *
 * Validity: what a search answers depends on the public list, which the registry versions
 * with its listing generation (it grows with every change, in any process on the
 * database), and on the date, since registrations lapse as renewal dates pass. The cache
 * holds entries of one (generation, date) at a time: the first put for a newer generation
 * or another date drops everything, and a get for anything but the current pair misses. So
 * an answer is never older than the generation the request read, and no entry outlives a
 * change of the list. An answer built from an older generation than the cache holds (a
 * request that raced with a change) is not stored.
 *
 * Bounds: at most CACHE_ENTRIES entries and CACHE_BYTES bytes of keys and values; beyond
 * either, the least recently used entries go first. A hash table with chaining finds a key;
 * a doubly linked list keeps the use order.
 *
 * Threads: one mutex guards everything, and a get copies the entry out while holding it,
 * so no entry is ever read after it was freed. Copies are a few tens of kilobytes, far
 * cheaper than the search and rendering they save. The state is process-wide: the server
 * runs once per process (sm_web_run), and the cache is its only mutable state outside the
 * store pool. Memory comes from sm_malloc, so allocation-failure tests reach it; a failed
 * allocation only means the answer is not cached.
 */
#include "pages_services.h"

#include "smesec/alloc.h"

#include <pthread.h>
#include <string.h>

#include "util/banned.h"

#define CACHE_BUCKETS 1024 /* a power of two */
#define CACHE_ENTRIES 1024
#define CACHE_BYTES   (64u * 1024u * 1024u)

struct entry {
    struct entry *chain; /* next in the bucket */
    struct entry *newer; /* use order: towards the most recently used */
    struct entry *older; /* towards the least recently used */
    uint64_t hash;
    char *key;
    size_t key_len;
    char *data;
    size_t len;
};

static struct {
    pthread_mutex_t mu;
    int64_t generation;
    char today[SM_DATE_SIZE];
    struct entry *buckets[CACHE_BUCKETS];
    struct entry *newest;
    struct entry *oldest;
    size_t n;
    size_t bytes;
} cache = { .mu = PTHREAD_MUTEX_INITIALIZER, .generation = -1 };

/* FNV-1a, 64 bits. */
static uint64_t hash_of(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static size_t cost(const struct entry *e)
{
    return e->key_len + e->len + sizeof(*e);
}

static void unlink_use(struct entry *e)
{
    if (e->newer != NULL)
        e->newer->older = e->older;
    else
        cache.newest = e->older;
    if (e->older != NULL)
        e->older->newer = e->newer;
    else
        cache.oldest = e->newer;
    e->newer = e->older = NULL;
}

static void push_newest(struct entry *e)
{
    e->older = cache.newest;
    e->newer = NULL;
    if (cache.newest != NULL)
        cache.newest->newer = e;
    cache.newest = e;
    if (cache.oldest == NULL)
        cache.oldest = e;
}

static void drop(struct entry *e)
{
    struct entry **p = &cache.buckets[e->hash & (CACHE_BUCKETS - 1)];
    while (*p != e)
        p = &(*p)->chain;
    *p = e->chain;
    unlink_use(e);
    cache.n--;
    cache.bytes -= cost(e);
    sm_free(e->key);
    sm_free(e->data);
    sm_free(e);
}

static void drop_all(void)
{
    while (cache.oldest != NULL)
        drop(cache.oldest);
}

static struct entry *find(const char *key, size_t key_len, uint64_t h)
{
    for (struct entry *e = cache.buckets[h & (CACHE_BUCKETS - 1)]; e != NULL; e = e->chain)
        if (e->hash == h && e->key_len == key_len && memcmp(e->key, key, key_len) == 0)
            return e;
    return NULL;
}

static bool current(int64_t generation, const char *today)
{
    return generation == cache.generation && strcmp(today, cache.today) == 0;
}

int svc_cache_get(int64_t generation, const char *today, const char *key, struct sm_buf *out,
                  bool *hit)
{
    *hit = false;
    size_t key_len = strlen(key);
    uint64_t h = hash_of(key, key_len);
    int rc = SM_OK;
    pthread_mutex_lock(&cache.mu);
    if (current(generation, today)) {
        struct entry *e = find(key, key_len, h);
        if (e != NULL) {
            unlink_use(e);
            push_newest(e);
            rc = sm_buf_append(out, e->data, e->len);
            *hit = rc == SM_OK;
        }
    }
    pthread_mutex_unlock(&cache.mu);
    return rc;
}

int svc_cache_put(int64_t generation, const char *today, const char *key, const char *data,
                  size_t len)
{
    size_t key_len = strlen(key);
    if (strlen(today) >= SM_DATE_SIZE || key_len + len + sizeof(struct entry) > CACHE_BYTES / 8)
        return SM_OK;
    uint64_t h = hash_of(key, key_len);
    struct entry *e = sm_calloc(1, sizeof(*e));
    char *k = sm_malloc(key_len + 1);
    char *d = sm_malloc(len > 0 ? len : 1);
    if (e == NULL || k == NULL || d == NULL) {
        sm_free(e);
        sm_free(k);
        sm_free(d);
        return SM_ENOMEM;
    }
    memcpy(k, key, key_len + 1);
    memcpy(d, data, len);
    *e = (struct entry){ .hash = h, .key = k, .key_len = key_len, .data = d, .len = len };

    pthread_mutex_lock(&cache.mu);
    if (!current(generation, today)) {
        if (generation < cache.generation) {
            /* Built from a list that has changed since: not worth keeping. */
            pthread_mutex_unlock(&cache.mu);
            sm_free(k);
            sm_free(d);
            sm_free(e);
            return SM_OK;
        }
        drop_all();
        cache.generation = generation;
        memcpy(cache.today, today, strlen(today) + 1);
    }
    struct entry *old = find(key, key_len, h);
    if (old != NULL)
        drop(old);
    while (cache.oldest != NULL &&
           (cache.n + 1 > CACHE_ENTRIES || cache.bytes + cost(e) > CACHE_BYTES))
        drop(cache.oldest);
    struct entry **b = &cache.buckets[h & (CACHE_BUCKETS - 1)];
    e->chain = *b;
    *b = e;
    push_newest(e);
    cache.n++;
    cache.bytes += cost(e);
    pthread_mutex_unlock(&cache.mu);
    return SM_OK;
}
