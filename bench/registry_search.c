/*
 * Registry search throughput: the library call behind GET /api/v1/services and the search
 * page, without HTTP.
 *
 *   registry_search DB_URL [SERVICES] [SECONDS] [THREADS]
 *
 * DB_URL must name an empty database (a new SQLite file, or a fresh PostgreSQL database),
 * unless SERVICES is 0, which searches the registry already there (a demo database, or one
 * an earlier run filled). It is migrated and filled with SERVICES (default 2000) generated
 * registered services,
 * each offered in 1 to 6 prefectures or (one in twenty) nationwide, of every type and class
 * at varied prices, imported as CSV in one transaction. Then THREADS threads (default 2),
 * each with its own connection, run searches for SECONDS (default 5): a random prefecture,
 * and in turn no filter, a type, class 2, on-site, a price cap for 10 devices, sorted by
 * price. Prints one line of key=value figures: searches per second in total, the mean
 * number of hits, and the mean time of one search. It checks that searches find services,
 * so a broken build cannot look fast.
 */
#include "smesec/smesec.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <time.h>

#include "util/banned.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A small deterministic generator, so every run searches the same registry. */
static uint32_t next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static int fill(struct sm_store *store, int n, struct sm_diag *diag)
{
    struct sm_buf csv;
    sm_buf_init(&csv, (size_t)256 << 20);
    int rc = sm_csv_put_record(&csv, sm_registry_csv_columns, sm_registry_csv_n_columns, 0);
    uint32_t seed = 20240315;
    static const char *const types[] = { "network", "endpoint", "combined" };
    for (int i = 0; !rc && i < n; i++) {
        char no[32], name[64], provider[64], prefs[64] = "", monthly[16] = "", device[16] = "";
        const char *cells[64] = { 0 };
        const char *type = types[next(&seed) % 3];
        snprintf(no, sizeof no, "BENCH-%05d", i);
        snprintf(name, sizeof name, "bench service %d", i);
        snprintf(provider, sizeof provider, "bench provider %d", i % 60);
        if (next(&seed) % 20 == 0) {
            snprintf(prefs, sizeof prefs, "nationwide");
        } else {
            int k = 1 + (int)(next(&seed) % 6);
            uint64_t mask = 0;
            for (int j = 0; j < k; j++)
                mask |= (uint64_t)1 << (1 + next(&seed) % 47);
            struct sm_buf b;
            sm_buf_init(&b, sizeof prefs - 1);
            rc = sm_prefs_format(&b, false, mask);
            if (!rc)
                snprintf(prefs, sizeof prefs, "%s", b.data);
            sm_buf_release(&b);
        }
        if (strcmp(type, "endpoint") != 0)
            snprintf(monthly, sizeof monthly, "%u", 3000 + next(&seed) % 8000);
        if (strcmp(type, "network") != 0)
            snprintf(device, sizeof device, "%u", 800 + next(&seed) % 1300);
        for (size_t k = 0; k < sm_registry_csv_n_columns; k++) {
            const char *col = sm_registry_csv_columns[k], *v = "";
            if (!strcmp(col, "registration_no"))
                v = no;
            else if (!strcmp(col, "status"))
                v = "registered";
            else if (!strcmp(col, "renewal_on"))
                v = "2099-01-01";
            else if (!strcmp(col, "provider"))
                v = provider;
            else if (!strcmp(col, "provider_fictitious"))
                v = "1";
            else if (!strcmp(col, "name"))
                v = name;
            else if (!strcmp(col, "class"))
                v = next(&seed) % 5 == 0 ? "2" : "1";
            else if (!strcmp(col, "type"))
                v = type;
            else if (!strcmp(col, "prefectures"))
                v = prefs;
            else if (!strcmp(col, "monthly_yen"))
                v = monthly;
            else if (!strcmp(col, "device_monthly_yen"))
                v = device;
            else if (!strcmp(col, "onsite"))
                v = next(&seed) % 3 ? "yes" : "";
            else if (!strcmp(col, "devices"))
                v = next(&seed) % 2 ? "utm,effective,,,," : "";
            cells[k] = v;
        }
        if (!rc)
            rc = sm_csv_put_record(&csv, cells, sm_registry_csv_n_columns, 0);
    }
    struct sm_registry_who who = sm_registry_who_system("bench");
    struct sm_import_report *rep = NULL;
    if (!rc)
        rc = sm_registry_import_csv(store, &who, csv.data, csv.len, false, &rep, diag);
    if (rc && rep && rep->n_errors)
        fprintf(stderr, "registry_search: row %ld: %s\n", rep->errors[0].row,
                rep->errors[0].message);
    sm_import_report_free(rep);
    sm_buf_release(&csv);
    return rc;
}

struct worker {
    const char *url;
    double seconds;
    long searches;
    long hits;
    int rc;
    unsigned id;
};

static int work(void *arg)
{
    struct worker *w = arg;
    struct sm_store *store = NULL;
    struct sm_diag diag;
    w->rc = sm_store_open(w->url, &store, &diag);
    if (w->rc) {
        fprintf(stderr, "registry_search: %s\n", diag.msg);
        return 0;
    }
    uint32_t seed = 7 + w->id * 7919;
    double end = now() + w->seconds;
    while (!w->rc && now() < end) {
        for (int k = 0; k < 50 && !w->rc; k++) {
            struct sm_registry_query q;
            struct sm_registry_results *r = NULL;
            sm_registry_query_init(&q);
            memcpy(q.today, "2030-01-01", SM_DATE_SIZE);
            snprintf(q.prefecture, sizeof q.prefecture, "%02u", 1 + next(&seed) % 47);
            switch (next(&seed) % 6) {
            case 0:
                break;
            case 1:
                q.monitoring = (int)(next(&seed) % 3);
                break;
            case 2:
                q.service_class = 2;
                break;
            case 3:
                q.onsite = true;
                break;
            case 4:
                q.max_price = 20000;
                q.devices = 10;
                break;
            default:
                q.ransomware = true;
                break;
            }
            if (next(&seed) % 2)
                q.sort = SM_SORT_PRICE;
            w->rc = sm_registry_search(store, &q, &r, &diag);
            if (!w->rc) {
                w->searches++;
                w->hits += (long)r->n;
            } else {
                fprintf(stderr, "registry_search: %s\n", diag.msg);
            }
            sm_registry_results_free(r);
        }
    }
    sm_store_free(store);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: registry_search DB_URL [SERVICES] [SECONDS] [THREADS]\n", stderr);
        return 2;
    }
    int n = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 2000;
    double seconds = argc > 3 ? strtod(argv[3], NULL) : 5;
    int threads = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 2;
    if (n < 0 || n > 100000 || seconds <= 0 || threads < 1 || threads > 64) {
        fputs("registry_search: SERVICES 0..100000, SECONDS > 0, THREADS 1..64\n", stderr);
        return 2;
    }
    if (sm_init() != SM_OK)
        return 1;
    struct sm_store *store = NULL;
    struct sm_diag diag;
    int rc = sm_store_open(argv[1], &store, &diag);
    if (!rc)
        rc = sm_store_migrate(store, NULL, &diag);
    double t0 = now();
    if (!rc && n > 0)
        rc = fill(store, n, &diag);
    double filled = now() - t0;
    sm_store_free(store);
    if (rc) {
        fprintf(stderr, "registry_search: %s\n", diag.msg);
        return 1;
    }
    struct worker w[64];
    thrd_t t[64];
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){ .url = argv[1], .seconds = seconds, .id = (unsigned)i };
        if (thrd_create(&t[i], work, &w[i]) != thrd_success)
            return 1;
    }
    long searches = 0, hits = 0;
    for (int i = 0; i < threads; i++) {
        thrd_join(t[i], NULL);
        if (w[i].rc)
            return 1;
        searches += w[i].searches;
        hits += w[i].hits;
    }
    if (searches == 0 || hits == 0) {
        fputs("registry_search: the searches found nothing\n", stderr);
        return 1;
    }
    printf("services=%d threads=%d fill_s=%.2f searches_per_s=%.0f mean_hits=%.1f "
           "mean_ms=%.3f\n",
           n, threads, filled, (double)searches / seconds, (double)hits / (double)searches,
           1000.0 * seconds * threads / (double)searches);
    return 0;
}
