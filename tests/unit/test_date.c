/* Unit tests: calendar dates, day arithmetic and the date in Japan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smesec/date.h"
#include "smesec/err.h"

#include <string.h>

static void parse_and_format_round_trip(void **state)
{
    (void)state;
    int32_t d = 0;
    char out[SM_DATE_SIZE];
    assert_int_equal(sm_date_parse("1970-01-01", &d), SM_OK);
    assert_int_equal(d, 0);
    assert_int_equal(sm_date_parse("2024-02-29", &d), SM_OK);
    sm_date_format(d, out);
    assert_string_equal(out, "2024-02-29");
    assert_int_equal(sm_date_parse("1900-01-01", &d), SM_OK);
    sm_date_format(d, out);
    assert_string_equal(out, "1900-01-01");
    for (int32_t i = -25567; i < 60000; i += 97) {
        int32_t back = 0;
        sm_date_format(i, out);
        assert_int_equal(sm_date_parse(out, &back), SM_OK);
        assert_int_equal(back, i);
    }
}

static void bad_dates_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",           "2024-2-29",  "2023-02-29",  "2024-13-01", "2024-00-10",     "2024-04-31",
        "1899-12-31", "2024/01/01", "2024-01-01x", "20240101",   "２０２４-01-01", "2100-02-29",
        "-024-01-01",
    };
    int32_t d = 12345;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sm_date_parse(bad[i], &d), SM_EINVAL);
        assert_false(sm_date_valid(bad[i]));
    }
    assert_int_equal(d, 12345);
    assert_int_equal(sm_date_parse(NULL, &d), SM_EINVAL);
    assert_true(sm_date_valid("2000-02-29"));
}

static void months_clamp_to_the_end_of_the_month(void **state)
{
    (void)state;
    int32_t d = 0;
    char out[SM_DATE_SIZE];
    assert_int_equal(sm_date_parse("2024-02-29", &d), SM_OK);
    sm_date_format(sm_date_add_months(d, 12), out);
    assert_string_equal(out, "2025-02-28");
    sm_date_format(sm_date_add_months(d, 24), out);
    assert_string_equal(out, "2026-02-28");
    sm_date_format(sm_date_add_months(d, 48), out);
    assert_string_equal(out, "2028-02-29");
    assert_int_equal(sm_date_parse("2023-01-31", &d), SM_OK);
    sm_date_format(sm_date_add_months(d, 1), out);
    assert_string_equal(out, "2023-02-28");
    sm_date_format(sm_date_add_months(d, -2), out);
    assert_string_equal(out, "2022-11-30");
    sm_date_format(sm_date_add_months(d, -13), out);
    assert_string_equal(out, "2021-12-31");
}

static void today_is_japan_time(void **state)
{
    (void)state;
    char out[SM_DATE_SIZE];
    /* 2024-03-31 15:00 UTC is 2024-04-01 00:00 in Japan. */
    sm_date_format(sm_date_from_unix(1711897200), out);
    assert_string_equal(out, "2024-04-01");
    sm_date_format(sm_date_from_unix(1711897199), out);
    assert_string_equal(out, "2024-03-31");
    sm_date_format(sm_date_from_unix(-9 * 3600), out);
    assert_string_equal(out, "1970-01-01");
    sm_date_format(sm_date_from_unix(-9 * 3600 - 1), out);
    assert_string_equal(out, "1969-12-31");
    sm_date_today(out);
    assert_true(sm_date_valid(out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_and_format_round_trip),
        cmocka_unit_test(bad_dates_are_refused),
        cmocka_unit_test(months_clamp_to_the_end_of_the_month),
        cmocka_unit_test(today_is_japan_time),
    };
    return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
