/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-qr-code"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n.h>
#include <qrencode.h>

#include "haven-qr-code.h"

/* A QR code a visitor can photograph to take something away on their own
 * phone (a service's contact card, for instance), so that nothing needs to
 * be printed or typed. */

/* Pixels per module, and the four-module quiet zone the QR standard asks
 * for so that phone cameras find the code. */
#define MODULE_SIZE 6
#define QUIET_ZONE 4

struct _HavenQrCode
{
  AdwBin parent_instance;

  GtkPicture *picture;

  char *text;
  GdkTexture *texture;
};

G_DEFINE_FINAL_TYPE (HavenQrCode, haven_qr_code, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_TEXT,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

/**
 * haven_qr_code_render:
 * @text: UTF-8 text to encode
 *
 * Returns: (transfer full): black modules on white, with a quiet zone
 */
GdkTexture *
haven_qr_code_render (const char  *text,
                      GError     **error)
{
  g_autoptr(GBytes) pixels = NULL;
  QRcode *code;
  guint8 *data;
  int side;
  gsize stride;

  g_return_val_if_fail (text != NULL, NULL);

  /* Medium error correction: a code on a screen is photographed whole,
   * and the larger modules of a lower level scan more easily. */
  code = QRcode_encodeString8bit (text, 0, QR_ECLEVEL_M);
  if (code == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("The QR code cannot be made: %s"), g_strerror (saved_errno));
      return NULL;
    }

  side = (code->width + 2 * QUIET_ZONE) * MODULE_SIZE;
  stride = (gsize) side * 4;
  data = g_malloc (stride * side);
  memset (data, 0xff, stride * side);

  for (int y = 0; y < code->width; y++)
    for (int x = 0; x < code->width; x++)
      {
        /* Bit 0 of each libqrencode module is "dark". */
        if ((code->data[y * code->width + x] & 1) == 0)
          continue;

        for (int dy = 0; dy < MODULE_SIZE; dy++)
          {
            guint8 *row = data + (gsize) ((y + QUIET_ZONE) * MODULE_SIZE + dy) * stride;

            for (int dx = 0; dx < MODULE_SIZE; dx++)
              {
                guint8 *pixel = row + (gsize) ((x + QUIET_ZONE) * MODULE_SIZE + dx) * 4;

                pixel[0] = pixel[1] = pixel[2] = 0x00;
                pixel[3] = 0xff;
              }
          }
      }

  QRcode_free (code);

  pixels = g_bytes_new_take (data, stride * side);
  return gdk_memory_texture_new (side, side, GDK_MEMORY_R8G8B8A8, pixels, stride);
}

static void
haven_qr_code_finalize (GObject *object)
{
  HavenQrCode *self = HAVEN_QR_CODE (object);

  g_clear_pointer (&self->text, g_free);
  g_clear_object (&self->texture);

  G_OBJECT_CLASS (haven_qr_code_parent_class)->finalize (object);
}

static void
haven_qr_code_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HavenQrCode *self = HAVEN_QR_CODE (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_qr_code_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  HavenQrCode *self = HAVEN_QR_CODE (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      haven_qr_code_set_text (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_qr_code_class_init (HavenQrCodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = haven_qr_code_finalize;
  object_class->get_property = haven_qr_code_get_property;
  object_class->set_property = haven_qr_code_set_property;

  props[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "qrcode");
}

static void
haven_qr_code_init (HavenQrCode *self)
{
  self->picture = GTK_PICTURE (gtk_picture_new ());
  gtk_picture_set_can_shrink (self->picture, FALSE);
  gtk_picture_set_content_fit (self->picture, GTK_CONTENT_FIT_CONTAIN);
  gtk_widget_set_halign (GTK_WIDGET (self->picture), GTK_ALIGN_CENTER);
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->picture));
}

GtkWidget *
haven_qr_code_new (void)
{
  return g_object_new (HAVEN_TYPE_QR_CODE, NULL);
}

const char *
haven_qr_code_get_text (HavenQrCode *self)
{
  g_return_val_if_fail (HAVEN_IS_QR_CODE (self), NULL);

  return self->text;
}

void
haven_qr_code_set_text (HavenQrCode *self,
                        const char  *text)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (HAVEN_IS_QR_CODE (self));

  if (g_strcmp0 (self->text, text) == 0)
    return;

  g_free (self->text);
  self->text = g_strdup (text);
  g_clear_object (&self->texture);

  if (text != NULL && text[0] != '\0')
    {
      self->texture = haven_qr_code_render (text, &error);
      if (self->texture == NULL)
        g_warning ("%s", error->message);
    }

  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (self->texture));
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TEXT]);
}

/**
 * haven_qr_code_get_texture:
 *
 * Returns: (transfer none) (nullable): the code as shown
 */
GdkTexture *
haven_qr_code_get_texture (HavenQrCode *self)
{
  g_return_val_if_fail (HAVEN_IS_QR_CODE (self), NULL);

  return self->texture;
}
