/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean haven_directory_sync_parse_for_fuzzing (const guint8  *data,
                                                 gsize          size,
                                                 GError       **error);

G_END_DECLS
