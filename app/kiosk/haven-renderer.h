/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  /* GSK_RENDERER was set: whoever set it chose. */
  HAVEN_RENDERER_AS_SET,
  /* A GPU: GTK's own choice, GL. */
  HAVEN_RENDERER_GPU,
  /* No GPU: cairo, and GL is never loaded. */
  HAVEN_RENDERER_SOFTWARE,
} HavenRenderer;

HavenRenderer haven_renderer_choose (char       ***envp,
                                     const char   *dri_dir);
HavenRenderer haven_renderer_apply  (void);

G_END_DECLS
