/*
 * smesec catalog: the check-item catalog.
 *   validate FILE                 every problem as FILE:LINE: message; exit 1 if any
 *   export --xlsx OUT [--file F]  the catalog (built-in, or F) as a workbook to edit in Excel
 *   import XLSX [--dry-run] [--out FILE.yaml]
 *                                 read an edited workbook: every row is checked and either
 *                                 all are taken or none; stores it in the database (and
 *                                 writes it as YAML with --out) unless --dry-run
 *   load [FILE]                   store the catalog (built-in, or FILE) in the database
 */
#include "cli/cli.h"

#include "smesec/catalog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

/* Reads a whole file (at most max bytes) into a new buffer. */
static int read_file(const char *path, size_t max, char **out, size_t *len, struct sm_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sm_diag_set(d, SM_EIO, "cannot open '%s': %s", path, strerror(errno));
    struct sm_buf b;
    sm_buf_init(&b, max);
    char chunk[65536];
    size_t n;
    int rc = SM_OK;
    while (rc == SM_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = sm_buf_append(&b, chunk, n);
    if (rc == SM_OK && ferror(f))
        rc = sm_diag_set(d, SM_EIO, "cannot read '%s'", path);
    else if (rc == SM_ELIMIT)
        sm_diag_set(d, rc, "'%s' is larger than %zu bytes", path, max);
    fclose(f);
    if (rc) {
        sm_buf_release(&b);
        return rc;
    }
    *out = sm_buf_take(&b, len);
    return *out ? SM_OK : SM_ENOMEM;
}

static int catalog_validate(int argc, char **argv)
{
    if (argc != 3)
        return cli_usage_error("catalog validate: give one FILE");
    const char *path = argv[2];
    struct sm_diag diag;
    char *text = NULL;
    size_t len = 0;
    int rc = read_file(path, (size_t)16 << 20, &text, &len, &diag);
    if (rc)
        return cli_fail(rc, "cannot validate catalog", &diag);
    struct sm_catalog_problem *problems = NULL;
    size_t n = 0;
    rc = sm_catalog_validate(text, len, &problems, &n);
    sm_free(text);
    if (rc)
        return cli_fail(rc, "cannot validate catalog", NULL);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "%s:%ld: %s\n", path, problems[i].line, problems[i].msg);
    sm_free(problems);
    if (n) {
        fprintf(stderr, "%s: %zu problem%s\n", path, n, n == 1 ? "" : "s");
        return EXIT_FAIL;
    }
    printf("%s: ok\n", path);
    return EXIT_OK;
}

static int catalog_export(int argc, char **argv)
{
    const char *out = NULL, *file = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--xlsx") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--file") == 0 && i + 1 < argc)
            file = argv[++i];
        else
            return cli_usage_error("catalog export: unexpected argument '%s'", argv[i]);
    }
    if (!out)
        return cli_usage_error("catalog export: give --xlsx OUT.xlsx");
    struct sm_diag diag;
    struct sm_catalog *cat = NULL;
    int rc = file ? sm_catalog_load_file(file, &cat, &diag) : sm_catalog_default(&cat, &diag);
    if (!rc)
        rc = sm_catalog_export_xlsx(cat, out, &diag);
    if (rc) {
        sm_catalog_free(cat);
        return cli_fail(rc, "cannot export catalog", &diag);
    }
    printf("catalog %s: %zu items written to %s\n", sm_catalog_version(cat),
           sm_catalog_n_items(cat), out);
    sm_catalog_free(cat);
    return EXIT_OK;
}

static int write_text_file(const char *path, const char *data, size_t n, struct sm_diag *d)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return sm_diag_set(d, SM_EIO, "cannot write '%s': %s", path, strerror(errno));
    size_t w = fwrite(data, 1, n, f);
    if (fclose(f) != 0 || w != n)
        return sm_diag_set(d, SM_EIO, "cannot write '%s'", path);
    return SM_OK;
}

static int catalog_import(int argc, char **argv)
{
    struct cli_common common;
    cli_common_init(&common);
    const char *xlsx = NULL, *yaml_out = NULL;
    bool dry_run = false;
    for (int i = 2; i < argc; i++) {
        bool bad = false;
        if (cli_take_common(argc, argv, &i, &common, &bad)) {
            if (bad)
                return EXIT_USAGE;
        } else if (strcmp(argv[i], "--dry-run") == 0) {
            dry_run = true;
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            yaml_out = argv[++i];
        } else if (argv[i][0] != '-' && !xlsx) {
            xlsx = argv[i];
        } else {
            return cli_usage_error("catalog import: unexpected argument '%s'", argv[i]);
        }
    }
    if (!xlsx)
        return cli_usage_error("catalog import: give the FILE.xlsx to import");
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_catalog *cat = NULL;
    struct sm_catalog_problem *problems = NULL;
    size_t n = 0;
    int rc = sm_catalog_import_xlsx(xlsx, &cat, &problems, &n, &diag);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "%s: row %ld: %s\n", xlsx, problems[i].line, problems[i].msg);
    sm_free(problems);
    if (rc || !cat) {
        if (n)
            fprintf(stderr, "%s: %zu bad row%s; nothing imported\n", xlsx, n, n == 1 ? "" : "s");
        return cli_fail(rc ? rc : SM_EINVAL, "cannot import catalog", &diag);
    }
    printf("%s: catalog %s with %zu items is valid\n", xlsx, sm_catalog_version(cat),
           sm_catalog_n_items(cat));
    if (dry_run) {
        printf("dry run: nothing stored\n");
        sm_catalog_free(cat);
        return EXIT_OK;
    }
    if (yaml_out) {
        struct sm_buf b;
        sm_buf_init(&b, (size_t)64 << 20);
        rc = sm_catalog_write_yaml(cat, &b);
        if (!rc)
            rc = write_text_file(yaml_out, b.data ? b.data : "", b.len, &diag);
        sm_buf_release(&b);
        if (rc) {
            sm_catalog_free(cat);
            return cli_fail(rc, "cannot write catalog", &diag);
        }
    }
    struct sm_store *store = NULL;
    int status = cli_open_store(&common, &store);
    if (status) {
        sm_catalog_free(cat);
        return status;
    }
    struct sm_actor actor = { .user_id = 0, .name = "cli" };
    rc = sm_catalog_save(store, &actor, cat, &diag);
    sm_store_free(store);
    if (rc) {
        sm_catalog_free(cat);
        return cli_fail(rc, "cannot store catalog", &diag);
    }
    printf("catalog %s stored\n", sm_catalog_version(cat));
    sm_catalog_free(cat);
    return EXIT_OK;
}

static int catalog_load(int argc, char **argv)
{
    struct cli_common common;
    cli_common_init(&common);
    const char *file = NULL;
    for (int i = 2; i < argc; i++) {
        bool bad = false;
        if (cli_take_common(argc, argv, &i, &common, &bad)) {
            if (bad)
                return EXIT_USAGE;
        } else if (argv[i][0] != '-' && !file) {
            file = argv[i];
        } else {
            return cli_usage_error("catalog load: unexpected argument '%s'", argv[i]);
        }
    }
    struct sm_store *store = NULL;
    int status = cli_open_store(&common, &store);
    if (status)
        return status;
    struct sm_diag diag;
    struct sm_catalog *cat = NULL;
    struct sm_actor actor = { .user_id = 0, .name = "cli" };
    int rc = sm_commons_catalog(store, &actor, file, &cat, &diag);
    sm_store_free(store);
    if (rc)
        return cli_fail(rc, "cannot load catalog", &diag);
    printf("catalog %s (%zu items) stored\n", sm_catalog_version(cat), sm_catalog_n_items(cat));
    sm_catalog_free(cat);
    return EXIT_OK;
}

int cmd_catalog(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("catalog: give a subcommand: validate, export, import, load");
    if (strcmp(argv[1], "validate") == 0)
        return catalog_validate(argc, argv);
    if (strcmp(argv[1], "export") == 0)
        return catalog_export(argc, argv);
    if (strcmp(argv[1], "import") == 0)
        return catalog_import(argc, argv);
    if (strcmp(argv[1], "load") == 0)
        return catalog_load(argc, argv);
    return cli_usage_error("catalog: unknown subcommand '%s'", argv[1]);
}
