/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "desk-driver"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "desk-driver.h"
#include "haven-paths.h"
#include "haven-wipe.h"
#include "test-wait.h"

void
desk_driver_init (int    *argc,
                  char ***argv)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    g_error ("UI tests need a display: run them under xvfb-run");

  /* As haven-desk's main() does. */
  haven_wipe_restart_without_thread_cache (*argv);

  setlocale (LC_ALL, "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, haven_paths_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_test_init (argc, argv, NULL);
  adw_init ();
}

void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

gboolean
iterate_until (gboolean (*condition) (gpointer data),
               gpointer   data,
               guint      seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * test_slowdown () * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  return TRUE;
}

void
wait_until (const char *what,
            gboolean  (*condition) (gpointer data),
            gpointer    data,
            guint       seconds)
{
  if (!iterate_until (condition, data, seconds))
    g_error ("Waited %u s for %s, in vain", seconds * test_slowdown (), what);
}

GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0 && gtk_widget_get_mapped (root))
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

GtkWidget *
require_named (GtkWidget  *root,
               const char *name)
{
  GtkWidget *widget = find_named (root, name);

  if (widget == NULL)
    g_error ("No control named %s is showing", name);
  return widget;
}

void
type_into (GtkWidget  *root,
           const char *name,
           const char *text)
{
  GtkWidget *widget = require_named (root, name);

  if (GTK_IS_TEXT_VIEW (widget))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)), text, -1);
  else
    gtk_editable_set_text (GTK_EDITABLE (widget), text);
  iterate ();
}

void
press (GtkWidget  *root,
       const char *name)
{
  GtkWidget *widget = require_named (root, name);

  if (!gtk_widget_is_sensitive (widget))
    g_error ("The control named %s cannot be pressed now", name);
  if (GTK_IS_CHECK_BUTTON (widget))
    gtk_check_button_set_active (GTK_CHECK_BUTTON (widget), TRUE);
  else if (GTK_IS_LIST_BOX_ROW (widget))
    gtk_widget_activate (widget);
  else
    g_signal_emit_by_name (widget, "clicked");
  iterate ();
}

gboolean
widget_tree_shows (GtkWidget  *root,
                   const char *text)
{
  const char *shown = NULL;
  g_autofree char *buffer_text = NULL;

  if (GTK_IS_LABEL (root))
    shown = gtk_label_get_text (GTK_LABEL (root));
  else if (GTK_IS_EDITABLE (root))
    shown = gtk_editable_get_text (GTK_EDITABLE (root));
  else if (GTK_IS_TEXT_VIEW (root))
    {
      GtkTextIter start, end;
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (root));

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      shown = buffer_text = gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
    }
  if (shown != NULL && strstr (shown, text) != NULL)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (widget_tree_shows (child, text))
        return TRUE;
    }
  return FALSE;
}
