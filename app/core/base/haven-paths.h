/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

const char *haven_paths_get_data_dir          (void);
const char *haven_paths_get_locale_dir        (void);
char       *haven_paths_dup_content_dir       (void);
char       *haven_paths_dup_directory_mapping (void);
char       *haven_paths_dup_notice_platforms  (void);
char       *haven_paths_dup_bundle_dir        (void);
char       *haven_paths_dup_bundle_file       (GSettings  *settings,
                                               const char *name);

G_END_DECLS
