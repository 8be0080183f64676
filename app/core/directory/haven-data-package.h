/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-directory-import-private.h"

G_BEGIN_DECLS

gboolean haven_data_package_import (Import      *import,
                                    const char  *package_path,
                                    const char  *store_path,
                                    GError     **error);

G_END_DECLS
