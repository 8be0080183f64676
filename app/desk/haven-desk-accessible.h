/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

void haven_desk_accessible_name_peek_button (AdwPasswordEntryRow *row);

G_END_DECLS
