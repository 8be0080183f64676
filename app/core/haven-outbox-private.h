/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-outbox.h"

G_BEGIN_DECLS

/* For tests: stops the database file growing past @max_page_count pages
 * (SQLite clamps it to the current size), the way a full disk would. */
void haven_outbox_set_max_page_count (HavenOutbox *self,
                                      guint        max_page_count);

G_END_DECLS
