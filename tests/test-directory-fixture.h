/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Directories for the tests of bundles: a fixture of tests/data/directory
 * imported into @database_path (returned, newly allocated), and how many
 * services the directory a kiosk with @settings would open holds. */
char  *import_directory_fixture (const char *fixture_name,
                                 const char *database_path);
guint  count_kiosk_services     (GSettings  *settings);

G_END_DECLS
