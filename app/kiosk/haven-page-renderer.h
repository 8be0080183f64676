/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* How the visitor asked the pages to look (--high-contrast, --text-scale). */
typedef struct {
  gboolean high_contrast;
  /* 0 for the default size. */
  double text_scale;
} HavenRenderLooks;

gboolean haven_page_renderer_run (GSettings              *settings,
                                  const char             *directory,
                                  const char             *language,
                                  int                     width,
                                  int                     height,
                                  const HavenRenderLooks *looks,
                                  GError                **error);

G_END_DECLS
