/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk"

#include "config.h"

#include <pango/pangocairo.h>

#include "haven-desk-chart.h"

/* The label column takes this share of the width, the bars the next, and
 * the value's words what is left. */
#define LABEL_SHARE 0.34
#define BAR_SHARE   0.40
#define COLUMN_GAP  8.0
#define ROW_GAP     6.0
#define BAR_HEIGHT_SHARE 0.7

/* GNOME's blue, which reads on white and on the dark style alike. */
static const double bar_rgb[3] = { 0x35 / 255.0, 0x84 / 255.0, 0xe4 / 255.0 };

typedef struct {
  char *label;
  guint64 value;
  char *value_text;
} Bar;

struct _HavenDeskChart
{
  GObject parent_instance;

  GArray *bars;
};

G_DEFINE_FINAL_TYPE (HavenDeskChart, haven_desk_chart, G_TYPE_OBJECT)

static void
bar_clear (gpointer data)
{
  Bar *bar = data;

  g_free (bar->label);
  g_free (bar->value_text);
}

static void
haven_desk_chart_finalize (GObject *object)
{
  HavenDeskChart *self = HAVEN_DESK_CHART (object);

  g_array_unref (self->bars);

  G_OBJECT_CLASS (haven_desk_chart_parent_class)->finalize (object);
}

static void
haven_desk_chart_class_init (HavenDeskChartClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = haven_desk_chart_finalize;
}

static void
haven_desk_chart_init (HavenDeskChart *self)
{
  self->bars = g_array_new (FALSE, TRUE, sizeof (Bar));
  g_array_set_clear_func (self->bars, bar_clear);
}

HavenDeskChart *
haven_desk_chart_new (void)
{
  return g_object_new (HAVEN_TYPE_DESK_CHART, NULL);
}

void
haven_desk_chart_add_bar (HavenDeskChart *self,
                          const char     *label,
                          guint64         value,
                          const char     *value_text)
{
  Bar bar;

  g_return_if_fail (HAVEN_IS_DESK_CHART (self));
  g_return_if_fail (label != NULL && value_text != NULL);

  bar.label = g_strdup (label);
  bar.value = value;
  bar.value_text = g_strdup (value_text);
  g_array_append_val (self->bars, bar);
}

guint
haven_desk_chart_get_n_bars (HavenDeskChart *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_CHART (self), 0);
  return self->bars->len;
}

char *
haven_desk_chart_dup_text (HavenDeskChart *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (HAVEN_IS_DESK_CHART (self), NULL);

  for (guint i = 0; i < self->bars->len; i++)
    {
      Bar *bar = &g_array_index (self->bars, Bar, i);

      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, "%s: %s", bar->label, bar->value_text);
    }
  return g_string_free (text, FALSE);
}

static PangoLayout *
new_layout (PangoContext *context,
            const char   *text,
            double        width)
{
  PangoLayout *layout = pango_layout_new (context);

  pango_layout_set_text (layout, text, -1);
  pango_layout_set_auto_dir (layout, TRUE);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_width (layout, pango_units_from_double (MAX (width, 1)));
  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  int height = 0;

  pango_layout_get_size (layout, NULL, &height);
  return pango_units_to_double (height);
}

/* A row is as tall as the taller of its label and its value's words. */
static double
row_height (Bar          *bar,
            PangoContext *context,
            double        width,
            PangoLayout **label_out,
            PangoLayout **value_out)
{
  double label_width = width * LABEL_SHARE - COLUMN_GAP;
  double value_width = width * (1 - LABEL_SHARE - BAR_SHARE) - COLUMN_GAP;
  PangoLayout *label = new_layout (context, bar->label, label_width);
  PangoLayout *value = new_layout (context, bar->value_text, value_width);
  double height = MAX (layout_height (label), layout_height (value));

  if (label_out != NULL)
    *label_out = label;
  else
    g_object_unref (label);
  if (value_out != NULL)
    *value_out = value;
  else
    g_object_unref (value);
  return height;
}

double
haven_desk_chart_get_height (HavenDeskChart *self,
                             PangoContext   *context,
                             double          width)
{
  double height = 0;

  g_return_val_if_fail (HAVEN_IS_DESK_CHART (self), 0);

  for (guint i = 0; i < self->bars->len; i++)
    height += row_height (&g_array_index (self->bars, Bar, i), context, width, NULL, NULL) +
              (i > 0 ? ROW_GAP : 0);
  return height;
}

void
haven_desk_chart_draw (HavenDeskChart *self,
                       cairo_t        *cr,
                       PangoContext   *context,
                       double          width,
                       const double    text_rgb[3],
                       gboolean        rtl)
{
  guint64 largest = 1;
  double top = 0;
  double bar_start = width * LABEL_SHARE;
  double bar_room = width * BAR_SHARE - COLUMN_GAP;

  g_return_if_fail (HAVEN_IS_DESK_CHART (self));

  for (guint i = 0; i < self->bars->len; i++)
    largest = MAX (largest, g_array_index (self->bars, Bar, i).value);

  for (guint i = 0; i < self->bars->len; i++)
    {
      Bar *bar = &g_array_index (self->bars, Bar, i);
      g_autoptr(PangoLayout) label = NULL;
      g_autoptr(PangoLayout) value = NULL;
      double height = row_height (bar, context, width, &label, &value);
      /* Even a bar of 0 shows as a sliver: a missing bar reads as a gap. */
      double length = MAX (2.0, bar_room * (double) bar->value / (double) largest);
      double bar_height = MIN (height, 18.0) * BAR_HEIGHT_SHARE;
      double bar_top = top + (height - bar_height) / 2;
      double label_x = rtl ? width - width * LABEL_SHARE + COLUMN_GAP : 0;
      double bar_x = rtl ? width - bar_start - length : bar_start;
      double value_x = rtl ? width - bar_start - length - COLUMN_GAP -
                             width * (1 - LABEL_SHARE - BAR_SHARE) + COLUMN_GAP
                           : bar_start + length + COLUMN_GAP;

      if (i > 0)
        {
          top += ROW_GAP;
          bar_top += ROW_GAP;
        }

      pango_layout_set_alignment (label, rtl ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
      cairo_set_source_rgb (cr, text_rgb[0], text_rgb[1], text_rgb[2]);
      cairo_move_to (cr, label_x, top);
      pango_cairo_show_layout (cr, label);

      cairo_set_source_rgb (cr, bar_rgb[0], bar_rgb[1], bar_rgb[2]);
      cairo_rectangle (cr, bar_x, bar_top, length, bar_height);
      cairo_fill (cr);

      pango_layout_set_alignment (value, rtl ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
      cairo_set_source_rgb (cr, text_rgb[0], text_rgb[1], text_rgb[2]);
      cairo_move_to (cr, value_x, top);
      pango_cairo_show_layout (cr, value);

      top += height;
    }
}
