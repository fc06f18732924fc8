/*
 * smesec guidelines: the guideline-commons workflow from the command line.
 *   add FILE... --industry NAME --publisher NAME [--title T] [--version V] [--year N]
 *       [--format auto|text|markdown|pdf|docx] [--catalog FILE] [--threads N] [--no-analyse]
 *   list
 *   analyse [ID...] [--catalog FILE] [--threads N]       (all guidelines when no ID)
 *   review ID ITEM accept|reject
 *   override ID ITEM SCORE --note TEXT | override ID ITEM --clear
 *   report --out DIR [--criterion SPEC] [--catalog FILE]
 *   delete ID
 * Each file of `add` is read and stored on its own: a bad file is reported with its reason and
 * nothing of it is stored, and the others go on; the exit status is then 1. Progress goes to
 * stderr when stderr is a terminal, and nothing is printed there otherwise but errors.
 */
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/banned.h"

static const struct sm_actor cli_actor = { .user_id = 0, .name = "cli" };

/* Parses a positive integer argument. */
static bool parse_long(const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool progress_wanted(void)
{
    return isatty(STDERR_FILENO) == 1;
}

static void analyse_progress(void *ctx, size_t done, size_t total)
{
    (void)ctx;
    fprintf(stderr, "\ranalysing: %zu of %zu guidelines%s", done, total, done == total ? "\n" : "");
}

/* Options shared by add, analyse and report. */
struct opts {
    struct cli_common common;
    const char *catalog_file;
    unsigned threads;
};

static int take_opt(int argc, char **argv, int *i, struct opts *o, bool *taken)
{
    bool bad = false;
    *taken = true;
    if (cli_take_common(argc, argv, i, &o->common, &bad))
        return bad ? EXIT_USAGE : EXIT_OK;
    if (strcmp(argv[*i], "--catalog") == 0 && *i + 1 < argc) {
        o->catalog_file = argv[++*i];
        return EXIT_OK;
    }
    if (strcmp(argv[*i], "--threads") == 0 && *i + 1 < argc) {
        long n = 0;
        if (!parse_long(argv[++*i], 1, 64, &n))
            return cli_usage_error("--threads wants 1 to 64, not '%s'", argv[*i]);
        o->threads = (unsigned)n;
        return EXIT_OK;
    }
    *taken = false;
    return EXIT_OK;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int parse_format(const char *s, enum sm_doc_format *out)
{
    for (int f = SM_DOC_AUTO; f <= SM_DOC_DOCX; f++) {
        if (strcmp(s, sm_doc_format_name((enum sm_doc_format)f)) == 0) {
            *out = (enum sm_doc_format)f;
            return SM_OK;
        }
    }
    return SM_EINVAL;
}

static int guidelines_add(int argc, char **argv)
{
    struct opts o = { .threads = 0 };
    cli_common_init(&o.common);
    struct sm_guideline_meta meta = { 0 };
    enum sm_doc_format format = SM_DOC_AUTO;
    bool analyse = true;
    const char **files = calloc((size_t)argc, sizeof *files);
    size_t n_files = 0;
    int status = EXIT_OK;
    if (!files)
        return cli_fail(SM_ENOMEM, "cannot add guidelines", NULL);
    for (int i = 2; i < argc && status == EXIT_OK; i++) {
        bool taken = false;
        status = take_opt(argc, argv, &i, &o, &taken);
        if (taken)
            continue;
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        long year = 0;
        if (strcmp(a, "--industry") == 0 && has_value)
            meta.industry = argv[++i];
        else if (strcmp(a, "--publisher") == 0 && has_value)
            meta.publisher = argv[++i];
        else if (strcmp(a, "--title") == 0 && has_value)
            meta.title = argv[++i];
        else if (strcmp(a, "--version") == 0 && has_value)
            meta.version = argv[++i];
        else if (strcmp(a, "--year") == 0 && has_value) {
            if (!parse_long(argv[++i], 1990, 2100, &year))
                status = cli_usage_error("guidelines add: --year wants 1990 to 2100");
            meta.year = (int)year;
        } else if (strcmp(a, "--format") == 0 && has_value) {
            if (parse_format(argv[++i], &format))
                status = cli_usage_error("guidelines add: unknown format '%s'", argv[i]);
        } else if (strcmp(a, "--no-analyse") == 0)
            analyse = false;
        else if (a[0] != '-')
            files[n_files++] = a;
        else
            status = cli_usage_error("guidelines add: unexpected argument '%s'", a);
    }
    if (status == EXIT_OK && n_files == 0)
        status = cli_usage_error("guidelines add: give at least one FILE");
    if (status == EXIT_OK && (!meta.industry || !meta.publisher))
        status = cli_usage_error("guidelines add: give --industry and --publisher");
    if (status == EXIT_OK && meta.title && n_files > 1)
        status = cli_usage_error("guidelines add: --title names one file; with several files"
                                 " each is titled by its file name");
    struct sm_store *store = NULL;
    if (status == EXIT_OK)
        status = cli_open_store(&o.common, &store);
    if (status) {
        free(files);
        return status;
    }
    int64_t *ids = calloc(n_files, sizeof *ids);
    size_t n_ids = 0;
    bool show = progress_wanted();
    for (size_t k = 0; ids && k < n_files; k++) {
        struct sm_diag diag;
        struct sm_document *doc = NULL;
        struct sm_guideline_meta m = meta;
        m.filename = base_name(files[k]);
        if (!m.title)
            m.title = m.filename;
        if (show)
            fprintf(stderr, "reading %zu of %zu: %s\n", k + 1, n_files, files[k]);
        int rc = sm_document_read_file(files[k], format, NULL, &doc, &diag);
        if (!rc)
            rc = sm_guideline_add(store, &cli_actor, &m, doc, &ids[n_ids], &diag);
        if (rc) {
            /* The library's message names the file and the reason. */
            cli_fail(rc, "guidelines add", &diag);
            status = EXIT_FAIL;
        } else {
            printf("added guideline %lld: %s (%zu pages)\n", (long long)ids[n_ids], m.title,
                   doc->n_pages);
            n_ids++;
        }
        sm_document_free(doc);
    }
    if (!ids)
        status = cli_fail(SM_ENOMEM, "cannot add guidelines", NULL);
    if (analyse && n_ids) {
        struct sm_diag diag;
        struct sm_catalog *cat = NULL;
        int rc = sm_commons_catalog(store, &cli_actor, o.catalog_file, &cat, &diag);
        if (!rc)
            rc = sm_commons_analyse(store, &cli_actor, cat, ids, n_ids, o.threads,
                                    show ? analyse_progress : NULL, NULL, &diag);
        if (rc)
            status = cli_fail(rc, "cannot analyse", &diag);
        else
            printf("analysed %zu guideline%s against catalog %s\n", n_ids, n_ids == 1 ? "" : "s",
                   sm_catalog_version(cat));
        sm_catalog_free(cat);
    }
    free(ids);
    free(files);
    sm_store_free(store);
    return status;
}

static int guidelines_list(int argc, char **argv)
{
    struct cli_common common;
    cli_common_init(&common);
    for (int i = 2; i < argc; i++) {
        bool bad = false;
        if (!cli_take_common(argc, argv, &i, &common, &bad) || bad)
            return bad ? EXIT_USAGE
                       : cli_usage_error("guidelines list: unexpected argument '%s'", argv[i]);
    }
    struct sm_store *store = NULL;
    int status = cli_open_store(&common, &store);
    if (status)
        return status;
    struct sm_diag diag;
    struct sm_guideline_list *list = NULL;
    int rc = sm_guideline_list(store, &list, &diag);
    sm_store_free(store);
    if (rc)
        return cli_fail(rc, "cannot list guidelines", &diag);
    printf("id\tindustry\tpublisher\ttitle\tversion\tyear\tpages\tanalysed\toverrides\n");
    for (size_t i = 0; i < list->n; i++) {
        const struct sm_guideline_info *g = &list->items[i];
        printf("%lld\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%zu\n", (long long)g->id, g->industry,
               g->publisher, g->title, g->version, g->year, g->n_pages,
               g->analysed_with ? g->analysed_with : "-", g->n_overrides);
    }
    sm_guideline_list_free(list);
    return EXIT_OK;
}

static int guidelines_analyse(int argc, char **argv)
{
    struct opts o = { .threads = 0 };
    cli_common_init(&o.common);
    /* sm_calloc: the list may be replaced by sm_guideline_ids', freed alike with sm_free. */
    int64_t *ids = sm_calloc((size_t)argc, sizeof *ids);
    size_t n = 0;
    int status = ids ? EXIT_OK : cli_fail(SM_ENOMEM, "cannot analyse", NULL);
    for (int i = 2; i < argc && status == EXIT_OK; i++) {
        bool taken = false;
        status = take_opt(argc, argv, &i, &o, &taken);
        long id = 0;
        if (taken)
            continue;
        if (parse_long(argv[i], 1, LONG_MAX, &id))
            ids[n++] = id;
        else
            status = cli_usage_error("guidelines analyse: '%s' is not a guideline id", argv[i]);
    }
    struct sm_store *store = NULL;
    if (status == EXIT_OK)
        status = cli_open_store(&o.common, &store);
    struct sm_diag diag;
    int rc = SM_OK;
    if (status == EXIT_OK && n == 0) {
        sm_free(ids);
        ids = NULL;
        rc = sm_guideline_ids(store, &ids, &n, &diag);
    }
    struct sm_catalog *cat = NULL;
    if (status == EXIT_OK && !rc)
        rc = sm_commons_catalog(store, &cli_actor, o.catalog_file, &cat, &diag);
    if (status == EXIT_OK && !rc)
        rc = sm_commons_analyse(store, &cli_actor, cat, ids, n, o.threads,
                                progress_wanted() ? analyse_progress : NULL, NULL, &diag);
    if (status == EXIT_OK && rc)
        status = cli_fail(rc, "cannot analyse", &diag);
    else if (status == EXIT_OK)
        printf("analysed %zu guideline%s against catalog %s\n", n, n == 1 ? "" : "s",
               sm_catalog_version(cat));
    sm_catalog_free(cat);
    sm_store_free(store);
    sm_free(ids);
    return status;
}

/* Parses "ID ITEM" positional arguments shared by review and override. */
static int take_cell(int argc, char **argv, int *i, int64_t *id, const char **item, const char *cmd)
{
    long v = 0;
    if (*i + 1 >= argc || !parse_long(argv[*i], 1, LONG_MAX, &v))
        return cli_usage_error("guidelines %s: give a guideline ID and an ITEM id", cmd);
    *id = v;
    *item = argv[*i + 1];
    *i += 2;
    return EXIT_OK;
}

static int guidelines_review(int argc, char **argv)
{
    struct cli_common common;
    cli_common_init(&common);
    int i = 2;
    int64_t id = 0;
    const char *item = NULL, *verdict = NULL;
    int status = take_cell(argc, argv, &i, &id, &item, "review");
    for (; status == EXIT_OK && i < argc; i++) {
        bool bad = false;
        if (cli_take_common(argc, argv, &i, &common, &bad))
            status = bad ? EXIT_USAGE : EXIT_OK;
        else if (!verdict)
            verdict = argv[i];
        else
            status = cli_usage_error("guidelines review: unexpected argument '%s'", argv[i]);
    }
    enum sm_review review = SM_REVIEW_PROPOSED;
    if (status == EXIT_OK &&
        (!verdict || (strcmp(verdict, "accept") != 0 && strcmp(verdict, "reject") != 0)))
        status = cli_usage_error("guidelines review: say accept or reject");
    if (status)
        return status;
    review = strcmp(verdict, "accept") == 0 ? SM_REVIEW_ACCEPTED : SM_REVIEW_REJECTED;
    struct sm_store *store = NULL;
    status = cli_open_store(&common, &store);
    if (status)
        return status;
    struct sm_diag diag;
    int rc = sm_guideline_review(store, &cli_actor, id, item, review, &diag);
    sm_store_free(store);
    if (rc)
        return cli_fail(rc, "cannot review", &diag);
    printf("guideline %lld, item %s: %s\n", (long long)id, item, sm_review_name(review));
    return EXIT_OK;
}

static int guidelines_override(int argc, char **argv)
{
    struct cli_common common;
    cli_common_init(&common);
    int i = 2;
    int64_t id = 0;
    const char *item = NULL, *note = NULL;
    long score = -2;
    bool clear = false;
    int status = take_cell(argc, argv, &i, &id, &item, "override");
    for (; status == EXIT_OK && i < argc; i++) {
        bool bad = false;
        if (cli_take_common(argc, argv, &i, &common, &bad))
            status = bad ? EXIT_USAGE : EXIT_OK;
        else if (strcmp(argv[i], "--note") == 0 && i + 1 < argc)
            note = argv[++i];
        else if (strcmp(argv[i], "--clear") == 0)
            clear = true;
        else if (score == -2 && parse_long(argv[i], 0, 2, &score))
            continue;
        else
            status = cli_usage_error("guidelines override: unexpected argument '%s'", argv[i]);
    }
    if (status == EXIT_OK && clear == (score != -2))
        status = cli_usage_error("guidelines override: give a SCORE (0, 1 or 2) with --note, or"
                                 " --clear");
    if (status == EXIT_OK && !clear && (!note || !*note))
        status = cli_usage_error("guidelines override: say why with --note");
    if (status)
        return status;
    struct sm_store *store = NULL;
    status = cli_open_store(&common, &store);
    if (status)
        return status;
    struct sm_diag diag;
    int rc =
        sm_guideline_override(store, &cli_actor, id, item, clear ? -1 : (int)score, note, &diag);
    sm_store_free(store);
    if (rc)
        return cli_fail(rc, "cannot override", &diag);
    if (clear)
        printf("guideline %lld, item %s: override removed\n", (long long)id, item);
    else
        printf("guideline %lld, item %s: score %ld (manual)\n", (long long)id, item, score);
    return EXIT_OK;
}

static int guidelines_report(int argc, char **argv)
{
    struct opts o = { .threads = 0 };
    cli_common_init(&o.common);
    const char *dir = NULL;
    struct sm_criterion crit;
    sm_criterion_default(&crit);
    int status = EXIT_OK;
    for (int i = 2; i < argc && status == EXIT_OK; i++) {
        bool taken = false;
        status = take_opt(argc, argv, &i, &o, &taken);
        if (taken)
            continue;
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(argv[i], "--criterion") == 0 && i + 1 < argc) {
            struct sm_diag d;
            if (sm_criterion_parse(argv[++i], &crit, &d))
                status = cli_usage_error("guidelines report: %s", d.msg);
        } else {
            status = cli_usage_error("guidelines report: unexpected argument '%s'", argv[i]);
        }
    }
    if (status == EXIT_OK && !dir)
        status = cli_usage_error("guidelines report: give --out DIR");
    struct sm_store *store = NULL;
    if (status == EXIT_OK)
        status = cli_open_store(&o.common, &store);
    if (status)
        return status;
    struct sm_diag diag;
    struct sm_catalog *cat = NULL;
    size_t n = 0;
    int rc = sm_commons_catalog(store, &cli_actor, o.catalog_file, &cat, &diag);
    if (!rc)
        rc = sm_commons_report(store, cat, &crit, dir, &n, &diag);
    sm_catalog_free(cat);
    sm_store_free(store);
    if (rc)
        return cli_fail(rc, "cannot write the report", &diag);
    struct sm_buf b;
    sm_buf_init(&b, 4096);
    if (sm_criterion_describe(&crit, n, SM_LANG_EN, &b) == SM_OK)
        printf("%s\n", b.data);
    sm_buf_release(&b);
    printf("wrote the outputs for %zu guideline%s to %s\n", n, n == 1 ? "" : "s", dir);
    return EXIT_OK;
}

static int guidelines_delete(int argc, char **argv)
{
    struct cli_common common;
    cli_common_init(&common);
    long id = 0;
    bool have = false;
    for (int i = 2; i < argc; i++) {
        bool bad = false;
        if (cli_take_common(argc, argv, &i, &common, &bad)) {
            if (bad)
                return EXIT_USAGE;
        } else if (!have && parse_long(argv[i], 1, LONG_MAX, &id)) {
            have = true;
        } else {
            return cli_usage_error("guidelines delete: unexpected argument '%s'", argv[i]);
        }
    }
    if (!have)
        return cli_usage_error("guidelines delete: give a guideline ID");
    struct sm_store *store = NULL;
    int status = cli_open_store(&common, &store);
    if (status)
        return status;
    struct sm_diag diag;
    int rc = sm_guideline_delete(store, &cli_actor, id, &diag);
    sm_store_free(store);
    if (rc)
        return cli_fail(rc, "cannot delete", &diag);
    printf("deleted guideline %ld\n", id);
    return EXIT_OK;
}

int cmd_guidelines(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } subs[] = {
        { "add", guidelines_add },         { "list", guidelines_list },
        { "analyse", guidelines_analyse }, { "analyze", guidelines_analyse },
        { "review", guidelines_review },   { "override", guidelines_override },
        { "report", guidelines_report },   { "delete", guidelines_delete },
    };

    if (argc < 2)
        return cli_usage_error("guidelines: give a subcommand: add, list, analyse, review,"
                               " override, report, delete");
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].fn(argc, argv);
    return cli_usage_error("guidelines: unknown subcommand '%s'", argv[1]);
}
