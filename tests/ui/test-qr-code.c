/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-qr-code"

#include "config.h"

#include <glib/gstdio.h>

#include "haven-qr-code.h"
#include "haven-vcard.h"

/* Reads the code back the way a phone would, with zbar. */
static char *
decode (GdkTexture *texture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("haven-qr-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GSubprocess) zbar = NULL;
  g_autoptr(GBytes) output = NULL;
  gsize size;
  char *text;

  g_assert_no_error (error);
  path = g_build_filename (folder, "code.png", NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));

  /* Binary output: the bytes as encoded, without zbar's guess at a
   * character set. */
  zbar = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                           "zbarimg", "--quiet", "--raw", "-Sbinary", path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate (zbar, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (zbar));

  g_unlink (path);
  g_rmdir (folder);

  text = g_strndup (g_bytes_get_data (output, &size), g_bytes_get_size (output));
  return text;
}

static void
test_vcard_round_trip (void)
{
  const char *phones[] = { "+1 212 555 0142", NULL };
  HavenVCardContact contact = {
    .name = "Centro de Apoyo Digital",
    .organization = "Red Vecinal (ficticia)",
    .phones = phones,
    .url = "https://apoyo.example.org",
    .address = "Calle Mayor 5, Madrid",
  };
  g_autofree char *card = haven_vcard_build (&contact);
  GtkWidget *qr_code = g_object_ref_sink (haven_qr_code_new ());
  g_autofree char *decoded = NULL;

  haven_qr_code_set_text (HAVEN_QR_CODE (qr_code), card);
  g_assert_nonnull (haven_qr_code_get_texture (HAVEN_QR_CODE (qr_code)));

  decoded = decode (haven_qr_code_get_texture (HAVEN_QR_CODE (qr_code)));
  g_assert_cmpstr (decoded, ==, card);

  g_assert_finalize_object (qr_code);
}

static void
test_unicode_round_trip (void)
{
  const char *text = "خط المساعدة — Đường dây hỗ trợ — 援助热线";
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = haven_qr_code_render (text, &error);
  g_autofree char *decoded = NULL;

  g_assert_no_error (error);
  decoded = decode (texture);
  g_assert_cmpstr (decoded, ==, text);
}

static void
test_empty_text_shows_nothing (void)
{
  GtkWidget *qr_code = g_object_ref_sink (haven_qr_code_new ());

  haven_qr_code_set_text (HAVEN_QR_CODE (qr_code), "something");
  g_assert_nonnull (haven_qr_code_get_texture (HAVEN_QR_CODE (qr_code)));
  haven_qr_code_set_text (HAVEN_QR_CODE (qr_code), NULL);
  g_assert_null (haven_qr_code_get_texture (HAVEN_QR_CODE (qr_code)));

  g_assert_finalize_object (qr_code);
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    g_error ("UI tests need a display: run them under xvfb-run");

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/haven/qr-code/vcard-round-trip", test_vcard_round_trip);
  g_test_add_func ("/haven/qr-code/unicode-round-trip", test_unicode_round_trip);
  g_test_add_func ("/haven/qr-code/empty-text-shows-nothing", test_empty_text_shows_nothing);

  return g_test_run ();
}
