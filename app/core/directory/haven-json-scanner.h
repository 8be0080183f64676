/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-directory-import-private.h"

G_BEGIN_DECLS

gboolean haven_json_scanner_import (Import      *import,
                                    GFile       *file,
                                    const char  *label,
                                    GError     **error);

G_END_DECLS
