/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-content.h"

G_BEGIN_DECLS

/* The files that tests leave and look into: unit and integration tests
 * alike make a folder of their own, check that what a visitor wrote is not
 * readable in a file, and remove the folder. */

char    *write_file    (const char *folder,
                        const char *name,
                        const char *contents);
void     remove_tree   (const char *path);
gboolean file_contains (const char *path,
                        const char *needle);

/* Binds Haven's catalogs as haven's main() does and starts in English:
 * GLib decides at the first translated string whether to translate at all
 * in the process, and in C.UTF-8 with no LANGUAGE it would decide not to. */
void     use_catalogs  (void);

/* The content definitions Haven ships, from the source tree. */
HavenContent *load_shipped_content (void);

/* The languages Haven ships a catalog for, from po/LINGUAS. */
GStrv    shipped_languages (void);

/* A port of 127.0.0.1 where nothing listens now. */
guint16  find_free_port (void);

/* Fails when a file under @path (a file or a folder, walked without
 * following links) holds @needle; returns how many files it read. */
guint    assert_no_file_holds (const char *path,
                               const char *needle);

/* Every message logged from now on, as its text: (element-type utf8). */
GPtrArray *record_log_messages (void);
/* Points every user folder (HOME, XDG_*_HOME, TMPDIR) into one private
 * root, made once and kept in @root_variable so that a process started
 * again (haven_wipe_restart_without_thread_cache) keeps it; returns it. */
char      *use_private_folders (const char *root_variable,
                                const char *prefix);

G_END_DECLS
