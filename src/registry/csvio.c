/*
 * The registry as CSV (see smesec/registry.h): export for operators, and import with a
 * row-by-row error report, all or nothing.
 *
 * One row per registered service with its approved content. Unknown facts are empty
 * cells; yes/no properties are "yes", "no" or empty; prefectures are "nationwide" or codes
 * joined by ';'; help-desk channels are names joined by ';'; devices are one cell holding a
 * small CSV of its own (one line per device: kind, ransomware, maker, product, functions,
 * reason), so a device's text may contain anything and a spreadsheet shows one device a
 * line. Export neutralises formula-like cells and import undoes it (smesec/csv.h), so
 * export then import gives back the same registry.
 *
 * Import reads and checks every row before writing anything, then writes all rows in one
 * transaction; a database refusal on any row rolls everything back and is reported against
 * that row. A dry run does the same and rolls back at the end.
 */
#include "registry/internal.h"

#include "smesec/alloc.h"
#include "smesec/csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

enum col {
    C_REGISTRATION_NO,
    C_STATUS,
    C_REGISTERED_ON,
    C_RENEWAL_ON,
    C_STATUS_NOTE,
    C_PROVIDER,
    C_PROVIDER_FICTITIOUS,
    C_PROVIDER_PREF,
    C_PROVIDER_EMAIL,
    C_NAME,
    C_CLASS,
    C_TYPE,
    C_PREFECTURES,
    C_MONTHLY,
    C_DEVICE_MONTHLY,
    C_INITIAL,
    C_PRICE_NOTE,
    C_HELPDESK,
    C_HELPDESK_HOURS,
    C_HELPDESK_CHANNELS,
    C_MONITORING_24H,
    C_MONITORING_METHOD,
    C_ONSITE,
    C_REMOTE,
    C_INSURANCE,
    C_INSURANCE_INITIAL,
    C_INSURANCE_PAYS,
    C_INSURANCE_USER_PAYS,
    C_CONTRACT_TERMS,
    C_CONTRACT_MONTHS,
    C_DESC_HELPDESK,
    C_DESC_MONITORING,
    C_DESC_ONSITE,
    C_DESC_INSURANCE,
    C_SUMMARY,
    C_CLASS1_SINCE,
    C_CUSTOMERS,
    C_ENDPOINTS,
    C_DEVICES,
    C_COUNT
};

const char *const sm_registry_csv_columns[] = {
    [C_REGISTRATION_NO] = "registration_no",
    [C_STATUS] = "status",
    [C_REGISTERED_ON] = "registered_on",
    [C_RENEWAL_ON] = "renewal_on",
    [C_STATUS_NOTE] = "status_note",
    [C_PROVIDER] = "provider",
    [C_PROVIDER_FICTITIOUS] = "provider_fictitious",
    [C_PROVIDER_PREF] = "provider_prefecture",
    [C_PROVIDER_EMAIL] = "provider_email",
    [C_NAME] = "name",
    [C_CLASS] = "class",
    [C_TYPE] = "type",
    [C_PREFECTURES] = "prefectures",
    [C_MONTHLY] = "monthly_yen",
    [C_DEVICE_MONTHLY] = "device_monthly_yen",
    [C_INITIAL] = "initial_yen",
    [C_PRICE_NOTE] = "price_note",
    [C_HELPDESK] = "helpdesk",
    [C_HELPDESK_HOURS] = "helpdesk_hours",
    [C_HELPDESK_CHANNELS] = "helpdesk_channels",
    [C_MONITORING_24H] = "monitoring_24h",
    [C_MONITORING_METHOD] = "monitoring_method",
    [C_ONSITE] = "onsite",
    [C_REMOTE] = "remote_support",
    [C_INSURANCE] = "insurance",
    [C_INSURANCE_INITIAL] = "insurance_initial_response",
    [C_INSURANCE_PAYS] = "insurance_pays",
    [C_INSURANCE_USER_PAYS] = "insurance_user_pays",
    [C_CONTRACT_TERMS] = "contract_terms",
    [C_CONTRACT_MONTHS] = "contract_min_months",
    [C_DESC_HELPDESK] = "desc_helpdesk",
    [C_DESC_MONITORING] = "desc_monitoring",
    [C_DESC_ONSITE] = "desc_onsite",
    [C_DESC_INSURANCE] = "desc_insurance",
    [C_SUMMARY] = "summary",
    [C_CLASS1_SINCE] = "class1_since",
    [C_CUSTOMERS] = "customers_1y",
    [C_ENDPOINTS] = "monitored_endpoints",
    [C_DEVICES] = "devices",
};

const size_t sm_registry_csv_n_columns = C_COUNT;

#define CSV_MAX_BYTES  ((size_t)64 << 20)
#define CSV_MAX_ROWS   10000
#define CSV_MAX_RECORD ((size_t)256 << 10)
#define CSV_MAX_ERRORS 1000

static const struct {
    unsigned bit;
    const char *name;
} channels[] = {
    { SM_CHANNEL_PHONE, "phone" },
    { SM_CHANNEL_EMAIL, "email" },
    { SM_CHANNEL_WEB, "web" },
    { SM_CHANNEL_CHAT, "chat" },
};

/* --- Export ------------------------------------------------------------------------------ */

static const char *tri_cell(enum sm_tri t)
{
    switch (t) {
    case SM_TRI_YES:
        return "yes";
    case SM_TRI_NO:
        return "no";
    case SM_TRI_UNKNOWN:
        break;
    }
    return "";
}

/* The devices as CSV inside the cell: one line per device, with the fields kind,
 * ransomware, maker, product, functions, reason. */
#define DEVICE_FIELDS 6

static int devices_cell(const struct sm_service_content *c, struct sm_buf *b)
{
    int rc = SM_OK;
    for (size_t i = 0; !rc && i < c->n_devices; i++) {
        const struct sm_device *d = &c->devices[i];
        const char *f[DEVICE_FIELDS] = { sm_device_kind_name(d->kind),
                                         sm_effect_name(d->ransomware),
                                         d->maker,
                                         d->product,
                                         d->functions,
                                         d->reason };
        rc = sm_csv_put_record(b, f, DEVICE_FIELDS, 0);
    }
    return rc;
}

static int number_cell(struct sm_arena *a, int64_t v, const char **out)
{
    char buf[32];
    if (v == SM_UNKNOWN) {
        *out = "";
        return SM_OK;
    }
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    *out = sm_arena_strdup(a, buf);
    return *out ? SM_OK : SM_ENOMEM;
}

/* One service's record into out. */
static int export_row(struct sm_store *store, struct sm_sql *st, struct sm_buf *out,
                      struct sm_diag *diag)
{
    struct sm_arena a;
    sm_arena_init(&a, SM__REG_ARENA_MAX);
    struct sm_service_content c;
    const char *cells[C_COUNT] = { 0 };
    struct sm_buf tmp;
    sm_buf_init(&tmp, CSV_MAX_RECORD);
    bool oom = false;
    for (int i = 0; i <= C_PROVIDER_EMAIL; i++)
        cells[i] = sm__col(&a, st, i, &oom);
    cells[C_PROVIDER_FICTITIOUS] = sm_sql_int64(st, C_PROVIDER_FICTITIOUS) ? "1" : "0";
    int rc = oom ? SM_ENOMEM : SM_OK;
    if (!rc)
        rc = sm__content_load(store, sm_sql_int64(st, C_PROVIDER_EMAIL + 1), &a, &c, diag);
    if (rc)
        goto out;
    cells[C_NAME] = c.name;
    cells[C_CLASS] = c.service_class == 2 ? "2" : "1";
    cells[C_TYPE] = sm_monitoring_name(c.monitoring);
    if ((rc = sm_prefs_format(&tmp, c.nationwide, c.prefectures)))
        goto out;
    cells[C_PREFECTURES] = sm_arena_strdup(&a, tmp.data ? tmp.data : "");
    sm_buf_reset(&tmp);
    if ((rc = number_cell(&a, c.monthly_yen, &cells[C_MONTHLY])) ||
        (rc = number_cell(&a, c.device_monthly_yen, &cells[C_DEVICE_MONTHLY])) ||
        (rc = number_cell(&a, c.initial_yen, &cells[C_INITIAL])) ||
        (rc = number_cell(&a, c.contract_min_months, &cells[C_CONTRACT_MONTHS])) ||
        (rc = number_cell(&a, c.customers_1y, &cells[C_CUSTOMERS])) ||
        (rc = number_cell(&a, c.monitored_endpoints, &cells[C_ENDPOINTS])))
        goto out;
    cells[C_PRICE_NOTE] = c.price_note;
    cells[C_HELPDESK] = tri_cell(c.helpdesk);
    cells[C_HELPDESK_HOURS] = c.helpdesk_hours;
    for (size_t i = 0; !rc && i < sizeof channels / sizeof channels[0]; i++)
        if (c.helpdesk_channels & channels[i].bit)
            rc = sm_buf_printf(&tmp, "%s%s", tmp.len ? ";" : "", channels[i].name);
    if (rc)
        goto out;
    cells[C_HELPDESK_CHANNELS] = sm_arena_strdup(&a, tmp.data ? tmp.data : "");
    sm_buf_reset(&tmp);
    cells[C_MONITORING_24H] = tri_cell(c.monitoring_24h);
    cells[C_MONITORING_METHOD] = c.monitoring_method;
    cells[C_ONSITE] = tri_cell(c.onsite);
    cells[C_REMOTE] = tri_cell(c.remote_support);
    cells[C_INSURANCE] = tri_cell(c.insurance);
    cells[C_INSURANCE_INITIAL] = tri_cell(c.insurance_initial_response);
    cells[C_INSURANCE_PAYS] = c.insurance_pays;
    cells[C_INSURANCE_USER_PAYS] = c.insurance_user_pays;
    cells[C_CONTRACT_TERMS] = c.contract_terms;
    cells[C_DESC_HELPDESK] = c.desc_helpdesk;
    cells[C_DESC_MONITORING] = c.desc_monitoring;
    cells[C_DESC_ONSITE] = c.desc_onsite;
    cells[C_DESC_INSURANCE] = c.desc_insurance;
    cells[C_SUMMARY] = c.summary;
    cells[C_CLASS1_SINCE] = c.class1_since;
    if (c.n_devices) {
        if ((rc = devices_cell(&c, &tmp)))
            goto out;
        cells[C_DEVICES] = sm_arena_strdup(&a, tmp.data ? tmp.data : "");
    } else {
        cells[C_DEVICES] = "";
    }
    if (!cells[C_PREFECTURES] || !cells[C_HELPDESK_CHANNELS] || !cells[C_DEVICES])
        rc = SM_ENOMEM;
    if (!rc)
        rc = sm_csv_put_record(out, cells, C_COUNT, SM_CSV_NEUTRALISE);
out:
    sm_buf_release(&tmp);
    sm_arena_release(&a);
    return rc;
}

int sm_registry_export_csv(struct sm_store *store, const struct sm_registry_who *who,
                           struct sm_buf *out, struct sm_diag *diag)
{
    if (!sm_registry_can_operate(who))
        return sm_diag_set(diag, SM_EPERM, "only an operator exports the registry");
    size_t saved = out->len;
    struct sm_sql *st = NULL;
    int rc = sm_buf_append(out, SM_CSV_BOM, 3);
    if (!rc)
        rc = sm_csv_put_record(out, sm_registry_csv_columns, C_COUNT, 0);
    /* Columns 0..C_PROVIDER_EMAIL in the CSV's order, then the version to read. */
    if (!rc)
        rc = sm_sql_prepare(store,
                            "SELECT s.registration_no, s.status, s.registered_on, s.renewal_on,"
                            " s.status_note, p.name, p.fictitious, p.head_office_pref,"
                            " p.contact_email, s.public_version_id"
                            " FROM services s JOIN providers p ON p.id = s.provider_id"
                            " WHERE s.registration_no IS NOT NULL"
                            " AND s.public_version_id IS NOT NULL ORDER BY s.registration_no",
                            &st, diag);
    while (!rc && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW)
        rc = export_row(store, st, out, diag);
    sm_sql_free(st);
    if (rc == SM_SQL_DONE)
        return SM_OK;
    if (out->data) {
        out->len = saved;
        out->data[saved] = '\0';
    }
    if (rc == SM_ELIMIT)
        sm_diag_set(diag, rc, "the registry export is larger than its buffer allows");
    return rc < 0 ? rc : SM_EDB;
}

/* --- Import ------------------------------------------------------------------------------- */

/* One row, read and checked. */
struct row {
    long record;
    const char *registration_no;
    enum sm_svc_status status;
    const char *registered_on;
    const char *renewal_on;
    const char *status_note;
    struct sm_provider provider;
    struct sm_service_content content;
};

struct importer {
    struct sm_arena *a;
    struct sm_import_report *rep;
    size_t err_cap;
    long record;
    bool row_failed;
};

static int add_error(struct importer *im, long record, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int add_error(struct importer *im, long record, const char *column, const char *fmt, ...)
{
    im->row_failed = true;
    if (im->rep->n_errors >= CSV_MAX_ERRORS)
        return SM_OK;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct sm_import_error *e =
        sm__vec_push(im->a, (void **)&im->rep->errors, &im->rep->n_errors, &im->err_cap, sizeof *e);
    if (!e)
        return SM_ENOMEM;
    e->row = record;
    e->column = column;
    e->message = sm_arena_strdup(im->a, msg);
    return e->message ? SM_OK : SM_ENOMEM;
}

/* A cell as an arena string, neutralisation undone; NULL for an empty cell. */
static const char *cell(struct importer *im, const char *const *f, enum col c, bool *oom)
{
    const char *s = sm_csv_unneutralise(f[c]);
    if (!*s)
        return NULL;
    char *copy = sm_arena_strdup(im->a, s);
    if (!copy)
        *oom = true;
    return copy;
}

static int cell_number(struct importer *im, const char *const *f, enum col c, int64_t *out)
{
    const char *s = sm_csv_unneutralise(f[c]);
    size_t n = strlen(s);
    if (n == 0) {
        *out = SM_UNKNOWN;
        return SM_OK;
    }
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || n > 12)
            return add_error(im, im->record, sm_registry_csv_columns[c],
                             "'%s' is not a whole number (leave it empty when unknown)", s);
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return SM_OK;
}

static int cell_tri(struct importer *im, const char *const *f, enum col c, enum sm_tri *out)
{
    const char *s = sm_csv_unneutralise(f[c]);
    if (!*s)
        *out = SM_TRI_UNKNOWN;
    else if (strcmp(s, "yes") == 0)
        *out = SM_TRI_YES;
    else if (strcmp(s, "no") == 0)
        *out = SM_TRI_NO;
    else
        return add_error(im, im->record, sm_registry_csv_columns[c], "'%s' is not yes, no or empty",
                         s);
    return SM_OK;
}

static int cell_date(struct importer *im, const char *const *f, enum col c, const char **out,
                     bool *oom)
{
    *out = cell(im, f, c, oom);
    if (*out && !sm_date_valid(*out))
        return add_error(im, im->record, sm_registry_csv_columns[c], "'%s' is not YYYY-MM-DD",
                         *out);
    return SM_OK;
}

static int cell_devices(struct importer *im, const char *const *f, struct sm_service_content *c,
                        bool *oom)
{
    const char *s = sm_csv_unneutralise(f[C_DEVICES]);
    const char *col = sm_registry_csv_columns[C_DEVICES];
    if (!*s)
        return SM_OK;
    struct sm_csv_limits lim = { .max_fields = DEVICE_FIELDS,
                                 .max_record = CSV_MAX_RECORD,
                                 .max_records = SM_SERVICE_DEVICES_MAX };
    struct sm_csv_reader rd;
    struct sm_device *d = sm_arena_calloc(im->a, SM_SERVICE_DEVICES_MAX, sizeof *d);
    if (!d)
        return SM_ENOMEM;
    sm_csv_reader_init(&rd, s, strlen(s), &lim);
    const char *const *df;
    size_t nf = 0, n = 0;
    int rc;
    struct sm_diag dd;
    sm_diag_clear(&dd);
    while ((rc = sm_csv_next(&rd, &df, &nf, &dd)) == 1) {
        rc = SM_OK;
        if (nf != DEVICE_FIELDS) {
            rc = add_error(im, im->record, col,
                           "device %zu: %d fields expected (kind, ransomware, maker, product, "
                           "functions, reason)",
                           n + 1, DEVICE_FIELDS);
            break;
        }
        if (sm_device_kind_parse(df[0], &d[n].kind)) {
            rc =
                add_error(im, im->record, col,
                          "device %zu: kind '%s' is not utm, edr, simple_edr or soc", n + 1, df[0]);
            break;
        }
        if (sm_effect_parse(df[1], &d[n].ransomware)) {
            rc = add_error(im, im->record, col,
                           "device %zu: ransomware '%s' is not effective, partial or unknown",
                           n + 1, df[1]);
            break;
        }
        const char **text[] = { &d[n].maker, &d[n].product, &d[n].functions, &d[n].reason };
        for (size_t k = 0; k < 4; k++) {
            const char *v = df[2 + k];
            *text[k] = *v ? sm_arena_strdup(im->a, v) : NULL;
            if (*v && !*text[k])
                *oom = true;
        }
        n++;
    }
    if (rc == SM_EPARSE || rc == SM_ELIMIT) {
        rc = add_error(im, im->record, col, "at most %d devices, one CSV line each: %s",
                       SM_SERVICE_DEVICES_MAX, dd.msg);
    }
    sm_csv_reader_release(&rd);
    if (rc)
        return rc;
    c->devices = d;
    c->n_devices = n;
    return SM_OK;
}

static int cell_channels(struct importer *im, const char *const *f, unsigned *out)
{
    const char *s = sm_csv_unneutralise(f[C_HELPDESK_CHANNELS]);
    unsigned set = 0;
    while (*s) {
        size_t n = strcspn(s, ";");
        bool known = false;
        for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++) {
            if (strlen(channels[i].name) == n && memcmp(s, channels[i].name, n) == 0) {
                set |= channels[i].bit;
                known = true;
            }
        }
        if (!known)
            return add_error(im, im->record, sm_registry_csv_columns[C_HELPDESK_CHANNELS],
                             "channels are phone, email, web, chat joined by ';'");
        s += n;
        if (*s == ';')
            s++;
    }
    *out = set;
    return SM_OK;
}

/* Reads and checks one record into r; errors go to the report. */
static int read_row(struct importer *im, const char *const *f, struct row *r)
{
    bool oom = false;
    int rc;
    struct sm_diag d;
    struct sm_service_content *c = &r->content;
    sm_diag_clear(&d);
    memset(r, 0, sizeof *r);
    r->record = im->record;
    sm_service_content_init(c);
    im->row_failed = false;

    r->registration_no = cell(im, f, C_REGISTRATION_NO, &oom);
    if (!r->registration_no)
        add_error(im, im->record, "registration_no", "a registration number is required");
    else if (sm__check_text("registration number", r->registration_no, 64, true, &d))
        add_error(im, im->record, "registration_no", "%s", d.msg);
    const char *status = cell(im, f, C_STATUS, &oom);
    if (!status || sm_svc_status_parse(status, &r->status) ||
        (r->status != SM_SVC_REGISTERED && r->status != SM_SVC_RENEWAL_DUE &&
         r->status != SM_SVC_SUSPENDED && r->status != SM_SVC_WITHDRAWN))
        add_error(im, im->record, "status",
                  "status is registered, renewal_due, suspended or withdrawn");
    if ((rc = cell_date(im, f, C_REGISTERED_ON, &r->registered_on, &oom)) ||
        (rc = cell_date(im, f, C_RENEWAL_ON, &r->renewal_on, &oom)) ||
        (rc = cell_date(im, f, C_CLASS1_SINCE, &c->class1_since, &oom)))
        return rc;
    r->status_note = cell(im, f, C_STATUS_NOTE, &oom);

    r->provider.name = cell(im, f, C_PROVIDER, &oom);
    const char *fict = sm_csv_unneutralise(f[C_PROVIDER_FICTITIOUS]);
    if (strcmp(fict, "1") == 0)
        r->provider.fictitious = true;
    else if (*fict && strcmp(fict, "0") != 0)
        add_error(im, im->record, "provider_fictitious", "'%s' is not 1, 0 or empty", fict);
    r->provider.head_office_pref = cell(im, f, C_PROVIDER_PREF, &oom);
    r->provider.contact_email = cell(im, f, C_PROVIDER_EMAIL, &oom);
    if (!r->provider.name)
        add_error(im, im->record, "provider", "a provider name is required");

    c->name = cell(im, f, C_NAME, &oom);
    const char *cls = sm_csv_unneutralise(f[C_CLASS]);
    if (strcmp(cls, "1") == 0 || strcmp(cls, "2") == 0)
        c->service_class = cls[0] - '0';
    else
        add_error(im, im->record, "class", "'%s' is not 1 or 2", cls);
    const char *type = sm_csv_unneutralise(f[C_TYPE]);
    if (sm_monitoring_parse(type, &c->monitoring))
        add_error(im, im->record, "type", "'%s' is not network, endpoint or combined", type);
    sm_diag_clear(&d);
    if (sm_prefs_parse(sm_csv_unneutralise(f[C_PREFECTURES]), &c->nationwide, &c->prefectures, &d))
        add_error(im, im->record, "prefectures", "%s", d.msg);
    if ((rc = cell_number(im, f, C_MONTHLY, &c->monthly_yen)) ||
        (rc = cell_number(im, f, C_DEVICE_MONTHLY, &c->device_monthly_yen)) ||
        (rc = cell_number(im, f, C_INITIAL, &c->initial_yen)) ||
        (rc = cell_number(im, f, C_CONTRACT_MONTHS, &c->contract_min_months)) ||
        (rc = cell_number(im, f, C_CUSTOMERS, &c->customers_1y)) ||
        (rc = cell_number(im, f, C_ENDPOINTS, &c->monitored_endpoints)) ||
        (rc = cell_tri(im, f, C_HELPDESK, &c->helpdesk)) ||
        (rc = cell_tri(im, f, C_MONITORING_24H, &c->monitoring_24h)) ||
        (rc = cell_tri(im, f, C_ONSITE, &c->onsite)) ||
        (rc = cell_tri(im, f, C_REMOTE, &c->remote_support)) ||
        (rc = cell_tri(im, f, C_INSURANCE, &c->insurance)) ||
        (rc = cell_tri(im, f, C_INSURANCE_INITIAL, &c->insurance_initial_response)) ||
        (rc = cell_channels(im, f, &c->helpdesk_channels)) || (rc = cell_devices(im, f, c, &oom)))
        return rc;
    c->price_note = cell(im, f, C_PRICE_NOTE, &oom);
    c->helpdesk_hours = cell(im, f, C_HELPDESK_HOURS, &oom);
    c->monitoring_method = cell(im, f, C_MONITORING_METHOD, &oom);
    c->insurance_pays = cell(im, f, C_INSURANCE_PAYS, &oom);
    c->insurance_user_pays = cell(im, f, C_INSURANCE_USER_PAYS, &oom);
    c->contract_terms = cell(im, f, C_CONTRACT_TERMS, &oom);
    c->desc_helpdesk = cell(im, f, C_DESC_HELPDESK, &oom);
    c->desc_monitoring = cell(im, f, C_DESC_MONITORING, &oom);
    c->desc_onsite = cell(im, f, C_DESC_ONSITE, &oom);
    c->desc_insurance = cell(im, f, C_DESC_INSURANCE, &oom);
    c->summary = cell(im, f, C_SUMMARY, &oom);
    if (oom)
        return SM_ENOMEM;
    /* The rules of content and provider, once the cells themselves are readable. */
    if (!im->row_failed) {
        sm_diag_clear(&d);
        if (sm_service_content_check(c, &d))
            add_error(im, im->record, NULL, "%s", d.msg);
    }
    if (!im->row_failed && r->provider.name) {
        struct sm_provider p = r->provider;
        if (p.head_office_pref && !sm_pref_code_valid(p.head_office_pref))
            add_error(im, im->record, "provider_prefecture", "'%s' is not 01..47",
                      p.head_office_pref);
        else if (sm__check_text("provider name", p.name, SM_SERVICE_NAME_MAX, true, &d) ||
                 sm__check_text("provider e-mail", p.contact_email, 500, false, &d))
            add_error(im, im->record, "provider", "%s", d.msg);
    }
    return SM_OK;
}

static int find_id(struct sm_store *store, const char *sql, const char *key, int64_t *id,
                   struct sm_diag *diag)
{
    int rc = sm_sql_run_int64(store, id, diag, sql, "t", key);
    if (rc == SM_ENOTFOUND) {
        *id = 0;
        return SM_OK;
    }
    return rc;
}

/* Writes one checked row, inside the import's transaction. */
static int write_row(struct sm_store *store, const struct sm_registry_who *who, const struct row *r,
                     bool *created, struct sm_diag *diag)
{
    int64_t provider_id = 0, service_id = 0, version = 0, now = sm__now();
    int rc = find_id(store, "SELECT id FROM providers WHERE name = ?", r->provider.name,
                     &provider_id, diag);
    if (!rc && provider_id == 0) {
        rc = sm_sql_run_int64(store, &provider_id, diag,
                              "INSERT INTO providers (name, head_office_pref, contact_email,"
                              " fictitious, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                              " RETURNING id",
                              "tttiii", r->provider.name, r->provider.head_office_pref,
                              r->provider.contact_email, (int64_t)(r->provider.fictitious ? 1 : 0),
                              now, now);
        if (!rc)
            rc = sm__reg_audit(store, who, "provider.import", "provider", provider_id,
                               r->provider.name, diag);
    }
    if (!rc)
        rc = find_id(store, "SELECT id FROM services WHERE registration_no = ?", r->registration_no,
                     &service_id, diag);
    if (rc)
        return rc;
    *created = service_id == 0;
    if (*created)
        rc = sm_sql_run_int64(store, &service_id, diag,
                              "INSERT INTO services (provider_id, status, registration_no,"
                              " created_at, updated_at) VALUES (?, 'registered', ?, ?, ?)"
                              " RETURNING id",
                              "itii", provider_id, r->registration_no, now, now);
    if (!rc)
        rc = sm__content_insert(store, service_id, &r->content, who->name, &version, diag);
    if (!rc)
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE services SET provider_id = ?, status = ?, registered_on = ?,"
                        " renewal_on = ?, status_note = ?, public_version_id = ?, updated_at = ?"
                        " WHERE id = ?",
                        "ittttiii", provider_id, sm_svc_status_name(r->status), r->registered_on,
                        r->renewal_on, r->status_note, version, now, service_id);
    if (!rc)
        rc = sm__listing_refresh(store, service_id, 0, diag);
    if (!rc)
        rc = sm__reg_audit(store, who, "service.import", "service", service_id, r->registration_no,
                           diag);
    return rc;
}

int sm_registry_import_csv(struct sm_store *store, const struct sm_registry_who *who,
                           const char *data, size_t len, bool dry_run,
                           struct sm_import_report **out, struct sm_diag *diag)
{
    if (!sm_registry_can_operate(who))
        return sm_diag_set(diag, SM_EPERM, "only an operator imports the registry");
    if (len > CSV_MAX_BYTES)
        return sm_diag_set(diag, SM_ELIMIT, "the file is larger than %zu bytes", CSV_MAX_BYTES);
    struct sm_arena *a = NULL;
    struct sm_import_report *rep = NULL;
    int rc = sm__reg_new(sizeof *rep, &a, (void **)&rep);
    if (rc)
        return rc;
    rep->priv = a;
    struct importer im = { .a = a, .rep = rep };
    struct sm_csv_limits lim = { .max_fields = C_COUNT + 1,
                                 .max_record = CSV_MAX_RECORD,
                                 .max_records = CSV_MAX_ROWS + 1 };
    struct sm_csv_reader rd;
    sm_csv_reader_init(&rd, data, len, &lim);
    struct row *rows = NULL;
    size_t n_rows = 0, cap = 0;
    const char *const *f = NULL;
    size_t nf = 0;
    struct sm_diag d;
    sm_diag_clear(&d);

    /* The header must be the export's. */
    rc = sm_csv_next(&rd, &f, &nf, &d);
    if (rc == 0) {
        rc = add_error(&im, 1, NULL, "the file is empty");
        rc = rc ? rc : SM_EINVAL;
        goto out;
    }
    if (rc < 0)
        goto parse_error;
    bool header_ok = nf == C_COUNT;
    for (size_t i = 0; header_ok && i < C_COUNT; i++)
        header_ok = strcmp(f[i], sm_registry_csv_columns[i]) == 0;
    if (!header_ok) {
        rc = add_error(&im, 1, NULL,
                       "the header is not the registry's (%zu columns from "
                       "registration_no to devices, as the export writes)",
                       (size_t)C_COUNT);
        rc = rc ? rc : SM_EINVAL;
        goto out;
    }
    for (;;) {
        rc = sm_csv_next(&rd, &f, &nf, &d);
        if (rc == 0)
            break;
        if (rc < 0)
            goto parse_error;
        im.record = rd.record;
        struct row *r = sm__vec_push(a, (void **)&rows, &n_rows, &cap, sizeof *r);
        if (!r) {
            rc = SM_ENOMEM;
            goto out;
        }
        if ((rc = read_row(&im, f, r)))
            goto out;
        for (size_t i = 0; r->registration_no && i + 1 < n_rows; i++)
            if (rows[i].registration_no && strcmp(rows[i].registration_no, r->registration_no) == 0)
                add_error(&im, r->record, "registration_no", "'%s' is also on row %ld",
                          r->registration_no, rows[i].record);
    }
    rep->rows = n_rows;
    if (rep->n_errors) {
        rc = SM_EINVAL;
        goto out;
    }
    if ((rc = sm__reg_begin(store, diag)))
        goto out;
    for (size_t i = 0; !rc && i < n_rows; i++) {
        bool created = false;
        sm_diag_clear(&d);
        rc = write_row(store, who, &rows[i], &created, &d);
        if (rc) {
            int e = add_error(&im, rows[i].record, NULL, "%s", d.msg[0] ? d.msg : sm_strerror(rc));
            if (rc == SM_EEXIST || rc == SM_EDB)
                rc = SM_EINVAL;
            if (e)
                rc = e;
            break;
        }
        if (created)
            rep->created++;
        else
            rep->updated++;
    }
    if (!rc) {
        char detail[64];
        snprintf(detail, sizeof detail, "%zu rows", n_rows);
        rc = sm__reg_audit(store, who, "registry.import", "registry", 0, detail, diag);
    }
    if (dry_run) {
        sm_store_rollback(store);
    } else {
        rc = sm__reg_finish(store, rc, diag);
    }
    goto out;
parse_error:
    rep->rows = n_rows;
    {
        int e = add_error(&im, d.line, NULL, "%s", d.msg);
        sm_diag_set(diag, rc, "%s", d.msg);
        if (e)
            rc = e;
    }
out:
    sm_csv_reader_release(&rd);
    if (rc == SM_EINVAL && rep->n_errors)
        sm_diag_set(diag, rc, "%zu error(s); nothing was imported (row %ld: %s)", rep->n_errors,
                    rep->errors[0].row, rep->errors[0].message);
    if (rc && rc != SM_EINVAL && rc != SM_EPARSE && rc != SM_ELIMIT) {
        sm__reg_free(a);
        return rc;
    }
    *out = rep;
    return rc;
}

void sm_import_report_free(struct sm_import_report *report)
{
    if (report)
        sm__reg_free(report->priv);
}
