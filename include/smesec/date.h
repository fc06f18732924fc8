/*
 * Calendar dates ("YYYY-MM-DD") for registrations, renewals and reminders.
 *
 * At the API and in the database a date is the ten-character ISO 8601 string, which sorts
 * and compares correctly as text on every backend; arithmetic is done on day numbers (days
 * since 1970-01-01, proleptic Gregorian). "Today" is the date in Japan (UTC+9, no daylight
 * saving time), where the scheme runs. Every function here is pure and thread-safe.
 */
#ifndef SMESEC_DATE_H
#define SMESEC_DATE_H

#include <stdbool.h>
#include <stdint.h>

/* Bytes a formatted date needs: "YYYY-MM-DD" and the NUL. */
#define SM_DATE_SIZE 11

/* Years a date may have. */
#define SM_DATE_MIN_YEAR 1900
#define SM_DATE_MAX_YEAR 9999

/* Parses exactly "YYYY-MM-DD", a real calendar day in years SM_DATE_MIN_YEAR..MAX, into a
 * day number. SM_EINVAL (and *days unchanged) for anything else, including NULL. */
int sm_date_parse(const char *s, int32_t *days);

/* True when sm_date_parse would accept s. */
bool sm_date_valid(const char *s);

/* Writes the day number as "YYYY-MM-DD" into out. */
void sm_date_format(int32_t days, char out[SM_DATE_SIZE]);

/* The date in Japan at Unix time t. */
int32_t sm_date_from_unix(int64_t t);

/* Today's date in Japan, formatted, from the system clock. */
void sm_date_today(char out[SM_DATE_SIZE]);

/* Adds months (may be negative) to a day number; a day past the end of the target month is
 * clamped to its last day (2024-02-29 plus 12 months is 2025-02-28). */
int32_t sm_date_add_months(int32_t days, int months);

#endif
