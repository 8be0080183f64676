/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MEMORY_SCAN_MASK 0x5a

void  memory_scan_make_marker   (guint8      *masked,
                                 gsize        length);
char *memory_scan_reveal_marker (const guint8 *masked,
                                 gsize        length);
guint memory_scan_count         (const guint8 *masked,
                                 gsize        length);

G_END_DECLS
