/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean haven_check_region_code (const char *code);
gboolean haven_check_date        (int         year,
                                  int         month,
                                  int         day);
gboolean haven_check_iso_date    (const char *text);
gboolean haven_check_loopback_host (const char *host);

G_END_DECLS
