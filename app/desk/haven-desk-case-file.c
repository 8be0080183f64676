/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk-case-file"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "haven-case-document.h"
#include "haven-desk-case-file.h"
#include "haven-desk-chart.h"

G_DEFINE_QUARK (haven-desk-case-file-error-quark, haven_desk_case_file_error)

/* A4 in points, which is what a PDF surface measures in. */
#define PAGE_WIDTH     595.2756
#define PAGE_HEIGHT    841.8898
/* 20 mm at the sides and the top; the footer sits 15 mm from the bottom. */
#define MARGIN_SIDE    56.6929
#define MARGIN_TOP     56.6929
#define MARGIN_BOTTOM  42.5197
#define BODY_WIDTH     (PAGE_WIDTH - 2 * MARGIN_SIDE)

/* Noto Sans, and for the scripts it lacks Noto's own Arabic and Chinese
 * faces: named, because fontconfig's own fallback from Noto Sans is the
 * system's sans-serif (often DejaVu, which has Arabic but sets it poorly,
 * and no Chinese), and an unnamed CJK face is chosen by the locale's
 * language, Japanese in C. Fontconfig falls back from these for the rest. */
#define FAMILIES       "Noto Sans, Noto Sans Arabic, Noto Sans CJK SC"
#define TITLE_FONT     FAMILIES " Bold 18"
#define HEADING_FONT   FAMILIES " Bold 12.5"
#define BODY_FONT      FAMILIES " 10"
#define FOOTER_FONT    FAMILIES " 8"

#define TITLE_SPACE_AFTER    10.0
#define HEADING_SPACE_BEFORE 14.0
#define HEADING_SPACE_AFTER   4.0
#define FOOTER_RULE_GAP       6.0
#define FOOTER_ROW_GAP        2.0
#define FOOTER_BODY_GAP      12.0
#define FOOTER_COLUMN_GAP    12.0

/* One line of the body, with the place pagination gives it. */
typedef struct {
  /* A line of text, or a chart drawn whole in its place. */
  PangoLayoutLine *line;
  HavenDeskChart *chart;
  /* From the body's start edge to the line's origin, as Pango aligned it. */
  double x;
  double ascent;
  double height;
  /* Kept above the line unless it starts a page. */
  double space_before;
  /* A heading's lines stay on the page of the first line that follows. */
  gboolean keep_with_next;
  guint page;
  /* From the body's top to the line's top. */
  double top;
} BodyLine;

static void
body_line_clear (gpointer data)
{
  BodyLine *body_line = data;

  g_clear_pointer (&body_line->line, pango_layout_line_unref);
  g_clear_object (&body_line->chart);
}

/* What cairo writes goes to the caller's stream; the first failure is
 * kept, and every later write refused, so that the error the caller sees
 * is the stream's own. */
typedef struct {
  GOutputStream *stream;
  GCancellable  *cancellable;
  GError        *error;
} StreamWriter;

static cairo_status_t
write_to_stream (void                *closure,
                 const unsigned char *data,
                 unsigned int         length)
{
  StreamWriter *writer = closure;

  if (writer->error != NULL)
    return CAIRO_STATUS_WRITE_ERROR;

  if (!g_output_stream_write_all (writer->stream, data, length, NULL,
                                  writer->cancellable, &writer->error))
    return CAIRO_STATUS_WRITE_ERROR;

  return CAIRO_STATUS_SUCCESS;
}

/* Sets @text, which may hold a visitor's words. Pango refuses text that is
 * not UTF-8; a repaired copy is wiped once Pango has its own. Pango's and
 * cairo's copies are theirs to free: what clears those is the scrubbing of
 * freed memory (haven-wipe.h), as for GTK's. */
static void
set_layout_text (PangoLayout *layout,
                 const char  *text)
{
  char *valid;

  if (g_utf8_validate (text, -1, NULL))
    {
      pango_layout_set_text (layout, text, -1);
      return;
    }

  valid = g_utf8_make_valid (text, -1);
  pango_layout_set_text (layout, valid, -1);
  explicit_bzero (valid, strlen (valid));
  g_free (valid);
}

/* Each paragraph (line of @text) runs in its own direction, found from its
 * first strong character, and an Arabic or Hebrew one is set from the
 * right edge: Pango swaps left for right when it lays out such a paragraph
 * with auto-dir on. */
static PangoLayout *
new_layout (PangoContext *context,
            const char   *font,
            const char   *text,
            double        width)
{
  PangoLayout *layout = pango_layout_new (context);
  g_autoptr(PangoFontDescription) description = pango_font_description_from_string (font);

  pango_layout_set_font_description (layout, description);
  pango_layout_set_auto_dir (layout, TRUE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_LEFT);
  pango_layout_set_width (layout, width < 0 ? -1 : pango_units_from_double (width));
  /* A web address or a hash has no space to break at. */
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  set_layout_text (layout, text);

  return layout;
}

static void
add_layout_lines (GArray      *lines,
                  PangoLayout *layout,
                  double       space_before,
                  gboolean     keep_with_next)
{
  PangoLayoutIter *iter = pango_layout_get_iter (layout);
  gboolean first = TRUE;

  do
    {
      BodyLine body_line = { 0 };
      PangoRectangle logical;
      int baseline;

      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      baseline = pango_layout_iter_get_baseline (iter);

      body_line.line = pango_layout_line_ref (pango_layout_iter_get_line_readonly (iter));
      body_line.x = pango_units_to_double (logical.x);
      body_line.ascent = pango_units_to_double (baseline - logical.y);
      body_line.height = pango_units_to_double (logical.height);
      body_line.space_before = first ? space_before : 0;
      body_line.keep_with_next = keep_with_next;
      g_array_append_val (lines, body_line);

      first = FALSE;
    }
  while (pango_layout_iter_next_line (iter));

  pango_layout_iter_free (iter);
}

/* Gives each line a page and a place on it, and returns the number of
 * pages. A heading never ends a page: it moves on with the first line of
 * its text. */
static guint
paginate (GArray *lines,
          double  body_height)
{
  guint page = 0;
  double y = 0;

  for (guint i = 0; i < lines->len; i++)
    {
      BodyLine *body_line = &g_array_index (lines, BodyLine, i);
      double gap = y > 0 ? body_line->space_before : 0;
      double needed = gap + body_line->height;

      if (body_line->keep_with_next &&
          (i == 0 || !g_array_index (lines, BodyLine, i - 1).keep_with_next))
        {
          for (guint j = i + 1; j < lines->len; j++)
            {
              BodyLine *next = &g_array_index (lines, BodyLine, j);

              needed += next->space_before + next->height;
              if (!next->keep_with_next)
                break;
            }
        }

      if (y > 0 && y + needed > body_height)
        {
          page++;
          y = 0;
          gap = 0;
        }

      body_line->page = page;
      body_line->top = y + gap;
      y = body_line->top + body_line->height;
    }

  return page + 1;
}

static double
layout_height (PangoLayout *layout)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  return pango_units_to_double (logical.height);
}

static double
layout_width (PangoLayout *layout)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  return pango_units_to_double (logical.width);
}

static char *
describe_page (guint page,
               guint n_pages)
{
  /* Translators: the footer of every page of a printed case file. */
  return g_strdup_printf (_("Page %u of %u"), page + 1, n_pages);
}

/* The height of the footer's last row, which holds the title and the page
 * number: the taller of the two, as scripts differ in height. */
static double
footer_row_height (PangoContext *context,
                   const char   *title)
{
  g_autofree char *page_text = describe_page (0, 1);
  g_autoptr(PangoLayout) page_layout = new_layout (context, FOOTER_FONT, page_text, -1);
  g_autoptr(PangoLayout) title_layout = new_layout (context, FOOTER_FONT, title, BODY_WIDTH);

  pango_layout_set_ellipsize (title_layout, PANGO_ELLIPSIZE_END);
  return MAX (layout_height (page_layout), layout_height (title_layout));
}

/* The footer: a rule, @note_layout, then the title and "Page N of M" on
 * one row, the page number at the end a reader of its language looks at
 * last and the title at the other, shortened if it would reach it. */
static void
draw_footer (cairo_t      *cr,
             PangoContext *context,
             PangoLayout  *note_layout,
             const char   *title,
             guint         page,
             guint         n_pages,
             double        footer_top)
{
  g_autofree char *page_text = NULL;
  g_autoptr(PangoLayout) page_layout = NULL;
  g_autoptr(PangoLayout) title_layout = NULL;
  double row_top = footer_top + FOOTER_RULE_GAP + layout_height (note_layout) + FOOTER_ROW_GAP;
  double page_width;
  gboolean rtl;

  cairo_set_source_rgb (cr, 0.6, 0.6, 0.6);
  cairo_set_line_width (cr, 0.5);
  cairo_move_to (cr, MARGIN_SIDE, footer_top);
  cairo_line_to (cr, MARGIN_SIDE + BODY_WIDTH, footer_top);
  cairo_stroke (cr);

  cairo_set_source_rgb (cr, 0.25, 0.25, 0.25);
  cairo_move_to (cr, MARGIN_SIDE, footer_top + FOOTER_RULE_GAP);
  pango_cairo_show_layout (cr, note_layout);

  page_text = describe_page (page, n_pages);
  page_layout = new_layout (context, FOOTER_FONT, page_text, -1);
  page_width = layout_width (page_layout);
  rtl = pango_layout_get_direction (page_layout, 0) == PANGO_DIRECTION_RTL;

  cairo_move_to (cr, rtl ? MARGIN_SIDE : MARGIN_SIDE + BODY_WIDTH - page_width, row_top);
  pango_cairo_show_layout (cr, page_layout);

  if (BODY_WIDTH - page_width - FOOTER_COLUMN_GAP <= 0)
    return;

  title_layout = new_layout (context, FOOTER_FONT, title,
                             BODY_WIDTH - page_width - FOOTER_COLUMN_GAP);
  pango_layout_set_ellipsize (title_layout, PANGO_ELLIPSIZE_END);
  cairo_move_to (cr, rtl ? MARGIN_SIDE + page_width + FOOTER_COLUMN_GAP : MARGIN_SIDE, row_top);
  pango_cairo_show_layout (cr, title_layout);
}

static gboolean
set_draw_error (cairo_status_t   status,
                GError         **error)
{
  g_set_error (error, HAVEN_DESK_CASE_FILE_ERROR, HAVEN_DESK_CASE_FILE_ERROR_DRAW,
               /* Translators: %s is a technical reason, in English. */
               _("The case file could not be made: %s"),
               cairo_status_to_string (status));
  return FALSE;
}

gboolean
haven_desk_case_file_write (GPtrArray     *sections,
                            const char    *title,
                            const char    *footer_note,
                            GOutputStream *stream,
                            GCancellable  *cancellable,
                            GError       **error)
{
  return haven_desk_case_file_write_with_charts (sections, NULL, title, footer_note, stream,
                                                 cancellable, error);
}

gboolean
haven_desk_case_file_write_with_charts (GPtrArray     *sections,
                                        GPtrArray     *charts,
                                        const char    *title,
                                        const char    *footer_note,
                                        GOutputStream *stream,
                                        GCancellable  *cancellable,
                                        GError       **error)
{
  static const double black[3] = { 0, 0, 0 };
  StreamWriter writer = { stream, cancellable, NULL };
  g_autoptr(PangoFontMap) font_map = NULL;
  PangoContext *context;
  g_autoptr(GPtrArray) layouts = NULL;
  g_autoptr(GArray) lines = NULL;
  g_autoptr(PangoLayout) note_layout = NULL;
  g_autoptr(PangoLayout) title_layout = NULL;
  cairo_font_options_t *font_options;
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  double footer_height;
  double footer_top;
  guint n_pages;
  guint next_line = 0;

  g_return_val_if_fail (sections != NULL, FALSE);
  g_return_val_if_fail (charts == NULL || charts->len == sections->len, FALSE);
  g_return_val_if_fail (title != NULL, FALSE);
  g_return_val_if_fail (footer_note != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  surface = cairo_pdf_surface_create_for_stream (write_to_stream, &writer,
                                                 PAGE_WIDTH, PAGE_HEIGHT);
  /* The title is all the document says of itself: cairo adds only its own
   * name as the producer, and the date the file was made. */
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
  cr = cairo_create (surface);

  /* The default font map belongs to the main thread; this may run in a
   * worker. Points are the PDF's units, so 72 dpi; unhinted metrics, so
   * that the lines measured here are the lines drawn. */
  font_map = pango_cairo_font_map_new ();
  context = pango_font_map_create_context (font_map);
  pango_cairo_context_set_resolution (context, 72);
  font_options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (font_options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (font_options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (context, font_options);
  cairo_font_options_destroy (font_options);
  pango_context_set_round_glyph_positions (context, FALSE);
  /* What a chart's layouts use; every other layout names its own font. */
  {
    g_autoptr(PangoFontDescription) chart_font = pango_font_description_from_string (BODY_FONT);

    pango_context_set_font_description (context, chart_font);
  }
  pango_cairo_update_context (cr, context);

  layouts = g_ptr_array_new_with_free_func (g_object_unref);
  lines = g_array_new (FALSE, TRUE, sizeof (BodyLine));
  g_array_set_clear_func (lines, body_line_clear);

  title_layout = new_layout (context, TITLE_FONT, title, BODY_WIDTH);
  add_layout_lines (lines, title_layout, 0, FALSE);

  for (guint i = 0; i < sections->len; i++)
    {
      HavenCaseSection *section = g_ptr_array_index (sections, i);
      gboolean has_text = section->text != NULL && section->text[0] != '\0';
      PangoLayout *layout;

      if (section->heading != NULL && section->heading[0] != '\0')
        {
          layout = new_layout (context, HEADING_FONT, section->heading, BODY_WIDTH);
          g_ptr_array_add (layouts, layout);
          add_layout_lines (lines, layout, i == 0 ? TITLE_SPACE_AFTER : HEADING_SPACE_BEFORE,
                            has_text);
        }

      if (has_text)
        {
          layout = new_layout (context, BODY_FONT, section->text, BODY_WIDTH);
          g_ptr_array_add (layouts, layout);
          add_layout_lines (lines, layout, HEADING_SPACE_AFTER, FALSE);
        }

      /* A chart after its section's text, on one page, and a heading
       * right above it stays with it. */
      if (charts != NULL && g_ptr_array_index (charts, i) != NULL)
        {
          BodyLine chart_line = { 0 };

          if (!has_text && lines->len > 0)
            g_array_index (lines, BodyLine, lines->len - 1).keep_with_next = TRUE;
          chart_line.chart = g_object_ref (g_ptr_array_index (charts, i));
          chart_line.height = haven_desk_chart_get_height (chart_line.chart, context, BODY_WIDTH);
          chart_line.space_before = HEADING_SPACE_AFTER * 2;
          g_array_append_val (lines, chart_line);
        }
    }

  note_layout = new_layout (context, FOOTER_FONT, footer_note, BODY_WIDTH);
  footer_height = FOOTER_RULE_GAP + layout_height (note_layout) + FOOTER_ROW_GAP +
                  footer_row_height (context, title);
  footer_top = PAGE_HEIGHT - MARGIN_BOTTOM - footer_height;
  n_pages = paginate (lines, footer_top - FOOTER_BODY_GAP - MARGIN_TOP);

  for (guint page = 0; page < n_pages; page++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, &writer.error))
        break;

      cairo_set_source_rgb (cr, 0, 0, 0);
      for (; next_line < lines->len; next_line++)
        {
          BodyLine *body_line = &g_array_index (lines, BodyLine, next_line);

          if (body_line->page != page)
            break;

          if (body_line->chart != NULL)
            {
              cairo_save (cr);
              cairo_translate (cr, MARGIN_SIDE, MARGIN_TOP + body_line->top);
              haven_desk_chart_draw (body_line->chart, cr, context, BODY_WIDTH, black,
                                     pango_layout_get_direction (title_layout, 0) ==
                                       PANGO_DIRECTION_RTL);
              cairo_restore (cr);
              cairo_set_source_rgb (cr, 0, 0, 0);
              continue;
            }
          cairo_move_to (cr, MARGIN_SIDE + body_line->x,
                         MARGIN_TOP + body_line->top + body_line->ascent);
          pango_cairo_show_layout_line (cr, body_line->line);
        }

      draw_footer (cr, context, note_layout, title, page, n_pages, footer_top);
      cairo_show_page (cr);

      if (writer.error != NULL || cairo_status (cr) != CAIRO_STATUS_SUCCESS)
        break;
    }

  status = cairo_status (cr);
  cairo_destroy (cr);
  if (writer.error == NULL && status == CAIRO_STATUS_SUCCESS)
    cairo_surface_finish (surface);
  status = status != CAIRO_STATUS_SUCCESS ? status : cairo_surface_status (surface);
  /* After a failure, whatever cairo still has to write is refused. */
  if (writer.error == NULL && status != CAIRO_STATUS_SUCCESS)
    set_draw_error (status, &writer.error);
  cairo_surface_destroy (surface);
  /* Pango 1.50 has no autoptr for a context. */
  g_object_unref (context);

  if (writer.error != NULL)
    {
      g_propagate_error (error, writer.error);
      return FALSE;
    }

  return TRUE;
}

typedef struct {
  GPtrArray *sections;
  GPtrArray *charts;
  char *title;
  char *footer_note;
  GFile *file;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_pointer (&data->sections, g_ptr_array_unref);
  g_clear_pointer (&data->charts, g_ptr_array_unref);
  g_clear_pointer (&data->title, g_free);
  g_clear_pointer (&data->footer_note, g_free);
  g_clear_object (&data->file);
  g_free (data);
}

/* Closing with a cancelled cancellable makes GIO drop the temporary file
 * of a replace instead of moving it over the old one. */
static void
abandon_stream (GOutputStream *stream)
{
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();

  g_cancellable_cancel (cancelled);
  g_output_stream_close (stream, cancelled, NULL);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *data = task_data;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = TRUE;

  /* A new file is written in place (GIO's replace would too), and is
   * removed if anything fails; an existing one is replaced through a
   * temporary file beside it, which GIO moves over it only when all of
   * the case file is written. Either way the file is its owner's alone. */
  stream = g_file_create (data->file, G_FILE_CREATE_PRIVATE, cancellable, &error);
  if (stream == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_clear_error (&error);
      created = FALSE;
      stream = g_file_replace (data->file, NULL, FALSE,
                               G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                               cancellable, &error);
    }

  if (stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!haven_desk_case_file_write_with_charts (data->sections, data->charts, data->title,
                                               data->footer_note, G_OUTPUT_STREAM (stream),
                                               cancellable, &error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, &error))
    {
      abandon_stream (G_OUTPUT_STREAM (stream));
      if (created)
        g_file_delete (data->file, NULL, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
haven_desk_case_file_save_async (GPtrArray           *sections,
                                 const char          *title,
                                 const char          *footer_note,
                                 GFile               *file,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  haven_desk_case_file_save_with_charts_async (sections, NULL, title, footer_note, file,
                                               cancellable, callback, user_data);
}

void
haven_desk_case_file_save_with_charts_async (GPtrArray           *sections,
                                             GPtrArray           *charts,
                                             const char          *title,
                                 const char          *footer_note,
                                 GFile               *file,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveData *data;

  g_return_if_fail (sections != NULL);
  g_return_if_fail (title != NULL);
  g_return_if_fail (footer_note != NULL);
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (SaveData, 1);
  data->sections = g_ptr_array_ref (sections);
  data->charts = charts != NULL ? g_ptr_array_ref (charts) : NULL;
  data->title = g_strdup (title);
  data->footer_note = g_strdup (footer_note);
  data->file = g_object_ref (file);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_desk_case_file_save_async);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  /* The result says what happened to the file: a save that finished as
   * the caseworker cancelled has still written it. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, save_thread);
}

gboolean
haven_desk_case_file_save_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        haven_desk_case_file_save_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
