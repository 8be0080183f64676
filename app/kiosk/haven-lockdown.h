/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void     haven_lockdown_apply                (GSettings *settings);
gboolean haven_lockdown_inspector_is_enabled (void);

G_END_DECLS
