/*
 * A fixed set of stores shared by the server's worker threads. Connections are opened up
 * front; get waits on a condition variable while all are borrowed. A store handed back
 * with a transaction still open is rolled back, so one request's failure cannot leak into
 * the next.
 */
#include "smesec/store.h"

#include "smesec/alloc.h"

#include <pthread.h>

#include "util/banned.h"

struct sm_store_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    unsigned size;
    unsigned n_free;
    struct sm_store **all;
    struct sm_store **free_list;
};

int sm_store_pool_new(const char *url, unsigned size, struct sm_store_pool **out,
                      struct sm_diag *diag)
{
    if (size == 0)
        return sm_diag_set(diag, SM_EINVAL, "a store pool needs at least one connection");
    struct sm_store_pool *pool = sm_calloc(1, sizeof *pool);
    if (!pool)
        return SM_ENOMEM;
    pool->all = sm_calloc(size, sizeof *pool->all);
    pool->free_list = sm_calloc(size, sizeof *pool->free_list);
    if (!pool->all || !pool->free_list) {
        sm_free(pool->all);
        sm_free(pool->free_list);
        sm_free(pool);
        return SM_ENOMEM;
    }
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->freed, NULL);
    for (unsigned i = 0; i < size; i++) {
        int rc = sm_store_open(url, &pool->all[i], diag);
        if (rc) {
            pool->size = i;
            pool->n_free = i;
            sm_store_pool_free(pool);
            return rc;
        }
        pool->free_list[i] = pool->all[i];
    }
    pool->size = size;
    pool->n_free = size;
    *out = pool;
    return SM_OK;
}

void sm_store_pool_free(struct sm_store_pool *pool)
{
    if (!pool)
        return;
    for (unsigned i = 0; i < pool->size; i++)
        sm_store_free(pool->all[i]);
    pthread_cond_destroy(&pool->freed);
    pthread_mutex_destroy(&pool->lock);
    sm_free(pool->all);
    sm_free(pool->free_list);
    sm_free(pool);
}

struct sm_store *sm_store_pool_get(struct sm_store_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    while (pool->n_free == 0)
        pthread_cond_wait(&pool->freed, &pool->lock);
    struct sm_store *store = pool->free_list[--pool->n_free];
    pthread_mutex_unlock(&pool->lock);
    return store;
}

void sm_store_pool_put(struct sm_store_pool *pool, struct sm_store *store)
{
    if (!store)
        return;
    sm_store_rollback(store);
    pthread_mutex_lock(&pool->lock);
    pool->free_list[pool->n_free++] = store;
    pthread_cond_signal(&pool->freed);
    pthread_mutex_unlock(&pool->lock);
}
