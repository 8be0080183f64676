/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Imports @source_path into a database in the scratch folder, as
 * `havenctl directory import` does, and checks what the importer says. */
void fuzz_directory_import (const char *source_path);

G_END_DECLS
