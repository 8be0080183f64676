/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-desk-case-file.h"
#include "haven-desk-save-dialog.h"

typedef struct {
  HavenDeskSaveChosen chosen;
  gpointer user_data;
  GDestroyNotify destroy;
} Request;

static void
response_cb (GtkDialog *dialog,
             int        response,
             Request   *request)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        request->chosen (file, request->user_data);
    }
  if (request->destroy != NULL)
    request->destroy (request->user_data);
  g_free (request);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

void
haven_desk_ask_where_to_save (GtkWidget           *widget,
                              const char          *title,
                              const char          *suggested_name,
                              HavenDeskSaveChosen  chosen,
                              gpointer             user_data,
                              GDestroyNotify       destroy)
{
  GtkWidget *dialog;
  Request *request;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (chosen != NULL);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  dialog = gtk_file_chooser_dialog_new (title, GTK_WINDOW (gtk_widget_get_root (widget)),
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Cancel"), GTK_RESPONSE_CANCEL,
                                        _("_Save"), GTK_RESPONSE_ACCEPT,
                                        NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested_name);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);

  request = g_new0 (Request, 1);
  request->chosen = chosen;
  request->user_data = user_data;
  request->destroy = destroy;
  g_signal_connect (dialog, "response", G_CALLBACK (response_cb), request);
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
haven_desk_save_finish (GObject       *source,
                        GAsyncResult  *result,
                        GError       **error)
{
  if (G_IS_FILE (source))
    return g_file_replace_contents_finish (G_FILE (source), result, NULL, error);
  return haven_desk_case_file_save_finish (result, error);
}
