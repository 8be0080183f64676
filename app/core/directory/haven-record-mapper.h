/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-directory-import-private.h"

G_BEGIN_DECLS

void haven_import_record (Import       *import,
                          JValue       *node,
                          const Origin *origin);

G_END_DECLS
