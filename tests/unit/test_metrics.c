/* SPDX-License-Identifier: ISC */
/*
 * test_metrics.c: unit tests for metrics.c's label values, escaped as the
 * text exposition format wants them (backslash, double quote, newline);
 * the rendering itself is tests/integration/metrics.bats', on a real supd.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "unit.h"
#include "util.h"

static void
test_label_value(void)
{
	struct buf	b = { NULL, 0, 0 };

	metrics_label_value(&b, "web-1_a.b");
	CHECK_STR(b.p, "web-1_a.b");
	buf_reset(&b);
	metrics_label_value(&b, "a\\b\"c\nd");
	CHECK_STR(b.p, "a\\\\b\\\"c\\nd");
	buf_reset(&b);
	/* Anything else as it is: UTF-8, tabs, a carriage return. */
	metrics_label_value(&b, "caf\xc3\xa9\t\r");
	CHECK_STR(b.p, "caf\xc3\xa9\t\r");
	buf_reset(&b);
	metrics_label_value(&b, "");
	CHECK_INT(b.len, 0);
	metrics_label_value(&b, "\\\\\n\n");
	CHECK_STR(b.p, "\\\\\\\\\\n\\n");
	buf_free(&b);
}

int
main(void)
{
	test_label_value();
	return unit_done("metrics");
}
