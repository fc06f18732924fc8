/*
 * Analysis throughput: maps text documents onto a catalog and prints how fast.
 *
 *   analysis_bench CATALOG.yaml THREADS FILE...
 *
 * Reads every FILE as a guideline (sm_document_read_file), then times only the analysis:
 * with THREADS 1, one analyser over the documents in turn (sm_analyze); otherwise
 * sm_analyze_many with that many threads. Prints one line of key=value figures: bytes of
 * normalised text, wall and user CPU seconds, MB/s (10^6 bytes per wall second), the time to
 * compile the catalog's rules, and the process's peak resident memory (ru_maxrss). It checks
 * that the analysis found something, so a broken build cannot look fast.
 */
#include "smesec/catalog.h"
#include "smesec/commons.h"
#include "smesec/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "util/banned.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double user_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: analysis_bench CATALOG.yaml THREADS FILE...\n");
        return 2;
    }
    char *end = NULL;
    unsigned long threads = strtoul(argv[2], &end, 10);
    if (!end || *end || threads == 0 || threads > 64) {
        fprintf(stderr, "analysis_bench: THREADS must be 1 to 64\n");
        return 2;
    }
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_catalog *cat = NULL;
    if (sm_catalog_load_file(argv[1], &cat, &diag) != SM_OK) {
        fprintf(stderr, "analysis_bench: %s\n", diag.msg);
        return 1;
    }
    size_t n_docs = (size_t)argc - 3;
    struct sm_document **docs = calloc(n_docs, sizeof *docs);
    struct sm_analysis **out = calloc(n_docs, sizeof *out);
    if (!docs || !out)
        return 1;
    size_t bytes = 0;
    for (size_t i = 0; i < n_docs; i++) {
        if (sm_document_read_file(argv[3 + i], SM_DOC_AUTO, NULL, &docs[i], &diag) != SM_OK) {
            fprintf(stderr, "analysis_bench: %s\n", diag.msg);
            return 1;
        }
        for (size_t p = 0; p < docs[i]->n_pages; p++)
            bytes += docs[i]->pages[p].len;
    }

    double t0 = now();
    struct sm_analyzer *an = NULL;
    if (sm_analyzer_new(cat, &an, &diag) != SM_OK) {
        fprintf(stderr, "analysis_bench: %s\n", diag.msg);
        return 1;
    }
    double compile = now() - t0;

    double u0 = user_seconds();
    t0 = now();
    int rc = SM_OK;
    if (threads == 1) {
        for (size_t i = 0; i < n_docs && rc == SM_OK; i++)
            rc = sm_analyze(an, docs[i], &out[i], &diag);
    } else {
        rc = sm_analyze_many(cat, (const struct sm_document *const *)docs, n_docs,
                             (unsigned)threads, out, NULL, NULL, &diag);
    }
    double wall = now() - t0;
    double user = user_seconds() - u0;
    if (rc != SM_OK) {
        fprintf(stderr, "analysis_bench: %s\n", diag.msg);
        return 1;
    }

    size_t found = 0;
    for (size_t i = 0; i < n_docs; i++) {
        for (size_t k = 0; k < out[i]->n_items; k++)
            found += out[i]->items[k].score > 0;
        sm_analysis_free(out[i]);
        sm_document_free(docs[i]);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("threads=%lu docs=%zu bytes=%zu wall=%.3f user=%.3f mb_per_s=%.2f compile_ms=%.1f "
           "maxrss_kb=%ld items_found=%zu\n",
           threads, n_docs, bytes, wall, user, wall > 0 ? (double)bytes / 1e6 / wall : 0.0,
           compile * 1e3, ru.ru_maxrss, found);
    sm_analyzer_free(an);
    sm_catalog_free(cat);
    free(docs);
    free(out);
    return found ? 0 : 1;
}
