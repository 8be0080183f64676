/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-page-renderer"

#include "config.h"

#include <errno.h>
#include <string.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "haven-answer.h"
#include "haven-cannot-start-page.h"
#include "haven-currency.h"
#include "haven-operator-screen.h"
#include "haven-page-renderer.h"
#include "haven-question-page.h"
#include "haven-removal-items-page.h"
#include "haven-removal-role-page.h"
#include "haven-removal-send-page.h"
#include "haven-summary-page.h"
#include "haven-window.h"

/* `haven --render-pages DIR`: a PNG of every page of a visit, in one
 * language, at one size, with nobody at the screen. Translators review
 * their language in context with it, and the screenshots of the
 * AppStream data come from it. It walks made-up visits (nothing a visitor
 * entered) in a window of its own, with settings of its own in memory, so
 * it neither reads nor writes the kiosk's outbox. */

/* The visits walked: together they reach every page. */
static const char * const categories[] = { "intimate-images", "fraud", "child-abuse-material", NULL };

/* Made-up answers, so the pages show what answers look like. The words
 * a visitor would type are translated, so that a translator reviewing the
 * pictures sees a page as a visitor of their language would fill it; the
 * stored forms of choices, dates and yes-no answers are the same in every
 * language, and the amount is in the kiosk's currency (fill_session). */
static const struct {
  const char *question_id;
  const char *answer;
  gboolean typed;
} sample_answers[] = {
  { "started-on", "2026-11-20", FALSE },
  { "where", "social-network,messages", FALSE },
  { "knows-who", "yes-online", FALSE },
  /* Translators: a made-up answer for the screenshots of `haven
   * --render-pages`, never shown to a visitor: the profile name of someone
   * who cheated the visitor. Make it look like a handle in your language. */
  { "their-name", NC_("sample answer", "@quick.deals.shop"), TRUE },
  { "still-happening", "yes", FALSE },
  { "payment-method", "bank-transfer", FALSE },
  { "threatened", "yes", FALSE },
  { "child-age", "13-to-17", FALSE },
  /* Translators: a made-up answer for the screenshots of `haven
   * --render-pages`, never shown to a visitor: what the visitor still has
   * that shows what happened. */
  { "what-you-hold", NC_("sample answer", "Screenshots of the messages"), TRUE },
  /* Translators: a made-up answer for the screenshots of `haven
   * --render-pages`, never shown to a visitor: what happened, in the
   * visitor's own words. */
  { "story", NC_("sample answer", "Someone I met online asked me for money, then stopped answering."),
    TRUE },
};

/* Settings keys the rendering copies from the kiosk's: what changes what
 * the pages show. */
static const char * const copied_keys[] = {
  "region", "languages", "default-language", "directory-file", "content-dir", "submit-reports",
  "time-zone", NULL
};

static void
settle (void)
{
  /* Layout and drawing take a few turns of the main loop and a frame. */
  for (int round = 0; round < 4; round++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (20 * 1000);
    }
}

/* Whether every pixel of @texture is the same: a page that drew nothing. */
static gboolean
is_blank (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guint32 *pixels = g_new (guint32, (gsize) width * (gsize) height);

  gdk_texture_download (texture, (guchar *) pixels, stride);
  for (gsize i = 1; i < (gsize) width * (gsize) height; i++)
    if (pixels[i] != pixels[0])
      return FALSE;

  return TRUE;
}

static gboolean
render_window (HavenWindow  *window,
               const char   *path,
               GError      **error)
{
  GtkWidget *widget = GTK_WIDGET (window);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  int width, height;

  paintable = gtk_widget_paintable_new (widget);

  /* A busy machine may take a few frames to lay a new page out. */
  for (int attempt = 0; attempt < 20 && (texture == NULL || is_blank (texture)); attempt++)
    {
      settle ();
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      g_clear_pointer (&node, gsk_render_node_unref);
      node = gtk_snapshot_free_to_node (snapshot);
      g_clear_object (&texture);
      if (node != NULL)
        texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                               &GRAPHENE_RECT_INIT (0, 0, width, height));
    }

  if (texture == NULL || is_blank (texture))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s did not render",
                   G_OBJECT_TYPE_NAME (haven_window_get_current_page (window)));
      return FALSE;
    }

  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot write %s", path);
      return FALSE;
    }

  g_print ("%s\n", path);
  return TRUE;
}

/* The file a page is written to: pages that depend on the category carry
 * its name, a question page the question's id. */
static char *
page_file_name (HavenWindow *window,
                const char  *category,
                const char  *state)
{
  GtkWidget *page = haven_window_get_current_page (window);
  g_autofree char *type = g_strdup (G_OBJECT_TYPE_NAME (page) + strlen ("Haven"));
  g_autofree char *lowered = NULL;
  g_autoptr(GString) name = g_string_new (NULL);

  /* "QuestionPage" → "question" */
  if (g_str_has_suffix (type, "Page"))
    type[strlen (type) - strlen ("Page")] = '\0';
  for (const char *c = type; *c != '\0'; c++)
    {
      if (g_ascii_isupper (*c) && c != type)
        g_string_append_c (name, '-');
      g_string_append_c (name, g_ascii_tolower (*c));
    }

  if (HAVEN_IS_QUESTION_PAGE (page))
    {
      g_autoptr(HavenQuestion) question = NULL;

      g_object_get (page, "question", &question, NULL);
      g_string_append_printf (name, "-%s", haven_question_get_id (question));
    }
  else if (category != NULL)
    g_string_append_printf (name, "-%s", category);

  if (state != NULL)
    g_string_append_printf (name, "-%s", state);

  g_string_append (name, ".png");
  lowered = g_string_free (g_steal_pointer (&name), FALSE);
  return g_steal_pointer (&lowered);
}

static gboolean
render_page (HavenWindow  *window,
             const char   *directory,
             const char   *category,
             const char   *state,
             GHashTable   *rendered,
             GError      **error)
{
  g_autofree char *name = page_file_name (window, category, state);
  g_autofree char *path = NULL;

  if (g_hash_table_contains (rendered, name))
    return TRUE;

  path = g_build_filename (directory, name, NULL);
  g_hash_table_add (rendered, g_strdup (name));
  return render_window (window, path, error);
}

/* Made-up answers, as a visitor would give them: only to the questions
 * this category asks (a content question that does not apply is never
 * asked, and the session would not show it), and addresses to take down
 * only where the category has some. */
static void
fill_session (HavenSession *session,
              HavenContent *content,
              const char   *category,
              const char   *region)
{
  HavenCategory *chosen = haven_content_lookup_category (content, category);
  HavenQuestion *lost_money = haven_content_lookup_question (content, "lost-money");
  /* An amount a visitor there would give, in the kiosk's currency. */
  const char *currency = haven_currency_for_region (region);
  g_autofree char *amount = haven_currency_dup_example_amount (region);
  g_autofree char *money = haven_answer_make_money (amount, currency != NULL ? currency : "EUR");

  for (gsize i = 0; i < G_N_ELEMENTS (sample_answers); i++)
    {
      HavenQuestion *question = haven_content_lookup_question (content,
                                                               sample_answers[i].question_id);
      const char *answer = sample_answers[i].answer;

      if (sample_answers[i].typed)
        answer = g_dpgettext2 (GETTEXT_PACKAGE, "sample answer", answer);
      if (question == NULL || haven_question_applies_to (question, category))
        haven_session_set_answer (session, sample_answers[i].question_id, answer);
    }
  if (lost_money != NULL && haven_question_applies_to (lost_money, category))
    haven_session_set_answer (session, "lost-money", money);

  if (chosen != NULL && haven_category_is_removable (chosen))
    {
      HavenRequest *request = haven_session_get_removal_request (session);

      if (haven_request_get_n_items (request) == 0)
        haven_request_add_item (request, "https://example.social/p/123", NULL,
                                _("A photo posted without my agreement"));
    }
  /* Translators: a made-up service the visitor kept, for the screenshots
   * of `haven --render-pages`, never shown to a visitor: a name and a
   * phone number. Keep the number made up. */
  haven_session_keep_service (session, "example",
                              C_("sample answer", "Victim Support Line, 0800 000 000"));
}

/* Pages whose name depends on the category: the rest are the same in
 * every visit. */
static gboolean
depends_on_category (GtkWidget *page)
{
  const char *type = G_OBJECT_TYPE_NAME (page);

  return g_str_equal (type, "HavenChildPage") || g_str_equal (type, "HavenGuidancePage") ||
         g_str_equal (type, "HavenReviewPage") || g_str_equal (type, "HavenSummaryPage") ||
         g_str_equal (type, "HavenRemovalItemsPage") || g_str_equal (type, "HavenRemovalSendPage");
}

static GtkWidget *find_named (GtkWidget  *root,
                              const char *name);

/* The removal pages as they look when Continue or Send finds something
 * missing (the made-up visit says nothing of who the request is for, and
 * confirms nothing): the error summary at the top, the message beside
 * the field. Nothing is sent: the request is not valid. */
static gboolean
render_error_state (HavenWindow  *window,
                    const char   *directory,
                    const char   *category,
                    GHashTable   *rendered,
                    GError      **error)
{
  GtkWidget *page = haven_window_get_current_page (window);
  HavenRequest *request = haven_session_get_removal_request (haven_window_get_session (window));

  if (haven_request_validate_draft (request, NULL))
    return TRUE;

  if (HAVEN_IS_REMOVAL_ROLE_PAGE (page))
    gtk_widget_activate_action (page, "removal-role.continue", NULL);
  else if (HAVEN_IS_REMOVAL_SEND_PAGE (page) && find_named (page, "send") != NULL)
    g_signal_emit_by_name (find_named (page, "send"), "clicked");
  else
    return TRUE;

  settle ();
  return render_page (window, directory, depends_on_category (page) ? category : NULL, "error",
                      rendered, error);
}

/* How a visitor may have asked the pages to look: for screenshots of high
 * contrast and large text, `haven --render-pages DIR --high-contrast
 * --text-scale 2` (larger than the button's 150%, to see the layout hold). */
static void
apply_looks (HavenWindow            *window,
             const HavenRenderLooks *looks)
{
  if (looks->high_contrast)
    g_object_set (window, "high-contrast", TRUE, NULL);
  if (looks->text_scale > 0)
    g_object_set (gtk_widget_get_settings (GTK_WIDGET (window)),
                  "gtk-xft-dpi", (int) (96 * 1024 * looks->text_scale), NULL);
}

static gboolean
walk_visit (HavenWindow            *window,
            const char             *directory,
            const char             *language,
            const char             *category,
            GHashTable             *rendered,
            GError                **error,
            const HavenRenderLooks *looks)
{
  GtkWidget *widget = GTK_WIDGET (window);
  HavenContent *content;

  gtk_widget_activate_action (widget, "visit.leave-now", NULL);
  /* Leave now sets the looks back, as it does for a visitor. */
  apply_looks (window, looks);
  if (!render_page (window, directory, NULL, NULL, rendered, error))
    return FALSE;

  gtk_widget_activate_action (widget, "visit.start-visit", "s", language);
  settle ();
  if (g_strcmp0 (haven_session_get_language (haven_window_get_session (window)), language) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "The visit cannot start in %s: it has no catalog", language);
      return FALSE;
    }

  /* The safety page, then with the numbers a visitor in danger sees. */
  if (!render_page (window, directory, NULL, NULL, rendered, error))
    return FALSE;
  gtk_widget_activate_action (haven_window_get_current_page (window), "safety.answer", "s", "someone");
  if (!render_page (window, directory, NULL, "danger", rendered, error))
    return FALSE;

  gtk_widget_activate_action (widget, "visit.next", NULL);
  if (!render_page (window, directory, NULL, NULL, rendered, error))
    return FALSE;
  gtk_widget_activate_action (widget, "visit.next", NULL);
  if (!render_page (window, directory, NULL, NULL, rendered, error))
    return FALSE;

  /* Chosen as the category page's button would. */
  content = haven_page_get_content (HAVEN_PAGE (haven_window_get_current_page (window)));
  haven_session_set_category (haven_window_get_session (window), content, category);
  fill_session (haven_window_get_session (window), content, category,
                haven_page_get_region (HAVEN_PAGE (haven_window_get_current_page (window))));

  for (guint steps = 0; steps < 40; steps++)
    {
      GtkWidget *page;

      gtk_widget_activate_action (widget, "visit.next", NULL);
      settle ();
      page = haven_window_get_current_page (window);
      if (!render_page (window, directory, depends_on_category (page) ? category : NULL, NULL,
                        rendered, error))
        return FALSE;

      if (HAVEN_IS_SUMMARY_PAGE (page))
        return TRUE;

      if (!render_error_state (window, directory, category, rendered, error))
        return FALSE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The visit never reached its summary");
  return FALSE;
}

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
write_picture (HavenWindow  *window,
               const char   *directory,
               const char   *name,
               GError      **error)
{
  g_autofree char *path = g_build_filename (directory, name, NULL);

  return render_window (window, path, error);
}

/* The operator's screen, asking for the PIN and then open, with a PIN made
 * up for the rendering. */
static gboolean
render_operator_screen (HavenWindow  *window,
                        GSettings    *settings,
                        const char   *directory,
                        GError      **error)
{
  g_autofree char *hash = haven_operator_pin_hash ("135790", error);
  GtkWidget *screen;
  gint64 deadline;

  if (hash == NULL)
    return FALSE;
  g_settings_set_string (settings, "operator-pin-hash", hash);

  gtk_widget_activate_action (GTK_WIDGET (window), "visit.leave-now", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "visit.operator", NULL);
  screen = haven_window_get_operator_screen (window);
  if (screen == NULL || !write_picture (window, directory, "operator-pin.png", error))
    return screen != NULL;

  gtk_editable_set_text (GTK_EDITABLE (find_named (screen, "pin")), "135790");
  g_signal_emit_by_name (find_named (screen, "unlock"), "clicked");
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!haven_operator_screen_is_unlocked (HAVEN_OPERATOR_SCREEN (screen)) &&
         g_get_monotonic_time () < deadline)
    settle ();

  if (!write_picture (window, directory, "operator.png", error))
    return FALSE;

  /* The rest of the panel: the directory, the content and the updates. */
  {
    GtkWidget *button = find_named (screen, "check-bundle");
    GtkWidget *scrolled = button != NULL ? gtk_widget_get_ancestor (button,
                                                                    GTK_TYPE_SCROLLED_WINDOW)
                                         : NULL;

    if (scrolled != NULL)
      {
        GtkAdjustment *adjustment =
          gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

        gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
      }
    settle ();
  }
  return write_picture (window, directory, "operator-updates.png", error);
}

/**
 * haven_page_renderer_run:
 * @settings: the kiosk's settings; they are copied, never changed
 * @directory: where to write the PNG files; made if missing
 * @language: the language of the pages
 *
 * Writes a PNG of every page of a visit to @directory.
 *
 * Returns: whether every page rendered
 */
gboolean
haven_page_renderer_run (GSettings              *settings,
                         const char             *directory,
                         const char             *language,
                         int                     width,
                         int                     height,
                         const HavenRenderLooks *looks,
                         GError                **error)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GSettings) own_settings = g_settings_new_with_backend (APP_ID, backend);
  /* Nothing is sent while rendering, so it never opens an outbox. */
  g_autoptr(HavenSender) sender = haven_sender_new (own_settings);
  g_autoptr(GHashTable) rendered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  HavenWindow *window;
  gboolean ok = TRUE;

  if (g_mkdir_with_parents (directory, 0755) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "Cannot make %s: %s", directory, g_strerror (errno));
      return FALSE;
    }

  for (gsize i = 0; copied_keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, copied_keys[i]);

      g_settings_set_value (own_settings, copied_keys[i], value);
    }
  g_settings_set_boolean (own_settings, "kiosk-mode", FALSE);
  /* The language asked for is offered even if this kiosk does not. */
  {
    g_auto(GStrv) offered = g_settings_get_strv (own_settings, "languages");

    if (!g_strv_contains ((const char * const *) offered, language))
      {
        g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
        g_auto(GStrv) languages = NULL;

        g_strv_builder_add (builder, language);
        g_strv_builder_addv (builder, (const char **) offered);
        languages = g_strv_builder_end (builder);
        g_settings_set_strv (own_settings, "languages", (const char * const *) languages);
      }
  }
  g_settings_set_string (own_settings, "default-language", language);

  window = haven_window_new (NULL, own_settings, sender);
  if (haven_window_get_cannot_start_page (window) != NULL)
    {
      GtkWidget *page = haven_window_get_cannot_start_page (window);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                   haven_cannot_start_page_get_problem (HAVEN_CANNOT_START_PAGE (page)));
      gtk_window_destroy (GTK_WINDOW (window));
      return FALSE;
    }
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  settle ();

  for (gsize i = 0; ok && categories[i] != NULL; i++)
    ok = walk_visit (window, directory, language, categories[i], rendered, error, looks);
  if (ok)
    ok = render_operator_screen (window, own_settings, directory, error);

  gtk_widget_activate_action (GTK_WIDGET (window), "visit.leave-now", NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  settle ();

  return ok;
}
