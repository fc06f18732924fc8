/*
 * Unsafe libc functions made compile errors (after git's banned.h). Included last by every
 * .c file of libsmesec, the CLI and the server. Use sm_buf_printf / snprintf, strtol with
 * checks, gmtime_r, and memcpy with a known length instead.
 */
#ifndef SM_BANNED_H
#define SM_BANNED_H

#define SM_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) SM_BANNED(strcpy)
#undef strcat
#define strcat(x, y) SM_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) SM_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) SM_BANNED(strncat)
#undef sprintf
#define sprintf(...) SM_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) SM_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) SM_BANNED(strtok)
#undef atoi
#define atoi(x) SM_BANNED(atoi)
#undef atol
#define atol(x) SM_BANNED(atol)
#undef sscanf
#define sscanf(...) SM_BANNED(sscanf)
#undef gmtime
#define gmtime(x) SM_BANNED(gmtime)
#undef localtime
#define localtime(x) SM_BANNED(localtime)
#undef asctime
#define asctime(x) SM_BANNED(asctime)
#undef ctime
#define ctime(x) SM_BANNED(ctime)
#undef gets
#define gets(x) SM_BANNED(gets)

#endif
