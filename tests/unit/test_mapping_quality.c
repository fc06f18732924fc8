/*
 * Mapping quality: the analyser against the labelled excerpts in tests/data/labelled/.
 *
 * Every NAME.txt is read as a guideline and analysed against the repository's catalog
 * (data/catalog/sc3-catalog.yaml); NAME.labels says which sentences are evidence for which
 * items and what each scores (format in tests/data/labelled/README.md). Per item, over the
 * whole set, a document counts as positive when its expected score is >= 1 and as found
 * when the analyser scores it >= 1; the test prints precision and recall per item, how
 * often the analyser's 1-or-2 agrees with the label where both are >= 1, and how many
 * evidence sentences are labelled for their item.
 *
 * It fails when an item's precision or recall is below 0.85; when an item is not
 * measurable (fewer than MIN_POS documents where it is written or MIN_NEG where it is
 * not); when a sentence labelled "must not be evidence" is given as evidence; when less
 * than 0.9 of all evidence sentences are labelled for their item; or when a label names an
 * unknown item or a fragment the document does not contain.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smesec/alloc.h"
#include "smesec/catalog.h"
#include "smesec/commons.h"
#include "smesec/text.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_POS                4
#define MIN_NEG                3
#define MIN_PRECISION          0.85
#define MIN_RECALL             0.85
#define MIN_EVIDENCE_PRECISION 0.90
#define MAX_DOCS               64
#define MAX_LABELS             256

struct label {
    size_t item;    /* catalog index */
    int score;      /* 1 or 2; 0 for a "must not be evidence" line */
    char *fragment; /* normalised */
};

struct labelled {
    char name[128];
    struct sm_document *doc;
    struct label labels[MAX_LABELS];
    size_t n_labels;
    int *expected; /* per item */
};

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static bool doc_contains(const struct sm_document *doc, const char *s)
{
    for (size_t p = 0; p < doc->n_pages; p++)
        if (strstr(doc->pages[p].text, s))
            return true;
    return false;
}

/* Reads NAME.labels into d; fails the test on a malformed line. */
static void read_labels(const struct sm_catalog *cat, const char *path, struct labelled *d)
{
    size_t len;
    char *text = read_all(path, &len);
    if (!text)
        fail_msg("cannot read '%s'", path);
    size_t n_items = sm_catalog_n_items(cat);
    d->expected = calloc(n_items, sizeof *d->expected);
    long line_no = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        line_no++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        bool negative = line[0] == '!';
        char *id = negative ? line + 1 : line;
        char *tab = strchr(id, '\t');
        if (!tab)
            fail_msg("%s:%ld: no tab", path, line_no);
        *tab = '\0';
        char *rest = tab + 1;
        int score = 0;
        if (!negative) {
            char *tab2 = strchr(rest, '\t');
            if (!tab2 || tab2 != rest + 1 || (rest[0] != '1' && rest[0] != '2'))
                fail_msg("%s:%ld: the score must be 1 or 2", path, line_no);
            score = rest[0] - '0';
            rest = tab2 + 1;
        }
        size_t item;
        if (!sm_catalog_find(cat, id, &item))
            fail_msg("%s:%ld: unknown item '%s'", path, line_no, id);
        char *norm = NULL;
        size_t norm_len = 0;
        assert_int_equal(sm_text_normalize(rest, strlen(rest), &norm, &norm_len, NULL), SM_OK);
        if (!doc_contains(d->doc, norm))
            fail_msg("%s:%ld: the document has no '%s'", path, line_no, norm);
        if (d->n_labels == MAX_LABELS)
            fail_msg("%s: too many labels", path);
        d->labels[d->n_labels++] = (struct label){ .item = item, .score = score, .fragment = norm };
        if (score > d->expected[item])
            d->expected[item] = score;
    }
    free(text);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct labelled *)a)->name, ((const struct labelled *)b)->name);
}

/* Whether evidence e is labelled (score >= 1) for item, or forbidden (score 0). */
static bool labelled_as(const struct labelled *d, size_t item, const struct sm_evidence *e,
                        bool forbidden)
{
    for (size_t k = 0; k < d->n_labels; k++) {
        const struct label *l = &d->labels[k];
        if (l->item == item && (l->score == 0) == forbidden && strstr(e->text, l->fragment))
            return true;
    }
    return false;
}

static void mapping_quality(void **state)
{
    (void)state;
    const char *src = getenv("SMESEC_SOURCE_DIR");
    if (!src)
        fail_msg("SMESEC_SOURCE_DIR is not set");
    char path[2048];
    snprintf(path, sizeof path, "%s/data/catalog/sc3-catalog.yaml", src);
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_catalog *cat = NULL;
    if (sm_catalog_load_file(path, &cat, &diag) != SM_OK)
        fail_msg("catalog: %s", diag.msg);
    size_t n_items = sm_catalog_n_items(cat);

    static struct labelled docs[MAX_DOCS];
    size_t n_docs = 0;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/data/labelled", src);
    DIR *dh = opendir(dir);
    assert_non_null(dh);
    for (struct dirent *de; (de = readdir(dh));) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".txt") != 0)
            continue;
        assert_true(n_docs < MAX_DOCS && nl - 4 < sizeof docs[0].name);
        memcpy(docs[n_docs].name, de->d_name, nl - 4);
        docs[n_docs].name[nl - 4] = '\0';
        n_docs++;
    }
    closedir(dh);
    qsort(docs, n_docs, sizeof docs[0], by_name);
    assert_true(n_docs >= 15);

    const struct sm_document *doc_list[MAX_DOCS];
    for (size_t i = 0; i < n_docs; i++) {
        snprintf(path, sizeof path, "%s/%s.txt", dir, docs[i].name);
        if (sm_document_read_file(path, SM_DOC_AUTO, NULL, &docs[i].doc, &diag) != SM_OK)
            fail_msg("%s: %s", path, diag.msg);
        snprintf(path, sizeof path, "%s/%s.labels", dir, docs[i].name);
        read_labels(cat, path, &docs[i]);
        doc_list[i] = docs[i].doc;
    }

    struct sm_analysis *res[MAX_DOCS];
    if (sm_analyze_many(cat, doc_list, n_docs, 2, res, NULL, NULL, &diag) != SM_OK)
        fail_msg("analysis: %s", diag.msg);

    /* Per item: positives, negatives, true and false positives, 1-vs-2 agreement. */
    size_t failures = 0, forbidden = 0, ev_total = 0, ev_labelled = 0;
    size_t agree = 0, both = 0;
    double sum_p = 0, sum_r = 0, min_p = 1, min_r = 1;
    printf("%-7s %4s %4s %4s %4s %4s %6s %6s %5s\n", "item", "pos", "neg", "tp", "fp", "fn", "prec",
           "recall", "1v2");
    for (size_t it = 0; it < n_items; it++) {
        size_t pos = 0, tp = 0, fp = 0, fn = 0, ag = 0, bo = 0;
        for (size_t d = 0; d < n_docs; d++) {
            int want = docs[d].expected[it];
            const struct sm_item_result *r = &res[d]->items[it];
            pos += want > 0;
            if (want > 0 && r->score > 0) {
                tp++;
                bo++;
                ag += want == r->score;
            } else if (want > 0) {
                fn++;
                printf("  missed: %s in %s\n", r->item_id, docs[d].name);
            } else if (r->score > 0) {
                fp++;
                printf("  false:  %s in %s: %s\n", r->item_id, docs[d].name, r->evidence[0].text);
            }
            for (size_t k = 0; k < r->n_evidence; k++) {
                ev_total++;
                ev_labelled += labelled_as(&docs[d], it, &r->evidence[k], false);
                if (labelled_as(&docs[d], it, &r->evidence[k], true)) {
                    forbidden++;
                    printf("  must not be evidence: %s in %s: %s\n", r->item_id, docs[d].name,
                           r->evidence[k].text);
                }
            }
        }
        size_t neg = n_docs - pos;
        double p = tp + fp ? (double)tp / (double)(tp + fp) : 0;
        double rc = pos ? (double)tp / (double)pos : 0;
        const char *id = sm_catalog_item(cat, it)->id;
        bool bad = pos < MIN_POS || neg < MIN_NEG || p < MIN_PRECISION || rc < MIN_RECALL;
        printf("%-7s %4zu %4zu %4zu %4zu %4zu %6.2f %6.2f %2zu/%-2zu%s\n", id, pos, neg, tp, fp, fn,
               p, rc, ag, bo, bad ? "  <-- FAIL" : "");
        if (pos < MIN_POS || neg < MIN_NEG)
            printf("  %s is not measurable: needs %d documents that write it and %d that do "
                   "not\n",
                   id, MIN_POS, MIN_NEG);
        failures += bad;
        sum_p += p;
        sum_r += rc;
        min_p = p < min_p ? p : min_p;
        min_r = rc < min_r ? rc : min_r;
        agree += ag;
        both += bo;
    }
    double ev_p = ev_total ? (double)ev_labelled / (double)ev_total : 1;
    printf("%zu documents, %zu items: precision min %.2f mean %.3f, recall min %.2f mean %.3f; "
           "score 1-vs-2 agreement %.3f (%zu/%zu); evidence sentences labelled %.3f (%zu/%zu)\n",
           n_docs, n_items, min_p, sum_p / (double)n_items, min_r, sum_r / (double)n_items,
           both ? (double)agree / (double)both : 1.0, agree, both, ev_p, ev_labelled, ev_total);

    for (size_t d = 0; d < n_docs; d++) {
        sm_analysis_free(res[d]);
        sm_document_free(docs[d].doc);
        for (size_t k = 0; k < docs[d].n_labels; k++)
            sm_free(docs[d].labels[k].fragment);
        free(docs[d].expected);
    }
    sm_catalog_free(cat);

    assert_int_equal(failures, 0);
    assert_int_equal(forbidden, 0);
    assert_true(ev_p >= MIN_EVIDENCE_PRECISION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mapping_quality),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
