/*
 * Calendar dates (see smesec/date.h). Day numbers are converted with Howard Hinnant's
 * days_from_civil / civil_from_days algorithms, which need no table and no libc time
 * functions, so nothing here depends on the process's time zone or locale.
 */
#include "smesec/date.h"

#include "smesec/err.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/banned.h"

static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

static void civil_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = (int)(z - era * 146097);
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + (int)era * 400 + (*m <= 2);
}

static int month_days(int y, int m)
{
    static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : n[m - 1];
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int sm_date_parse(const char *s, int32_t *days)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return SM_EINVAL;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < SM_DATE_MIN_YEAR || y > SM_DATE_MAX_YEAR || m < 1 || m > 12 || d < 1 ||
        d > month_days(y, m))
        return SM_EINVAL;
    *days = days_from_civil(y, m, d);
    return SM_OK;
}

bool sm_date_valid(const char *s)
{
    int32_t d;
    return sm_date_parse(s, &d) == SM_OK;
}

void sm_date_format(int32_t days, char out[SM_DATE_SIZE])
{
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        /* Out of the representable range: a fixed marker rather than a truncated date. */
        memcpy(out, "0000-00-00", SM_DATE_SIZE);
        return;
    }
    /* The remainders tell the compiler what the checks above already ensure. */
    snprintf(out, SM_DATE_SIZE, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

int32_t sm_date_from_unix(int64_t t)
{
    int64_t local = t + 9 * 3600;
    int64_t q = local / 86400;
    if (local % 86400 < 0)
        q--;
    return (int32_t)q;
}

void sm_date_today(char out[SM_DATE_SIZE])
{
    sm_date_format(sm_date_from_unix((int64_t)time(NULL)), out);
}

int32_t sm_date_add_months(int32_t days, int months)
{
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    int total = y * 12 + (m - 1) + months;
    int ny = total >= 0 ? total / 12 : (total - 11) / 12;
    int nm = total - ny * 12 + 1;
    int last = month_days(ny, nm);
    return days_from_civil(ny, nm, d > last ? last : d);
}
