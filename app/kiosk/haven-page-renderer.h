/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean haven_page_renderer_run (GSettings   *settings,
                                  const char  *directory,
                                  const char  *language,
                                  int          width,
                                  int          height,
                                  GError     **error);

G_END_DECLS
