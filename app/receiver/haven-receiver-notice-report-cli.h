/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `haven-receiver notice-report`; @argv[0] is "notice-report". Returns the
 * exit status. */
int haven_receiver_notice_report_main (int    argc,
                                       char **argv);

G_END_DECLS
