/*
 * smesec registry due / export / import: the Otasuketai registry's batch jobs.
 *
 * `due` prints the renewal schedule and sends the reminders due today; it is meant for a
 * daily cron job and is idempotent, so running it twice sends nothing twice. `export`
 * writes the registry as CSV for operators; `import` reads one back, all or nothing, and
 * lists every bad row. They act as the operator "cli" in the audit log.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

#define IMPORT_MAX_BYTES ((size_t)64 << 20)

static int registry_due(int argc, char **argv)
{
    struct cli_common common;
    cli_common_init(&common);
    const char *today_arg = NULL;
    for (int i = 2; i < argc; i++) {
        bool bad = false;
        if (cli_take_common(argc, argv, &i, &common, &bad)) {
            if (bad)
                return EXIT_USAGE;
        } else if (strcmp(argv[i], "--today") == 0 && i + 1 < argc) {
            today_arg = argv[++i];
        } else {
            return cli_usage_error("registry due: unexpected argument '%s'", argv[i]);
        }
    }
    char today[SM_DATE_SIZE];
    if (today_arg) {
        if (!sm_date_valid(today_arg))
            return cli_usage_error("registry due: --today '%s' is not YYYY-MM-DD", today_arg);
        memcpy(today, today_arg, SM_DATE_SIZE);
    } else {
        sm_date_today(today);
    }
    struct sm_store *store = NULL;
    int status = cli_open_store(&common, &store);
    if (status)
        return status;
    struct sm_diag diag;
    struct sm_due_list *due = NULL;
    int rc = sm_registry_due(store, today, &due, &diag);
    if (rc) {
        sm_store_free(store);
        return cli_fail(rc, "cannot read the renewal schedule", &diag);
    }
    printf("renewal schedule as of %s\n", today);
    if (due->n == 0)
        printf("no registration is due within %d days\n", SM_RENEWAL_DUE_DAYS);
    else
        printf("%-8s %5s  %-10s  %-16s  %s\n", "due", "days", "renewal", "registration",
               "provider / service");
    for (size_t i = 0; i < due->n; i++) {
        const struct sm_due_row *r = &due->items[i];
        printf("%-8s %5d  %-10s  %-16s  %s / %s%s\n", sm_due_bucket_name(r->bucket), r->days_left,
               r->renewal_on, r->registration_no ? r->registration_no : "-", r->provider_name,
               r->service_name, r->renewal_open ? " (renewal under review)" : "");
    }
    sm_due_list_free(due);
    struct sm_registry_who who = sm_registry_who_system("cli");
    size_t sent = 0, marked = 0;
    rc = sm_registry_remind(store, &who, today, &sent, &marked, &diag);
    sm_store_free(store);
    if (rc)
        return cli_fail(rc, "cannot send the renewal reminders", &diag);
    printf("reminders sent: %zu; marked renewal due: %zu\n", sent, marked);
    return EXIT_OK;
}

static int registry_export(int argc, char **argv)
{
    struct cli_common common;
    cli_common_init(&common);
    const char *path = NULL;
    for (int i = 2; i < argc; i++) {
        bool bad = false;
        if (cli_take_common(argc, argv, &i, &common, &bad)) {
            if (bad)
                return EXIT_USAGE;
        } else if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else {
            return cli_usage_error("registry export: unexpected argument '%s'", argv[i]);
        }
    }
    if (!path || !*path)
        return cli_usage_error("registry export: give --csv FILE ('-' for standard output)");
    struct sm_store *store = NULL;
    int status = cli_open_store(&common, &store);
    if (status)
        return status;
    struct sm_diag diag;
    struct sm_buf out;
    sm_buf_init(&out, (size_t)256 << 20);
    struct sm_registry_who who = sm_registry_who_system("cli");
    int rc = sm_registry_export_csv(store, &who, &out, &diag);
    sm_store_free(store);
    if (rc) {
        sm_buf_release(&out);
        return cli_fail(rc, "cannot export the registry", &diag);
    }
    bool to_stdout = strcmp(path, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(path, "wb");
    bool ok = f && fwrite(out.data, 1, out.len, f) == out.len;
    if (f && !to_stdout)
        ok = fclose(f) == 0 && ok;
    else if (f)
        ok = fflush(f) == 0 && ok;
    sm_buf_release(&out);
    if (!ok) {
        fprintf(stderr, "smesec: cannot write '%s': %s\n", path, strerror(errno));
        return EXIT_FAIL;
    }
    if (!to_stdout)
        printf("wrote the registry to '%s'\n", path);
    return EXIT_OK;
}

/* Reads the whole file into out (at most IMPORT_MAX_BYTES); NULL, or why it failed. */
static const char *read_file(const char *path, struct sm_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return strerror(errno);
    char chunk[65536];
    size_t n;
    const char *why = NULL;
    while (!why && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        int rc = sm_buf_append(out, chunk, n);
        if (rc)
            why = rc == SM_ELIMIT ? "larger than 64 MiB" : sm_strerror(rc);
    }
    if (!why && ferror(f))
        why = "read error";
    fclose(f);
    return why;
}

static int registry_import(int argc, char **argv)
{
    struct cli_common common;
    cli_common_init(&common);
    const char *path = NULL;
    bool dry_run = false;
    for (int i = 2; i < argc; i++) {
        bool bad = false;
        if (cli_take_common(argc, argv, &i, &common, &bad)) {
            if (bad)
                return EXIT_USAGE;
        } else if (strcmp(argv[i], "--dry-run") == 0) {
            dry_run = true;
        } else if (argv[i][0] != '-' && !path) {
            path = argv[i];
        } else {
            return cli_usage_error("registry import: unexpected argument '%s'", argv[i]);
        }
    }
    if (!path)
        return cli_usage_error("registry import: give the FILE.csv to import");
    struct sm_buf data;
    sm_buf_init(&data, IMPORT_MAX_BYTES);
    const char *why = read_file(path, &data);
    if (why) {
        fprintf(stderr, "smesec: cannot read '%s': %s\n", path, why);
        sm_buf_release(&data);
        return EXIT_FAIL;
    }
    struct sm_store *store = NULL;
    int status = cli_open_store(&common, &store);
    if (status) {
        sm_buf_release(&data);
        return status;
    }
    struct sm_diag diag;
    struct sm_import_report *rep = NULL;
    struct sm_registry_who who = sm_registry_who_system("cli");
    int rc = sm_registry_import_csv(store, &who, data.data ? data.data : "", data.len, dry_run,
                                    &rep, &diag);
    sm_store_free(store);
    sm_buf_release(&data);
    if (rep) {
        for (size_t i = 0; i < rep->n_errors; i++) {
            const struct sm_import_error *e = &rep->errors[i];
            if (e->column)
                fprintf(stderr, "%s: row %ld: %s: %s\n", path, e->row, e->column, e->message);
            else
                fprintf(stderr, "%s: row %ld: %s\n", path, e->row, e->message);
        }
    }
    if (rc) {
        sm_import_report_free(rep);
        return cli_fail(rc, "cannot import the registry", &diag);
    }
    if (dry_run)
        printf("dry run: %zu rows are valid (%zu new, %zu updated); nothing was imported\n",
               rep->rows, rep->created, rep->updated);
    else
        printf("imported %zu rows (%zu new, %zu updated)\n", rep->rows, rep->created, rep->updated);
    sm_import_report_free(rep);
    return EXIT_OK;
}

int cmd_registry(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("registry: give a subcommand: due, export, import");
    if (strcmp(argv[1], "due") == 0)
        return registry_due(argc, argv);
    if (strcmp(argv[1], "export") == 0)
        return registry_export(argc, argv);
    if (strcmp(argv[1], "import") == 0)
        return registry_import(argc, argv);
    return cli_usage_error("registry: unknown subcommand '%s'", argv[1]);
}
