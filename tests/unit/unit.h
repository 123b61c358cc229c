/* SPDX-License-Identifier: ISC */
/*
 * unit.h: the whole unit test "framework". CHECK* record a failure with
 * file:line and carry on; main() ends with "return unit_done("name");",
 * which prints "unit NAME: N passed, M failed" and fails if any failed.
 */
#ifndef SUPD_UNIT_H
#define SUPD_UNIT_H

#include <stdint.h>

void	unit_check(int ok, const char *file, int line, const char *expr);
void	unit_check_str(const char *a, const char *b, const char *file, int line,
	    const char *ea, const char *eb);
void	unit_check_int(intmax_t a, intmax_t b, const char *file, int line,
	    const char *ea, const char *eb);
int	unit_done(const char *name);
/* Remove dir and everything under it (a test's temporary directory);
 * says so on stderr when it could not. */
void	unit_rm_rf(const char *dir);
/* Write text to dir/name; returns the path (free it). */
char	*unit_write_file(const char *dir, const char *name, const char *text);

#define CHECK(c)	 unit_check(!!(c), __FILE__, __LINE__, #c)
#define CHECK_STR(a, b)	 unit_check_str((a), (b), __FILE__, __LINE__, #a, #b)
#define CHECK_INT(a, b)	 unit_check_int((intmax_t)(a), (intmax_t)(b), \
			    __FILE__, __LINE__, #a, #b)

#endif
