/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <glib-object.h>
#include <pango/pango.h>

G_BEGIN_DECLS

/* A bar chart of counts, drawn with cairo and Pango alone, so that the
 * desk's report page and its PDF (haven-desk-case-file.h) draw the same
 * chart: one row per bar, its label, a bar as long as its value against
 * the largest, and the value in words beside it. */

#define HAVEN_TYPE_DESK_CHART (haven_desk_chart_get_type ())

G_DECLARE_FINAL_TYPE (HavenDeskChart, haven_desk_chart, HAVEN, DESK_CHART, GObject)

HavenDeskChart *haven_desk_chart_new        (void);
void            haven_desk_chart_add_bar    (HavenDeskChart *self,
                                             const char     *label,
                                             guint64         value,
                                             const char     *value_text);
guint           haven_desk_chart_get_n_bars (HavenDeskChart *self);
/* Every bar as "label: value", one a line, for a screen reader and a
 * test. */
char           *haven_desk_chart_dup_text   (HavenDeskChart *self);
/* How tall the chart is at @width, laid out in @context. */
double          haven_desk_chart_get_height (HavenDeskChart *self,
                                             PangoContext   *context,
                                             double          width);
/* Draws it from the current point's origin (0, 0 of @cr) in @width, in
 * @text_rgb for words and the accent colour for bars, from the right
 * edge when @rtl. */
void            haven_desk_chart_draw       (HavenDeskChart *self,
                                             cairo_t        *cr,
                                             PangoContext   *context,
                                             double          width,
                                             const double    text_rgb[3],
                                             gboolean        rtl);

G_END_DECLS
